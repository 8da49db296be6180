"""Find, read and validate a repository's modelgov config.

The config is ``.modelgov.yaml`` (or ``.modelgov.yml``) or the
``[tool.modelgov]`` table of ``pyproject.toml``; :mod:`modelgov.engine.configs`
finds the one that governs each model.  ``--config FILE`` names one directly.
Keys::

    policy: default          # pack name or path (relative to the config file)
    fail_on: error           # error | warning | note | never
    roster: people.csv       # HR/identity export: email + status (active/left)
    exclude: [legacy/**]     # model.yaml paths (globs) not to check
    rules: {...}             # overrides on top of the pack, as in a pack
    custom_rules: [...]      # declarative rules, as in a pack
    allow_loosen: false      # audit: may repo configs loosen the org policy?
    registry_uri: https://mlflow.example.com   # --registry: where the model registry is
    audit: {...}             # audit: undeclared-model heuristics (docs/audit.md)

Every key is validated here; an unknown key or a wrong type exits 2 with a
message that names it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError, unknown_keys
from .findings import FAIL_ON

CONFIG_NAMES = (".modelgov.yaml", ".modelgov.yml")
CONFIG_KEYS = {
    "policy", "fail_on", "roster", "exclude", "rules", "custom_rules", "allow_loosen", "audit",
    "registry_uri",
}  # fmt: skip
MAX_CONFIG_BYTES = 1 << 20


class Config(NamedTuple):
    """A validated config; ``path`` is where it came from (``None``: defaults)."""

    path: Path | None = None
    policy: str | None = None
    fail_on: str | None = None
    roster: Path | None = None
    exclude: tuple[str, ...] = ()
    overrides: Mapping[str, Any] = {}  # never mutated
    allow_loosen: bool = False
    audit: Mapping[str, Any] | None = None  # validated by modelgov.facts.heuristics
    registry_uri: str | None = None  # where the model registry is (--registry)
    #: A config found in the checked repository may only name files inside this folder
    #: (the repository root); ``None`` for ``--config`` and the defaults.
    confine: Path | None = None

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "defaults"


def read_config(path: Path) -> Config:
    """Read and validate the config file ``--config`` names (trusted: not confined)."""
    from .repoview import ReadError, read_regular_file

    try:
        raw = read_regular_file(str(path), MAX_CONFIG_BYTES)
    except ReadError as exc:
        raise ConfigError(f"config {path} {exc}") from None
    config = parse_config(raw, path.name, str(path), path)
    return config if config is not None else Config(path=path)


def parse_config(raw: bytes, name: str, shown: str, path: Path | None) -> Config | None:
    """Parse config bytes (``None``: a pyproject.toml without a ``[tool.modelgov]`` table)."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config {shown} is larger than {MAX_CONFIG_BYTES} bytes; not read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"config {shown} is not valid UTF-8") from None
    if name == "pyproject.toml":
        if "[tool.modelgov" not in text:
            return None
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(text).get("tool", {}).get("modelgov", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{shown} is not valid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{shown} nests too deeply to be read") from None
        from .document import MAX_INT_DIGITS, huge_int_at

        if (at := huge_int_at(data)) is not None:
            raise ConfigError(
                f"{shown}: [tool.modelgov] holds an integer of more than {MAX_INT_DIGITS} "
                f"digits at {at}"
            )
    else:
        data = load_yaml(text, f"config {shown}")
    return config_from_data(data if data is not None else {}, path, where=shown)


def load_yaml(text: str, shown: str, *, max_values: int | None = None) -> Any:
    """YAML of a file modelgov reads besides model.yaml (configs, packs, rosters, cases).

    Read by the bounded loader of :mod:`modelgov.document`: aliases, nesting
    depth, value counts and scalar sizes are capped as for a model.yaml, so an
    alias bomb or a deeply nested list is a clear error, never a hang or a crash.
    """
    from .document import MAX_VALUES, NOT_MAPPING, load_text

    doc = load_text(shown, text, max_values=max_values or MAX_VALUES)
    # an empty file, or one that is not a mapping: the caller says what it expected
    problems = [p for p in doc.problems if p.rule != NOT_MAPPING]
    if problems:
        first = problems[0]
        what = "is not valid YAML" if first.rule == "MG001" else "cannot be read"
        raise ConfigError(
            f"{shown} {what} (line {first.line}, column {first.col}): {first.message}"
        )
    return doc.data


def config_from_data(data: Any, path: Path | None, *, where: str = "") -> Config:
    where = where or (str(path) if path is not None else "config")
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the config must be a mapping")
    if problem := unknown_keys(data, CONFIG_KEYS):
        raise ConfigError(f"{where}: {problem}")
    folder = path.parent if path is not None else Path.cwd()
    policy = data.get("policy")
    if policy is not None and not isinstance(policy, str):
        raise ConfigError(f"{where}: `policy` must be a pack name or a path")
    if isinstance(policy, str) and ("/" in policy or policy.endswith((".yaml", ".yml"))):
        policy = str(folder / policy)
    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(
            f"{where}: `fail_on` must be one of {', '.join(FAIL_ON)}, not {fail_on!r}"
        )
    roster = data.get("roster")
    if roster is not None and not isinstance(roster, str):
        raise ConfigError(f"{where}: `roster` must be a path to a YAML or CSV file")
    exclude = data.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise ConfigError(f"{where}: `exclude` must be a list of glob strings")
    allow = data.get("allow_loosen", False)
    if not isinstance(allow, bool):
        raise ConfigError(f"{where}: `allow_loosen` must be true or false")
    audit = data.get("audit")
    if audit is not None:
        from .facts.heuristics import validate

        validate(audit, where)
    registry = data.get("registry_uri")
    if registry is not None and (not isinstance(registry, str) or not registry.strip()):
        raise ConfigError(
            f"{where}: `registry_uri` must be the registry's URI (such as "
            "https://mlflow.example.com or sqlite:///mlflow.db)"
        )
    if (
        isinstance(registry, str)
        and registry.startswith("sqlite:///")
        and not registry.startswith("sqlite:////")
    ):  # a relative SQLite path is relative to the config file, like its other paths
        registry = f"sqlite:///{(folder / registry[len('sqlite:///') :]).as_posix()}"
    overrides = {k: data[k] for k in ("rules", "custom_rules") if k in data}
    return Config(
        path=path,
        policy=policy,
        fail_on=fail_on,
        roster=(folder / roster) if isinstance(roster, str) else None,
        exclude=tuple(exclude),
        overrides=overrides,
        allow_loosen=allow,
        audit=audit,
        registry_uri=registry,
    )
