"""Who's who: names merged, roles from titles and appositions, places,
organisations and bylines refused as people, every quote a sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.engine import Article, Corpus, Engine, IndexCache
from bot.engine.facts import book, build_facts, facts_for
from bot.engine.facts.book import SAVED_KIND
from bot.engine.judge.nlp import Pipeline
from tests.engine.facts.conftest import HARBOUR, QUIET, VALLEY, sentences_of

Build = Callable[..., Engine]


def names(engine: Engine, pipeline: Pipeline, **kw: object) -> list[str]:
    return [p.name for p in build_facts(engine.index, pipeline).people(**kw)]  # type: ignore[arg-type]


def test_aliases_and_possessives_merge_into_the_full_name(engine_of: Build, pipeline: Pipeline) -> None:
    facts = build_facts(engine_of(HARBOUR).index, pipeline)

    marsh = facts.person("Marsh")
    assert marsh is not None
    assert marsh.name == "Elena Marsh"
    assert "Marsh" in marsh.aliases
    assert [p.name for p in facts.people()].count("Elena Marsh") == 1
    assert facts.person("Marsh's") is marsh
    assert marsh.mentions >= 3  # "Elena Marsh", "Marsh said", "Marsh's office"


def test_titles_and_appositions_are_roles_with_their_sentence(engine_of: Build, pipeline: Pipeline) -> None:
    engine = engine_of(HARBOUR)
    facts = build_facts(engine.index, pipeline)

    marsh, reyes = facts.person("Elena Marsh"), facts.person("Tomas Reyes")
    assert marsh is not None
    assert reyes is not None
    assert [r for r, _ in marsh.roles] == ["Harbour Commissioner"]
    assert "Harbour Commissioner Elena Marsh" in engine.index.sentence_text(marsh.roles[0][1])
    [(role, sid)] = reyes.roles
    assert role == "keeper of the Porthaven lighthouse"
    assert "Tomas Reyes, the keeper" in engine.index.sentence_text(sid)
    assert all(r != "62" for r, _ in reyes.roles)  # an age is not a role


def test_a_role_given_before_the_name_in_apposition(pipeline: Pipeline) -> None:
    article = Article(
        id="x",
        title="Mayor speaks",
        paragraphs=("The mayor of Eastbrook, Carla Duval, opened the bridge.", "Duval thanked the builders."),
    )
    facts = build_facts(Engine(Corpus([article])).index, pipeline)

    duval = facts.person("Duval")
    assert duval is not None
    assert [r for r, _ in duval.roles] == ["mayor of Eastbrook"]


def test_places_organisations_and_agencies_are_not_people(engine_of: Build, pipeline: Pipeline) -> None:
    engine = engine_of(HARBOUR, VALLEY)
    listed = {w for name in names(engine, pipeline) for w in name.split()}

    assert {"Marsh", "Reyes", "Nand"} <= listed
    assert not listed & {"Porthaven", "PORTHAVEN", "Council", "Company", "Herald"}


def test_the_author_is_kept_apart(engine_of: Build, pipeline: Pipeline) -> None:
    engine = engine_of(HARBOUR)
    people = names(engine, pipeline)

    assert "Mina Ortiz" not in people  # named in the text, but she wrote it
    assert "Mina Ortiz" in HARBOUR.authors


def test_a_person_of_several_articles_is_one(engine_of: Build, pipeline: Pipeline) -> None:
    engine = engine_of(HARBOUR, VALLEY)
    facts = build_facts(engine.index, pipeline)

    marsh = facts.person("Elena Marsh")
    assert marsh is not None
    assert {int(engine.index.sent_article[s]) for s in marsh.sentences} == {0, 1}
    [valley_marsh] = [p for p in facts.people(article=1) if p.name == "Elena Marsh"]
    assert all(int(engine.index.sent_article[s]) == 1 for s in valley_marsh.sentences)
    assert valley_marsh.roles == ()  # her role is given in the other article
    assert "Tomas Reyes" not in [p.name for p in facts.people(article=1)]


def test_order_by_first_mention_or_by_mentions(engine_of: Build, pipeline: Pipeline) -> None:
    facts = build_facts(engine_of(HARBOUR, VALLEY).index, pipeline)

    first = facts.people()
    assert [p.sentences[0] for p in first] == sorted(p.sentences[0] for p in first)
    by_count = facts.people(by="mentions")
    assert [p.mentions for p in by_count] == sorted((p.mentions for p in by_count), reverse=True)
    assert by_count[0].name == "Elena Marsh"


def test_every_quote_is_a_sentence_of_the_corpus(engine_of: Build, pipeline: Pipeline) -> None:
    engine = engine_of(HARBOUR, VALLEY, QUIET)
    facts = build_facts(engine.index, pipeline)
    corpus = sentences_of(engine)

    assert facts.people()
    for person in facts.people():
        quoted = [person.quote, *(s for _, s in person.roles), *person.sentences]
        assert {engine.index.sentence_text(s) for s in quoted} <= corpus
        assert all(
            any(f in engine.index.sentence_text(s) for f in (person.name, *person.aliases)) for s in person.sentences
        )


def test_no_one_without_spacy_and_no_one_in_a_quiet_article(engine_of: Build, pipeline: Pipeline) -> None:
    assert build_facts(engine_of(HARBOUR).index, None).people() == []
    assert build_facts(engine_of(QUIET).index, pipeline).people() == []


def test_facts_are_saved_with_the_index_and_loaded(
    tmp_path: Path, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = IndexCache(tmp_path)
    engine = Engine(Corpus([HARBOUR, VALLEY]), cache=cache)
    built = facts_for(engine, pipeline)

    assert list(tmp_path.glob(f"{SAVED_KIND}-*.npz"))
    again = Engine(Corpus([HARBOUR, VALLEY]), cache=cache)

    def not_again(*args: object) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr(book, "build_facts", not_again)
    loaded = facts_for(again, pipeline)

    assert loaded.people() == built.people() != []
    assert loaded.timeline() == built.timeline()


def test_roles_of_a_last_name_the_recogniser_missed_and_after_as(pipeline: Pipeline) -> None:
    article = Article(
        id="y",
        title="Valley",
        paragraphs=(
            "Farmers are planting less wheat, adviser Priya Nand said.",
            "Nand, a soil scientist at Fairmont University, said wells fell.",
            "The orchestra on Thursday named Irena Kowalczyk as its music director.",
            "His coach, Laura Brandt, said the win was earned.",
        ),
    )
    facts = build_facts(Engine(Corpus([article])).index, pipeline)

    roles = {p.name: [r for r, _ in p.roles] for p in facts.people()}
    assert "soil scientist at Fairmont University" in roles["Priya Nand"]
    assert roles["Irena Kowalczyk"] == ["music director"]
    assert roles["Laura Brandt"] == ["coach"]  # not "His coach"


def test_the_judges_parses_choose_the_sentences_parsed_again(
    engine_of: Build, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_of(HARBOUR, VALLEY)
    parses = [pipeline.parse(engine.index.sentence_text(s)) for s in range(engine.n_sentences)]
    persons = [s for s, doc in enumerate(parses) if any(e.label_ == "PERSON" for e in doc.ents)]
    saved = [SimpleNamespace(ents=tuple((e.start, e.end, e.label_) for e in doc.ents)) for doc in parses]
    judge = SimpleNamespace(parses=SimpleNamespace(ordered=lambda n: saved if n == len(saved) else None))
    monkeypatch.setattr(engine, "judge", judge)
    seen: list[str] = []
    real = pipeline.parse_many

    def parse_many(texts: list[str]) -> Iterator[object]:
        seen.extend(texts)
        return real(texts)

    monkeypatch.setattr(pipeline, "parse_many", parse_many)
    facts = facts_for(engine, pipeline)

    assert 0 < len(seen) < engine.n_sentences
    assert set(seen) == {engine.index.sentence_text(s) for s in persons}
    assert facts.person("Elena Marsh") is not None
