"""The playbook of a model: the next four hours, as its declarations answer them.

:func:`build` is a pure function of a judged model (its :class:`ModelResult`,
whose findings are the policy's verdicts) and its loaded :class:`Document`:
``modelgov playbook`` renders it, and the audit's "2am ready" column reads
:func:`ready` in its workers from the same two values.

Five steps, in the order a responder needs them (:data:`STEPS`).  A step is
*answered* when the declarations it reads are present and no active finding
stands on them.  Whatever it cannot answer is a :class:`Gap`, in place, with
the rule that flags it: a missing declaration is a gap whether or not the
rule runs for the model's tier (``Gap.enforced`` says whether it did), and
every active finding on a step's declarations is a gap with its own message.

Nothing here reads a file, except :func:`read_procedure`, which the command
calls through the workspace's view (bounded) to show the procedure's first
heading that mentions rollback.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
from collections.abc import Iterator, Sequence
from typing import Any, Literal, NamedTuple

from ..document import MISSING, Document, join_pointer
from ..errors import EXIT_CLEAN, EXIT_FINDINGS
from ..facts.incidents import incident_entries
from ..findings import Finding
from ..repoview import ReadError, RepoView, resolve_reference
from ..results import IncidentPolicy, ModelResult
from . import incidents as inc

StepKey = Literal["page", "decide", "rollback", "watch", "redeploy"]

#: The steps, in the responder's order: key and title.
STEPS: tuple[tuple[StepKey, str], ...] = (
    ("page", "Page now, and who next"),
    ("decide", "Who decides, without a meeting"),
    ("rollback", "How to roll back"),
    ("watch", "What to watch afterwards"),
    ("redeploy", "Before redeploying"),
)

#: Where a finding belongs: the longest pointer prefix names its step.
SECTIONS: tuple[tuple[str, StepKey], ...] = (
    ("/on_call", "page"),
    ("/rollback/decision_owner", "decide"),
    ("/override", "decide"),
    ("/rollback", "rollback"),
    ("/drift", "watch"),
    ("/deploy", "redeploy"),
    ("/incidents", "redeploy"),
)

#: How much of a procedure document is read for its headings.
PROCEDURE_LIMIT = 256 * 1024
_ROLLBACK = re.compile(r"roll[\s-]?back", re.IGNORECASE)
_MAX_TEXT = 300
#: What a gap says when no finding of check says it too.
NOT_ENFORCED = "not a finding: the policy does not require it of this model"


class Fact(NamedTuple):
    """One answer of a step: ``label: value``."""

    key: str
    label: str
    value: str


class Table(NamedTuple):
    """A list a step shows: monitors, approvers, incidents, action items."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class Gap(NamedTuple):
    """What a step cannot answer, with the rule that flags it."""

    rule: str
    message: str
    pointer: str
    line: int
    column: int
    #: a finding of check says it too (False: the policy does not flag it for this model:
    #: the rule is off, or not required for its tier)
    enforced: bool
    severity: str = ""  # the finding's (error, warning, note); '' when not a finding
    hint: str = ""  # how to answer the step


