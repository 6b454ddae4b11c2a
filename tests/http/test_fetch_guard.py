"""Redirects and the SSRF guard end to end: hops counted, every hop judged before connecting,
DNS rebinding caught at connect time, HTTPS through the guarded connection."""

from __future__ import annotations

import socket
import time

import pytest

from akhbar.transforms.sources.http import fetch_reject

from .conftest import Reply, ScriptedServer
from .feeds import FEED, NOW, TITLES, XML, titles


def _redirect_chain(server: ScriptedServer, hops: int) -> None:
    for n in range(hops, 0, -1):
        target = f"/r/{n - 1}" if n % 2 else server.url(f"/r/{n - 1}")  # relative and absolute
        server.route(f"/r/{n}", Reply(302 if n % 2 else 301, headers={"Location": target}))
    server.route("/r/0", Reply(200, FEED, XML))


def test_five_redirects_are_followed(server, make_fetcher):
    _redirect_chain(server, 5)
    result = make_fetcher().fetch(server.url("/r/5"))
    assert result.ok and result.final_url == server.url("/r/0")
    assert len(result.redirects) == 5 and result.attempts == 6
    assert [s.path for s in server.requests()] == [f"/r/{n}" for n in range(5, -1, -1)]
    assert titles(result) == TITLES


def test_a_sixth_redirect_is_refused(server, make_fetcher):
    _redirect_chain(server, 6)
    result = make_fetcher().fetch(server.url("/r/6"))
    assert result.error == "http:too-many-redirects"
    assert len(server.requests()) == 6  # the 6th Location was never requested
    reject = fetch_reject(result, NOW)
    assert (reject.stage, reject.reason, reject.input) == (
        "fetch",
        result.error,
        server.url("/r/6"),
    )


def refused_before_connecting(result, target: str) -> bool:
    """The URL check refused the hop (its detail starts with the URL), not the connection (a
    refusal at connect time says "at connect time"), and not a connect attempt timing out
    (that would be http:timeout): nothing was sent towards ``target``."""
    return result.error_detail.startswith(f"{target}: ")


@pytest.mark.parametrize(
    ("target", "reason_in_detail"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/feed", "link-local"),
        ("http://100.100.100.200/latest/meta-data/", "metadata"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:11211/_stats", "scheme"),
    ],
)
def test_redirect_to_metadata_or_odd_scheme_is_refused_even_with_private_allowed(
    server, make_fetcher, target, reason_in_detail
):
    server.route("/go", Reply(302, headers={"Location": target}))
    result = make_fetcher(connect_timeout=5.0).fetch(server.url("/go"))
    assert result.error == "http:ssrf-blocked"
    assert reason_in_detail in result.error_detail
    assert result.final_url == target and result.attempts == 1
    assert refused_before_connecting(result, target)
    assert len(server.requests()) == 1


@pytest.mark.parametrize("target", ["http://10.0.0.1/feed", "http://192.168.1.1/", "http://[::1]/"])
def test_redirect_to_private_is_refused_when_only_the_test_server_is_allowed(
    server, make_fetcher, target
):
    server.route("/go", Reply(302, headers={"Location": target}))
    fetcher = make_fetcher(
        allow_private_network=False, allowed_networks=("127.0.0.1/32",), connect_timeout=5.0
    )
    result = fetcher.fetch(server.url("/go"))
    assert result.error == "http:ssrf-blocked", result.error_detail
    assert refused_before_connecting(result, target)
    assert len(server.requests()) == 1


def test_without_allow_private_network_the_server_is_never_contacted(server, make_fetcher):
    server.route("/feed", Reply(200, FEED, XML))
    result = make_fetcher(allow_private_network=False).fetch(server.url("/feed"))
    assert result.error == "http:ssrf-blocked" and "loopback" in result.error_detail
    assert result.attempts == 0
    assert server.requests() == [] and server.connections == 0
    reject = fetch_reject(result, NOW, source="test")
    assert reject.reason == "http:ssrf-blocked" and reject.input == server.url("/feed")
    assert reject.source == "test"


def test_dns_rebinding_is_caught_at_connect_time(server, make_fetcher):
    """The name resolves to a public address for the check, then to 127.0.0.1 for the
    connection: the guarded connection refuses before connecting (nothing reaches any host)."""
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])

    def rebinding(host, port, *_args):
        return [(2, 1, 6, "", (next(answers), port))]

    fetcher = make_fetcher(allow_private_network=False, resolver=rebinding, retries=0)
    result = fetcher.fetch(f"http://rebind.test:{server.port}/feed")
    assert result.error == "http:ssrf-blocked"
    assert "connect time" in result.error_detail and "loopback" in result.error_detail
    assert server.connections == 0


def test_unresolvable_name_is_a_dns_error(make_fetcher):
    def nothing(*_args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    for allow in (False, True):
        result = make_fetcher(allow_private_network=allow, resolver=nothing).fetch(
            "https://feeds.example/rss.xml"
        )
        assert result.error == "http:dns-error"


@pytest.mark.parametrize("url", ["", "not a url", "http://", "http://exa mple.com/"])
def test_garbage_urls_are_rejected_not_raised(make_fetcher, url):
    result = make_fetcher().fetch(url)
    assert result.error == "http:bad-url"
    assert fetch_reject(result, NOW).stage == "fetch"


def test_https_through_the_guarded_connection(tls_server, tls_files, make_fetcher):
    tls_server.route("/feed", Reply(200, FEED, XML))
    result = make_fetcher(ca_certs=tls_files[0]).fetch(tls_server.url("/feed"))
    assert result.ok, result.error_detail
    assert titles(result) == TITLES
    untrusted = make_fetcher().fetch(tls_server.url("/feed"))  # system CAs do not know it
    assert untrusted.error == "http:tls-error" and untrusted.attempts == 1
    guarded = make_fetcher(allow_private_network=False, ca_certs=tls_files[0])
    assert guarded.fetch(tls_server.url("/feed")).error == "http:ssrf-blocked"
    assert len(tls_server.requests()) == 1  # the untrusted handshake failed; the guarded never ran


def test_peer_address_check_is_the_last_line(server, make_fetcher, monkeypatch):
    """Blind the address checks made before connecting (as if the resolver and the socket
    disagreed): the connection is made, but the peer address check refuses it before any request
    is sent."""
    import akhbar.transforms.sources.ssrf as ssrf

    monkeypatch.setattr(ssrf, "_addresses", lambda _infos: [])
    fetcher = make_fetcher(allow_private_network=False, retries=0)
    result = fetcher.fetch(f"http://localhost:{server.port}/feed")
    assert result.error == "http:ssrf-blocked" and "loopback" in result.error_detail
    deadline = time.monotonic() + 60  # generous: polling a condition
    while server.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # the server thread accepts the (already closed) connection
    assert server.connections == 1 and server.requests() == []
