"""``python -m benchmarks.facts --speed``: the build once, then every
listing of ``people`` and ``timeline`` at ``--articles`` articles (see the
package's docstring)."""

from __future__ import annotations

import dataclasses
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.cli import event_json, person_json
from bot.engine import Article, Corpus, Engine, IndexCache, facts_for, load_corpus
from bot.render_facts import people_text, timeline_text
from bot.service import FactsBook
from bot.service.facts import people_listing, timeline_listing
from bot.ui.facts import people_pages, timeline_pages

HERE = Path(__file__).resolve().parent
FIRST = "Ada Bo Cy Dag Eli Fen Gus Hal Ivo Jun Kai Lev Mor Nia Ola Pim Quin Rue Sol Tam".split()
LAST = "Amsel Brandvold Castellan Dunmore Everly Fairweather Galloway Hollis Ingram Jessup".split()


def _names(k: int) -> Callable[[str], str]:
    """Copy ``k``'s name for each person name: two words no other copy uses."""

    def new(i: int) -> str:
        n = k * 40 + i
        return f"{FIRST[n % 20]}{FIRST[(n // 20) % 20].lower()} {LAST[(n // 400) % 10]}{LAST[(n // 4000) % 10].lower()}"

    return new


def copies(n: int) -> list[Article]:
    """``n`` articles: the benchmark's own, again and again, each copy with
    people of its own (every person's name replaced)."""
    base = [a for s in ("dev", "held-out") for a in load_corpus(HERE / "articles" / s).articles]
    people = sorted({w for a in base for p in a.paragraphs for w in _person_names(p)}, key=lambda n: (-len(n), n))
    out = []
    for k in range(n):
        article = base[k % len(base)]
        fresh = _names(k)
        swap = {name: fresh(i) for i, name in enumerate(people)}

        def renamed(text: str, swap: dict[str, str] = swap) -> str:
            for old, new in swap.items():
                text = text.replace(old, new)
            return text

        out.append(
            dataclasses.replace(
                article,
                id=f"{article.id} (copy {k})",
                title=f"{article.title} ({k})",
                paragraphs=tuple(renamed(p) for p in article.paragraphs),
            )
        )
    return out


def _person_names(text: str) -> list[str]:
    names = []
    for s in ("dev", "held-out"):
        gold = json.loads((HERE / f"gold-{s}.json").read_text(encoding="utf-8"))
        names += [p["name"] for a in gold["articles"].values() for p in a["people"]]
    return [n for n in names if n in text] + [n.split()[-1] for n in names if n.split()[-1] in text]


def _time(label: str, call: Callable[[], object], runs: int) -> None:
    took = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        took.append((time.perf_counter() - t0) * 1000)
    print(f"  {label:<48} median {statistics.median(took):7.2f} ms   worst {max(took):7.2f} ms")


def speed(n_articles: int, runs: int) -> None:
    articles = copies(n_articles)
    with tempfile.TemporaryDirectory() as folder:
        cache = IndexCache(folder)
        engine = Engine(Corpus(articles), cache=cache)
        t0 = time.perf_counter()
        facts = facts_for(engine)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = facts_for(Engine(Corpus(articles), cache=cache))
        loaded = time.perf_counter() - t0
        book = FactsBook()
        book.facts(engine)  # (loaded from the cache; makes the listings of all articles)
    people, events = facts.people(), facts.timeline()
    assert len(again.people()) == len(people)
    print(f"{len(articles)} articles, {engine.n_sentences} sentences: {len(people)} people, {len(events)} events")
    print(f"build (parse, merge, dates) {built:.1f} s; load from the index cache {loaded * 1000:.0f} ms")
    gc.freeze()  # as the bot does once an engine is built (``service.engines.settle_memory``)
    one = articles[len(articles) // 2].key
    name = people[len(people) // 2].name
    print("the listings of all articles, made with the facts once per index:")
    _time("people (all)", lambda: people_listing(engine, facts), 1)
    _time("timeline (all)", lambda: timeline_listing(engine, facts), 1)
    print(f"what /people and /timeline take after that (FactsBook: kept listings), over {runs} runs:")
    _time("people (all, first mention)", lambda: book.people_now(engine), runs)
    _time("people --by mentions", lambda: book.people_now(engine, by="mentions"), runs)
    _time("people article: (the same each run)", lambda: book.people_now(engine, one), runs)
    _time("people article: (another each run, not kept)", _other_article(engine, book), runs)
    _time("people person:", lambda: facts.person(name), runs)
    _time("timeline (all)", lambda: book.timeline_now(engine), runs)
    _time("timeline article: (another each run, not kept)", _other_article(engine, book, timeline=True), runs)
    _time("/people: the listing and its first page", lambda: people_pages(book.people_now(engine), "all")[0], runs)
    _time(
        "/timeline: the listing and its first page", lambda: timeline_pages(book.timeline_now(engine), "all")[0], runs
    )
    print("the command line's whole output, written from the kept listing (once a process):")
    _time("people (text)", lambda: people_text(book.people_now(engine)), 5)
    _time("timeline (text)", lambda: timeline_text(book.timeline_now(engine)), 5)
    _time("people --json", lambda: [json.dumps(person_json(p)) for p in book.people_now(engine).people], 5)
    _time("timeline --json", lambda: [json.dumps(event_json(e)) for e in book.timeline_now(engine)], 5)


def _other_article(engine: Engine, book: FactsBook, timeline: bool = False) -> Callable[[], object]:
    keys = iter([a.key for a in engine.articles] * 2)

    def call() -> object:
        key = next(keys)
        return book.timeline_now(engine, key) if timeline else book.people_now(engine, key)

    return call
