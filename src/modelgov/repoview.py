"""A read-only view of the files of a repository.

Rules ask "does this path exist in the repo?" without knowing whether the
answer comes from the working tree, the index (a pre-commit run judges what
is staged) or a commit (``--rev``, ``audit``).  Paths are POSIX and relative
to the repo root.  Nothing here writes anything, and no lookup follows a
symlink out of the repository.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

Kind = Literal["file", "dir", "missing", "outside", "special"]

#: Folders never searched for model.yaml files nor listed as repo content.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages",
        ".eggs", ".direnv",
    }
)  # fmt: skip

MODEL_FILE_NAMES = ("model.yaml", "model.yml")


class RepoView(Protocol):
    """What rules may ask about a repository's files."""

    label: str

    def lookup(self, relpath: str) -> Kind: ...

    def read_bytes(self, relpath: str, limit: int) -> bytes: ...

    def files(self) -> Sequence[str]: ...


class ReadError(Exception):
    """A file could not be read (the message is for people)."""


def is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


class WorktreeView:
    """The files on disk below ``root``.

    ``lister`` lists the repository's files when it is a git work tree (git
    knows which are ignored, and listing is one process instead of a walk);
    without it ``files()`` walks the folder.
    """

    __slots__ = ("_files", "_real_root", "label", "lister", "root")

    def __init__(
        self, root: Path, label: str = "", lister: Callable[[], Sequence[str]] | None = None
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self.label = label
        self.lister = lister
        self._real_root = os.path.realpath(self.root)
        self._files: tuple[str, ...] | None = None

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep)

    def lookup(self, relpath: str) -> Kind:
        full = os.path.join(self.root, *relpath.split("/"))
        try:
            real = os.path.realpath(full)
        except (OSError, ValueError):
            return "missing"
        if not self._inside(real):
            return "outside" if os.path.lexists(full) else "missing"
        try:
            st = os.stat(real)
        except (OSError, ValueError):
            return "missing"
        if stat.S_ISREG(st.st_mode):
            return "file"
        if stat.S_ISDIR(st.st_mode):
            return "dir"
        return "special"

    def read_bytes(self, relpath: str, limit: int) -> bytes:
        kind = self.lookup(relpath)
        if kind == "outside":
            raise ReadError("is a symlink that leads out of the repository; not read")
        if kind == "special":
            raise ReadError("is not a regular file (a FIFO, socket or device); not read")
        if kind == "dir":
            raise ReadError("is a directory, not a file")
        if kind == "missing":
            raise ReadError("does not exist")
        return read_regular_file(os.path.join(self.root, *relpath.split("/")), limit)

    def files(self) -> Sequence[str]:
        if self._files is None:
            listed = self.lister() if self.lister is not None else walk_files(self.root)
            self._files = tuple(sorted(listed))
        return self._files


def read_regular_file(path: str, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes of a regular file, never blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise ReadError("cannot be read (permission denied)") from None
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("is not a regular file (a FIFO, socket or device); not read")
        chunks = []
        left = limit + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except OSError as exc:
                raise ReadError(f"cannot be read ({exc.strerror or exc})") from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def walk_files(root: Path, *, skip_dirs: Iterable[str] = SKIP_DIRS) -> Iterable[str]:
    """Every entry below ``root`` that is not a folder, as a POSIX relative path.

    Regular files and symlinks, and also FIFOs, sockets, devices and folders
    named ``model.yaml`` (so a model.yaml that is one is judged and reported,
    never skipped unseen; nothing here opens them).  Skips version-control
    folders, virtualenvs and ``node_modules``; does not follow directory
    symlinks (so a link to ``/`` or a loop cannot trap it).
    """
    skip = frozenset(skip_dirs)
    stack = [""]
    root_s = str(root)
    while stack:
        rel = stack.pop()
        full = os.path.join(root_s, rel) if rel else root_s
        try:
            entries = list(os.scandir(full))
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name in MODEL_FILE_NAMES:
                        yield child
                    if entry.name in skip or is_virtualenv(entry.path):
                        continue
                    stack.append(child)
                else:
                    yield child
            except OSError:
                continue


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

#: What is wrong with a reference of each status, as the rules' messages say it.
_PROBLEMS = {
    "ok": "",
    "missing": "does not exist in the repository",
    "outside": "leads outside the repository",
    "absolute": "is an absolute path; write it relative to the model.yaml's folder",
    "special": "is not a regular file",
    "dir": "is a folder, not a document",
    "bad-url": "is not a well-formed http(s) URL",
}


class Reference(NamedTuple):
    """A reference written in a model.yaml, resolved against the repo."""

    text: str
    kind: Literal["url", "path"]
    status: Literal["ok", "missing", "outside", "absolute", "bad-url", "special", "dir"]
    repo_path: str = ""  # for paths: repo-relative, anchor removed

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def problem(self) -> str:
        """What is wrong with it (``''`` when nothing), for a message."""
        return _PROBLEMS[self.status]


def resolve_reference(
    view: RepoView, base: str, text: str, *, allow_dir: bool = False
) -> Reference:
    """Resolve ``text`` (a URL, or a path relative to ``base``) in ``view``."""
    value = text.strip()
    if _SCHEME.match(value) and not re.match(r"^[A-Za-z]:[\\/]", value):
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            ok = (
                parts.scheme in ("http", "https")
                and bool(parts.hostname)
                and not re.search(r"\s", value)
            )
            _ = parts.port  # raises on a bad port
        except ValueError:
            ok = False
        return Reference(text, "url", "ok" if ok else "bad-url")
    path = value.split("#", 1)[0]
    if not path or path.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return Reference(text, "path", "absolute")
    joined = (
        posixpath.normpath(posixpath.join(base, path.replace("\\", "/")))
        if base
        else posixpath.normpath(path)
    )
    if joined == ".." or joined.startswith("../"):
        return Reference(text, "path", "outside", joined)
    kind = view.lookup(joined)
    status: Literal["ok", "missing", "outside", "special", "dir"]
    if kind == "file" or (kind == "dir" and allow_dir):
        status = "ok"
    elif kind == "dir":
        status = "dir"
    else:
        status = kind
    return Reference(text, "path", status, joined)


class BlobReader(Protocol):
    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]: ...


