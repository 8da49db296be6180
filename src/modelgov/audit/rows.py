"""Typed audit rows and their JSON form.

An audit judges repositories; each yields a :class:`RepoResult`: one
:class:`RepoEntry` (the repository, its audited commit, whether it could be
audited) and its :class:`Row` values, one per model (and per undeclared
folder, or one ``error`` row).  The values are frozen ``NamedTuple``s: they
cross process boundaries (the audit's workers pickle them), go into the
resume journal and come back from JSON reports (``audit merge``, ``audit
diff``), so every type here has a documented JSON form and reads it back
with validation:

``to_json()``
    JSON-ready data (``dict``/``list``/``str``/``int``/``None``); keys are
    the field names documented in docs/audit.md.  ``json.dumps`` of it with
    ``sort_keys=True`` is the report's bytes, so equal values give equal bytes.
``from_json(data, where)``
    The value back, or :class:`ReportError` (exit 2) naming the place that
    does not validate (``models[3].failing_rules[0] must be a string, not 7``).
    Unknown keys are refused (a report from a newer modelgov says so);
    keys added after the first release (:data:`Row` ``rules_skipped`` and the
    values of collected columns) may be missing and take their defaults.

``from_json(to_json(x)) == x`` for every value (tests/test_audit_rows.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, TypeVar, cast

from ..errors import UsageError

Status = Literal["pass", "fail", "error", "undeclared"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "undeclared")
RepoStatus = Literal["ok", "error"]
#: A cell of a row: what a column's extractor returns.
Cell = str | int | None | tuple[str, ...]
#: The value of a collected column (see :mod:`.columns`) as a row stores it.
Extra = tuple[tuple[str, Cell], ...]

T = TypeVar("T")


class ReportError(UsageError):
    """A JSON report (or journal line) that does not validate: exit 2, with the place."""


# -- validation helpers ---------------------------------------------------------------


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else _type_name(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(where: str, wanted: str, value: object) -> ReportError:
    return ReportError(f"{where} must be {wanted}, not {_shown(value)}")


def obj(
    data: object, where: str, keys: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    """``data`` as a JSON object holding exactly ``keys`` (and maybe ``optional`` ones)."""
    if not isinstance(data, dict):
        raise _fail(where, "an object", data)
    unknown = sorted(str(k) for k in data if k not in keys and k not in optional)
    if unknown:
        raise ReportError(
            f"{where}: unknown key(s) {', '.join(unknown)} (a report from a newer modelgov, "
            "or not one modelgov wrote)"
        )
    missing = [k for k in keys if k not in data]
    if missing:
        raise ReportError(f"{where}: missing key(s) {', '.join(missing)}")
    return data


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "a string", value)
    return value


def maybe_text(value: object, where: str) -> str | None:
    return None if value is None else text(value, where)


def integer(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, "a whole number", value)
    return value


def maybe_int(value: object, where: str) -> int | None:
    return None if value is None else integer(value, where)


def texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _fail(where, "a list of strings", value)
    return tuple(text(v, f"{where}[{i}]") for i, v in enumerate(value))


def items(value: object, where: str, read: Callable[[object, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise _fail(where, "a list", value)
    return tuple(read(v, f"{where}[{i}]") for i, v in enumerate(value))


def choice(value: object, where: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise _fail(where, "one of " + ", ".join(allowed), value)
    return cast(str, value)


def cell(value: object, where: str) -> Cell:
    """A collected column's value: a string, a whole number, null or a list of strings."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return texts(value, where)
    return integer(value, where)


def cell_json(value: Cell) -> Any:
    return list(value) if isinstance(value, tuple) else value


# -- the parts of a row -----------------------------------------------------------------


class Evidence(NamedTuple):
    """What a row was judged from: enough to reproduce it with ``modelgov check``."""

    commit: str = ""  # the audited commit
    blob: str = ""  # the model.yaml's blob id ("" for error and undeclared rows)
    policy_digest: str = ""  # the effective policy
    modelgov: str = ""  # the version that judged it
    today: str = ""  # the date judged against

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_json(cls, data: object, where: str) -> Evidence:
        d = obj(data, where, cls._fields)
        return cls(**{k: text(d[k], f"{where}.{k}") for k in cls._fields})


