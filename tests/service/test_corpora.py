"""Every server its own articles (``bot/service/corpora.py``, through
``StoryService``): a server sees the shared articles and its own, ranked as
one index built from both would rank them; no other server sees them; a
broken server folder fails alone; a folder that is not a server id is
reported and skipped; removing a server's last article leaves it the shared
ones; loaded servers are bounded, least recently asked first out."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Corpus, Engine, load_corpus
from bot.service import StoryService, Where, is_own, server_folder
from bot.settings import load_settings
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
A, B = 111111111111111111, 222222222222222222
LIGHTHOUSE = (
    "Lighthouse keeper retires after forty years\n\nThe Porthaven Gazette\nMary Jones\n\n"
    "Tom Ellis kept the Porthaven lighthouse for forty years and retired on Friday.\n"
    "He said the sea had been his only companion, and that Putin never visited.\n"
)
BAKERY = (
    "Bakery wins regional prize\n\nThe Millbrook Times\n\n"
    "The Millbrook bakery won the regional bread prize on Saturday with a rye loaf.\n"
    "Its owner, Ana Costa, said Syria's bread traditions inspired the recipe.\n"
)
KEEPER = "Who kept the Porthaven lighthouse?"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, folder)
    write(server_folder(folder, A), "lighthouse.txt", LIGHTHOUSE)
    write(server_folder(folder, B), "bakery.txt", BAKERY)
    return folder


async def started(corpus: Path, **settings: Any) -> StoryService:
    values: dict[str, Any] = {"corpus_dir": corpus, "semantic": False, **settings}
    service = StoryService(load_settings(**values), question_log=False)
    await service.start()
    return service


@pytest.fixture
async def service(corpus: Path) -> AsyncIterator[StoryService]:
    story = await started(corpus)
    yield story
    await story.close()


def texts(engine: Engine) -> set[str]:
    return {a.title for a in engine.articles}


async def test_a_servers_article_answers_there_only(service: StoryService) -> None:
    in_a = await service.ask(KEEPER, where=Where(A, 1))
    assert in_a.result.answered
    assert "Tom Ellis" in in_a.result.answers[0].text
    for where in (Where(B, 2), Where(None, 3), Where(333, 4)):
        elsewhere = await service.ask(KEEPER, where=where)
        assert not any("Porthaven" in a.text for a in elsewhere.result.answers if elsewhere.result.answered)
        assert all(not is_own(a.article.source, A) for a in elsewhere.result.answers)


async def test_a_server_sees_the_shared_articles_and_its_own(service: StoryService) -> None:
    shared = service.engine
    assert shared is not None
    in_a = await service.engine_for(A)
    in_b = await service.engine_for(B)
    assert in_a is not None
    assert in_b is not None
    assert texts(in_a) == texts(shared) | {"Lighthouse keeper retires after forty years"}
    assert texts(in_b) == texts(shared) | {"Bakery wins regional prize"}
    assert await service.engine_for(None) is shared
    assert await service.engine_for(333) is shared  # no folder: the shared engine itself, no copy
    story = await service.ask("Where did Putin and Assad meet?", where=Where(A, 1))
    assert "command post" in story.result.answers[0].text


async def test_the_shared_articles_leave_the_servers_folders_out(service: StoryService) -> None:
    assert service.engine is not None
    assert all(not a.source.startswith("servers/") for a in service.engine.articles)


async def test_own_and_shared_rank_as_one_index_of_both_files(service: StoryService, corpus: Path) -> None:
    """The server's engine scores every sentence exactly as one index built
    from a folder holding both the shared files and the server's would."""
    engine = await service.engine_for(A)
    assert engine is not None
    flat = corpus.parent / "flat"
    shutil.copytree(corpus, flat, ignore=shutil.ignore_patterns("servers"))
    shutil.copy(server_folder(corpus, A) / "lighthouse.txt", flat / "lighthouse.txt")
    single = Engine.from_folder(flat)
    for question in (KEEPER, "Did Putin visit the lighthouse?", "Who did Putin meet in Syria?", "forty years"):
        q1, q2 = engine.query_terms(question), single.query_terms(question)
        ids1, scores1 = engine.rank(q1, 50)
        ids2, scores2 = single.rank(q2, 50)
        by_text1 = {engine.sentence_answer(int(i)).text: float(s) for i, s in zip(ids1, scores1, strict=True)}
        by_text2 = {single.sentence_answer(int(i)).text: float(s) for i, s in zip(ids2, scores2, strict=True)}
        assert by_text1.keys() == by_text2.keys()
        for text, score in by_text1.items():
            assert score == pytest.approx(by_text2[text], rel=1e-9, abs=1e-12), (question, text)


async def test_a_broken_server_folder_fails_alone(corpus: Path) -> None:
    write(server_folder(corpus, A), "broken.txt", "\x00\x01 not text")
    (server_folder(corpus, B) / "bakery.txt").write_bytes(b"\xff\xfe not utf-8")
    service = await started(corpus)
    try:
        in_a = await service.engine_for(A)
        assert in_a is not None
        assert "Lighthouse keeper retires after forty years" in texts(in_a)  # the good file still loads
        assert [f.path for f in service.corpora.failures_of(A)] == [f"servers/{A}/broken.txt"]
        assert await service.engine_for(B) is service.engine  # nothing of its own loads: the shared articles
        assert service.corpora.failures_of(B)
        assert (await service.ask(KEEPER, where=Where(A, 1))).result.answered
    finally:
        await service.close()


