"""Fetching one web page, safely, with aiohttp.

* One time limit for everything (name lookups, every redirect, the body).
* The body is read as a stream and given up as soon as it passes the byte
  limit, as sent and, for ``gzip`` / ``deflate``, once decompressed (so a
  small "gzip bomb" is stopped at the limit, never inflated whole).
* Redirects are followed here, one hop at a time, each new link checked
  like the first (``safety.check_url`` and ``safety.vet_host``), at most
  ``max_redirects`` of them; the final URL is recorded.
* The connection goes to the addresses that were checked, never to a
  second DNS answer (``_PinnedResolver``).
* Only HTML: by the Content-Type (``text/html``, ``application/xhtml+xml``,
  or none) before the body is read, and by its first bytes (images, PDFs and
  other binary files are recognised by their signatures; the text must
  start like HTML).
* Character sets: a byte-order mark, then the Content-Type's ``charset``,
  then a ``<meta charset>`` / ``http-equiv`` declaration in the first bytes.
  A page whose bytes are not valid in the charset it declares (invalid UTF-8
  claiming UTF-8) is refused rather than decoded with replacement
  characters, because the text would be quoted to readers word for word.
  A page that declares nothing is read as UTF-8, or as windows-1252 when it
  is not valid UTF-8 (what browsers do).
* No cookies are kept or sent, no credentials (links with a user name or
  password are refused; ``.netrc`` and proxy settings from the environment
  are not read), and a clear User-Agent.  Nothing in the page is executed or
  followed: no scripts, frames, images, refresh headers or meta refreshes.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import socket
import ssl
import zlib
from dataclasses import dataclass, field

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.fetch.errors import (
    BadEncoding,
    BadUrl,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HttpStatus,
    NotHtml,
    TooLarge,
    TooManyRedirects,
)
from bot.fetch.safety import AddressPolicy, Resolver, check_url, vet_host

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest page read, as sent and once decompressed (news pages are 0.1–2 MB of HTML)."""
DEFAULT_TIMEOUT = 20.0
"""Seconds for the whole fetch: name lookups, redirects and the body."""
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_USER_AGENT = "story-bot/0.1 (article fetcher for a Discord Q&A bot; fetches one page an admin asked for)"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SNIFF_BYTES = 1024
"""Bytes of the (decompressed) body looked at to tell HTML from other files."""
META_PRESCAN_BYTES = 4096
"""Bytes searched for a ``<meta charset>`` declaration."""


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits for one fetch (from the settings); the defaults are the module constants."""

    allow_private: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    user_agent: str = DEFAULT_USER_AGENT
    resolve: Resolver | None = field(default=None, repr=False)
    """Name lookups (``safety.system_resolve`` when None); tests inject their own."""
    address_ok: AddressPolicy | None = field(default=None, repr=False)
    """Which addresses may be connected to (``safety.is_public_address``
    when None); ignored when ``allow_private``; tests inject their own."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    """The link as asked for (checked, without its fragment)."""
    final_url: str
    """Where the page was found, after redirects."""
    html: str
    charset: str
    """The character set the text was decoded with (a Python codec name)."""
    redirects: tuple[str, ...] = ()
    """The links that redirected, in order."""


# ---------------------------------------------------------------------------
# Connecting only to vetted addresses.


class _PinnedResolver(AbstractResolver):
    """A resolver that answers only with the addresses ``vet_host`` allowed
    for the hop in progress, and knows no other host."""

    def __init__(self) -> None:
        self._pinned: dict[str, list[str]] = {}

    def pin(self, host: str, addresses: list[str]) -> None:
        self._pinned = {host.lower(): addresses}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = self._pinned.get(host.lower())
        if not addresses:
            raise OSError(f"{host} was not vetted")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


# ---------------------------------------------------------------------------
# Bodies: decompression with a cap, sniffing, character sets.


class _Inflater:
    """Decompresses a ``Content-Encoding`` stream, never producing more than
    ``limit`` bytes in all (``TooLarge`` as soon as it would)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding
        self._room = limit
        self._limit = limit
        self._obj: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise NotHtml(f"the page is sent in an encoding this bot does not read ({encoding[:30]})")

    def _too_large(self) -> TooLarge:
        return TooLarge(f"the page is larger than {_size(self._limit)} once decompressed")

    def feed(self, data: bytes) -> bytes:
        if self._encoding in ("", "identity"):
            out = data
        else:
            if self._obj is None:  # deflate: a zlib stream, or (often) a raw one
                zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
                self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
            try:
                out = self._obj.decompress(data, self._room + 1)
            except zlib.error:
                raise BadEncoding(f"the page's {self._encoding} data is corrupt") from None
            if self._obj.unconsumed_tail:
                raise self._too_large()
        if len(out) > self._room:
            raise self._too_large()
        self._room -= len(out)
        return out

    def flush(self) -> bytes:
        if self._obj is None:
            return b""
        try:
            out = self._obj.flush(self._room + 1)
        except zlib.error:
            raise BadEncoding(f"the page's {self._encoding} data is corrupt") from None
        if len(out) > self._room:
            raise self._too_large()
        self._room -= len(out)
        return out


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG)"),
    (b"GIF87a", "an image (GIF)"),
    (b"GIF89a", "an image (GIF)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"II*\x00", "an image (TIFF)"),
    (b"MM\x00*", "an image (TIFF)"),
    (b"\x00\x00\x01\x00", "an image (icon)"),
    (b"PK\x03\x04", "an archive or office document (ZIP)"),
    (b"\x1f\x8b", "a compressed file (gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "an archive (7z)"),
    (b"Rar!", "an archive (RAR)"),
    (b"OggS", "audio or video (Ogg)"),
    (b"ID3", "audio (MP3)"),
    (b"fLaC", "audio (FLAC)"),
    (b"\x1aE\xdf\xa3", "a video (WebM/Matroska)"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"\x00asm", "a program (WebAssembly)"),
    (b"{\\rtf", "a document (RTF)"),
    (b"\xd0\xcf\x11\xe0", "an office document"),
)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|link|base|style|script|article|main|div|p|h[1-6]|header|nav|!--)[\s>/]",
    re.IGNORECASE,
)


