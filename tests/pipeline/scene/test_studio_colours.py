"""Studio backdrops are drawn from the brand's own colours (issue 15): the documented roles
`floor` and `wash`, the older extra names `sand` and `mist`, else the background; never a mix with
another role. A brand that names none of them (a green/mustard brand, not the demo's) gets
backdrops that pass Vitrina's own background palette check in every style."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.palette import check_background_palette
from pipeline.model.brand import STUDIO_STYLES, Palette, load_brand
from pipeline.scene.base import SceneRequest
from pipeline.scene.studio import StudioBackend, studio_colours
from tests.helpers import DEMO_BRAND
from tests.pipeline.checks.image.test_image_checks import VITAMIN

HALDEN = load_brand(DEMO_BRAND)
FOREST = HALDEN.model_copy(
    update={
        "palette": Palette(primary="#2E5E3A", accent="#D9A514", text="#17231A", background="#EEF2E6"),
    }
)


def test_the_roles_the_brand_names_come_first_then_the_older_names_then_the_background():
    assert studio_colours({"background": "#EEEEEE", "floor": "#AAAAAA", "sand": "#BBBBBB", "mist": "#CCCCCC"}) == {
        "background": "#EEEEEE",
        "floor": "#AAAAAA",
        "wash": "#CCCCCC",
    }
    assert studio_colours({"background": "#EEEEEE", "accent": "#D9A514"}) == {
        "background": "#EEEEEE",
        "floor": "#EEEEEE",
        "wash": "#EEEEEE",
    }
    palette = Palette(primary="#000000", accent="#111111", text="#222222", background="#FFFFFF", wash="#EEEEEE")
    assert set(palette.all_colours()) == {"primary", "accent", "text", "background", "on_primary", "wash"}


@pytest.mark.parametrize("style", STUDIO_STYLES)
def test_a_brand_without_studio_colours_gets_backdrops_on_its_own_palette(style: str):
    fmt = FOREST.format_by_id["square"]
    w, h = fmt.size
    area = (w // 10, h // 5, w // 2, h * 9 // 10)
    scene = StudioBackend().render(SceneRequest(fmt.size, VITAMIN, area, FOREST.palette.all_colours(), style, 5))
    assert scene.lineage["colours"] == {"background": "#EEF2E6", "floor": "#EEF2E6", "wash": "#EEF2E6"}
    mask = np.zeros((h, w), bool)
    x0, y0, x1, y1 = scene.placement.box
    mask[y0:y1, x0:x1] = np.asarray(scene.product_layer)[..., 3] == 255
    ctx = ImageContext(format=fmt, product_box=scene.placement.box, product_mask=mask, scene=scene.image)
    found = [r for r in check_background_palette(scene.image, FOREST, ctx, ImageCheckSettings()) if r.verdict.failed]
    assert found == [], [r.message for r in found]
