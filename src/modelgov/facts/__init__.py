"""Facts: typed, frozen values computed once per model (or per target) by the
engine's fact pass, and read by the rules.

Nothing in here runs git, reads a config or looks at a policy: the engine
gathers what the facts are made of (the loaded document, the git history, the
roster, CODEOWNERS, the waiver verdicts) and hands them down.  A rule reads
facts and yields findings; no rule depends on another rule having run.

Which facts are computed depends on the enabled rules: a rule declares what
it reads beyond the document in ``USES`` (``history``, ``roster``,
``codeowners``, ``instance``, ``approvals``), and the fact pass computes only
those, so the hook does not walk the git history (or verify signatures) when
no enabled rule asks for it.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from ..document import MISSING, Document

if TYPE_CHECKING:
    from ..people import CodeOwners, Roster
    from ..repoview import RepoView
    from ..schema import SchemaError
    from .approvals import Approvals
    from .history import ModelHistory
    from .registry import RegistryState
    from .waivers import WaiverVerdict

#: Facts a rule may declare in ``USES`` (what the fact pass computes on demand).
FACT_NAMES = frozenset({"history", "roster", "codeowners", "instance", "approvals", "registry"})
TIERS = ("low", "medium", "high")


def as_date(value: Any) -> _dt.date | None:
    """A date from a YAML date or a ``YYYY-MM-DD`` string; ``None`` otherwise."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(EMAIL.match(value.strip()))


def norm_email(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def is_missing(value: Any) -> bool:
    """True for an absent key, null or an empty string/list/mapping."""
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def tier_of(data: Any) -> str | None:
    tier = data.get("risk_tier") if isinstance(data, dict) else None
    return tier if isinstance(tier, str) and tier in TIERS else None


def name_of(data: Any) -> str:
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def jsonable(value: Any) -> Any:
    """A document as plain JSON values: dates become ISO strings, keys strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


class ModelFacts(NamedTuple):
    """Everything the rules may know about one model.yaml.

    ``history`` is ``None`` outside git, when no enabled rule reads it, or
    when it could not be read (then ``history_error`` says why).
    """

    doc: Document
    file: str  # path of the model.yaml relative to the target's root
    base: str  # folder that holds it ('' at the root)
    today: _dt.date
    repo: RepoView  # the files of the target, for references and `paths`
    name: str = ""
    tier: str | None = None
    schema_errors: tuple[SchemaError, ...] = ()
    waivers: tuple[WaiverVerdict, ...] = ()
    history: ModelHistory | None = None
    history_error: str = ""
    roster: Roster | None = None
    codeowners: CodeOwners | None = None
    #: the document as plain JSON values (dates as strings), for custom rules' schemas
    instance: Any = None
    #: the signed approval records beside the model.yaml, each judged (facts/approvals.py)
    approvals: Approvals | None = None
    #: the registered model as the registry reports it (``--registry`` only; None otherwise)
    registry: RegistryState | None = None
    #: the other declaration files in the same folder (``model.yml`` beside
    #: ``model.yaml``), as the judged source holds them: root-relative paths
    siblings: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}


class TargetFacts(NamedTuple):
    """What rules of target scope know about a target as a whole."""

    label: str  # the target's root as shown in messages
    #: folders (relative to the root) that should hold a model.yaml and hold none
    missing: tuple[str, ...] = ()
