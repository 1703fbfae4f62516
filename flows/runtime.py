"""Process-level settings for running Prefect quietly and offline.

Must run before `prefect` is imported: Prefect reads its settings at import time. Values the
user already set win (setdefault), so a real Prefect server (PREFECT_API_URL) is honoured.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

# The prompt templates shipped with the project (a brief's `prompts:` overrides them).
DEFAULT_PROMPTS = Path(__file__).resolve().parents[1] / "prompts"

QUIET_PREFECT = {
    # No network here: telemetry calls would fail and print errors.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    # The ephemeral server's first start with a fresh database can exceed the 20 s default.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_UI_ENABLED": "false",
}


def configure_prefect() -> None:
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    # Flow heartbeats cost ~1 s per flow run joining their thread (FACTS.md 1).
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    # At interpreter exit the ephemeral server logs CancelledError tracebacks: not for users.
    for name in ("uvicorn", "uvicorn.error", "prefect.server", "prefect._internal", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