class TreeView:
    """The files recorded in a commit or in the index, read from git objects.

    ``entries`` maps each path to ``(mode, sha, size)``; ``size`` is -1 when
    git did not say (index entries).
    """

    __slots__ = ("_blob_limit", "_blobs", "_dirs", "entries", "label", "reader")

    def __init__(
        self, entries: dict[str, tuple[str, str, int]], reader: BlobReader, label: str = ""
    ) -> None:
        self.entries = entries
        self.reader = reader
        self.label = label
        self._dirs: frozenset[str] | None = None
        self._blobs: dict[str, bytes | None] = {}  # prefetched, by blob id
        self._blob_limit = -1

    def prefetch(self, relpaths: Iterable[str], limit: int) -> None:
        """Read the blobs of ``relpaths`` now, in one ``cat-file`` (not one per model)."""
        shas = [
            e[1]
            for p in relpaths
            if (e := self.entries.get(p)) is not None and e[0].startswith("100") and e[2] <= limit
        ]
        if shas:
            self._blobs = dict(self.reader.read_blobs(shas, limit))
            self._blob_limit = limit

    def _all_dirs(self) -> frozenset[str]:
        if self._dirs is None:
            dirs = set()
            for path in self.entries:
                parts = path.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    dirs.add("/".join(parts[:i]))
            self._dirs = frozenset(dirs)
        return self._dirs

    def lookup(self, relpath: str, _depth: int = 0) -> Kind:
        entry = self.entries.get(relpath)
        if entry is None:
            return "dir" if relpath in self._all_dirs() or relpath in ("", ".") else "missing"
        mode, sha, _size = entry
        if mode == "120000":  # a symlink: resolve it inside the tree, never outside
            if _depth > 8:
                return "special"
            target = (self.reader.read_blobs([sha], 4096).get(sha) or b"").decode(
                "utf-8", "replace"
            )
            if not target or target.startswith("/"):
                return "outside"
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target))
            if joined == ".." or joined.startswith("../"):
                return "outside"
            return self.lookup(joined, _depth + 1)
        if mode.startswith("100"):
            return "file"
        return "special"  # submodule (160000)

    def read_bytes(self, relpath: str, limit: int) -> bytes:
        kind = self.lookup(relpath)
        if kind == "outside":
            raise ReadError("is a symlink that leads out of the repository; not read")
        if kind != "file":
            raise ReadError(
                "does not exist" if kind == "missing" else "is not a regular file; not read"
            )
        entry = self.entries.get(relpath)
        if entry is None or entry[0] == "120000":
            raise ReadError("is a symlink; not read")
        if entry[2] > limit:
            return b"\0" * (limit + 1)  # the size is all the loader needs to refuse it
        if limit == self._blob_limit and entry[1] in self._blobs:
            data = self._blobs[entry[1]]
        else:
            data = self.reader.read_blobs([entry[1]], limit).get(entry[1])
        if data is None:
            return b"\0" * (limit + 1)
        return data

    def files(self) -> Sequence[str]:
        return sorted(
            p for p, (mode, _sha, _size) in self.entries.items() if mode.startswith(("100", "120"))
        )

    def blob_sha(self, relpath: str) -> str:
        entry = self.entries.get(relpath)
        return entry[1] if entry else ""
