"""Facts worth a slash command, read from the corpus's own sentences:
who's who (``people.py``, ``names.py``) and the timeline (``dates.py``,
``timeline.py``), built once per index and saved with it (``book.py``)."""

from bot.engine.facts.book import Facts, PersonFact, build_facts, facts_for
from bot.engine.facts.dates import Found, find_dates, parse_published
from bot.engine.facts.timeline import Event

__all__ = ["Event", "Facts", "Found", "PersonFact", "build_facts", "facts_for", "find_dates", "parse_published"]
