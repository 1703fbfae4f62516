"""Fixtures shared by the DAM connector tests: a sample asset and ready-made connectors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import FileSystemConnector, S3Connector

if TYPE_CHECKING:
    from tests.conftest import S3Server

#: A key shaped like the ones the publish flow builds: campaign/sku/locale/format/variant.
ASSET_KEY = "spring-26/SKU-1042/de-DE/ig-square/v0001.jpg"
BAD_KEYS = [
    "../escape.jpg",
    "campaign/../../escape.jpg",
    "/etc/passwd",
    "campaign\\sku\\v.jpg",
    "",
    "campaign//v.jpg",
    "campaign/./v.jpg",
    "campaign/",
    "campaign/v\n.jpg",
]


@dataclass(frozen=True)
class Asset:
    key: str
    data: bytes
    sha256: str
    content_type: str
    metadata: dict[str, str]


@pytest.fixture
def asset() -> Asset:
    data = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes are bytes \xff\xd9"
    return Asset(
        key=ASSET_KEY,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="image/jpeg",
        metadata={"campaign": "spring-26", "sku": "SKU-1042", "locale": "de-DE"},
    )


@pytest.fixture(params=BAD_KEYS, ids=repr)
def bad_key(request: pytest.FixtureRequest) -> str:
    """Keys a connector must refuse: escaping the root, absolute, Windows-style, malformed."""
    return request.param


@pytest.fixture
def fs_connector(tmp_path: Path) -> FileSystemConnector:
    return FileSystemConnector(tmp_path / "dam")


@pytest.fixture
def s3_connector(s3_server: S3Server) -> Iterator[S3Connector]:
    connector = S3Connector(s3_server.new_bucket(), "published/vitrina", **s3_server.options)
    yield connector
    connector.close()
