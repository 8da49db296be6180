"""Controls of the frameworks auditors audit against, and the rules that evidence them.

The built-in mappings (EU AI Act articles, NIST AI RMF 1.0 subcategories,
ISO/IEC 42001:2023 Annex A controls) are data shipped in the package,
``frameworks/builtin.yaml``; docs/frameworks.md cites the source of each.  A
policy pack adds its own under ``frameworks:`` (an organisation's model-risk
policy), or adds rules to a built-in control, with the same shape::

    frameworks:
      acme-mrm:
        title: ACME model risk policy 2025
        source: https://intranet.example/mrm
        controls:
          MRM-4.2:
            title: Independent approval before deployment
            rules: [MG151, deploy-self-approval]   # ids or names

The claim is modest and the wording everywhere says so: a rule that passes is
*evidence towards* a control, never compliance with it.

Loaded only by the commands that show controls (``explain``, SARIF, the
audit, ``export``, the docs); ``check`` in its other formats never reads the
data file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import PolicyError, unknown_keys

if TYPE_CHECKING:
    from ..policy import Policy

DATA = Path(__file__).resolve().parent / "builtin.yaml"
ORIGIN = "modelgov"
FRAMEWORK_KEYS = ("title", "source", "controls")
CONTROL_KEYS = ("title", "rules", "note")


class Control(NamedTuple):
    framework: str
    id: str  # as the framework cites it: "Art. 9", "GOVERN 1.5", "A.6.2.6"
    title: str
    rules: tuple[str, ...]
    note: str = ""

    @property
    def ref(self) -> str:
        """``framework:id``, the control's name in SARIF tags and reports."""
        return f"{self.framework}:{self.id}"


class Framework(NamedTuple):
    id: str
    title: str
    source: str
    controls: tuple[Control, ...]
    origin: str = ORIGIN  # "modelgov" or the pack that declares it


class Catalog(NamedTuple):
    frameworks: tuple[Framework, ...]

    def controls(self) -> Iterable[Control]:
        for fw in self.frameworks:
            yield from fw.controls

    def controls_of(self, rule_id: str) -> tuple[Control, ...]:
        """The controls ``rule_id`` gives evidence towards, framework by framework."""
        return tuple(c for c in self.controls() if rule_id in c.rules)

    def framework(self, ident: str) -> Framework | None:
        return next((f for f in self.frameworks if f.id == ident), None)


# -- validation (the data file and packs alike) -----------------------------------------


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PolicyError(f"{where} must be a non-empty string")
    return " ".join(value.split())


