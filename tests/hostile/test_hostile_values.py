"""Values that crashed 0.1 or hid text: huge integers, far-future commits, invisible characters.

* An integer of more than 4,300 digits (Python's int-to-string limit) written
  in hex (``0xfff...``) or base 60 (``1:59:59:...``) is cheap to write and
  was a crash (exit 3) wherever it was printed or hashed; it is an MG007
  finding in a model.yaml, a config error (exit 2) in a config.
* A commit dated in the year 10000 is a valid git timestamp; reading its
  date crashed MG202.
* The word joiner (U+2060), the Arabic letter mark (U+061C) and the Unicode
  tag characters (U+E0000-U+E007F, "ASCII smuggling") hide text; they are
  MG008 findings and are escaped in every output, like the rest of the
  format characters (Unicode category Cf).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder

from ._support import modelgov

BASE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
HEX = "0x" + "f" * 4000  # 4,817 decimal digits
SEXAGESIMAL = "1" + ":59" * 2500  # base 60, YAML 1.1: about 4,450 digits
DECIMAL = "9" * 4301


def _no_crash(run_text: str) -> None:
    assert "internal error" not in run_text and "Traceback" not in run_text, run_text[-2000:]


@pytest.mark.parametrize(
    ("field", "old", "new"),
    [
        ("/rollback/max_minutes", "max_minutes: 15 ", f"max_minutes: {HEX} "),
        ("/owner/email", "email: dana.okafor@example.com", f"email: {SEXAGESIMAL}"),
        ("/owner/team", "team: payments-ml", f"team: {HEX}"),
        ("/schema_version", "schema_version: 1", f"schema_version: {DECIMAL}"),
    ],
    ids=["max_minutes-hex", "email-base60", "team-hex", "schema_version-decimal"],
)
def test_a_huge_integer_in_a_model_is_an_mg007_finding(
    tmp_path: Path, field: str, old: str, new: str
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(COMPLIANT, folder)
    assert old in BASE
    (folder / "model.yaml").write_text(BASE.replace(old, new, 1), encoding="utf-8")
    for fmt in ("json", "text", "sarif", "junit", "markdown", "github"):
        run = modelgov("check", "--format", fmt, str(folder), cwd=tmp_path)
        _no_crash(run.output)
        assert run.code == 1, run.describe()
        assert run.cpu < 2, run.describe()
        if fmt == "json":
            hits = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "MG007"]
            assert [f["pointer"] for f in hits] == [field], run.describe()
            assert "more than 4300 digits" in hits[0]["message"]
            assert hits[0]["line"] >= 1 and hits[0]["col"] >= 1


@pytest.mark.parametrize("where", [".modelgov.yaml", "pyproject.toml", "--config"])
def test_a_huge_integer_in_a_config_is_a_clear_error(tmp_path: Path, where: str) -> None:
    folder = tmp_path / "m"
    shutil.copytree(COMPLIANT, folder)
    if where == "pyproject.toml":
        (folder / where).write_text(
            f"[tool.modelgov.rules.MG131.options]\nmax_minutes = {HEX}\n", encoding="utf-8"
        )
        args: tuple[str, ...] = ()
    else:
        config = folder / ".modelgov.yaml" if where == ".modelgov.yaml" else tmp_path / "c.yaml"
        config.write_text(
            f"rules:\n  MG131:\n    options:\n      max_minutes: {SEXAGESIMAL}\n", encoding="utf-8"
        )
        args = ("--config", str(config)) if where == "--config" else ()
    run = modelgov("check", *args, str(folder), cwd=tmp_path)
    _no_crash(run.output)
    assert run.code == 2, run.describe()
    assert "more than 4300 digits" in run.stderr, run.describe()
    assert len(run.stderr) < 1000, "the number was printed whole"


def test_a_commit_in_the_year_10000_does_not_crash_the_history_rules(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("future", example=COMPLIANT)
    repo.commit("declare", date="2026-03-01")
    (repo.path / "src" / "fraud" / "score.py").write_text("# changed\n", encoding="utf-8")
    repo.git("add", ".")
    future = "@253402387200 +0000"  # 10000-01-02, as git itself writes it
    env = {"GIT_AUTHOR_DATE": future, "GIT_COMMITTER_DATE": future}
    import subprocess

    from conftest import git_env

    subprocess.run(
        ["git", "commit", "-qm", "from the future"],
        cwd=repo.path,
        env={**git_env(), **env},
        check=True,
        capture_output=True,
    )
    assert "10000" in repo.git("log", "-1", "--format=%cd")
    for args in ((), ("--rev", "HEAD"), ("--as-of", "2026-11-30")):
        run = modelgov("check", *args, "--format", "json", str(repo.path), cwd=repo.path)
        _no_crash(run.output)
        assert run.code in (0, 1), run.describe()
        json.loads(run.stdout)
    audit = modelgov("audit", "--jobs", "1", "--format", "json", str(repo.path), cwd=repo.path)
    _no_crash(audit.output)
    rows = json.loads(audit.stdout)["models"]
    assert rows and all(r["status"] != "error" for r in rows), audit.describe()


# -- invisible characters ------------------------------------------------------------------

#: Named in the issue; each hides text or smuggles it.
NAMED = {
    "word-joiner": "\u2060",
    "arabic-letter-mark": "\u061c",
    "tag-a": "\U000e0041",
    "tag-cancel": "\U000e007f",
    "language-tag": "\U000e0001",
    "invisible-times": "\u2062",
    "soft-hyphen": "\u00ad",
}


def _format_characters() -> list[str]:
    """Every format character (Cf) the Unicode database of this Python knows, and the tag block."""
    found = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    found |= {chr(c) for c in range(0xE0000, 0xE0080)}
    return sorted(found)


def test_every_format_character_is_suspicious_and_escaped() -> None:
    """MG008's set and the output escaping cover every Cf character, and agree."""
    from modelgov.document import INVISIBLE
    from modelgov.reporters._safe import inert

    suspicious = re.compile(f"[{INVISIBLE}]")
    for ch in _format_characters():
        assert suspicious.fullmatch(ch), f"MG008 misses U+{ord(ch):04X}"
        shown = inert(f"a{ch}b")
        assert ch not in shown and shown.startswith("a\\") and shown.endswith("b"), (
            f"U+{ord(ch):04X} is not escaped: {shown!r}"
        )
    for code in range(0x110000):  # the two sets agree (output also escapes CR)
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF or ch in "\r":
            continue
        assert bool(suspicious.fullmatch(ch)) == (inert(ch) != ch) or ch == "\n", hex(code)
    # astral characters are escaped unambiguously
    assert inert("\U000e0041") == "\\U000e0041"
    # text stays text: letters, emoji presentation selectors, tabs
    for fine in ("café", "日本語", "\u26a0\ufe0f", "a\tb", "Ωmega"):
        assert not suspicious.search(fine) and inert(fine) == fine, fine


