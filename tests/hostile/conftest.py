"""Fixtures of the hostile suite (helpers live in ``hostile._support``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._support import SECRET


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A tmp dir every user may enter (pytest's own tmp dirs are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="modelgov-hostile-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for dirpath, dirnames, _files in os.walk(path):
            for d in dirnames:
                full = os.path.join(dirpath, d)
                if not os.path.islink(full):
                    os.chmod(full, 0o755)
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def outside_secret(tmp_path: Path) -> Path:
    """A file outside every repository whose content must never be printed."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        f"name: {SECRET}\nowner: {{email: {SECRET}@example.com}}\n{SECRET}: {SECRET}\n",
        encoding="utf-8",
    )
    return path
