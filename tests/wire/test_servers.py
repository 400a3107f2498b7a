"""Every server its own articles (#14), over the wire: the unmodified bot
against the fake Discord with two guilds, A (the fake's own) and B
(``FakeDiscord.add_guild``), each with an admin (Manage Server in that guild
only) and a reader.

The corpus is a copy of the project's (the story: shared) with one article
of A's own in ``servers/<A>/``.  A's article answers in A only; B's admin
neither sees it in ``/corpus remove``'s autocomplete nor removes it, by key,
by title or by pressing the confirmation meant for A's admin; a server admin
cannot remove a shared article, an operator can; an upload in B lands in
B's folder only; ``/unanswered``, the buttons and ``/sources`` keep to the
server they are used in.

Each test starts its own bot (well under a second: the index is cached),
since most of them change the corpus folder.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.client import StoryBot
from bot.service import server_folder
from bot.ui import replies
from tests.harness.fake_discord import MANAGE_GUILD, MANAGERS, FakeDiscord, RecordedRequest
from tests.harness.hostile import assert_no_pings
from tests.harness.wire import CALLBACK, FOLLOWUP, MESSAGES, custom_ids, plain, running_bot

B = 1_100_000_000_000_000_900
B_CHANNEL = 1_100_000_000_000_000_901
B_MANAGERS = 1_100_000_000_000_000_902
A_ADMIN = 1_100_000_000_000_000_310
B_ADMIN = 1_100_000_000_000_000_911
B_READER = 1_100_000_000_000_000_912
OPERATOR = 1_100_000_000_000_000_920
"""In ``ADMIN_USER_IDS`` (``operator_bot``); a member of neither guild's managers."""

STORY = "putin-visits-syria-to-meet-assad.txt"
STORY_TITLE = "Putin visits Syria to meet Assad, a key Iran ally"

A_TITLE = "Lighthouse keeper retires after forty years"
A_ARTICLE = f"""{A_TITLE}

The Harbour Gazette
Mina Ortiz

PORTHAVEN — The keeper of the Porthaven lighthouse, Tomas Reyes, retired on Sunday after forty years of service.
The Porthaven lighthouse will get an automatic lamp next spring, the harbour board said.
Reyes said the lighthouse stairs had kept him fit for four decades.
"""
LIGHTHOUSE_Q = "Who kept the Porthaven lighthouse?"
FORTY_YEARS_Q = "Who kept the Porthaven lighthouse for forty years?"
"""A's article answers it best; were B's in A's corpus, it would come next."""

B_TITLE = "Porthaven lighthouse lamp lit again"
B_ARTICLE = f"""{B_TITLE}

The Coastal Courier
Ines Duarte

The Porthaven lighthouse keeper, Ana Lima, lit the lighthouse lamp again on Monday.
Lima kept the Porthaven lighthouse through the winter storms.
"""
"""B's own article: it would answer A's lighthouse question too, were it
ever in A's corpus."""

UPLOAD = """{title}

The Valley Post

The Greyford orchard harvested nine hundred crates of quinces this autumn, a record for the valley.
"""
QUINCE_Q = "How many crates of quinces did the Greyford orchard harvest?"


# -- the two guilds ----------------------------------------------------------------


