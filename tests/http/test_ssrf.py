"""The SSRF guard as a pure function: schemes, address classes, embedded IPv4, resolution.

Names other than 'localhost' (which /etc/hosts answers) go through an injected resolver, so no
test sends a DNS query.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from akhbar.transforms.sources.ssrf import (
    address_category,
    check_address,
    check_peer,
    check_url,
    clean_url,
    guard_reason,
    inspect_url,
    parse_networks,
)


def fake_dns(table: dict[str, list[str]]):
    """A getaddrinfo stand-in answering names from ``table``; numeric forms and 'localhost' go to
    the real getaddrinfo, which answers them without DNS (inet_aton, /etc/hosts)."""

    def resolve(host, port, *_args):
        if host == "localhost":
            return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        if host not in table:
            flags = socket.AI_NUMERICHOST
            return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, flags)
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]]

    return resolve


PUBLIC = fake_dns(
    {
        "news.example": ["93.184.216.34"],
        "v6.example": ["2606:2800:220:1:248:1893:25c8:1946"],
        "intranet.example": ["10.1.2.3"],
        "mixed.example": ["93.184.216.34", "192.168.0.10"],
        "rebind.example": ["169.254.169.254"],
    }
)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "ssrf:scheme"),
        ("FILE:///etc/passwd", "ssrf:scheme"),
        ("javascript:alert(1)", "ssrf:scheme"),
        ("  JaVaScRiPt:alert(1)", "ssrf:scheme"),
        ("jav\tascript:alert(1)", "ssrf:scheme"),
        ("ftp://news.example/feed.xml", "ssrf:scheme"),
        ("data:text/xml,<rss/>", "ssrf:scheme"),
        ("gopher://127.0.0.1:6379/_INFO", "ssrf:scheme"),
        ("dict://127.0.0.1:11211/stat", "ssrf:scheme"),
        ("ws://news.example/", "ssrf:scheme"),
        ("//news.example/feed", "ssrf:bad-url"),  # scheme-relative: not absolute
        ("news.example/feed", "ssrf:bad-url"),
        ("", "ssrf:bad-url"),
        ("http://127.0.0.1/", "ssrf:loopback"),
        ("HTTP://127.0.0.1:8080/feed", "ssrf:loopback"),
        ("hTtPs://127.1.2.3/", "ssrf:loopback"),
        ("http://2130706433/", "ssrf:loopback"),  # 127.0.0.1 as one number
        ("http://0x7f.1/", "ssrf:loopback"),
        ("http://0177.0.0.1/", "ssrf:loopback"),
        ("http://169.254.169.254/latest/meta-data/", "ssrf:link-local"),
        ("http://169.254.1.1/", "ssrf:link-local"),
        ("http://10.0.0.1/", "ssrf:private"),
        ("http://10.255.255.255/", "ssrf:private"),
        ("http://172.16.0.1/", "ssrf:private"),
        ("http://172.31.255.254/", "ssrf:private"),
        ("http://192.168.1.1/", "ssrf:private"),
        ("http://100.64.0.1/", "ssrf:shared"),
        ("http://100.100.100.200/", "ssrf:metadata"),
        ("http://0.0.0.0/", "ssrf:unspecified"),
        ("http://224.0.0.251/", "ssrf:multicast"),
        ("http://240.0.0.1/", "ssrf:reserved"),
        ("http://255.255.255.255/", "ssrf:reserved"),
        ("http://192.0.2.1/", "ssrf:reserved"),  # documentation range
        ("http://[::1]/", "ssrf:loopback"),
        ("http://[::]/", "ssrf:unspecified"),
        ("http://[::ffff:127.0.0.1]/", "ssrf:loopback"),
        ("http://[::ffff:7f00:1]/", "ssrf:loopback"),
        ("http://[::ffff:10.0.0.1]/", "ssrf:private"),
        ("http://[::ffff:169.254.169.254]/", "ssrf:link-local"),
        ("http://[::127.0.0.1]/", "ssrf:loopback"),  # IPv4-compatible
        ("http://[::10.0.0.1]/", "ssrf:private"),
        ("http://[2002:7f00:1::]/", "ssrf:loopback"),  # 6to4 of 127.0.0.1
        ("http://[64:ff9b::a00:1]/", "ssrf:private"),  # NAT64 of 10.0.0.1
        ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "ssrf:reserved"),  # Teredo
        ("http://[fe80::1]/", "ssrf:link-local"),
        ("http://[fc00::1]/", "ssrf:private"),
        ("http://[fd00:ec2::254]/", "ssrf:metadata"),
        ("http://[ff02::1]/", "ssrf:multicast"),
        ("http://localhost/", "ssrf:loopback"),  # a name resolving to loopback (/etc/hosts)
        ("http://LOCALHOST:9000/x", "ssrf:loopback"),
        ("http://intranet.example/feed", "ssrf:private"),
        ("http://mixed.example/feed", "ssrf:private"),  # one private answer is enough
        ("http://rebind.example/", "ssrf:link-local"),
        ("http://nowhere.example/", "ssrf:unresolvable"),
        ("http:///feed", "ssrf:no-host"),
        ("http://exa mple.com/", "ssrf:bad-url"),
        ("http://news.example:99999/", "ssrf:bad-url"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    assert check_url(url, resolver=PUBLIC) == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example/feed.xml",
        "HTTPS://NEWS.EXAMPLE/rss",
        " https://news.example/rss ",
        "https://v6.example/",
        "http://93.184.216.34/",
        "http://172.32.0.1/",  # just outside 172.16/12
        "http://[::ffff:8.8.8.8]/",
        "http://[2606:4700::1111]/",
    ],
)
def test_public_targets_pass(url: str) -> None:
    assert check_url(url, resolver=PUBLIC) is None


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/", "http://[::1]/", "http://10.1.2.3/", "http://intranet.example/",
     "http://100.64.1.1/", "http://[::ffff:192.168.0.1]/", "http://localhost/"],
)  # fmt: skip
def test_allow_private_network_lifts_loopback_private_and_shared(url: str) -> None:
    assert check_url(url, resolver=PUBLIC) is not None
    assert check_url(url, allow_private=True, resolver=PUBLIC) is None


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/", "http://224.0.0.1/",
     "http://[fd00:ec2::254]/", "http://100.100.100.200/", "file:///etc/passwd",
     "http://rebind.example/"],
)  # fmt: skip
def test_allow_private_network_keeps_metadata_and_odd_targets_refused(url: str) -> None:
    assert check_url(url, allow_private=True, resolver=PUBLIC) is not None


def test_allowed_networks_are_exceptions_while_the_guard_stays_on() -> None:
    allowed = parse_networks(["127.0.0.1/32", "10.9.0.0/16"])
    assert check_url("http://127.0.0.1:1234/", allowed_networks=allowed) is None
    assert check_url("http://10.9.8.7/", allowed_networks=allowed) is None
    assert check_url("http://127.0.0.2/", allowed_networks=allowed) == "ssrf:loopback"
    assert check_url("http://10.0.0.1/", allowed_networks=allowed) == "ssrf:private"
    assert check_url("http://169.254.169.254/", allowed_networks=allowed) == "ssrf:link-local"


def test_without_resolution_literals_are_checked_and_names_pass() -> None:
    def no_dns(*_args):
        raise AssertionError("resolve=False must not look names up")

    assert check_url("http://10.0.0.1/", resolve=False, resolver=no_dns) == "ssrf:private"
    assert check_url("http://[::1]/", resolve=False, resolver=no_dns) == "ssrf:loopback"
    assert check_url("ftp://news.example/", resolve=False, resolver=no_dns) == "ssrf:scheme"
    assert check_url("http://0x7f.1/", resolve=False) == "ssrf:loopback"  # numeric, no DNS
    assert check_url("http://news.example/", resolve=False) is None


def test_host_is_read_the_way_the_request_will_read_it() -> None:
    """urllib3 sends 'http://news.example\\@127.0.0.1/' to news.example (backslash starts the
    path), so the guard judges news.example; userinfo never hides the host either."""
    assert check_url("http://news.example\\@127.0.0.1/", resolver=PUBLIC) is None
    assert check_url("http://127.0.0.1:80@intranet.example/", resolver=PUBLIC) == "ssrf:private"
    assert check_url("http://news.example@127.0.0.1/", resolver=PUBLIC) == "ssrf:loopback"


def test_verdicts_explain_and_map_to_reject_reasons() -> None:
    verdict = inspect_url("http://[::ffff:10.0.0.1]/", resolver=PUBLIC)
    assert verdict is not None and verdict.reason == "ssrf:private"
    assert "::ffff" in verdict.detail
    assert guard_reason(verdict) == "http:ssrf-blocked"
    unresolvable = inspect_url("http://nowhere.example/", resolver=PUBLIC)
    assert unresolvable is not None and guard_reason(unresolvable) == "http:dns-error"
    bad = inspect_url("http:///x")
    assert bad is not None and guard_reason(bad) == "http:bad-url"


@pytest.mark.parametrize(
    ("address", "category"),
    [("8.8.8.8", None), ("127.0.0.53", "loopback"), ("::ffff:0.0.0.0", "unspecified"),
     ("198.18.0.1", "reserved"), ("fec0::1", "private"), ("2001:db8::1", "reserved"),
     ("64:ff9b::808:808", None)],
)  # fmt: skip
def test_address_categories(address: str, category: str | None) -> None:
    assert address_category(ipaddress.ip_address(address)) == category


def test_check_address_ignores_the_zone_and_rejects_garbage() -> None:
    verdict = check_address("fe80::1%eth0")
    assert verdict is not None and verdict.reason == "ssrf:link-local"
    bad = check_address("not-an-ip")
    assert bad is not None and bad.reason == "ssrf:bad-url"


def test_clean_url_drops_what_browsers_drop() -> None:
    assert clean_url("\x00 ht\ttp://news.example/a\nb \x1f") == "http://news.example/ab"


def test_peer_address_of_a_real_socket_is_checked() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection(listener.getsockname(), timeout=2) as sock:
            verdict = check_peer(sock)
            assert verdict is not None and verdict.reason == "ssrf:loopback"
            assert check_peer(sock, allow_private=True) is None
