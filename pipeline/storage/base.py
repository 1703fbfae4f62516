"""What every part of the store shares: the catalog's engine, its write lock, and the two ways in
(a write transaction that holds the catalog's write lock, a read). `Store` is this plus the
parts built on it (`access`, `outbox`, `waivers`, `queries`), each a mixin over one concern."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine

from pipeline.storage.database import Tx, reading, writing

__all__ = ["CatalogBase"]


class CatalogBase:
    #: What messages name: the catalog's file, or its URL without the password.
    catalog: str
    _engine: Engine
    _lock: threading.RLock

    @contextmanager
    def _tx(self) -> Iterator[Tx]:
        with self._lock, writing(self._engine) as tx:
            yield tx

    def _read(self) -> AbstractContextManager[Tx]:
        return reading(self._engine)
