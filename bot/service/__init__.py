"""The service layer: runs the engine for the Discord bot and the command
line alike, and knows nothing of Discord."""

from bot.service.core import Asked, NotReady, StoryService, Where
from bot.service.corpora import Reloaded
from bot.service.engines import EngineFactory, build_engine
from bot.service.facts import FactsBook, PeopleListing, PersonEntry, TimelineEntry
from bot.service.layout import SERVERS, is_own, is_shared, server_folder
from bot.service.links import fetch_options
from bot.service.pool import Busy
from bot.service.questions import QUESTION_MAX_CHARS, question_text

__all__ = [
    "QUESTION_MAX_CHARS",
    "SERVERS",
    "Asked",
    "Busy",
    "EngineFactory",
    "FactsBook",
    "NotReady",
    "PeopleListing",
    "PersonEntry",
    "Reloaded",
    "StoryService",
    "TimelineEntry",
    "Where",
    "build_engine",
    "fetch_options",
    "is_own",
    "is_shared",
    "question_text",
    "server_folder",
]
