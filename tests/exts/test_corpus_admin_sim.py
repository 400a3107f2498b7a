"""/corpus add and /corpus remove in simcord's offline Discord."""

from __future__ import annotations

from pathlib import Path

import pytest
from simcord import SetupError

from tests.exts.simworld import plain
from tests.exts.test_admin_sim import NEW_ARTICLE, Admins, admins, response_text, simcord_bot

__all__ = ["admins", "simcord_bot"]  # fixtures used here

LIGHTHOUSE = NEW_ARTICLE.encode()


async def ask(admins: Admins, text: str) -> str:
    assert admins.bot.user is not None
    await admins.reader.send(admins.channel, f"{admins.bot.user.mention} {text}")
    return plain(admins.channel.history()[-1].content)


async def test_upload_is_validated_written_under_its_own_name_and_reloaded(admins: Admins) -> None:
    result = await admins.admin.slash(admins.channel, "corpus add", file=("../../etc/passwd.txt", LIGHTHOUSE))
    text = response_text(result)
    assert "Added as lighthouse-keeper-retires-after-forty-years.txt" in text
    assert "1 added" in text
    assert (admins.corpus / "lighthouse-keeper-retires-after-forty-years.txt").read_bytes() == LIGHTHOUSE
    assert not [p for p in admins.corpus.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert "Tomas Reyes" in await ask(admins, "Who kept the Porthaven lighthouse?")


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("story.pdf", b"%PDF-1.4", "Only .jsonl, .md, .txt"),
        ("story.txt", b"\xff\xfe\x00bad", "binary file"),
        ("story.txt", b"Title\n\n\xe9t\xe9 caf\xe9\n", "not UTF-8"),
        ("story.txt", b"Only a title\n", "no text after the title"),
        ("story.jsonl", b'{"title": "x"\n', "not valid JSON"),
    ],
)
async def test_bad_uploads_are_refused_with_the_reason(admins: Admins, filename: str, data: bytes, reason: str) -> None:
    before = sorted(p.name for p in admins.corpus.iterdir())
    result = await admins.admin.slash(admins.channel, "corpus add", file=(filename, data))
    assert reason in response_text(result)
    assert sorted(p.name for p in admins.corpus.iterdir()) == before


async def test_too_big_is_refused(admins: Admins) -> None:
    admins.bot.settings.upload_max_bytes = 100
    result = await admins.admin.slash(admins.channel, "corpus add", file=("big.txt", LIGHTHOUSE))
    assert "limit" in response_text(result)
    assert not (admins.corpus / "lighthouse-keeper-retires-after-forty-years.txt").exists()


async def test_same_name_needs_replace(admins: Admins) -> None:
    await admins.admin.slash(admins.channel, "corpus add", file=("a.txt", LIGHTHOUSE))
    changed = LIGHTHOUSE.replace(b"Tomas Reyes", b"Tomasz Rey")
    again = await admins.admin.slash(admins.channel, "corpus add", file=("b.txt", changed))
    assert "already exists" in response_text(again)
    assert "Tomas Reyes" in await ask(admins, "Who kept the Porthaven lighthouse?")
    replaced = await admins.admin.slash(admins.channel, "corpus add", file=("b.txt", changed), replace=True)
    assert "1 changed" in response_text(replaced)
    assert "Tomasz Rey" in await ask(admins, "Who kept the Porthaven lighthouse?")


async def test_readers_cannot_upload(admins: Admins) -> None:
    with pytest.raises(SetupError, match="not visible"):
        await admins.reader.slash(admins.channel, "corpus add", file=("a.txt", LIGHTHOUSE))


async def test_remove_asks_for_confirmation(admins: Admins) -> None:
    await admins.admin.slash(admins.channel, "corpus add", file=("a.txt", LIGHTHOUSE))
    engine = admins.bot.engine
    assert engine is not None
    key = next(a.key for a in engine.articles if a.title.startswith("Lighthouse"))
    choices = await admins.admin.autocomplete(admins.channel, "corpus remove", "article", "light")
    assert [c["value"] for c in choices] == [key]

    asked = await admins.admin.slash(admins.channel, "corpus remove", article=key)
    assert "Remove \u201cLighthouse keeper retires after forty years\u201d" in response_text(asked)
    await admins.admin.click(asked.response, label="Cancel")
    await admins.env.settle()
    assert (admins.corpus / "lighthouse-keeper-retires-after-forty-years.txt").exists()

    asked = await admins.admin.slash(admins.channel, "corpus remove", article=key)
    await admins.admin.click(asked.response, label="Remove")
    await admins.env.settle()
    assert not (admins.corpus / "lighthouse-keeper-retires-after-forty-years.txt").exists()
    assert "doesn't say" in await ask(admins, "Who kept the Porthaven lighthouse?")
    assert "command post" in await ask(admins, "Where did Putin and Assad meet?")


def test_paths_never_leave_the_corpus(tmp_path: Path) -> None:
    from bot.engine.corpus_files import CorpusFileError, write_file

    with pytest.raises(CorpusFileError):
        write_file(tmp_path, "../escape.txt", b"x")
    with pytest.raises(CorpusFileError):
        write_file(tmp_path, ".hidden.txt", b"x")
    assert not (tmp_path.parent / "escape.txt").exists()
