"""Autocomplete choices as Discord takes them: those whose name holds what
the user typed, 25 at most, each name and value 100 characters at most."""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100


def matching(items: Iterable[tuple[str, str]], typed: str) -> list[app_commands.Choice[str]]:
    """The (name, value) pairs whose name holds ``typed`` (case and edge
    spaces aside), in their order."""
    needle = typed.casefold().strip()
    found = (
        app_commands.Choice(name=name[:MAX_CHOICE_CHARS], value=value[:MAX_CHOICE_CHARS])
        for name, value in items
        if needle in name.casefold()
    )
    return [choice for _, choice in zip(range(MAX_CHOICES), found, strict=False)]
