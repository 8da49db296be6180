"""Find, read and validate a repository's modelgov config.

The config is ``.modelgov.yaml`` (or ``.modelgov.yml``) or the
``[tool.modelgov]`` table of ``pyproject.toml``, found by walking up from the
checked path to the repository root.  ``--config FILE`` names one directly.
Keys::

    policy: default          # pack name or path (relative to the config file)
    fail_on: error           # error | warning | note | never
    roster: people.csv       # HR/identity export: email + status (active/left)
    exclude: [legacy/**]     # model.yaml paths (globs) not to check
    rules: {...}             # overrides on top of the pack, as in a pack
    custom_rules: [...]      # declarative rules, as in a pack
    allow_loosen: false      # audit: may repo configs loosen the org policy?
    audit: {...}             # audit: undeclared-model heuristics (docs/audit.md)

Every key is validated here; an unknown key or a wrong type exits 2 with a
message that names it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import ConfigError, unknown_keys

CONFIG_NAMES = (".modelgov.yaml", ".modelgov.yml")
CONFIG_KEYS = {
    "policy", "fail_on", "roster", "exclude", "rules", "custom_rules", "allow_loosen", "audit",
}  # fmt: skip
FAIL_ON = ("error", "warning", "note", "never")
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
    audit: Mapping[str, Any] | None = None  # validated by modelgov.audit.heuristics
    #: A config found in the checked repository may only name files inside this folder
    #: (the repository root); ``None`` for ``--config`` and the defaults.
    confine: Path | None = None

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "defaults"


def find_config(start: Path, stop_at: Path | None = None) -> Path | None:
    """Walk up from ``start`` to ``stop_at`` (the repo root) looking for a config."""
    here = start if start.is_dir() else start.parent
    here = Path(here).absolute()
    stop = Path(stop_at).absolute() if stop_at is not None else None
    while True:
        for name in CONFIG_NAMES:
            candidate = here / name
            if candidate.is_file():
                return candidate
        pyproject = here / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if stop is not None and here == stop:
            return None
        if (here / ".git").exists() and stop is None:
            return None
        if here.parent == here:
            return None
        here = here.parent


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return "[tool.modelgov" in pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def read_config(path: Path) -> Config:
    """Read and validate a config file."""
    from .repoview import ReadError, read_regular_file

    try:
        raw = read_regular_file(str(path), MAX_CONFIG_BYTES)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"config {path} is larger than {MAX_CONFIG_BYTES} bytes; not read")
        text = raw.decode("utf-8")
    except ReadError as exc:
        raise ConfigError(f"config {path} {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not valid UTF-8") from None
    if path.name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(text).get("tool", {}).get("modelgov", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"config {path} is not valid YAML: {' '.join(str(exc).split())}"
            ) from None
    return config_from_data(data if data is not None else {}, path)


def config_from_data(data: Any, path: Path | None) -> Config:
    where = str(path) if path is not None else "config"
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
        from .audit.heuristics import validate

        validate(audit, where)
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
    )


def load_config(explicit: Path | None, start: Path, repo_root: Path | None) -> Config:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return read_config(explicit)
    found = find_config(start, repo_root)
    if found is None:
        return Config()
    # Inside git: the repository root; outside git: the folder that holds the config.
    return _confined(found, Path(repo_root) if repo_root is not None else found.parent)


def _inside(path: Path | str, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _confined(found: Path, root: Path) -> Config:
    """Read a config found in the checked repository, which is as untrusted as the repository.

    It may not be a link out of the repository, and the files it names (policy
    pack, roster; the pack's ``extends`` are checked when the pack is loaded)
    must stay inside the repository: otherwise a pull request could make a CI
    run print pieces of any file on the runner in an error message.
    """
    if not _inside(found, root):
        raise ConfigError(
            f"config {found} is a symlink that leads outside the repository; not read"
        )
    config = read_config(found)
    policy = config.policy or ""
    is_path = "/" in policy or policy.endswith((".yaml", ".yml"))
    if is_path and not _inside(Path(policy).expanduser(), root):
        raise ConfigError(
            f"{found}: policy {policy!r} leads outside the repository; a repository's "
            "config may only name files inside it (give an outside pack with --policy)"
        )
    if config.roster is not None and not _inside(config.roster, root):
        raise ConfigError(
            f"{found}: roster {str(config.roster)!r} leads outside the repository; a "
            "repository's config may only name files inside it (give it with --roster)"
        )
    return config._replace(confine=root)
