"""Faults over the wire: the unmodified bot against the fake Discord.

* The gateway goes away (a close frame with a resumable code, the TCP
  connection cut, op 7 RECONNECT, op 9 INVALID_SESSION, a close that ends the
  session): the bot resumes, or identifies afresh, and keeps answering; a
  question asked while it was away reaches it in the resume's replay and is
  answered once.
* REST answers 429 (per route, twice in a row, or the global limit) on the
  reply: the reply is retried after ``retry_after`` and arrives exactly once;
  under the global limit the bot's other requests wait too.
* The question log's SQLite file is locked by another connection, or cannot
  be opened at all: answers go on, the failure is logged, and an admin's
  ``/unanswered`` answers (or says the log is off) instead of failing.
* The corpus folder disappears: ``/reload`` says so in one short sentence and
  the old index keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.client import StoryBot
from tests.harness.fake_discord import (
    MANAGERS,
    OP_INVALID_SESSION,
    OP_RECONNECT,
    TOKEN,
    FakeDiscord,
    RecordedRequest,
    replies_to,
)
from tests.harness.wire import (
    CALLBACK,
    FOLLOWUP,
    MESSAGES,
    QUESTION,
    ask_by_mention,
    ask_by_slash,
    assert_answers,
    reload_as,
    running_bot,
)
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
OFF_TOPIC = "What is the capital of France?"
SORRY = "Something went wrong"


def for_interaction(payload: dict[str, Any]) -> Callable[[RecordedRequest], bool]:
    return lambda rec: rec.params.get("interaction_id") == payload["id"]


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while True:
            try:
                if condition():
                    return
            except RuntimeError:  # fake.connection while no connection is up
                pass
            await asyncio.sleep(0.01)


def ready_again(fake: FakeDiscord, bot: StoryBot) -> Callable[[], bool]:
    """The fake has an identified connection and the bot has the guild."""

    def check() -> bool:
        guild = bot.get_guild(fake.guild_id)
        return fake.connection.identified and guild is not None and not guild.unavailable

    return check


async def admin_says(fake: FakeDiscord, command: str, timeout: float = 10.0) -> str:  # noqa: ASYNC109
    """Run an admin's slash ``command``; the text they finally see."""
    payload = fake.slash_command(command, roles=[MANAGERS])
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", payload)
    callback = await fake.wait_for_request("POST", CALLBACK, since=mark, predicate=for_interaction(payload))
    if callback.json["type"] == 4:
        return str(callback.json["data"]["content"])
    follow = await fake.wait_for_request(
        "POST", FOLLOWUP, since=mark, timeout=timeout, predicate=lambda r: r.params["token"] == payload["token"]
    )
    return str(follow.json["content"])


# -- 4a. the gateway goes away -------------------------------------------------------


@pytest.mark.parametrize(
    "drop",
    [
        pytest.param(1000, id="close-1000"),
        pytest.param(1001, id="close-1001-going-away"),
        pytest.param(4000, id="close-4000-unknown-error"),
        pytest.param(4008, id="close-4008-rate-limited"),
        pytest.param(None, id="tcp-cut"),
    ],
)
async def test_the_bot_resumes_and_answers_what_was_asked_meanwhile(fake: FakeDiscord, drop: int | None) -> None:
    async with running_bot(fake, reconnect=True) as bot:
        session = fake.session_id
        first = fake.connection
        fake.resume_gate = gate = asyncio.Event()  # the RESUME waits for it
        try:
            if drop is None:
                await fake.drop_gateway()
            else:
                await fake.close_gateway(code=drop)
            await asyncio.wait_for(first.closed.wait(), 5)
            await fake._wait_until(lambda: bool(fake.resumes), 10, "RESUME")

            # Asked while the bot is away: Discord replays these after the RESUME.
            mark = len(fake.requests)
            missed = fake.message_create(f"{fake.mention()} {QUESTION}")
            await fake.dispatch("MESSAGE_CREATE", missed, queue_if_down=True)
            slash = fake.slash_command("ask", {"question": QUESTION})
            await fake.dispatch("INTERACTION_CREATE", slash, queue_if_down=True)
        finally:
            gate.set()

        reply = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=replies_to(missed))
        assert_answers(reply.json)
        callback = await fake.wait_for_request("POST", CALLBACK, since=mark, predicate=for_interaction(slash))
        assert callback.status == 200
        assert_answers(callback.json["data"])

        resume = fake.resumes[0]["d"]
        assert resume["session_id"] == session
        assert resume["token"] == TOKEN
        assert len(fake.resumes) == 1
        assert len(fake.identifies) == 1  # resumed, not identified again
        # The replayed events came before RESUMED on the new connection.
        events = [p.get("t") for p in fake.connection.sent if p["op"] == 0]
        assert events[:3] == ["MESSAGE_CREATE", "INTERACTION_CREATE", "RESUMED"]

        _, after = await ask_by_mention(fake, QUESTION)
        assert_answers(after.json)
        await asyncio.sleep(0.3)
        assert len(fake.find_requests("POST", MESSAGES, since=mark, predicate=replies_to(missed))) == 1
        assert len(fake.find_requests("POST", CALLBACK, since=mark, predicate=for_interaction(slash))) == 1
        assert bot.is_ready()
        assert not bot.is_closed()


