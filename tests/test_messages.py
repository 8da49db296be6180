"""Every rule's message reads as a sentence for every tier value, including none.

Each failing rule case of tests/rules (a model.yaml snippet) is judged again with its
`risk_tier` set to each tier, to an invalid and an empty value, and removed; every
message and hint of every rule is checked for a leaked ``None``, a doubled word, and
the old "unknown-risk" phrasing.  A model without a valid tier is judged with the high
tier's settings, so it must get the findings a high-risk model gets (plus MG102 or
MG010 about the tier itself), worded for what it is.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Iterator

import pytest

from conftest import ROOT, TODAY
from modelgov.findings import Finding
from modelgov.policytest import Case, Runner, collect, judge_case

#: Failing cases with a model.yaml snippet, except those about loading the file (MG00x:
#: changing a line of a file that does not parse tests nothing about tiers) and those with
#: a git history (their snippet is an edit of the committed file: changing its tier would
#: be a change of what it declares, MG202's business).
CASES = [
    c
    for c in collect([ROOT / "tests" / "rules"])
    if c.model is not None
    and c.expect
    and c.history is None
    and not c.source.name.startswith("mg00")
]
RUNNER = Runner()
#: The value written for ``risk_tier`` (``None``: the key is removed).
TIERS: dict[str, str | None] = {
    "low": "low",
    "medium": "medium",
    "high": "high",
    "missing": None,
    "invalid": "critical",
    "empty": '""',
}
#: What a model without a valid tier adds to a high-risk model's findings: the tier itself.
ABOUT_THE_TIER = {"missing": {"MG102"}, "invalid": {"MG010"}, "empty": {"MG102"}}
DOUBLED = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
_TIER_LINE = re.compile(r"^risk_tier:.*\n?", re.MULTILINE)


def with_tier(case: Case, value: str | None) -> Case:
    assert case.model is not None
    text = _TIER_LINE.sub("", case.model)
    if value is not None:
        text = f"risk_tier: {value}\n{text}"
    elif not text.strip():
        text = "{}\n"  # the snippet was its tier alone: an empty declaration, not an empty file
    return dataclasses.replace(case, model=text)


def problems(f: Finding) -> Iterator[str]:
    for part, text in (("message", f.message), ("hint", f.hint)):
        if "None" in text:
            yield f"{part} says None"
        if "unknown-risk" in text or "model of unknown" in text:
            yield f"{part} says unknown-risk"
        if m := DOUBLED.search(text):
            yield f"{part} doubles {m.group(0)!r}"
        if re.search(r"\ba (critical|\"\")-risk", text):
            yield f"{part} takes an invalid tier for a tier"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_messages_read_as_sentences_for_every_tier(case: Case) -> None:
    policy = RUNNER.policy_for(case)
    today = case.today or _dt.date.fromisoformat(TODAY)
    rules: dict[str, set[str]] = {}
    bad = []
    for label, value in TIERS.items():
        findings = judge_case(with_tier(case, value), policy, today)
        rules[label] = {f.rule for f in findings}
        bad += [f"[{label}] {f.rule} {p}: {f.message}" for f in findings for p in problems(f)]
    assert not bad, "\n".join(bad)
    for label, extra in ABOUT_THE_TIER.items():
        assert rules["high"] <= rules[label], f"{label}: lost {rules['high'] - rules[label]}"
        assert rules[label] - rules["high"] <= extra, f"{label}: {rules[label] - rules['high']}"


def test_every_tier_dependent_message_was_rendered_without_a_tier() -> None:
    """The cases above render each rule that words its message by tier, tier missing."""
    from modelgov.registry import builtin

    worded = {
        r.id
        for r in builtin()
        if "tier_model("
        in (ROOT / "src" / "modelgov" / "rules")
        .joinpath(
            next(p.name for p in (ROOT / "src" / "modelgov" / "rules").glob(f"{r.id.lower()}_*.py"))
        )
        .read_text(encoding="utf-8")
    } | {"MG200", "MG201"}  # worded through rules/_dates.py
    expected = {e.rule for c in CASES for e in c.expect}
    missing = sorted(worded - expected)
    assert not missing, f"no failing case renders {missing}"
    assert {"MG121", "MG131", "MG133", "MG141", "MG151", "MG170", "MG200", "MG201"} <= worded
