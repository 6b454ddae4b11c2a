"""SSRF guard: which URLs and addresses the fetcher may connect to.

A feed list, a redirect ``Location`` or an item link is input we do not control. Fetching it blindly
lets whoever writes that input make our worker talk to its own loopback services, the intranet or
the cloud metadata endpoint (169.254.169.254), and read the answer back through our output.

The guard works at two points:

1. ``check_url`` before any request (and again for every redirect hop and item link): the scheme
   must be http(s), and every address the host resolves to must be public.
2. ``GuardedHTTPConnection``/``GuardedHTTPSConnection`` at connect time: they resolve the host
   themselves, refuse a blocked address *before* connecting, connect only to the address they
   checked, and then check the socket's peer address once more. A DNS answer that changes between
   step 1 and the connection (DNS rebinding) therefore never reaches a private address.

Hosts are parsed with urllib3's ``parse_url``, the parser the request itself uses, so that a URL
such as ``http://evil.example\\@127.0.0.1/`` is judged by the host that is actually contacted.

``allow_private`` (``--allow-private-network``) lifts the block on loopback, private (RFC 1918,
IPv6 ULA) and shared (100.64/10) addresses, for tests and intranets. Link-local (which holds the
cloud metadata endpoints), multicast, unspecified and reserved addresses stay refused even then:
no feed is served from them, and they are what an SSRF attack is after. ``allowed_networks`` adds
explicit exceptions (CIDRs) while the rest of the guard stays on.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util import parse_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Categories that ``allow_private`` lifts; every other category is refused whatever the flag says.
PRIVATE_CATEGORIES = frozenset({"loopback", "private", "shared"})

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")
)
# Metadata services reachable outside 169.254/16: Alibaba (in 100.64/10) and AWS over IPv6 (a ULA).
_METADATA = tuple(ipaddress.ip_network(n) for n in ("100.100.100.200/32", "fd00:ec2::254/128"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.ip_network("::/96")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# WHATWG URL parsing drops these anywhere in a URL ("jav\tascript:" is "javascript:").
_INVISIBLE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a URL or address is refused: ``reason`` is machine-readable, ``detail`` is for people.

    Reasons: ``ssrf:scheme``, ``ssrf:bad-url``, ``ssrf:no-host``, ``ssrf:unresolvable`` and
    ``ssrf:<category>`` for addresses (loopback, private, shared, link-local, metadata, multicast,
    unspecified, reserved).
    """

    reason: str
    detail: str


class BlockedAddressError(NewConnectionError):
    """Raised inside a guarded connection; a ``NewConnectionError`` so urllib3 passes it through
    its error handling unchanged (with retries disabled it reaches the caller as itself)."""

    def __init__(self, conn: HTTPConnection, verdict: Verdict) -> None:
        super().__init__(conn, f"refused by the SSRF guard: {verdict.detail}")
        self.verdict = verdict


def address_category(ip: IPAddress) -> str | None:
    """The reason class of a non-public address, or None for a public (global unicast) one.

    IPv6 forms that embed an IPv4 address (mapped ``::ffff:a.b.c.d``, compatible ``::a.b.c.d``,
    6to4 and NAT64) are judged by the IPv4 address they carry, since that is where they lead.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_category(embedded)
        if ip.teredo is not None:
            return "reserved"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _METADATA):
        return "metadata"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared"
    if any(ip in net for net in _PRIVATE):
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"  # documentation, benchmarking, 0/8, 240/4, broadcast, ...
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _V4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(
    address: str | IPAddress, allow_private: bool = False, allowed_networks: Iterable[Network] = ()
) -> Verdict | None:
    """A Verdict when the guard refuses ``address``, else None."""
    try:
        ip = (
            address
            if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
            else ipaddress.ip_address(address)
        )
    except ValueError:
        return Verdict("ssrf:bad-url", f"not an IP address: {address!r}")
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    if any(ip.version == net.version and ip in net for net in allowed_networks):
        return None
    category = address_category(ip)
    if category is None or (allow_private and category in PRIVATE_CATEGORIES):
        return None
    return Verdict(f"ssrf:{category}", f"{category} address {ip}")


def parse_networks(networks: Iterable[str]) -> tuple[Network, ...]:
    """CIDR strings -> networks (raises ValueError on a bad one, at configuration time)."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def clean_url(url: str) -> str:
    """``url`` as a browser reads it: tabs and newlines dropped, C0 controls and spaces trimmed.

    The fetcher requests exactly this string, so the guard and the request see the same URL.
    """
    return _INVISIBLE.sub("", url).strip(_C0_OR_SPACE)


def url_scheme(url: str) -> str:
    """The scheme, case-folded, of the cleaned URL ('' when there is none)."""
    match = _SCHEME.match(clean_url(url))
    return match.group(1).lower() if match else ""