async def test_a_folder_that_is_not_a_server_id_is_reported_and_skipped(corpus: Path) -> None:
    write(corpus / "servers" / "not-a-server", "x.txt", LIGHTHOUSE)
    service = await started(corpus)
    try:
        assert service.engine is not None
        failures = [str(f) for f in service.engine.failures]
        assert any("servers/not-a-server" in f and "server's id" in f for f in failures)
        assert all(not a.source.startswith("servers/") for a in service.engine.articles)
    finally:
        await service.close()


async def test_removing_a_servers_last_article_leaves_the_shared_ones(service: StoryService, corpus: Path) -> None:
    assert (await service.ask(KEEPER, where=Where(A, 1))).result.answered
    (server_folder(corpus, A) / "lighthouse.txt").unlink()
    done = await service.reload_articles(A)
    assert done.new is service.engine
    assert done.old is not None
    assert "Lighthouse keeper retires after forty years" in texts(done.old)
    assert not (await service.ask(KEEPER, where=Where(A, 1))).result.answered


async def test_a_servers_reload_changes_that_server_only(service: StoryService, corpus: Path) -> None:
    in_b_before = await service.engine_for(B)
    write(server_folder(corpus, A), "second.txt", BAKERY.replace("Bakery wins", "Second bakery wins"))
    done = await service.reload_articles(A)
    assert "Second bakery wins regional prize" in texts(done.new)
    assert await service.engine_for(B) is in_b_before


async def test_a_shared_reload_reaches_every_server(service: StoryService, corpus: Path) -> None:
    await service.engine_for(A)
    write(corpus, "new-shared.txt", BAKERY.replace("Bakery wins", "Shared bakery wins"))
    await service.reload_articles(None)
    in_a = await service.engine_for(A)
    assert in_a is not None
    assert {"Shared bakery wins regional prize", "Lighthouse keeper retires after forty years"} <= texts(in_a)


async def test_loaded_servers_are_bounded_least_recently_asked_out(corpus: Path) -> None:
    servers = [A, B, 333333333333333333, 444444444444444444]
    for gid in servers[2:]:
        write(server_folder(corpus, gid), "a.txt", LIGHTHOUSE.replace("Tom Ellis", f"Keeper {gid}"))
    service = await started(corpus, server_indexes_loaded=2)
    try:
        first = await service.engine_for(A)
        await service.engine_for(B)
        assert await service.engine_for(A) is first  # a hit: A is now the most recent
        await service.engine_for(servers[2])
        assert service.corpora.loaded == 2
        assert await service.engine_for(A) is first  # B went, not A
        again = await service.engine_for(B)  # loaded again on demand, the same articles
        assert again is not None
        assert "Bakery wins regional prize" in texts(again)
        assert service.corpora.loaded == 2
    finally:
        await service.close()


async def test_a_servers_index_is_saved_and_loaded_again(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = await started(corpus, index_cache_dir=cache)
    try:
        built = await first.engine_for(A)
        assert built is not None
        assert not built.index_loaded
    finally:
        await first.close()
    second = await started(corpus, index_cache_dir=cache)
    try:
        loaded = await second.engine_for(A)
        assert loaded is not None
        assert loaded.index_loaded
        assert texts(loaded) == texts(built)
    finally:
        await second.close()


def test_a_servers_articles_are_named_from_the_corpus_root(corpus: Path) -> None:
    own = load_corpus(server_folder(corpus, A), base=corpus)
    assert [a.source for a in own.articles] == [f"servers/{A}/lighthouse.txt"]
    shared = load_corpus(corpus, skip={"servers"})
    assert {a.id for a in own.articles}.isdisjoint({a.id for a in shared.articles})
    assert Corpus(articles=[*shared.articles, *own.articles]).articles


async def test_a_servers_engine_is_warmed_up_after_it_is_built(
    service: StoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work deferred from the build (the judge's parses of the server's own
    sentences, ``Engine.warm_up``) runs in a worker thread once the engine's
    first question is answered, once; a failure there is only logged."""
    warmed = threading.Event()
    threads: list[int] = []

    def warm_up(engine: Engine, idle: Callable[[], bool]) -> None:
        assert idle()  # the question was answered: nothing else is being done
        threads.append(threading.get_ident())
        warmed.set()
        raise RuntimeError("warming up failed")

    monkeypatch.setattr(Engine, "warm_up", warm_up)
    asked = await service.ask(KEEPER, where=Where(A, 1))
    assert "Tom Ellis" in asked.result.answers[0].text
    assert await asyncio.to_thread(warmed.wait, 10)
    assert threads != [threading.get_ident()]
    assert "Tom Ellis" in (await service.ask(KEEPER, where=Where(A, 1))).result.answers[0].text
    assert len(threads) == 1  # once per engine


async def test_warm_ups_waiting_never_hold_up_building_other_servers(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm-ups wait for idle moments in a thread of their own: a dozen of
    them waiting must not take the threads that servers' engines are built
    in (the default executor has min(32, cores + 4) threads)."""
    release = threading.Event()
    waiting: list[int] = []

    def warm_up(engine: Engine, idle: Callable[[], bool]) -> None:
        waiting.append(1)
        release.wait(60)

    monkeypatch.setattr(Engine, "warm_up", warm_up)
    servers = [A + n for n in range(12)]
    for gid in servers:
        write(server_folder(corpus, gid), "lighthouse.txt", LIGHTHOUSE)
    service = await started(corpus)
    try:
        async with asyncio.timeout(60):
            for gid in servers:
                asked = await service.ask(KEEPER, where=Where(gid, 1))
                assert "Tom Ellis" in asked.result.answers[0].text
        assert len(waiting) <= 1  # one warm-up under way, the others queued
    finally:
        release.set()
        await service.close()
