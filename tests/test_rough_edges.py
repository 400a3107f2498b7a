"""The rough edges a new user and an operator hit (issue 31, point 4):
each is one line (exit 2 where it is a usage or input error) or answered."""

from __future__ import annotations

import gzip
import io
import json
import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine, load_corpus, load_encoder, open_cache, parse_article_bytes
from bot.exts.questions import MAX_QUESTION, clean_question
from bot.service import QUESTION_MAX_CHARS, question_text
from bot.settings import SettingsError, load_settings
from tests.story import STORY_CORPUS, STORY_FILE

WHERE_MEET = "Where did Putin and Assad meet?"


def ask(*argv: str, stdin: io.TextIOBase | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["ask", *argv], out=out, err=err, stdin=stdin or io.StringIO(""))  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def bm25_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast: the command line without the sentence model."""
    monkeypatch.setenv("SEMANTIC", "false")


# -- questions: bytes that are not UTF-8, length -------------------------------


def test_invalid_utf8_in_an_argument_is_replaced_not_fatal() -> None:
    question = b"\xe9t\xe9 putin".decode("utf-8", "surrogateescape")  # as Python gives it from argv
    code, out, err = ask("--json", question)
    assert code == 0, err
    assert json.loads(out)["question"] == "\ufffdt\ufffd putin"


def test_ask_stdin_goes_on_after_a_bad_line() -> None:
    raw = io.BytesIO(b"\xe9t\xe9 putin\n" + WHERE_MEET.encode() + b"\n")
    code, out, err = ask("--json", "-", stdin=io.TextIOWrapper(raw, encoding="utf-8"))
    assert code == 0, err
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["question"] == "\ufffdt\ufffd putin"
    assert second["question"] == WHERE_MEET
    assert second["answered"] is True


def test_a_huge_question_is_cut_as_on_discord() -> None:
    huge = "Where did Putin and Assad meet " * 400_000  # 12 MB
    code, out, err = ask("--json", huge)
    assert code == 0
    assert len(json.loads(out)["question"]) == QUESTION_MAX_CHARS
    assert err.count("\n") == 1
    assert f"first {QUESTION_MAX_CHARS} characters" in err
    raw = io.BytesIO(huge.encode() + b"\n" + WHERE_MEET.encode() + b"\n")
    code, out, err = ask("--json", "-", stdin=io.TextIOWrapper(raw, encoding="utf-8"))
    first, second = (json.loads(line) for line in out.splitlines())
    assert len(first["question"]) <= QUESTION_MAX_CHARS
    assert second["question"] == WHERE_MEET


def test_one_question_length_for_discord_and_the_command_line() -> None:
    assert MAX_QUESTION == QUESTION_MAX_CHARS
    text = "why " * 1000
    assert clean_question(text) == question_text(text)
    assert len(question_text(text)) == QUESTION_MAX_CHARS


# -- the corpus ----------------------------------------------------------------


def test_a_gzipped_jsonl_is_one_failure_saying_compressed(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps({"title": f"T{i}", "text": "Some words here."}) for i in range(40))
    data = gzip.compress(lines.encode())
    (tmp_path / "articles.jsonl").write_bytes(data)
    (tmp_path / "story.txt").write_bytes(STORY_FILE.read_bytes())
    corpus = load_corpus(tmp_path)
    assert len(corpus.failures) == 1
    assert "compressed file, gzip" in str(corpus.failures[0])
    assert "articles.jsonl" in str(corpus.failures[0])
    _, failures = parse_article_bytes("up.jsonl", data)  # an upload: the same verdict
    assert len(failures) == 1
    assert "compressed" in failures[0].reason


def test_ask_warns_once_for_many_bad_files(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(STORY_FILE.read_bytes())
    for i in range(40):
        (tmp_path / f"bad{i:02d}.txt").write_bytes(b"Title\n\n\xff broken\n")
    code, _out, err = ask("--corpus", str(tmp_path), WHERE_MEET)
    assert code == 0
    assert err.count("\n") == 1, err
    assert "and 39 more" in err
    assert "python -m bot index" in err


def test_an_unwritable_cache_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    encoder = load_encoder()
    with caplog.at_level(logging.WARNING, logger="bot.engine.index.cache"):
        engine = Engine(load_corpus(STORY_CORPUS), encoder=encoder, cache=open_cache(blocker / "cache"))
        engine.warm_up()
        engine.ask(WHERE_MEET)
    said = [r for r in caplog.records if "could not save" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert "INDEX_CACHE_DIR" in said[0].getMessage()


def test_server_without_a_folder_is_said(tmp_path: Path) -> None:
    code, out, err = ask("--server", "999", WHERE_MEET)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "server 999 has no articles of its own" in err
    assert "servers/999" in err


# -- settings --------------------------------------------------------------------


def test_a_dot_env_line_without_equals_names_the_file_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\nMTE.secret-token-pasted-alone\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env line 2 is not a setting") as caught:
        load_settings()
    assert "secret" not in str(caught.value)
    code, _out, err = ask(WHERE_MEET)
    assert code == 2
    assert err.count("\n") == 1
    assert ".env line 2" in err


def test_a_bad_admin_id_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", "12345, bob")
    with pytest.raises(SettingsError, match=r"ADMIN_USER_IDS: item 2 'bob' is not an id"):
        load_settings()


# -- answers ---------------------------------------------------------------------


def test_a_wire_story_in_several_articles_is_quoted_once(tmp_path: Path) -> None:
    story = STORY_FILE.read_text(encoding="utf-8")
    title, rest = story.split("\n", 1)
    for name in ("ap", "times", "herald"):
        (tmp_path / f"{name}.txt").write_text(f"{title} ({name})\n{rest}", encoding="utf-8")
    result = Engine(load_corpus(tmp_path)).ask(WHERE_MEET, top=3)
    texts = [" ".join(a.text.casefold().split()) for a in result.answers]
    assert len(texts) == 3
    assert len(set(texts)) == 3
