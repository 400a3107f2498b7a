"""The command line, as other tools use it: ``python -m bot …`` in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from subprocess import DEVNULL, PIPE

import pytest

from bot.service.layout import cache_folder
from tests.harness.fake_discord import TOKEN, FakeDiscord
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[1]
STORY_TITLE = "Putin visits Syria to meet Assad, a key Iran ally"
WHERE_MEET = "Where did Putin and Assad meet?"
OFF_TOPIC = "How do I bake a chocolate cake?"

ANSWER_KEYS = {"text", "article", "publisher", "authors", "url", "paragraph", "score"}
RESULT_KEYS = {"question", "answered", "confidence", "answers", "took_ms"}

# Settings the bot reads; none of them may leak in from the developer's shell.
_SETTINGS = (
    "CORPUS_DIR",
    "DISCORD_TOKEN",
    "DISCORD_API_BASE_URL",
    "DISCORD_GATEWAY_URL",
    "LOG_LEVEL",
    "ADMIN_USER_IDS",
    "ADMIN_ROLE_IDS",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _SETTINGS}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = str(ROOT)  # run from FIXTURES: this checkout's bot
    if "INDEX_CACHE_DIR" in os.environ:  # a temporary folder (conftest.py)
        env["INDEX_CACHE_DIR"] = os.environ["INDEX_CACHE_DIR"]
    env.update(extra)
    return env


FIXTURES = STORY_CORPUS.parent
"""Where the command line runs by default: its ``corpus/`` is the story
alone, never the working folder's (``tests/story.py``)."""