async def test_op_7_reconnect_is_a_resume(fake: FakeDiscord) -> None:
    async with running_bot(fake, reconnect=True) as bot:
        session = fake.session_id
        await fake.send_op(OP_RECONNECT)
        await fake._wait_until(lambda: bool(fake.resumes), 10, "RESUME")
        await until(ready_again(fake, bot))
        assert fake.resumes[0]["d"]["session_id"] == session
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        assert len(fake.identifies) == 1


async def test_invalid_session_resumable_is_a_resume(fake: FakeDiscord) -> None:
    async with running_bot(fake, reconnect=True) as bot:
        session = fake.session_id
        await fake.invalid_session(resumable=True)
        await fake._wait_until(lambda: bool(fake.resumes), 10, "RESUME")
        await until(ready_again(fake, bot))
        assert fake.resumes[0]["d"]["session_id"] == session
        _, message = await ask_by_slash(fake, QUESTION)
        assert_answers(message)
        assert len(fake.identifies) == 1


@pytest.mark.parametrize("how", ["invalid-session", "close-4009-session-timed-out"])
async def test_a_session_that_ends_is_identified_again_and_answering_goes_on(fake: FakeDiscord, how: str) -> None:
    """op 9 INVALID_SESSION (not resumable), or a close after which Discord
    refuses the RESUME: a new IDENTIFY (discord.py waits 5 s before it, as
    Discord's identify limit asks), READY, and the bot answers again."""
    async with running_bot(fake, reconnect=True) as bot:
        old_session = fake.session_id
        if how == "invalid-session":
            await fake.invalid_session(resumable=False)
        else:
            await fake.close_gateway(code=4009, invalidate_session=True)
            await fake._wait_until(lambda: bool(fake.resumes), 10, "RESUME")
            assert fake.resumes[0]["d"]["session_id"] == old_session
            # The fake refused it, as Discord does once the session is over.
            await until(lambda: any(p["op"] == OP_INVALID_SESSION for c in fake.connections[1:] for p in c.sent))
        await fake.wait_for_identify(count=2, timeout=15)
        await until(ready_again(fake, bot))
        assert fake.session_id not in (None, old_session)
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        _, message = await ask_by_slash(fake, QUESTION)
        assert_answers(message)
        assert not bot.is_closed()


# -- 4b. 429 on the reply ----------------------------------------------------------------

LIMITS = [
    pytest.param(False, 1, id="route"),
    pytest.param(False, 2, id="route-twice"),
    pytest.param(True, 1, id="global"),
]


def assert_resent_after_each_limit(attempts: list[RecordedRequest], times: int, retry_after: float) -> None:
    """``times`` 429s, then the one success, each try ``retry_after`` after the last."""
    assert [r.status for r in attempts] == [429] * times + [200]
    for earlier, later in itertools.pairwise(attempts):
        assert later.at - earlier.at >= retry_after - 0.02


@pytest.mark.parametrize(("is_global", "times"), LIMITS)
async def test_a_rate_limited_message_reply_arrives_exactly_once(
    fake: FakeDiscord, is_global: bool, times: int
) -> None:
    retry_after = 0.3
    fake.rate_limit_once("POST", MESSAGES, retry_after=retry_after, is_global=is_global, times=times)
    async with running_bot(fake):
        mark = len(fake.requests)
        question = fake.message_create(f"{fake.mention()} {QUESTION}")
        await fake.dispatch("MESSAGE_CREATE", question)
        delivered = await fake.wait_for_request(
            "POST", MESSAGES, since=mark, predicate=lambda r: r.status == 200 and replies_to(question)(r)
        )
        await asyncio.sleep(2 * retry_after)  # room for a duplicate to show up
        attempts = fake.find_requests("POST", MESSAGES, since=mark, predicate=replies_to(question))
        assert_resent_after_each_limit(attempts, times, retry_after)
        assert all(r.json == delivered.json for r in attempts)  # the same reply, resent
        assert_answers(delivered.json)
        assert len(fake.find_requests("POST", MESSAGES, since=mark)) == times + 1


