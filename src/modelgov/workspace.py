"""Turn the paths a user names into repositories, views and model.yaml files.

A path is a folder (every ``model.yaml``/``model.yml`` below it, skipping
``.git``, virtualenvs, ``node_modules`` and git-ignored paths) or one file.
What is judged comes from one of three sources:

* ``worktree`` -- the files on disk (default);
* ``index``    -- what is staged (the pre-commit hook: a commit cannot slip a
  broken model.yaml through while a good one sits unstaged);
* ``commit``   -- a commit's tree, read from git objects (``--rev``, audits).
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from .errors import GitError, UsageError
from .git import GitRepo
from .pathmatch import glob_regex
from .repoview import (
    MODEL_FILE_NAMES,
    SKIP_DIRS,
    RepoView,
    TreeView,
    WorktreeView,
    is_virtualenv,
    walk_files,
)

Source = Literal["worktree", "index", "commit"]


class Target:
    """One repository (or plain folder) and the model files to judge in it."""

    __slots__ = ("cache", "commit", "git", "missing", "models", "root", "source", "start", "view")

    def __init__(
        self,
        root: Path,
        view: RepoView,
        models: list[str],
        missing: list[str] | None = None,
        git: GitRepo | None = None,
        source: Source = "worktree",
        commit: str | None = None,
        start: Path | None = None,
    ) -> None:
        self.root = root
        self.view = view
        self.models = models  # repo-relative paths of model.yaml files
        self.missing: list[str] = missing if missing is not None else []  # folders with none
        self.git = git
        self.source: Source = source
        self.commit = commit
        self.start = start  # where config discovery starts
        self.cache: dict[str, Any] = {}  # facts computed once (context.py)

    def close(self) -> None:
        if self.git is not None:
            self.git.close()


def _skip(rel: str, root: Path | None = None) -> bool:
    """True for files under skipped folders, or (on disk) inside a virtualenv."""
    parts = rel.split("/")[:-1]
    if any(part in SKIP_DIRS for part in parts):
        return True
    if root is not None:
        for i in range(1, len(parts) + 1):
            if is_virtualenv(os.path.join(root, *parts[:i])):
                return True
    return False


def _models_in(
    files: Sequence[str], prefix: str, exclude: Sequence[str], root: Path | None = None
) -> list[str]:
    out = []
    excluded = [glob_regex(e) for e in exclude]
    for f in files:
        if posixpath.basename(f) not in MODEL_FILE_NAMES:
            continue
        if prefix and not (f == prefix or f.startswith(prefix + "/")):
            continue
        if _skip(f, root) or any(rx.match(f) for rx in excluded):
            continue
        out.append(f)
    return sorted(out)


def _rel(path: Path, root: Path) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return "" if rel == "." else Path(rel).as_posix()


def open_target(
    path: Path,
    *,
    source: Source = "worktree",
    rev: str | None = None,
    index_file: str | None = None,
    exclude: Sequence[str] = (),
    as_of: _dt.date | None = None,
) -> Target:
    """Resolve one user-given path into a :class:`Target`.

    ``as_of`` (with ``source="commit"``): judge the last commit on HEAD's
    first-parent line committed on or before that date.
    """
    if not os.path.lexists(path):
        raise UsageError(f"path {str(path)!r} does not exist")
    # A folder named model.yaml is judged as a model file (and found wanting), not searched.
    is_dir = path.is_dir() and not path.is_symlink() and path.name not in MODEL_FILE_NAMES
    repo = GitRepo.open(path)
    if source != "worktree" and repo is None:
        raise UsageError(f"{path} is not inside a git repository (needed for --staged/--rev)")
    root = (
        repo.worktree
        if repo is not None and repo.worktree is not None
        else (path if is_dir else path.parent)
    )
    root = Path(os.path.abspath(root))
    rel = _rel(path, root)
    if rel.startswith("../"):
        rel = ""
    try:
        view: RepoView
        commit = None
        if source == "worktree":
            view = WorktreeView(root, label=str(root), lister=repo.worktree_files if repo else None)
            if repo is not None and is_dir:
                files = list(view.files())
                files += _odd_model_files(root, files)
                models = [
                    m for m in _models_in(files, rel, exclude, root) if view.lookup(m) != "missing"
                ]
            elif is_dir:
                models = _models_in(list(_walk_models(path, root)), rel, exclude)
            else:
                models = [rel]
        else:
            assert repo is not None
            if source == "index":
                entries = repo.index_entries(index_file=index_file)
            else:
                if as_of is not None:
                    commit = repo.commit_as_of(as_of)
                    if commit is None:
                        repo.close()
                        raise UsageError(
                            f"no commit on or before {as_of.isoformat()} in the history of "
                            f"HEAD in {root}"
                        )
                else:
                    commit = repo.rev_parse(rev or "HEAD")
                entries = repo.tree_entries(commit)
            view = TreeView(
                {e.path: (e.mode, e.sha, e.size) for e in entries},
                repo,
                label=f"{root}@{commit or 'index'}",
            )
            if is_dir:
                models = _models_in(view.files(), rel, exclude)
            else:
                models = [rel] if view.lookup(rel) != "missing" else []
                if not models:
                    raise UsageError(
                        f"{rel} is not in the {'index' if source == 'index' else 'commit ' + (commit or '')[:12]}"
                    )
    except GitError:
        if repo is not None:
            repo.close()
        raise
    missing = [rel] if is_dir and not models else []
    return Target(
        root=root,
        view=view,
        models=models,
        missing=missing,
        git=repo,
        source=source,
        commit=commit,
        start=path if is_dir else path.parent,
    )


def _odd_model_files(root: Path, files: Sequence[str]) -> list[str]:
    """model.yaml entries git does not list (FIFOs, devices, folders) next to listed files.

    Judged, they become a clear MG005 finding instead of passing unseen.
    """
    odd = []
    listed = set(files)
    for folder in sorted({posixpath.dirname(f) for f in files} | {""}):
        for name in MODEL_FILE_NAMES:
            rel = f"{folder}/{name}" if folder else name
            if rel in listed:
                continue
            try:
                mode = os.lstat(os.path.join(root, *rel.split("/"))).st_mode
            except OSError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                odd.append(rel)
    return odd


def _walk_models(path: Path, root: Path) -> list[str]:
    """Model files below ``path`` outside git (skip lists only)."""
    base = _rel(path, root)
    found = []
    for rel in walk_files(path):
        if posixpath.basename(rel) in MODEL_FILE_NAMES:
            found.append(f"{base}/{rel}" if base else rel)
    return found


__all__ = ["Source", "Target", "open_target"]
