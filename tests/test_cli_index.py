"""``python -m bot index`` prepares everything and shows its progress
(issue 31): the second run loads what the first built (labelled "load
time", not "build time"); ``--no-vectors`` skips the vectors; progress on
standard error is plain lines when it is not a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.story import STORY_CORPUS
from tests.test_cli import WHERE_MEET, clean_env, run


def numbers(stdout: str) -> dict[str, str]:
    return {line[:12].strip(): line[12:].strip() for line in stdout.splitlines() if line and not line.startswith(" ")}


def test_index_builds_then_loads_and_ask_starts_ready(tmp_path: Path) -> None:
    env = clean_env(INDEX_CACHE_DIR=str(tmp_path / "cache"))
    first = run("index", "--corpus", str(STORY_CORPUS), env=env)
    assert first.returncode == 0, first.stderr
    built = numbers(first.stdout)
    assert built["index"] == "built"
    assert "build time" in built
    assert built["embeddings"] == "all sentences"
    # Not a terminal: plain lines, each whole, no carriage return nor colour.
    assert "\r" not in first.stderr
    assert "\x1b" not in first.stderr
    assert any(line.startswith("embedding: ") for line in first.stderr.splitlines()), first.stderr
    second = run("index", "--corpus", str(STORY_CORPUS), env=env)
    loaded = numbers(second.stdout)
    assert loaded["index"] == "loaded from the cache"
    assert "load time" in loaded
    assert "build time" not in loaded
    assert second.stderr == ""  # nothing left to build
    asked = run("ask", "--json", "--corpus", str(STORY_CORPUS), WHERE_MEET, env=env)
    assert json.loads(asked.stdout)["answered"] is True


def test_no_vectors_builds_the_index_alone(tmp_path: Path) -> None:
    env = clean_env(INDEX_CACHE_DIR=str(tmp_path / "cache"))
    proc = run("index", "--no-vectors", "--corpus", str(STORY_CORPUS), env=env)
    assert proc.returncode == 0, proc.stderr
    assert numbers(proc.stdout)["embeddings"] == "off (BM25 alone)"
    assert proc.stderr == ""
