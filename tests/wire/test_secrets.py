"""Secrets and the corpus folder.

* The token never leaves the places it belongs (the ``Authorization``
  header, the gateway IDENTIFY / RESUME): not in logs at DEBUG level, not
  in error messages, replies, request bodies or other gateway frames, not on
  stdout or stderr of ``python -m bot run`` -- when things go wrong too: a
  REST call refused, a command that raises (with the settings in its
  message), a failed reload, a refused token, an unreachable Discord, a bad
  setting, the token pasted into the wrong setting.
* An upload cannot write outside the corpus folder, whatever the name
  (``write_file``, ``remove_article`` and ``safe_file_name`` of
  ``bot.engine``; end to end in ``tests/exts/test_corpus.py``).

(Admin commands refusing non-admins when called directly:
``tests/exts/test_checks.py``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import runner
from bot.client import StoryBot
from bot.engine import Article, CorpusFileError, remove_article, safe_file_name, write_file
from bot.engine.corpus.files import MAX_NAME
from bot.settings import Settings, load_settings
from bot.ui.replies import SORRY
from tests.harness.fake_discord import MANAGERS, FakeDiscord
from tests.harness.wire import CALLBACK, FOLLOWUP, MESSAGES, ask_by_mention, running_bot
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.CanaryQ7.zq7-SECRET-CANARY-TOKEN-9d41e6b2f0a8"
"""A recognisable token (the fake's bot id, then two made-up parts)."""
SECRET_BITS = (TOKEN, *TOKEN.split("."))
QUESTION = "Where did Putin and Assad meet?"
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def leaks(text: str) -> list[str]:
    """The parts of the token found in ``text``."""
    return [bit for bit in SECRET_BITS if bit in text]


def assert_no_token(texts: Iterable[tuple[str, str]]) -> None:
    """``texts``: (where, text) pairs; none may hold any part of the token."""
    found = [(where, text[:300]) for where, text in texts if leaks(text)]
    assert not found, found


def log_texts(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """Every captured record rendered every way: message, arguments,
    formatted with its traceback, and all its attributes."""
    out = []
    for record in caplog.records:
        rendered = [record.getMessage(), repr(record.args), caplog.handler.format(record), str(record.__dict__)]
        out.append((f"log {record.name}", "\n".join(rendered)))
    return out


def wire_texts(fake: FakeDiscord) -> list[tuple[str, str]]:
    """Everything the bot sent the fake but the places the token belongs:
    request paths, queries, bodies and headers other than Authorization;
    gateway frames other than IDENTIFY and RESUME."""
    out = []
    for r in fake.requests:
        headers = {k: v for k, v in r.headers.items() if k.lower() != "authorization"}
        text = f"{r.full_path} {r.query} {headers} {r.body.decode('utf-8', 'replace')}"
        out.append((f"request {r.method} {r.path}", text))
    for frame in fake.gateway_received:
        if frame.get("op") not in (2, 6):
            out.append((f"gateway op {frame.get('op')}", json.dumps(frame)))
    return out


def debug_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("discord", "bot", "aiohttp", "asyncio", "websockets"):
        caplog.set_level(logging.DEBUG, logger=name)


# -- in process: errors on the wire, and the log at DEBUG -------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as server:
        server.add_managers()
        yield server


async def slash(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None, *, admin: bool = False, operator: bool = False
) -> str:
    """Dispatch a slash command (by an admin: a member with ``MANAGERS``; by
    an operator: the application's owner); the text the user finally sees
    (after any failed callback, the bot's second try)."""
    user = fake.owner if operator else None
    payload = fake.slash_command(name, options, roles=[MANAGERS] if admin else (), user=user)
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", payload)
    callback = await fake.wait_for_request("POST", CALLBACK, since=mark, predicate=lambda r: r.status == 200)
    if callback.json["type"] == 4:
        return str(callback.json["data"]["content"])
    follow = await fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=15)
    return str(follow.json["content"])


async def test_the_token_stays_secret_when_things_go_wrong(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    debug_everything(caplog)
    corpus = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, corpus)
    replies: list[str] = []
    async with running_bot(fake, token=TOKEN, corpus_dir=corpus, question_cooldown_rate=1000) as bot:
        assert TOKEN not in repr(bot.settings)
        assert TOKEN not in str(bot.settings.model_dump())

        # 1. A REST call refused: the answer cannot be posted, the bot says sorry instead.
        fake.fail_once("POST", MESSAGES, 403, {"message": "Missing Permissions", "code": 50013})
        mark = len(fake.requests)
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(f"{fake.mention()} {QUESTION}"))
        sorry = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=lambda r: r.status == 200)
        assert [r.status for r in fake.find_requests("POST", MESSAGES, since=mark)] == [403, 200]
        replies.append(sorry.json["content"])
        assert replies[-1] == SORRY

        # 2. An interaction callback refused: the error handler answers instead.
        fake.fail_once("POST", CALLBACK, 400, {"message": "Invalid Form Body", "code": 50035})
        replies.append(await slash(fake, "ask", {"question": QUESTION}))
        assert replies[-1] == SORRY

        # 3. Commands that raise, with the settings in the exception's message.
        async def broken(question: str, **_: Any) -> Any:
            raise RuntimeError(f"the engine broke; settings: {bot.settings!r}")

        with monkeypatch.context() as patch:
            patch.setattr(bot.service, "ask", broken)
            replies.append(await slash(fake, "ask", {"question": QUESTION}))
            _, reply = await ask_by_mention(fake, QUESTION)
            replies.append(reply.json["content"])
        assert replies[-2:] == [SORRY, SORRY]

        # 4. A reload that fails: the reason goes to the operator.
        shutil.rmtree(corpus)
        replies.append(await slash(fake, "reload", {"shared": True}, operator=True))
        assert "Reload failed" in replies[-1]

        # The bot is still fine.
        _, reply = await ask_by_mention(fake, QUESTION)
        replies.append(reply.json["content"])
        assert "command post" in replies[-1]

    # It was used where it belongs...
    assert fake.identifies[0]["d"]["token"] == TOKEN
    assert fake.find_requests("GET", "/users/@me")[0].headers["Authorization"] == f"Bot {TOKEN}"
    # ...the errors happened and were logged, with their tracebacks, at DEBUG level...
    assert len(caplog.records) > 50
    assert any(r.levelno == logging.DEBUG and r.name.startswith("discord") for r in caplog.records)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) >= 4, [r.getMessage() for r in tracebacks]
    assert "Missing Permissions" in caplog.text
    assert "the engine broke" in caplog.text
    # ...and the token is nowhere else.
    assert_no_token(log_texts(caplog))
    assert_no_token(wire_texts(fake))
    assert_no_token(("reply", text) for text in replies)


