"""The wheel ships schemas/ and policies/ and works from a fresh, non-editable venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import COMPLIANT, ROOT, TODAY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy so the build never writes into the checkout.
    src = tmp_path_factory.mktemp("src") / "modelgov"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".ci", "*.egg-info", "__pycache__", ".hypothesis", "build", "dist"
        ),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("modelgov_lint-*.whl")  # the distribution name (issue 17)
    return built


def test_wheel_contains_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "modelgov/_data/schemas/model.schema.json" in names
    for pack in ("minimal", "default", "strict"):
        assert f"modelgov/_data/policies/{pack}.yaml" in names
    assert "modelgov/py.typed" in names
    assert "modelgov/frameworks/builtin.yaml" in names  # the control mappings


def test_fresh_venv_runs_check(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    pip = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr
    # pip compiles the wheel's modules at install (whatever PYTHONDONTWRITEBYTECODE says):
    # without .pyc files every check would compile modelgov anew (docs/performance.md)
    compiled = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import importlib.util, pathlib, modelgov\n"
            "root = pathlib.Path(modelgov.__file__).parent\n"
            "for py in sorted(root.rglob('*.py')):\n"
            "    if not pathlib.Path(importlib.util.cache_from_source(str(py))).is_file():\n"
            "        print(py.relative_to(root))\n",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0 and compiled.stdout == "", compiled.stdout + compiled.stderr
    repo = tmp_path / "model-repo"
    shutil.copytree(COMPLIANT, repo)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MODELGOV_TODAY"] = TODAY

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bindir / "modelgov"), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )

    ok = run("check", str(repo))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All clear: 1 model checked" in ok.stdout
    where = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import modelgov.resources as r; print(r.data_dir('policies'))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert "site-packages" in where.stdout, where.stdout + where.stderr
    strict = run("check", str(repo), "--policy", "strict")
    assert strict.returncode == 1
    assert "MG141" in strict.stdout  # two monitors per required signal under strict
    assert run("schema").stdout.startswith("{")
