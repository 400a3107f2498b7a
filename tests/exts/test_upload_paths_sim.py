"""``/corpus add`` never writes outside the corpus folder, end to end in
simcord's offline Discord: the uploaded file's name is never used as a
path (only its suffix is read), the name comes from the article's title,
and a name already taken by a link that points outside is refused.
``bot.engine.corpus_files`` itself is tested in ``tests/test_secrets.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.exts.test_admin_sim import NEW_ARTICLE, Admins, admins, response_text, simcord_bot

__all__ = ["admins", "simcord_bot"]  # fixtures used here

LIGHTHOUSE = NEW_ARTICLE.encode()
LIGHTHOUSE_FILE = "lighthouse-keeper-retires-after-forty-years.txt"


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def outside(corpus: Path) -> Path:
    """A folder beside the corpus, where nothing may ever be written."""
    folder = corpus.parent / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("untouched\n", encoding="utf-8")
    return folder


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
async def test_the_uploaded_file_name_is_never_a_path(admins: Admins, outside: Path, filename: str) -> None:
    before = files_under(admins.corpus.parent)
    result = await admins.admin.slash(admins.channel, "corpus add", file=(filename, LIGHTHOUSE))
    assert f"Added as {LIGHTHOUSE_FILE}" in response_text(result)
    assert files_under(admins.corpus.parent) == before | {f"corpus/{LIGHTHOUSE_FILE}"}
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
    admins: Admins, outside: Path, title: str, name: str
) -> None:
    data = NEW_ARTICLE.replace("Lighthouse keeper retires after forty years", title, 1).encode()
    before = files_under(admins.corpus.parent)
    result = await admins.admin.slash(admins.channel, "corpus add", file=("a.txt", data))
    assert f"Added as {name}." in response_text(result)
    assert files_under(admins.corpus.parent) == before | {f"corpus/{name}"}
    assert (admins.corpus / name).read_bytes() == data


@pytest.mark.parametrize("dangling", [False, True], ids=["link-to-a-file", "dangling-link"])
@pytest.mark.parametrize("replace", [False, True], ids=["keep", "replace"])
async def test_a_name_taken_by_a_link_pointing_outside_is_refused(
    admins: Admins, outside: Path, replace: bool, dangling: bool
) -> None:
    target = outside / ("gone.txt" if dangling else "keep.txt")
    os.symlink(target, admins.corpus / LIGHTHOUSE_FILE)
    before = files_under(admins.corpus.parent)

    result = await admins.admin.slash(admins.channel, "corpus add", file=("a.txt", LIGHTHOUSE), replace=replace)

    assert "Not added: that path is outside the corpus folder." in response_text(result)
    assert files_under(admins.corpus.parent) == before
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "untouched\n"
    assert not (outside / "gone.txt").exists()
    assert admins.env.errors == []
