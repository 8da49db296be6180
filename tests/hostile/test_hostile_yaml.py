"""Case 3: YAML bombs and monsters, end to end through the real CLI.

Each monster is written to a model.yaml for real and judged by a real
``modelgov check`` process, in a folder and (for the size cap) from git
objects.  Each must become a located finding of the expected rule -- or a
clean error -- in well under a second of CPU and a bounded amount of memory
(``wait4`` measures the process), construct nothing and print nothing raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import COMPLIANT

from ._support import Run, modelgov

CPU_LIMIT = 1.0  # seconds of CPU for the whole process, interpreter start-up included
MEMORY_LIMIT_MB = 150

BASE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")


def _replace(old: str, new: str) -> Callable[[Path], str]:
    def build(_tmp: Path) -> str:
        assert old in BASE
        return BASE.replace(old, new, 1)

    return build


def _text(text: str) -> Callable[[Path], str]:
    return lambda _tmp: text


def _billion_laughs(_tmp: Path) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _python_apply(tmp: Path) -> str:
    marker = tmp / "constructed"
    return BASE.replace(
        "name: fraud-scorer",
        f'name: !!python/object/apply:os.system ["touch {marker}"]',
        1,
    ) + (
        f'extra_new: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n'
        "extra_name: !!python/name:os.system\n"
        "extra_module: !!python/module:os\n"
    )


#: (id, builder, expected rule ("A|B": either), pointer of the finding or None: anywhere)
MONSTERS: list[tuple[str, Callable[[Path], str], str, str | None]] = [
    ("billion-laughs", _billion_laughs, "MG006", None),
    ("self-referencing-seq", _text("a: &a [1, *a]\n"), "MG006", None),
    ("self-referencing-map", _text("a: &m {self: *m}\n"), "MG006", None),
    (
        "nesting-flow-10000",
        _text("name: deep\nextra: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        "MG001|MG006",
        None,
    ),
    (
        "nesting-flow-map-10000",
        _text("name: deep\nextra: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n"),
        "MG001|MG006",
        None,
    ),
    (
        "nesting-block-10000",
        _text("name: deep\nextra:\n  " + "- " * 10_000 + "deep\n"),
        "MG001|MG006",
        None,
    ),
    ("python-object-apply", _python_apply, "MG006", "/name"),
    ("unknown-tag", _replace("name: fraud-scorer", "name: !evil fraud-scorer"), "MG006", "/name"),
    (
        "verbatim-tag",
        _replace("name: fraud-scorer", "name: !<tag:evil.example,2026:x> fraud-scorer"),
        "MG006",
        "/name",
    ),
    (
        "invalid-date",
        _replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-02-30"),
        "MG007",
        "/review/last_reviewed",
    ),
    (
        "huge-integer",
        _replace("max_minutes: 15", "max_minutes: " + "9" * 5_000),
        "MG007",
        "/rollback/max_minutes",
    ),
    (
        "huge-float",
        _replace("max_minutes: 15", "max_minutes: 1.0e+999"),
        "MG007",
        "/rollback/max_minutes",
    ),
    ("nan", _replace("threshold: 0.2", "threshold: .nan"), "MG007", "/drift/monitors/0/threshold"),
    ("inf", _replace("threshold: 0.2", "threshold: -.inf"), "MG007", "/drift/monitors/0/threshold"),
    (
        "merge-key",
        _replace("rollback:\n", "base: &base {max_minutes: 15}\nrollback:\n  <<: *base\n"),
        "MG006",
        "/rollback",
    ),
    ("int-key-collision", _text('name: x\n1: one\n"1": two\n'), "MG006", ""),
    ("bool-key-collision", _text("name: x\ntrue: a\nyes: b\n"), "MG006", ""),
    ("yaml11-bool-name", _replace("name: fraud-scorer", "name: no"), "MG010", "/name"),
    (
        "yaml11-bool-provider",
        _replace("provider: pagerduty", "provider: on"),
        "MG010",
        "/on_call/provider",
    ),
    (
        "control-character",
        _replace(
            "description: Scores card-not-present checkout transactions for fraud risk.",
            'description: "Scores \\a\\b\\x7f\\x85 card"',
        ),
        "MG008",
        "/description",
    ),
    (
        "bidi-override",
        _replace("name: fraud-scorer", 'name: "fraud\\u202escorer\\u2066"'),
        "MG008",
        "/name",
    ),
    (
        "ansi-osc-escapes",
        _replace(
            "description: Scores card-not-present checkout transactions for fraud risk.",
            'description: "\\e[2J\\e]8;;https://evil.example\\e\\\\click\\e]8;;\\e\\\\\\e[31m"',
        ),
        "MG008",
        "/description",
    ),
    ("raw-control-byte", _text("name: a\x07b\n"), "MG001", None),
    ("zero-width", _replace("name: fraud-scorer", 'name: "fraud\\u200bscorer"'), "MG008", "/name"),
    ("many-values", _text("- 1\n" * 200_000), "MG006", None),
    ("many-keys", _text("".join(f"k{i}: {i}\n" for i in range(60_000))), "MG006", None),
    ("long-scalar", _replace("name: fraud-scorer", "name: " + "x" * 500_000), "MG007", "/name"),
    ("utf16", lambda _t: "\ufeffname: x\n", "MG005", None),  # encoded as UTF-16 below
    ("not-utf8", lambda _t: "name: caf\udce9\n", "MG005", None),  # a lone 0xE9 byte
    ("empty", _text(""), "MG004", None),
    ("only-comments", _text("# nothing here\n"), "MG004", None),
    ("top-level-list", _text("- a\n- b\n"), "MG004", None),
    ("two-documents", _text(BASE + "---\nname: second\n"), "MG003", None),
    ("syntax-error", _text("name: [unclosed\n"), "MG001", None),
]


def _encode(case: str, text: str) -> bytes:
    if case == "utf16":
        return text.encode("utf-16")
    return text.encode("utf-8", "surrogateescape")


def _assert_bounded(run: Run, cpu_limit: float = CPU_LIMIT) -> None:
    assert run.cpu < cpu_limit, f"too slow: {run.describe()}"
    assert run.maxrss_mb < MEMORY_LIMIT_MB, f"too much memory: {run.describe()}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.describe()
    assert "\x1b" not in run.output, "a raw escape reached the output"
    for ch in ("\u202e", "\u2066", "\u200b", "\x07", "\x85"):
        assert ch not in run.output, f"raw {ch!r} reached the output"


#: Monsters whose cost grows with their size: each gets a process of its own, measured.
HEAVY = {
    "billion-laughs", "self-referencing-seq", "self-referencing-map", "nesting-flow-10000",
    "nesting-flow-map-10000", "nesting-block-10000", "huge-integer", "many-values",
    "many-keys", "long-scalar",
}  # fmt: skip


def _check_findings(findings: list[dict[str, object]], rule: str, pointer: str | None) -> None:
    hits = [f for f in findings if f["rule"] in rule.split("|")]
    assert hits, f"no {rule} finding among {[f['rule'] for f in findings]}"
    for f in hits:
        assert isinstance(f["line"], int) and f["line"] >= 1
        assert isinstance(f["col"], int) and f["col"] >= 1
        assert f["message"] and f["hint"]
    if pointer is not None:
        assert pointer in {f["pointer"] for f in hits}, hits


def _write(folder: Path, case: str, build: Callable[[Path], str], tmp: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_bytes(_encode(case, build(tmp)))


@pytest.mark.parametrize(
    ("case", "build", "rule", "pointer"),
    [m for m in MONSTERS if m[0] in HEAVY],
    ids=[m[0] for m in MONSTERS if m[0] in HEAVY],
)
def test_heavy_monster_is_a_located_finding_fast_and_small(
    tmp_path: Path, case: str, build: Callable[[Path], str], rule: str, pointer: str | None
) -> None:
    _write(tmp_path / "m", case, build, tmp_path)
    run = modelgov("check", "--format", "json", str(tmp_path / "m"), cwd=tmp_path)
    _assert_bounded(run)
    assert run.code == 1, run.describe()
    _check_findings(json.loads(run.stdout)["findings"], rule, pointer)


@pytest.mark.slow
def test_every_monster_is_a_located_finding_in_every_format(tmp_path: Path) -> None:
    """All monsters side by side in one run: each its finding, nothing raw in any format."""
    for i, (case, build, _rule, _pointer) in enumerate(MONSTERS):
        _write(tmp_path / "org" / f"{i:02d}-{case}", case, build, tmp_path)
    org = str(tmp_path / "org")
    run = modelgov("check", "--format", "json", org, cwd=tmp_path)
    assert run.code == 1, run.describe()
    assert run.maxrss_mb < MEMORY_LIMIT_MB, run.describe()
    all_of_them = 0.5 + 0.1 * len(MONSTERS)  # seconds of CPU: start-up, then each monster
    assert run.cpu < all_of_them, run.describe()
    report = json.loads(run.stdout)
    assert report["summary"]["models"] == len(MONSTERS)
    for i, (case, _build, rule, pointer) in enumerate(MONSTERS):
        prefix = f"{i:02d}-{case}/"
        mine = [f for f in report["findings"] if f["repo_path"].startswith(prefix)]
        _check_findings(mine, rule, pointer)
    assert not (tmp_path / "constructed").exists(), "a YAML tag constructed a Python object"
    for fmt in ("text", "github", "sarif", "junit", "markdown"):
        out = modelgov("check", "--format", fmt, "--no-color", org, cwd=tmp_path)
        assert out.code == 1, out.describe()
        _assert_bounded(out, all_of_them)


def test_yaml11_booleans_hint_to_quote(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    text = BASE.replace("name: fraud-scorer", "name: no").replace(
        "provider: pagerduty", "provider: on"
    )
    (folder / "model.yaml").write_text(text, encoding="utf-8")
    run = modelgov("check", "--format", "json", str(folder), cwd=tmp_path)
    hits = {f["pointer"]: f for f in json.loads(run.stdout)["findings"] if f["rule"] == "MG010"}
    for pointer in ("/name", "/on_call/provider"):
        assert "boolean" in hits[pointer]["message"]
        assert "Quote" in hits[pointer]["hint"]


def test_key_collisions_are_each_reported_never_silently_merged(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.yaml").write_text(
        'name: x\n1: one\n"1": two\ntrue: a\nyes: b\nname: again\n', encoding="utf-8"
    )
    run = modelgov("check", "--format", "json", str(folder), cwd=tmp_path)
    findings = json.loads(run.stdout)["findings"]
    lines = {(f["rule"], f["line"]) for f in findings}
    assert ("MG006", 2) in lines  # 1: read as an integer
    assert ("MG002", 3) in lines  # "1": collides with it
    assert ("MG006", 4) in lines and ("MG006", 5) in lines  # true: and yes: read as booleans
    assert ("MG002", 6) in lines  # name: twice


def test_fifty_megabytes_is_capped_before_parsing(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo("big")
    with (repo.path / "model.yaml").open("wb") as fh:
        fh.write(b"name: big\n")
        line = b"# " + b"padding " * 12 + b"\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    repo.commit("a 50 MB model.yaml")
    for args in ([], ["--staged"], ["--rev", "HEAD"]):
        run = modelgov("check", *args, "--format", "json", str(repo.path), cwd=repo.path)
        _assert_bounded(run)
        assert run.maxrss_mb < 60, f"the file was read whole: {run.describe()}"
        assert run.code == 1, run.describe()
        hits = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "MG005"]
        assert hits and "limit" in hits[0]["message"], run.describe()