class Signal(NamedTuple):
    """A file that gives an undeclared model away."""

    path: str
    kind: str  # "artifact" | "training-code"
    detail: str

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_json(cls, data: object, where: str) -> Signal:
        d = obj(data, where, cls._fields)
        return cls(**{k: text(d[k], f"{where}.{k}") for k in cls._fields})


class Waiver(NamedTuple):
    """The waiver that silenced a finding."""

    reason: str
    approved_by: str
    expires: str
    ticket: str = ""
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_json(cls, data: object, where: str) -> Waiver:
        d = obj(data, where, cls._fields)
        return cls(**{k: text(d[k], f"{where}.{k}") for k in cls._fields})


SEVERITIES = ("error", "warning", "note")


class RowFinding(NamedTuple):
    """A finding of a row: located in the row's model.yaml (``path``), or in ``file``
    (root-relative) when it is in another file: an approval record (docs/approvals.md)."""

    rule: str
    severity: str  # error | warning | note
    pointer: str
    line: int
    col: int
    message: str
    hint: str = ""
    waived: Waiver | None = None
    file: str = ""  # '' : the row's model.yaml

    @property
    def active(self) -> bool:
        return self.waived is None

    def to_json(self) -> dict[str, Any]:
        out = dict(self._asdict())
        out["waived"] = self.waived.to_json() if self.waived is not None else None
        if not self.file:
            del out["file"]  # the row's model.yaml: reports stay as they were
        return out

    @classmethod
    def from_json(cls, data: object, where: str) -> RowFinding:
        d = obj(data, where, cls._fields[:-1], optional=("file",))
        waived = d["waived"]
        return cls(
            rule=text(d["rule"], f"{where}.rule"),
            severity=choice(d["severity"], f"{where}.severity", SEVERITIES),
            pointer=text(d["pointer"], f"{where}.pointer"),
            line=integer(d["line"], f"{where}.line"),
            col=integer(d["col"], f"{where}.col"),
            message=text(d["message"], f"{where}.message"),
            hint=text(d["hint"], f"{where}.hint"),
            waived=None if waived is None else Waiver.from_json(waived, f"{where}.waived"),
            file=text(d.get("file", ""), f"{where}.file"),
        )


# -- rows ------------------------------------------------------------------------------------


