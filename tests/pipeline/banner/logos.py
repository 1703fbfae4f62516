"""Brand logos of any aspect for layout, composition and logo-check tests, drawn like real ones:
a serif wordmark (thin strokes, the hardest to measure when small), a mark beside a wordmark, and
a lettered plate (a solid rounded rectangle, like brand_guides/fjellspor).
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw, ImageFont

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
HEIGHT = 200  # px of the logo file; widths follow from the aspect
STYLES = ("wordmark", "mark", "plate")


def _fit_text(draw: ImageDraw.ImageDraw, text: str, box: tuple[int, int, int, int], fill: str) -> None:
    """`text` as large as fits `box`, centred on it."""
    x0, y0, x1, y1 = box
    size = y1 - y0
    while size > 4:
        font = ImageFont.truetype(SERIF, size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= x1 - x0 and bottom - top <= y1 - y0:
            x = (x0 + x1 - (right - left)) / 2 - left
            draw.text((x, (y0 + y1 - (bottom - top)) / 2 - top), text, font=font, fill=fill)
            return
        size -= 2
    raise ValueError(f"{text!r} does not fit {box}")


@cache
def make_logo(aspect: float, style: str = "wordmark") -> Image.Image:
    """An RGBA logo `aspect`:1 (HEIGHT px tall) with a transparent background."""
    w, h = round(HEIGHT * aspect), HEIGHT
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    word = "Fjell" if aspect < 1.5 else "Fjellspor" if aspect < 3 else "FJELLSPOR"
    if style == "plate":
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 8, fill="#2F5D3A")
        _fit_text(draw, "F" if aspect < 1.5 else word, (h // 8, h // 5, w - h // 8, h - h // 5), "#E3B23C")
    elif style == "mark":
        d = min(w, h)
        draw.ellipse((0, (h - d) // 2, d - 1, (h + d) // 2 - 1), fill="#1F4E5F")
        if w - d > h // 2:
            _fit_text(draw, word, (d + h // 10, h // 6, w, h - h // 6), "#1F4E5F")
        else:
            _fit_text(draw, "F", (d // 4, h // 4, d - d // 4, h - h // 4), "#FFFFFF")
    elif style == "wordmark":
        _fit_text(draw, "F" if aspect < 1.5 else word, (0, 0, w, h), "#1B1B1B")
    else:
        raise ValueError(f"style {style!r} is not one of {STYLES}")
    return img