@dataclass
class Guilds:
    fake: FakeDiscord
    corpus: Path
    bot: StoryBot

    @property
    def a(self) -> int:
        return self.fake.guild_id

    def user(self, user_id: int) -> dict[str, Any]:
        return self.fake.users[user_id]

    def interaction(self, payload: dict[str, Any], guild: int | None, roles: tuple[int, ...] = ()) -> dict[str, Any]:
        """A payload built by the fake for guild A, moved to ``guild`` (B)."""
        return self.fake.to_guild(payload, B, roles=roles) if guild == B else payload

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user: int,
        guild: int | None,
        roles: tuple[int, ...] = (),
    ) -> tuple[RecordedRequest, str]:
        """Dispatch a slash command (``guild`` None: in a DM); the callback and
        the text the user finally sees (the follow-up after a defer)."""
        payload = self.fake.slash_command(
            name, options, user=self.user(user), guild=guild is not None, roles=() if guild == B else roles
        )
        payload = self.interaction(payload, guild, roles)
        mark = len(self.fake.requests)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        callback = await self.fake.wait_for_request("POST", CALLBACK, since=mark, predicate=_for(payload))
        assert callback.status == 200, callback.response
        if callback.json["type"] == 4:
            return callback, str(callback.json["data"]["content"])
        assert callback.json["type"] == 5, callback.json
        follow = await self.fake.wait_for_request(
            "POST", FOLLOWUP, timeout=20, since=mark, predicate=lambda r: r.params["token"] == payload["token"]
        )
        return callback, str(follow.json["content"])

    async def ask(self, question: str, *, guild: int | None, user: int | None = None) -> str:
        """``/ask question`` by a reader; the answer's text as a reader sees it."""
        reader = user or (B_READER if guild == B else self.fake.reader_id)
        _, text = await self.slash("ask", {"question": question}, user=reader, guild=guild)
        return plain(text)

    async def mention(self, question: str, *, guild: int) -> RecordedRequest:
        """A reader mentions the bot with ``question`` in ``guild``'s channel; the bot's reply."""
        author = self.user(B_READER if guild == B else self.fake.reader_id)
        message = self.fake.message_create(f"{self.fake.mention()} {question}", author=author)
        if guild == B:
            message = self.fake.to_guild(message, B)
        mark = len(self.fake.requests)
        await self.fake.dispatch("MESSAGE_CREATE", message)
        reply = await self.fake.wait_for_request("POST", MESSAGES, since=mark)
        assert reply.params["channel_id"] == message["channel_id"]
        assert reply.status == 200, reply.response
        return reply

    async def admin(
        self, name: str, options: dict[str, Any] | list[dict[str, Any]] | None = None, *, guild: int
    ) -> tuple[RecordedRequest, str]:
        """``name`` by ``guild``'s admin (Manage Server there)."""
        if guild == B:
            return await self.slash(name, options, user=B_ADMIN, guild=B, roles=(B_MANAGERS,))
        return await self.slash(name, options, user=A_ADMIN, guild=self.a, roles=(MANAGERS,))

    async def remove(
        self, article: str, *, guild: int, user: int | None = None, shared: bool | None = None
    ) -> RecordedRequest:
        """``/corpus remove article [shared]`` (by ``guild``'s admin unless
        ``user``, who then has no role); its callback."""
        inner: list[dict[str, Any]] = [{"name": "article", "type": 3, "value": article}]
        if shared is not None:
            inner.append({"name": "shared", "type": 5, "value": shared})
        options = [{"name": "remove", "type": 1, "options": inner}]
        if user is None:
            callback, _ = await self.admin("corpus", options, guild=guild)
        else:
            callback, _ = await self.slash("corpus", options, user=user, guild=guild)
        return callback

    async def choices(
        self, current: str = "", *, guild: int, user: int | None = None, shared: bool | None = None
    ) -> list[dict[str, Any]]:
        """``/corpus remove``'s autocomplete for ``article`` (by ``guild``'s
        admin unless ``user``): the choices the bot offers."""
        inner: list[dict[str, Any]] = [{"name": "article", "type": 3, "value": current, "focused": True}]
        if shared is not None:
            inner.append({"name": "shared", "type": 5, "value": shared})
        options = [{"name": "remove", "type": 1, "options": inner}]
        roles: tuple[int, ...] = ()
        if user is None:
            user, roles = (B_ADMIN, (B_MANAGERS,)) if guild == B else (A_ADMIN, (MANAGERS,))
        payload = self.fake.slash_command("corpus", options, user=self.user(user), roles=() if guild == B else roles)
        payload = self.interaction({**payload, "type": 4}, guild, roles)
        mark = len(self.fake.requests)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        callback = await self.fake.wait_for_request("POST", CALLBACK, since=mark, predicate=_for(payload))
        assert callback.json["type"] == 8, callback.json
        return list(callback.json["data"]["choices"])

    async def click(
        self, custom_id: str, message: dict[str, Any], *, user: int, guild: int, roles: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        """Dispatch a press of ``custom_id`` under ``message``; the interaction."""
        payload = self.interaction(self.fake.button_click(custom_id, message, user=self.user(user)), guild, roles)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def press(self, custom_id: str, message: dict[str, Any], *, guild: int) -> dict[str, Any]:
        """A reader of ``guild`` presses a button under an answer; the
        message the bot answers with (ephemeral)."""
        mark = len(self.fake.requests)
        user = B_READER if guild == B else self.fake.reader_id
        payload = await self.click(custom_id, message, user=user, guild=guild)
        callback = await self.fake.wait_for_request("POST", CALLBACK, since=mark, predicate=_for(payload))
        assert callback.json["type"] == 4, callback.json
        message = callback.response["resource"]["message"]
        assert message["flags"] & 64
        return dict(message)

    async def key_of(self, title: str, guild: int | None) -> str:
        """An article's key, as autocomplete offers it: one of ``guild``'s
        own (to its admin), or a shared one (None: to the application's owner)."""
        if guild is None:
            choices = await self.choices(guild=self.a, user=self.fake.owner_id, shared=True)
        else:
            choices = await self.choices(guild=guild)
        return str(next(c["value"] for c in choices if c["name"] == title))


def _button(message: dict[str, Any], label: str) -> str:
    """The custom id of the button labelled ``label`` under ``message``."""
    buttons = [b for row in message["components"] for b in row["components"]]
    return str(next(b["custom_id"] for b in buttons if b.get("label") == label))


def _for(payload: dict[str, Any]) -> Any:
    return lambda r: r.params.get("interaction_id") == payload["id"]


@pytest.fixture
def two_corpus(corpus: Path, fake: FakeDiscord) -> Path:
    """The story (shared) and A's article in ``servers/<A>/``."""
    own = server_folder(corpus, fake.guild_id)
    own.mkdir(parents=True)
    (own / "lighthouse.txt").write_text(A_ARTICLE, encoding="utf-8")
    return corpus


@contextlib.asynccontextmanager
async def two_guilds(fake: FakeDiscord, corpus: Path, **overrides: Any) -> AsyncIterator[Guilds]:
    """The bot, ready in guild A, and joined to guild B."""
    fake.add_user(A_ADMIN, "alice-admin", member=True)
    fake.add_user(B_ADMIN, "bruno-admin")
    fake.add_user(B_READER, "bea-reader")
    fake.add_user(OPERATOR, "olga-operator")
    b_managers = fake.make_role(B_MANAGERS, "b-managers", permissions=str(MANAGE_GUILD))
    joined = fake.add_guild(B, B_CHANNEL, [B_ADMIN, B_READER], roles=[b_managers])
    settings = {"question_cooldown_rate": 1000, "answer_channel_ids": [], **overrides}
    async with running_bot(fake, corpus_dir=corpus, **settings) as bot:
        await fake.dispatch("GUILD_CREATE", joined)
        await eventually(lambda: bot.get_guild(B) is not None)
        yield Guilds(fake, corpus, bot)


async def eventually(condition: Callable[[], bool], seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within 5 s")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# -- 1. a server's article answers there only --------------------------------------------


async def test_a_servers_article_answers_there_only(fake: FakeDiscord, two_corpus: Path) -> None:
    async with two_guilds(fake, two_corpus) as g:
        in_a = await g.mention(LIGHTHOUSE_Q, guild=g.a)
        assert "Tomas Reyes" in plain(in_a.json["content"])
        assert A_TITLE in in_a.json["content"]
        assert "Tomas Reyes" in await g.ask(LIGHTHOUSE_Q, guild=g.a)

        in_b = plain((await g.mention(LIGHTHOUSE_Q, guild=B)).json["content"])
        by_slash_in_b = await g.ask(LIGHTHOUSE_Q, guild=B)
        in_dm = await g.ask(LIGHTHOUSE_Q, guild=None, user=B_READER)
        for text in (in_b, by_slash_in_b, in_dm):
            assert text.startswith("The story doesn't say"), text
            assert "Reyes" not in text
            assert A_TITLE not in text
        # The story, shared, still answers in B and in DMs.
        assert "command post in Damascus" in await g.ask("Where did Putin and Assad meet?", guild=B)
        assert "command post in Damascus" in await g.ask("Where did Putin and Assad meet?", guild=None)


# -- 2. another server's admin can neither see nor remove it --------------------------------


async def test_another_servers_admin_neither_sees_nor_removes_it(fake: FakeDiscord, two_corpus: Path) -> None:
    own_b = server_folder(two_corpus, B)
    own_b.mkdir(parents=True)
    (own_b / "lamp.txt").write_text(B_ARTICLE, encoding="utf-8")
    a_file = server_folder(two_corpus, fake.guild_id) / "lighthouse.txt"
    async with two_guilds(fake, two_corpus) as g:
        a_choices = await g.choices(guild=g.a)
        assert [c["name"] for c in a_choices] == [A_TITLE]
        a_key = a_choices[0]["value"]

        # B's admin sees B's own article only, whatever they type.
        for typed in ("", "light", "Lighthouse keeper", a_key):
            offered = await g.choices(typed, guild=B)
            assert A_TITLE not in [c["name"] for c in offered], typed
            assert a_key not in [c["value"] for c in offered], typed
        assert [c["name"] for c in await g.choices(guild=B)] == [B_TITLE]
        assert await g.choices(guild=B, shared=True) == []  # not an operator

        # ...nor removes it, by key or by title.
        for article in (a_key, A_TITLE):
            callback = await g.remove(article, guild=B)
            assert callback.json["data"]["content"] == replies.NOT_YOURS
            assert callback.json["data"]["flags"] & 64
            assert not custom_ids(callback.json["data"])  # no confirmation to press
        callback = await g.remove(a_key, guild=B, shared=True)
        assert callback.json["data"]["content"] == replies.OPERATORS_ONLY
        assert a_file.is_file()

        # A's admin asks to remove it: the confirmation, with its Remove button.
        asking = await g.remove(a_key, guild=g.a)
        confirm = asking.response["resource"]["message"]
        assert A_TITLE in plain(confirm["content"])
        remove_id = _button(confirm, "Remove")

        # B's admin presses that very button (in B with Manage Server there,
        # and in A): nothing is removed, nor is A's confirmation answered.
        mark = len(fake.requests)
        pressed = [
            await g.click(remove_id, confirm, user=B_ADMIN, guild=B, roles=(B_MANAGERS,)),
            await g.click(remove_id, confirm, user=B_ADMIN, guild=g.a),
        ]
        await asyncio.sleep(0.5)
        assert a_file.is_file()
        assert not fake.find_requests("POST", CALLBACK, since=mark)
        assert not fake.find_requests("POST", FOLLOWUP, since=mark)
        assert all(not fake.interactions[int(p["id"])]["acknowledged"] for p in pressed)
        assert "Tomas Reyes" in await g.ask(LIGHTHOUSE_Q, guild=g.a)

        # The same button pressed by A's admin removes it: the id was the real one.
        mark = len(fake.requests)
        await g.click(remove_id, confirm, user=A_ADMIN, guild=g.a, roles=(MANAGERS,))
        done = await fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=20)
        assert "Removed" in done.json["content"]
        assert not a_file.exists()
        assert (own_b / "lamp.txt").is_file()
        assert (two_corpus / STORY).is_file()


# -- 3. the shared articles: operators only ---------------------------------------------------


async def test_a_server_admin_cannot_remove_a_shared_article(fake: FakeDiscord, two_corpus: Path) -> None:
    async with two_guilds(fake, two_corpus) as g:
        story_key = await g.key_of(STORY_TITLE, None)
        assert await g.choices(guild=g.a, shared=True) == []
        for guild in (g.a, B):
            assert STORY_TITLE not in [c["name"] for c in await g.choices(guild=guild)]
            refused = await g.remove(story_key, guild=guild, shared=True)
            assert refused.json["data"]["content"] == replies.OPERATORS_ONLY
            for article in (story_key, STORY_TITLE):
                refused = await g.remove(article, guild=guild)
                assert refused.json["data"]["content"] == replies.NOT_YOURS
        assert (two_corpus / STORY).is_file()
        assert "command post in Damascus" in await g.ask("Where did Putin and Assad meet?", guild=g.a)


async def _operator_removes_the_story(g: Guilds, operator: int, guild: int) -> None:
    choices = await g.choices(guild=guild, user=operator, shared=True)
    assert [c["name"] for c in choices] == [STORY_TITLE]  # the shared articles only
    story_key = choices[0]["value"]
    asking = await g.remove(story_key, guild=guild, user=operator, shared=True)
    confirm = asking.response["resource"]["message"]
    remove_id = _button(confirm, "Remove")
    mark = len(g.fake.requests)
    await g.click(remove_id, confirm, user=operator, guild=guild)
    done = await g.fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=20)
    assert "Removed" in done.json["content"], done.json["content"]
    assert not (g.corpus / STORY).exists()
    # A's own article stays, and still answers there.
    assert (server_folder(g.corpus, g.a) / "lighthouse.txt").is_file()
    assert "Tomas Reyes" in await g.ask(LIGHTHOUSE_Q, guild=g.a)


