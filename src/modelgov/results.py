"""The results of a run, as reporters see them: plain frozen data.

A run judges one or more *targets*.  A target is one repository (or plain
folder) under one config: its root, the config that applied, the resolved
policy, the fail level, and the models judged there.  ``modelgov check a b``
gives (at least) two targets, each judged under its own config and policy;
the exit code of the run is the worst over its targets.

Findings locate themselves relative to their target's root (``file``); a
target also knows the working directory of the run, so reporters can print
paths the user can open from where they stand (:meth:`TargetResult.shown`),
while SARIF keeps root-relative URIs.

Reporters import this module (and :mod:`modelgov.findings`) and nothing of
the engine.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple

from .errors import EXIT_CLEAN, EXIT_FINDINGS
from .findings import FailOn, Finding, Severity, fail_threshold, sort_findings


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into ``summary``, ``rationale`` and named sections."""
    import textwrap  # rule documentation only: a clean check never reads it

    text = textwrap.dedent(doc).strip("\n")
    lines = text.splitlines()
    out: dict[str, list[str]] = {"summary": lines[:1], "rationale": []}
    current = "rationale"
    for line in lines[1:]:
        m = re.match(r"^(Fails|Passes|Fix|Options):\s*(.*)$", line)
        if m:
            current = m.group(1)
            out[current] = [m.group(2)] if m.group(2) else []
            continue
        out.setdefault(current, []).append(line)
    return {k: textwrap.dedent("\n".join(v)).strip("\n") for k, v in out.items()}


class ControlMeta(NamedTuple):
    """A control of a framework a rule gives evidence towards (see modelgov.frameworks)."""

    framework: str  # "eu-ai-act", "nist-ai-rmf", "iso-42001" or a pack's own
    id: str  # as the framework cites it: "Art. 14", "MANAGE 2.4", "A.6.2.6"
    title: str


class RuleMeta(NamedTuple):
    """What reporters may say about a rule (SARIF descriptors, docs links)."""

    id: str
    name: str
    severity: Severity
    summary: str
    doc: str
    help_uri: str = ""  # the rule's page (built-in rules: their anchor in docs/rules.md)
    #: filled when a format shows them (SARIF): the rest of ``check`` never loads the mappings
    controls: tuple[ControlMeta, ...] = ()


class PolicyInfo(NamedTuple):
    """The resolved policy a target was judged under."""

    name: str
    digest: str
    chain: tuple[str, ...] = ()


class Ages(NamedTuple):
    """How old a model's evidence is, in days (``None``: unknown or not judged)."""

    review: int | None = None  # since review.last_reviewed
    drill: int | None = None  # since rollback.last_tested
    stale_code: int | None = None  # oldest code change the declaration has not caught up with


class Approval(NamedTuple):
    """One signed approval record of a model, as judged (``modelgov approve``)."""

    role: str
    signer: str
    date: str  # YYYY-MM-DD, as signed
    version: str  # the deploy.version it approves
    status: str  # valid | stale | invalid
    file: str  # the record, relative to the target's root
    reason: str = ""  # why it is stale or invalid


class ApprovalSummary(NamedTuple):
    """The signed approvals of a model (only when a rule judged them)."""

    version: str  # deploy.version now ('' when not set)
    approved: bool  # no active finding of the approval rules: this version is approved
    entries: tuple[Approval, ...] = ()

    def roles(self) -> list[str]:
        """The roles with a valid approval of this version, in the order of the records."""
        return list(dict.fromkeys(a.role for a in self.entries if a.status == "valid"))

    def describe(self) -> str:
        """One line: ``version 7 approved: product by a@x (2026-11-30), ...``."""
        head = f"version {self.version or '(not set)'} {'approved' if self.approved else 'not approved'}"
        valid = [f"{a.role} by {a.signer} ({a.date})" for a in self.entries if a.status == "valid"]
        other = [
            f"{a.role or '?'} by {a.signer or '?'} {a.status}"
            for a in self.entries
            if a.status != "valid"
        ]
        parts = valid + other
        return head + (": " + ", ".join(parts) if parts else ": no approval records")


class RegistryView(NamedTuple):
    """What the model registry serves for a model, beside what it declares (``--registry``)."""

    model: str  # the registered model name
    declared: str = ""  # deploy.version
    serving: str | None = None  # the version the serving alias resolves to
    rollback: str | None = (
        None  # what a rollback restores: the rollback alias, or the version before
    )
    error: str = ""  # why the registry could not be read

    @property
    def matches(self) -> bool | None:
        """Does what serves equal what is declared? ``None``: not known."""
        if self.error or self.serving is None:
            return None
        return self.declared == self.serving


class IncidentPolicy(NamedTuple):
    """What the policy asks of a model's incidents, and the date it was judged against
    (the playbook and the audit tell a pending post-mortem from an overdue one)."""

    today: str  # YYYY-MM-DD
    min_severity: str = "sev2"  # incidents at or above it need a post-mortem (MG190)
    due_days: int = 14  # days after the incident the post-mortem is due