async def test_under_the_global_limit_other_requests_wait_too(fake: FakeDiscord) -> None:
    retry_after = 0.6
    fake.rate_limit_once("POST", MESSAGES, retry_after=retry_after, is_global=True)
    async with running_bot(fake):
        mark = len(fake.requests)
        first = fake.message_create(f"{fake.mention()} {QUESTION}")
        await fake.dispatch("MESSAGE_CREATE", first)
        limited = await fake.wait_for_request("POST", MESSAGES, since=mark)
        assert limited.status == 429
        await asyncio.sleep(0.1)  # the bot has read the 429
        second = fake.message_create(f"{fake.mention()} {OFF_TOPIC}", author=fake.owner)
        await fake.dispatch("MESSAGE_CREATE", second)
        reply = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=replies_to(second))
        retried = await fake.wait_for_request(
            "POST", MESSAGES, since=mark, predicate=lambda r: r.status == 200 and replies_to(first)(r)
        )
        # Nothing at all went out during the global limit: not the second
        # reply, not its "typing…".
        during = [r for r in fake.requests[mark:] if limited.at < r.at < limited.at + retry_after - 0.02]
        assert not during, during
        assert reply.status == 200
        assert reply.json["content"].startswith("The story doesn't say")
        assert_answers(retried.json)
        await asyncio.sleep(0.3)
        assert len(fake.find_requests("POST", MESSAGES, since=mark)) == 3  # 429, then one reply each


@pytest.mark.parametrize(("is_global", "times"), LIMITS)
async def test_a_rate_limited_interaction_response_arrives_exactly_once(
    fake: FakeDiscord, is_global: bool, times: int
) -> None:
    retry_after = 0.3
    fake.rate_limit_once("POST", CALLBACK, retry_after=retry_after, is_global=is_global, times=times)
    async with running_bot(fake):
        mark = len(fake.requests)
        payload = fake.slash_command("ask", {"question": QUESTION})
        await fake.dispatch("INTERACTION_CREATE", payload)
        delivered = await fake.wait_for_request(
            "POST", CALLBACK, since=mark, predicate=lambda r: r.status == 200 and for_interaction(payload)(r)
        )
        await asyncio.sleep(2 * retry_after)
        attempts = fake.find_requests("POST", CALLBACK, since=mark)
        assert_resent_after_each_limit(attempts, times, retry_after)
        assert all(r.params["interaction_id"] == payload["id"] for r in attempts)
        assert delivered.json["type"] == 4
        assert_answers(delivered.json["data"])
        assert not fake.find_requests("POST", FOLLOWUP, since=mark)
        assert fake.interactions[int(payload["id"])]["acknowledged"]


# -- 4c. the question log's SQLite file is locked or unusable ----------------------------


def logged(path: Path) -> int:
    """Questions in the log at ``path``, read by a connection of our own."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    return count


async def test_a_locked_question_log_delays_no_answer_and_unanswered_still_replies(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    """Another connection holds the database's write lock (BEGIN EXCLUSIVE;
    works as root, unlike file permissions).  Answers do not wait for the
    log; each write that cannot get the lock is a warning; /unanswered still
    replies (readers are not blocked in WAL mode); once the lock is released
    questions are logged again, and closing does not hang on the writes that
    piled up."""
    caplog.set_level(logging.WARNING, logger="bot.question_log")
    asked_during = 12
    async with running_bot(fake, question_cooldown_rate=1000) as bot:
        store = bot.service.store
        assert store is not None
        _, before = await ask_by_mention(fake, OFF_TOPIC)
        assert before.json["content"].startswith("The story doesn't say")
        await until(lambda: logged(store.path) == 1)

        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            latencies = []
            for n in range(asked_during):
                started = time.perf_counter()
                if n % 2:
                    _, reply = await ask_by_mention(fake, QUESTION)
                    assert_answers(reply.json)
                else:
                    _, message = await ask_by_slash(fake, f"Who won the world cup in {1990 + n}?")
                    assert message["content"].startswith("The story doesn't say")
                latencies.append(time.perf_counter() - started)
            assert max(latencies) < 4.0, latencies  # the busy timeout is 5 s: nobody waited on it

            started = time.perf_counter()
            text = await admin_says(fake, "unanswered", timeout=30)
            unanswered_took = time.perf_counter() - started
            assert SORRY not in text
            assert "capital of France" in text  # logged before the lock
            assert "world cup" not in text.lower()  # asked during it: not logged
        finally:
            other.execute("ROLLBACK")
            other.close()

        _, after = await ask_by_mention(fake, "Who won the world cup in 2022?")
        assert after.json["content"].startswith("The story doesn't say")
        text = await admin_says(fake, "unanswered", timeout=30)
        assert "world cup in 2022" in text.lower()
        closing = time.perf_counter()
    closed_after = time.perf_counter() - closing

    locked = [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.question_log" and "database is locked" in r.getMessage()
    ]
    assert len(locked) == asked_during, locked
    assert all("could not record a question" in m for m in locked)
    print(f"\nlocked log: /unanswered replied in {unanswered_took:.1f} s; closed in {closed_after:.1f} s")
    # Loose bounds: one busy timeout (5 s) at most, where the writes queued
    # behind the lock used to cost 5 s each (a minute for these 12).
    assert unanswered_took < 15.0
    assert closed_after < 5.0


def held_by_another_process(path: Path) -> sqlite3.Connection:
    """A question log in rollback-journal mode whose exclusive lock another
    connection holds: it can be neither read nor written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE held (x)")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO held VALUES (1)")
    return other


