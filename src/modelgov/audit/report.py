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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import UsageError

FORMAT = "modelgov-audit"
FORMAT_VERSION = 1
STATUSES = ("pass", "fail", "error", "undeclared")
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
STALENESS = (
    ("review", "days_since_review"),
    ("drill", "days_since_drill"),
    ("code", "stale_code_days"),
)
WORST = 10


def row_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(row.get("repo", "")), str(row.get("path", "")), str(row.get("name", "")))


def gates(row: Mapping[str, Any], fail_on: str) -> bool:
    """Does this row fail the run?  ``fail`` and gating ``undeclared`` rows (MG009 at the
    fail level) do; so do ``error`` rows (compliance could not be shown) unless
    ``--fail-on never``."""
    if fail_on == "never":
        return False
    if row.get("status") == "error":
        return True
    return bool(row.get("failing_rules"))


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
    repos: tuple[Mapping[str, Any], ...]
    models: tuple[Mapping[str, Any], ...]
    shard: Mapping[str, int] | None = None
    timings: Mapping[str, Any] | None = field(default=None, compare=False)

    # -- verdict ---------------------------------------------------------------
    def gating(self) -> list[Mapping[str, Any]]:
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
            status = str(row.get("status"))
            by_status[status] = by_status.get(status, 0) + 1
            team = str(row.get("team") or "") or NO_TEAM
            counts = by_team.setdefault(team, {**dict.fromkeys(STATUSES, 0), "total": 0})
            counts[status] = counts.get(status, 0) + 1
            counts["total"] += 1
            tier = row.get("risk_tier") if row.get("risk_tier") in TIER_NAMES else "unknown"
            by_tier[str(tier)][status] = by_tier[str(tier)].get(status, 0) + 1
            by_tier[str(tier)]["total"] += 1
            for rule in row.get("failing_rules") or ():
                by_rule.setdefault(rule, {"models": 0, "findings": 0})["models"] += 1
            for finding in row.get("findings") or ():
                if finding.get("waived") is None:
                    entry = by_rule.setdefault(finding["rule"], {"models": 0, "findings": 0})
                    entry["findings"] += 1
            if status in ("pass", "fail"):
                for name, key in STALENESS:
                    value = row.get(key)
                    # code: no change the declaration missed is "none"; a missing date "unknown"
                    label = "none" if name == "code" and value is None else bucket(value)
                    staleness[name][label] += 1
        repos_ok = sum(1 for r in self.repos if r.get("status") == "ok")
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
            "worst_teams": self._worst_teams(by_team),
            "gating": len(self.gating()),
            "exit_code": self.exit_code,
        }

    def _worst_models(self) -> list[dict[str, Any]]:
        def oldest(row: Mapping[str, Any]) -> int:
            values = [row.get(k) for _, k in STALENESS]
            return max([v for v in values if isinstance(v, int)] or [0])

        failing = [r for r in self.models if r.get("status") == "fail"]
        failing.sort(key=lambda r: (-len(r.get("failing_rules") or ()), -oldest(r), *row_key(r)))
        return [
            {
                "repo": r["repo"],
                "path": r["path"],
                "name": r.get("name", ""),
                "team": r.get("team", ""),
                "failing_rules": list(r.get("failing_rules") or ()),
                "oldest_days": oldest(r),
            }
            for r in failing[:WORST]
        ]

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
            "repos": [dict(r) for r in self.repos],
            "models": [dict(m) for m in self.models],
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
    results: Iterable[Mapping[str, Any]],
    shard: Mapping[str, int] | None = None,
    timings: Mapping[str, Any] | None = None,
) -> AuditReport:
    """The report of a run from its repo results (each ``{"repo": ..., "models": [...]}``)."""
    repos = []
    models = []
    for result in results:
        repos.append(result["repo"])
        models.extend(result["models"])
    # a JSON round trip: what a run reports and what a merge reads are the same values
    repos = json.loads(json.dumps(repos))
    models = json.loads(json.dumps(models))
    return AuditReport(
        version=version,
        today=today,
        as_of=as_of,
        fail_on=fail_on,
        policy=policy,
        heuristics=heuristics,
        repos=tuple(sorted(repos, key=lambda r: str(r.get("repo", "")))),
        models=tuple(sorted(models, key=row_key)),
        shard=shard,
        timings=timings,
    )


# -- reading and merging ----------------------------------------------------------


def from_json(text: str, source: str) -> AuditReport:
    """Read a JSON report written by ``modelgov audit --format json``."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{source} is not a modelgov audit report (format {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise UsageError(
            f"{source} has format_version {data.get('format_version')!r}; "
            f"this modelgov reads {FORMAT_VERSION}"
        )
    try:
        shard = data.get("shard")
        return AuditReport(
            version=str(data["tool"]["version"]),
            today=str(data["today"]),
            as_of=data.get("as_of"),
            fail_on=str(data["fail_on"]),
            policy=dict(data["policy"]),
            heuristics=dict(data["heuristics"]),
            repos=tuple(data["repos"]),
            models=tuple(data["models"]),
            shard={"index": int(shard["index"]), "count": int(shard["count"])} if shard else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{source} is an incomplete audit report ({exc!r} missing)") from None


_SAME = ("version", "today", "as_of", "fail_on", "policy", "heuristics")


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
            ident = str(r.get("repo"))
            if ident in owner:
                raise UsageError(f"{ident} is in both {owner[ident]} and {name}")
            owner[ident] = name
    merged = replace(
        first,
        repos=tuple(
            sorted((r for _, rep in reports for r in rep.repos), key=lambda r: str(r["repo"]))
        ),
        models=tuple(sorted((m for _, rep in reports for m in rep.models), key=row_key)),
        shard=None,
        timings=None,
    )
    return merged
