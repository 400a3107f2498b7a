"""A Discord bot that answers questions about a news story by quoting it."""

__version__ = "0.1.0"
