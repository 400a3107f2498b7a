"""``/corpus add url`` (``bot/exts/corpus.py``) in simcord's offline
Discord, fetching from the tests' own news site on loopback
(``tests/harness/news_site.py``): the article is kept among the server's own
articles, reloaded and answered from; every refusal is one line and writes
nothing; the page's words reach the reply escaped.  Who may run it:
``tests/exts/test_checks.py``.  The fetcher itself:
``tests/fetch/``."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from bot.ui.replies import FILE_OR_LINK, REPLACE_HINT
from tests.harness.news_site import Server, files_in, server
from tests.harness.sim import LIGHTHOUSE, World, plain, response_text

__all__ = ["server"]  # the fixture, imported for these tests


@pytest.fixture
def loopback(world: World) -> World:
    """The bot may fetch from loopback (``FETCH_ALLOW_PRIVATE=true``), where
    the tests' news site is."""
    world.bot.settings.fetch_allow_private = True
    return world


async def ask(world: World, text: str) -> str:
    assert world.bot.user is not None
    await world.alice.send(world.channel, f"{world.bot.user.mention} {text}")
    return plain(world.channel.history()[-1].content)


async def add(world: World, url: str, **options: object) -> str:
    return response_text(await world.admin.slash(world.channel, "corpus add", url=url, **options))


async def test_a_link_becomes_one_of_the_servers_articles(loopback: World, server: Server) -> None:
    before = await ask(loopback, "How many drivers does the Valley district employ?")
    assert "62 drivers" not in before
    text = await add(loopback, server.url("/news/valley_meta"))
    assert "Added \u201cSchool district delays start times after bus driver shortage\u201d (The Valley Ledger" in text
    assert "paragraphs" in text
    assert "sentences" in text
    [name] = files_in(loopback.own)
    assert (loopback.own / name).read_text("utf-8").startswith("---\ntitle:")
    assert "62 drivers" in await ask(loopback, "How many drivers does the Valley district employ?")
    assert server.stats.requests == ["/news/valley_meta"]


async def test_the_same_link_twice_needs_replace(loopback: World, server: Server) -> None:
    url = server.url("/news/valley_meta")
    await add(loopback, url)
    again = await add(loopback, url)
    assert "already there" in again
    assert again.endswith(REPLACE_HINT)
    replaced = await add(loopback, url, replace=True)
    assert "Replaced" in replaced
    assert len(files_in(loopback.own)) == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/listing", "not an article"),
        ("/binary/pdf", "not a web page"),
        ("/huge?declared=1", "larger than"),
        ("/bomb", "larger than"),
        ("/bad-utf8", "not valid UTF-8"),
    ],
)
async def test_refusals_are_one_line_and_write_nothing(loopback: World, server: Server, path: str, reason: str) -> None:
    before = files_in(loopback.corpus)
    text = await add(loopback, server.url(path))
    assert text.startswith("Not added: ")
    assert reason in text
    assert "\n" not in text
    assert files_in(loopback.corpus) == before


async def test_loopback_is_refused_by_default(world: World, server: Server) -> None:
    text = await add(world, server.url("/news/valley_meta"))
    assert "private, loopback" in text
    assert server.stats.requests == []  # refused before connecting
    assert files_in(world.own) == []


async def test_a_title_with_mentions_and_markdown_is_escaped(loopback: World, server: Server) -> None:
    title = "@everyone **Breaking** <@123> `rm -rf` ../../etc"
    text = await add(loopback, server.url(f"/titled?title={quote(title)}"))
    assert "**Breaking**" not in text
    assert "\\*\\*Breaking\\*\\*" in text
    [name] = files_in(loopback.own)
    assert "/" not in name
    assert ".." not in name


async def test_a_file_or_a_link_not_both_nor_neither(loopback: World, server: Server) -> None:
    url = server.url("/news/valley_meta")
    both = await loopback.admin.slash(loopback.channel, "corpus add", url=url, file=("a.txt", LIGHTHOUSE))
    assert response_text(both) == FILE_OR_LINK
    neither = await loopback.admin.slash(loopback.channel, "corpus add")
    assert response_text(neither) == FILE_OR_LINK
    assert server.stats.requests == []