async def test_the_application_owner_removes_a_shared_article(fake: FakeDiscord, two_corpus: Path) -> None:
    async with two_guilds(fake, two_corpus) as g:
        await _operator_removes_the_story(g, fake.owner_id, B)


async def test_an_admin_user_id_removes_a_shared_article_a_role_admin_cannot(
    fake: FakeDiscord, two_corpus: Path
) -> None:
    async with two_guilds(fake, two_corpus, admin_user_ids=[OPERATOR], admin_role_ids=[MANAGERS]) as g:
        story_key = await g.key_of(STORY_TITLE, None)
        refused = await g.remove(story_key, guild=g.a, shared=True)  # an admin by ADMIN_ROLE_IDS
        assert refused.json["data"]["content"] == replies.OPERATORS_ONLY
        assert (two_corpus / STORY).is_file()
        await _operator_removes_the_story(g, OPERATOR, g.a)


# -- 4. an upload in B lands in B's folder only ---------------------------------------------------


@contextlib.asynccontextmanager
async def attachment_host(data: bytes) -> AsyncIterator[str]:
    """A stand-in for Discord's CDN on 127.0.0.1, serving ``data`` at every
    path; its base URL."""

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=data, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/attachments"
    finally:
        await runner.cleanup()


async def _upload(g: Guilds, url: str, file_name: str, size: int) -> str:
    """``/corpus add file`` by B's admin, of ``url`` named ``file_name``; the text they see."""
    attachment_id = str(g.fake.snowflake())
    options = [{"name": "add", "type": 1, "options": [{"name": "file", "type": 11, "value": attachment_id}]}]
    payload = g.fake.to_guild(g.fake.slash_command("corpus", options, user=g.user(B_ADMIN)), B, roles=(B_MANAGERS,))
    attachment = {"id": attachment_id, "filename": file_name, "size": size, "url": url, "proxy_url": url}
    payload["data"]["resolved"] = {"attachments": {attachment_id: {**attachment, "content_type": "text/plain"}}}
    mark = len(g.fake.requests)
    await g.fake.dispatch("INTERACTION_CREATE", payload)
    follow = await g.fake.wait_for_request(
        "POST", FOLLOWUP, timeout=20, since=mark, predicate=lambda r: r.params["token"] == payload["token"]
    )
    assert_no_pings(follow.json)
    return str(follow.json["content"])


