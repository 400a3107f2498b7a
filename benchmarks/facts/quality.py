"""Precision and recall of people, roles and events, and the order's
accuracy, against ``gold.json`` (see the package's docstring)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from bot.engine import Engine, load_corpus
from bot.engine.facts import build_facts
from bot.engine.facts.dates import sort_key
from bot.engine.judge.nlp import load_nlp

HERE = Path(__file__).resolve().parent
SETS = ("dev", "held-out")
"""``articles/<set>/`` and ``gold-<set>.json``: the development set (its
misses were looked at while writing the rules) and the held-out set
(written after, measured as it is)."""


def _norm(text: str) -> str:
    text = " ".join(text.lower().replace("\u2019", "'").split())
    return text.removeprefix("the ").strip()


def _ratio(good: int, total: int) -> str:
    return f"{good / total:.3f} ({good}/{total})" if total else "n/a (0/0)"


def _line(what: str, precision: str, recall: str) -> None:
    print(f"{what:<8} precision {precision}  recall {recall}")


def _gold_people(gold: dict[str, Any]) -> dict[str, list[set[str]]]:
    """Name -> the accepted forms of each of their roles, over all articles."""
    people: dict[str, list[set[str]]] = {}
    for article in gold["articles"].values():
        for person in article["people"]:
            roles = people.setdefault(person["name"].lower(), [])
            roles += [{_norm(f) for f in forms} for forms in person["roles"]]
    return people


def _nested(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def measure(verbose: bool = False) -> None:
    for name in SETS:
        print(f"== {name} (articles/{name}/, gold-{name}.json)")
        measure_set(name, verbose)


def measure_set(name: str, verbose: bool = False) -> None:
    gold = json.loads((HERE / f"gold-{name}.json").read_text(encoding="utf-8"))
    corpus = load_corpus(HERE / "articles" / name)
    engine = Engine(corpus)
    nlp = load_nlp()
    if nlp is None:
        raise SystemExit("spaCy's English model is not installed")
    facts = build_facts(engine.index, nlp)
    text = engine.index.sentence_text

    gold_people = _gold_people(gold)
    listed = facts.people()
    right_people = [p for p in listed if p.name.lower() in gold_people]
    found_names = {p.name.lower() for p in right_people}
    print(f"articles {len(corpus.articles)}, sentences {engine.n_sentences}, parser {nlp.name}")
    _line("people", _ratio(len(right_people), len(listed)), _ratio(len(found_names), len(gold_people)))

    role_pairs = [(p.name.lower(), _norm(r)) for p in listed for r, _ in p.roles]
    right_roles = [(n, r) for n, r in role_pairs if any(r in forms for forms in gold_people.get(n, []))]
    gold_roles = [(n, forms) for n, roles in gold_people.items() for forms in roles]
    recalled = [(n, f) for n, f in gold_roles if any(pn == n and r in f for pn, r in role_pairs)]
    _line("roles", _ratio(len(right_roles), len(role_pairs)), _ratio(len(recalled), len(gold_roles)))

    gold_events = [e for a in gold["articles"].values() for e in a["events"]]
    events = facts.timeline()
    matched = {}
    for i, event in enumerate(events):
        for g, wanted in enumerate(gold_events):
            if wanted["text"] in text(event.sentence):
                matched[i] = g
    found_gold = set(matched.values())
    right_dates = [i for i, g in matched.items() if events[i].date == gold_events[g]["date"]]
    print(f"events   precision {_ratio(len(matched), len(events))}  recall {_ratio(len(found_gold), len(gold_events))}")
    print(f"dates    right among events found {_ratio(len(right_dates), len(matched))}")

    dated = [(i, gold_events[g]["date"]) for i, g in sorted(matched.items()) if gold_events[g]["date"]]
    pairs = [(a, b) for a, b in itertools.combinations(dated, 2) if not _nested(a[1], b[1])]
    in_order = [(a, b) for a, b in pairs if (a[0] < b[0]) == (sort_key(a[1]) < sort_key(b[1]))]
    print(f"order    pairs in the right order {_ratio(len(in_order), len(pairs))}")

    if verbose:
        for p in listed:
            mark = " " if p.name.lower() in gold_people else "x"
            print(f"  {mark} person {p.name} {[r for r, _ in p.roles]}")
        for n in sorted(set(gold_people) - found_names):
            print(f"  - missed person {n}")
        for n, f in gold_roles:
            if (n, f) not in recalled:
                print(f"  - missed role {n}: {sorted(f)}")
        for i, event in enumerate(events):
            want = gold_events[matched[i]]["date"] if i in matched else "not an event"
            mark = " " if i in matched and event.date == want else "x"
            print(f"  {mark} {event.date} ({event.when}) gold {want}: {text(event.sentence)[:70]}")
        for g, wanted in enumerate(gold_events):
            if g not in found_gold:
                print(f"  - missed event {wanted['text']!r}")
