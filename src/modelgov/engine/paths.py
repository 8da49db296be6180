"""Judge the paths a user names: what ``modelgov check`` and ``policy test`` run.

Each path opens a workspace; its models are found (:mod:`.discovery`) and
grouped by the config that governs each (:mod:`.configs`); every group is a
target judged under its own config, policy, roster and fail level
(:func:`.judge.judge_target`).  ``--config``, ``--policy``, ``--roster`` and
``--fail-on`` replace what the configs say, for every target alike.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from ..config import Config
from ..document import Document
from ..facts.registry import RegistryReader
from ..findings import FailOn
from ..policy import Policy
from ..repoview import RepoView
from ..results import TargetResult
from .configs import RepoConfigs, explicit_config
from .discovery import excluded, find_models
from .factpass import load_roster, repo_facts
from .judge import Setup, judge_target
from .workspace import Source, open_path, open_stdin


class Request(NamedTuple):
    """What to judge, and what the command line sets for every target."""

    today: _dt.date
    source: Source = "worktree"
    rev: str | None = None
    index_file: str | None = None
    as_of: _dt.date | None = None
    config: Path | None = None  # --config: one trusted config for every target
    roster: Path | None = None  # --roster
    fail_on: FailOn | None = None  # --fail-on
    discover_configs: bool = True  # False: defaults for every model (policy test cases)
    registry: bool = False  # --registry: compare the declarations with the model registry
    registry_uri: str | None = None  # where it is, when the caller knows (policy test cases)


def shown(path: Path | str, cwd: Path | None = None) -> str:
    """``path`` as the user opens it: relative below the working directory, else absolute
    (as ruff prints paths)."""
    full = os.path.abspath(path)
    rel = Path(os.path.relpath(full, os.path.abspath(cwd or Path.cwd()))).as_posix()
    return Path(full).as_posix() if rel == ".." or rel.startswith("../") else rel


def config_at(path: Path, explicit: Path | None = None) -> Config:
    """The config that governs ``path`` (a folder or a file), as ``check`` would find it;
    ``explicit`` (``--config``) replaces it."""
    if explicit is not None:
        return explicit_config(explicit)
    opened = open_path(path)
    with opened.workspace as ws:
        configs = RepoConfigs(ws)
        folder = opened.rel if opened.is_dir else posixpath.dirname(opened.rel)
        found = configs.get(configs.nearest(folder))
    assert isinstance(found, Config)
    return found


def _registry(config: Config, uri: str | None) -> RegistryReader:
    from ..mlregistry import open_registry, registry_uri

    return open_registry(uri or registry_uri(config.registry_uri))


#: Called with a workspace's root (absolute, POSIX), its view and its loaded models while
#: it is open: what a command reads beside the judgement (the playbook's procedures).
Visit = Callable[[str, RepoView, Mapping[str, Document]], None]


def judge_path(
    path: Path,
    request: Request,
    policy_for: Callable[[Config], Policy],
    *,
    stdin: bytes | None = None,
    documents: dict[tuple[str, str], Document] | None = None,
    visit: Visit | None = None,
) -> list[TargetResult]:
    """The targets of one user-given path, in a stable order.

    ``stdin``: the bytes of the model.yaml read from standard input, judged as if
    the file at ``path`` held them (see :func:`.workspace.open_stdin`).
    ``documents``: filled with the loaded model.yaml files by ``(target root, file)``
    (read through the workspace: ``modelgov export`` describes them).
    ``visit``: see :data:`Visit`."""
    if stdin is not None:
        opened = open_stdin(path, stdin)
    else:
        opened = open_path(
            path,
            source=request.source,
            rev=request.rev,
            index_file=request.index_file,
            as_of=request.as_of,
        )
    with opened.workspace as ws:
        models = find_models(opened)
        explicit = explicit_config(request.config) if request.config is not None else None
        if explicit is None and not request.discover_configs:
            explicit = Config()
        configs = RepoConfigs(ws)
        groups: dict[str, list[str]] = {}
        for rel in models:
            key = "" if explicit is not None else configs.nearest(posixpath.dirname(rel))
            groups.setdefault(key, []).append(rel)
        missing = [opened.rel] if opened.is_dir and not models else []
        if missing:
            key = "" if explicit is not None else configs.nearest(opened.rel)
            groups.setdefault(key, [])
        loaded = repo_facts(ws).load(models)  # every model registered before the history is walked
        if documents is not None:
            root = Path(ws.root).as_posix()
            documents.update({(root, rel): doc for rel, doc in loaded.items()})
        if visit is not None:
            visit(Path(ws.root).as_posix(), ws.view, loaded)
        cwd = Path.cwd().as_posix()
        targets = []
        for key in sorted(groups):
            found = configs.get(key)
            config = explicit if explicit is not None else found
            assert isinstance(config, Config)  # not lenient: a bad config raised
            setup = Setup(
                policy=policy_for(config),
                today=request.today,
                fail_on=request.fail_on or config.fail_on or "error",  # type: ignore[arg-type]
                roster=load_roster(request.roster or config.roster),
                registry=_registry(config, request.registry_uri) if request.registry else None,
                config=shown(config.path) if config.path is not None else None,
                cwd=cwd,
                allowed_signers=config.allowed_signers,
            )
            rels = excluded(groups[key], config.exclude)
            targets.append(judge_target(ws, rels, setup, missing=missing))
    return targets
