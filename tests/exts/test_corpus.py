"""``/corpus add`` and ``/corpus remove`` (``bot/exts/corpus.py``) in
simcord's offline Discord: an upload is validated, written under a name of
its own among the server's own articles (``World.own``) and reloaded; a
removal asks first, and removes only the server's own.  Who may run them:
``tests/exts/test_checks.py``.

An upload never writes outside the corpus folder: the uploaded file's name
is never used as a path (only its suffix is read), the name comes from the
article's title, and a name already taken by a link that points outside is
refused.  (``write_file`` and ``safe_file_name`` themselves:
``tests/wire/test_secrets.py``.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.engine import CorpusFileError, write_file
from bot.ui.replies import NOT_YOURS
from tests.harness.sim import LIGHTHOUSE, LIGHTHOUSE_FILE, NEW_ARTICLE, STORY_FILE, World, plain, response_text


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


async def ask(world: World, text: str) -> str:
    assert world.bot.user is not None
    await world.alice.send(world.channel, f"{world.bot.user.mention} {text}")
    return plain(world.channel.history()[-1].content)


async def test_upload_is_validated_written_under_its_own_name_and_reloaded(world: World) -> None:
    result = await world.admin.slash(world.channel, "corpus add", file=("../../etc/passwd.txt", LIGHTHOUSE))
    text = response_text(result)
    assert "Added as lighthouse-keeper-retires-after-forty-years.txt" in text
    assert "1 added" in text
    assert (world.own / "lighthouse-keeper-retires-after-forty-years.txt").read_bytes() == LIGHTHOUSE
    assert not [p for p in world.corpus.rglob(".*")]  # no temporary file left
    assert "Tomas Reyes" in await ask(world, "Who kept the Porthaven lighthouse?")


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
async def test_bad_uploads_are_refused_with_the_reason(world: World, filename: str, data: bytes, reason: str) -> None:
    before = files_under(world.corpus)
    result = await world.admin.slash(world.channel, "corpus add", file=(filename, data))
    assert reason in response_text(result)
    assert files_under(world.corpus) == before


async def test_too_big_is_refused(world: World) -> None:
    world.bot.settings.upload_max_bytes = 100
    result = await world.admin.slash(world.channel, "corpus add", file=("big.txt", LIGHTHOUSE))
    assert "limit" in response_text(result)
    assert not (world.own / "lighthouse-keeper-retires-after-forty-years.txt").exists()


async def test_same_name_needs_replace(world: World) -> None:
    await world.admin.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE))
    changed = LIGHTHOUSE.replace(b"Tomas Reyes", b"Tomasz Rey")
    again = await world.admin.slash(world.channel, "corpus add", file=("b.txt", changed))
    assert "already exists" in response_text(again)
    assert "Tomas Reyes" in await ask(world, "Who kept the Porthaven lighthouse?")
    replaced = await world.admin.slash(world.channel, "corpus add", file=("b.txt", changed), replace=True)
    assert "1 changed" in response_text(replaced)
    assert "Tomasz Rey" in await ask(world, "Who kept the Porthaven lighthouse?")


async def test_remove_asks_for_confirmation(world: World) -> None:
    await world.admin.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE))
    engine = await world.bot.service.engine_for(world.guild.id)
    assert engine is not None
    key = next(a.key for a in engine.articles if a.title.startswith("Lighthouse"))
    choices = await world.admin.autocomplete(world.channel, "corpus remove", "article", "light")
    assert [c["value"] for c in choices] == [key]
    choices = await world.admin.autocomplete(world.channel, "corpus remove", "article", "")
    assert [c["value"] for c in choices] == [key]  # the server's own articles only, not the shared story

    asked = await world.admin.slash(world.channel, "corpus remove", article=key)
    assert "Remove \u201cLighthouse keeper retires after forty years\u201d" in response_text(asked)
    await world.admin.click(asked.response, label="Cancel")
    await world.env.settle()
    assert (world.own / LIGHTHOUSE_FILE).exists()

    asked = await world.admin.slash(world.channel, "corpus remove", article=key)
    await world.admin.click(asked.response, label="Remove")
    await world.env.settle()
    assert not (world.own / LIGHTHOUSE_FILE).exists()
    assert "doesn't say" in await ask(world, "Who kept the Porthaven lighthouse?")
    assert "command post" in await ask(world, "Where did Putin and Assad meet?")


async def test_a_shared_article_is_not_a_servers_to_remove(world: World) -> None:
    engine = world.bot.service.engine
    assert engine is not None
    [story] = engine.articles
    result = await world.admin.slash(world.channel, "corpus remove", article=story.key)
    assert response_text(result) == NOT_YOURS
    assert (world.corpus / STORY_FILE).exists()


def test_paths_never_leave_the_corpus(tmp_path: Path) -> None:
    with pytest.raises(CorpusFileError):
        write_file(tmp_path, "../escape.txt", b"x")
    with pytest.raises(CorpusFileError):
        write_file(tmp_path, ".hidden.txt", b"x")
    assert not (tmp_path.parent / "escape.txt").exists()


# -- the corpus folder is never left ---------------------------------------------------------


@pytest.fixture
def outside(corpus: Path) -> Path:
    """A folder beside the corpus, where nothing may ever be written."""
    folder = corpus.parent / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("untouched\n", encoding="utf-8")
    return folder


def own(world: World, name: str) -> str:
    """``name`` among the server's own articles, as ``files_under`` lists it."""
    return str(world.own.relative_to(world.corpus.parent) / name)