def normalise(
    data: Any, where: str, resolve: Callable[[str], str | None], *, builtin: bool = False
) -> dict[str, Any]:
    """Validate a ``frameworks:`` mapping; rule names become ids.

    ``resolve(key)`` is the rule id for an id or name (``None``: unknown).
    Raises :class:`~modelgov.errors.PolicyError` naming the place.
    """
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: `frameworks` must be a mapping of framework id to framework")
    known = {} if builtin else {f.id: f for f in load_builtin().frameworks}
    out: dict[str, Any] = {}
    for fid, fw in data.items():
        at = f"{where}: frameworks.{fid}"
        if not isinstance(fid, str) or not fid.strip() or ":" in fid:
            raise PolicyError(f"{where}: a framework id must be a string without ':' ({fid!r})")
        if not isinstance(fw, dict):
            raise PolicyError(f"{at} must be a mapping (title, source, controls)")
        if problem := unknown_keys(fw, FRAMEWORK_KEYS):
            raise PolicyError(f"{at}: {problem}")
        base = known.get(fid)
        entry: dict[str, Any] = {}
        if base is not None:
            for key in ("title", "source"):
                if key in fw:
                    raise PolicyError(
                        f"{at}.{key}: {fid} is built in; a pack may add controls and rules "
                        "to it, not retitle it"
                    )
        else:
            entry["title"] = _text(fw.get("title"), f"{at}.title")
            entry["source"] = _text(fw.get("source"), f"{at}.source", required=False)
        controls = fw.get("controls")
        if not isinstance(controls, dict) or not controls:
            raise PolicyError(f"{at}.controls must be a mapping of control id to control")
        built = {c.id: c for c in base.controls} if base is not None else {}
        entry["controls"] = {}
        for cid, control in controls.items():
            cat = f"{at}.controls.{cid}"
            if not isinstance(cid, str) or not cid.strip():
                raise PolicyError(f"{at}.controls: a control id must be a string ({cid!r})")
            if not isinstance(control, dict):
                raise PolicyError(f"{cat} must be a mapping (title, rules, note)")
            if problem := unknown_keys(control, CONTROL_KEYS):
                raise PolicyError(f"{cat}: {problem}")
            item: dict[str, Any] = {}
            if cid in built:
                if "title" in control:
                    raise PolicyError(
                        f"{cat}.title: the control is built in; a pack may add rules to it, "
                        "not retitle it"
                    )
            else:
                item["title"] = _text(control.get("title"), f"{cat}.title")
            rules = control.get("rules")
            if (
                not isinstance(rules, list)
                or not rules
                or not all(isinstance(r, str) for r in rules)
            ):
                raise PolicyError(f"{cat}.rules must be a non-empty list of rule ids or names")
            ids = []
            for key in rules:
                rule_id = resolve(key)
                if rule_id is None:
                    raise PolicyError(
                        f"{cat}.rules: unknown rule {key!r} (see `modelgov rules`; a plug-in "
                        "rule needs the package that provides it installed)"
                    )
                if rule_id not in ids:
                    ids.append(rule_id)
            item["rules"] = ids
            if control.get("note") is not None:
                item["note"] = _text(control["note"], f"{cat}.note")
            entry["controls"][cid.strip()] = item
        out[fid.strip()] = entry
    return out


def _catalog(data: Mapping[str, Any], origin: str, base: Catalog | None = None) -> Catalog:
    """``base`` with ``data`` (normalised) added: new frameworks and controls, more rules."""
    frameworks = {f.id: f for f in base.frameworks} if base is not None else {}
    for fid, fw in data.items():
        old = frameworks.get(fid)
        controls = {c.id: c for c in old.controls} if old is not None else {}
        for cid, c in fw["controls"].items():
            prev = controls.get(cid)
            if prev is not None:
                rules = prev.rules + tuple(r for r in c["rules"] if r not in prev.rules)
                controls[cid] = prev._replace(rules=rules)
            else:
                controls[cid] = Control(fid, cid, c["title"], tuple(c["rules"]), c.get("note", ""))
        if old is not None:
            frameworks[fid] = old._replace(controls=tuple(controls.values()))
        else:
            frameworks[fid] = Framework(
                fid, fw["title"], fw.get("source", ""), tuple(controls.values()), origin
            )
    return Catalog(tuple(frameworks.values()))


@cache
def load_builtin() -> Catalog:
    """The mappings shipped with modelgov (validated against the built-in rules)."""
    import yaml

    from ..registry import builtin

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 5 ms instead of 30
    data = yaml.load(DATA.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    registry = builtin()
    if not isinstance(data, dict) or set(data) != {"frameworks"}:
        raise PolicyError(f"{DATA}: expected one key, `frameworks`")
    normal = normalise(
        data["frameworks"],
        str(DATA),
        lambda k: r.id if (r := registry.resolve(k)) is not None else None,
        builtin=True,
    )
    return _catalog(normal, ORIGIN)


def catalog(policy: Policy) -> Catalog:
    """The built-in mappings plus those of ``policy``'s packs (validated when it loaded)."""
    own = policy.data.get("frameworks")
    if not own:
        return load_builtin()
    return _catalog(own, policy.name, load_builtin())
