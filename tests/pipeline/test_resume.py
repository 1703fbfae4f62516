"""Input keys for resuming a run: equal for equal inputs, different when anything that decides a
variant's bytes or checks changes, and scoped (one locale's copy changes only that locale)."""

from __future__ import annotations

from pathlib import Path

from pipeline.model.campaign import DEFAULT_PROMPTS, load_campaign
from pipeline.render import plan_variants
from pipeline.resume import run_digest, source_digest, variant_input_key
from pipeline.storage.store import Store
from tests.helpers import copy_demo, edit_yaml, render_demo_variant

SKU = "B074M5HPBD"


def _keys(brief: Path, backend: str = "studio", options: dict | None = None) -> dict[tuple[str, str, str], str]:
    campaign = load_campaign(brief, DEFAULT_PROMPTS)
    run = run_digest(campaign, backend, options)
    plans, _ = plan_variants(campaign, SKU)
    source = source_digest(campaign.catalog.images(SKU))
    return {(p.scene.id, p.format_id, p.locale): variant_input_key(campaign, p, run=run, source=source) for p in plans}


def _small(brief: Path) -> None:
    def shrink(d: dict) -> None:
        d["scenes"], d["formats"], d["locales"] = d["scenes"][:1], ["square"], ["en-US", "ja-JP"]

    edit_yaml(brief, shrink)


def test_the_same_inputs_give_the_same_keys_and_each_variant_its_own(tmp_path: Path):
    brief = copy_demo(tmp_path)
    _small(brief)
    first, again = _keys(brief), _keys(brief)
    assert first == again and len(set(first.values())) == len(first) == 2


def test_one_locales_copy_changes_only_that_locales_keys(tmp_path: Path):
    brief = copy_demo(tmp_path)
    _small(brief)
    before = _keys(brief)
    edit_yaml(brief, lambda d: d["copy"]["ja-JP"].update(headline="冬のセール"))
    after = _keys(brief)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {("calm-sweep", "square", "ja-JP")}


def test_brand_files_photos_prices_and_backend_options_all_count(tmp_path: Path):
    brief = copy_demo(tmp_path)
    _small(brief)
    base = _keys(brief)
    catalog = tmp_path / "demo" / "catalog" / "catalog.csv"
    original = catalog.read_text(encoding="utf-8")
    catalog.write_text(original.replace(",8.79,USD,420,", ",8.79,USD,419,"), encoding="utf-8")  # US stock
    repriced = _keys(brief)
    assert {k for k in base if base[k] != repriced[k]} == {("calm-sweep", "square", "en-US")}
    catalog.write_text(original, encoding="utf-8")
    assert _keys(brief, options={"steps": 4}) != base
    assert _keys(brief, backend="diffusion") != base

    logo = next((tmp_path / "brand_guides" / "halden").rglob("*.png"))
    logo.write_bytes(logo.read_bytes() + b"\0")  # a file of the brand guide, not brand.yaml
    assert set(_keys(brief).values()).isdisjoint(base.values())
    logo.write_bytes(logo.read_bytes()[:-1])
    assert _keys(brief) == base

    campaign = load_campaign(brief, DEFAULT_PROMPTS)
    photo = campaign.catalog.images(SKU)[0]
    photo.write_bytes(photo.read_bytes() + b"\0")
    assert set(_keys(brief).values()).isdisjoint(base.values())


def test_a_variant_is_reusable_only_while_its_files_are_stored(tmp_path: Path):
    _, variant = render_demo_variant()
    store = Store(tmp_path)
    assert store.reusable("k1") is None
    vid = store.keep_variant("r1", variant.png, variant.report, variant.lineage, input_key="k1")
    assert store.reusable("k1") is None  # its product cut-out is not stored
    product, _ = render_demo_variant()
    store.put_cutout(product.cutout)
    assert store.reusable("k1") == vid and store.reusable("k2") is None
    store.blob_path(store.variant(vid).blob_sha).unlink()
    assert store.reusable("k1") is None


def test_a_variant_whose_sidecar_is_gone_is_not_reused(tmp_path: Path):
    from pipeline.resume import KEY_VERSION

    # sidecar schema 2 came with key version 2 and the photos' hashes with 3: older keys never match
    assert KEY_VERSION == 3
    product, variant = render_demo_variant()
    store = Store(tmp_path)
    store.put_cutout(product.cutout)
    vid = store.keep_variant("r1", variant.png, variant.report, variant.lineage, input_key="k1")
    assert store.reusable("k1") == vid
    store.blob_path(store.variant(vid).blob_sha, ".json").unlink()
    assert store.reusable("k1") is None