def run(
    *args: str,
    cwd: Path = FIXTURES,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def json_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def assert_usage_error(proc: subprocess.CompletedProcess[str], *mentions: str) -> str:
    """Exit code 2, exactly one line on stderr, no traceback; the line is returned."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].strip()
    for word in mentions:
        assert word in lines[0], lines[0]
    return lines[0]


def assert_result_shape(obj: dict[str, object]) -> None:
    assert set(obj) == RESULT_KEYS
    assert isinstance(obj["question"], str)
    assert isinstance(obj["answered"], bool)
    confidence = obj["confidence"]
    assert isinstance(confidence, float | int)
    assert 0.0 <= confidence <= 1.0
    assert isinstance(obj["took_ms"], float)
    assert obj["took_ms"] >= 0
    answers = obj["answers"]
    assert isinstance(answers, list)
    for answer in answers:
        assert isinstance(answer, dict)
        assert set(answer) == ANSWER_KEYS
        assert isinstance(answer["text"], str)
        assert answer["text"]
        assert isinstance(answer["article"], str)
        assert answer["article"]
        assert answer["publisher"] is None or isinstance(answer["publisher"], str)
        assert isinstance(answer["authors"], list)
        assert all(isinstance(a, str) for a in answer["authors"])
        assert answer["url"] is None or isinstance(answer["url"], str)
        assert type(answer["paragraph"]) is int
        assert answer["paragraph"] >= 0
        assert isinstance(answer["score"], float)
    scores = [a["score"] for a in answers]  # type: ignore[index]
    assert scores == sorted(scores, reverse=True), "answers are best first"


@pytest.fixture
def broken_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("A good title\n\nPutin met Assad in Damascus.\n", encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"Title\n\n\xff\xfe broken\n")
    return folder


# ---------------------------------------------------------------------------
# ask


def test_ask_quotes_the_sentence_an_answer_depends_on(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "orchard.txt").write_text(
        "The orchard\n\nMaria Lopez planted the orchard in 1998. She sold the orchard to a cooperative in 2010.\n",
        encoding="utf-8",
    )
    proc = run("ask", "--corpus", str(folder), "When was the orchard sold to the cooperative?")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == [
        "> Maria Lopez planted the orchard in 1998.",
        "> She sold the orchard to a cooperative in 2010.",
    ]
    assert lines[2] == "\u2014 \u201cThe orchard\u201d, paragraph 1"
    # --json keeps its contract: the answers, best first, and nothing else.
    [answer] = json_lines(run("ask", "--json", "--top", "1", "--corpus", str(folder), "When was it sold?").stdout)
    assert [a["text"] for a in answer["answers"]] == ["She sold the orchard to a cooperative in 2010."]  # type: ignore[index]


def test_ask_prints_quotes_and_source() -> None:
    proc = run("ask", WHERE_MEET)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    quotes = [line for line in lines if line.startswith("> ")]
    sources = [line for line in lines if line.startswith("\u2014 \u201c")]
    assert quotes, proc.stdout
    assert sources, proc.stdout
    assert sources[0].startswith(f"\u2014 \u201c{STORY_TITLE}\u201d")
    assert "The Associated Press (Albert Aji and Daria Litvinova)" in sources[0]
    assert "paragraph " in sources[0]
    # Each quote is followed by its source.
    for i, line in enumerate(lines):
        if line.startswith("> "):
            assert lines[i + 1].startswith("\u2014 \u201c")


def test_ask_quotes_are_story_sentences_verbatim() -> None:
    story = (STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt").read_text(encoding="utf-8")
    proc = run("ask", WHERE_MEET)
    assert proc.returncode == 0
    for line in proc.stdout.splitlines():
        if line.startswith("> "):
            assert line[2:] in story


def test_ask_json_shape() -> None:
    proc = run("ask", "--json", WHERE_MEET)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith("\n")
    (obj,) = json_lines(proc.stdout)
    assert_result_shape(obj)
    assert obj["question"] == WHERE_MEET
    assert obj["answered"] is True
    answers = obj["answers"]
    assert isinstance(answers, list)
    assert 1 <= len(answers) <= 3  # --top defaults to 3
    first = answers[0]
    assert first["article"] == STORY_TITLE
    assert first["publisher"] == "The Associated Press"
    assert first["authors"] == ["Albert Aji", "Daria Litvinova"]
    assert first["url"] is None
    assert 1 <= first["paragraph"] <= 12
    story = (STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt").read_text(encoding="utf-8")
    assert all(a["text"] in story for a in answers)


def test_ask_each_argument_is_a_question() -> None:
    """``QUESTION...`` (PRODUCT.md): several questions, each answered, in
    order (they were once joined into one)."""
    proc = run("ask", "--json", WHERE_MEET, OFF_TOPIC)
    assert proc.returncode == 0, proc.stderr
    first, second = json_lines(proc.stdout)
    assert (first["question"], first["answered"]) == (WHERE_MEET, True)
    assert (second["question"], second["answered"]) == (OFF_TOPIC, False)
    text = run("ask", WHERE_MEET, OFF_TOPIC).stdout
    assert f"Q: {WHERE_MEET}" in text
    assert f"Q: {OFF_TOPIC}" in text


def test_ask_top_in_text_mode_lists_that_many_quotes_with_their_sources() -> None:
    """``--top K`` without ``--json``: the K best sentences, best first, each
    under its source line (the story has 17 sentences; 10 are asked for)."""
    proc = run("ask", "--top", "10", WHERE_MEET)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    quotes = [line[2:] for line in lines if line.startswith("> ")]
    assert len(quotes) == 10, proc.stdout
    for i, line in enumerate(lines):
        if line.startswith("> "):
            assert lines[i + 1].startswith(f"\u2014 \u201c{STORY_TITLE}\u201d"), lines[i + 1]
    [obj] = json_lines(run("ask", "--json", "--top", "10", WHERE_MEET).stdout)
    answers = obj["answers"]
    assert isinstance(answers, list)
    assert quotes == [a["text"] for a in answers]


@pytest.mark.parametrize("top", ["1", "2"])
def test_ask_top_limits_answers(top: str) -> None:
    proc = run("ask", "--json", "--top", top, WHERE_MEET)
    assert proc.returncode == 0, proc.stderr
    (obj,) = json_lines(proc.stdout)
    assert_result_shape(obj)
    assert 1 <= len(obj["answers"]) <= int(top)  # type: ignore[arg-type]


def test_ask_off_topic_is_not_answered() -> None:
    proc = run("ask", "--json", OFF_TOPIC)
    assert proc.returncode == 0, proc.stderr
    (obj,) = json_lines(proc.stdout)
    assert_result_shape(obj)
    assert obj["question"] == OFF_TOPIC
    assert obj["answered"] is False
    assert len(obj["answers"]) <= 3  # type: ignore[arg-type]


def test_ask_off_topic_plain_text_says_so() -> None:
    proc = run("ask", OFF_TOPIC)
    assert proc.returncode == 0, proc.stderr
    assert "doesn't say" in proc.stdout
    assert not any(line.startswith("> ") for line in proc.stdout.splitlines())


def test_ask_stdin_one_json_line_per_question_in_order() -> None:
    questions = [WHERE_MEET, OFF_TOPIC, "When did Russia join the war?", "How many people have been killed?"]
    stdin = f"{questions[0]}\n\n   \n{questions[1]}\n  {questions[2]}  \n{questions[3]}"  # no final newline
    proc = run("ask", "--json", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc.stdout)
    assert [o["question"] for o in objs] == questions
    for obj in objs:
        assert_result_shape(obj)
    assert objs[0]["answered"] is True
    assert objs[1]["answered"] is False


def test_ask_stdin_with_top_1() -> None:
    proc = run("ask", "--json", "--top", "1", "-", stdin=f"{WHERE_MEET}\n{OFF_TOPIC}\n")
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc.stdout)
    assert len(objs) == 2
    assert all(len(o["answers"]) <= 1 for o in objs)  # type: ignore[arg-type]


def test_ask_stdin_empty_gives_nothing() -> None:
    proc = run("ask", "--json", "-", stdin="")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def test_ask_stdin_answers_each_line_before_stdin_closes() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        cwd=ROOT,
        env=clean_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue[str] = queue.Queue()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write(WHERE_MEET + "\n")
        proc.stdin.flush()
        try:
            first = lines.get(timeout=20)
        except queue.Empty:
            pytest.fail("no answer while stdin was still open")
        assert json.loads(first)["question"] == WHERE_MEET

        proc.stdin.write(OFF_TOPIC + "\n")
        proc.stdin.flush()
        second = lines.get(timeout=20)
        assert json.loads(second)["question"] == OFF_TOPIC

        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        thread.join(timeout=5)
    assert lines.empty()


# ---------------------------------------------------------------------------
# Usage errors: exit code 2, one line, no traceback.


def test_empty_question() -> None:
    proc = run("ask", "")
    assert_usage_error(proc, "empty")
    assert proc.stdout == ""


def test_blank_question() -> None:
    assert_usage_error(run("ask", "--json", "   ", "\t"), "empty")


def test_missing_question() -> None:
    assert_usage_error(run("ask"))


def test_missing_corpus_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    line = assert_usage_error(run("ask", "--corpus", str(missing), WHERE_MEET), "does not exist")
    assert str(missing) in line


def test_corpus_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nBody.\n", encoding="utf-8")
    assert_usage_error(run("ask", "--corpus", str(path), WHERE_MEET), "not a folder")


def test_empty_corpus_folder(tmp_path: Path) -> None:
    line = assert_usage_error(run("ask", "--corpus", str(tmp_path), WHERE_MEET), "no article")
    assert str(tmp_path) in line


def test_empty_corpus_folder_index(tmp_path: Path) -> None:
    assert_usage_error(run("index", "--corpus", str(tmp_path)), "no article")


@pytest.mark.parametrize("value", ["0", "-1", "101", "abc", "1.5", ""])
def test_bad_top(value: str) -> None:
    proc = run("ask", "--top", value, WHERE_MEET)
    assert_usage_error(proc, "--top")
    assert proc.stdout == ""


def test_unknown_subcommand() -> None:
    assert_usage_error(run("frobnicate"), "frobnicate")


def test_no_subcommand() -> None:
    assert_usage_error(run(), "run, ask, index, add, sync, people or timeline")


def test_unknown_option() -> None:
    assert_usage_error(run("ask", "--fast", WHERE_MEET), "--fast")


def test_bad_log_level() -> None:
    proc = run("ask", WHERE_MEET, env=clean_env(LOG_LEVEL="LOUD"))
    assert_usage_error(proc, "LOG_LEVEL")
    assert proc.stdout == ""


def test_bad_log_level_for_index_and_run(tmp_path: Path) -> None:
    assert_usage_error(run("index", env=clean_env(LOG_LEVEL="LOUD")), "LOG_LEVEL")
    assert_usage_error(run("run", cwd=tmp_path, env=clean_env(LOG_LEVEL="LOUD")), "LOG_LEVEL")


def test_log_level_is_case_insensitive() -> None:
    proc = run("ask", "--json", WHERE_MEET, env=clean_env(LOG_LEVEL="debug"))
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------------------
# Settings.


def test_corpus_dir_setting_is_used(broken_corpus: Path) -> None:
    proc = run("index", env=clean_env(CORPUS_DIR=str(broken_corpus)))
    assert proc.returncode == 0, proc.stderr
    assert "broken.txt" in proc.stdout


def test_corpus_option_beats_the_setting(broken_corpus: Path, tmp_path: Path) -> None:
    proc = run("index", "--corpus", str(STORY_CORPUS), env=clean_env(CORPUS_DIR=str(tmp_path / "nope")))
    assert proc.returncode == 0, proc.stderr
    assert "broken.txt" not in proc.stdout


def test_corpus_dir_from_dot_env(broken_corpus: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"CORPUS_DIR={broken_corpus}\n", encoding="utf-8")
    proc = run("index", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "broken.txt" in proc.stdout


def test_blank_corpus_dir_is_corpus_not_the_working_folder(tmp_path: Path) -> None:
    """``CORPUS_DIR=`` (blank, in the environment or ``.env``) means
    ``corpus/``: the working folder's README is never an article."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    story = STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt"
    (folder / story.name).write_bytes(story.read_bytes())
    (tmp_path / "README.md").write_text("# Not an article\n\nThe working folder's own notes.\n", encoding="utf-8")
    for env, dotenv in ((clean_env(CORPUS_DIR=""), None), (clean_env(), "CORPUS_DIR=\n")):
        if dotenv is not None:
            (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
        proc = run("index", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "articles    1" in proc.stdout.splitlines(), proc.stdout


def test_asking_other_corpora_keeps_the_main_corpus_saved_index(tmp_path: Path) -> None:
    """Each corpus folder has its own cache folder under INDEX_CACHE_DIR:
    asking four other corpora never pushes the main one's saved index out
    (the cache keeps only a few per folder)."""
    cache = tmp_path / "cache"
    env = clean_env(INDEX_CACHE_DIR=str(cache), SEMANTIC="false")
    main = tmp_path / "main"
    main.mkdir()
    story = STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt"
    (main / story.name).write_bytes(story.read_bytes())
    proc = run("index", "--corpus", str(main), env=env)
    assert proc.returncode == 0, proc.stderr
    mine = cache_folder(cache, main)
    assert mine is not None
    saved = sorted(p.name for p in mine.iterdir())
    assert saved, "the main corpus's index was not saved"
    for i in range(4):
        other = tmp_path / f"other{i}"
        other.mkdir()
        (other / "note.txt").write_text(f"Note {i}\n\nThe orchard was sold in {2000 + i}.\n", encoding="utf-8")
        proc = run("ask", "--corpus", str(other), "When was the orchard sold?", env=env)
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in mine.iterdir()) == saved
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 5
    proc = run("index", "--corpus", str(main), env=env)
    assert "index       loaded from the cache" in proc.stdout.splitlines(), proc.stdout


# ---------------------------------------------------------------------------
# index


def test_index_reports_the_story() -> None:
    proc = run("index")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    first_words = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    for word in ("articles", "paragraphs", "sentences", "failed"):
        assert word in first_words, proc.stdout
    numbers = {line.split()[0]: line.split()[-1] for line in lines if line and not line.startswith(" ")}
    assert int(numbers["articles"]) >= 1
    assert int(numbers["paragraphs"]) >= 12
    assert int(numbers["sentences"]) >= 17
    assert int(numbers["failed"]) == 0
    assert any(line.startswith("build time") for line in lines)
    assert any(line.startswith("peak memory") for line in lines)


def test_index_of_the_story_alone(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    story = STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt"
    (folder / story.name).write_bytes(story.read_bytes())
    proc = run("index", "--corpus", str(folder))
    assert proc.returncode == 0, proc.stderr
    numbers = {line.split()[0]: line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}
    assert numbers["articles"] == "1"
    assert numbers["paragraphs"] == "12"
    assert numbers["sentences"] == "17"
    assert numbers["failed"] == "0"


def test_index_is_saved_then_loaded_and_a_changed_file_rebuilds(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    story = STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt"
    (folder / story.name).write_bytes(story.read_bytes())
    env = clean_env(INDEX_CACHE_DIR=str(tmp_path / "cache"), SEMANTIC="false")

    def how() -> str:
        proc = run("index", "--corpus", str(folder), env=env)
        assert proc.returncode == 0, proc.stderr
        return next(line.split(None, 1)[1] for line in proc.stdout.splitlines() if line.startswith("index "))

    assert how() == "built"
    assert how() == "loaded from the cache"
    (folder / "more.txt").write_text("More news\n\nA new paragraph about the visit.\n", encoding="utf-8")
    assert how() == "built"
    proc = run("ask", "--json", "--corpus", str(folder), WHERE_MEET, env=env)
    assert json.loads(proc.stdout)["answered"] is True


def test_index_lists_broken_files_and_succeeds(broken_corpus: Path) -> None:
    proc = run("index", "--corpus", str(broken_corpus))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert "articles    1" in lines
    failed = [line for line in lines if line.startswith("failed")]
    assert failed == ["failed      1"]
    listed = [line.strip() for line in lines if line.startswith("  ")]
    assert len(listed) == 1
    assert listed[0].startswith("broken.txt: ")
    assert "not UTF-8" in listed[0]


def test_ask_warns_about_broken_files_and_answers(broken_corpus: Path) -> None:
    proc = run("ask", "--json", "--corpus", str(broken_corpus), "Where did Putin meet Assad?")
    assert proc.returncode == 0, proc.stderr
    assert "broken.txt" in proc.stderr
    assert "Traceback" not in proc.stderr
    (obj,) = json_lines(proc.stdout)
    assert_result_shape(obj)


# ---------------------------------------------------------------------------
# run


def test_run_without_token(tmp_path: Path) -> None:
    line = assert_usage_error(run("run", cwd=tmp_path, env=clean_env()), "DISCORD_TOKEN")
    assert line.count("\n") == 0


def test_run_with_blank_token(tmp_path: Path) -> None:
    assert_usage_error(run("run", cwd=tmp_path, env=clean_env(DISCORD_TOKEN="   ")), "DISCORD_TOKEN")


def test_token_is_never_echoed(tmp_path: Path) -> None:
    secret = "MTIzNDU2Nzg5.secret-token-value"
    nowhere = "http://127.0.0.1:9/api/v10"  # nothing listens: login fails at once, on this machine
    for args, env in (
        (("run",), clean_env(DISCORD_TOKEN=secret, DISCORD_API_BASE_URL=nowhere)),
        (("run",), clean_env(DISCORD_TOKEN=secret, LOG_LEVEL="LOUD")),
        (("index", "--corpus", str(STORY_CORPUS)), clean_env(DISCORD_TOKEN=secret)),
    ):
        proc = run(*args, cwd=tmp_path, env=env)
        assert secret not in proc.stdout
        assert secret not in proc.stderr
        assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------
# run and sync against the fake Discord: every start-up fault is one line.


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_against(
    fake: FakeDiscord, *args: str, cwd: Path, **settings: str | None
) -> subprocess.CompletedProcess[str]:
    """``python -m bot *args`` pointed at ``fake`` (the fake keeps serving on
    this test's loop meanwhile), with the story corpus unless ``settings``
    say otherwise."""
    values = {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE_URL": fake.api_base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "CORPUS_DIR": str(STORY_CORPUS),
        "SEMANTIC": "false",
        **settings,
    }
    env = {k: v for k, v in clean_env().items() if k not in ("ANSWER_CHANNEL_IDS", "DEV_GUILD_ID")}
    env.update({k: v for k, v in values.items() if v is not None})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env, stdout=PIPE, stderr=PIPE, stdin=DEVNULL
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(f"python -m bot {' '.join(args)} still running after 60 s: {err.decode()}") from None
    assert proc.returncode is not None
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


def assert_startup_error(proc: subprocess.CompletedProcess[str], *mentions: str, code: int = 2) -> str:
    """Exit ``code`` (2; 3 for Discord unreachable, which a service manager
    retries) and one line naming the problem, last on stderr; before it only
    INFO log lines: no traceback, no warning, no voice-library notice."""
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    *logged, line = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr).splitlines()  # discord.py may colour its log
    assert line.startswith("bot: error: "), proc.stderr
    for entry in logged:
        assert re.search(r" INFO +\S", entry), proc.stderr
    for noise in ("davey", "PyNaCl", "voice will NOT"):
        assert noise not in proc.stderr
    for word in mentions:
        assert word in line, line
    return line


FAULTS: dict[str, tuple[str, ...]] = {
    "refused token (REST 401)": ("refused the token", "DISCORD_TOKEN"),
    "refused token (gateway 4004)": ("refused the token", "DISCORD_TOKEN"),
    "no corpus folder (wrong working folder)": ("does not exist", "CORPUS_DIR"),
    "empty corpus": ("no article", "CORPUS_DIR"),
    "privileged intent refused (4014)": ("Message Content", "developer portal", "ANSWER_CHANNEL_IDS"),
    "Discord unreachable": ("cannot reach Discord", "DISCORD_API_BASE_URL"),
    "bad setting": ("QUESTION_COOLDOWN_RATE",),
    "no token": ("DISCORD_TOKEN",),
}
"""Each start-up fault, and the words its one line must hold."""

EXIT_CODES = {"Discord unreachable": 3}
"""Start-up faults that exit other than 2: a network failure, worth a
restart (``deploy/story-bot.service`` restarts on 3, never on 2)."""


def fault_settings(fault: str, fake: FakeDiscord, tmp_path: Path) -> dict[str, str | None]:
    """The settings (None: unset) and the fake's configuration for ``fault``."""
    if fault == "refused token (REST 401)":
        return {"DISCORD_TOKEN": "MTE.wrong.token"}
    if fault == "refused token (gateway 4004)":
        fake._authorised = lambda rec: True  # type: ignore[method-assign]  # REST lets it in; IDENTIFY does not
        return {"DISCORD_TOKEN": "MTE.wrong.token"}
    if fault == "no corpus folder (wrong working folder)":
        return {"CORPUS_DIR": None}  # corpus/ under tmp_path, which has none
    if fault == "empty corpus":
        (tmp_path / "empty").mkdir()
        return {"CORPUS_DIR": str(tmp_path / "empty")}
    if fault == "privileged intent refused (4014)":
        return {"ANSWER_CHANNEL_IDS": str(fake.channel_id)}  # the fake enables no privileged intent
    if fault == "Discord unreachable":
        return {"DISCORD_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/api/v10"}
    if fault == "bad setting":
        return {"QUESTION_COOLDOWN_RATE": "0"}
    assert fault == "no token"
    return {"DISCORD_TOKEN": None}


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_run_startup_fault_is_one_line_exit_2(fake: FakeDiscord, tmp_path: Path, fault: str) -> None:
    expected_folder = str(tmp_path.resolve() / "corpus")  # noqa: ASYNC240 - a path, before anything runs
    proc = await run_against(fake, "run", cwd=tmp_path, **fault_settings(fault, fake, tmp_path))
    line = assert_startup_error(proc, *FAULTS[fault], code=EXIT_CODES.get(fault, 2))
    if fault.startswith("no corpus"):
        assert expected_folder in line  # the folder it looked in
    if "gateway" in fault or "4014" in fault:
        assert fake.identifies  # it got as far as the gateway
    assert not fake.find_requests("PUT", r"/applications/\d+/commands")


SYNC_FAULTS = ("refused token (REST 401)", "Discord unreachable", "bad setting", "no token")


@pytest.mark.parametrize("fault", SYNC_FAULTS)
async def test_sync_startup_fault_is_one_line_exit_2(fake: FakeDiscord, tmp_path: Path, fault: str) -> None:
    proc = await run_against(fake, "sync", cwd=tmp_path, **fault_settings(fault, fake, tmp_path))
    assert_startup_error(proc, *FAULTS[fault], code=EXIT_CODES.get(fault, 2))
    assert proc.stdout == ""
    assert not fake.find_requests("PUT", r"/applications/\d+/commands")