async def test_a_refused_token_is_not_echoed(fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    debug_everything(caplog)
    wrong = TOKEN.replace("CANARY", "WRONG-CANARY")
    settings = load_settings(
        discord_token=wrong,
        discord_api_base_url=fake.api_base_url,
        discord_gateway_url=fake.gateway_url,
        corpus_dir=STORY_CORPUS,
        semantic=False,
    )
    with pytest.raises(runner.StartupError) as refused:
        await runner.run(settings, StoryBot(settings))
    assert "refused the token" in str(refused.value)
    assert fake.requests[0].headers["Authorization"] == f"Bot {wrong}"
    texts = [("error", str(refused.value)), ("error repr", repr(refused.value)), *log_texts(caplog)]
    texts += wire_texts(fake)
    for where, text in texts:
        assert wrong not in text, where
        assert "WRONG-CANARY" not in text, where


# -- python -m bot run: stdout and stderr ------------------------------------------------------


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A clean environment for ``python -m bot``: none of the developer's settings."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env.update(
        CORPUS_DIR=str(STORY_CORPUS),
        SEMANTIC="false",
        LOG_LEVEL="DEBUG",
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


@dataclass
class Process:
    """``python -m bot run``, its output read as it comes."""

    proc: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, cwd: Path, env: dict[str, str]) -> Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self = cls(proc)
        assert proc.stdout is not None
        assert proc.stderr is not None
        self.readers = [
            asyncio.create_task(self._read(proc.stdout, self.stdout)),
            asyncio.create_task(self._read(proc.stderr, self.stderr)),
        ]
        return self

    @staticmethod
    async def _read(stream: asyncio.StreamReader, into: list[str]) -> None:
        async for line in stream:
            into.append(line.decode("utf-8", "replace"))

    async def wait_for_stderr(self, text: str, timeout: float = 30) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not any(text in line for line in self.stderr):
                assert self.proc.returncode is None, "".join(self.stderr)[-3000:]
                await asyncio.sleep(0.05)

    async def finish(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                code = await self.proc.wait()
                await asyncio.gather(*self.readers)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise
        return code

    def outputs(self) -> list[tuple[str, str]]:
        return [("stdout", "".join(self.stdout)), ("stderr", "".join(self.stderr))]


async def run_cli(tmp_path: Path, **settings: str) -> tuple[int, str, str]:
    process = await Process.start(tmp_path, cli_env(tmp_path, **settings))
    code = await process.finish()
    return code, "".join(process.stdout), "".join(process.stderr)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_bot_run_from_the_command_line_prints_no_token(tmp_path: Path) -> None:
    """A whole run at DEBUG level, with errors, stopped by SIGTERM."""
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as fake:
        env = cli_env(
            tmp_path,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
            QUESTION_COOLDOWN_RATE="1000",
        )
        process = await Process.start(tmp_path, env)
        try:
            await process.wait_for_stderr("connected as")
            fake.fail_once("POST", MESSAGES, 403, {"message": "Missing Permissions", "code": 50013})
            mark = len(fake.requests)
            await fake.dispatch("MESSAGE_CREATE", fake.message_create(f"{fake.mention()} {QUESTION}"))
            sorry = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=lambda r: r.status == 200)
            assert sorry.json["content"] == SORRY
            fake.fail_once("POST", CALLBACK, 400, {"message": "Invalid Form Body", "code": 50035})
            assert await slash(fake, "ask", {"question": QUESTION}) == SORRY
            _, reply = await ask_by_mention(fake, QUESTION)
            assert "command post" in reply.json["content"]
            await process.wait_for_stderr("error in /ask")
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.proc.send_signal(signal.SIGTERM)
            code = await process.finish()
    stderr = "".join(process.stderr)
    assert code == 0, stderr[-3000:]
    assert fake.identifies[0]["d"]["token"] == TOKEN
    # The log went to stderr at DEBUG level, errors and tracebacks included.
    assert "DEBUG" in stderr
    assert "error answering message" in stderr
    assert "Traceback (most recent call last)" in stderr
    assert "Missing Permissions" in stderr
    assert_no_token(process.outputs())
    assert_no_token(wire_texts(fake))


