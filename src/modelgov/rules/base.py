"""What a rule is: its metadata, its options, and the context it runs in.

A rule is a module (built in, or from a plug-in registered under the entry
point group ``modelgov.rules``) with these names:

``ID``        stable id such as ``MG131``; ``NAME`` a slug such as ``rollback-procedure``
``SEVERITY``  default :class:`~modelgov.findings.Severity`
``OPTIONS``   ``dict[str, Option]`` -- the options a policy may set, with defaults
``check``     ``check(ctx: RuleContext) -> Iterable[Finding]``
``__doc__``   the rule's documentation: a title line, the rationale, then
              ``Fails:``, ``Passes:`` and ``Fix:`` sections (``modelgov explain``)

Optional: ``WAIVABLE = False`` (findings cannot be waived), ``USES`` (what
the rule needs: ``{"git"}``, ``{"roster"}``), and ``check_after(ctx,
findings)`` for rules that judge the other rules' findings (unused waivers).
Rules never print, exit or raise for a violation: they yield findings.
"""

from __future__ import annotations

import datetime as _dt
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..document import MISSING, Document
from ..findings import Finding, Location, Severity

if TYPE_CHECKING:
    from ..repoview import RepoView

TIERS = ("low", "medium", "high")
OPTION_TYPES = ("int", "float", "str", "bool", "list[str]", "days")
STRICTER = ("", "lower", "higher", "true", "superset")


class Option(NamedTuple):
    """One option a policy may set for a rule.

    ``per_tier`` options accept either one value or a mapping of risk tier to
    value (``{low: 365, medium: 180, high: 90}``).
    """

    type: str
    default: Any
    help: str
    per_tier: bool = False
    #: Which change makes the rule stricter: ``lower`` or ``higher`` (numbers),
    #: ``true`` (booleans), ``superset`` (lists).  ``modelgov audit`` lets a
    #: repository's own config change an option only that way; ``""`` (no
    #: direction declared) means a repository config cannot change it at all.
    stricter: str = ""

    def problems(self) -> list[str]:
        """What is wrong with this declaration (checked when a rule is loaded)."""
        out = []
        if self.type not in OPTION_TYPES:
            out.append(f"unknown option type {self.type!r}")
        if self.stricter not in STRICTER:
            out.append(f"unknown stricter direction {self.stricter!r}")
        return out


class RuleModule(Protocol):
    ID: str
    NAME: str
    SEVERITY: Severity
    OPTIONS: Mapping[str, Option]

    def check(self, ctx: RuleContext) -> Iterable[Finding]: ...


class Rule(NamedTuple):
    """A loaded rule: metadata plus its check function."""

    id: str
    name: str
    severity: Severity
    options: Mapping[str, Option]
    doc: str
    check: Callable[[RuleContext], Iterable[Finding]]
    check_after: Callable[[RuleContext, Sequence[Finding]], Iterable[Finding]] | None = None
    waivable: bool = True
    needs_data: bool = True  # False: runs even when the file did not load (MG00x)
    uses: frozenset[str] = frozenset()
    origin: str = "modelgov"

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    def section(self, title: str) -> str:
        """A section (``Fails``, ``Passes``, ``Fix``) of the docstring, dedented."""
        return doc_sections(self.doc).get(title, "")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into ``summary``, ``rationale`` and named sections."""
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


def rule_from_module(module: ModuleType | Any, origin: str = "modelgov") -> Rule:
    """Build a :class:`Rule` from a rule module, validating its shape."""
    where = getattr(module, "__name__", repr(module))
    problems = []
    for attr in ("ID", "NAME", "SEVERITY", "check"):
        if not hasattr(module, attr):
            problems.append(f"missing {attr}")
    if problems:
        raise ValueError(f"rule module {where}: {', '.join(problems)}")
    rid = module.ID
    if not isinstance(rid, str) or not re.fullmatch(r"[A-Z][A-Z0-9]*[0-9]+", rid):
        raise ValueError(f"rule module {where}: ID {rid!r} must look like ABC123")
    if not isinstance(module.NAME, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", module.NAME):
        raise ValueError(f"rule module {where}: NAME {module.NAME!r} must be a lower-case slug")
    if not isinstance(module.SEVERITY, Severity):
        raise ValueError(f"rule module {where}: SEVERITY must be a modelgov.findings.Severity")
    options = getattr(module, "OPTIONS", {})
    if not isinstance(options, Mapping) or not all(isinstance(o, Option) for o in options.values()):
        raise ValueError(f"rule module {where}: OPTIONS must map names to Option")
    for opt_name, opt in options.items():
        if opt.problems():
            raise ValueError(f"rule module {where}: option {opt_name}: {'; '.join(opt.problems())}")
    doc = module.__doc__ or ""
    if not doc.strip():
        raise ValueError(f"rule module {where}: a rule needs a docstring (its documentation)")
    return Rule(
        id=rid,
        name=module.NAME,
        severity=module.SEVERITY,
        options=dict(options),
        doc=doc,
        check=module.check,
        check_after=getattr(module, "check_after", None),
        waivable=bool(getattr(module, "WAIVABLE", True)),
        needs_data=bool(getattr(module, "NEEDS_DATA", True)),
        uses=frozenset(getattr(module, "USES", ())),
        origin=origin,
    )


def _no_history() -> Any:
    return None


class ModelContext:
    """Everything the rules may know about one model.yaml."""

    __slots__ = ("base", "codeowners", "doc", "extra", "file", "history", "repo", "roster", "today")

    def __init__(
        self,
        doc: Document,
        file: str,
        base: str,
        today: _dt.date,
        repo: RepoView,
        history: Callable[[], Any] = _no_history,
        roster: Any = None,
        codeowners: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.doc = doc
        self.file = file  # repo-relative path of the model.yaml, as shown to users
        self.base = base  # repo-relative folder that holds it ('' at the root)
        self.today = today
        self.repo = repo
        self.history = history
        self.roster = roster
        self.codeowners = codeowners
        self.extra: dict[str, Any] = {} if extra is None else extra

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    @property
    def tier(self) -> str | None:
        tier = self.data.get("risk_tier")
        return tier if isinstance(tier, str) and tier in TIERS else None

    @property
    def name(self) -> str:
        name = self.data.get("name")
        return name if isinstance(name, str) else ""


class RuleContext(NamedTuple):
    """A model seen through one rule: its severity and resolved options."""

    model: ModelContext
    rule: Rule
    severity: Severity
    options: Mapping[str, Any]

    # convenient views --------------------------------------------------
    @property
    def doc(self) -> Document:
        return self.model.doc

    @property
    def data(self) -> dict[str, Any]:
        return self.model.data

    @property
    def tier(self) -> str | None:
        return self.model.tier

    @property
    def today(self) -> _dt.date:
        return self.model.today

    def get(self, pointer: str) -> Any:
        return self.model.doc.get(pointer)

    def finding(
        self,
        pointer: str,
        message: str,
        hint: str = "",
        *,
        at_key: bool = False,
        severity: Severity | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> Finding:
        """A finding of this rule located at ``pointer`` (or its nearest ancestor)."""
        if line is None or col is None:
            line, col = self.model.doc.locate(pointer, key=at_key)
        return Finding(
            rule=self.rule.id,
            severity=severity or self.severity,
            location=Location(self.model.file, line, col, pointer),
            message=message,
            hint=hint or self.rule.section("Fix").split("\n\n")[0].replace("\n", " "),
            model=self.model.name,
            key=f"{self.rule.id}:{self.model.file}:{pointer}",
        )


def is_missing(value: Any) -> bool:
    """True for an absent key, null or an empty string/list/mapping."""
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False
