"""Configs, packs and rosters a repository supplies are read like its model.yaml: bounded.

A repository's ``.modelgov.yaml`` may name a pack and a roster inside the
repository; all three are as untrusted as the repository.  Each is read by
the bounded loader of model.yaml (aliases counted each time they are used,
nesting and values capped) with a size cap before parsing, so a 1 KB alias
bomb cannot expand to 10^9 values in the policy digest (``json.dumps``) or
in a custom rule's description, deep nesting is a clear error instead of a
RecursionError, and a 1 GB sparse ``pyproject.toml`` is never read whole.
Every case exits 2 with a one-line message, fast and small, under a hard
memory limit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import COMPLIANT

from ._support import modelgov

MEMORY_MB = 1024  # address space: a bomb that expands fails at once instead of swapping


def _laughs(indent: str = "  ") -> str:
    """A billion laughs as the value of a mapping key: 9 levels of 9 aliases."""
    lines = [f"{indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"{indent}a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _deep(levels: int) -> str:
    """Nested flow lists just inside libyaml's own limit (1,000 levels)."""
    return "[" * levels + "]" * levels


PACKS = {
    # the pack's data is hashed into the policy digest
    "description-bomb": "description:\n" + _laughs(),
    # a custom rule's description becomes its documentation text
    "custom-rule-description-bomb": (
        "custom_rules:\n  - id: ACME001\n    message: m\n    require: {}\n    description:\n"
        + _laughs("      ")
    ),
    "options-bomb": "rules:\n  MG131:\n    options:\n      max_minutes:\n" + _laughs("        "),
    "deep-description": f"description: {_deep(990)}\n",
    "one-megabyte-deep": "description:\n  " + "- " * 400_000 + "x\n",
}


def _repo(tmp: Path, config: str) -> Path:
    repo = tmp / "repo"
    shutil.copytree(COMPLIANT, repo)
    (repo / ".modelgov.yaml").write_text(config, encoding="utf-8")
    return repo


def _assert_clean_error(run_text: str, code: int, cpu: float, needle: str) -> None:
    assert code == 2, run_text[-3000:]
    assert "internal error" not in run_text and "Traceback" not in run_text, run_text[-3000:]
    assert needle in run_text, run_text[-3000:]
    assert len(run_text) < 2000, "the input was echoed whole"
    assert cpu < 3, f"{cpu:.1f}s of CPU"


@pytest.mark.parametrize("case", list(PACKS))
def test_a_hostile_pack_named_by_the_repository_is_a_clear_error(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, "policy: team-pack.yaml\n")
    (repo / "team-pack.yaml").write_text(PACKS[case], encoding="utf-8")
    for args in ((), ("rules",), ("--policy", str(repo / "team-pack.yaml"))):
        cmd = ("rules",) if args == ("rules",) else ("check", *args, ".")
        run = modelgov(*cmd, cwd=repo, memory_mb=MEMORY_MB, timeout=30)
        _assert_clean_error(run.output, run.code, run.cpu, "team-pack.yaml")


def test_a_pack_too_large_is_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "policy: team-pack.yaml\n")
    with (repo / "team-pack.yaml").open("wb") as fh:
        fh.write(b"description: big\n")
        fh.truncate(1 << 30)  # sparse: 1 GB of NUL bytes that cost no disk
    run = modelgov("check", ".", cwd=repo, memory_mb=MEMORY_MB)
    _assert_clean_error(run.output, run.code, run.cpu, "larger than")
    assert run.maxrss_mb < 120, run.describe()


ROSTERS = {
    "alias-bomb": "people:\n  - email: a@example.com\n    status: active\n    name:\n"
    + _laughs("      "),
    "deep": f"people: {_deep(990)}\n",
    "tagged": "people:\n  - email: a@example.com\n    status: !!python/name:os.system active\n",
    "duplicate-key": "a@example.com: active\nb@example.com: left\na@example.com: active\n",
}


@pytest.mark.parametrize("case", list(ROSTERS))
def test_a_hostile_roster_is_a_clear_error(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, "roster: people.yaml\n")
    (repo / "people.yaml").write_text(ROSTERS[case], encoding="utf-8")
    run = modelgov("check", ".", cwd=repo, memory_mb=MEMORY_MB)
    _assert_clean_error(run.output, run.code, run.cpu, "roster")
    assert "line " in run.stderr, run.describe()


OTHERS = ("priya.natarajan", "ops-lead", "counsel")


def test_a_roster_still_reads_every_form(tmp_path: Path) -> None:
    """The bounded loader reads the forms the roster documents, with the lines people are on."""
    repo = _repo(tmp_path, "roster: people.yaml\n")
    (repo / "people.yaml").write_text(
        "people:\n"
        "  - {email: dana.okafor@example.com, status: active, name: Dana Okafor, github: 1234}\n"
        "  - email: sam.lee@example.com\n"
        "    status: left\n"
        "    name: Sam\u200dLee\n"  # a joiner in a name is a name, not a finding
        + "".join(f"  - {{email: {who}@example.com, status: active}}\n" for who in OTHERS),
        encoding="utf-8",
    )
    run = modelgov("check", "--format", "json", ".", cwd=repo)
    assert run.code == 0, run.describe()
    (repo / "people.yaml").write_text(
        "dana.okafor@example.com: left\nsam.lee@example.com: {status: left}\n"
        + "".join(f"{who}@example.com: active\n" for who in OTHERS),
        encoding="utf-8",
    )
    run = modelgov("check", "--format", "json", ".", cwd=repo)
    assert run.code == 1 and "MG205" in run.stdout, run.describe()


DEEP_CONFIGS = {
    "one-megabyte-block": "audit:\n  ignore:\n    " + "- " * 500_000 + "x\n",
    "one-megabyte-flow": "exclude: " + _deep(500_000) + "\n",
    "just-inside-libyaml": f"exclude: {_deep(990)}\n",
    "alias-bomb": "audit:\n" + _laughs(),
}


@pytest.mark.parametrize("case", list(DEEP_CONFIGS))
def test_a_deep_or_exploding_config_is_a_clear_error(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, DEEP_CONFIGS[case])
    run = modelgov("check", ".", cwd=repo, memory_mb=MEMORY_MB)
    _assert_clean_error(run.output, run.code, run.cpu, ".modelgov.yaml")


def test_a_sparse_gigabyte_pyproject_is_not_read_whole(make_repo) -> None:  # type: ignore[no-untyped-def]
    """The config cap (1 MiB) applies before reading, in the work tree and from git objects."""
    repo = make_repo("big", example=COMPLIANT)
    with (repo.path / "pyproject.toml").open("wb") as fh:
        fh.write(b"[tool.modelgov]\nfail_on = 'error'\n")
        fh.truncate(1 << 30)
    run = modelgov("check", ".", cwd=repo.path, memory_mb=MEMORY_MB, timeout=60)
    assert run.code == 2, run.describe()
    assert "larger than" in run.stderr and "pyproject.toml" in run.stderr, run.describe()
    assert run.maxrss_mb < 120, run.describe()
    assert run.cpu < 3, run.describe()
