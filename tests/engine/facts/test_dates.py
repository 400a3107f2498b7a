"""Dates found in a sentence and resolved against a publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine.facts.dates import find_dates, parse_published, sort_key

FRIDAY = dt.date(2021, 3, 12)


@pytest.mark.parametrize(
    ("sentence", "when", "date"),
    [
        ("The council met on Tuesday.", "on Tuesday", "2021-03-09"),
        ("The council met Friday.", "Friday", "2021-03-12"),
        ("It will meet next Monday.", "next Monday", "2021-03-15"),
        ("It rained yesterday.", "yesterday", "2021-03-11"),
        ("They left three days ago.", "three days ago", "2021-03-09"),
        ("Prices rose last month.", "last month", "2021-02"),
        ("Prices rose last year.", "last year", "2020"),
        ("The road was built in 2015.", "in 2015", "2015"),
        ("She arrived in May 2018.", "in May 2018", "2018-05"),
        ("The law passed on Jan. 5, 2020.", "on Jan. 5, 2020", "2020-01-05"),
        ("The law passed on 5 January 2020.", "on 5 January 2020", "2020-01-05"),
        ("The fair opens in October.", "in October", "2020-10"),
        ("The fair will open in February.", "in February", "2022-02"),
        ("The vote will be on Tuesday.", "on Tuesday", "2021-03-16"),
        ("The show moves there next summer.", "next summer", "2021"),
        ("Lowe, who voted no in 2019, said so.", "in 2019", "2019"),
        ("She won in Tuesday's vote.", "Tuesday", "2021-03-09"),
    ],
)
def test_a_date_resolves_against_the_publication_date(sentence: str, when: str, date: str) -> None:
    [found] = find_dates(sentence, FRIDAY)

    assert (found.when, found.date) == (when, date)


def test_relative_dates_stay_unresolved_without_a_publication_date() -> None:
    found = find_dates("On Friday they met, and again in 2019.", None)

    assert [(f.when, f.date, f.relative) for f in found] == [("On Friday", None, True), ("in 2019", "2019", False)]


@pytest.mark.parametrize("sentence", ["They left last week.", "In recent weeks, prices rose."])
def test_a_week_has_no_date_of_its_own(sentence: str) -> None:
    [found] = find_dates(sentence, FRIDAY)

    assert found.date is None
    assert found.relative


@pytest.mark.parametrize(
    "sentence",
    [
        "The library keeps its reading room quiet.",
        "More than 2,015 people came, and 2015 troops stayed.",
        "Rebels held a 9-year-old town; she may 12 times.",
        "The march began at the old gate.",
    ],
)
def test_no_date_at_all(sentence: str) -> None:
    assert find_dates(sentence, FRIDAY) == []


def test_publication_dates_and_the_order_of_precisions() -> None:
    assert parse_published("2021-03-12T09:30:00Z") == FRIDAY
    assert parse_published("March 2021") is None
    assert parse_published(None) is None
    assert sort_key("2018") < sort_key("2018-05") < sort_key("2018-05-02") < sort_key("2019")
