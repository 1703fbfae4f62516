"""Progress reporting from inside flows without passing callables through Prefect parameters."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def start(self, total: int, label: str) -> None: ...
    def advance(self, step: int, label: str) -> None: ...
    def note(self, message: str) -> None: ...


class _Silent:
    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, step: int, label: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass


_reporter: Reporter = _Silent()


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter or _Silent()


def reporter() -> Reporter:
    return _reporter