class ModelResult(NamedTuple):
    """The verdict on one model.yaml."""

    file: str  # relative to the target's root, POSIX separators
    name: str
    tier: str | None
    findings: tuple[Finding, ...]
    owner: str = ""
    team: str = ""
    blob_sha: str = ""
    ages: Ages = Ages()
    #: ids of the rules that ran on this model (enabled for its tier; JUnit test cases)
    rules_run: tuple[str, ...] = ()
    #: the signed approvals, when a rule judged them (``None``: not judged)
    approvals: ApprovalSummary | None = None
    registry: RegistryView | None = None  # only with --registry and a registry section
    incident_policy: IncidentPolicy | None = None  # None: not judged by the engine

    def worst(self) -> Severity | None:
        active = [f.severity for f in self.findings if f.active]
        return max(active) if active else None


class TargetResult(NamedTuple):
    """One repository (or folder) judged under one config and policy."""

    root: str  # absolute path of the root, POSIX separators
    cwd: str  # absolute path of the working directory the run was started from
    config: str | None  # the config file that applied (as given or found), None: defaults
    policy: PolicyInfo
    fail_on: FailOn
    models: tuple[ModelResult, ...]
    findings: tuple[Finding, ...] = ()  # findings of the target itself (a missing declaration)

    def all_findings(self) -> list[Finding]:
        return sort_findings([f for m in self.models for f in m.findings] + list(self.findings))

    def failing(self) -> list[Finding]:
        threshold = fail_threshold(self.fail_on)
        if threshold is None:
            return []
        return [f for f in self.all_findings() if f.active and f.severity >= threshold]

    def status(self, model: ModelResult) -> str:
        threshold = fail_threshold(self.fail_on)
        worst = model.worst()
        if worst is not None and threshold is not None and worst >= threshold:
            return "fail"
        return "pass"

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing() else EXIT_CLEAN

    def shown(self, file: str) -> str:
        """``file`` (root-relative) as the user opens it from the working directory:
        relative when it lies below the working directory, else absolute (as ruff does)."""
        full = posixpath.join(self.root, file)
        rel = posixpath.relpath(full, self.cwd)
        return full if rel == ".." or rel.startswith("../") else rel

    @property
    def shown_root(self) -> str:
        """The root as reached from the working directory (``.`` when it is the cwd)."""
        return posixpath.relpath(self.root, self.cwd)


class Located(NamedTuple):
    """A finding with its target and the path the user sees."""

    path: str
    finding: Finding
    target: TargetResult


class RunResult(NamedTuple):
    """Everything a run judged: its targets, in the order the paths were given."""

    version: str
    today: str
    targets: tuple[TargetResult, ...]
    rules: tuple[RuleMeta, ...] = ()

    # -- views ------------------------------------------------------------------
    def located(self) -> list[Located]:
        """Every finding with the path to show, sorted by that path, line, column, rule."""
        out = [Located(t.shown(f.file), f, t) for t in self.targets for f in t.all_findings()]
        out.sort(key=lambda lf: (lf.path, *lf.finding.sort_key()[1:]))
        return out

    @property
    def findings(self) -> list[Finding]:
        return [lf.finding for lf in self.located()]

    def models(self) -> Iterator[tuple[TargetResult, ModelResult]]:
        for target in self.targets:
            for model in target.models:
                yield target, model

    def failing(self) -> list[Located]:
        """Findings at or above their own target's fail level."""
        out = []
        for lf in self.located():
            threshold = fail_threshold(lf.target.fail_on)
            if threshold is not None and lf.finding.active and lf.finding.severity >= threshold:
                out.append(lf)
        return out

    def count(self, severity: Severity, *, waived: bool = False) -> int:
        return sum(1 for f in self.findings if f.severity == severity and f.active != waived)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if not f.active)

    @property
    def exit_code(self) -> int:
        return max((t.exit_code for t in self.targets), default=EXIT_CLEAN)

    @property
    def fail_on(self) -> str:
        """The fail level, when every target shares one; else ``mixed``."""
        levels = {t.fail_on for t in self.targets}
        return levels.pop() if len(levels) == 1 else ("mixed" if levels else "error")

    @property
    def policies(self) -> list[PolicyInfo]:
        """The distinct policies of the run, in the order targets were judged."""
        return list(dict.fromkeys(t.policy for t in self.targets))

    def policy_label(self) -> str:
        """``policy default (sha256:c4264825e446)``, or each distinct policy."""
        shown = [f"{p.name} ({p.digest[:19]})" for p in self.policies]
        if not shown:
            return "no policy"
        return ("policy " if len(shown) == 1 else "policies ") + ", ".join(shown)

    def summary(self) -> dict[str, int]:
        return {
            "models": sum(len(t.models) for t in self.targets),
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "notes": self.count(Severity.NOTE),
            "waived": self.waived,
            "exit_code": self.exit_code,
        }
