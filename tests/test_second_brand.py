"""A brand unlike the demo works the first time (issue 15's "done when").

`examples/fjellspor` was written from the README alone: a serif type family, a wide 4.45:1 logo
with a 130 px minimum, a green/mustard palette, a right-to-left locale (he-IL) with a currency
sign OCR cannot read (the shekel), and a German headline that is one 34-letter compound. Every
channel format must get passing banners in every locale, with every check on: no waiver, no
check disabled. Rendered in-process as a run renders each variant (`pipeline.render`), so the
test needs no Prefect server.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PIL import Image

from pipeline.imaging.products import prepare_product
from pipeline.model.campaign import load_campaign
from pipeline.render import plan_variants, render_variant
from pipeline.scene.studio import StudioBackend
from tests.helpers import REPO

BRIEF = REPO / "examples" / "fjellspor" / "campaign.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("sku", ["B074M5HPBD", "B0799CK52K"])
def test_every_format_and_locale_of_the_second_brand_passes(sku: str):
    campaign = load_campaign(BRIEF, REPO / "prompts")
    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    product, rejected = prepare_product(sku, campaign.catalog.images(sku))
    assert product is not None, rejected
    plans, skipped = plan_variants(campaign, sku)
    assert not skipped
    formats = {p.format_id for p in plans}
    locales = {p.locale for p in plans}
    assert formats == {"square", "portrait", "story", "hero", "landscape", "leaderboard", "medium-rectangle"}
    assert locales == {"en-GB", "de-DE", "he-IL"}

    verdicts: Counter[str] = Counter()
    held: list[str] = []
    backend = StudioBackend()
    for plan in plans:
        variant = render_variant(campaign, product, plan, backend, logo)
        verdicts[variant.verdict.value] += 1
        if variant.verdict.value != "passed":
            held.append(f"{plan.format_id}/{plan.locale}: {variant.verdict.value}: {variant.reasons}")
    assert not held, "\n".join(held)
    assert verdicts == {"passed": 21}