def _describe_binary(head: bytes) -> str | None:
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "an image (WebP)", b"WAVE": "audio (WAV)", b"AVI ": "a video (AVI)"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "an image or video (ISO media)"
    return None


def _looks_like_html(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if b"\x00" in head:
        return False
    stripped = head.lstrip()
    return stripped.startswith(b"<") and _HTML_START.search(stripped) is not None


def sniff(head: bytes) -> None:
    """``NotHtml`` unless the first bytes of a body look like an HTML page."""
    what = _describe_binary(head)
    if what is not None:
        raise NotHtml(f"the link is {what}, not a web page")
    if not _looks_like_html(head):
        raise NotHtml("the link is not an HTML page (its content does not start like one)")


_CHARSET_ALIASES = {
    # What browsers do (WHATWG Encoding): these labels all mean windows-1252, ...
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    # ... and these the superset each was extended to.
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
}
WEB_CHARSETS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "cp866", "cp874", "cp932", "cp949", "gb18030", "big5"}
    | {"big5hkscs", "euc_jp", "iso2022_jp", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic"}
    | {f"cp{n}" for n in range(1250, 1259)}
    | {f"iso8859-{n}" for n in range(2, 17) if n != 12}
)
"""Character sets a page may declare; anything else (an unknown label, or
Python codecs such as ``base64`` or ``utf-7`` that are no web charset) is
treated as if nothing were declared."""
_META_CHARSET = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]{1,40})", re.IGNORECASE)


