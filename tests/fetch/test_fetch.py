"""Fetching against the tests' own server: limits, redirects, content, charsets."""

from __future__ import annotations

import dataclasses
import gzip
import time
import zlib

import pytest

from bot.fetch import (
    BadEncoding,
    BadUrl,
    BlockedAddress,
    FetchOptions,
    FetchTimeout,
    HttpStatus,
    NotHtml,
    TooLarge,
    TooManyRedirects,
    fetch_page,
)
from bot.fetch.fetch import _Inflater, decode_html, sniff, web_charset
from tests.harness.news_site import Server, only_loopback_is_public


async def test_loopback_is_refused_by_default(server: Server) -> None:
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a private, loopback"):
        await fetch_page(server.url("/news/harbor_jsonld"))
    assert server.stats.requests == []


async def test_a_page_is_fetched_with_its_final_url(server: Server, local: FetchOptions) -> None:
    target = server.url("/news/harbor_jsonld")
    page = await fetch_page(server.url(f"/redirect?to={target}"), local)
    assert page.final_url == target
    assert page.redirects == (server.url(f"/redirect?to={target}"),)
    assert "seawall" in page.html
    assert page.charset == "utf-8"


async def test_relative_redirects_are_followed(server: Server, local: FetchOptions) -> None:
    page = await fetch_page(server.url("/redirect?to=/news/valley_meta"), local)
    assert page.final_url == server.url("/news/valley_meta")


async def test_a_redirect_to_an_internal_address_is_refused(server: Server) -> None:
    """The first hop is allowed (the policy counts the tests' server as public),
    the redirect's target is checked again and refused, before any connection."""
    options = FetchOptions(address_ok=only_loopback_is_public, timeout=5.0)
    page = await fetch_page(server.url("/news/harbor_jsonld"), options)  # the policy lets the server through
    assert page.final_url.endswith("/news/harbor_jsonld")
    for target in (
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:1/",
        "http://127.0.0.2/",
    ):
        with pytest.raises(BlockedAddress, match="private, loopback"):
            await fetch_page(server.url(f"/redirect?to={target}"), options)


async def test_a_redirect_to_a_name_for_an_internal_address_is_refused(server: Server) -> None:
    looked_up: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return {"news.test": ["127.0.0.1"], "intranet.test": ["192.168.1.20"]}[host]

    options = FetchOptions(address_ok=only_loopback_is_public, resolve=resolve, timeout=5.0)
    start = f"http://news.test:{server.port}/redirect?to=http://intranet.test:{server.port}/news/harbor_jsonld"
    with pytest.raises(BlockedAddress, match=r"intranet\.test \(192\.168\.1\.20\)"):
        await fetch_page(start, options)
    assert looked_up == ["news.test", "intranet.test"]


async def test_the_connection_goes_to_the_vetted_address(server: Server) -> None:
    """DNS rebinding: a second lookup would answer with an internal address;
    the fetcher looks up once per hop and connects to what it checked."""
    answers = iter([["127.0.0.1"], ["10.9.9.9"], ["10.9.9.9"]])
    calls = 0

    async def resolve(host: str, port: int) -> list[str]:
        nonlocal calls
        calls += 1
        return next(answers)

    options = FetchOptions(address_ok=only_loopback_is_public, resolve=resolve, timeout=5.0)
    page = await fetch_page(f"http://rebind.test:{server.port}/news/wire_string_author", options)
    assert "Rail strike" in page.html
    assert calls == 1


async def test_redirects_are_limited(server: Server, local: FetchOptions) -> None:
    with pytest.raises(TooManyRedirects, match="more than 5 times"):
        await fetch_page(server.url("/loop/0"), local)
    assert len(server.stats.requests) == 6


async def test_a_redirect_to_another_scheme_is_refused(server: Server, local: FetchOptions) -> None:
    with pytest.raises(BadUrl, match="redirects to a link that cannot be fetched: only http"):
        await fetch_page(server.url("/redirect?to=file:///etc/passwd"), local)


async def test_a_page_that_never_answers_is_given_up(server: Server, local: FetchOptions) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"did not arrive within 0\.5 seconds"):
        await fetch_page(server.url("/never"), dataclasses.replace(local, timeout=0.5))
    assert time.monotonic() - started < 10  # given up, not waited out (pytest-timeout is 180 s)


async def test_a_page_that_trickles_forever_is_given_up(server: Server, local: FetchOptions) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        await fetch_page(server.url("/trickle"), dataclasses.replace(local, timeout=0.5))
    assert time.monotonic() - started < 10  # given up, not waited out (pytest-timeout is 180 s)


async def test_a_20_mb_page_is_refused_while_streaming(server: Server, local: FetchOptions) -> None:
    with pytest.raises(TooLarge, match="larger than 5 MB"):
        await fetch_page(server.url("/huge"), local)
    assert not server.stats.huge_finished


