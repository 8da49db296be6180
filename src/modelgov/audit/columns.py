"""The audit's columns: one table every tabular format reads.

Each :class:`Column` has a ``key`` (the CSV header and, for collected
columns, the JSON key), a ``header`` (what people read: the table, markdown
and HTML), and an extractor ``get(row) -> Cell``.  The table (``table``),
``markdown``, ``html`` and ``csv`` formats show the columns whose ``formats``
name them, in this order; the JSON report holds the complete rows
(:meth:`~.rows.Row.to_json`).

A column computed from the model itself (an approval count, a registry
stage...) is a *collected* column: ``collect(model, document)`` runs where
the model is judged (in the audit's workers), its value is stored in the row
(``Row.extra``, the JSON key is the column's key) and read back by
``get``.  :func:`collected` builds one; adding a column is one entry in
:data:`COLUMNS` plus its test (see docs/architecture.md, "Adding an audit
column").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..playbook import model as playbook
from .rows import Cell, Row

if TYPE_CHECKING:  # the judge passes them; nothing here imports the engine
    from ..document import Document
    from ..results import ModelResult

Format = Literal["table", "csv", "markdown", "html"]
ALL: frozenset[Format] = frozenset(("table", "csv", "markdown", "html"))
#: How a cell reads: text, a day count (right-aligned, ``-`` when unknown), a status,
#: a list (joined with the column's ``joiner``), or the detail (failing rules or a reason)
Kind = Literal["text", "days", "status", "list", "rules"]
Collect = Callable[["ModelResult", "Document | None"], Cell]


class Column(NamedTuple):
    key: str
    header: str
    get: Callable[[Row], Cell]
    kind: Kind = "text"
    formats: frozenset[Format] = ALL
    #: the terminal table's header when ``header`` is long there
    short: str = ""
    #: the terminal table cuts longer cells to this width (with "...")
    width: int = 40
    joiner: str = " "
    #: what an unknown value (``None``) reads as outside CSV (where it is an empty cell)
    missing: str = ""
    #: computes the value from the judged model (collected columns only)
    collect: Collect | None = None
    #: shown (outside CSV, whose header is fixed) only when some row has a value
    optional: bool = False

    def text(self, row: Row) -> str:
        """The cell as text (``-`` for an unknown day count, lists joined)."""
        return as_text(self.get(row), self)


def as_text(value: Cell, column: Column) -> str:
    if value is None:
        return column.missing
    if isinstance(value, tuple):
        return column.joiner.join(value)
    return str(value)


def collected(
    key: str,
    header: str,
    collect: Collect,
    *,
    kind: Kind = "text",
    formats: frozenset[Format] = ALL,
    short: str = "",
    width: int = 40,
    optional: bool = False,
) -> Column:
    """A column whose value the judge computes from the model (stored in ``Row.extra``)."""
    return Column(
        key,
        header,
        lambda row: row.value(key),
        kind=kind,
        formats=formats,
        short=short,
        width=width,
        collect=collect,
        optional=optional,
    )


def approved_version(model: ModelResult, _doc: Document | None) -> Cell:
    """The version the signed approvals cover when no approval rule found anything; ``''``
    when they do not; ``None`` when no rule judged them (docs/approvals.md)."""
    a = model.approvals
    if a is None:
        return None
    return a.version if a.approved else ""


def approvals(model: ModelResult, _doc: Document | None) -> Cell:
    """Each approval record: role, signer, date, and its status when it does not count."""
    a = model.approvals
    if a is None:
        return None
    return tuple(
        f"{e.role or '?'} by {e.signer or '?'} {e.date}".rstrip()
        + ("" if e.status == "valid" else f" ({e.status})")
        for e in a.entries
    )


def serving_version(model: ModelResult, doc: Document | None) -> Cell:
    """The version the registry serves (``--registry``; unknown otherwise)."""
    view = model.registry
    return view.serving if view is not None else None


def rollback_target(model: ModelResult, doc: Document | None) -> Cell:
    """The version a registry-alias rollback would restore (``--registry``)."""
    view = model.registry
    return view.rollback if view is not None else None


def registry_match(model: ModelResult, doc: Document | None) -> Cell:
    """``yes`` when what serves is ``deploy.version``, ``no`` when not, else unknown."""
    view = model.registry
    if view is None:
        return None
    if view.error:
        return "unreadable"
    return {True: "yes", False: "no", None: None}[view.matches]


# -- the operating model (docs/playbook.md): computed in the workers from the judged model


def ready_at_2am(model: ModelResult, doc: Document | None) -> Cell:
    """``yes`` when every step of the model's playbook is answered, else ``no``."""
    if doc is None or not doc.ok:
        return "no"
    return "yes" if playbook.ready(model, doc) else "no"


def without_postmortem(model: ModelResult, doc: Document | None) -> Cell:
    """Incidents that need a post-mortem and have none (pending or overdue)."""
    return playbook.without_postmortem(model, doc) if doc is not None and doc.ok else None


def postmortems_due(model: ModelResult, doc: Document | None) -> Cell:
    """Each of those incidents with its due date (pending, or missing since when)."""
    return playbook.postmortems_due(model, doc) if doc is not None and doc.ok else None


def overdue_action_items(model: ModelResult, doc: Document | None) -> Cell:
    """Action items of the model's incidents past their due date and not done."""
    return playbook.overdue_action_items(model, doc) if doc is not None and doc.ok else None


def override_declared(model: ModelResult, doc: Document | None) -> Cell:
    """``yes`` when the model declares who switches it off (``override``), else ``no``."""
    if doc is None or not doc.ok:
        return None
    return "yes" if isinstance(doc.get("/override"), dict) else "no"


