"""A labelled image set for the image checks (pipeline/checks/image/), built deterministically.

    .venv/bin/python bench/image_set.py OUT_DIR [--seed N] [--quick]

Every image is a real Vitrina banner: the demo brand (brand_guides/halden), the demo products
(demo/products, cut out by the pipeline), the studio backend's scene and `compose_banner`'s
copy, price block, CTA and logo. Problems are injected where they would arise in production:

* into the scene before composing (off-palette / forbidden backdrops, a prop, a watermark or
  generated lettering, a person in the background, a blurred or upscaled product layer);
* into the composed banner (the logo left out, recoloured, distorted, too small or crowded,
  extra text outside the safe zone or in a weak colour pair);
* into the file (downscaled, heavy JPEG).

Seed 0 is the set the thresholds were calibrated on; any other seed draws products, styles,
locales, colours, sizes, positions and strengths from ranges around the same cases (held out).

Next to each image, ``<name>.json`` holds the labels: ``expect`` maps every image check id to
"flag" (the check must not pass), "pass" (it must pass) or "any" (side effects of the injected
problem, not scored), plus the lineage sidecar as `render_variant` writes it (format, layout,
text_blocks, product.placement_box, generation); text blocks on a plate also carry their plate
colour as "background". ``index.json`` lists all cases. Same seed, same bytes.

Clean controls cover 4 studio styles x 3 products on the square format plus portrait, story,
landscape, hero, an RTL (ar-AE) and a CJK (ja-JP) banner and a high-quality JPEG.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.banner.compose import BannerCopy, ComposedBanner, compose_banner  # noqa: E402
from pipeline.banner.layout import Layout, overlaps, plan_layout  # noqa: E402
from pipeline.checks.image import IMAGE_CHECKS  # noqa: E402
from pipeline.imaging.geometry import Box  # noqa: E402
from pipeline.imaging.imageio import load_product_image  # noqa: E402
from pipeline.imaging.masks import cutout, product_mask  # noqa: E402
from pipeline.imaging.placement import composite_product  # noqa: E402
from pipeline.model.brand import BrandGuide, load_brand  # noqa: E402
from pipeline.model.locales import locale_info  # noqa: E402
from pipeline.scene.base import SceneRequest, SceneResult  # noqa: E402
from pipeline.scene.studio import StudioBackend, backdrop  # noqa: E402

BRAND_DIR = ROOT / "brand_guides" / "halden"
PRODUCTS = ROOT / "demo" / "products"
PACKSHOTS = {"vitamin": "B07GTFSCHB/844a1cce.jpg", "bulb": "B074M5HPBD/dcace9b5.jpg", "bag": "B0799CK52K/528c608a.jpg"}
PERSON = "B0799CK52K/25ffa37c.jpg"  # a man carrying the bag (triage skips it as a packshot)
CHECK_IDS = tuple(c.id for c in IMAGE_CHECKS)
COPY = {
    "en-US": BannerCopy(
        headline="Winter essentials, warmly priced",
        subline="Everyday favourites for the cosy season",
        cta="Shop now",
        price="$11.99",
        prior_price="$14.99",
        discount_label="-20%",
        legal="Prices in USD, taxes extra. Offer ends Dec 24, 2026.",
    ),
    "de-DE": BannerCopy(
        headline="Winterlieblinge zum kleinen Preis",
        subline="Alltagsbegleiter für die gemütliche Jahreszeit",
        cta="Jetzt entdecken",
        price="11,99 €",
        prior_price="14,99 €",
        discount_label="-20 %",
        legal="Preise inkl. MwSt., zzgl. Versand. Angebot bis 24.12.2026.",
    ),
    "ar-AE": BannerCopy(
        headline="أساسيات الشتاء بأسعار دافئة",
        subline="مفضلاتك اليومية لموسم دافئ",
        cta="تسوّق الآن",
        price="AED 44.00",
        legal="الأسعار شاملة ضريبة القيمة المضافة. العرض حتى 24 ديسمبر 2026.",
    ),
    "ja-JP": BannerCopy(
        headline="冬の定番を、うれしい価格で",
        subline="ぬくもりの季節に、毎日のお気に入りを",
        cta="今すぐ購入",
        price="¥1,780",
        legal="価格は税込です。2026年12月24日まで。",
    ),
}


@dataclass
class Built:
    """One banner and what is known about it."""

    image: Image.Image
    layout: Layout
    banner: ComposedBanner
    scene: SceneResult
    fmt_id: str
    extra_blocks: list[dict[str, Any]] = field(default_factory=list)
    logo_box: Box | None = None  # overrides the layout's logo box in the sidecar


class SetBuilder:
    def __init__(self, out: Path, seed: int = 0) -> None:
        self.out = out
        self.seed = seed
        self.brand = load_brand(BRAND_DIR)
        with Image.open(self.brand.logo_path) as f:
            self.logo = f.convert("RGBA")
        self.cutouts: dict[str, Image.Image] = {}
        for name, rel in PACKSHOTS.items():
            img = load_product_image(PRODUCTS / rel)
            self.cutouts[name] = cutout(img, product_mask(img))
        person = load_product_image(PRODUCTS / PERSON)
        self.person = cutout(person, product_mask(person))
        self.font_bold = str(self.brand.font_path(self.brand.typography.headline))
        self.font_regular = str(self.brand.font_path(self.brand.typography.body))
        self.cases: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ building blocks

    def layout(self, fmt_id: str, locale: str) -> Layout:
        fmt = self.brand.format_by_id[fmt_id]
        return plan_layout(
            fmt,
            locale_info(locale),
            logo_aspect=self.logo.width / self.logo.height,
            logo_min_width=self.brand.logo.min_width_px,
            clear_space=self.brand.logo.clear_space,
        )

    def build(
        self,
        product: str,
        style: str,
        fmt_id: str = "square",
        locale: str = "en-US",
        *,
        palette: dict[str, str] | None = None,
        brand: BrandGuide | None = None,
        scene_edit: Callable[[Image.Image, Layout, SceneResult], Image.Image] | None = None,
        layer_edit: Callable[[Image.Image], Image.Image] | None = None,
        logo: Image.Image | None = None,
        seed: int | None = None,
    ) -> Built:
        brand = brand or self.brand
        fmt = brand.format_by_id[fmt_id]
        layout = self.layout(fmt_id, locale)
        pal = {**self.brand.palette.all_colours(), **(palette or {})}
        sd = self.seed * 1000 + len(self.cases) if seed is None else seed
        scene = StudioBackend().render(SceneRequest(fmt.size, self.cutouts[product], layout.product, pal, style, sd))
        if layer_edit is not None:
            layer = layer_edit(scene.product_layer)
            base = _scene_without_product(scene, fmt.size, pal, style, sd)
            image = composite_product(base, layer, scene.placement)
            scene = SceneResult(image, layer, scene.placement, scene.lineage)
        image = scene.image
        if scene_edit is not None:
            image = scene_edit(image, layout, scene)
        banner = compose_banner(
            image,
            layout,
            COPY[locale],
            brand,
            locale_info(locale),
            min_text_px=fmt.min_text_px,
            logo=logo if logo is not None else self.logo,
        )
        return Built(banner.image, layout, banner, scene, fmt_id)

    def font(self, size: int, bold: bool) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.font_bold if bold else self.font_regular, size)

    def free_spot(
        self, b: Built, w: int, h: int, *, safe: bool = True, avoid_logo_clear: bool = True, prefer: str = "left"
    ) -> tuple[int, int]:
        """Top-left of a w x h spot free of every designed box (inside the safe area if `safe`)."""
        fmt = self.brand.format_by_id[b.fmt_id]
        sz = fmt.safe_zone
        area = (
            (sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom)
            if safe
            else (8, 8, fmt.width - 8, fmt.height - 8)
        )
        taken = [blk.box for blk in b.banner.blocks] + [b.scene.placement.box]
        logo = b.banner.logo_box
        clear = int(np.ceil(self.brand.logo.clear_space * (logo[3] - logo[1]))) + 6 if avoid_logo_clear else 4
        taken.append((logo[0] - clear, logo[1] - clear, logo[2] + clear, logo[3] + clear))
        ov = b.banner.overlay_mask
        xs = range(area[0], area[2] - w, 6)
        if prefer == "right":
            xs = reversed(list(xs))
        for y in range(area[1], area[3] - h, 6):
            for x in xs:
                box = (x - 8, y - 8, x + w + 8, y + h + 8)
                if any(overlaps(box, t) for t in taken):
                    continue
                if ov[max(0, box[1]) : box[3], max(0, box[0]) : box[2]].any():
                    continue
                return x, y
        raise RuntimeError(f"no free {w}x{h} spot on {b.fmt_id}")

    def draw_text(
        self,
        image: Image.Image,
        text: str,
        xy: tuple[int, int],
        size: int,
        bold: bool,
        colour: str,
        opacity: float = 1.0,
        plate: str | None = None,
        pad: int = 0,
    ) -> tuple[Image.Image, Box, Box | None]:
        """Draw text (optionally on a plate); returns the image, the glyphs' tight box and the plate box."""
        font = self.font(size, bold)
        layer = Image.new("L", image.size, 0)
        d = ImageDraw.Draw(layer)
        x, y = xy
        d.text((x + pad, y + pad), text, font=font, fill=int(255 * opacity))
        arr = np.asarray(layer)
        ys, xs = np.nonzero(arr)
        tight = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        out = image.copy()
        plate_box = None
        if plate is not None:
            plate_box = (tight[0] - pad, tight[1] - pad, tight[2] + pad, tight[3] + pad)
            ImageDraw.Draw(out).rounded_rectangle(plate_box, radius=max(2, pad // 2), fill=plate)
        out.paste(Image.new("RGB", image.size, colour), (0, 0), layer)
        return out, tight, plate_box

    def text_size(self, text: str, size: int, bold: bool) -> tuple[int, int]:
        x0, y0, x1, y1 = self.font(size, bold).getbbox(text)
        return x1, y1

    # ------------------------------------------------------------------ writing

    def add(
        self,
        name: str,
        b: Built,
        problem: str,
        flag: tuple[str, ...] = (),
        any_: tuple[str, ...] = (),
        notes: str = "",
        image: Image.Image | None = None,
        save_as: str = "PNG",
        quality: int = 95,
    ) -> None:
        """Write the image and its labels. Kind: "clean" (a control, nothing injected), "near_miss"
        (something injected that must NOT be flagged) or "problem" (at least one check must flag)."""
        taken = {c["name"] for c in self.cases}
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        expect = {cid: ("flag" if cid in flag else "any" if cid in any_ else "pass") for cid in CHECK_IDS}
        kind = "problem" if flag else "clean" if name.startswith("clean_") else "near_miss"
        img = image if image is not None else b.image
        ext = "jpg" if save_as == "JPEG" else "png"
        path = self.out / f"{name}.{ext}"
        if save_as == "JPEG":
            img.save(path, "JPEG", quality=quality)
        else:
            img.save(path, "PNG", compress_level=3)
        fmt = self.brand.format_by_id[b.fmt_id]
        blocks = [
            {
                "role": blk.role,
                "text": blk.text,
                "box": list(blk.box),
                "size_px": blk.size_px,
                "color": blk.color,
                **({"background": blk.background} if blk.background else {}),
            }
            for blk in b.banner.blocks
        ]
        layout = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(b.layout).items()}
        if b.logo_box is not None:
            layout["logo"] = list(b.logo_box)
        lineage = {
            "format": {"id": fmt.id, "size": list(fmt.size)},
            "layout": layout,
            "text_blocks": blocks + b.extra_blocks,
            "product": {"placement_box": list(b.scene.placement.box)},
            "generation": dict(b.scene.lineage),
        }
        labels = {
            "name": name,
            "image": path.name,
            "kind": kind,
            "problem": problem,
            "expect": expect,
            "notes": notes,
            "lineage": lineage,
        }
        (self.out / f"{name}.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False), encoding="utf-8")
        self.cases.append(
            {
                "name": name,
                "image": path.name,
                "labels": f"{name}.json",
                "kind": kind,
                "problem": problem,
                "flag": list(flag),
            }
        )


def _scene_without_product(
    scene: SceneResult, size: tuple[int, int], pal: dict[str, str], style: str, seed: int
) -> Image.Image:
    """The same studio scene with the product's pixels replaced by the bare backdrop (its contact
    shadow kept), to composite an edited product layer onto."""
    bare = backdrop(size, pal, style, seed, scene.placement.ground_y)
    img = np.asarray(scene.image).astype(np.float32)
    x0, y0, x1, y1 = scene.placement.box
    a = np.asarray(scene.product_layer)[..., 3:4].astype(np.float32) / 255
    bare_region = np.clip(bare[y0:y1, x0:x1] + 0.5, 0, 255)
    img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - a) + bare_region * a
    return Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8), "RGB")