@pytest.mark.parametrize(
    ("title", "file_name"),
    [("../../evil", "../../evil.txt"), ("<@&123> @everyone ../quinces", "..%2F..%2Fquinces.txt")],
)
async def test_an_upload_in_b_lands_in_bs_folder_only(
    fake: FakeDiscord, two_corpus: Path, title: str, file_name: str
) -> None:
    data = UPLOAD.format(title=title).encode()
    tree = two_corpus.parent  # the corpus folder and everything beside it
    before = files_under(tree)
    async with attachment_host(data) as base, two_guilds(fake, two_corpus) as g:
        assert "doesn't say" in await g.ask(QUINCE_Q, guild=B)
        text = await _upload(g, f"{base}/{file_name}", file_name, len(data))
        assert text.startswith("Added as "), text
        assert "1 added" in text, text

        new = files_under(tree) - before
        own_b = server_folder(two_corpus, B).resolve()
        assert len(new) == 1, sorted(map(str, new))
        written = new.pop()
        assert written.resolve().parent == own_b
        assert written.read_bytes() == data
        assert ".." not in written.name
        assert "@" not in written.name
        assert "<" not in written.name

        answer = await g.ask(QUINCE_Q, guild=B)
        assert "nine hundred crates" in answer, answer
        for text in (await g.ask(QUINCE_Q, guild=g.a), await g.ask(QUINCE_Q, guild=None)):
            assert text.startswith("The story doesn't say"), text
            assert "nine hundred" not in text


