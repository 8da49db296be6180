"""The clone cache: each URL cloned bare once, fetched on later runs.

Layout: ``<cache dir>/repos/<name>-<hash>.git`` where ``name`` comes from the
URL's last path segment and ``hash`` from the whole URL (so two URLs never
share a clone, and a token in a URL never appears in a folder name).  A
per-clone lock file keeps two audits on one machine from cloning the same
URL at once.  The default cache dir is the user's cache folder
(``$XDG_CACHE_HOME/modelgov``, ``~/Library/Caches/modelgov``,
``%LOCALAPPDATA%\\modelgov\\Cache``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from ..git import is_bare_repo
from ..git.remote import CLONE_FILTER, CLONE_TIMEOUT, Remote, clone_bare, fetch_bare


def default_cache_dir() -> Path:
    """The user's cache folder for modelgov."""
    if sys.platform == "win32":  # pragma: no cover - not tested on Linux CI
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "modelgov" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover
        return Path.home() / "Library" / "Caches" / "modelgov"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base_dir = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base_dir / "modelgov"


def clone_path(cache_dir: Path, remote: Remote) -> Path:
    tail = remote.shown.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", tail.removesuffix(".git")).strip(".-")[:40] or "repo"
    digest = hashlib.sha256(remote.url.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(cache_dir) / "repos" / f"{name}-{digest}.git"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, clone_bare stays atomic
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_clone(
    remote: Remote,
    cache_dir: Path,
    *,
    fetch: bool = True,
    filter_spec: str | None = CLONE_FILTER,
    timeout: float = CLONE_TIMEOUT,
) -> tuple[Path, str]:
    """The local bare clone of ``remote``, made or refreshed: ``(path, what was done)``.

    ``what`` is ``cloned``, ``fetched`` or ``cached`` (``fetch=False``).
    Raises :class:`~modelgov.errors.GitError` when git fails.
    """
    dest = clone_path(cache_dir, remote)
    with _locked(dest.with_name(dest.name + ".lock")):
        if is_bare_repo(dest):
            if not fetch:
                return dest, "cached"
            fetch_bare(remote, dest, filter_spec=filter_spec, timeout=timeout)
            return dest, "fetched"
        if dest.exists():
            import shutil

            shutil.rmtree(dest, ignore_errors=True)  # a broken leftover of ours
        clone_bare(remote, dest, filter_spec=filter_spec, timeout=timeout)
        return dest, "cloned"
