"""The question log's tests: a clock moved by hand (``clock.py``)."""

import pytest

from tests.question_log.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