def _hue_shift(logo: Image.Image, degrees: float) -> Image.Image:
    arr = np.asarray(logo).copy()
    hsv = cv2.cvtColor(arr[..., :3], cv2.COLOR_RGB2HSV_FULL).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + int(degrees / 360 * 256)) % 256
    arr[..., :3] = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB_FULL)
    return Image.fromarray(arr, "RGBA")


def _repaint_logo(b: Built, logo: Image.Image, box: Box) -> Image.Image:
    """Cover the drawn logo with the scene, then paste `logo` resized into `box`."""
    img = b.image.copy()
    lb = b.banner.logo_box
    img.paste(b.banner.background.crop(lb), lb[:2])
    w, h = box[2] - box[0], box[3] - box[1]
    scaled = logo.resize((w, h), Image.Resampling.LANCZOS)
    img.paste(scaled.convert("RGB"), box[:2], scaled.getchannel("A"))
    return img


class _Vary:
    """Seed 0 gives the calibration set exactly as listed; any other seed draws each varied value
    (product, colour, size, position, strength) from its range: a held-out set of the same kinds."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def pick(self, default: Any, options: Sequence[Any]) -> Any:
        return default if self.seed == 0 else options[int(self.rng.integers(len(options)))]

    def num(self, default: float, lo: float, hi: float) -> float:
        return default if self.seed == 0 else float(self.rng.uniform(lo, hi))

    def int(self, default: int, lo: int, hi: int) -> int:
        return default if self.seed == 0 else int(self.rng.integers(lo, hi + 1))


PRODUCT_NAMES = tuple(PACKSHOTS)
STYLES = ("sweep", "gradient", "surface", "podium")
# Clearly off-palette backdrops (a studio set in these is not Halden): background, sand, mist roles.
OFF_PALETTE = {
    "purple": ("#7A4FB0", "#6C3FA0", "#8E66C4"),
    "seagreen": ("#2E8B57", "#257A4B", "#3FA06A"),
    "skyblue": ("#6EC6F0", "#5AB4E0", "#8AD4F5"),
    "mustard": ("#D8A520", "#C8951A", "#E0B540"),
    "magenta": ("#C0308A", "#A82878", "#D04A9C"),
    "lime": ("#9BCB3C", "#8AB830", "#ACD858"),
    "navy": ("#223C9A", "#1C3288", "#3050B0"),
    "orange": ("#F28C28", "#E07A18", "#F5A050"),
}
FORBIDDEN_LIKE = {
    "red": ("#FF0000", "#F00808", "#FF1A1A"),
    "nearred": ("#E81414", "#D81010", "#F02020"),
    "brightred": ("#FF3030", "#F02828", "#FF4848"),
    "green": ("#10F010", "#08E008", "#20FF20"),
    "puregreen": ("#00FF00", "#00E800", "#30FF30"),
}
STRAY_WORDS = (
    "SAMPLE",
    "PREVIEW",
    "© Getty Images",
    "shutterstock",
    "DRAFT",
    "iStock",
    "Lorem ipsum",
    "OPEN DAILY",
    "watermark",
    "SALE 50%",
)


def build_set(out: Path, seed: int = 0, quick: bool = False) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    old = out / "index.json"
    if old.is_file():  # remove the previous build's files (only those it listed)
        for c in json.loads(old.read_text(encoding="utf-8")).get("cases", []):
            for key in ("image", "labels"):
                (out / Path(c[key]).name).unlink(missing_ok=True)
    s = SetBuilder(out, seed)
    v = _Vary(seed)
    brand = s.brand
    pal = brand.palette

    # ---------------------------------------------------------------- clean controls
    for product in PRODUCT_NAMES:
        for style in STYLES if not quick else ("sweep", "podium"):
            loc = v.pick("en-US", ("en-US", "de-DE", "ar-AE", "ja-JP"))
            s.add(f"clean_{product}_{style}", s.build(product, style, "square", loc), "none")
    for product, style, fmt, loc in (
        ("bag", "sweep", "portrait", "en-US"),
        ("vitamin", "podium", "story", "de-DE"),
        ("bulb", "gradient", "landscape", "en-US"),
        ("vitamin", "surface", "hero", "en-US"),
        ("bag", "podium", "square", "ar-AE"),
        ("bulb", "sweep", "portrait", "ja-JP"),
    ):
        product, style = v.pick(product, PRODUCT_NAMES), v.pick(style, STYLES)
        s.add(f"clean_{product}_{style}_{fmt}_{loc}", s.build(product, style, fmt, loc), "none")
    b = s.build(v.pick("bulb", PRODUCT_NAMES), v.pick("surface", STYLES))
    q = v.int(92, 85, 97)
    s.add(f"clean_jpeg_q{q}", b, f"none (JPEG at quality {q})", save_as="JPEG", quality=q)

    # ---------------------------------------------------------------- text contrast (pass/fail pairs)
    # Palette pairs with exact WCAG ratios: primary on accent 3.08 (large passes 3.0), accent on
    # white 2.95 (large fails), text on accent 5.84, white on primary 9.0, accent on the paper
    # backdrop ~2.6, primary on it ~7.8, mist on it ~1.1. Near the 4.5 threshold for normal text:
    # the text colour on a flat grey the scene was painted with: grey 118-128 -> 4.0-4.4:1 (fails),
    # grey 134-140 -> 4.7-5.1:1 (passes).
    texts = ("Winter deal", "Members save", "New season", "Free returns", "Gift ideas")
    A, W, P, T = pal.accent, pal.on_primary, pal.primary, pal.text
    pairs = [
        ("contrast_primary_on_accent_large", "vitamin", "Winter deal", 40, True, P, A, False, None),
        ("contrast_accent_on_white_large", "vitamin", "Winter deal", 40, True, A, W, True, None),
        ("contrast_accent_on_white_normal", "bulb", "Winter deal today", 20, False, A, W, True, None),
        ("contrast_text_on_accent_normal", "bulb", "Members save more", 20, False, T, A, False, None),
        ("contrast_accent_on_backdrop_normal", "bag", "Free returns", 20, False, A, None, True, None),
        ("contrast_primary_on_backdrop_normal", "bag", "Free returns", 20, False, P, None, False, None),
        ("contrast_mist_on_backdrop_large", "vitamin", "New season", 40, True, pal.extra["mist"], None, True, None),
        ("contrast_white_on_primary_normal", "bag", "Members save more", 20, False, W, P, False, None),
        ("contrast_text_on_grey_fail_normal", "bulb", "Members save more", 20, False, T, None, True, (125, 118, 128)),
        (
            "contrast_text_on_grey_pass_normal",
            "vitamin",
            "Members save more",
            20,
            False,
            T,
            None,
            False,
            (136, 134, 140),
        ),
    ]
    for name, product, text, size, bold, colour, plate, fails, grey_range in pairs:
        product, text = v.pick(product, PRODUCT_NAMES), v.pick(text, texts)
        size = v.int(size, 36, 56) if bold else v.int(size, 16, 21)
        style = v.pick("sweep", STYLES)
        b = s.build(product, style)
        if grey_range is not None:  # a flat grey patch painted into the scene, then the banner composed again
            grey = v.int(*grey_range)
            tw, th = s.text_size(text, size, bold)
            x, y = s.free_spot(b, tw + 40, th + 30)
            patch = (x, y, x + tw + 40, y + th + 30)

            def paint(
                img: Image.Image, layout: Layout, scene: SceneResult, patch: Box = patch, grey: int = grey
            ) -> Image.Image:
                out = img.copy()
                ImageDraw.Draw(out).rectangle((patch[0], patch[1], patch[2] - 1, patch[3] - 1), fill=(grey, grey, grey))
                return out

            b = s.build(product, style, scene_edit=paint, seed=s.seed * 1000 + len(s.cases))
            img, tight, _ = s.draw_text(b.image, text, (patch[0] + 20, patch[1] + 10), size, bold, colour)
            b.image = img
            b.extra_blocks.append({"role": "badge", "text": text, "box": list(tight), "size_px": size, "color": colour})
            s.add(
                name,
                b,
                f"text {colour} on grey {grey} painted into the scene, {size} px regular",
                flag=("image.text.contrast",) if fails else (),
                notes="near the 4.5:1 threshold",
            )
            continue
        pad = 10 if plate else 0
        tw, th = s.text_size(text, size, bold)
        x, y = s.free_spot(b, tw + 2 * pad + 4, th + 2 * pad + 4)
        img, tight, _ = s.draw_text(b.image, text, (x, y), size, bold, colour, plate=plate, pad=pad)
        b.image = img
        b.extra_blocks.append(
            {
                "role": "badge",
                "text": text,
                "box": list(tight),
                "size_px": size,
                "color": colour,
                **({"background": plate} if plate else {}),
            }
        )
        s.add(
            name,
            b,
            f"text {colour} on {plate or 'the backdrop'}, {size} px {'bold' if bold else 'regular'}",
            flag=("image.text.contrast",) if fails else (),
            notes="pass/fail pair on WCAG 2.x thresholds",
        )

    # ---------------------------------------------------------------- background palette
    for name, style, product in (
        ("purple", "sweep", "vitamin"),
        ("seagreen", "gradient", "bulb"),
        ("skyblue", "podium", "bag"),
        ("mustard", "surface", "vitamin"),
    ):
        name, style, product = v.pick(name, tuple(OFF_PALETTE)), v.pick(style, STYLES), v.pick(product, PRODUCT_NAMES)
        bg, sand, mist = OFF_PALETTE[name]
        b = s.build(product, style, palette={"background": bg, "sand": sand, "mist": mist})
        s.add(
            f"palette_off_{name}_{style}",
            b,
            f"backdrop in off-palette {bg}",
            flag=("image.palette.background",),
            any_=("image.text.contrast",),
        )
    for name, style, product in (
        ("red", "sweep", "bulb"),
        ("nearred", "gradient", "bag"),
        ("green", "sweep", "vitamin"),
    ):
        name, style, product = (
            v.pick(name, tuple(FORBIDDEN_LIKE)),
            v.pick(style, STYLES),
            v.pick(product, PRODUCT_NAMES),
        )
        bg, sand, mist = FORBIDDEN_LIKE[name]
        b = s.build(product, style, palette={"background": bg, "sand": sand, "mist": mist})
        s.add(
            f"palette_forbidden_{name}_{style}",
            b,
            f"backdrop near forbidden {bg}",
            flag=("image.palette.background",),
            any_=("image.text.contrast",),
        )

    Edit = Callable[[Image.Image, Layout, SceneResult], Image.Image]

    def prop(colour: str, radius_frac: float, where: str = "left") -> Edit:
        def edit(img: Image.Image, layout: Layout, scene: SceneResult) -> Image.Image:
            out = img.copy()
            W, H = img.size
            r = int(radius_frac * W)
            px0 = scene.placement.box[0]
            cx = max(r + 10, px0 - r - 20) if where == "left" else W - r - 10
            cy = int(0.55 * H)
            ImageDraw.Draw(out).ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
            return out

        return edit

    blue = v.pick("#2F6FD8", ("#2F6FD8", "#8A2BE2", "#20B2AA", "#E6C200", "#C71585"))
    b = s.build(v.pick("bulb", PRODUCT_NAMES), v.pick("sweep", STYLES), scene_edit=prop(blue, v.num(0.2, 0.17, 0.23)))
    s.add(
        "palette_prop_large",
        b,
        f"a large saturated {blue} prop (~10-20 % of the backdrop)",
        flag=("image.palette.background",),
        any_=("image.text.contrast", "image.stray_text"),
    )
    b = s.build(
        v.pick("vitamin", PRODUCT_NAMES), v.pick("gradient", STYLES), scene_edit=prop(blue, v.num(0.06, 0.04, 0.065))
    )
    s.add(
        "palette_prop_small",
        b,
        f"a small {blue} prop (~1-2 % of the backdrop): below the dominant share",
        any_=("image.text.contrast", "image.stray_text"),
        notes="must not flag",
    )
    red = v.pick("#FF0000", ("#FF0000", "#F01010", "#E81818"))
    b = s.build(v.pick("bag", PRODUCT_NAMES), v.pick("sweep", STYLES), scene_edit=prop(red, v.num(0.07, 0.05, 0.08)))
    s.add(
        "palette_prop_red_small",
        b,
        f"a small {red} prop (~1-3 %): forbidden colour, blocks from 0.5 %",
        flag=("image.palette.background",),
        any_=("image.text.contrast", "image.stray_text"),
    )

    # ---------------------------------------------------------------- overlay palette
    off_text = v.pick("#6A0DAD", ("#6A0DAD", "#333366", "#000000", "#1B1B1C", "#B22222"))
    off_brand = brand.model_copy(update={"palette": pal.model_copy(update={"text": off_text})})
    b = s.build(v.pick("bulb", PRODUCT_NAMES), v.pick("sweep", STYLES), brand=off_brand)
    s.add(
        "overlay_text_offpalette",
        b,
        f"copy set in {off_text}, not a palette colour",
        flag=("image.palette.overlay",),
        any_=("image.text.contrast",),
    )
    off_cta = v.pick("#2255CC", ("#2255CC", "#1F4E60", "#008080", "#4B0082"))
    off_brand = brand.model_copy(update={"palette": pal.model_copy(update={"primary": off_cta})})
    b = s.build(v.pick("vitamin", PRODUCT_NAMES), v.pick("podium", STYLES), brand=off_brand)
    s.add(
        "overlay_cta_offpalette",
        b,
        f"CTA button in {off_cta}, not a palette colour",
        flag=("image.palette.overlay",),
        notes="detectable only because the sidecar records the plate colour ('background')",
        any_=("image.text.contrast",),
    )

    # ---------------------------------------------------------------- stray text / watermark
    def scene_text(
        text: str, size: int, colour: str, opacity: float, where: str, bold: bool = True, angle: float = 0.0
    ) -> Callable[[Image.Image, Layout, SceneResult], Image.Image]:
        def edit(img: Image.Image, layout: Layout, scene: SceneResult) -> Image.Image:
            W, H = img.size
            font = s.font(size, bold)
            x0, y0, x1, y1 = font.getbbox(text)
            layer = Image.new("L", (x1 + 8, y1 + 8), 0)
            ImageDraw.Draw(layer).text((4, 4), text, font=font, fill=int(255 * opacity))
            if angle:
                layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
            pb = scene.placement.box
            if where == "below_product":
                x, y = pb[0] + (pb[2] - pb[0] - layer.width) // 2, min(H - layer.height - 4, pb[3] + 12)
                x = max(4, min(x, W - layer.width - 4))
            elif where == "top_right":
                x, y = W - layer.width - 12, 12
            else:  # bottom right corner
                x, y = W - layer.width - 10, H - layer.height - 8
            out = img.copy()
            out.paste(Image.new("RGB", layer.size, colour), (x, y), layer)
            return out

        return edit

    stray = [
        ("stray_watermark_sample", "vitamin", "sweep", ("SAMPLE", 96, "#8A8A8A", 0.45, "below_product", True)),
        ("stray_stock_corner", "bulb", "gradient", ("© stockimages 2024", 26, "#505050", 0.8, "bottom_right", False)),
        ("stray_generated_sign", "bag", "podium", ("OPEN DAILY", 44, "#3A3A3A", 1.0, "top_right", True)),
        ("stray_watermark_faint", "bulb", "surface", ("watermark", 60, "#FFFFFF", 0.6, "below_product", True)),
        ("stray_gibberish", "vitamin", "gradient", ("Lorem ipsvm dolar", 34, "#6A5A4A", 0.9, "top_right", False)),
    ]
    for name, product, style, (text, size, colour, opacity, where, bold) in stray:
        if seed:
            text, where = v.pick(text, STRAY_WORDS), v.pick(where, ("below_product", "top_right", "bottom_right"))
            size, opacity = v.int(size, 24, 90), v.num(opacity, 0.45, 1.0)
            colour = v.pick(colour, ("#8A8A8A", "#505050", "#3A3A3A", "#FFFFFF", "#6A5A4A"))
            if size > 60 and where != "below_product":
                size = 48
        product, style = v.pick(product, PRODUCT_NAMES), v.pick(style, STYLES)
        b = s.build(product, style, scene_edit=scene_text(text, size, colour, opacity, where, bold))
        s.add(
            name,
            b,
            f"'{text}' painted into the background ({colour}, {opacity:.0%}, {size} px, {where})",
            flag=("image.stray_text",),
            any_=("image.text.contrast", "image.palette.background"),
        )

    # ---------------------------------------------------------------- logo
    blank = Image.new("RGBA", s.logo.size, (0, 0, 0, 0))
    b = s.build(v.pick("bag", PRODUCT_NAMES), v.pick("sweep", STYLES), logo=blank)
    s.add("logo_missing", b, "logo not drawn", flag=("image.logo",))
    hue = v.num(150, 60, 300)
    b = s.build(v.pick("vitamin", PRODUCT_NAMES), v.pick("gradient", STYLES), logo=_hue_shift(s.logo, hue))
    s.add("logo_recoloured_hue", b, f"logo hue-rotated {hue:.0f} degrees", flag=("image.logo",))
    grey = s.logo.convert("LA").convert("RGBA")
    grey.putalpha(s.logo.getchannel("A"))
    b = s.build(v.pick("bulb", PRODUCT_NAMES), v.pick("podium", STYLES), logo=grey)
    s.add("logo_recoloured_grey", b, "logo desaturated to grey", flag=("image.logo",))
    flat = v.pick((20, 20, 20), ((20, 20, 20), (224, 122, 95), (120, 30, 160)))
    mono = Image.new("RGBA", s.logo.size, (*flat, 0))
    mono.putalpha(s.logo.getchannel("A"))
    b = s.build(v.pick("vitamin", PRODUCT_NAMES), v.pick("sweep", STYLES), logo=mono)
    s.add("logo_recoloured_flat", b, f"logo in one flat colour {flat}", flag=("image.logo",))
    for name, fx, fy, product in (
        ("logo_squashed", v.num(0.7, 0.6, 0.82), 1.0, "bag"),
        ("logo_stretched_tall", 1.0, v.num(1.3, 1.2, 1.45), "bulb"),
        ("logo_stretched_wide", 1.0, v.num(0.7, 0.6, 0.82), "vitamin"),
    ):
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick("sweep", STYLES))
        lb = b.banner.logo_box
        w, h = round((lb[2] - lb[0]) * fx), round((lb[3] - lb[1]) * fy)
        b.image = _repaint_logo(b, s.logo, (lb[0], lb[1], lb[0] + w, lb[1] + h))
        s.add(name, b, f"logo distorted ({fx:.2f} x width, {fy:.2f} x height)", flag=("image.logo",))
    for name, width, product, fails in (
        ("logo_too_small_a", v.int(100, 90, 112), "vitamin", True),
        ("logo_too_small_b", v.int(80, 60, 90), "bag", True),
        ("logo_small_ok", v.int(140, 126, 200), "bulb", False),
    ):
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick("gradient", STYLES))
        lb = b.banner.logo_box
        h = round(width * s.logo.height / s.logo.width)
        b.image = _repaint_logo(b, s.logo, (lb[0], lb[1], lb[0] + width, lb[1] + h))
        s.add(
            name,
            b,
            f"logo drawn {width} px wide (minimum {brand.logo.min_width_px})",
            flag=("image.logo",) if fails else (),
        )
    for name, product, gap in (
        ("logo_crowded_badge", "bulb", v.int(4, 0, 10)),
        ("logo_badge_clear", "bag", v.int(40, 24, 70)),
    ):
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick("sweep", STYLES))
        lb = b.banner.logo_box
        img, tight, _ = s.draw_text(
            b.image, "NEW", (lb[2] + gap, lb[1] + 8), 26, True, pal.text, plate=pal.accent, pad=6
        )
        b.image = img
        b.extra_blocks.append(
            {
                "role": "badge",
                "text": "NEW",
                "box": list(tight),
                "size_px": 26,
                "color": pal.text,
                "background": pal.accent,
            }
        )
        s.add(
            name,
            b,
            f"'NEW' badge {gap} px from the logo (clear space {brand.logo.clear_space:g} x height)",
            flag=("image.logo",) if gap < 20 else (),
        )

    # ---------------------------------------------------------------- safe zones
    for name, fmt_id, product, xy, fails in (
        ("safe_story_top", "story", "vitamin", (120, v.int(150, 40, 200)), True),
        ("safe_story_bottom", "story", "bag", (120, v.int(1650, 1560, 1800)), True),
        ("safe_square_left_edge", "square", "bulb", (v.int(18, 0, 40), 480), True),
        ("safe_square_inside", "square", "bag", None, False),
    ):
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick("sweep", STYLES), fmt_id)
        text = v.pick("Free delivery", ("Free delivery", "Only online", "New in"))
        tw, th = s.text_size(text, 30, True)
        if xy is None:
            xy = s.free_spot(b, tw + 4, th + 4)
        img, tight, _ = s.draw_text(b.image, text, xy, 30, True, pal.text)
        b.image = img
        b.extra_blocks.append({"role": "badge", "text": text, "box": list(tight), "size_px": 30, "color": pal.text})
        s.add(
            name,
            b,
            f"text block at {tight} ({'outside' if fails else 'inside'} the safe area)",
            flag=("image.safe_zone",) if fails else (),
            any_=("image.text.contrast", "image.stray_text"),
        )
    b = s.build(v.pick("bulb", PRODUCT_NAMES), v.pick("gradient", STYLES))
    lb = b.banner.logo_box
    corner = v.int(20, 6, 40)
    moved = (corner, corner, corner + lb[2] - lb[0], corner + lb[3] - lb[1])
    b.image = _repaint_logo(b, s.logo, moved)
    b.logo_box = moved
    s.add("safe_logo_corner", b, f"logo moved into the margin at ({corner}, {corner})", flag=("image.safe_zone",))

    # ---------------------------------------------------------------- people
    def person(where: str, height: float) -> Callable[[Image.Image, Layout, SceneResult], Image.Image]:
        def edit(img: Image.Image, layout: Layout, scene: SceneResult) -> Image.Image:
            W, H = img.size
            h = int(height * H)
            w = round(s.person.width * h / s.person.height)
            p = s.person.resize((w, h), Image.Resampling.LANCZOS)
            pb = scene.placement.box
            x = min(pb[2] + 10, W - w) if where == "right_of_product" else max(4, pb[0] - w - 10)
            out = img.copy()
            out.paste(p, (x, H - h - 4), p)
            return out

        return edit

    for name, product, style, fmt_id, where, height in (
        ("people_hero_beside_product", "vitamin", "sweep", "hero", "right_of_product", 0.95),
        ("people_hero_left", "bulb", "sweep", "hero", "left_of_product", 0.95),
        ("people_story", "vitamin", "podium", "story", "left_of_product", 0.6),
    ):
        b = s.build(
            v.pick(product, PRODUCT_NAMES),
            v.pick(style, STYLES),
            fmt_id,
            scene_edit=person(where, v.num(height, height - 0.15, height)),
        )
        s.add(
            name,
            b,
            f"a person ({where.replace('_', ' ')}) in a generated {fmt_id} scene",
            flag=("image.people",),
            any_=("image.palette.background", "image.stray_text", "image.text.contrast"),
        )

    # ---------------------------------------------------------------- product sharpness
    def blur(sigma: float) -> Callable[[Image.Image], Image.Image]:
        return lambda layer: layer.filter(ImageFilter.GaussianBlur(sigma))

    def upscale(factor: int) -> Callable[[Image.Image], Image.Image]:
        def f(layer: Image.Image) -> Image.Image:
            small = layer.resize((max(1, layer.width // factor), max(1, layer.height // factor)), Image.Resampling.BOX)
            return small.resize(layer.size, Image.Resampling.BICUBIC)

        return f

    for name, product, style, kind, amount in (
        ("blur_a", "vitamin", "sweep", "blur", v.num(3.0, 1.5, 3.5)),
        ("blur_b", "bag", "gradient", "blur", v.num(2.0, 1.5, 3.5)),
        ("blur_c", "bulb", "podium", "blur", v.num(1.5, 1.5, 3.5)),
        ("upscaled_a", "vitamin", "surface", "upscale", v.int(4, 3, 5)),
        ("upscaled_b", "bag", "sweep", "upscale", v.int(3, 3, 5)),
    ):
        edit = blur(amount) if kind == "blur" else upscale(int(amount))
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick(style, STYLES), layer_edit=edit)
        what = (
            f"Gaussian blur sigma {amount:.1f}" if kind == "blur" else f"upscaled {int(amount)}x from a small packshot"
        )
        s.add(name, b, f"product layer: {what}", flag=("image.quality.sharpness",))

    # ---------------------------------------------------------------- resolution and JPEG
    b = s.build(v.pick("bag", PRODUCT_NAMES), v.pick("sweep", STYLES))
    f = v.num(0.5, 0.4, 0.8)
    small = b.image.resize((round(1080 * f), round(1080 * f)), Image.Resampling.LANCZOS)
    s.add(
        "tiny_square",
        b,
        f"the 1080x1080 banner delivered at {small.width}x{small.height}",
        flag=("image.quality.resolution",),
        any_=("image.quality.sharpness", "image.stray_text", "image.text.contrast", "image.logo"),
        image=small,
    )
    b = s.build(v.pick("vitamin", PRODUCT_NAMES), v.pick("gradient", STYLES), "landscape")
    small = b.image.resize((round(1200 * f), round(628 * f)), Image.Resampling.LANCZOS)
    s.add(
        "tiny_landscape",
        b,
        f"the 1200x628 banner delivered at {small.width}x{small.height}",
        flag=("image.quality.resolution",),
        any_=("image.quality.sharpness", "image.stray_text", "image.text.contrast", "image.logo"),
        image=small,
    )
    for name, product, q in (
        ("jpeg_a", "bulb", v.int(30, 15, 50)),
        ("jpeg_b", "vitamin", v.int(60, 50, 70)),
        ("jpeg_c", "bag", v.int(75, 70, 79)),
    ):
        b = s.build(v.pick(product, PRODUCT_NAMES), v.pick("podium", STYLES))
        s.add(
            name,
            b,
            f"exported as JPEG quality {q}",
            flag=("image.quality.jpeg",),
            save_as="JPEG",
            quality=q,
            any_=("image.stray_text", "image.text.contrast", "image.palette.background"),
        )

    (out / "index.json").write_text(
        json.dumps({"seed": seed, "checks": list(CHECK_IDS), "cases": s.cases}, indent=1), encoding="utf-8"
    )
    return s.cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0, help="0: the calibration set; other seeds: held-out variations")
    ap.add_argument("--quick", action="store_true", help="fewer clean controls")
    args = ap.parse_args(argv)
    cases = build_set(args.out, args.seed, args.quick)
    kinds = {k: sum(c["kind"] == k for c in cases) for k in ("clean", "near_miss", "problem")}
    print(
        f"{len(cases)} labelled images in {args.out}: {kinds['clean']} clean controls, {kinds['near_miss']} near "
        f"misses that must pass, {kinds['problem']} with problems"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
