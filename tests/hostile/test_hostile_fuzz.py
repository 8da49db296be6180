"""Case 7: property-based fuzzing of the loader, the rules and the reporters.

Generated documents -- random nested data dumped as YAML, random text and
bytes, and mutations of the reference model.yaml (keys deleted, types
swapped, random unicode, lines dropped, duplicated or cut) -- go through the
real loader (``document.load``), the real engine (``engine.judge.judge_model``
over a ``Workspace`` of a folder holding the
reference documents, a roster and CODEOWNERS) under the default and strict
packs, and every report format.  Each document ends as findings (located,
with a rule id and a message) or a clean loader problem: never an exception,
and each within a second.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COMPLIANT
from modelgov import document
from modelgov.engine.judge import Setup, judge_model
from modelgov.engine.workspace import Workspace
from modelgov.findings import Finding
from modelgov.people import parse_roster
from modelgov.policy import Policy, load_policy
from modelgov.registry import full
from modelgov.reporters import FORMATS, render
from modelgov.repoview import WorktreeView
from modelgov.results import PolicyInfo, RunResult, TargetResult

pytestmark = pytest.mark.slow  # hypothesis: hundreds of documents per test

TODAY = _dt.date(2026, 11, 30)
PER_DOCUMENT_SECONDS = 1.0
REFERENCE_TEXT = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
REFERENCE = yaml.safe_load(REFERENCE_TEXT)
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]+$")

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEWER = settings(FUZZ, max_examples=100)  # most random text is not even YAML


# -- the world the documents are judged in --------------------------------------------


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "CODEOWNERS").write_text("* @payments-ml\nmodel.yaml dana.okafor@example.com\n")
        self.workspace = Workspace(root, WorktreeView(root))
        registry = full()
        self.policies: list[Policy] = [load_policy(None, registry), load_policy("strict", registry)]
        self.roster = parse_roster(
            b"email,status\ndana.okafor@example.com,active\nsam.lee@example.com,left\n"
            b"priya.natarajan@example.com,active\n",
            "roster.csv",
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    shutil.copytree(COMPLIANT, root)
    return World(root)


def judge(world: World, raw: bytes) -> None:
    """Load and judge ``raw`` as model.yaml; render every format; assert sane findings."""
    start = time.perf_counter()
    doc = document.load("model.yaml", raw)
    results = []
    for policy in world.policies:
        setup = Setup(policy=policy, today=TODAY, roster=world.roster)
        waivable = {k.lower(): r.waivable for r in policy.registry for k in (r.id, r.name)}
        result = judge_model(world.workspace, "model.yaml", doc, setup, waivable)
        _assert_sane(list(result.findings), doc)
        results.append(result)
    policy = world.policies[0]
    target = TargetResult(
        root=world.root.as_posix(),
        cwd=world.root.as_posix(),
        config=None,
        policy=PolicyInfo(policy.name, policy.digest, policy.chain),
        fail_on="error",
        models=tuple(results[:1]),
    )
    # the rule descriptors are the same for every document: not fuzzed
    report = RunResult(version="fuzz", today=TODAY.isoformat(), targets=(target,))
    for fmt in FORMATS:
        out = render(fmt, report, color=fmt == "text")
        assert isinstance(out, str)
    took = time.perf_counter() - start
    assert took < PER_DOCUMENT_SECONDS, f"{took:.2f}s for one document"


def _assert_sane(findings: list[Finding], doc: document.Document) -> None:
    assert isinstance(findings, list)
    for f in findings:
        assert RULE_ID.match(f.rule), f
        assert f.line >= 1 and f.col >= 1, f
        assert f.message.strip(), f
        assert f.file == "model.yaml"
    if not doc.ok:  # a document rules cannot inspect must say why
        assert any(f.rule.startswith("MG00") for f in findings), [f.rule for f in findings]


# -- generated documents ------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
)
KEYS = st.one_of(st.text(max_size=16), st.integers(), st.booleans(), st.none())
DATA = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


@FUZZ
@given(data=DATA)
def test_random_yaml_data(world: World, data: Any) -> None:
    judge(world, yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8"))


@FEWER
@given(text=st.text(max_size=400))
def test_random_text(world: World, text: str) -> None:
    judge(world, text.encode("utf-8"))


@FEWER
@given(raw=st.binary(max_size=400))
def test_random_bytes(world: World, raw: bytes) -> None:
    judge(world, raw)


# -- mutations of the reference model.yaml -----------------------------------------------


def _pointers(node: Any, base: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [base]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _pointers(value, (*base, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _pointers(value, (*base, i))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_reference(draw: st.DrawFn) -> bytes:
    doc = copy.deepcopy(REFERENCE)
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in _pointers(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        op = draw(st.sampled_from(["delete", "retype", "unicode", "rename", "nest"]))
        if op == "delete":
            del parent[path[-1]]
        elif op == "retype":
            parent[path[-1]] = draw(DATA)
        elif op == "unicode":
            parent[path[-1]] = draw(st.text(min_size=1, max_size=20))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(path[-1])
        elif op == "nest":
            parent[path[-1]] = {"value": parent[path[-1]]}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def mutated_reference_text(draw: st.DrawFn) -> bytes:
    lines = REFERENCE_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "duplicate", "insert", "cut", "indent"]))
        if op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(st.text(max_size=40)) + "\n")
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + lines[i]
        if not lines:
            break
    return "".join(lines).encode("utf-8")


@FUZZ
@given(raw=mutated_reference())
def test_mutated_reference_model(world: World, raw: bytes) -> None:
    judge(world, raw)


@FUZZ
@given(raw=mutated_reference_text())
def test_mutated_reference_text(world: World, raw: bytes) -> None:
    judge(world, raw)


def test_the_reference_itself_is_clean(world: World) -> None:
    """The harness judges for real: the reference model passes, a broken one does not."""
    policy = world.policies[0]
    setup = Setup(policy=policy, today=TODAY)
    waivable = {k.lower(): r.waivable for r in policy.registry for k in (r.id, r.name)}

    def rules(text: str) -> list[str]:
        doc = document.load("model.yaml", text.encode("utf-8"))
        result = judge_model(world.workspace, "model.yaml", doc, setup, waivable)
        return [f.rule for f in result.findings if f.active]

    assert rules(REFERENCE_TEXT) == []
    assert "MG110" in rules(REFERENCE_TEXT.replace("owner:", "former_owner:", 1))
