"""Turn a path the user names into a repository (or plain folder) and a view of its files.

What is judged comes from one of three sources:

* ``worktree`` -- the files on disk (default);
* ``index``    -- what is staged (the pre-commit hook: a commit cannot slip a
  broken model.yaml through while a good one sits unstaged);
* ``commit``   -- a commit's tree, read from git objects (``--rev``, audits).

``modelgov check - --stdin-filename PATH`` lays the bytes read from standard
input over the work tree at PATH (:class:`OverlayView`, :func:`open_stdin`):
the model is judged as if the file at PATH held them -- its config,
references and git history alike -- while nothing is written anywhere.

A :class:`Workspace` is the repository seen through one source; model files
(:mod:`.discovery`) and configs (:mod:`.configs`) are found over its view,
the same way for ``check``, ``policy test`` and ``audit``.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import GitError, UsageError
from ..git import GitRepo
from ..repoview import MODEL_FILE_NAMES, Kind, RepoView, TreeView, WorktreeView

if TYPE_CHECKING:
    from ..git import TreeEntry

Source = Literal["worktree", "index", "commit"]


class Workspace:
    """One repository (or plain folder), seen through one source."""

    __slots__ = ("cache", "commit", "git", "label", "root", "source", "view")

    def __init__(
        self,
        root: Path,
        view: RepoView,
        *,
        git: GitRepo | None = None,
        source: Source = "worktree",
        commit: str | None = None,
        label: str = "",
    ) -> None:
        self.root = root  # absolute
        self.view = view
        self.git = git
        self.source: Source = source
        self.commit = commit
        self.label = label or str(root)
        #: facts of the repository computed once for all its models (see .factpass)
        self.cache: dict[str, Any] = {}

    def close(self) -> None:
        if self.git is not None:
            self.git.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tree_view(entries: list[TreeEntry], reader: Any, label: str) -> TreeView:
    return TreeView({e.path: (e.mode, e.sha, e.size) for e in entries}, reader, label=label)


class Opened:
    """A workspace plus where, inside it, the user pointed."""

    __slots__ = ("is_dir", "path", "rel", "workspace")

    def __init__(self, workspace: Workspace, path: Path, rel: str, is_dir: bool) -> None:
        self.workspace = workspace
        self.path = path  # as the user gave it
        self.rel = rel  # relative to the root ('' for the root itself)
        self.is_dir = is_dir


def _rel(path: Path, root: Path) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return "" if rel == "." else Path(rel).as_posix()


def open_path(
    path: Path,
    *,
    source: Source = "worktree",
    rev: str | None = None,
    index_file: str | None = None,
    as_of: _dt.date | None = None,
) -> Opened:
    """Resolve one user-given path into a workspace.

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
        else:
            assert repo is not None
            if source == "index":
                entries = repo.index_entries(index_file=index_file)
            else:
                if as_of is not None:
                    commit = repo.commit_as_of(as_of)
                    if commit is None:
                        raise UsageError(
                            f"no commit on or before {as_of.isoformat()} in the history of "
                            f"HEAD in {root}"
                        )
                else:
                    commit = repo.rev_parse(rev or "HEAD")
                entries = repo.tree_entries(commit)
            view = tree_view(entries, repo, f"{root}@{commit or 'index'}")
    except (GitError, UsageError):
        if repo is not None:
            repo.close()
        raise
    workspace = Workspace(root, view, git=repo, source=source, commit=commit)
    return Opened(workspace, path, rel, is_dir)


class OverlayView:
    """A view of the work tree in which one path holds given bytes (read from stdin)."""

    __slots__ = ("base", "data", "label", "rel")

    def __init__(self, base: RepoView, rel: str, data: bytes) -> None:
        self.base = base
        self.rel = rel
        self.data = data
        self.label = base.label

    def lookup(self, relpath: str) -> Kind:
        return "file" if relpath == self.rel else self.base.lookup(relpath)

    def read_bytes(self, relpath: str, limit: int) -> bytes:
        if relpath == self.rel:
            return self.data[: limit + 1]
        return self.base.read_bytes(relpath, limit)

    def files(self) -> Sequence[str]:
        listed = self.base.files()
        return listed if self.rel in listed else sorted([*listed, self.rel])


def open_stdin(path: Path, data: bytes) -> Opened:
    """A workspace in which ``path`` (which need not exist) holds ``data``.

    ``path`` is where the user says the model.yaml read from stdin lives
    (``--stdin-filename``; ``-`` in the working directory without it); its
    folder must exist: the config, the references and the history are found
    from there.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--stdin-filename {path}: folder {str(folder)!r} does not exist")
    if path.is_dir() and not path.is_symlink():
        raise UsageError(f"--stdin-filename {path} is a folder; name the model.yaml file")
    repo = GitRepo.open(folder)
    root = repo.worktree if repo is not None and repo.worktree is not None else folder
    root = Path(os.path.abspath(root))
    rel = _rel(path, root)
    if rel.startswith("../"):
        if repo is not None:
            repo.close()
        raise UsageError(f"--stdin-filename {path} lies outside the repository at {root}")
    base = WorktreeView(root, label=str(root), lister=repo.worktree_files if repo else None)
    workspace = Workspace(root, OverlayView(base, rel, data), git=repo, label=f"{root} (stdin)")
    return Opened(workspace, path, rel, is_dir=False)


__all__ = ["Opened", "OverlayView", "Source", "Workspace", "open_path", "open_stdin", "tree_view"]