def test_invisible_characters_are_findings_and_never_raw_in_any_output(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for i, (case, ch) in enumerate(NAMED.items()):
        folder = root / f"m{i}-{case}{ch}x"
        shutil.copytree(COMPLIANT, folder)
        text = BASE.replace("name: fraud-scorer", f"name: fraud{ch}scorer", 1)
        text = text.replace("team: payments-ml", f'team: "payments{ch}ml"', 1)
        (folder / "model.yaml").write_text(text, encoding="utf-8")
    run = modelgov("check", "--format", "json", str(root), cwd=tmp_path)
    assert run.code == 1, run.describe()
    found = json.loads(run.stdout)["findings"]
    for i, case in enumerate(NAMED):
        mine = {
            f["pointer"]
            for f in found
            if f["rule"] == "MG008" and str(f["repo_path"]).startswith(f"m{i}-")
        }
        assert mine == {"/name", "/owner/team"}, (case, mine)
    raw = set(NAMED.values())
    for fmt in ("text", "github", "junit", "markdown", "json", "sarif"):
        out = modelgov("check", "--format", fmt, "--no-color", str(root), cwd=tmp_path)
        assert out.code == 1, out.describe()
        leaked = sorted(f"U+{ord(c):04X}" for c in raw if c in out.output)
        assert not leaked, f"{fmt}: raw {leaked}"
