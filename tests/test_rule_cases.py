"""Rule tests are data: tests/rules/*.yaml, run by the same runner as `modelgov policy test`.

One pytest item per case; then the whole folder once more through the CLI,
with a coverage floor.  Cases with a `history:` build a real git repository
each (one `git fast-import`), so the git rules are data too.
"""

from __future__ import annotations

import functools
import re

import pytest

from conftest import ROOT, run_cli
from modelgov.policytest import Case, CaseResult, Runner, collect, expressible, match
from modelgov.registry import builtin

CASES_DIR = ROOT / "tests" / "rules"
CASES = collect([CASES_DIR])
RUNNER = Runner()

#: The built-in rules a case can express (from their metadata, ``Rule.uses``: git
#: history, a roster and CODEOWNERS are among what a case gives): each needs a
#: failing and a passing case.
EXPRESSIBLE = [r.id for r in builtin() if expressible(r)]
#: The rules that read signed approvals need real SSH keys and signatures, which a
#: case cannot give: tests/test_approvals.py judges them end to end instead.
END_TO_END = {r.id for r in builtin() if "approvals" in r.uses}


@functools.cache
def judged(index: int) -> CaseResult:
    """``CASES[index]`` judged, once for all the tests below that need it."""
    return RUNNER.run(CASES[index])


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_rule_case(index: int) -> None:
    result = judged(index)
    assert result.passed, f"{CASES[index].id}\n{result.diff()}"


def _compares(case: Case, rule_id: str) -> bool:
    if case.rules is None:
        return True
    return any((r := builtin().resolve(key)) is not None and r.id == rule_id for key in case.rules)


def _expects(case: Case, rule_id: str) -> bool:
    return any(
        (r := builtin().resolve(e.rule)) is not None and r.id == rule_id for e in case.expect
    )


def test_every_built_in_rule_is_expressible() -> None:
    assert {r.id for r in builtin()} - END_TO_END == set(EXPRESSIBLE)
    assert {"MG153", "MG154", "MG155"} == END_TO_END
    assert {"MG202", "MG203", "MG204", "MG205", "MG206"} <= set(EXPRESSIBLE)


@pytest.mark.parametrize("rule_id", EXPRESSIBLE)
def test_every_rule_has_a_failing_and_a_passing_case(rule_id: str) -> None:
    assert builtin().resolve(rule_id) is not None, f"{rule_id} is not a built-in rule"
    failing = [c for c in CASES if _expects(c, rule_id)]
    passing = [c for c in CASES if _compares(c, rule_id) and not _expects(c, rule_id)]
    assert failing, f"no case in tests/rules expects a finding of {rule_id}"
    assert passing, f"no case in tests/rules shows {rule_id} passing"


def test_every_expectation_pins_pointer_and_line() -> None:
    loose = [f"{c.id}: {e.describe()}" for c in CASES for e in c.expect if e.line is None]
    assert not loose, "expectations without a line:\n" + "\n".join(loose)


def test_each_rule_file_is_named_after_its_rule() -> None:
    for path in sorted(CASES_DIR.glob("mg*.yaml")):
        rule_id = path.stem.split("_")[0].upper()
        cases = [c for c in CASES if c.source == path]
        assert cases and all(c.rules and _compares(c, rule_id) for c in cases), path.name


@pytest.mark.slow  # seconds: run in CI, skipped by -m "not slow"
def test_the_folder_passes_through_the_cli_with_coverage() -> None:
    result = run_cli("policy", "test", str(CASES_DIR), "--min-coverage", "100", "--quiet")
    assert result.exit_code == 0, result.stdout + result.stderr
    summary = re.search(r"(\d+) cases: (\d+) passed, 0 failed\.", result.stdout)
    assert summary is not None and summary.group(1) == summary.group(2) == str(len(CASES))
    m = re.search(r"Coverage: (\d+) of (\d+) enabled rules of policy default", result.stdout)
    assert m is not None, result.stdout
    assert int(m.group(1)) == int(m.group(2)) >= len(EXPRESSIBLE)
    assert "Not counted" not in result.stdout and "FAIL" not in result.stdout


def test_a_mutated_expectation_is_caught() -> None:
    """The runner is not vacuous: shifting any expected line by one fails that case.

    Each case is judged once; its findings are matched against every mutation
    (judging is what the other tests cover, and a history case builds a repository)."""
    import dataclasses

    for index, case in enumerate(CASES):
        if not case.expect:
            continue
        found = judged(index).found
        registry = RUNNER.policy_for(case).registry
        ids = [registry.resolve(e.rule).id for e in case.expect]  # type: ignore[union-attr]
        for i, e in enumerate(case.expect):
            assert e.line is not None
            moved = dataclasses.replace(e, line=e.line + 1)
            mutated = (*case.expect[:i], moved, *case.expect[i + 1 :])
            missing, unexpected = match(mutated, ids, found)
            assert missing == [moved], f"{case.id}: moving {e.describe()} went unnoticed"
            assert unexpected, f"{case.id}: moving {e.describe()} left no finding unmatched"