UNUSABLE = [
    pytest.param(lambda tmp: tmp / "a-file" / "bot.sqlite3", id="path-under-a-file"),
    pytest.param(lambda tmp: Path("/proc/story-bot-test/bot.sqlite3"), id="folder-in-proc"),
    pytest.param(lambda tmp: Path("/proc/story-bot-test.sqlite3"), id="file-in-proc"),
    pytest.param(lambda tmp: tmp / "locked" / "bot.sqlite3", id="locked-at-start"),
]


@pytest.mark.parametrize("where", UNUSABLE)
async def test_an_unusable_question_log_is_logged_answers_go_on_and_unanswered_says_it_is_off(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, where: Callable[[Path], Path]
) -> None:
    """Read-only places that stop root too (a path through a file, /proc)
    and a log locked by another process from the start."""
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    path = where(tmp_path)
    other = held_by_another_process(path) if path.parent.name == "locked" else None
    caplog.set_level(logging.WARNING, logger="bot.service.log_keeper")
    try:
        async with running_bot(fake, database_path=path) as bot:
            assert bot.service.store is None
            _, reply = await ask_by_mention(fake, QUESTION)
            assert_answers(reply.json)
            _, message = await ask_by_slash(fake, OFF_TOPIC)
            assert message["content"].startswith("The story doesn't say")
            text = await admin_says(fake, "unanswered")
            assert text == "The question log is off (see the bot's log)."
    finally:
        if other is not None:
            other.close()
    warnings = [
        r.getMessage() for r in caplog.records if r.name == "bot.service.log_keeper" and r.levelno == logging.WARNING
    ]
    assert any("question log is off" in w and str(path) in w for w in warnings), warnings


# -- 4d. the corpus folder disappears ---------------------------------------------------


def remove_folder(folder: Path) -> str:
    shutil.rmtree(folder)
    return "does not exist"


def replace_folder_with_a_file(folder: Path) -> str:
    shutil.rmtree(folder)
    folder.write_text("not a folder\n", encoding="utf-8")
    return "is not a folder"


def restore_folder(folder: Path) -> None:
    if folder.is_file():
        folder.unlink()
    shutil.copytree(STORY_CORPUS, folder)


@pytest.mark.parametrize("vanish", [remove_folder, replace_folder_with_a_file], ids=["removed", "replaced-by-a-file"])
async def test_reload_of_a_vanished_corpus_folder_says_so_and_the_old_index_keeps_answering(
    fake: FakeDiscord, corpus: Path, vanish: Callable[[Path], str]
) -> None:
    async with running_bot(fake, corpus_dir=corpus) as bot:
        old = bot.service.engine
        reason = vanish(corpus)
        text = await reload_as(fake, admin=True, shared=True)
        # One short line: what failed, why, and that nothing changed.
        assert text.startswith("Reload failed"), text
        assert f"{str(corpus)!r} {reason}" in text
        assert "still serving" in text
        assert "\n" not in text
        assert len(text) < 300
        assert bot.service.engine is old
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        _, message = await ask_by_slash(fake, QUESTION)
        assert_answers(message)

        # Put back, the next /reload works again.
        restore_folder(corpus)
        text = await reload_as(fake, admin=True, shared=True)
        assert text.startswith("Reloaded: 1 articles"), text
        assert bot.service.engine is not old
