"""The service layer: runs the engine for the Discord bot and the command
line alike, and knows nothing of Discord."""

from bot.service.core import Asked, NotReady, StoryService, Where
from bot.service.engines import EngineFactory, build_engine, fetch_options
from bot.service.pool import Busy

__all__ = ["Asked", "Busy", "EngineFactory", "NotReady", "StoryService", "Where", "build_engine", "fetch_options"]
