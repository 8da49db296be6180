"""The few files of ``.git`` modelgov reads itself, in Python: refs, HEAD, shallow.

No git process here.  Git never reads the repository's refs or config (see
:mod:`modelgov.git`): the refs are read here, each file as a regular file with
a size cap (:func:`_read_small`: no symlink followed, no FIFO blocked on), and
:mod:`modelgov.git.sandbox` writes them into the shadow git dir.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from ..errors import GitError

_SMALL_FILE = 1 << 20  # refs, HEAD and friends: never more than this
_PACKED_LIMIT = 256 << 20  # packed-refs: streamed, never more than this
_LINE = 4096  # one line of packed-refs
_LOOSE_ENTRIES = 200_000  # files and folders below refs/
_HEADER_SORTED = b"# pack-refs with: peeled sorted \n"
_HEADER_UNSORTED = b"# pack-refs with: peeled        \n"
#: A line of packed-refs naming a ref :func:`_safe_ref` accepts (``..`` and ``.lock`` aside).
_PACKED_LINE = re.compile(
    rb"(?m)^([0-9a-f]{40}(?:[0-9a-f]{24})?) "
    rb"(refs/[^ ~^:?*\[\\\x00\r\n]{0,4000}[^ ~^:?*\[\\\x00\r\n/])\r?\n"
)
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _read_small(path: Path, limit: int = _SMALL_FILE) -> str | None:
    """Read a small regular file without following a symlink or blocking on a FIFO."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        return None
    from ..repoview import ReadError, read_regular_file

    try:
        return read_regular_file(str(path), limit).decode("utf-8", "replace")
    except ReadError:
        return None


def _safe_ref(name: str) -> bool:
    return (
        name.startswith("refs/")
        and ".." not in name
        and not any(c in name for c in " ~^:?*[\\\0\n")
        and not name.endswith((".lock", "/"))
    )


