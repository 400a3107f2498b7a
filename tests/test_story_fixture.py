"""Tests never read the working folder's ``corpus/`` (issue 31): the README
tells operators to add their articles there, and 7 tests failed once they
had.  The tests read ``tests/fixtures/corpus/`` (``tests/story.py``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import load_settings
from tests.story import STORY_CORPUS, STORY_FILE

ROOT = Path(__file__).resolve().parents[1]

WORKING_CORPUS = re.compile(r"""(ROOT|parents\[\d\])\s*/\s*["']corpus["']""")
"""How a test would name the repository's ``corpus/`` folder."""


def test_no_test_names_the_working_folders_corpus() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WORKING_CORPUS.search(line) and path.name != "test_story_fixture.py"
    ]
    assert offenders == []


def test_settings_in_tests_point_at_the_fixture() -> None:
    assert load_settings().corpus_dir == STORY_CORPUS
    assert STORY_FILE.is_file()
    assert [p.name for p in STORY_CORPUS.iterdir()] == [STORY_FILE.name]


@pytest.mark.slow
def test_tests_pass_with_an_extra_article_in_corpus(tmp_path: Path) -> None:
    """A copy of the repository whose ``corpus/`` holds an extra article:
    tests that once counted the working folder's articles still pass."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache")
    for name in ("bot", "tests", "corpus"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "corpus" / "extra.txt").write_text(
        "An extra article\n\nThe operator's own\n\nThe town council met on Monday to discuss the budget.\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CORPUS_DIR", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(copy)
    targets = [
        "tests/engine/text/test_sentences.py",
        "tests/engine/test_engine.py",
        "tests/test_cli.py::test_index_reports_the_story",
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *targets],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
