"""Several bot processes share one ``INDEX_CACHE_DIR`` (the same
``CORPUS_DIR``, the same folder): two of them building and saving the same
index at the same moment must never leave a broken file.  The cache writes
each file to a unique temporary name (``mkstemp``) and renames it into
place (``os.replace``, atomic on one file system), so a reader sees a whole
file, old or new.  Here, real processes save the same key over and over
while another loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.engine import Corpus, Engine, IndexConfig, load_corpus
from bot.engine.index.cache import IndexCache, index_key
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys
from pathlib import Path
from bot.engine import Engine, IndexConfig, load_corpus
from bot.engine.index.cache import IndexCache, index_key

folder, mode, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
corpus = load_corpus(Path(sys.argv[4]))
engine = Engine(corpus, cache=None)
cache = IndexCache(folder)
key = index_key(corpus.articles, IndexConfig())
bad = 0
for _ in range(rounds):
    if mode == "save":
        cache.save(key, engine.index)
    else:
        found = cache.load(key, corpus.articles, IndexConfig())
        bad += found is not None and found.n_sentences != engine.index.n_sentences
print(bad)
"""


def test_processes_saving_the_same_index_at_once_leave_a_whole_file(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    corpus_dir = STORY_CORPUS
    args = [str(folder), "", "60", str(corpus_dir)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, *args[:1], mode, *args[2:]],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("save", "save", "save", "load")
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "0"
        assert "cannot be read" not in err, err  # never a damaged file
        assert "does not fit" not in err, err
    assert not list(folder.glob(".saving-*")), "a temporary file was left behind"
    corpus: Corpus = load_corpus(corpus_dir)
    loaded = IndexCache(folder).load(index_key(corpus.articles, IndexConfig()), corpus.articles, IndexConfig())
    assert loaded is not None
    assert loaded.n_sentences == Engine(corpus, cache=None).n_sentences