#: How to answer a step a declaration is missing from: by rule and the pointer's last key.
HINTS: dict[tuple[str, str], str] = {
    ("MG120", "rotation"): "Add `on_call.rotation` (and its `provider`): the rotation paged first.",
    ("MG121", "escalation"): "Add `on_call.escalation`: the rotation paged when the primary "
    "does not answer.",
    ("MG130", "decision_owner"): "Set `rollback.decision_owner` to a person's email or `on_call`.",
    ("MG193", "override"): "Add `override` with `decision_owner` (a person or `on_call`), "
    "`mechanism` and `fallback`.",
    ("MG193", "decision_owner"): "Set `override.decision_owner` to a person's email or `on_call`.",
    ("MG193", "fallback"): "Set `override.fallback`: a repo path, URL or one line saying what "
    "decides while the model is off.",
    ("MG130", "rollback"): "Add `rollback` with procedure, strategy, max_minutes, "
    "decision_owner and last_tested.",
    ("MG130", "strategy"): "Set `rollback.strategy` (registry-alias, blue-green, canary, "
    "feature-flag or redeploy-previous).",
    ("MG130", "procedure"): "Point `rollback.procedure` at the document a responder follows.",
    ("MG130", "max_minutes"): "Set `rollback.max_minutes` to the time the last drill took.",
    ("MG130", "last_tested"): "Drill the rollback and record the date in `rollback.last_tested`.",
    ("MG133", "preserves_data"): "Set `rollback.preserves_data` once a drill shows what the "
    "rollback keeps.",
    ("MG140", "alert_route"): "Set `drift.alert_route` to the on-call rotation.",
    ("MG140", "monitors"): "Add `drift.monitors`, each with signal, metric, threshold and window.",
    ("MG150", "approvers"): "Add `deploy.approvers`, each with an email and a role.",
    ("MG190", "postmortem"): "Write the post-mortem and set the incident's `postmortem` to its "
    "repo path or URL.",
    ("MG191", "due"): "Finish the action item and set `done: true`, or agree a new `due` date "
    "with its owner.",
}


