"""S3Connector against endpoints that are not a healthy S3: one that hangs, one that is a web page.

Real local servers, no mocks: a socket server that accepts connections and never answers (a hung
endpoint, a firewall that swallows packets after the handshake) and a tiny http.server that
answers every request with HTML or JSON. Timeouts and retries come from the DAM URI's query or
the connector's arguments; the defaults make a hung endpoint fail within 30 s (it took 241 s).
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from dam_connectors import DamError, S3Connector, connector_for
from dam_connectors.s3 import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RETRIES

if TYPE_CHECKING:
    from tests.dam_connectors.conftest import Asset

_LOGIN = {"region": "us-east-1", "access_key": "key", "secret_key": "secret"}


@pytest.fixture
def hung_endpoint() -> Iterator[str]:
    """http://127.0.0.1:PORT: accepts every connection, reads what is sent, never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # kept open, never written to

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def _web_server(status: int, content_type: str, body: bytes) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, with_body: bool = True) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's names)
            self._answer()

        def do_PUT(self) -> None:  # noqa: N802
            self._answer()

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(2)


_PAGE = b"<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>\n"


@pytest.fixture
def html_endpoint() -> Iterator[str]:
    """A web server's home page for every request (HTTP 200, text/html)."""
    yield from _web_server(200, "text/html; charset=utf-8", _PAGE)


@pytest.fixture
def html_404_endpoint() -> Iterator[str]:
    """A web server that has no such page (HTTP 404, text/html)."""
    yield from _web_server(404, "text/html", _PAGE.replace(b"Welcome to nginx!", b"404 Not Found"))


@pytest.fixture
def json_api_endpoint() -> Iterator[str]:
    """Some JSON API that refuses the request (HTTP 403, application/json)."""
    yield from _web_server(403, "application/json", b'{"error": "forbidden"}')


def _one_line_error(operation: Any) -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(DamError) as err:
        operation()
    elapsed = time.monotonic() - start
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    return message, elapsed


def test_hung_endpoint_fails_as_the_uri_query_configures(hung_endpoint: str, asset: Asset) -> None:
    dam = connector_for(
        "s3://assets/vitrina?connect_timeout=1&read_timeout=0.5&retries=1", endpoint_url=hung_endpoint, **_LOGIN
    )
    assert isinstance(dam, S3Connector)
    assert dam.uri == "s3://assets/vitrina" and dam.timeouts == (1.0, 0.5, 1)

    for operation in (
        lambda: dam.exists(asset.key, asset.sha256),
        lambda: dam.put(asset.key, asset.data, asset.content_type, asset.metadata),
    ):
        message, elapsed = _one_line_error(operation)
        assert message == (
            f"s3://assets/vitrina: {'cannot check' if 'check' in message else 'cannot upload'} {asset.key!r}: "
            f"timed out talking to S3 endpoint {hung_endpoint} (read timeout 0.5 s, 2 tries; set connect_timeout, "
            "read_timeout or retries in the DAM URI, e.g. s3://bucket/prefix?read_timeout=30)"
        )
        assert 1.0 <= elapsed < 5, elapsed  # two tries of 0.5 s, at most 1 s of back-off
    dam.close()


def test_defaults_bound_one_call_under_30_seconds() -> None:
    # Per try: connect, then wait for the answer; one back-off of at most 1 s between tries.
    worst = (DEFAULT_CONNECT_TIMEOUT + DEFAULT_READ_TIMEOUT) * (DEFAULT_RETRIES + 1) + 1
    assert worst <= 30
    dam = S3Connector("assets", endpoint_url="http://127.0.0.1:9", **_LOGIN)
    assert dam.timeouts == (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RETRIES)
    config = dam._client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
    assert config.retries == {"total_max_attempts": DEFAULT_RETRIES + 1, "mode": "standard"}
    dam.close()


@pytest.mark.slow
def test_hung_endpoint_fails_within_30_seconds_with_the_defaults(hung_endpoint: str, asset: Asset) -> None:
    dam = connector_for("s3://assets/vitrina", endpoint_url=hung_endpoint, **_LOGIN)
    message, elapsed = _one_line_error(lambda: dam.exists(asset.key, asset.sha256))
    assert f"timed out talking to S3 endpoint {hung_endpoint} (read timeout 10 s, 2 tries;" in message
    assert elapsed < 30, elapsed
    dam.close()


@pytest.mark.parametrize(
    ("endpoint", "to_head", "to_put"),
    [
        ("html_endpoint", "HTTP 200 with an HTML page", "HTTP 200 with an HTML page ('Welcome to nginx!')"),
        ("html_404_endpoint", "HTTP 404 with an HTML page", "HTTP 404 with an HTML page ('404 Not Found')"),
        ("json_api_endpoint", "HTTP 403 with application/json", "HTTP 403 with application/json"),
    ],
)
def test_a_server_that_is_not_s3_is_named_as_such(
    endpoint: str, to_head: str, to_put: str, asset: Asset, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(endpoint)
    dam = connector_for("s3://assets/vitrina", endpoint_url=url, **_LOGIN)
    for operation, answer in (
        (lambda: dam.exists(asset.key, asset.sha256), to_head),  # a HEAD: no page title to show
        (lambda: dam.put(asset.key, asset.data, asset.content_type, asset.metadata), to_put),
    ):
        message, elapsed = _one_line_error(operation)
        assert message == (
            f"s3://assets/vitrina: {url} is not an S3 server: it answered {answer}; check the endpoint URL"
        )
        assert elapsed < 3, elapsed  # at once: an answer that is not S3's is not retried
    dam.close()


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("read_timeout=abc", "read_timeout='abc': must be seconds"),
        ("retries=1.5", "retries='1.5': must be a whole number"),
        ("read_timeout=0", "read_timeout 0.0: must be seconds above 0 and at most 600"),
        ("connect_timeout=-1", "connect_timeout -1.0: must be seconds above 0"),
        ("read_timeout=nan", "read_timeout nan: must be seconds above 0"),
        ("retries=11", "retries 11: must be a whole number from 0 to 10"),
        ("timeout=5", "unknown query parameter 'timeout' (it takes connect_timeout, read_timeout, retries)"),
        ("retries=1&retries=2", "retries is given twice"),
        ("read_timeout", "malformed query 'read_timeout'"),
    ],
)
def test_bad_timeout_settings_are_one_line_errors(query: str, problem: str) -> None:
    with pytest.raises(DamError) as err:
        connector_for(f"s3://assets/x?{query}", endpoint_url="http://127.0.0.1:9", **_LOGIN)
    assert problem in str(err.value) and "\n" not in str(err.value)


def test_a_setting_given_in_the_query_and_as_an_option_is_refused() -> None:
    with pytest.raises(DamError, match="read_timeout is given twice"):
        connector_for("s3://assets/x?read_timeout=5", endpoint_url="http://127.0.0.1:9", read_timeout=6, **_LOGIN)


def test_options_set_timeouts_too() -> None:
    dam = connector_for("s3://assets", endpoint_url="http://127.0.0.1:9", connect_timeout=2, retries=0, **_LOGIN)
    assert isinstance(dam, S3Connector) and dam.timeouts == (2.0, DEFAULT_READ_TIMEOUT, 0)
    dam.close()
