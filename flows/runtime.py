"""Process-level settings for running Prefect quietly and offline.

`configure_prefect()` is called by the entry points (the `vitrina` CLI, the test session) before
`prefect` is imported: Prefect reads its settings at import time. Importing this module changes
nothing. Values the user already set win (setdefault), so a real Prefect server (PREFECT_API_URL)
is honoured.

`start_local_server()` starts Prefect's local server (the one Prefect would start on its own at
the first flow call when no API URL is set) so that it cannot outlive this process; see there.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from typing import Any

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
    # Tesseract (the OCR round trip) runs libgomp with one thread per core by default: for the
    # small text images it reads, the threads' start and spin cost more than they save (one read
    # 301 ms with the default, 97 ms with one thread; a full demo run 82 -> 54 s, identical output).
    # Set here because pipeline/ may not touch the environment; pytesseract's child inherits it.
    # A user who exported another value keeps it.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # Flow heartbeats cost ~1 s per flow run joining their thread (docs/facts.md 1).
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    # Deprecation notices from the orchestration stack (not ours, not actionable for a user) stay
    # out of the terminal; Vitrina's own and other libraries' warnings still show.
    for category in (DeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY_NOISE)
    # At interpreter exit the ephemeral server logs CancelledError tracebacks: not for users.
    for name in ("uvicorn", "uvicorn.error", "prefect.server", "prefect._internal", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


#: Runs in the server's child process before it becomes the server (exec keeps the setting):
#: the kernel SIGKILLs it when the thread that started it dies, whichever way (kill -9 included).
#: If that parent is already gone (it died between fork and here), the child never starts.
_BIND_TO_PARENT = """
import ctypes, os, signal, sys
parent, argv = int(sys.argv[1]), sys.argv[2:]
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass  # not Linux: the atexit stop and the signal handlers of `vitrina` remain
if os.getppid() != parent:
    os._exit(1)
os.execv(argv[0], argv)
"""


def start_local_server() -> str | None:
    """Start Prefect's local server now, tied to this process; None if an API URL is configured.

    Prefect starts the same server by itself at the first flow call when `PREFECT_API_URL` is
    unset, as a plain child: `kill -9` (or SIGTERM while a flow runs) of the parent leaves it
    running, orphaned. Ours is registered as Prefect's default local server, so every Prefect
    client of this process uses it, and differs in two ways:

    - the kernel kills it when this process dies, however it dies (Linux `PR_SET_PDEATHSIG`,
      armed before the server's code runs, so there is no window);
    - it runs in its own session, so a Ctrl-C in the terminal reaches `vitrina` only, which then
      stops the server itself after the flow has recorded its end (Prefect's atexit stop).

    Call it from the main thread: the death signal follows the thread that started the child.
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return None  # a real server, or the test harness's: not ours to manage
    current = SubprocessASGIServer._instances.get(None)
    if current is not None and current.running:
        return current.api_url
    SubprocessASGIServer._instances.pop(None, None)

    class BoundServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> Any:
            import subprocess

            import prefect

            assert self.port is not None
            server = [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect.__module_path__.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ]
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            }
            # Its output goes to a log file, not the user's terminal: at exit its database pool can
            # log a CancelledError traceback while the server is being stopped (noise, not news).
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("ab") as sink:
                return subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", _BIND_TO_PARENT, str(os.getpid()), *server],
                    env=env,
                    start_new_session=True,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )

    log = get_current_settings().home / "vitrina-local-server.log"
    server = BoundServer()  # registers itself as the default (port None) instance
    try:
        server.start()
    except RuntimeError as exc:  # Prefect's "timed out while attempting to connect"
        from pipeline.errors import VitrinaError

        raise VitrinaError(f"Prefect's local server did not start ({exc}); its log: {log}") from None
    return server.api_url


#: The signal that interrupted this process (`interrupt_on_signals`), None before one arrives.
_received: int | None = None


def _interrupt(signum: int, frame: object) -> None:
    global _received
    _received = signum
    # What the orchestration stack logs while it unwinds (connection errors of its background
    # workers, CancelledError) is noise after an interrupt: the CLI says what happened, once.
    logging.disable(logging.CRITICAL)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def interrupt_exit_code() -> int:
    """The shell's convention for the interrupt being handled: 128 + the signal (130 for Ctrl-C,
    143 for SIGTERM)."""
    return 128 + (_received or signal.SIGINT)


def interrupt_on_signals() -> None:
    """SIGTERM behaves like Ctrl-C: both raise KeyboardInterrupt in the main thread.

    Without it SIGTERM ends the process at once (Prefect's flow engine turns it into its own
    exception, then re-sends it to the handler it found: by default the kernel's), skipping every
    `finally` and atexit hook, the local server's stop among them. A SIGINT that the shell set
    to be ignored (a background job) stays ignored. Main thread only (Python's rule).
    """
    signal.signal(signal.SIGTERM, _interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