# -- 5. /unanswered: that server's questions only ----------------------------------------------


async def test_unanswered_shows_that_servers_questions_only(fake: FakeDiscord, two_corpus: Path) -> None:
    asked_in_a = "Who won the cricket match in Leeds?"
    asked_in_b = "What colour is the moon over Bristol?"
    async with two_guilds(fake, two_corpus) as g:
        assert "doesn't say" in await g.ask(asked_in_a, guild=g.a)
        assert "doesn't say" in plain((await g.mention(asked_in_b, guild=B)).json["content"])
        store = g.bot.service.store
        assert store is not None
        for _ in range(250):  # the log is written once the reply is sent
            if await store.unanswered(guild_id=g.a) and await store.unanswered(guild_id=B):
                break
            await asyncio.sleep(0.02)

        _, in_a = await g.admin("unanswered", guild=g.a)
        _, in_b = await g.admin("unanswered", guild=B)
        assert asked_in_a in plain(in_a), in_a
        assert asked_in_b not in plain(in_a)
        assert "Bristol" not in in_a
        assert asked_in_b in plain(in_b), in_b
        assert "Leeds" not in in_b


# -- 6. the buttons keep to their server -----------------------------------------------------------


async def test_next_best_answer_in_a_never_quotes_b(fake: FakeDiscord, two_corpus: Path) -> None:
    own_b = server_folder(two_corpus, B)
    own_b.mkdir(parents=True)
    (own_b / "lamp.txt").write_text(B_ARTICLE, encoding="utf-8")
    async with two_guilds(fake, two_corpus) as g:
        # B's article answers the question in B: were it in A's corpus, it would rank there.
        in_b = await g.mention(FORTY_YEARS_Q, guild=B)
        assert B_TITLE in plain(in_b.json["content"])

        in_a = await g.mention(FORTY_YEARS_Q, guild=g.a)
        answer = in_a.response
        assert "Tomas Reyes" in plain(answer["content"])
        assert "Lima" not in answer["content"]

        # "Show paragraph" works in A; the same button pressed in B does not show A's article.
        para = next(i for i in custom_ids(answer) if i.startswith("sb:para:"))
        shown = await g.press(para, answer, guild=g.a)
        assert "Tomas Reyes" in plain(shown["content"])
        assert (await g.press(para, answer, guild=B))["content"] == replies.ARTICLE_GONE

        # "Next best answer", pressed again and again in A: never B's article.
        quoted: list[str] = []
        message = answer
        while True:
            following = [i for i in custom_ids(message) if i.startswith("sb:next:")]
            if not following:
                break
            message = await g.press(following[0], message, guild=g.a)
            quoted.append(plain(message["content"]))
            if message["content"] == replies.LAST_ANSWER:
                break
        assert quoted, "no next best answer was offered"
        assert any("lighthouse" in q for q in quoted), quoted  # A's other sentences came next
        for text in quoted:
            assert "Lima" not in text, text
            assert B_TITLE not in text, text
            assert "Coastal Courier" not in text, text


