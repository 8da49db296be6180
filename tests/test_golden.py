"""Golden outputs: every format of ``modelgov check``, ``audit`` and ``playbook`` on the examples.

Each file in ``tests/golden/`` is the exact stdout of one command in one format,
named ``<command>-<format>.<ext>``.  A test fails when the output drifts and shows
a unified diff (golden file first, the output now second).  After an intended
change, regenerate every file with one command and review the change as a diff:

    python -m pytest tests/test_golden.py --update-goldens
    git diff tests/golden/

``--update-goldens`` (tests/conftest.py) rewrites the files that differ, writes
missing ones and deletes files no case produces; the tests then pass.

The outputs are deterministic by construction, not by normalising:

- the commands run in a fresh git repository holding ``examples/compliant`` and
  ``examples/broken`` (the files only, mode 644), committed once by Dana Okafor
  <dana.okafor@example.com> as author and committer, both dated
  2026-11-02T12:00:00+00:00, with no system or global git config: its commit id
  (in the audit reports) is the same on every machine, and check does not depend
  on this checkout's history or on running from a git checkout at all;
- the working directory is that repository's root, and the paths are relative:
  ``modelgov check examples/compliant examples/broken`` and ``modelgov audit .``;
- ``--today 2026-11-30``, ``--no-color``, and for audit ``--no-progress``,
  ``--jobs 1`` and a ``--cache-dir`` outside the repository; tests/conftest.py
  clears the CI variables (``GITHUB_*``, ``NO_COLOR`` ...) that would change a format.

Normalised before comparing, and only these, as what varies between machines
or releases rather than between behaviours:

- the modelgov version (``modelgov.__version__``) becomes ``@VERSION@``, so a
  release does not rewrite every golden file;
- the absolute path of the fixture repository (a new tmp dir each run) becomes
  ``@ROOT@``.  No output prints it today; should one start to, the diff shows
  ``@ROOT@`` instead of failing on a path that changes every run.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

import modelgov
from conftest import BROKEN, COMPLIANT, TODAY, GitRepoBuilder, run_cli
from modelgov.audit.render import FORMATS as AUDIT_FORMATS
from modelgov.playbook import FORMATS as PLAYBOOK_FORMATS
from modelgov.reporters import FORMATS as CHECK_FORMATS

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = "python -m pytest tests/test_golden.py --update-goldens"
COMMIT_DATE = "2026-11-02"  # the compliant example's last review
AUTHOR = "Dana Okafor <dana.okafor@example.com>"
MAX_DIFF_LINES = 400

# The file extension of each format's golden file (so editors and diffs treat it as such).
EXTENSIONS = {
    ("check", "text"): "txt",
    ("check", "json"): "json",
    ("check", "sarif"): "sarif",
    ("check", "junit"): "xml",
    ("check", "github"): "txt",
    ("check", "gitlab"): "json",
    ("check", "markdown"): "md",
    ("audit", "table"): "txt",
    ("audit", "json"): "json",
    ("audit", "csv"): "csv",
    ("audit", "csv-findings"): "csv",
    ("audit", "markdown"): "md",
    ("audit", "html"): "html",
    ("playbook", "text"): "txt",
    ("playbook", "markdown"): "md",
    ("playbook", "json"): "json",
    ("playbook", "html"): "html",
}


class Case(NamedTuple):
    command: str
    fmt: str

    @property
    def file(self) -> Path:
        return GOLDEN / f"{self.command}-{self.fmt}.{EXTENSIONS[self.command, self.fmt]}"

    def argv(self, cache: Path) -> list[str]:
        common = ["--today", TODAY, "--no-color", "--format", self.fmt]
        if self.command == "check":
            return ["check", *common, "examples/compliant", "examples/broken"]
        if self.command == "playbook":  # both examples, in one run: the broken one has gaps
            return ["playbook", ".", "--today", TODAY, "--format", self.fmt]
        return ["audit", ".", *common, "--no-progress", "--jobs", "1", "--cache-dir", str(cache)]


CASES = tuple(Case(command, fmt) for command, fmt in EXTENSIONS)


@pytest.fixture
def examples_repo(make_repo: object) -> GitRepoBuilder:
    """A git repository of the two examples, committed with pinned names and dates."""
    repo: GitRepoBuilder = make_repo("examples-repo")  # type: ignore[operator]
    for example in (COMPLIANT, BROKEN):
        dest = repo.path / "examples" / example.name
        shutil.copytree(example, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for dirpath, _dirnames, filenames in os.walk(dest):
            for name in filenames:  # git records only the executable bit: clear it
                Path(dirpath, name).chmod(0o644)
    repo.commit("The bundled examples", date=COMMIT_DATE, author=AUTHOR)
    return repo


def normalise(text: str, root: Path) -> str:
    """Replace what varies between machines or releases (see the module docstring)."""
    for path in sorted({str(root), str(root.resolve())}, key=len, reverse=True):
        text = text.replace(path, "@ROOT@")
    version = re.escape(modelgov.__version__)
    return re.sub(rf"(?<![\w.]){version}(?!\.?\w)", "@VERSION@", text)


def _diff(golden: str, actual: str, case: Case) -> str:
    lines = list(
        difflib.unified_diff(
            golden.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{case.file.relative_to(GOLDEN.parent.parent)} (golden)",
            tofile=f"modelgov {case.command} --format {case.fmt} (now)",
        )
    )
    lines = [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    ]
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n"]
    return "".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.command}-{c.fmt}" for c in CASES])
def test_output_matches_golden(
    case: Case, examples_repo: GitRepoBuilder, tmp_path: Path, update_goldens: bool
) -> None:
    result = run_cli(*case.argv(tmp_path / "cache"), cwd=examples_repo.path)
    # The broken example fails: exit 1 and nothing on stderr, in every format.
    assert (result.exit_code, result.stderr) == (1, ""), result.stderr
    actual = normalise(result.stdout, examples_repo.path)
    golden = case.file.read_bytes().decode("utf-8") if case.file.exists() else None
    if update_goldens:
        if actual != golden:
            GOLDEN.mkdir(exist_ok=True)
            case.file.write_text(actual, encoding="utf-8", newline="")
        return
    if golden is None:
        pytest.fail(f"{case.file} is missing; write it with: {REGENERATE}", pytrace=False)
    if actual != golden:
        pytest.fail(
            f"modelgov {case.command} --format {case.fmt} drifted from its golden file.\n"
            f"If the change is intended: {REGENERATE}, then review `git diff tests/golden/`.\n\n"
            + _diff(golden, actual, case),
            pytrace=False,
        )


def test_every_format_has_a_golden_file_and_every_file_a_case(update_goldens: bool) -> None:
    offered = (
        {("check", fmt) for fmt in CHECK_FORMATS}
        | {("audit", fmt) for fmt in AUDIT_FORMATS}
        | {("playbook", fmt) for fmt in PLAYBOOK_FORMATS}
    )
    assert offered == set(EXTENSIONS), "add the new format to EXTENSIONS, then regenerate"
    expected = {case.file for case in CASES}
    present = GOLDEN.iterdir() if GOLDEN.is_dir() else iter(())
    orphans = sorted(path for path in present if path not in expected)
    if update_goldens:
        for path in orphans:
            path.unlink()
        return
    assert not orphans, f"golden files no case produces (delete them with: {REGENERATE})"
