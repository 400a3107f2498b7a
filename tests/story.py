"""The story the tests read: a fixed copy of ``corpus/``'s article in
``tests/fixtures/corpus/``.

Tests never read the working folder's ``corpus/``: an operator adds their
own articles there (as the README tells them to), and the tests' expected
answers, counts and sentences must not change with it (issue 31)."""

from pathlib import Path

STORY_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
"""The corpus folder of the tests: the story alone."""

STORY_FILE = STORY_CORPUS / "putin-visits-syria-to-meet-assad.txt"