class Step(NamedTuple):
    number: int
    key: StepKey
    title: str
    facts: tuple[Fact, ...] = ()
    tables: tuple[Table, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def answered(self) -> bool:
        return not self.gaps


class Procedure(NamedTuple):
    """The rollback procedure as found in the repository (read by the command)."""

    text: str  # as written in model.yaml
    kind: Literal["url", "path"]
    status: str  # a :class:`~modelgov.repoview.Reference` status
    path: str = ""  # repo-relative
    heading: str = ""  # its first heading that mentions rollback ('' when none)


class Playbook(NamedTuple):
    """One model's playbook."""

    file: str  # relative to the target's root
    shown: str  # as the user opens it from the working directory
    name: str
    tier: str | None
    owner: str
    team: str
    steps: tuple[Step, ...]

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(g for s in self.steps for g in s.gaps)

    @property
    def ready(self) -> bool:
        """Every step answered: ready at 2am."""
        return all(s.answered for s in self.steps)


# -- reading a document ------------------------------------------------------------------


def _text(value: Any) -> str:
    """A scalar as one line of text ('' for missing values, lists and mappings)."""
    if value is MISSING or value is None or isinstance(value, (list, dict)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


class _Reader:
    """The document and the findings of one model, as the steps read them."""

    def __init__(self, model: ModelResult, doc: Document | None) -> None:
        self.model = model
        self.doc = doc if doc is not None and doc.ok else None
        active = [f for f in model.findings if f.active]
        self.by_step: dict[StepKey, list[Finding]] = {}
        for f in active:
            step = step_of(f.pointer)
            if step is None and self.doc is None:
                step = "page"  # a model.yaml that cannot be read: the first thing to know
            if step is not None:
                self.by_step.setdefault(step, []).append(f)

    def get(self, pointer: str) -> Any:
        return self.doc.get(pointer) if self.doc is not None else MISSING

    def text(self, pointer: str) -> str:
        return _text(self.get(pointer))

    def items(self, pointer: str) -> list[Any]:
        value = self.get(pointer)
        return value if isinstance(value, list) else []

    def gap(self, rule: str, pointer: str, message: str) -> Gap:
        line, col = self.doc.locate(pointer) if self.doc is not None else (1, 1)
        hint = HINTS.get((rule, pointer.rsplit("/", 1)[-1]), "")
        return Gap(rule, message, pointer, line, col, False, hint=hint)

    def gaps(self, step: StepKey, own: Sequence[Gap]) -> tuple[Gap, ...]:
        """``own`` gaps (missing declarations; enforced when a finding of their rule says
        the same), then the step's active findings that no own gap already says (the same
        rule on the same or an enclosing pointer)."""
        found = self.by_step.get(step, [])
        out = []
        for g in own:
            said = [f for f in found if f.rule == g.rule and _related(g.pointer, f.pointer)]
            if said:
                g = g._replace(enforced=True, severity=said[0].severity.label)
            out.append(g)
        more: list[Gap] = []
        for f in found:
            if any(g.rule == f.rule and _related(g.pointer, f.pointer) for g in own):
                continue
            gap = Gap(f.rule, f.message, f.pointer, f.line, f.col, True, f.severity.label, f.hint)
            if gap not in more:
                more.append(gap)
        # a model.yaml that cannot be read says so before what it therefore cannot answer
        return tuple(more + out if self.doc is None else out + more)


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def step_of(pointer: str) -> StepKey | None:
    """The step a finding at ``pointer`` belongs to (``None``: none of them)."""
    best: tuple[int, StepKey | None] = (-1, None)
    for prefix, step in SECTIONS:
        if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > best[0]:
            best = (len(prefix), step)
    return best[1]


# -- the steps ---------------------------------------------------------------------------


def _page(r: _Reader) -> tuple[list[Fact], list[Table], list[Gap]]:
    facts, gaps = [], []
    rotation = r.text("/on_call/rotation")
    if rotation:
        provider = r.text("/on_call/provider")
        facts.append(Fact("rotation", "page", rotation + (f" ({provider})" if provider else "")))
    else:
        gaps.append(r.gap("MG120", "/on_call/rotation", "nobody to page: no on-call rotation"))
    for key, label in (("schedule", "schedule"), ("runbook", "runbook")):
        value = r.text(f"/on_call/{key}")
        if value:
            facts.append(Fact(key, label, value))
    escalation = r.text("/on_call/escalation")
    if escalation:
        facts.append(Fact("escalation", "then page", escalation))
    else:
        gaps.append(
            r.gap("MG121", "/on_call/escalation", "nobody is paged if the primary does not answer")
        )
    return facts, [], gaps


def _decider(r: _Reader, pointer: str) -> str:
    value = r.text(pointer)
    rotation = r.text("/on_call/rotation")
    if value == "on_call" and rotation:
        return f"on_call (whoever holds {rotation})"
    return value


def _decide(r: _Reader) -> tuple[list[Fact], list[Table], list[Gap]]:
    facts, gaps = [], []
    rollback = _decider(r, "/rollback/decision_owner")
    if rollback:
        facts.append(Fact("rollback_decision_owner", "roll back", rollback))
    else:
        gaps.append(
            r.gap(
                "MG130",
                "/rollback/decision_owner",
                "nobody may decide a rollback without a meeting",
            )
        )
    if not isinstance(r.get("/override"), dict):
        gaps.append(
            r.gap(
                "MG193",
                "/override",
                "nobody may switch the model off without a meeting, and nothing is named "
                "to serve decisions meanwhile",
            )
        )
        return facts, [], gaps
    owner = _decider(r, "/override/decision_owner")
    if owner:
        how = r.text("/override/mechanism")
        flag = r.text("/override/flag")
        detail = " ".join(x for x in (how, flag) if x)
        facts.append(
            Fact(
                "override_decision_owner",
                "switch off",
                owner + (f", by {detail}" if detail else ""),
            )
        )
    else:
        gaps.append(
            r.gap(
                "MG193",
                "/override/decision_owner",
                "nobody may switch the model off without a meeting",
            )
        )
    fallback = r.text("/override/fallback")
    if fallback:
        facts.append(Fact("fallback", "meanwhile", fallback))
    else:
        gaps.append(
            r.gap(
                "MG193",
                "/override/fallback",
                "nothing is named to serve decisions while the model is off",
            )
        )
    return facts, [], gaps


def _days_ago(value: Any, today: _dt.date | None) -> str:
    when = inc.as_date(value)
    if when is None or today is None:
        return ""
    n = (today - when).days
    return f" ({n} day{'' if n == 1 else 's'} ago)" if n >= 0 else " (in the future)"


def _rollback(
    r: _Reader, procedure: Procedure | None, today: _dt.date | None
) -> tuple[list[Fact], list[Table], list[Gap]]:
    facts: list[Fact] = []
    gaps: list[Gap] = []
    if not isinstance(r.get("/rollback"), dict):
        gaps.append(
            r.gap(
                "MG130",
                "/rollback",
                "no rollback is declared: nobody knows how to restore the previous version",
            )
        )
        return facts, [], gaps
    strategy = r.text("/rollback/strategy")
    if strategy:
        facts.append(Fact("strategy", "strategy", strategy))
    else:
        gaps.append(r.gap("MG130", "/rollback/strategy", "no rollback strategy is declared"))
    written = r.text("/rollback/procedure")
    if written:
        shown = written
        if procedure is not None and procedure.status == "ok" and procedure.path:
            shown = procedure.path
            if procedure.heading:
                shown += f' (section "{_text(procedure.heading)}")'
        facts.append(Fact("procedure", "procedure", shown))
    else:
        gaps.append(r.gap("MG130", "/rollback/procedure", "no rollback procedure to follow"))
    minutes = r.get("/rollback/max_minutes")
    if isinstance(minutes, int) and not isinstance(minutes, bool):
        facts.append(Fact("max_minutes", "takes", f"at most {minutes} minutes"))
    else:
        gaps.append(
            r.gap("MG130", "/rollback/max_minutes", "nobody knows how long a rollback takes")
        )
    tested = r.text("/rollback/last_tested")
    if tested:
        facts.append(
            Fact(
                "last_tested",
                "last drill",
                tested + _days_ago(r.get("/rollback/last_tested"), today),
            )
        )
    else:
        gaps.append(r.gap("MG130", "/rollback/last_tested", "the rollback was never drilled"))
    preserves = r.get("/rollback/preserves_data")
    if isinstance(preserves, bool):
        facts.append(Fact("preserves_data", "keeps data", _text(preserves)))
    else:
        gaps.append(
            r.gap(
                "MG133",
                "/rollback/preserves_data",
                "nobody knows whether a rollback keeps the data the newer version wrote",
            )
        )
    return facts, [], gaps


def _watch(r: _Reader) -> tuple[list[Fact], list[Table], list[Gap]]:
    facts, tables, gaps = [], [], []
    route = r.text("/drift/alert_route")
    if route:
        facts.append(Fact("alert_route", "alerts go to", route))
    else:
        gaps.append(r.gap("MG140", "/drift/alert_route", "drift alerts go nowhere"))
    rows = []
    for m in r.items("/drift/monitors"):
        if isinstance(m, dict):
            rows.append(
                tuple(_text(m.get(k)) for k in ("name", "signal", "metric", "threshold", "window"))
            )
    if rows:
        tables.append(
            Table(
                "monitors",
                "monitors",
                ("name", "signal", "metric", "threshold", "window"),
                tuple(rows),
            )
        )
    else:
        gaps.append(
            r.gap("MG140", "/drift/monitors", "no drift monitor watches the model afterwards")
        )
    return facts, tables, gaps


def _redeploy(
    r: _Reader, policy: IncidentPolicy | None, today: _dt.date | None
) -> tuple[list[Fact], list[Table], list[Gap]]:
    facts: list[Fact] = []
    tables: list[Table] = []
    gaps: list[Gap] = []
    approvers = [
        (_text(a.get("role")), _text(a.get("email")))
        for a in r.items("/deploy/approvers")
        if isinstance(a, dict)
    ]
    if approvers:
        tables.append(Table("approvers", "approve a redeploy", ("role", "email"), tuple(approvers)))
    else:
        gaps.append(r.gap("MG150", "/deploy/approvers", "nobody is named to approve a redeploy"))
    if policy is not None:
        facts.append(
            Fact(
                "postmortem_due",
                "post-mortem",
                f"{inc.severities_at_or_above(policy.min_severity)}: due "
                f"{policy.due_days} days after the incident",
            )
        )
    incidents_rows = []
    items_rows = []
    data = r.doc.data if r.doc is not None else None
    states = inc.postmortems(data, policy, today)
    open_items: dict[int, list[inc.ActionItem]] = {}
    for item in inc.action_items(data, today):
        open_items.setdefault(item.incident, []).append(item)
    for i, incident in enumerate(r.items("/incidents")):
        if not isinstance(incident, dict):
            continue
        pointer = join_pointer("/incidents", i)
        ident = _text(incident.get("id")) or f"incident {i + 1}"
        state = states[i]
        incidents_rows.append(
            (ident, _text(incident.get("severity")), _text(incident.get("date")), state.shown)
        )
        if state.status == "overdue":
            gaps.append(
                r.gap(
                    "MG190",
                    join_pointer(pointer, "postmortem"),
                    f"the post-mortem of {ident} was due {state.due} and is missing",
                )
            )
        items = incident.get("action_items")
        for entry in open_items.get(i, []):
            item = items[entry.position] if isinstance(items, list) else {}
            title, owner, due = (_text(item.get(k)) for k in ("title", "owner", "due"))
            items_rows.append((title, owner, due, ident, "overdue" if entry.overdue else "open"))
            if entry.overdue:
                at = join_pointer(join_pointer(pointer, "action_items"), entry.position)
                gaps.append(
                    r.gap(
                        "MG191",
                        join_pointer(at, "due"),
                        f"action item {title!r} of {ident}, owned by {owner or 'nobody'}, "
                        f"was due {due}",
                    )
                )
    if incidents_rows:
        tables.append(
            Table(
                "incidents",
                "incidents",
                ("id", "severity", "date", "post-mortem"),
                tuple(incidents_rows),
            )
        )
    if items_rows:
        tables.append(
            Table(
                "action_items",
                "open action items",
                ("title", "owner", "due", "incident", "status"),
                tuple(items_rows),
            )
        )
    return facts, tables, gaps


# -- the playbook ------------------------------------------------------------------------


def build(
    model: ModelResult,
    doc: Document | None,
    *,
    shown: str = "",
    procedure: Procedure | None = None,
) -> Playbook:
    """The playbook of one judged model (``shown``: its path as the user opens it;
    ``procedure``: the rollback procedure as read from the repository)."""
    r = _Reader(model, doc)
    policy = model.incident_policy
    today = _today(model)
    parts = {
        "page": _page(r),
        "decide": _decide(r),
        "rollback": _rollback(r, procedure, today),
        "watch": _watch(r),
        "redeploy": _redeploy(r, policy, today),
    }
    steps = []
    for number, (key, title) in enumerate(STEPS, 1):
        facts, tables, own = parts[key]
        steps.append(Step(number, key, title, tuple(facts), tuple(tables), r.gaps(key, own)))
    return Playbook(
        file=model.file,
        shown=shown or model.file,
        name=model.name,
        tier=model.tier,
        owner=model.owner,
        team=model.team,
        steps=tuple(steps),
    )


def ready(model: ModelResult, doc: Document | None) -> bool:
    """Every playbook step of the model answered (the audit's "2am ready")."""
    return build(model, doc).ready


def _data(doc: Document | None) -> Any:
    return doc.data if doc is not None and doc.ok else None


def _today(model: ModelResult) -> _dt.date | None:
    policy = model.incident_policy
    return _dt.date.fromisoformat(policy.today) if policy is not None and policy.today else None


def without_postmortem(model: ModelResult, doc: Document | None) -> int:
    """Incidents that need a post-mortem under the policy and have none yet (pending or
    overdue; with no policy known, every incident without one)."""
    states = inc.postmortems(_data(doc), model.incident_policy, _today(model)).values()
    return sum(1 for s in states if s.status in ("pending", "overdue", "unknown"))


def postmortems_due(model: ModelResult, doc: Document | None) -> tuple[str, ...]:
    """Each incident counted by :func:`without_postmortem`, with its due date:
    ``INC-2026-090 sev1: pending, due 2026-12-04``."""
    data = _data(doc)
    entries = dict(incident_entries(data))
    out = []
    for index, state in sorted(inc.postmortems(data, model.incident_policy, _today(model)).items()):
        if state.status not in ("pending", "overdue", "unknown"):
            continue
        entry = entries.get(index, {})
        ident = entry.get("id")
        name = ident.strip() if isinstance(ident, str) and ident.strip() else f"#{index + 1}"
        severity = entry.get("severity")
        label = f"{name} {severity}" if isinstance(severity, str) else name
        out.append(f"{label}: {state.shown}")
    return tuple(out)


def overdue_action_items(model: ModelResult, doc: Document | None) -> int:
    """Action items past their due date and not done."""
    return sum(1 for item in inc.action_items(_data(doc), _today(model)) if item.overdue)


def gaps_of(playbooks: Sequence[Playbook]) -> Iterator[tuple[Playbook, Step, Gap]]:
    for p in playbooks:
        for s in p.steps:
            for g in s.gaps:
                yield p, s, g


def read_procedure(view: RepoView, base: str, text: Any) -> Procedure | None:
    """The rollback procedure ``text`` (relative to the model's folder ``base``) resolved
    in ``view``; for a document inside the repository, its first heading that mentions
    rollback (reading at most :data:`PROCEDURE_LIMIT` bytes, never following a link out)."""
    if not isinstance(text, str) or not text.strip():
        return None
    ref = resolve_reference(view, base, text)
    if ref.kind != "path" or not ref.ok:
        return Procedure(text, ref.kind, ref.status, ref.repo_path)
    try:
        raw = view.read_bytes(ref.repo_path, PROCEDURE_LIMIT)
    except ReadError:
        return Procedure(text, "path", "special", ref.repo_path)
    return Procedure(text, "path", "ok", ref.repo_path, first_rollback_heading(raw))


def heading_text(line: str) -> str | None:
    """The text of an ATX heading line (``## Rollback ##`` is ``Rollback``), else ``None``.

    String operations only, linear in the line: the document is the repository's, and a
    regular expression with a lazy group before optional trailers backtracks on a
    crafted line."""
    indent = len(line) - len(line.lstrip(" "))
    body = line[indent:]
    level = len(body) - len(body.lstrip("#"))
    if indent > 3 or not 1 <= level <= 6:
        return None
    rest = body[level:]
    if rest and rest[0] not in " \t":
        return None  # `#Rollback` is a paragraph in CommonMark
    text = rest.strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.strip()  # a closing sequence of #s after a space
    return text or None


def first_rollback_heading(raw: bytes) -> str:
    """The first Markdown heading (``#`` .. ``######``, outside code fences) that mentions
    rollback, or ''."""
    body = raw[:PROCEDURE_LIMIT].decode("utf-8", errors="replace")
    fence = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        text = None if fence else heading_text(line)
        if text is not None and _ROLLBACK.search(text):
            return _text(text)
    return ""


def model_base(file: str) -> str:
    """The folder of a model.yaml, against which its references resolve."""
    return posixpath.dirname(file)


class PlaybookRun(NamedTuple):
    """Every playbook of one ``modelgov playbook`` run: what the renderers see."""

    version: str
    today: str
    playbooks: tuple[Playbook, ...]

    @property
    def ready(self) -> int:
        return sum(1 for p in self.playbooks if p.ready)

    @property
    def gaps(self) -> int:
        return sum(len(p.gaps) for p in self.playbooks)

    @property
    def exit_code(self) -> int:
        """1 when a step of any model is a gap (a team can gate on it), else 0."""
        return EXIT_CLEAN if all(p.ready for p in self.playbooks) else EXIT_FINDINGS
