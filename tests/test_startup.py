"""The check start-up path: what a clean ``modelgov check`` imports, and the helpers that
keep heavy standard-library modules off it (issue 16; figures in docs/performance.md).

Start-up time is the benchmark's business (``bench/run.py``); these tests hold the
decisions in place: a clean check of a real repository imports none of the modules
below, PyYAML's costly pattern is compiled only when PyYAML's own reader uses it, and
the replacements behave as the modules they stand for.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COMPLIANT, TODAY
from modelgov import hashing
from modelgov.git.sandbox import make_temp_dir, remove_tree

#: Never imported by a clean check (each costs millions of instructions at import).
OFF_THE_CHECK_PATH = (
    "hashlib",
    "_hashlib",
    "tempfile",
    "shutil",
    "random",
    "bz2",
    "lzma",
    "traceback",
    "textwrap",
    "click",
    "jsonschema",
    "multiprocessing",
)


def _clean_check(tmp_path: Path, extra: str = "") -> str:
    code = (
        "import sys\n"
        "from modelgov.cli import main\n"
        f"code = main(['check', {str(COMPLIANT)!r}])\n"
        f"loaded = [m for m in {OFF_THE_CHECK_PATH!r} if m in sys.modules]\n"
        "sys.stderr.write(f'exit={code} loaded={loaded}')\n" + extra
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY, TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    return proc.stderr


def test_a_clean_check_imports_none_of_the_heavy_modules(tmp_path: Path) -> None:
    err = _clean_check(tmp_path)
    assert err.startswith("exit=0 loaded=[]"), err
    assert list(tmp_path.iterdir()) == []  # the shadow git dir was made there, and removed


def test_pyyaml_compiles_its_reader_pattern_only_when_its_reader_runs(tmp_path: Path) -> None:
    """The check never compiles it; PyYAML's pure-Python reader still rejects what it did."""
    extra = (
        "import yaml, yaml.reader\n"
        "lazy = type(yaml.reader.Reader.NON_PRINTABLE).__name__\n"
        "try:\n"
        "    yaml.load('a: \\x07', Loader=yaml.SafeLoader)\n"
        "    verdict = 'accepted'\n"
        "except yaml.reader.ReaderError as exc:\n"
        "    verdict = 'rejected #x%04x' % exc.character\n"
        "ok = yaml.load('a: [1, b]', Loader=yaml.SafeLoader)\n"
        "sys.stderr.write(f' {lazy} {verdict} {ok}')\n"
    )
    err = _clean_check(tmp_path, extra)
    # _LazyPattern: the pattern is PyYAML's, character for character (else it is compiled)
    assert err == "exit=0 loaded=[] _LazyPattern rejected #x0007 {'a': [1, 'b']}", err


def test_the_lazy_pattern_is_the_pattern_pyyaml_compiles() -> None:
    import yaml.reader

    from modelgov import document

    real = yaml.reader.Reader.NON_PRINTABLE
    compiled = re.compile(document._READER_PATTERN)
    assert real.pattern == compiled.pattern
    for text in ("plain ascii", "tab\tand\nnewline", "é ü 漢字 🙂", "bell \x07", "\ufffe", "\x85"):
        assert bool(real.search(text)) == bool(compiled.search(text)), text


@pytest.mark.parametrize("data", [b"", b"abc", b"blob 3\0abc", bytes(range(256)) * 50])
def test_builtin_hashes_give_hashlib_digests(data: bytes) -> None:
    assert hashing.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
    assert hashing.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    h = hashing.sha256(data[:7])
    h.update(data[7:])
    assert h.hexdigest() == hashlib.sha256(data).hexdigest()


def test_temp_dir_is_private_and_removal_never_follows_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "tmp"
    base.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    monkeypatch.setenv("TMPDIR", str(base))
    first, second = make_temp_dir(), make_temp_dir()
    assert first != second and first.parent == second.parent == base
    assert first.name.startswith("modelgov-git-")
    assert stat.S_IMODE(first.stat().st_mode) == 0o700
    (first / "refs" / "heads").mkdir(parents=True)
    (first / "refs" / "heads" / "main").write_text("x")
    (first / "config").write_text("[core]\n")
    (first / "link").symlink_to(outside, target_is_directory=True)
    remove_tree(first)
    assert not first.exists()
    assert (outside / "keep.txt").read_text() == "keep"
    remove_tree(first)  # already gone: nothing to do, no error
    remove_tree(second)
    assert list(base.iterdir()) == []


def test_temp_dir_without_a_usable_tmpdir_falls_back_to_tempfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.delenv("TEMP", raising=False)
    monkeypatch.delenv("TMP", raising=False)
    made = make_temp_dir()
    try:
        assert made.is_dir()
        assert made.parent == Path("/tmp") or made.parent == Path(tempfile.gettempdir())
    finally:
        remove_tree(made)


@pytest.mark.parametrize(
    "reviewed",
    [
        "1969-12-31", "1970-01-01", "2026-11-02", "2026-11-17", "0001-01-01", "9999-12-30",
        "9999-12-31",
    ],
)  # fmt: skip
def test_the_review_cut_compares_timestamps_as_dates(reviewed: str) -> None:
    """MG202 counts a code change when its commit date is after the last review; the
    timestamp cut of a long history gives exactly what comparing dates gives."""
    import datetime as _dt

    from modelgov.facts.history import Commit
    from modelgov.facts.staleness import _day_after

    day = _dt.date.fromisoformat(reviewed)
    after = _day_after(day)
    base = int(_dt.datetime(2026, 11, 17, tzinfo=_dt.timezone.utc).timestamp())
    times = [-(1 << 62), -86401, -86400, -1, 0, 1, 86399, 86400, base - 1, base, base + 86399]
    times += [base + 86400, 253402214400 - 86401, 253402214400 - 1, 253402214400, 1 << 62]
    for t in times:
        commit = Commit("c" * 40, (), "A", "a@example.com", t, t, "s")
        by_timestamp = after is not None and t >= after
        assert by_timestamp == (commit.date > day), (reviewed, t)
