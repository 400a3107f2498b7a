"""A web server of the tests' own on 127.0.0.1, serving news pages
(``tests/fetch/pages/``) and every kind of bad answer the fetcher must
refuse: used by the fetcher's tests (``tests/fetch/``) and by
``/corpus add url`` in simcord (``tests/exts/test_corpus_links.py``)."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.fetch import FetchOptions

PAGES = Path(__file__).parents[1] / "fetch" / "pages"
HTML = "text/html; charset=utf-8"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def article_html(title: str, paragraphs: int = 5, extra_head: str = "") -> str:
    body = "".join(
        f"<p>Paragraph {i} of the story says something long enough to count as prose, "
        f"with a full sentence and a number, {i * 7} people, at the end.</p>"
        for i in range(1, paragraphs + 1)
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{extra_head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@dataclass
class Stats:
    huge_finished: bool = False
    huge_sent: int = 0
    requests: list[str] = field(default_factory=list)


def make_app(stats: Stats) -> web.Application:
    async def static(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not (PAGES / f"{name}.html").is_file():
            raise web.HTTPNotFound()
        content_type = "text/html" if name == "plain_fallback" else HTML  # that one declares its charset in <meta>
        return web.Response(body=page(f"{name}.html"), headers={"Content-Type": content_type})

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/loop/{n + 1}")

    async def never(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(text="too late")

    async def trickle(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": HTML})
        await resp.prepare(request)
        await resp.write(b"<!DOCTYPE html><html><body><p>")
        while True:
            await resp.write(b"a")
            await asyncio.sleep(0.02)

    async def huge(request: web.Request) -> web.StreamResponse:
        declared = request.query.get("declared") == "1"
        total = 20 * 1024 * 1024
        resp = web.StreamResponse(headers={"Content-Type": HTML})
        if declared:
            resp.content_length = total
        await resp.prepare(request)
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        sent = 0
        while sent < total:
            await resp.write(chunk)
            sent += len(chunk)
            stats.huge_sent = sent
        stats.huge_finished = True
        return resp

    async def bomb(request: web.Request) -> web.Response:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [packer.compress(b"<!DOCTYPE html><html><body><p>")]
        zeros = b"0" * (1024 * 1024)
        parts.extend(packer.compress(zeros) for _ in range(64))  # 64 MB once inflated
        parts.append(packer.flush())
        return web.Response(body=b"".join(parts), headers={"Content-Type": HTML, "Content-Encoding": "gzip"})

    async def gzipped(request: web.Request) -> web.Response:
        body = gzip.compress(page("wire_string_author.html"))
        return web.Response(body=body, headers={"Content-Type": HTML, "Content-Encoding": "gzip"})

    async def deflated(request: web.Request) -> web.Response:
        body = zlib.compress(page("wire_string_author.html"))
        return web.Response(body=body, headers={"Content-Type": HTML, "Content-Encoding": "deflate"})

    async def binary(request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        bodies = {
            "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
            "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
            "pdf-as-html": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + b" " * 2048, HTML),
            "octet-stream": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "application/octet-stream"),
            "text": (b"Just some plain text, not a page at all.\n" * 40, "text/plain"),
            "json-as-html": (b'{"not": "html"}' + b" " * 2000, HTML),
        }
        body, content_type = bodies[kind]
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def bad_utf8(request: web.Request) -> web.Response:
        html = article_html("A story with a broken byte").encode()
        broken = html.replace(b"Paragraph 3", b"Paragraph \xff\xfe3")
        if request.query.get("where") == "meta":
            return web.Response(body=broken, headers={"Content-Type": "text/html"})
        return web.Response(body=broken, headers={"Content-Type": HTML})

    async def latin(request: web.Request) -> web.Response:
        html = article_html("Caf\u00e9 owners protest new rules")
        return web.Response(
            body=html.replace("charset='utf-8'", "").encode("cp1252"), headers={"Content-Type": "text/html"}
        )

    async def titled(request: web.Request) -> web.Response:
        title = request.query["title"]
        ld = f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": {_json(title)}}}</script>'
        return web.Response(text=article_html("Placeholder", extra_head=ld), content_type="text/html")

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="nope")

    @web.middleware
    async def record(request: web.Request, handler):  # type: ignore[no-untyped-def]
        stats.requests.append(request.path_qs)
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/news/{name}", static)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop/{n}", loop)
    app.router.add_get("/never", never)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/huge", huge)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/gzipped", gzipped)
    app.router.add_get("/deflated", deflated)
    app.router.add_get("/binary/{kind}", binary)
    app.router.add_get("/bad-utf8", bad_utf8)
    app.router.add_get("/latin", latin)
    app.router.add_get("/titled", titled)
    app.router.add_get("/status/{code}", status)
    return app


def _json(text: str) -> str:
    import json

    return json.dumps(text)


@dataclass
class Server:
    base: str
    port: int
    stats: Stats

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    stats = Stats()
    runner = web.AppRunner(make_app(stats), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Server(base=f"http://127.0.0.1:{port}", port=port, stats=stats)
    finally:
        await runner.cleanup()


@pytest.fixture
def local() -> FetchOptions:
    """Options that may fetch from the tests' server on loopback."""
    return FetchOptions(allow_private=True, timeout=5.0)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def only_loopback_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address policy for tests: the tests' server counts as public, nothing else does."""
    return ip == LOOPBACK