class Row(NamedTuple):
    """One row of the audit: a model, an undeclared folder, or a repository in error."""

    repo: str
    path: str = ""
    name: str = ""
    owner: str = ""
    team: str = ""
    risk_tier: str | None = None
    status: Status = "error"
    failing_rules: tuple[str, ...] = ()
    days_since_review: int | None = None
    days_since_drill: int | None = None
    stale_code_days: int | None = None
    labels: tuple[str, ...] = ()
    reason: str = ""
    notes: tuple[str, ...] = ()
    signals: tuple[Signal, ...] = ()
    findings: tuple[RowFinding, ...] = ()
    evidence: Evidence = Evidence()
    #: rules of the row's policy that did not judge it (off for its tier, or needing a
    #: document that could not be read); a control is evidenced for a model only by
    #: rules that judged it.  Model rules never judge an undeclared folder: for an
    #: undeclared row these are its target rules that are off.
    rules_skipped: tuple[str, ...] = ()
    #: values of the collected columns (:mod:`.columns`), by column key
    extra: Extra = ()

    def key(self) -> tuple[str, str, str]:
        """The order of rows in a report (and their identity in a merge)."""
        return (self.repo, self.path, self.name)

    def value(self, key: str) -> Cell:
        """A collected column's value (``None`` when the row has none)."""
        return dict(self.extra).get(key)

    def active_findings(self) -> tuple[RowFinding, ...]:
        return tuple(f for f in self.findings if f.active)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "repo": self.repo,
            "path": self.path,
            "name": self.name,
            "owner": self.owner,
            "team": self.team,
            "risk_tier": self.risk_tier,
            "status": self.status,
            "failing_rules": list(self.failing_rules),
            "days_since_review": self.days_since_review,
            "days_since_drill": self.days_since_drill,
            "stale_code_days": self.stale_code_days,
            "labels": list(self.labels),
            "reason": self.reason,
            "notes": list(self.notes),
            "signals": [s.to_json() for s in self.signals],
            "findings": [f.to_json() for f in self.findings],
            "evidence": self.evidence.to_json(),
            "rules_skipped": list(self.rules_skipped),
        }
        for key, value in self.extra:
            out[key] = cell_json(value)
        return out

    @classmethod
    def from_json(cls, data: object, where: str, extra_keys: Sequence[str] = ()) -> Row:
        """``extra_keys``: the keys of the collected columns (:data:`.columns.COLLECTED`)."""
        core = [k for k in cls._fields if k not in ("rules_skipped", "extra")]
        d = obj(data, where, core, ("rules_skipped", *extra_keys))
        return cls(
            repo=text(d["repo"], f"{where}.repo"),
            path=text(d["path"], f"{where}.path"),
            name=text(d["name"], f"{where}.name"),
            owner=text(d["owner"], f"{where}.owner"),
            team=text(d["team"], f"{where}.team"),
            risk_tier=maybe_text(d["risk_tier"], f"{where}.risk_tier"),
            status=cast(Status, choice(d["status"], f"{where}.status", STATUSES)),
            failing_rules=texts(d["failing_rules"], f"{where}.failing_rules"),
            days_since_review=maybe_int(d["days_since_review"], f"{where}.days_since_review"),
            days_since_drill=maybe_int(d["days_since_drill"], f"{where}.days_since_drill"),
            stale_code_days=maybe_int(d["stale_code_days"], f"{where}.stale_code_days"),
            labels=texts(d["labels"], f"{where}.labels"),
            reason=text(d["reason"], f"{where}.reason"),
            notes=texts(d["notes"], f"{where}.notes"),
            signals=items(d["signals"], f"{where}.signals", Signal.from_json),
            findings=items(d["findings"], f"{where}.findings", RowFinding.from_json),
            evidence=Evidence.from_json(d["evidence"], f"{where}.evidence"),
            rules_skipped=texts(d.get("rules_skipped", []), f"{where}.rules_skipped"),
            extra=tuple((k, cell(d[k], f"{where}.{k}")) for k in sorted(extra_keys) if k in d),
        )


class Alias(NamedTuple):
    """Another copy of a repository (a bare mirror and a working clone), reported once."""

    repo: str
    commit: str

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_json(cls, data: object, where: str) -> Alias:
        d = obj(data, where, cls._fields)
        return cls(text(d["repo"], f"{where}.repo"), text(d["commit"], f"{where}.commit"))


