"""The pure parts of signed approvals: digests, the record format, the verdicts, the switch
option, the ssh-keygen lookup.  No key is made here (tests/test_approvals.py signs for real)."""

from __future__ import annotations

import datetime as _dt
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import COMPLIANT
from modelgov import document, sshsig
from modelgov.facts import approvals as records
from modelgov.policy import load_policy
from modelgov.registry import builtin
from modelgov.rules.base import Option, rule_from_module

TODAY = _dt.date(2026, 11, 30)
SIGNATURE = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"


def data_of(text: str) -> dict[str, object]:
    doc = document.load_text("model.yaml", text)
    assert doc.ok
    return doc.data  # type: ignore[no-any-return]


REFERENCE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")


def test_the_digest_is_of_parsed_values_not_text() -> None:
    base = records.section_digests(data_of(REFERENCE))
    assert set(base) == set(records.SECTIONS)
    # comments, quoting, flow style and key order change nothing
    same = (
        REFERENCE.replace("max_minutes: 15               # time", "max_minutes: 15 # minutes")
        .replace("risk_tier: high ", "risk_tier: 'high' ")
        .replace(
            "    - email: counsel@example.com\n      role: compliance\n",
            "    - {role: compliance, email: counsel@example.com}\n",
        )
    )
    assert same != REFERENCE
    assert records.section_digests(data_of(same)) == base
    assert records.approved_digest(data_of(same)) == records.approved_digest(data_of(REFERENCE))
    # a changed value changes its section's digest, and only that one
    slower = records.section_digests(
        data_of(REFERENCE.replace("max_minutes: 15", "max_minutes: 16"))
    )
    assert [s for s in records.SECTIONS if slower[s] != base[s]] == ["rollback"]
    # other sections are not approved: editing them changes nothing
    assert (
        records.section_digests(data_of(REFERENCE.replace("rotation: payments", "rotation: x")))
        == base
    )


def test_version_as_text() -> None:
    assert records.version_of({"deploy": {"version": 7}}) == "7"
    assert records.version_of({"deploy": {"version": " v2.3.0 "}}) == "v2.3.0"
    assert records.version_of({"deploy": {"version": True}}) == ""
    assert records.version_of({"deploy": {}}) == ""
    assert records.version_of({}) == ""


def fields(**over: object) -> dict[str, object]:
    data = data_of(REFERENCE)
    out: dict[str, object] = {
        "approval": 1,
        "model": "fraud-scorer",
        "version": "7",
        "role": "compliance",
        "signer": "counsel@example.com",
        "date": "2026-11-30",
        "note": 'DPIA "114": signed off',
        "digest": records.approved_digest(data),
        "sections": records.section_digests(data),
    }
    out.update(over)
    return out


def test_the_record_round_trips_and_the_statement_is_its_fields() -> None:
    text = records.record_text(fields(), SIGNATURE)
    parsed = records.parse_record("approvals/c.yaml", text.encode())
    assert isinstance(parsed, records.Record)
    assert parsed.fields() == fields()
    assert parsed.statement() == records.statement(fields())
    assert parsed.signature == SIGNATURE
    assert parsed.where("/sections/rollback") == (15, 13)
    # a comment or a reordering of the record does not change what was signed
    moved = "# reviewed\n" + text.replace('note: "DPIA', 'note:   "DPIA')
    again = records.parse_record("approvals/c.yaml", moved.encode())
    assert isinstance(again, records.Record) and again.statement() == parsed.statement()


@pytest.mark.parametrize(
    ("text", "pointer", "words"),
    [
        ("- a\n", "", "not a mapping"),
        ("approval: 1\n", "", "lacks model"),
        ("a: [\n", "", "not a readable record"),
        ("approval: 1\napproval: 2\n", "/approval", "not a readable record"),
    ],
)
def test_malformed_records_say_where(text: str, pointer: str, words: str) -> None:
    parsed = records.parse_record("approvals/x.yaml", text.encode())
    assert isinstance(parsed, records.Malformed)
    assert words in parsed.problem
    assert parsed.pointer == pointer or parsed.line >= 1


def test_field_types_are_checked() -> None:
    good = records.record_text(fields(), SIGNATURE)
    for old, new, words in [
        ('version: "7"', "version: 7", "`version` must be non-empty text"),
        ('date: "2026-11-30"', 'date: "soon"', "`date` must be a date"),
        ("approval: 1", "approval: 2", "unknown record format"),
        ('  drift: "', '  drifts: "', "`sections` must give the digest"),
    ]:
        parsed = records.parse_record("a.yaml", good.replace(old, new).encode())
        assert isinstance(parsed, records.Malformed), old
        assert words in parsed.problem, (old, parsed.problem)


