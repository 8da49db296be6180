"""What a rule is: its metadata, its options, and the context it runs in.

A rule is a module (built in, or from a plug-in registered under the entry
point group ``modelgov.rules``) with these names:

``ID``        stable id such as ``MG131``; ``NAME`` a slug such as ``rollback-procedure``
``SEVERITY``  default :class:`~modelgov.findings.Severity`
``OPTIONS``   ``dict[str, Option]`` -- the options a policy may set, with defaults
``check``     ``check(ctx: RuleContext) -> Iterable[Finding]``
``__doc__``   the rule's documentation: a title line, the rationale, then
              ``Fails:``, ``Passes:`` and ``Fix:`` sections (``modelgov explain``)

Optional:

``WAIVABLE = False``  findings cannot be waived
``NEEDS_DATA = False``  runs even when the file did not load (the MG00x rules)
``USES``      facts the rule reads beyond the document (``{"history"}``,
              ``{"roster"}``, ``{"codeowners"}``, ``{"instance"}``,
              ``{"approvals"}``): the engine computes them only when an
              enabled rule asks (see :mod:`modelgov.facts`)
``ENABLED_BY``  the name of a boolean option of the rule (per tier) that
              switches it on: where a pack sets it false the rule is off, as
              if ``enabled: false`` (``require_signed_approvals``)
``SCOPE = "target"``  the rule judges a target as a whole (a missing
              declaration): ``check(ctx: TargetContext)``
``check_after(ctx, findings)``  judged once waivers are applied, for rules
              about the other findings (an unused waiver)

A rule reads facts (:class:`RuleContext`) and yields findings; it never
prints, exits or raises for a violation, and never depends on another rule
having run.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any, Literal, NamedTuple, Protocol

from ..document import Document
from ..facts import FACT_NAMES, TIERS, ModelFacts, TargetFacts, is_missing
from ..findings import Finding, Location, Severity
from ..results import doc_sections

Scope = Literal["model", "target"]
__all__ = [
    "TIERS", "Option", "Rule", "RuleContext", "TargetContext", "doc_sections", "is_missing",
]  # fmt: skip
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
    #: the values a ``str`` option accepts (``()``: any string); a pack that sets another
    #: value is a config error
    choices: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """What is wrong with this declaration (checked when a rule is loaded)."""
        out = []
        if self.type not in OPTION_TYPES:
            out.append(f"unknown option type {self.type!r}")
        if self.choices and self.type != "str":
            out.append("choices are for options of type str")
        if self.stricter not in STRICTER:
            out.append(f"unknown stricter direction {self.stricter!r}")
        return out


class RuleModule(Protocol):
    """What every rule module declares (the built-in registry is checked against it)."""

    @property
    def ID(self) -> str: ...
    @property
    def NAME(self) -> str: ...
    @property
    def SEVERITY(self) -> Severity: ...
    @property
    def OPTIONS(self) -> Mapping[str, Option]: ...

    def check(self, ctx: Any, /) -> Iterable[Finding]: ...


class Rule(NamedTuple):
    """A loaded rule: metadata plus its check function."""

    id: str
    name: str
    severity: Severity
    options: Mapping[str, Option]
    doc: str
    check: Callable[[Any], Iterable[Finding]]
    check_after: Callable[[RuleContext, Sequence[Finding]], Iterable[Finding]] | None = None
    waivable: bool = True
    needs_data: bool = True  # False: runs even when the file did not load (MG00x)
    uses: frozenset[str] = frozenset()
    origin: str = "modelgov"
    scope: Scope = "model"
    #: a boolean option that switches the rule on per tier (``''``: none)
    enabled_by: str = ""

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    def section(self, title: str) -> str:
        """A section (``Fails``, ``Passes``, ``Fix``) of the docstring, dedented."""
        return doc_sections(self.doc).get(title, "")


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
    # "git" is what 0.1 called the history; plug-ins written for it keep working
    uses = frozenset("history" if u == "git" else u for u in getattr(module, "USES", ()))
    if uses - FACT_NAMES:
        raise ValueError(
            f"rule module {where}: USES names unknown facts {sorted(uses - FACT_NAMES)} "
            f"(known: {', '.join(sorted(FACT_NAMES))})"
        )
    scope: Scope = "target" if getattr(module, "SCOPE", "model") == "target" else "model"
    if getattr(module, "SCOPE", "model") not in ("model", "target"):
        raise ValueError(f"rule module {where}: SCOPE must be 'model' or 'target'")
    enabled_by = getattr(module, "ENABLED_BY", "")
    if enabled_by and (enabled_by not in options or options[enabled_by].type != "bool"):
        raise ValueError(f"rule module {where}: ENABLED_BY must name a bool option of the rule")
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
        uses=uses,
        origin=origin,
        scope=scope,
        enabled_by=enabled_by,
    )


class RuleContext(NamedTuple):
    """A model seen through one rule: its facts, severity and resolved options."""

    facts: ModelFacts
    rule: Rule
    severity: Severity
    options: Mapping[str, Any]

    # convenient views --------------------------------------------------
    @property
    def doc(self) -> Document:
        return self.facts.doc

    @property
    def data(self) -> dict[str, Any]:
        return self.facts.data

    @property
    def tier(self) -> str | None:
        return self.facts.tier

    @property
    def today(self) -> _dt.date:
        return self.facts.today

    def get(self, pointer: str) -> Any:
        return self.facts.doc.get(pointer)

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
            line, col = self.facts.doc.locate(pointer, key=at_key)
        return Finding(
            rule=self.rule.id,
            severity=severity or self.severity,
            location=Location(self.facts.file, line, col, pointer),
            message=message,
            hint=hint or default_hint(self.rule),
            model=self.facts.name,
            key=f"{self.rule.id}:{self.facts.file}:{pointer}",
        )


class TargetContext(NamedTuple):
    """A target seen through one rule of target scope."""

    facts: TargetFacts
    rule: Rule
    severity: Severity
    options: Mapping[str, Any]

    def finding(self, file: str, message: str, hint: str = "") -> Finding:
        """A finding about ``file`` (relative to the target's root) as a whole."""
        return Finding(
            rule=self.rule.id,
            severity=self.severity,
            location=Location(file, 1, 1, ""),
            message=message,
            hint=hint or default_hint(self.rule),
            key=f"{self.rule.id}:{file}",
        )


def default_hint(rule: Rule) -> str:
    """The first paragraph of the rule's ``Fix:`` section, on one line."""
    return rule.section("Fix").split("\n\n")[0].replace("\n", " ")