class RepoEntry(NamedTuple):
    """One audited repository, whether or not it holds a model."""

    repo: str
    source: str = "path"  # "path" | "url"
    status: RepoStatus = "ok"
    reason: str = ""
    commit: str = ""
    team: str = ""
    labels: tuple[str, ...] = ()
    models: int = 0  # declared model rows
    undeclared: int = 0  # undeclared rows
    bare: bool = False  # a bare repository (a mirror)
    #: the repository's ``origin`` remote, credentials removed ("" when none)
    remote: str = ""
    #: the audited commit's committer date (UTC, ISO 8601; "" when unknown)
    committed: str = ""
    #: opaque keys (hashes of the repository's own location and of its origin) that
    #: recognise two copies of one repository (a bare mirror and a working clone)
    identity: tuple[str, ...] = ()
    #: the other copies of this repository the audit found (reported as this one)
    aliases: tuple[Alias, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = dict(self._asdict())
        out["labels"] = list(self.labels)
        out["identity"] = list(self.identity)
        out["aliases"] = [a.to_json() for a in self.aliases]
        return out

    @classmethod
    def from_json(cls, data: object, where: str) -> RepoEntry:
        d = obj(data, where, cls._fields)
        bare = d["bare"]
        if not isinstance(bare, bool):
            raise _fail(f"{where}.bare", "true or false", bare)
        return cls(
            repo=text(d["repo"], f"{where}.repo"),
            source=choice(d["source"], f"{where}.source", ("path", "url")),
            status=cast(RepoStatus, choice(d["status"], f"{where}.status", ("ok", "error"))),
            reason=text(d["reason"], f"{where}.reason"),
            commit=text(d["commit"], f"{where}.commit"),
            team=text(d["team"], f"{where}.team"),
            labels=texts(d["labels"], f"{where}.labels"),
            models=integer(d["models"], f"{where}.models"),
            undeclared=integer(d["undeclared"], f"{where}.undeclared"),
            bare=bare,
            remote=text(d["remote"], f"{where}.remote"),
            committed=text(d["committed"], f"{where}.committed"),
            identity=texts(d["identity"], f"{where}.identity"),
            aliases=items(d["aliases"], f"{where}.aliases", Alias.from_json),
        )


class RepoResult(NamedTuple):
    """What auditing one repository yields (a worker's answer, a journal line)."""

    repo: RepoEntry
    models: tuple[Row, ...]

    def to_json(self) -> dict[str, Any]:
        return {"repo": self.repo.to_json(), "models": [m.to_json() for m in self.models]}

    @classmethod
    def from_json(cls, data: object, where: str, extra_keys: Sequence[str] = ()) -> RepoResult:
        d = obj(data, where, ("repo", "models"))
        return cls(
            RepoEntry.from_json(d["repo"], f"{where}.repo"),
            items(
                d["models"],
                f"{where}.models",
                lambda v, w: Row.from_json(v, w, extra_keys),
            ),
        )


def sorted_rows(rows: Sequence[Row]) -> tuple[Row, ...]:
    return tuple(sorted(rows, key=Row.key))


def by_key(rows: Sequence[Row]) -> Mapping[tuple[str, str], Row]:
    """Rows by ``(repo, path)`` (the identity ``audit diff`` compares by)."""
    return {(r.repo, r.path): r for r in rows}


# -- what the report knows about rules and frameworks -----------------------------------------


class RuleInfo(NamedTuple):
    """A rule of the org policy, as the report names and links it."""

    id: str
    name: str
    summary: str
    severity: str
    url: str = ""  # its documentation ("" for custom and plug-in rules)

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_json(cls, data: object, where: str) -> RuleInfo:
        d = obj(data, where, cls._fields)
        return cls(**{k: text(d[k], f"{where}.{k}") for k in cls._fields})


class ControlInfo(NamedTuple):
    """A control of a framework and the rules that give evidence towards it."""

    id: str
    title: str
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "rules": list(self.rules)}

    @classmethod
    def from_json(cls, data: object, where: str) -> ControlInfo:
        d = obj(data, where, cls._fields)
        return cls(
            text(d["id"], f"{where}.id"),
            text(d["title"], f"{where}.title"),
            texts(d["rules"], f"{where}.rules"),
        )


class FrameworkInfo(NamedTuple):
    """A framework the report maps its rules to (built in, or from the org's pack)."""

    id: str
    title: str
    source: str
    origin: str
    controls: tuple[ControlInfo, ...]

    def to_json(self) -> dict[str, Any]:
        out = dict(self._asdict())
        out["controls"] = [c.to_json() for c in self.controls]
        return out

    @classmethod
    def from_json(cls, data: object, where: str) -> FrameworkInfo:
        d = obj(data, where, cls._fields)
        return cls(
            text(d["id"], f"{where}.id"),
            text(d["title"], f"{where}.title"),
            text(d["source"], f"{where}.source"),
            text(d["origin"], f"{where}.origin"),
            items(d["controls"], f"{where}.controls", ControlInfo.from_json),
        )


Evidenced = Literal["pass", "fail", "none"]


def evidence_for(row: Row, rules: Sequence[str]) -> Evidenced:
    """What ``row`` says about a control evidenced by ``rules``.

    ``fail``: one of the rules fails the row (at the fail level); ``pass``: the
    row is a declared model, at least one of the rules judged it and none fails;
    ``none``: no evidence either way (the row could not be audited, none of the
    rules judged it, or it is an undeclared folder no failing rule speaks for).
    """
    if row.status == "error":
        return "none"
    if any(r in row.failing_rules for r in rules):
        return "fail"
    if row.status == "undeclared":
        return "none"
    skipped = set(row.rules_skipped)
    return "pass" if any(r not in skipped for r in rules) else "none"