# -- 7. /sources: what that server sees ---------------------------------------------------------------


async def test_sources_lists_what_that_server_sees(fake: FakeDiscord, two_corpus: Path) -> None:
    own_b = server_folder(two_corpus, B)
    own_b.mkdir(parents=True)
    (own_b / "lamp.txt").write_text(B_ARTICLE, encoding="utf-8")
    async with two_guilds(fake, two_corpus) as g:
        _, in_a = await g.slash("sources", user=fake.reader_id, guild=g.a)
        _, in_b = await g.slash("sources", user=B_READER, guild=B)
        lines_a = plain(in_a).splitlines()
        lines_b = plain(in_b).splitlines()

        def line(lines: list[str], title: str) -> str:
            found = [item for item in lines if f"\u201c{title}\u201d" in item]
            assert len(found) == 1, (title, lines)
            return found[0]

        assert line(lines_a, STORY_TITLE).endswith("shared")
        assert line(lines_a, A_TITLE).endswith("this server's")
        assert not any(B_TITLE in item for item in lines_a)
        assert line(lines_b, STORY_TITLE).endswith("shared")
        assert line(lines_b, B_TITLE).endswith("this server's")
        assert not any(A_TITLE in item for item in lines_b)
        assert len(lines_a) == len(lines_b) == 2