def _packed_matches(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The valid lines of ``data`` (whole lines of packed-refs), normalised to end in LF."""
    for m in _PACKED_LINE.finditer(data):
        name = m.group(2)
        if b".." not in name and not name.endswith(b".lock"):
            line = m.group(0)
            yield (line if line[-2:-1] != b"\r" else line[:-2] + b"\n"), name


def parse_shallow(text: str | None) -> frozenset[str]:
    """The boundary commits listed in ``.git/shallow``."""
    return frozenset(line.strip() for line in (text or "").splitlines() if line.strip())


class Refs:
    """The refs, HEAD, object format and shallow boundary of one repository, read in Python.

    ``common_dir`` is where a linked work tree's shared files are (``commondir``),
    else the git dir itself.  Everything read is cached for the object's life.
    """

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = Path(os.path.abspath(git_dir))
        common = _read_small(self.git_dir / "commondir", 4096)
        if common and common.strip():
            c = Path(common.strip())
            self.common_dir = Path(os.path.abspath(c if c.is_absolute() else self.git_dir / c))
        else:
            self.common_dir = self.git_dir
        self._fmt: str | None = None
        self._shallow: bool | None = None
        self._refs: dict[str, str] | None = None
        self._loose_refs: dict[str, str] | None = None

    def object_format(self) -> str:
        """``sha1`` or ``sha256``: how this repository names its objects."""
        if self._fmt is None:
            text = _read_small(self.common_dir / "config", 1 << 16) or ""
            m = re.search(r"(?im)^\s*objectformat\s*=\s*(\w+)", text)
            self._fmt = m.group(1).lower() if m else "sha1"
        return self._fmt

    def refs(self) -> dict[str, str]:
        """All refs as name -> object id (loose refs win over packed ones).

        Holds every ref in memory: :meth:`write_packed_refs` and :meth:`head` stream
        ``packed-refs`` instead."""
        if self._refs is not None:
            return self._refs
        refs = {name: sha for sha, name in self._packed()}
        refs.update(self._loose())
        resolved = {}
        for name, value in refs.items():
            sha = self._follow(value, refs)
            if sha:
                resolved[name] = sha
        self._refs = resolved
        return resolved

    def write_packed_refs(self, dest: Path, *, zero: str) -> None:
        """Write every ref but replace refs and those at the null id ``zero`` to ``dest``
        in the ``packed-refs`` format, streaming the repository's own ``packed-refs``:
        a 60 MB file costs a buffer, not its size several times over.

        The loose refs (loose wins) are merged in order, so when the repository's
        file is sorted the shadow's is too and says so: git then searches it in
        place instead of reading and sorting it whole."""
        loose = self._loose()
        symbolic = {v[5:].strip() for v in loose.values() if v.startswith("ref: ")}
        known = {name: sha for sha, name in self._packed() if name in symbolic} if symbolic else {}
        known.update((k, v) for k, v in loose.items() if not v.startswith("ref: "))
        extra = []
        for name, value in loose.items():
            sha = self._follow(value, {**known, name: value})
            if sha and sha != zero and not name.startswith("refs/replace/"):
                extra.append((name.encode("utf-8", "surrogateescape"), f"{sha} ".encode()))
        extra.sort()
        drop = {name.encode("utf-8", "surrogateescape") for name in loose}
        null = zero.encode()
        ordered = True
        previous = b""
        i = 0
        with open(dest, "wb") as out:
            out.write(_HEADER_UNSORTED)  # the same length as _HEADER_SORTED
            for line, packed in self._packed_lines():
                if packed <= previous:
                    ordered = False
                previous = packed
                while i < len(extra) and extra[i][0] < packed:
                    out.write(extra[i][1] + extra[i][0] + b"\n")
                    i += 1
                if not (
                    packed in drop or packed.startswith(b"refs/replace/") or line.startswith(null)
                ):
                    out.write(line)
            for ref, sha_field in extra[i:]:
                out.write(sha_field + ref + b"\n")
            if ordered:
                out.seek(0)
                out.write(_HEADER_SORTED)

    def _packed(self) -> Iterator[tuple[str, str]]:
        """``(object id, name)`` of each valid line of ``packed-refs``, streamed."""
        for line, name in self._packed_lines():
            yield line[: line.index(b" ")].decode("ascii"), name.decode("utf-8", "replace")

    def _packed_lines(self) -> Iterator[tuple[bytes, bytes]]:
        """Each valid line of ``packed-refs`` (normalised to end in LF) and its ref name.

        A regular file only (no symlink followed, no FIFO blocked on), at most
        :data:`_PACKED_LIMIT` bytes, read 1 MiB at a time: never held whole.  A line
        longer than :data:`_LINE` is skipped; peeled (``^``) and comment lines too."""
        path = self.common_dir / "packed-refs"
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            return
        with os.fdopen(fd, "rb", buffering=0) as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > _PACKED_LIMIT:
                return
            read = 0
            carry = b""
            skip = False  # inside an overlong line: drop up to its end
            while True:
                chunk = fh.read(1 << 20) if read <= _PACKED_LIMIT else b""
                read += len(chunk)
                if not chunk:
                    if carry and not skip:  # the last line had no line feed
                        yield from _packed_matches(carry + b"\n")
                    return
                data = carry + chunk
                if skip:
                    start = data.find(b"\n")
                    if start < 0:
                        carry = b""
                        continue
                    data, skip = data[start + 1 :], False
                cut = data.rfind(b"\n") + 1
                data, carry = data[:cut], data[cut:]
                if len(carry) > _LINE:
                    carry, skip = b"", True
                yield from _packed_matches(data)

    def _packed_ref(self, name: str) -> str | None:
        return next((sha for sha, n in self._packed() if n == name), None)

    def _loose(self) -> dict[str, str]:
        """Loose refs as name -> object id or ``ref: target``, read in Python.

        Only inside the repository: ``refs`` must be a folder, not a link to one
        (a ``.git/refs`` pointing at ``/`` would make this a walk of the machine);
        links below it are neither followed nor read.  At most :data:`_LOOSE_ENTRIES`
        entries and ``MODELGOV_GIT_TIMEOUT`` seconds, else :class:`GitError`."""
        if self._loose_refs is not None:
            return self._loose_refs
        import time

        from . import sandbox

        base = self.common_dir / "refs"
        try:
            st = os.lstat(base)
        except OSError:
            st = None
        refs: dict[str, str] = {}
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise GitError(f"{base} is a symbolic link; refs are read only inside the repository")
        if st is None or not stat.S_ISDIR(st.st_mode):
            self._loose_refs = refs
            return refs
        deadline = time.monotonic() + sandbox.GIT_TIMEOUT
        seen = 0
        stack = [(str(base), "refs")]
        while stack:
            folder, rel_folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError:
                continue
            seen += len(entries)
            if seen > _LOOSE_ENTRIES or time.monotonic() > deadline:
                raise GitError(
                    f"{base} holds more than {_LOOSE_ENTRIES} entries or takes longer than "
                    f"{sandbox.GIT_TIMEOUT:.0f}s to list; its refs are not read"
                )
            for entry in entries:
                rel = f"{rel_folder}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, rel))
                    continue
                if not _safe_ref(rel):
                    continue
                text = (_read_small(Path(entry.path), 4096) or "").strip()
                if _SHA.match(text):
                    refs[rel] = text
                elif text.startswith("ref: "):
                    target = text[5:].strip()
                    if _safe_ref(target):
                        refs[rel] = "ref: " + target
        self._loose_refs = refs
        return refs

    @staticmethod
    def _follow(value: str, refs: dict[str, str]) -> str | None:
        for _ in range(5):
            if value.startswith("ref: "):
                value = refs.get(value[5:].strip(), "")
                continue
            return value if _SHA.match(value) else None
        return None

    def head(self) -> str | None:
        """The commit HEAD points to, or None (no commits yet, or unreadable)."""
        text = (_read_small(self.git_dir / "HEAD", 4096) or "").strip()
        if _SHA.match(text):
            return text
        if text.startswith("ref: "):
            name = text[5:].strip()
            if self._refs is None:
                return self._ref(name)
            return self.refs().get(name)
        return None

    def _ref(self, name: str, depth: int = 0) -> str | None:
        """One ref, resolved as :meth:`refs` would, without reading every ref.

        The loose file wins when it is a regular file in folders that are no
        links and holds an id or a symbolic ref; otherwise ``packed-refs``.
        """
        if depth > 4 or not _safe_ref(name):
            return None
        parts = name.split("/")
        folder = self.common_dir
        linked = False
        for part in parts[:-1]:
            folder = folder / part
            if os.path.islink(folder):
                linked = True
                break
        text = "" if linked else (_read_small(folder / parts[-1], 4096) or "").strip()
        if _SHA.match(text):
            return text
        if text.startswith("ref: ") and _safe_ref(text[5:].strip()):
            return self._ref(text[5:].strip(), depth + 1)
        return self._packed_ref(name) if self._refs is None else self._refs.get(name)

    def head_ref(self) -> str:
        text = (_read_small(self.git_dir / "HEAD", 4096) or "").strip()
        return text[5:].strip() if text.startswith("ref: ") else "HEAD"

    def is_shallow(self) -> bool:
        if self._shallow is None:
            self._shallow = bool((_read_small(self.common_dir / "shallow") or "").strip())
        return self._shallow

    def shallow_commits(self) -> frozenset[str]:
        """The boundary commits of a shallow clone (empty when the history is complete)."""
        return parse_shallow(_read_small(self.common_dir / "shallow"))