def inspect_url(
    url: str,
    allow_private: bool = False,
    *,
    allowed_networks: Iterable[Network] = (),
    resolve: bool = True,
    resolver: Resolver | None = None,
) -> Verdict | None:
    """A Verdict when ``url`` must not be fetched, else None.

    With ``resolve=False`` no DNS lookup is made: the scheme and IP-literal hosts (including odd
    numeric forms such as ``2130706433`` or ``0x7f.1``) are checked, names pass. That is enough to
    screen many item links cheaply; the fetcher checks again, with resolution, before connecting.
    """
    scheme = url_scheme(url)
    if not scheme:
        return Verdict("ssrf:bad-url", f"not an absolute URL: {url[:200]!r}")
    if scheme not in ALLOWED_SCHEMES:
        return Verdict("ssrf:scheme", f"scheme {scheme!r} is not http(s)")
    try:
        parsed = parse_url(clean_url(url))
    except (LocationParseError, ValueError) as exc:
        return Verdict("ssrf:bad-url", f"unparseable URL: {exc}")
    host = parsed.host
    if not host:
        return Verdict("ssrf:no-host", "URL has no host")
    networks = tuple(allowed_networks)
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        addresses = [str(ipaddress.ip_address(bare))]  # a literal: no resolver involved
    except ValueError:
        try:
            infos = resolve_host(host, parsed.port or 80, resolver, numeric_only=not resolve)
        except OSError as exc:
            if not resolve:
                return None  # a name: left to the resolving check before connecting
            return Verdict("ssrf:unresolvable", f"cannot resolve {host!r}: {exc}")
        addresses = _addresses(infos)
    for address in addresses:
        verdict = check_address(address, allow_private, networks)
        if verdict is not None:
            return Verdict(verdict.reason, f"{host} -> {verdict.detail}")
    return None


def check_url(
    url: str,
    allow_private: bool = False,
    *,
    allowed_networks: Iterable[Network] = (),
    resolve: bool = True,
    resolver: Resolver | None = None,
) -> str | None:
    """The refusal reason for ``url`` (e.g. ``'ssrf:loopback'``), or None when it may be fetched.

    Usable on feed URLs, redirect targets and item links alike; see ``inspect_url`` for details.
    """
    verdict = inspect_url(
        url,
        allow_private,
        allowed_networks=allowed_networks,
        resolve=resolve,
        resolver=resolver,
    )
    return verdict.reason if verdict else None


def resolve_host(
    host: str, port: int, resolver: Resolver | None = None, numeric_only: bool = False
) -> list[tuple[Any, ...]]:
    """getaddrinfo results (TCP) for ``host``; raises OSError (socket.gaierror) when it fails."""
    resolve = resolver or socket.getaddrinfo
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    flags = socket.AI_NUMERICHOST if numeric_only else 0
    results = list(resolve(bare, port, 0, socket.SOCK_STREAM, 0, flags))
    if not results:
        raise socket.gaierror(socket.EAI_NONAME, f"no address for {bare!r}")
    return results


def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[str]:
    return [str(info[4][0]) for info in infos]


def guard_reason(verdict: Verdict) -> str:
    """The reject reason for a guard verdict: an unresolvable name is a DNS error, not an attack."""
    if verdict.reason == "ssrf:unresolvable":
        return "http:dns-error"
    if verdict.reason in ("ssrf:bad-url", "ssrf:no-host"):
        return "http:bad-url"
    return "http:ssrf-blocked"


def check_peer(
    sock: socket.socket, allow_private: bool = False, allowed_networks: Iterable[Network] = ()
) -> Verdict | None:
    """Check the address a connected socket actually talks to (the last line of defence)."""
    peer = sock.getpeername()[0]
    return check_address(str(peer), allow_private, allowed_networks)


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """What a guarded connection enforces; built once per Fetcher from its configuration."""

    allow_private: bool = False
    allowed_networks: tuple[Network, ...] = ()
    resolver: Resolver | None = None


class _GuardedMixin:
    """Replaces urllib3's ``_new_conn``: resolve, check, connect to the checked address, re-check.

    Mirrors urllib3's own error mapping so the rest of urllib3 (and our fetcher) sees the usual
    exceptions; a refusal is a ``BlockedAddressError``.
    """

    policy: GuardPolicy = GuardPolicy()

    def _new_conn(self) -> socket.socket:
        conn: Any = self  # the concrete HTTPConnection this mixin is part of
        policy = self.policy
        try:
            infos = resolve_host(conn._dns_host, conn.port, policy.resolver)
        except OSError as exc:
            raise NameResolutionError(conn.host, conn, exc) from exc  # type: ignore[arg-type]
        for address in _addresses(infos):
            verdict = check_address(address, policy.allow_private, policy.allowed_networks)
            if verdict is not None:  # refuse the whole name, not just this address
                raise BlockedAddressError(conn, verdict)
        error: OSError | None = None
        for family, socktype, proto, _canon, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                for option in conn.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(conn.timeout, int | float):
                    sock.settimeout(conn.timeout)
                if conn.source_address:
                    sock.bind(conn.source_address)
                sock.connect(sockaddr)
            except TimeoutError as exc:
                sock.close()
                raise ConnectTimeoutError(
                    conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
                ) from exc
            except OSError as exc:
                sock.close()
                error = exc
                continue
            verdict = check_peer(sock, policy.allow_private, policy.allowed_networks)
            if verdict is not None:
                sock.close()
                raise BlockedAddressError(conn, verdict)
            sys.audit("http.client.connect", conn, conn.host, conn.port)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


class GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    """An HTTP connection that only ever connects to addresses the guard allows."""


class GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    """An HTTPS connection that only ever connects to addresses the guard allows (TLS and SNI
    still use the host name: only socket creation is replaced)."""


def guarded_connection_classes(
    policy: GuardPolicy,
) -> tuple[type[HTTPConnection], type[HTTPSConnection]]:
    """Connection classes bound to ``policy`` (urllib3 pools instantiate classes, not objects)."""
    http_cls = type("BoundGuardedHTTPConnection", (GuardedHTTPConnection,), {"policy": policy})
    https_cls = type("BoundGuardedHTTPSConnection", (GuardedHTTPSConnection,), {"policy": policy})
    return http_cls, https_cls