async def test_start_up_failures_print_one_line_and_no_token(tmp_path: Path) -> None:
    """A refused token, an unreachable Discord (both at DEBUG level), the
    token pasted into the wrong setting: one line each, no token.  The
    processes run at once.  (``tests/test_cli.py`` checks a bad LOG_LEVEL.)"""
    async with FakeDiscord(token="the-right-token") as fake:
        refused_env = {"DISCORD_API_BASE_URL": fake.api_base_url, "DISCORD_GATEWAY_URL": fake.gateway_url}
        cases: dict[str, tuple[dict[str, str], str]] = {
            "refused token": (refused_env, "Discord refused the token (DISCORD_TOKEN)"),
            "unreachable": (
                {"DISCORD_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/api/v10"},
                "cannot reach Discord at",
            ),
            "token as the REST URL": ({"DISCORD_API_BASE_URL": TOKEN}, "bad setting DISCORD_API_BASE_URL"),
            "token as the gateway URL": ({"DISCORD_GATEWAY_URL": TOKEN}, "bad setting DISCORD_GATEWAY_URL"),
            "token as a cooldown": ({"QUESTION_COOLDOWN_RATE": TOKEN}, "bad setting QUESTION_COOLDOWN_RATE"),
            "token as admin ids": ({"ADMIN_USER_IDS": TOKEN}, "bad setting ADMIN_USER_IDS"),
        }
        runs = await asyncio.gather(
            *(run_cli(tmp_path, DISCORD_TOKEN=TOKEN, **env) for env, _ in cases.values()),
        )
    assert fake.find_requests("GET", "/users/@me")[0].headers["Authorization"] == f"Bot {TOKEN}"
    assert_no_token(wire_texts(fake))
    for (name, (_, message)), (code, out, err) in zip(cases.items(), runs, strict=True):
        # Discord unreachable is worth retrying (exit 3, a service manager
        # restarts it); the rest are settings to fix (exit 2).
        assert code == (3 if name == "unreachable" else 2), (name, err[-2000:])
        last = err.strip().splitlines()[-1]
        assert last.startswith("bot: error: "), (name, last)
        assert message in last, (name, last)
        assert "Traceback" not in err, name
        assert_no_token([(f"{name} stdout", out), (f"{name} stderr", err)])


# -- uploads stay inside the corpus folder ----------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    outside = tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_bytes(b"untouched")
    return corpus, outside


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every path under ``folder``: file contents, link targets."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "-> " + os.readlink(path)
        elif path.is_file():
            out[key] = path.read_bytes()
        else:
            out[key] = "dir"
    return out


