"""``python -m bot add URL`` in a subprocess, fetching from the tests' own
news site on loopback (``tests/harness/news_site.py``), as an operator runs
it: the article's path on stdout and exit 0; for every refusal in issue 17's
list, exactly one line on stderr, exit 2, nothing written.  The fetcher's
own behaviour, case by case: ``tests/fetch/``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.harness.news_site import Server, corpus_dir, files_in, server
from tests.test_cli import ROOT, clean_env

__all__ = ["corpus_dir", "server"]  # the fixtures, imported for these tests

pytestmark = pytest.mark.slow

LOOPBACK_OK = {"FETCH_ALLOW_PRIVATE": "true", "FETCH_TIMEOUT_SECONDS": "1"}


async def add(*args: str, **env: str) -> tuple[int, str, str]:
    """Runs the command while this test's loop serves the news site."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "add",
        *args,
        cwd=ROOT,
        env=clean_env(**env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def real(path: Path) -> Path:
    return path.resolve()


def head(path: Path) -> str:
    return path.read_text("utf-8")[:40]


def one_line(code: int, out: str, err: str) -> str:
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


async def test_an_article_is_saved_and_its_path_printed(server: Server, corpus_dir: Path) -> None:
    code, out, err = await add(server.url("/news/harbor_jsonld"), "--corpus", str(corpus_dir), **LOOPBACK_OK)
    assert code == 0, err
    path = Path(out.strip())
    assert path.parent == real(corpus_dir)
    assert files_in(corpus_dir) == [path.name]
    assert head(path).startswith("---\ntitle: City council approves")


async def test_a_servers_article_goes_to_its_folder(server: Server, corpus_dir: Path) -> None:
    url = server.url("/news/valley_meta")
    code, _, err = await add(url, "--corpus", str(corpus_dir), "--server", "42", **LOOPBACK_OK)
    assert code == 0, err
    assert [p.split("/")[:2] for p in files_in(corpus_dir)] == [["servers", "42"]]
    again = one_line(*await add(url, "--corpus", str(corpus_dir), "--server", "42", **LOOPBACK_OK))
    assert "already" in again
    assert again.endswith("(add --replace to fetch it again)")
    code, _, err = await add(url, "--corpus", str(corpus_dir), "--server", "42", "--replace", **LOOPBACK_OK)
    assert code == 0, err
    assert len(files_in(corpus_dir)) == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/never", "did not arrive within 1 second"),
        ("/trickle", "did not arrive within 1 second"),
        ("/huge", "larger than"),
        ("/bomb", "larger than"),
        ("/binary/png", "not a web page"),
        ("/binary/pdf", "not a web page"),
        ("/news/listing", "not an article"),
        ("/bad-utf8", "not valid UTF-8"),
    ],
)
async def test_refusals_are_one_line_exit_2_nothing_written(
    server: Server, corpus_dir: Path, path: str, reason: str
) -> None:
    # 1 second for the two that never finish; the others are refused for
    # what they are, however busy the machine (a 1 s limit made a gzip bomb
    # a timeout under load).
    timeout = "1" if "within" in reason else "30"
    env = {**LOOPBACK_OK, "FETCH_TIMEOUT_SECONDS": timeout}
    line = one_line(*await add(server.url(path), "--corpus", str(corpus_dir), **env))
    assert line.startswith("bot: error: ")
    assert reason in line, line
    assert files_in(corpus_dir) == []


async def test_loopback_is_refused_unless_allowed(server: Server, corpus_dir: Path) -> None:
    line = one_line(*await add(server.url("/news/valley_meta"), "--corpus", str(corpus_dir)))
    assert "private, loopback" in line
    assert "FETCH_ALLOW_PRIVATE" in line
    assert server.stats.requests == []
    assert files_in(corpus_dir) == []


async def test_a_hostile_title_makes_a_safe_name(server: Server, corpus_dir: Path) -> None:
    title = "../../<@123> @everyone / CON .. report"
    code, out, err = await add(server.url(f"/titled?title={quote(title)}"), "--corpus", str(corpus_dir), **LOOPBACK_OK)
    assert code == 0, err
    [name] = files_in(corpus_dir)
    assert "/" not in name
    assert not name.startswith(".")
    assert Path(out.strip()) == real(corpus_dir) / name
