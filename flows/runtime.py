"""Process-level settings for running Prefect quietly and offline.

`configure_prefect()` is called by the entry points (the `vitrina` CLI, the test session) before
`prefect` is imported: Prefect reads its settings at import time. Importing this module changes
nothing. Values the user already set win (setdefault), so a real Prefect server (PREFECT_API_URL)
is honoured.
"""

from __future__ import annotations

import logging
import os
import warnings

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


#: Packages whose deprecation warnings a user of the CLI must not see (they fire at import/start-up).
NOISY_PACKAGES = (
    "prefect",
    "pydantic",
    "pydantic_settings",
    "fastapi",
    "starlette",
    "uvicorn",
    "websockets",
    "anyio",
    "sqlalchemy",
    "alembic",
    "docket",
    "fakeredis",
    "opentelemetry",
    "diffusers",
    "transformers",
    "huggingface_hub",
    "torch",
)
THIRD_PARTY_NOISE = rf"({'|'.join(NOISY_PACKAGES)})(\.|$)"


def configure_prefect() -> None:
    """Quiet, offline Prefect settings for this process (see the module docstring)."""
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    # Flow heartbeats cost ~1 s per flow run joining their thread (docs/facts.md 1).
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    # Deprecation notices from the orchestration stack (not ours, not actionable for a user) stay
    # out of the terminal; Vitrina's own and other libraries' warnings still show.
    for category in (DeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY_NOISE)
    # At interpreter exit the ephemeral server logs CancelledError tracebacks: not for users.
    for name in ("uvicorn", "uvicorn.error", "prefect.server", "prefect._internal", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