def judge(
    data: dict[str, object], *recs: records.Record, status: str = "good"
) -> records.Approvals:
    return records.judge(
        data,
        name="fraud-scorer",
        today=TODAY,
        folder="approvals",
        records=recs,
        checks={r.file: records.SignatureCheck(status) for r in recs},  # type: ignore[arg-type]
        signers="allowed_signers",
    )


def record(**over: object) -> records.Record:
    parsed = records.parse_record(
        str(over.pop("file", "approvals/c.yaml")),
        records.record_text(fields(**over), SIGNATURE).encode(),
    )
    assert isinstance(parsed, records.Record)
    return parsed


def test_verdicts() -> None:
    data = data_of(REFERENCE)
    (v,) = judge(data, record()).verdicts
    assert (v.status, v.reason) == ("valid", "")
    (v,) = judge(data, record(), status="mismatch").verdicts
    assert (
        v.status == "invalid"
        and v.pointer == "/signature"
        and "changed after it was signed" in v.reason
    )
    (v,) = judge(data, record(model="other")).verdicts
    assert v.status == "invalid" and v.pointer == "/model"
    (v,) = judge(data, record(signer="dana.okafor@example.com")).verdicts
    assert v.status == "invalid" and "owner's approval never counts" in v.reason
    (v,) = judge(data, record(role="product")).verdicts
    assert (
        v.pointer == "/role" and "listed in deploy.approvers as compliance, not product" in v.reason
    )
    (v,) = judge(data, record(date="2026-12-01")).verdicts
    assert v.pointer == "/date" and "after today" in v.reason
    (v,) = judge(data, record(version="6")).verdicts
    assert (v.status, v.changed) == ("stale", ("version",))
    assert v.reason == "it approves version 6; deploy.version is now 7"
    slower = data_of(REFERENCE.replace("max_minutes: 15", "max_minutes: 30"))
    (v,) = judge(slower, record(version="6")).verdicts
    assert v.reason == "it approves version 6; deploy.version is now 7; rollback changed too"
    fewer = data_of(
        REFERENCE.replace("max_minutes: 15", "max_minutes: 30").replace("high ", "medium ")
    )
    (v,) = judge(fewer, record()).verdicts
    assert v.changed == ("risk_tier", "rollback") and v.pointer == "/sections/risk_tier"
    assert v.reason.startswith("risk_tier and rollback changed since it was signed on 2026-11-30")


def test_the_switch_option_turns_a_rule_off_per_tier() -> None:
    registry = builtin()
    rule = registry.rules["MG153"]
    assert rule.enabled_by == "require_signed_approvals"
    for pack, tiers in [
        ("minimal", (False,) * 3),
        ("default", (False,) * 3),
        ("strict", (False, False, True)),
    ]:
        policy = load_policy(pack, registry)
        assert (
            tuple(policy.settings(rule, t).enabled for t in ("low", "medium", "high")) == tiers
        ), pack
    over = load_policy(
        "default",
        registry,
        overrides={"rules": {"MG153": {"options": {"require_signed_approvals": {"low": True}}}}},
    )
    assert over.settings(rule, "low").enabled and not over.settings(rule, "high").enabled
    bad = SimpleNamespace(
        ID="MG999", NAME="x", SEVERITY=rule.severity, check=lambda ctx: [], __doc__="X.",
        OPTIONS={"on": Option("int", 1, "no")}, ENABLED_BY="on", __name__="bad",
    )  # fmt: skip
    with pytest.raises(ValueError, match="ENABLED_BY must name a bool option"):
        rule_from_module(bad)


def test_ssh_keygen_is_found_only_on_absolute_path_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = tmp_path / "ssh-keygen"
    planted.write_text("#!/bin/sh\nexit 0\n")
    planted.chmod(planted.stat().st_mode | stat.S_IEXEC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([".", "", "bin"]))
    sshsig._FOUND.clear()
    try:
        with pytest.raises(sshsig.SshKeygenMissing, match=r"ssh-keygen is not installed .*: why"):
            sshsig.find_program("why")
        monkeypatch.setenv("PATH", str(tmp_path))
        assert sshsig.find_program() == str(planted)  # an absolute entry the user chose
    finally:
        sshsig._FOUND.clear()


def test_what_is_never_handed_to_ssh_keygen() -> None:
    assert not sshsig.armored(
        "-----BEGIN SSH SIGNATURE-----\n$(rm -rf /)\n-----END SSH SIGNATURE-----\n"
    )
    assert not sshsig.armored(SIGNATURE + "extra")
    assert not sshsig.armored(SIGNATURE.replace("U1NIU0lH", "A" * (sshsig.MAX_SIGNATURE_BYTES + 1)))
    assert sshsig.armored(SIGNATURE)
