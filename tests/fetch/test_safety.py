"""Which links and addresses may be fetched."""

from __future__ import annotations

import ipaddress

import pytest
from yarl import URL

from bot.fetch import BadUrl, BlockedAddress, check_url, is_public_address
from bot.fetch.errors import HostNotFound
from bot.fetch.safety import vet_host

PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:93.184.216.34",  # IPv4-mapped public
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]
INTERNAL = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata (link-local)
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fe80::1%1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # site-local (deprecated)
    "ff02::1",
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo to 10.0.0.1
]


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "no link"),
        ("ftp://example.com/a", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("example.com/story", "must start with http"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http:///path-only", "no host"),
        ("http://example.com:99999/", "not a valid link"),
        ("http://exa mple.com/", "spaces or control"),
        ("http://example.com/\nHost: evil", "spaces or control"),
        ("http://example.com/" + "a" * 3000, "longer than"),
    ],
)
def test_links_that_cannot_be_fetched(url: str, why: str) -> None:
    with pytest.raises(BadUrl, match=why):
        check_url(url)


def test_a_fragment_is_dropped() -> None:
    assert str(check_url("https://Example.com/a?b=1#top")) == "https://example.com/a?b=1"


def _resolver(answers: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such host")
        return answers[host]

    return resolve


async def test_every_resolved_address_is_checked() -> None:
    resolve = _resolver({"mixed.test": ["93.184.216.34", "10.0.0.7"], "ok.test": ["93.184.216.34"]})
    with pytest.raises(BlockedAddress, match=r"mixed\.test \(10\.0\.0\.7\).*FETCH_ALLOW_PRIVATE"):
        await vet_host(URL("http://mixed.test/"), allow_private=False, resolve=resolve)
    assert await vet_host(URL("http://ok.test/"), allow_private=False, resolve=resolve) == ["93.184.216.34"]


async def test_allow_private_lifts_the_address_rule() -> None:
    resolve = _resolver({"intranet.test": ["10.0.0.7", "fd00::7"]})
    assert await vet_host(URL("http://intranet.test/"), allow_private=True, resolve=resolve) == ["10.0.0.7", "fd00::7"]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://[::1]:8080/", "http://[::ffff:7f00:1]/", "http://0.0.0.0/"]
)
async def test_address_literals_are_checked_without_a_lookup(url: str) -> None:
    async def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError("looked up")

    with pytest.raises(BlockedAddress):
        await vet_host(check_url(url), allow_private=False, resolve=no_lookup)


async def test_names_for_loopback_are_refused() -> None:
    with pytest.raises(BlockedAddress):
        await vet_host(URL("http://localhost/"), allow_private=False)  # the system resolver, no network


async def test_an_unknown_host_says_so() -> None:
    with pytest.raises(HostNotFound, match=r"could not find the host nowhere\.test"):
        await vet_host(URL("http://nowhere.test/"), allow_private=False, resolve=_resolver({}))
