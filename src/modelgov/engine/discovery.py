"""Which model.yaml files a workspace holds: one discovery for check, policy test and audit.

A folder is searched for ``model.yaml``/``model.yml`` below it, skipping
``.git``, virtualenvs, ``node_modules`` and (in a git work tree) git-ignored
paths; a file is judged as given.  Whatever git records at a model path -- a
regular file, a symlink, a FIFO on disk -- is a model to judge: one that
cannot be read is an MG005 finding, never a model that silently is not
there.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import UsageError
from ..pathmatch import any_of
from ..repoview import MODEL_FILE_NAMES, SKIP_DIRS, is_virtualenv, walk_files
from .workspace import Opened


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


def models_in(files: Iterable[str], prefix: str = "", root: Path | None = None) -> list[str]:
    """The model files among ``files`` (root-relative) at or below folder ``prefix``."""
    out = []
    for f in files:
        if posixpath.basename(f) not in MODEL_FILE_NAMES:
            continue
        if prefix and not (f == prefix or f.startswith(prefix + "/")):
            continue
        if _skip(f, root):
            continue
        out.append(f)
    return sorted(set(out))


def excluded(models: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """``models`` without those an ``exclude`` glob matches."""
    if not patterns:
        return list(models)
    matcher = any_of(patterns)
    return [m for m in models if matcher is None or not matcher.match(m)]


def find_models(opened: Opened) -> list[str]:
    """The model files the user's path names (root-relative, sorted)."""
    ws = opened.workspace
    view, rel = ws.view, opened.rel
    if not opened.is_dir:
        if ws.source == "worktree" or view.lookup(rel) != "missing":
            return [rel]
        where = "the index" if ws.source == "index" else f"commit {(ws.commit or '')[:12]}"
        raise UsageError(f"{rel} is not in {where}")
    if ws.source != "worktree":
        return models_in(view.files(), rel)
    if ws.git is None:
        return models_in(_walk(opened.path, ws.root), rel)
    files = list(view.files())
    files += _odd_model_files(ws.root, files)
    return [m for m in models_in(files, rel, ws.root) if view.lookup(m) != "missing"]


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


def _walk(path: Path, root: Path) -> list[str]:
    """Model files below ``path`` outside git (skip lists only), root-relative."""
    base = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    base = "" if base == "." else Path(base).as_posix()
    found = []
    for rel in walk_files(path):
        if posixpath.basename(rel) in MODEL_FILE_NAMES:
            found.append(f"{base}/{rel}" if base else rel)
    return found
