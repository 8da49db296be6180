"""Which config governs each model: one discovery for check, policy test and audit.

The config of a model is the nearest ``.modelgov.yaml`` (or ``.modelgov.yml``,
or a ``pyproject.toml`` with a ``[tool.modelgov]`` table) found walking up from
the model's folder to the root of its repository, read through the
workspace's view: from disk for the work tree, from git objects for
``--staged``/``--rev`` and audits.  Outside git the walk goes on above the
folder on disk, until a folder that holds ``.git`` or the filesystem root.

A config found this way belongs to the checked repository, which is as
untrusted as the repository: it is read with the same bounded loader as a
model.yaml (no alias bombs, no unbounded nesting), it may not be a link out of
the repository, and the files it names (pack, roster) must lie inside it.
``--config FILE`` names a trusted config directly and skips discovery.

``lenient=True`` (audits) turns a config that does not read, parse or
validate into a note (the org policy applies) instead of a ``ConfigError``.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import NamedTuple

from ..config import CONFIG_NAMES, MAX_CONFIG_BYTES, Config, parse_config, read_config
from ..errors import ConfigError
from ..repoview import ReadError, read_regular_file
from .workspace import Workspace

PYPROJECT = "pyproject.toml"


class Ignored(NamedTuple):
    """A config that was found but cannot apply (lenient mode)."""

    where: str
    note: str


class RepoConfigs:
    """The configs of one workspace, each found, read and validated once."""

    def __init__(self, workspace: Workspace, *, lenient: bool = False) -> None:
        self.ws = workspace
        self.lenient = lenient
        self._parsed: dict[str, Config | Ignored | None] = {}
        self._nearest: dict[str, str] = {}

    def nearest(self, folder: str) -> str:
        """The key of the config that governs ``folder`` (root-relative), ``''`` for none.

        Keys are root-relative paths; a config found above the root (outside
        git only) has an absolute path as its key.
        """
        if folder in self._nearest:
            return self._nearest[folder]
        here = folder
        found = ""
        while True:
            key = self._config_in(here)
            if key:
                found = key
                break
            if not here:
                found = self._above_root() if self.ws.git is None else ""
                break
            here = posixpath.dirname(here)
        self._nearest[folder] = found
        return found

    def get(self, key: str) -> Config | Ignored:
        """The config at ``key`` (``''``: the defaults)."""
        if not key:
            return Config()
        parsed = self._read(key)
        assert parsed is not None
        return parsed

    # -- reading -----------------------------------------------------------------
    def _config_in(self, folder: str) -> str:
        for name in (*CONFIG_NAMES, PYPROJECT):
            rel = posixpath.join(folder, name) if folder else name
            if self.ws.view.lookup(rel) == "missing":
                continue
            if self._read(rel) is not None:
                return rel
        return ""

    def _read(self, key: str) -> Config | Ignored | None:
        if key not in self._parsed:
            try:
                self._parsed[key] = self._load(key)
            except ConfigError as exc:
                if not self.lenient:
                    raise
                self._parsed[key] = Ignored(key, f"{key} ignored: {exc}; the org policy applies")
        return self._parsed[key]

    def _load(self, key: str) -> Config | None:
        name = posixpath.basename(key)
        if key.startswith("/"):  # above the root of a folder outside git
            path = Path(key)
            try:
                raw = read_regular_file(key, MAX_CONFIG_BYTES)
            except ReadError as exc:
                raise ConfigError(f"config {key} {exc}") from None
            confine = path.parent
        else:
            path = self.ws.root.joinpath(*key.split("/"))
            if self.ws.view.lookup(key) == "outside":
                raise ConfigError(
                    f"config {self._shown(key)} is a symlink that leads outside the repository; "
                    "not read"
                )
            try:
                raw = self.ws.view.read_bytes(key, MAX_CONFIG_BYTES)
            except ReadError as exc:
                if name == PYPROJECT and "does not exist" in str(exc):
                    return None
                raise ConfigError(f"config {self._shown(key)} {exc}") from None
            confine = self.ws.root
        config = parse_config(raw, name, self._shown(key), path)
        return None if config is None else confined(config, confine, self._shown(key))

    def _shown(self, key: str) -> str:
        return key if key.startswith("/") else str(self.ws.root.joinpath(*key.split("/")))

    def _above_root(self) -> str:
        """Outside git: walk up on disk above the root, until a repository or ``/``."""
        here = self.ws.root.parent
        if here == self.ws.root:
            return ""
        while True:
            for name in (*CONFIG_NAMES, PYPROJECT):
                candidate = here / name
                if candidate.is_file() and self._read(str(candidate)) is not None:
                    return str(candidate)
            if (here / ".git").exists() or here.parent == here:
                return ""
            here = here.parent


def _inside(path: Path | str, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def confined(config: Config, root: Path, shown: str) -> Config:
    """A config found in the checked repository may only name files inside it.

    Otherwise a pull request could make a CI run print pieces of any file on
    the runner in an error message.
    """
    policy = config.policy or ""
    is_path = "/" in policy or policy.endswith((".yaml", ".yml"))
    if is_path and not _inside(Path(policy).expanduser(), root):
        raise ConfigError(
            f"{shown}: policy {policy!r} leads outside the repository; a repository's "
            "config may only name files inside it (give an outside pack with --policy)"
        )
    registry = config.registry_uri or ""
    if registry.startswith("sqlite:///") and not _inside(registry[len("sqlite:///") :], root):
        raise ConfigError(
            f"{shown}: registry_uri {registry!r} leads outside the repository; a repository's "
            "config may only name a SQLite registry inside it (set MLFLOW_TRACKING_URI instead)"
        )
    if config.roster is not None and not _inside(config.roster, root):
        raise ConfigError(
            f"{shown}: roster {str(config.roster)!r} leads outside the repository; a "
            "repository's config may only name files inside it (give it with --roster)"
        )
    return config._replace(confine=root)


def explicit_config(path: Path) -> Config:
    """``--config FILE``: trusted, read as given."""
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    return read_config(path)
