"""The entry point end to end: fetch, extract, save; refusals write nothing."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from yarl import URL

from bot.engine import load_corpus
from bot.fetch import (
    AlreadyThere,
    BadEncoding,
    BadUrl,
    BlockedAddress,
    FetchError,
    FetchOptions,
    FetchTimeout,
    NotAnArticle,
    NotHtml,
    SaveFailed,
    TooLarge,
    add_article_from_url,
    add_command,
    describe,
)
from tests.harness.news_site import Server, files_in


def real(path: Path) -> Path:
    return path.resolve()


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text("utf-8")
    match = re.match(r"---\n(.*?)^---$", text, re.DOTALL | re.MULTILINE)
    assert match
    return yaml.safe_load(match.group(1))  # type: ignore[no-any-return]


async def test_an_article_is_saved_among_the_shared_articles(
    server: Server, local: FetchOptions, corpus_dir: Path
) -> None:
    url = server.url("/news/harbor_jsonld")
    added = await add_article_from_url(url, corpus_dir, options=local)
    assert added.relative_path == "city-council-approves-48-million-harbor-seawall.md"
    assert added.path == real(corpus_dir) / added.relative_path
    assert (added.title, added.publisher, added.authors) == (
        "City council approves $48 million harbor seawall",
        "Harbor Times",
        ("Maria Lopez", "Tom Becker"),
    )
    assert added.published == "2024-03-12T09:30:00-05:00"
    assert added.paragraphs == 7
    assert added.sentences >= 7
    assert not added.replaced
    assert front_matter(added.path) == {
        "title": "City council approves $48 million harbor seawall",
        "publisher": "Harbor Times",
        "authors": ["Maria Lopez", "Tom Becker"],
        "url": url,
        "published": "2024-03-12T09:30:00-05:00",
    }
    corpus = load_corpus(corpus_dir)
    assert corpus.failures == []
    [article] = corpus.articles
    assert article.title == added.title
    assert article.url == url
    assert article.paragraphs == added.article.paragraphs
    assert article.paragraphs[0].startswith("The city council voted 7 to 2")
    assert describe(added) == (
        "Added \u201cCity council approves $48 million harbor seawall\u201d (Harbor Times, 2024-03-12T09:30:00-05:00): "
        f"7 paragraphs, {added.sentences} sentences, as city-council-approves-48-million-harbor-seawall.md"
    )
    assert files_in(corpus_dir) == [added.relative_path]  # no temporary file left behind


@pytest.mark.parametrize("name", ["valley_meta", "wire_string_author", "plain_fallback"])
async def test_every_test_page_loads_back(server: Server, local: FetchOptions, corpus_dir: Path, name: str) -> None:
    added = await add_article_from_url(server.url(f"/news/{name}"), corpus_dir, options=local)
    corpus = load_corpus(corpus_dir)
    assert corpus.failures == []
    assert [a.paragraphs for a in corpus.articles] == [added.article.paragraphs]
    assert corpus.articles[0].publisher == added.publisher
    assert corpus.articles[0].authors == added.authors


async def test_a_server_gets_its_own_folder(server: Server, local: FetchOptions, corpus_dir: Path) -> None:
    added = await add_article_from_url(server.url("/news/valley_meta"), corpus_dir, server_id=123456789, options=local)
    assert added.relative_path == "servers/123456789/school-district-delays-start-times-after-bus-driver-shortage.md"
    assert added.path.is_file()


@pytest.mark.parametrize("server_id", ["0", "-5", "abc", "../../etc", "12/34", " ", "1e9", True, 2**64])
async def test_a_bad_server_id_is_refused_before_fetching(
    server: Server, local: FetchOptions, corpus_dir: Path, server_id: object
) -> None:
    with pytest.raises(SaveFailed, match="server id must be a positive whole number"):
        await add_article_from_url(server.url("/news/valley_meta"), corpus_dir, server_id=server_id, options=local)  # type: ignore[arg-type]
    assert server.stats.requests == []
    assert files_in(corpus_dir) == []


async def test_the_same_link_twice_is_refused_unless_replaced(
    server: Server, local: FetchOptions, corpus_dir: Path
) -> None:
    url = server.url("/news/wire_string_author")
    first = await add_article_from_url(url, corpus_dir, options=local)
    with pytest.raises(AlreadyThere, match=f"already there: {first.relative_path}"):
        await add_article_from_url(url + "#comments", corpus_dir, options=local)
    assert server.stats.requests.count("/news/wire_string_author") == 1  # refused before fetching
    # The same page through a redirect: found by its final link after fetching.
    with pytest.raises(AlreadyThere):
        await add_article_from_url(server.url(f"/redirect?to={quote(url)}"), corpus_dir, options=local)
    again = await add_article_from_url(url, corpus_dir, replace=True, options=local)
    assert again.replaced
    assert again.path == first.path
    assert files_in(corpus_dir) == [first.relative_path]
    assert describe(again).startswith("Replaced ")


async def test_another_article_with_the_same_title_gets_its_own_name(
    server: Server, local: FetchOptions, corpus_dir: Path
) -> None:
    one = await add_article_from_url(server.url("/titled?title=Same+title"), corpus_dir, options=local)
    two = await add_article_from_url(server.url("/titled?title=Same+title&v=2"), corpus_dir, options=local)
    assert (one.relative_path, two.relative_path) == ("same-title.md", "same-title-2.md")


@pytest.mark.parametrize(
    "title",
    [
        "../../../etc/passwd",
        "..\\..\\windows\\system32 <script>alert(1)</script>",
        "@everyone <@&123456> <@!42> @here: breaking news",
        "title: injected\nurl: http://evil.example/\n---",
        "/absolute/path.md",
        "\u202eevil\u202c \u0000 nul",
        "# heading ## and more",
    ],
)
async def test_hostile_titles_are_saved_safely(
    server: Server, local: FetchOptions, corpus_dir: Path, title: str
) -> None:
    added = await add_article_from_url(server.url(f"/titled?title={quote(title)}"), corpus_dir, options=local)
    name = added.relative_path
    assert "/" not in name
    assert "\\" not in name
    assert "@" not in name
    assert "<" not in name
    assert not name.startswith(".")
    assert added.path.parent == real(corpus_dir)
    assert files_in(corpus_dir) == [name]
    fields = front_matter(added.path)
    assert set(fields) == {"title", "publisher", "url"}
    assert fields["url"] == str(URL(server.url(f"/titled?title={quote(title)}")))
    assert "\n" not in str(fields["title"])
    assert "\u202e" not in str(fields["title"])
    [article] = load_corpus(corpus_dir).articles
    assert article.title == fields["title"] == added.title
    assert article.url == fields["url"]


@pytest.mark.parametrize(
    ("path", "options", "error", "message"),
    [
        ("/news/harbor_jsonld", FetchOptions(), BlockedAddress, "private, loopback"),
        ("/never", FetchOptions(allow_private=True, timeout=0.4), FetchTimeout, "did not arrive"),
        ("/trickle", FetchOptions(allow_private=True, timeout=0.4), FetchTimeout, "did not arrive"),
        ("/huge", FetchOptions(allow_private=True), TooLarge, "larger than 5 MB"),
        ("/bomb", FetchOptions(allow_private=True, max_bytes=512 * 1024), TooLarge, "once decompressed"),
        ("/binary/png", FetchOptions(allow_private=True), NotHtml, "an image"),
        ("/binary/pdf", FetchOptions(allow_private=True), NotHtml, "a PDF document"),
        ("/news/listing", FetchOptions(allow_private=True), NotAnArticle, "mostly links"),
        ("/news/login_wall", FetchOptions(allow_private=True), NotAnArticle, "too little article text"),
        ("/bad-utf8", FetchOptions(allow_private=True), BadEncoding, "not valid UTF-8"),
        ("/redirect?to=http://10.0.0.1/", FetchOptions(allow_private=False), BlockedAddress, "private"),
    ],
)
async def test_refusals_write_nothing(
    server: Server,
    corpus_dir: Path,
    path: str,
    options: FetchOptions,
    error: type[FetchError],
    message: str,
) -> None:
    with pytest.raises(error, match=message) as caught:
        await add_article_from_url(server.url(path), corpus_dir, server_id=42, options=options)
    assert "\n" not in str(caught.value)
    assert files_in(corpus_dir) == []


def test_the_command_line_entry(corpus_dir: Path) -> None:
    """``python -m bot add``: one line and exit 2 for a refusal (its own event
    loop: these are refused before connecting, the server is not needed)."""
    code, line = add_command("ftp://example.com/x", corpus_dir)
    assert (code, line) == (2, "error: only http:// and https:// links can be fetched, not ftp:")
    code, line = add_command("http://127.0.0.1:9/x", corpus_dir)
    assert code == 2
    assert line.startswith("error: 127.0.0.1 is a private, loopback")
    code, line = add_command("https://example.com/", corpus_dir / "missing")
    assert code == 2
    assert "does not exist" in line
    assert files_in(corpus_dir) == []


async def test_the_command_line_entry_saves(server: Server, local: FetchOptions, corpus_dir: Path) -> None:
    import asyncio

    code, line = await asyncio.to_thread(add_command, server.url("/news/valley_meta"), corpus_dir, options=local)
    assert code == 0
    assert Path(line) == real(corpus_dir) / Path(line).name
    assert files_in(corpus_dir) == [Path(line).name]


async def test_bad_links_are_refused_before_anything(corpus_dir: Path) -> None:
    with pytest.raises(BadUrl, match="user name or password"):
        await add_article_from_url("http://me:pw@example.com/", corpus_dir)
    options = dataclasses.replace(FetchOptions(), allow_private=True)
    with pytest.raises(BadUrl):
        await add_article_from_url("gopher://example.com/", corpus_dir, options=options)