def web_charset(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except (LookupError, ValueError):
        return None
    name = _CHARSET_ALIASES.get(name, name)
    return name if name in WEB_CHARSETS else None


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """The text of an HTML body and the codec used (see the module notes)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return _decode_declared(body, codec, "its byte-order mark"), codec
    declared = web_charset(header_charset)
    where = "its Content-Type header"
    if declared is None:
        match = _META_CHARSET.search(body[:META_PRESCAN_BYTES])
        declared = web_charset(match.group(1).decode("ascii")) if match else None
        if declared is not None and declared.startswith("utf-16"):
            declared = "utf-8"  # a <meta> read as ASCII cannot be UTF-16; browsers read UTF-8
        where = "its <meta charset>"
    if declared is not None:
        return _decode_declared(body, declared, where), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


def _decode_declared(body: bytes, codec: str, where: str) -> str:
    if codec == "cp1252":  # the five bytes windows-1252 leaves undefined are controls to browsers
        return body.decode(codec, errors="replace")
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise BadEncoding(
            f"the page says ({where}) that its text is {codec.upper()}, but it is not valid {codec.upper()} "
            f"(byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text.removeprefix("\ufeff")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


# -- The fetch ---------------------------------------------------------------


def _mime(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _check_content_type(mime: str | None) -> None:
    if mime is None or mime in HTML_TYPES:
        return
    shown = mime[:60]
    if mime == "application/pdf":
        raise NotHtml(f"the link is a PDF document ({shown}), not a web page")
    if mime.startswith("image/"):
        raise NotHtml(f"the link is an image ({shown}), not a web page")
    if mime.startswith(("audio/", "video/")):
        raise NotHtml(f"the link is audio or video ({shown}), not a web page")
    raise NotHtml(f"the link is not a web page ({shown}); only HTML pages can be added")


async def _read_body(resp: aiohttp.ClientResponse, options: FetchOptions) -> bytes:
    limit = options.max_bytes
    declared = resp.content_length
    if declared is not None and declared > limit:
        raise TooLarge(f"the page is larger than {_size(limit)} ({_size(declared)})")
    inflater = _Inflater(resp.headers.get("Content-Encoding", "").strip().lower(), limit)
    body = bytearray()
    received = 0
    sniffed = False
    async for chunk in resp.content.iter_any():
        received += len(chunk)
        if received > limit:
            raise TooLarge(f"the page is larger than {_size(limit)}")
        body += inflater.feed(chunk)
        if not sniffed and len(body) >= SNIFF_BYTES:
            sniff(bytes(body[:SNIFF_BYTES]))
            sniffed = True
    body += inflater.flush()
    if not sniffed:
        sniff(bytes(body[:SNIFF_BYTES]))
    return bytes(body)


async def _fetch(start: URL, options: FetchOptions) -> FetchedPage:
    resolver = _PinnedResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True, limit=1)
    headers = {
        "User-Agent": options.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        trust_env=False,
        timeout=aiohttp.ClientTimeout(total=None),
        headers=headers,
    ) as session:
        current = start
        redirects: list[str] = []
        while True:
            addresses = await vet_host(
                current, allow_private=options.allow_private, resolve=options.resolve, address_ok=options.address_ok
            )
            resolver.pin(current.raw_host or "", addresses)
            async with session.get(current, allow_redirects=False) as resp:
                if resp.status in REDIRECT_STATUSES:
                    location = resp.headers.get("Location", "").strip()
                    if not location:
                        raise HttpStatus(f"the server answered {resp.status} (a redirect) without saying where to")
                    if len(redirects) >= options.max_redirects:
                        raise TooManyRedirects(f"the page redirects more than {options.max_redirects} times")
                    try:
                        target = current.join(URL(location))
                    except (ValueError, TypeError):
                        raise BadUrl("the page redirects to a link that is not valid") from None
                    try:
                        target = check_url(target)
                    except BadUrl as exc:
                        raise BadUrl(f"the page redirects to a link that cannot be fetched: {exc}") from None
                    redirects.append(str(current))
                    current = target
                    continue
                if not 200 <= resp.status < 300 or resp.status in (204, 205, 206):
                    reason = " ".join((resp.reason or "").split())[:60]
                    raise HttpStatus(f"the server answered {resp.status} {reason}".rstrip())
                raw_type = resp.headers.get("Content-Type")
                _check_content_type(_mime(raw_type))
                body = await _read_body(resp, options)
                charset = resp.charset if raw_type else None
                html, codec = decode_html(body, charset)
                return FetchedPage(
                    url=str(start), final_url=str(current), html=html, charset=codec, redirects=tuple(redirects)
                )


async def fetch_page(url: str | URL, options: FetchOptions | None = None) -> FetchedPage:
    """Fetch one HTML page (see the module notes); a ``FetchError`` subclass
    with a one-line reason for every refusal."""
    options = options or FetchOptions()
    start = check_url(url)
    host = start.raw_host or ""
    try:
        async with asyncio.timeout(options.timeout):
            return await _fetch(start, options)
    except FetchError:
        raise
    except TimeoutError:
        limit = f"{options.timeout:g} second" + ("" if options.timeout == 1 else "s")
        raise FetchTimeout(f"the page did not arrive within {limit}") from None
    except (aiohttp.ClientSSLError, ssl.SSLError):
        raise ConnectFailed(f"could not make a secure (HTTPS) connection to {host[:100]}") from None
    except aiohttp.ClientConnectorError:
        raise ConnectFailed(f"could not connect to {host[:100]}") from None
    except aiohttp.ClientPayloadError:
        raise ConnectFailed(f"the page from {host[:100]} was cut off before its end") from None
    except aiohttp.ClientResponseError as exc:
        raise ConnectFailed(f"{host[:100]} sent an answer that is not valid HTTP ({exc.message[:80]})") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise ConnectFailed(f"the connection to {host[:100]} failed ({type(exc).__name__})") from None