def detail(row: Row) -> Cell:
    """Why the row is what it is: the failing rules, or the reason (and the signals)."""
    if row.status == "error":
        return row.reason
    if row.status == "undeclared":
        shown = ", ".join(s.path for s in row.signals[:3])
        return f"{row.reason}: {shown}" if shown else row.reason
    return row.failing_rules


def reason(row: Row) -> Cell:
    """The reason with every signal (CSV: one cell holds all of it)."""
    if row.signals:
        return f"{row.reason}: " + ", ".join(s.path for s in row.signals)
    return row.reason


_CSV: frozenset[Format] = frozenset(("csv",))
_SHOWN: frozenset[Format] = frozenset(("table", "markdown", "html"))
_NOT_TABLE: frozenset[Format] = frozenset(("csv", "markdown", "html"))
#: the printed HTML page (A4 landscape) has no room for more columns; the JSON row holds them
_NOT_HTML: frozenset[Format] = frozenset(("table", "csv", "markdown"))
_CSV_MD: frozenset[Format] = frozenset(("csv", "markdown"))

#: Every column, in the order every format shows them.
COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", lambda r: r.status, kind="status", width=10),
    Column("repo", "Repository", lambda r: r.repo, short="REPO", width=40),
    Column("path", "Path", lambda r: r.path, width=48),
    Column("name", "Name", lambda r: r.name, width=24),
    Column("owner", "Owner", lambda r: r.owner, formats=_NOT_TABLE),
    Column("team", "Team", lambda r: r.team, width=18),
    Column("risk_tier", "Tier", lambda r: r.risk_tier, width=6, missing="-"),
    Column("days_since_review", "Review (days)", lambda r: r.days_since_review, kind="days",
           short="REVIEW", width=6, missing="-"),
    Column("days_since_drill", "Drill (days)", lambda r: r.days_since_drill, kind="days",
           short="DRILL", width=6, missing="-"),
    Column("stale_code_days", "Stale code (days)", lambda r: r.stale_code_days, kind="days",
           short="STALE", width=6, missing="-"),
    # signed approvals (docs/approvals.md): `-` where no rule judged them, `no` when not
    # approved; shown (but in CSV) only when a row's policy requires them
    Column("approved_version", "Approved",
           lambda r: "no" if r.value("approved_version") == "" else r.value("approved_version"),
           short="APPROVED", width=12, missing="-", formats=_NOT_HTML, collect=approved_version,
           optional=True),
    Column("approvals", "Approvals", lambda r: r.value("approvals"), kind="list",
           formats=_CSV_MD, joiner="; ", collect=approvals, optional=True),
    # the operating model: the 2am verdict everywhere but the printed HTML table (its chart
    # and summary card show it there), the counts in CSV and Markdown
    collected("ready_at_2am", "2am ready", ready_at_2am, formats=_NOT_HTML, short="2AM", width=4),
    Column("detail", "Failing rules / reason", detail, kind="rules", formats=_SHOWN,
           short="FAILING RULES / REASON", width=70),
    collected("serving_version", "Serving version", serving_version, formats=_NOT_TABLE,
              optional=True),
    collected("rollback_target", "Rollback target", rollback_target, formats=_NOT_TABLE,
              optional=True),
    collected("registry_match", "Serves what is declared", registry_match, formats=_NOT_TABLE,
              optional=True),
    collected("incidents_without_postmortem", "Incidents without post-mortem",
              without_postmortem, kind="days", formats=_CSV_MD),
    Column("postmortems_due", "Post-mortems due", lambda r: r.value("postmortems_due"),
           kind="list", formats=_CSV_MD, joiner="; ", collect=postmortems_due),
    collected("overdue_action_items", "Overdue action items", overdue_action_items,
              kind="days", formats=_CSV_MD),
    collected("override", "Override declared", override_declared, formats=_CSV_MD),
    Column("failing_rules", "Failing rules", lambda r: r.failing_rules, kind="list",
           formats=_CSV),
    Column("reason", "Reason", reason, formats=_CSV),
    Column("labels", "Labels", lambda r: r.labels, kind="list", formats=_CSV),
    Column("notes", "Config notes", lambda r: r.notes, kind="list", formats=_CSV,
           joiner=" | "),
    Column("commit", "Commit", lambda r: r.evidence.commit, formats=_CSV),
    Column("blob", "Blob", lambda r: r.evidence.blob, formats=_CSV),
    Column("policy_digest", "Policy digest", lambda r: r.evidence.policy_digest, formats=_CSV),
    Column("modelgov_version", "modelgov", lambda r: r.evidence.modelgov, formats=_CSV),
    Column("today", "Today", lambda r: r.evidence.today, formats=_CSV),
)  # fmt: skip


def shown_in(fmt: Format, rows: Sequence[Row] = ()) -> tuple[Column, ...]:
    """The columns ``fmt`` shows, in order: optional ones only when a row of ``rows``
    has a value for them (CSV keeps its header fixed)."""
    return tuple(
        c
        for c in COLUMNS
        if fmt in c.formats
        and (fmt == "csv" or not c.optional or any(c.get(r) is not None for r in rows))
    )


def collectors() -> tuple[tuple[str, Collect], ...]:
    """The collected columns' keys and functions (the judge computes them)."""
    return tuple((c.key, c.collect) for c in COLUMNS if c.collect is not None)


def collected_keys() -> tuple[str, ...]:
    """Keys of the collected columns: the extra keys a row's JSON may hold."""
    return tuple(key for key, _ in collectors())
