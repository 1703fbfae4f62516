"""The demo brand and its font stacks, loaded once for the text tests."""

from __future__ import annotations

import pytest

from pipeline.banner.text import FontStack
from pipeline.model.brand import load_brand
from tests.helpers import DEMO_BRAND


@pytest.fixture(scope="package")
def brand():
    return load_brand(DEMO_BRAND)


@pytest.fixture(scope="package")
def head(brand):
    return FontStack.for_brand(brand, "headline")


@pytest.fixture(scope="package")
def body(brand):
    return FontStack.for_brand(brand, "body")
