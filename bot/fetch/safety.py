"""Which links may be fetched, and which addresses may be connected to.

* A link must be ``http`` or ``https``, name a host, and carry no user name
  or password.
* Every address its host resolves to must be public: one private, loopback,
  link-local, multicast, reserved, unspecified (or otherwise not globally
  routable) address refuses the whole host, so a DNS answer that mixes a
  public and an internal address cannot lead inside the network.  IPv6
  addresses that embed an IPv4 one (IPv4-mapped, IPv4-compatible, 6to4,
  Teredo, NAT64) are judged by the IPv4 address too.
* ``allow_private`` (``FETCH_ALLOW_PRIVATE``) lifts the address rule, for
  tests and intranets; the other rules stay.

The fetcher vets each hop (the link, then every redirect) with
``vet_host`` and connects only to the addresses vetted (see ``fetch.py``),
so a second, different DNS answer between the check and the connection
(DNS rebinding) is never used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from yarl import URL

from bot.fetch.errors import BadUrl, BlockedAddress, HostNotFound

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> addresses`` as strings; raises ``OSError`` when the host does not resolve."""
AddressPolicy = Callable[[IPAddress], bool]
"""``address -> may it be connected to``."""

MAX_URL_CHARS = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _plainly_public(ip: IPAddress) -> bool:
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries, by the usual transition schemes."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        found.append(ipaddress.IPv4Address(int(ip)))
    return found


def is_public_address(ip: IPAddress | str) -> bool:
    """True when ``ip`` is a globally routable unicast address (and so is any
    IPv4 address it embeds)."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d, nothing else
            return _plainly_public(ip.ipv4_mapped)
        if embedded and not all(_plainly_public(v4) for v4 in embedded):
            return False
        if ip in _NAT64 and embedded:
            return True  # NAT64 is "not global" to Python, but reaches a public IPv4 address
    return _plainly_public(ip)


def check_url(url: str | URL) -> URL:
    """The link, parsed, when its shape may be fetched; ``BadUrl`` otherwise."""
    if isinstance(url, str):
        text = url.strip()
        if not text:
            raise BadUrl("no link given")
        if len(text) > MAX_URL_CHARS:
            raise BadUrl(f"the link is longer than {MAX_URL_CHARS} characters")
        if any(ord(c) < 0x21 or c == "\x7f" for c in text):
            raise BadUrl("the link contains spaces or control characters")
        try:
            parsed = URL(text)
        except (ValueError, TypeError):
            raise BadUrl("that is not a valid link") from None
    else:
        parsed = url
    scheme = (parsed.scheme or "").lower()
    if not scheme:
        raise BadUrl("the link must start with http:// or https://")
    if scheme not in ALLOWED_SCHEMES:
        raise BadUrl(f"only http:// and https:// links can be fetched, not {scheme[:20]}:")
    if parsed.raw_user is not None or parsed.raw_password is not None:
        raise BadUrl("links with a user name or password are not fetched")
    if not parsed.raw_host:
        raise BadUrl("the link has no host name")
    try:
        port = parsed.port
    except ValueError:
        raise BadUrl("the link has an invalid port") from None
    if port is None or not 0 < port < 65536:
        raise BadUrl("the link has an invalid port")
    return parsed.with_fragment(None)


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, by the system's resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def vet_host(
    url: URL,
    *,
    allow_private: bool,
    resolve: Resolver | None = None,
    address_ok: AddressPolicy | None = None,
) -> list[str]:
    """The addresses to connect to for ``url``'s host, every one of them
    allowed; ``BlockedAddress`` or ``HostNotFound`` otherwise."""
    host = url.raw_host or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        raw = [str(literal)]
    else:
        try:
            raw = await (resolve or system_resolve)(host, port)
        except (OSError, UnicodeError):
            raise HostNotFound(f"could not find the host {host[:100]}") from None
    addresses: list[IPAddress] = []
    for item in raw:
        try:
            ip = ipaddress.ip_address(item)
        except ValueError:
            raise HostNotFound(f"the host {host[:100]} resolved to something that is not an address") from None
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise HostNotFound(f"could not find the host {host[:100]}")
    if not allow_private:
        policy = address_ok or is_public_address
        for ip in addresses:
            if not policy(ip):
                shown = host if literal is not None else f"{host[:100]} ({ip})"
                raise BlockedAddress(
                    f"{shown} is a private, loopback or otherwise internal address; "
                    "only public web pages are fetched (FETCH_ALLOW_PRIVATE=true allows it)"
                )
    return [str(ip) for ip in addresses]
