"""The org report: repo results in, one sorted, reproducible report out.

The JSON form (``--format json``) is complete -- every row with its findings
and evidence -- and is what shards are merged from, so everything else
(summary, every other format) is computed from it.  It is byte-identical for
the same inputs: keys sorted, rows sorted by repository and path, no
timings (``--timings`` adds a separate ``timings`` field) and no wall-clock
date (``today`` is pinned or recorded once).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import UsageError
from .columns import collected_keys
from .rows import (
    STATUSES,
    Alias,
    FrameworkInfo,
    RepoEntry,
    RepoResult,
    ReportError,
    Row,
    RuleInfo,
    evidence_for,
    items,
    obj,
)

__all__ = ["STATUSES", "AuditReport", "build", "from_json", "merge"]

FORMAT = "modelgov-audit"
FORMAT_VERSION = 1
#: Deeper JSON than this is refused before it is parsed (a report nests 5 levels).
MAX_DEPTH = 64
TIER_NAMES = ("high", "medium", "low", "unknown")
NO_TEAM = "(no team)"
#: Staleness buckets in days: (label, lowest, highest or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)
STALENESS: tuple[tuple[str, Callable[[Row], int | None]], ...] = (
    ("review", lambda r: r.days_since_review),
    ("drill", lambda r: r.days_since_drill),
    ("code", lambda r: r.stale_code_days),
)
WORST = 10


def gates(row: Row, fail_on: str) -> bool:
    """Does this row fail the run?  ``fail`` and gating ``undeclared`` rows (MG009 at the
    fail level) do; so do ``error`` rows (compliance could not be shown) unless
    ``--fail-on never``."""
    if fail_on == "never":
        return False
    if row.status == "error":
        return True
    return bool(row.failing_rules)


def bucket(days: Any) -> str:
    if not isinstance(days, int) or isinstance(days, bool):
        return "unknown"
    if days < 0:
        return "future"
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return "unknown"  # pragma: no cover - the buckets cover every day count


@dataclass(frozen=True)
class AuditReport:
    version: str
    today: str
    as_of: str | None
    fail_on: str
    policy: Mapping[str, Any]
    heuristics: Mapping[str, Any]
    repos: tuple[RepoEntry, ...]
    models: tuple[Row, ...]
    shard: Mapping[str, int] | None = None
    timings: Mapping[str, Any] | None = field(default=None, compare=False)
    #: the org policy's rules (names, documentation links) and framework mappings
    rules: tuple[RuleInfo, ...] = ()
    frameworks: tuple[FrameworkInfo, ...] = ()
    #: pass rates over earlier runs, read from --history (the HTML draws them; not in JSON)
    trend: Mapping[str, Any] | None = field(default=None, compare=False)

    def rule(self, rule_id: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    # -- verdict ---------------------------------------------------------------
    def gating(self) -> list[Row]:
        return [r for r in self.models if gates(r, self.fail_on)]

    @property
    def exit_code(self) -> int:
        return 1 if self.gating() else 0

    # -- summary ---------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        by_status = dict.fromkeys(STATUSES, 0)
        by_rule: dict[str, dict[str, int]] = {}
        by_team: dict[str, dict[str, int]] = {}
        by_tier: dict[str, dict[str, int]] = {
            t: {**dict.fromkeys(STATUSES, 0), "total": 0} for t in TIER_NAMES
        }
        staleness = {
            name: {**{b[0]: 0 for b in BUCKETS}, "future": 0, "none": 0, "unknown": 0}
            for name, _ in STALENESS
        }
        for row in self.models:
            status = row.status
            by_status[status] = by_status.get(status, 0) + 1
            team = row.team or NO_TEAM
            counts = by_team.setdefault(team, {**dict.fromkeys(STATUSES, 0), "total": 0})
            counts[status] = counts.get(status, 0) + 1
            counts["total"] += 1
            tier = row.risk_tier if row.risk_tier in TIER_NAMES else "unknown"
            by_tier[str(tier)][status] = by_tier[str(tier)].get(status, 0) + 1
            by_tier[str(tier)]["total"] += 1
            for rule in row.failing_rules:
                by_rule.setdefault(rule, {"models": 0, "findings": 0})["models"] += 1
            for finding in row.active_findings():
                entry = by_rule.setdefault(finding.rule, {"models": 0, "findings": 0})
                entry["findings"] += 1
            if status in ("pass", "fail"):
                for name, get in STALENESS:
                    value = get(row)
                    # code: no change the declaration missed is "none"; a missing date "unknown"
                    label = "none" if name == "code" and value is None else bucket(value)
                    staleness[name][label] += 1
        repos_ok = sum(1 for r in self.repos if r.status == "ok")
        return {
            "repos": {
                "total": len(self.repos),
                "ok": repos_ok,
                "error": len(self.repos) - repos_ok,
            },
            "models": len(self.models),
            "by_status": by_status,
            "by_rule": dict(sorted(by_rule.items())),
            "by_team": dict(sorted(by_team.items())),
            "by_tier": by_tier,
            "staleness": staleness,
            "worst_models": self._worst_models(),
            "frameworks": self.framework_view(),
            "worst_teams": self._worst_teams(by_team),
            "gating": len(self.gating()),
            "registry": self._registry_counts(),
            "ready_at_2am": self._ready_counts(),
            "exit_code": self.exit_code,
        }

    def _ready_counts(self) -> dict[str, int]:
        """Judged models, how many are ready at 2am (every playbook step answered), and the
        operating-model counts an auditor asks for."""
        judged = [row for row in self.models if row.value("ready_at_2am") is not None]

        def total(key: str) -> int:
            return sum(v for row in judged if isinstance(v := row.value(key), int))

        return {
            "models": len(judged),
            "ready": sum(1 for row in judged if row.value("ready_at_2am") == "yes"),
            "incidents_without_postmortem": total("incidents_without_postmortem"),
            "overdue_action_items": total("overdue_action_items"),
            "without_override": sum(1 for row in judged if row.value("override") == "no"),
        }

    def _registry_counts(self) -> dict[str, int]:
        """``--registry``: models compared with the registry, and how many do not serve
        what they declare (or could not be read)."""
        values = [row.value("registry_match") for row in self.models]
        return {
            "compared": sum(1 for v in values if v is not None),
            "mismatched": values.count("no"),
            "unreadable": values.count("unreadable"),
        }

    def _worst_models(self) -> list[dict[str, Any]]:
        def oldest(row: Row) -> int:
            values = [get(row) for _, get in STALENESS]
            return max([v for v in values if isinstance(v, int)] or [0])

        failing = [r for r in self.models if r.status == "fail"]
        failing.sort(key=lambda r: (-len(r.failing_rules), -oldest(r), *r.key()))
        return [
            {
                "repo": r.repo,
                "path": r.path,
                "name": r.name,
                "team": r.team,
                "failing_rules": list(r.failing_rules),
                "oldest_days": oldest(r),
            }
            for r in failing[:WORST]
        ]

    def framework_view(self) -> list[dict[str, Any]]:
        """Per framework and control: models with passing, failing and no evidence (see
        :func:`~.rows.evidence_for`), the rules behind it and the first failing models."""
        out = []
        for fw in self.frameworks:
            controls = []
            for c in fw.controls:
                counts = {"pass": 0, "fail": 0, "none": 0}
                failing: list[Row] = []
                for row in self.models:
                    verdict = evidence_for(row, c.rules)
                    counts[verdict] += 1
                    if verdict == "fail":
                        failing.append(row)
                controls.append(
                    {
                        "id": c.id,
                        "title": c.title,
                        "rules": list(c.rules),
                        **counts,
                        "failing_models": [
                            {
                                "repo": r.repo,
                                "path": r.path,
                                "rules": [x for x in r.failing_rules if x in c.rules],
                            }
                            for r in failing[:WORST]
                        ],
                    }
                )
            out.append({"id": fw.id, "title": fw.title, "controls": controls})
        return out

    @staticmethod
    def _worst_teams(by_team: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
        ranked: list[tuple[int, float, str, dict[str, Any]]] = []
        for team, c in by_team.items():
            bad = c.get("fail", 0) + c.get("error", 0) + c.get("undeclared", 0)
            if bad:
                entry: dict[str, Any] = {"team": team, "problems": bad, "total": c["total"]}
                entry.update({s: c.get(s, 0) for s in STATUSES})
                ranked.append((-bad, -bad / c["total"], team, entry))
        ranked.sort(key=lambda t: t[:3])
        return [t[3] for t in ranked[:WORST]]

    # -- JSON --------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "tool": {"name": "modelgov", "version": self.version},
            "today": self.today,
            "as_of": self.as_of,
            "fail_on": self.fail_on,
            "policy": dict(self.policy),
            "heuristics": dict(self.heuristics),
            "shard": dict(self.shard) if self.shard else None,
            "summary": self.summary(),
            "rules": [r.to_json() for r in self.rules],
            "frameworks": [f.to_json() for f in self.frameworks],
            "repos": [r.to_json() for r in self.repos],
            "models": [m.to_json() for m in self.models],
        }
        if self.timings is not None:
            out["timings"] = dict(self.timings)
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def build(
    *,
    version: str,
    today: str,
    as_of: str | None,
    fail_on: str,
    policy: Mapping[str, Any],
    heuristics: Mapping[str, Any],
    results: Iterable[RepoResult],
    shard: Mapping[str, int] | None = None,
    timings: Mapping[str, Any] | None = None,
    rules: Sequence[RuleInfo] = (),
    frameworks: Sequence[FrameworkInfo] = (),
) -> AuditReport:
    """The report of a run from its repository results (copies of one repository folded)."""
    folded = fold_copies(list(results))
    return AuditReport(
        version=version,
        today=today,
        as_of=as_of,
        fail_on=fail_on,
        policy=policy,
        heuristics=heuristics,
        repos=tuple(sorted((r.repo for r in folded), key=lambda e: e.repo)),
        models=tuple(sorted((m for r in folded for m in r.models), key=Row.key)),
        shard=shard,
        timings=timings,
        rules=tuple(rules),
        frameworks=tuple(frameworks),
    )


def fold_copies(results: Sequence[RepoResult]) -> list[RepoResult]:
    """Copies of one repository (sharing an identity key, see :mod:`.identity`) as one.

    The copy audited at the newest commit (committer date; then the first by
    name) is kept, with the others listed as its ``aliases`` and their keys
    added to its own; the others' rows are dropped.  The choice is a maximum
    over a total order, so folding shards one by one and then their merge
    gives what folding everything at once gives.
    """
    parent = list(range(len(results)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, result in enumerate(results):
        if result.repo.status != "ok":
            continue
        for key in result.repo.identity:
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(results)):
        groups.setdefault(find(i), []).append(i)
    out: list[RepoResult] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(results[members[0]])
            continue
        chosen = sorted(members, key=lambda i: _preference(results[i].repo))
        keep = results[chosen[0]]
        aliases = {a for i in chosen for a in results[i].repo.aliases}
        aliases |= {Alias(results[i].repo.repo, results[i].repo.commit) for i in chosen[1:]}
        keys = {k for i in chosen for k in results[i].repo.identity}
        entry = keep.repo._replace(identity=tuple(sorted(keys)), aliases=tuple(sorted(aliases)))
        out.append(RepoResult(entry, keep.models))
    return out


def _preference(entry: RepoEntry) -> tuple[int, str]:
    # the newest commit first (an unknown date last), then the name
    digits = "".join(c for c in entry.committed if c.isdigit())[:14]
    return (-int(digits) if digits else 0, entry.repo)


# -- reading and merging ----------------------------------------------------------


REPORT_KEYS = (
    "format", "format_version", "tool", "today", "as_of", "fail_on", "policy", "heuristics",
    "shard", "summary", "rules", "frameworks", "repos", "models",
)  # fmt: skip


def from_json(text: str, source: str) -> AuditReport:
    """Read a JSON report written by ``modelgov audit --format json``, validated.

    Raises :class:`~.rows.ReportError` (exit 2) naming the first place that does
    not validate: JSON nested deeper than :data:`MAX_DEPTH`, a missing or
    unknown key, a value of the wrong type (a rule that is not a string...).
    """
    if _too_deep(text, MAX_DEPTH):
        raise ReportError(
            f"{source} is nested more than {MAX_DEPTH} levels deep: not an audit report"
        )
    try:
        data = json.loads(text)
    except RecursionError:  # pragma: no cover - _too_deep refuses it first
        raise ReportError(f"{source} is nested too deeply: not an audit report") from None
    except ValueError as exc:
        raise ReportError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReportError(f"{source} is not a modelgov audit report (format {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise ReportError(
            f"{source} has format_version {data.get('format_version')!r}; "
            f"this modelgov reads {FORMAT_VERSION}"
        )
    d = obj(data, source, REPORT_KEYS, ("timings",))
    tool = obj(d["tool"], f"{source}: tool", ("name", "version"))
    policy = obj(d["policy"], f"{source}: policy", ("name", "digest"), ("chain",))
    heuristics = d["heuristics"]
    if not isinstance(heuristics, dict):
        raise ReportError(f"{source}: heuristics must be an object")
    shard = d["shard"]
    if shard is not None:
        shard = obj(shard, f"{source}: shard", ("index", "count"))
        for k in ("index", "count"):
            if not isinstance(shard[k], int) or isinstance(shard[k], bool) or shard[k] < 1:
                raise ReportError(f"{source}: shard.{k} must be a whole number from 1")
        shard = {"index": shard["index"], "count": shard["count"]}
    for key in ("today", "fail_on"):
        if not isinstance(d[key], str):
            raise ReportError(f"{source}: {key} must be a string")
    if d["as_of"] is not None and not isinstance(d["as_of"], str):
        raise ReportError(f"{source}: as_of must be a string or null")
    if not isinstance(tool["version"], str):
        raise ReportError(f"{source}: tool.version must be a string")
    repos = items(d["repos"], f"{source}: repos", RepoEntry.from_json)
    extra = collected_keys()
    models = items(d["models"], f"{source}: models", lambda v, w: Row.from_json(v, w, extra))
    listed = {r.repo for r in repos}
    for i, m in enumerate(models):
        if m.repo not in listed:
            raise ReportError(f"{source}: models[{i}].repo {m.repo!r} is not in the repos list")
    return AuditReport(
        version=tool["version"],
        today=d["today"],
        as_of=d["as_of"],
        fail_on=d["fail_on"],
        policy=dict(policy),
        heuristics=dict(heuristics),
        repos=repos,
        models=models,
        shard=shard,
        rules=items(d["rules"], f"{source}: rules", RuleInfo.from_json),
        frameworks=items(d["frameworks"], f"{source}: frameworks", FrameworkInfo.from_json),
    )


def _too_deep(text: str, limit: int) -> bool:
    """Does ``text`` nest arrays or objects more than ``limit`` levels (strings skipped)?"""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


_SAME = ("version", "today", "as_of", "fail_on", "policy", "heuristics", "rules", "frameworks")


def merge(reports: Sequence[tuple[str, AuditReport]]) -> AuditReport:
    """One report from shard reports: the report a single run would have written.

    Every shard must come from the same settings (version, dates, fail level,
    policy digest, heuristics) and shards ``1..N`` of one ``N`` must all be
    there exactly once; reports without shard information are merged as a
    union of disjoint repositories.
    """
    if not reports:
        raise UsageError("nothing to merge: name the shard reports (shard-*.json)")
    first_name, first = reports[0]
    for name, rep in reports[1:]:
        for attr in _SAME:
            if getattr(rep, attr) != getattr(first, attr):
                raise UsageError(
                    f"{name} and {first_name} come from different settings ({attr} differs); "
                    "shards must be audited with the same version, policy, dates and fail level"
                )
    shards = [rep.shard for _, rep in reports]
    if any(shards) and not all(shards):
        raise UsageError("cannot merge shard reports with complete (unsharded) reports")
    if all(shards):
        counts = {s["count"] for s in shards if s}
        if len(counts) != 1:
            raise UsageError(f"the shards were cut in different counts: {sorted(counts)}")
        count = counts.pop()
        seen: dict[int, str] = {}
        for name, rep in reports:
            assert rep.shard is not None
            index = rep.shard["index"]
            if index in seen:
                raise UsageError(f"shard {index}/{count} is given twice ({seen[index]}, {name})")
            seen[index] = name
        missing = [str(i) for i in range(1, count + 1) if i not in seen]
        if missing:
            raise UsageError(
                f"shard(s) {', '.join(missing)} of {count} missing: a merge of part of the "
                "shards would not be the org's report"
            )
    owner: dict[str, str] = {}
    for name, rep in reports:
        for r in rep.repos:
            for ident in (r.repo, *(a.repo for a in r.aliases)):
                if ident in owner:
                    raise UsageError(f"{ident} is in both {owner[ident]} and {name}")
                owner[ident] = name
    # the rows of each repository, as the shards hold them: then folded as one run would
    results = []
    for _, rep in reports:
        rows: dict[str, list[Row]] = {}
        for m in rep.models:
            rows.setdefault(m.repo, []).append(m)
        results += [RepoResult(r, tuple(rows.get(r.repo, ()))) for r in rep.repos]
    folded = fold_copies(results)
    merged = replace(
        first,
        repos=tuple(sorted((r.repo for r in folded), key=lambda e: e.repo)),
        models=tuple(sorted((m for r in folded for m in r.models), key=Row.key)),
        shard=None,
        timings=None,
    )
    return merged
