"""Autocomplete choices within Discord's limits."""

from __future__ import annotations

from bot.ui.choices import MAX_CHOICE_CHARS, MAX_CHOICES, matching


def test_names_holding_what_was_typed_in_their_order() -> None:
    items = [("Vladimir Putin", "a"), ("Bashar Assad", "b"), ("Dmitry Peskov", "c")]
    assert [c.value for c in matching(items, " PUT ")] == ["a"]
    assert [c.value for c in matching(items, "")] == ["a", "b", "c"]
    assert matching(items, "nobody") == []


def test_at_most_25_choices_of_100_characters() -> None:
    items = [("x" * 300, "v" * 300)] * 40
    choices = matching(items, "x")
    assert len(choices) == MAX_CHOICES
    assert all(len(c.name) == len(c.value) == MAX_CHOICE_CHARS for c in choices)
