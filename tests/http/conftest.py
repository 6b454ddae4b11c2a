"""A real HTTP server on 127.0.0.1, scripted per test, that records every request it receives.

Tests assert on the server's own log (method, path, headers, arrival time, requests in flight,
bytes sent) rather than on what the client says it did. Nothing here contacts any address other
than 127.0.0.1, and nothing needs the internet.
"""

from __future__ import annotations

import itertools
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from akhbar.transforms.sources.http import FetchConfig, Fetcher


@dataclass
class Seen:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class Reply:
    """What the server answers. ``stream`` (an iterable of chunks) replaces ``body`` and is sent
    without Content-Length; ``delay`` stalls before the status line, ``stall`` after the headers,
    ``drip`` pauses between stream chunks."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterable[bytes]] | None = None
    delay: float = 0.0
    stall: float = 0.0
    drip: float = 0.0
    content_length: int | None = None  # overrides the real length (to lie about it)


Route = Callable[[Seen], Reply]


class ScriptedServer:
    """Routes map a path to a function of the request, or to a list of replies given in turn
    (the last one repeats)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.scheme = "https" if tls else "http"
        self.routes: dict[str, Route] = {}
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.bytes_sent: dict[str, int] = {}
        self.stop = threading.Event()
        self.connections = 0  # TCP connections accepted, whether or not a request followed
        self.httpd = _CountingServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.scripted = self
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply | Route) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self.routes[path] = replies[0]
            return
        queue = list(replies)

        def next_reply(_seen: Seen) -> Reply:
            with self.lock:
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
            assert isinstance(reply, Reply)
            return reply

        self.routes[path] = next_reply

    def requests(self, path: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.log if path is None or s.path == path]

    def gaps(self, path: str | None = None) -> list[float]:
        """Seconds between consecutive arrivals (on ``path``, or on any path)."""
        times = [s.at for s in self.requests(path)]
        return [b - a for a, b in itertools.pairwise(times)]


class _CountingServer(ThreadingHTTPServer):
    scripted: ScriptedServer

    def verify_request(self, request: object, client_address: object) -> bool:
        with self.scripted.lock:
            self.scripted.connections += 1
        return True


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5

        def log_message(self, *_args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            seen = Seen(
                "GET",
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                time.monotonic(),
            )
            with server.lock:
                server.log.append(seen)
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                route = server.routes.get(self.path.split("?", 1)[0])
                reply = route(seen) if route else Reply(404, b"no route")
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True
            finally:
                with server.lock:
                    server.in_flight -= 1

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                server.stop.wait(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.stream is None:
                length = len(reply.body) if reply.content_length is None else reply.content_length
                self.send_header("Content-Length", str(length))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.flush()
            if reply.stall:
                server.stop.wait(reply.stall)
            chunks = reply.stream() if reply.stream is not None else [reply.body]
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                with server.lock:
                    server.bytes_sent[self.path] = server.bytes_sent.get(self.path, 0) + len(chunk)
                if reply.drip and server.stop.wait(reply.drip):
                    return
            if reply.content_length is not None and reply.content_length != len(reply.body):
                self.close_connection = True  # the body fell short of what was announced

    return Handler


def _serve(scripted: ScriptedServer) -> Iterator[ScriptedServer]:
    scripted.thread.start()
    try:
        yield scripted
    finally:
        scripted.stop.set()  # release stalled handlers
        scripted.httpd.shutdown()
        scripted.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from _serve(ScriptedServer())


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (IP SAN) and its key, as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "akhbar test server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(tls_files: tuple[str, str]) -> Iterator[ScriptedServer]:
    """The scripted server behind TLS, with a certificate only ``tls_files[0]`` vouches for."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    yield from _serve(ScriptedServer(tls=context))


FAST = {
    "connect_timeout": 2.0,
    "read_timeout": 2.0,
    "total_timeout": 10.0,
    "backoff_base": 0.01,
    "backoff_max": 0.05,
    "per_host_delay": 0.0,
    "allow_private_network": True,
}


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it, and remembers each sleep
    (seconds, and how many requests the server had seen by then when it is given one).

    Given to a Fetcher as both ``clock`` and ``sleep``: its per-host delays, backoffs and
    Retry-After waits then cost no real time, and a test asserts the waits themselves instead
    of timing real sleeps, which a loaded machine can stretch. Safe to share between threads.
    """

    def __init__(self, server: ScriptedServer | None = None) -> None:
        self.now = 100.0
        self.server = server
        self.slept: list[float] = []
        self.seen_before_sleep: list[int] = []  # server requests seen when each sleep began
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        seen = len(self.server.requests()) if self.server is not None else 0
        with self._lock:
            self.slept.append(seconds)
            self.seen_before_sleep.append(seen)
            self.now += seconds


@pytest.fixture
def make_fetcher() -> Iterator[Callable[..., Fetcher]]:
    """Fetchers with short timeouts and backoffs; ``allow_private_network`` is on unless a test
    turns it off (the server is on 127.0.0.1). ``clock=`` (a ``FakeClock``, or anything callable
    with a ``sleep`` method) serves as both its clock and its sleep. Closed after the test."""
    made: list[Fetcher] = []

    def make(**overrides: object) -> Fetcher:
        resolver = overrides.pop("resolver", None)
        clock = overrides.pop("clock", None)
        timing = {"clock": clock, "sleep": clock.sleep} if clock is not None else {}
        config = FetchConfig(**{**FAST, **overrides})  # type: ignore[arg-type]
        fetcher = Fetcher(config, resolver=resolver, **timing)  # type: ignore[arg-type]
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()