@pytest.mark.parametrize(
    "filename",
    [
        "../x.txt",
        "../../outside/keep.txt",
        "/etc/x.txt",
        "..\\x.txt",
        "..\\..\\outside\\keep.txt",
        "a\x00b.txt",
        "x" * 300 + ".txt",
        ".hidden.txt",
        "~/x.txt",
    ],
)
async def test_the_uploaded_file_name_is_never_a_path(world: World, outside: Path, filename: str) -> None:
    world.own.mkdir(parents=True)
    before = files_under(world.corpus.parent)
    result = await world.admin.slash(world.channel, "corpus add", file=(filename, LIGHTHOUSE))
    assert f"Added as {LIGHTHOUSE_FILE}" in response_text(result)
    assert files_under(world.corpus.parent) == before | {own(world, LIGHTHOUSE_FILE)}
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "untouched\n"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("../../outside/keep", "outside-keep.txt"),
        ("/etc/passwd", "etc-passwd.txt"),
        ("..\\..\\x", "x.txt"),
        ("..", "article.txt"),
        ("\u202e\u200b\U0001f600", "article.txt"),
        ("A" * 500, "a" * 60 + ".txt"),
        ("Caf\u00e9 \u00e0 Damas \u2014 l\u2019\u00e9t\u00e9", "cafe-a-damas-lete.txt"),
    ],
)
async def test_the_name_comes_from_the_title_and_stays_inside(
    world: World, outside: Path, title: str, name: str
) -> None:
    data = NEW_ARTICLE.replace("Lighthouse keeper retires after forty years", title, 1).encode()
    world.own.mkdir(parents=True)
    before = files_under(world.corpus.parent)
    result = await world.admin.slash(world.channel, "corpus add", file=("a.txt", data))
    assert f"Added as {name}." in response_text(result)
    assert files_under(world.corpus.parent) == before | {own(world, name)}
    assert (world.own / name).read_bytes() == data


@pytest.mark.parametrize("dangling", [False, True], ids=["link-to-a-file", "dangling-link"])
@pytest.mark.parametrize("replace", [False, True], ids=["keep", "replace"])
async def test_a_name_taken_by_a_link_pointing_outside_is_refused(
    world: World, outside: Path, replace: bool, dangling: bool
) -> None:
    target = outside / ("gone.txt" if dangling else "keep.txt")
    world.own.mkdir(parents=True)
    os.symlink(target, world.own / LIGHTHOUSE_FILE)
    before = files_under(world.corpus.parent)

    result = await world.admin.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE), replace=replace)

    assert "Not added: that path is outside the corpus folder." in response_text(result)
    assert files_under(world.corpus.parent) == before
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "untouched\n"
    assert not (outside / "gone.txt").exists()
    assert world.env.errors == []