@pytest.mark.parametrize(
    "name",
    [
        "../x.txt",
        "../outside/keep.txt",
        "/etc/x.txt",
        "/tmp/x.txt",
        "..\\x.txt",
        "..\\outside\\keep.txt",
        "sub/x.txt",
        "a\x00.txt",
        "x.txt\x00../../x",
        pytest.param("x" * 256 + ".txt", id="260-characters"),
        pytest.param("\u00e9" * 130 + ".txt", id="260-bytes-in-utf8"),
        "",
        ".",
        "..",
        ".hidden.txt",
        ".upload-x.tmp",
    ],
)
def test_write_file_refuses_names_that_are_not_plain(folders: tuple[Path, Path], name: str) -> None:
    corpus, _ = folders
    before = tree(corpus.parent)
    with pytest.raises(CorpusFileError):
        write_file(corpus, name, b"Title\n\nText.\n", replace=True)
    assert tree(corpus.parent) == before


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("link_to", ["../outside/keep.txt", "../outside/gone.txt", "/etc/passwd", "../outside"])
def test_write_file_refuses_a_name_that_links_outside(folders: tuple[Path, Path], link_to: str, replace: bool) -> None:
    corpus, _ = folders
    os.symlink(link_to, corpus / "story.txt")
    before = tree(corpus.parent)
    with pytest.raises(CorpusFileError, match="outside the corpus folder"):
        write_file(corpus, "story.txt", b"Title\n\nText.\n", replace=replace)
    assert tree(corpus.parent) == before


def test_write_file_refuses_link_loops_and_folders(folders: tuple[Path, Path]) -> None:
    corpus, _ = folders
    os.symlink("loop.txt", corpus / "loop.txt")
    (corpus / "folder.txt").mkdir()
    before = tree(corpus.parent)
    for name in ("loop.txt", "folder.txt"):
        for replace in (False, True):
            with pytest.raises(CorpusFileError):
                write_file(corpus, name, b"x", replace=replace)
    assert tree(corpus.parent) == before


def test_write_file_through_a_linked_corpus_folder_writes_inside_it(folders: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, outside = folders
    link = tmp_path / "linked-corpus"
    os.symlink(corpus, link)
    written = write_file(link, "story.txt", b"Title\n\nText.\n")
    assert written == corpus.resolve() / "story.txt"
    assert (corpus / "story.txt").read_bytes() == b"Title\n\nText.\n"
    assert tree(outside) == {"keep.txt": b"untouched"}
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_plain_name_is_written_and_replaced_only_when_asked(folders: tuple[Path, Path]) -> None:
    corpus, _ = folders
    write_file(corpus, "story.txt", b"one")
    with pytest.raises(CorpusFileError, match="already exists"):
        write_file(corpus, "story.txt", b"two")
    write_file(corpus, "story.txt", b"two", replace=True)
    assert tree(corpus) == {"story.txt": b"two"}


@pytest.mark.parametrize("source", ["../outside/keep.txt", "/etc/passwd", "..\\outside\\keep.txt", "a\x00.txt"])
def test_remove_article_never_removes_outside(folders: tuple[Path, Path], source: str) -> None:
    corpus, _ = folders
    article = Article(id="x", title="X", paragraphs=("Text.",), source=source)
    before = tree(corpus.parent)
    with pytest.raises(CorpusFileError):
        remove_article(corpus, article)
    assert tree(corpus.parent) == before


def test_remove_article_never_follows_a_link_outside(folders: tuple[Path, Path]) -> None:
    corpus, outside = folders
    os.symlink(outside / "keep.txt", corpus / "story.txt")
    os.symlink(outside / "keep.txt", corpus / "many.jsonl")
    before = tree(corpus.parent)
    for source in ("story.txt", "many.jsonl:1"):
        with pytest.raises(CorpusFileError, match="outside"):
            remove_article(corpus, Article(id="x", title="X", paragraphs=("Text.",), source=source))
    assert tree(corpus.parent) == before


@settings(max_examples=300, deadline=None)
@given(title=st.text(max_size=400), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".TXT"]))
def test_a_name_from_any_title_is_plain(title: str, suffix: str) -> None:
    name = safe_file_name(title, suffix)
    stem = name.removesuffix(suffix.lower())
    assert name.endswith(suffix.lower())
    assert 1 <= len(stem) <= MAX_NAME
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in stem), name
    assert not stem.startswith("-")
    assert not stem.endswith("-")


@pytest.mark.parametrize("suffix", ["", "txt", "/../x", ".txt/../x", ".t\x00t", "." + "x" * 20])
def test_a_name_needs_a_plain_suffix(suffix: str) -> None:
    with pytest.raises(CorpusFileError):
        safe_file_name("Title", suffix)
