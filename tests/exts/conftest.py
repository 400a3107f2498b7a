"""Fixtures for the simcord behaviour tests (see ``tests/exts/simworld.py``)."""

from tests.exts.simworld import pytest_configure, simcord_bot, world

__all__ = ("pytest_configure", "simcord_bot", "world")
