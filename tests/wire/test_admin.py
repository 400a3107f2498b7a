"""Admins over the wire: the unmodified bot against the fake Discord.

A member without Manage Server is refused /reload; an admin's /reload makes
a newly added article of the server's own answerable (an operator's, of the
shared articles, too); a broken file is named in the reply and the story
still answers."""

from __future__ import annotations

from pathlib import Path

from bot.service import server_folder
from tests.harness.fake_discord import FakeDiscord
from tests.harness.wire import ask_by_mention, reload_as, running_bot

LIGHTHOUSE = """Lighthouse keeper retires after forty years

The Harbour Gazette
Mina Ortiz

PORTHAVEN — The keeper of the Porthaven lighthouse, Tomas Reyes, retired on Sunday after forty years of service.
"""


async def test_member_without_manage_server_is_refused(fake: FakeDiscord, corpus: Path) -> None:
    async with running_bot(fake, corpus_dir=corpus) as bot:
        old = bot.service.engine
        text = await reload_as(fake, admin=False)
        assert "permission" in text.lower()
        assert bot.service.engine is old


async def test_admin_reload_makes_a_new_article_answerable(fake: FakeDiscord, corpus: Path) -> None:
    async with running_bot(fake, corpus_dir=corpus):
        _, before = await ask_by_mention(fake, "Who kept the Porthaven lighthouse?")
        assert "doesn't say" in before.json["content"]
        own = server_folder(corpus, fake.guild_id)
        own.mkdir(parents=True)
        (own / "lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
        text = await reload_as(fake, admin=True)
        assert "1 added" in text
        _, after = await ask_by_mention(fake, "Who kept the Porthaven lighthouse?")
        assert "Tomas Reyes" in after.json["content"]


async def test_operator_reload_makes_a_new_shared_article_answerable(fake: FakeDiscord, corpus: Path) -> None:
    async with running_bot(fake, corpus_dir=corpus):
        _, before = await ask_by_mention(fake, "Who kept the Porthaven lighthouse?")
        assert "doesn't say" in before.json["content"]
        (corpus / "lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
        text = await reload_as(fake, admin=True, shared=True)
        assert "1 added" in text
        _, after = await ask_by_mention(fake, "Who kept the Porthaven lighthouse?")
        assert "Tomas Reyes" in after.json["content"]


async def test_broken_file_is_named_and_the_story_still_answers(fake: FakeDiscord, corpus: Path) -> None:
    async with running_bot(fake, corpus_dir=corpus):
        own = server_folder(corpus, fake.guild_id)
        own.mkdir(parents=True)
        (own / "broken.jsonl").write_text('{"title": "Half a line"\n', encoding="utf-8")
        text = await reload_as(fake, admin=True)
        assert "broken.jsonl:1" in text
        assert "not valid JSON" in text
        _, reply = await ask_by_mention(fake, "Where did Putin and Assad meet?")
        assert "command post" in reply.json["content"]
