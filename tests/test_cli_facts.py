"""``python -m bot people`` and ``python -m bot timeline``: PRODUCT.md's
line schemas, the text a terminal shows, ``--server`` and ``--by``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import ANSWER_KEYS, clean_env, run

PERSON_KEYS = {"name", "aliases", "roles", "quote"}
EVENT_KEYS = {"when", "date", "text", "article", "paragraph"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

FERRY = "\n\n".join(
    [
        "---\ntitle: Harbour town opens new ferry terminal\npublisher: The Coastal Herald\n"
        "authors: [Mina Ortiz]\npublished: 2021-03-12\n---",
        "PORTHAVEN \u2014 Harbour Commissioner Elena Marsh opened the town's new ferry terminal on Thursday, "
        "ending a wait that began in 2016.",
        "Marsh said the terminal would carry 400 passengers a day.",
        "Tomas Reyes, the keeper of the Porthaven lighthouse, watched the first crossing. "
        "Reyes said the last ferry left the old pier last week.",
        "Mina Ortiz contributed to this report.\n",
    ]
)

VALLEY = """Valley farmers brace for a dry summer

Valley Daily
Jon Bell

Farmers across the valley are planting less wheat, agricultural adviser Priya Nand said on Monday.
Nand said wells fell to their lowest level since 1998.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "servers" / "4242").mkdir(parents=True)
    (corpus / "ferry.md").write_text(FERRY, encoding="utf-8")
    (corpus / "servers" / "4242" / "valley.txt").write_text(VALLEY, encoding="utf-8")
    return corpus


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def corpus_sentences(folder: Path) -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.*"))


def test_people_json_lines_follow_the_schema(folder: Path) -> None:
    done = run("people", "--corpus", str(folder), "--json", env=clean_env())

    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines
    for line in lines:
        assert set(line) == PERSON_KEYS
        assert isinstance(line["name"], str)
        assert all(isinstance(a, str) for a in line["aliases"])
        assert all(isinstance(r, str) for r in line["roles"])
        assert set(line["quote"]) == ANSWER_KEYS
        assert line["quote"]["text"] in corpus_sentences(folder)
    names = [line["name"] for line in lines]
    assert names[:2] == ["Elena Marsh", "Tomas Reyes"]  # by first mention
    assert "Mina Ortiz" not in names  # the byline's author is not a person of the story
    assert "Priya Nand" not in names  # another server's article
    [marsh] = [line for line in lines if line["name"] == "Elena Marsh"]
    assert marsh["roles"] == ["Harbour Commissioner"]
    assert "Marsh" in marsh["aliases"]


def test_timeline_json_lines_follow_the_schema_in_time_order(folder: Path) -> None:
    code, out, err = cli("timeline", "--corpus", str(folder), "--server", "4242", "--json")

    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines
    for line in lines:
        assert set(line) == EVENT_KEYS
        assert line["date"] is None or DATE.match(line["date"])
        assert line["when"] in line["text"]
        assert line["text"] in corpus_sentences(folder)
        assert isinstance(line["paragraph"], int)
        assert line["paragraph"] >= 1
    dated = [line["date"] for line in lines if line["date"]]
    assert dated == sorted(dated)
    assert ("on Thursday", "2021-03-11") in [(line["when"], line["date"]) for line in lines]
    assert any(line["when"] == "since 1998" for line in lines)  # the server's own article


def test_text_mode_reads_in_a_terminal(folder: Path) -> None:
    code, out, _ = cli("people", "--corpus", str(folder))

    assert code == 0
    assert out.splitlines()[0].startswith("Elena Marsh (also Marsh)")
    assert "> PORTHAVEN \u2014 Harbour Commissioner Elena Marsh opened" in out
    assert "Written by Mina Ortiz" in out
    code, out, _ = cli("timeline", "--corpus", str(folder))
    assert code == 0
    assert "2021-03-11 (on Thursday)" in out
    assert "relative (last week)" in out


def test_by_mentions(folder: Path) -> None:
    code, out, _ = cli("people", "--corpus", str(folder), "--by", "mentions", "--json")

    assert code == 0
    counts = [line["name"] for line in map(json.loads, out.splitlines())]
    assert counts[0] == "Elena Marsh"
    code, _, err = cli("people", "--corpus", str(folder), "--by", "loudest")
    assert code == 2
    assert "invalid choice" in err


def test_a_corpus_with_no_date_at_all(tmp_path: Path) -> None:
    (tmp_path / "quiet.txt").write_text("The reading room\n\nThe library keeps its reading room quiet.\n")

    code, out, _ = cli("timeline", "--corpus", str(tmp_path))
    assert (code, out) == (0, "The articles report no dated events.\n")
    code, out, _ = cli("timeline", "--corpus", str(tmp_path), "--json")
    assert (code, out) == (0, "")
