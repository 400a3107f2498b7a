"""Answer typing: the expected entity, new, and attached to what was asked."""

from __future__ import annotations

from typing import Any

from bot.engine.judge.answer_type import FAR, distance, evidence, reduce
from bot.engine.judge.question import analyse


def _evidence(parse: Any, question: str, sentence: str) -> Any:
    return evidence(analyse(parse(question)), reduce(parse(sentence)))


def test_the_war_s_age_is_not_putin_s(parse: Any) -> None:
    war = _evidence(
        parse,
        "How old is Putin?",
        "The Syrian government has largely won the nearly 9-year-old civil war militarily, Putin said.",
    )
    assert war.has_type  # "9-year-old" is an age ...
    assert not war.satisfied  # ... of the war
    putin = _evidence(parse, "How old is Putin?", "Putin, 67, arrived in Damascus on Tuesday.")
    assert putin.satisfied
    assert putin.distance == 1


def test_a_year_is_no_one_s_age(parse: Any) -> None:
    # A bare number next to Putin is his age ("Putin, 67,"); a year there
    # dates his trip.
    year = _evidence(parse, "How old is Putin?", "The last time Putin came to Syria was in 2017, he said.")
    assert not year.has_type
    bare = _evidence(parse, "How old is Putin?", "Putin came to Syria in 2017 and in 2019.")
    assert not bare.has_type


def test_the_person_next_to_spokesman(parse: Any) -> None:
    question = "Who is the Kremlin spokesman?"
    peskov = _evidence(
        parse,
        question,
        "Putin and Assad met Tuesday at a Russian command post in Damascus, and were presented with military "
        "reports on the situation in different regions of Syria, Kremlin spokesman Dmitry Peskov said.",
    )
    dateline = _evidence(
        parse,
        question,
        "DAMASCUS, Syria — Russian President Vladimir Putin travelled to Syria to meet with President Bashar "
        "Assad on Tuesday, said Syrian state media and a Kremlin spokesman.",
    )
    assert peskov.satisfied
    assert peskov.head_distance == 1
    assert not dateline.satisfied
    assert dateline.head_distance > peskov.head_distance


def test_a_number_of_children_or_none(parse: Any) -> None:
    question = "How many children does Assad have?"
    dates = _evidence(parse, question, "Assad previously visited Russia and met with Putin in May 2018.")
    assert not dates.has_type  # a date is not a count
    three = _evidence(parse, question, "Assad has three children with his wife Asma.")
    assert three.satisfied
    assert three.head_distance == 1


def test_a_name_the_question_gives_does_not_answer_it(parse: Any) -> None:
    ev = _evidence(parse, "Who met Assad in Damascus?", "Assad stayed in Damascus.")
    assert ev.has_type
    assert not ev.new


def test_untyped_question_has_no_type_evidence(parse: Any) -> None:
    ev = _evidence(parse, "Why did Putin go to Syria?", "Putin went to Syria to meet Assad.")
    assert not ev.has_type
    assert ev.new_entities == 1  # Assad


def test_distance_in_the_dependency_tree(parse: Any) -> None:
    p = reduce(parse("Kremlin spokesman Dmitry Peskov said."))
    assert distance(p, 1, 3) == 1  # spokesman -> Peskov
    assert distance(p, 0, 4) == 3  # Kremlin -> spokesman -> Peskov -> said
    assert distance(p, 2, 2) == 0
    assert distance(p, 0, 4) < FAR