async def test_a_declared_20_mb_page_is_refused_before_its_body(server: Server, local: FetchOptions) -> None:
    with pytest.raises(TooLarge, match=r"larger than 5 MB \(20 MB\)"):
        await fetch_page(server.url("/huge?declared=1"), local)
    assert not server.stats.huge_finished


async def test_a_gzip_bomb_is_stopped_at_the_limit(server: Server, local: FetchOptions) -> None:
    with pytest.raises(TooLarge, match="larger than 1 MB once decompressed"):
        await fetch_page(server.url("/bomb"), dataclasses.replace(local, max_bytes=1024 * 1024))


@pytest.mark.parametrize("path", ["/gzipped", "/deflated"])
async def test_compressed_pages_are_read(server: Server, local: FetchOptions, path: str) -> None:
    page = await fetch_page(server.url(path), local)
    assert "Rail strike called off" in page.html


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("png", r"an image \(image/png\), not a web page"),
        ("pdf", r"a PDF document \(application/pdf\), not a web page"),
        ("pdf-as-html", "a PDF document, not a web page"),
        ("octet-stream", r"not a web page \(application/octet-stream\)"),
        ("text", r"not a web page \(text/plain\)"),
        ("json-as-html", "not an HTML page"),
    ],
)
async def test_what_is_not_html_is_refused(server: Server, local: FetchOptions, kind: str, message: str) -> None:
    with pytest.raises(NotHtml, match=message):
        await fetch_page(server.url(f"/binary/{kind}"), local)


@pytest.mark.parametrize("where", ["header", "meta"])
async def test_invalid_utf8_claiming_utf8_is_refused(server: Server, local: FetchOptions, where: str) -> None:
    said = "Content-Type header" if where == "header" else "<meta charset>"
    with pytest.raises(
        BadEncoding, match=rf"says \(its {said}\) that its text is UTF-8, but it is not valid UTF-8 \(byte 0xff"
    ):
        await fetch_page(server.url(f"/bad-utf8?where={where}"), local)


async def test_an_undeclared_legacy_charset_is_read_as_windows_1252(server: Server, local: FetchOptions) -> None:
    page = await fetch_page(server.url("/latin"), local)
    assert page.charset == "cp1252"
    assert "Caf\u00e9 owners" in page.html


async def test_a_meta_charset_is_honoured(server: Server, local: FetchOptions) -> None:
    page = await fetch_page(server.url("/news/plain_fallback"), local)
    assert page.charset == "cp1252"
    assert "\u201cSome of the prisms" in page.html


@pytest.mark.parametrize("code", [404, 500, 204])
async def test_error_statuses_are_refused(server: Server, local: FetchOptions, code: int) -> None:
    with pytest.raises(HttpStatus, match=f"answered {code}"):
        await fetch_page(server.url(f"/status/{code}"), local)


def test_charset_labels() -> None:
    assert web_charset("UTF8") == "utf-8"
    assert web_charset("iso-8859-1") == "cp1252"
    assert web_charset("us-ascii") == "cp1252"
    assert web_charset("Shift_JIS") == "cp932"
    assert web_charset("base64") is None  # a Python codec, not a web charset
    assert web_charset("utf-7") is None
    assert web_charset("no-such-charset") is None
    assert decode_html(b"\xef\xbb\xbf<html>caf\xc3\xa9", "iso-8859-1") == ("<html>caf\u00e9", "utf-8")  # BOM wins
    assert decode_html("<html>caf\u00e9".encode("cp1252"), None) == ("<html>caf\u00e9", "cp1252")


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "an image \\(PNG\\)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "an image \\(JPEG\\)"),
        (b"GIF89a\x01\x00", "an image \\(GIF\\)"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "an image \\(WebP\\)"),
        (b"%PDF-1.4\n", "a PDF document"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"plain words, no markup", "not an HTML page"),
        (b"<?xml version='1.0'?><rss></rss>", "not an HTML page"),
    ],
)
def test_sniffing_without_a_content_type(head: bytes, what: str) -> None:
    with pytest.raises(NotHtml, match=what):
        sniff(head)


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html>",
        b"\n\n  <html lang=en>",
        b"\xef\xbb\xbf<!doctype HTML>",
        b"<!-- x --><html>",
        b"<head><title>",
    ],
)
def test_sniffing_html(head: bytes) -> None:
    sniff(head)


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_with_and_without_its_zlib_header(wbits: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    data = packer.compress(b"<html>" + b"x" * 5000) + packer.flush()
    inflater = _Inflater("deflate", 10_000)
    out = b"".join(inflater.feed(data[i : i + 7]) for i in range(0, len(data), 7)) + inflater.flush()
    assert out == b"<html>" + b"x" * 5000


def test_inflating_stops_at_the_limit_without_inflating_the_rest() -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))
    inflater = _Inflater("gzip", 1024 * 1024)
    with pytest.raises(TooLarge, match="once decompressed"):
        inflater.feed(bomb)


def test_an_unknown_content_encoding_is_refused() -> None:
    with pytest.raises(NotHtml, match="encoding this bot does not read"):
        _Inflater("br", 1024)
