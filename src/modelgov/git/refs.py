"""The few files of ``.git`` modelgov reads itself, in Python: refs, HEAD, shallow.

No git process here.  Git never reads the repository's refs or config (see
:mod:`modelgov.git`): the refs are read here, each file as a regular file with
a size cap (:func:`_read_small`: no symlink followed, no FIFO blocked on), and
:mod:`modelgov.git.sandbox` writes them into the shadow git dir.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_SMALL_FILE = 1 << 20  # refs, HEAD and friends: never more than this
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _read_small(path: Path, limit: int = _SMALL_FILE) -> str | None:
    """Read a small regular file without following a symlink or blocking on a FIFO."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode) or st.st_size > limit:
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

    def object_format(self) -> str:
        """``sha1`` or ``sha256``: how this repository names its objects."""
        if self._fmt is None:
            text = _read_small(self.common_dir / "config", 1 << 16) or ""
            m = re.search(r"(?im)^\s*objectformat\s*=\s*(\w+)", text)
            self._fmt = m.group(1).lower() if m else "sha1"
        return self._fmt

    def refs(self) -> dict[str, str]:
        """All refs as name -> object id (loose refs win over packed ones)."""
        if self._refs is not None:
            return self._refs
        refs: dict[str, str] = {}
        packed = _read_small(self.common_dir / "packed-refs", 256 << 20) or ""
        for line in packed.splitlines():
            if not line or line[0] in "#^":
                continue
            parts = line.split(" ", 1)
            if len(parts) == 2 and _SHA.match(parts[0]) and _safe_ref(parts[1]):
                refs[parts[1]] = parts[0]
        base = self.common_dir / "refs"
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            for name in filenames:
                full = Path(dirpath) / name
                rel = "refs/" + full.relative_to(base).as_posix()
                if not _safe_ref(rel):
                    continue
                text = (_read_small(full, 4096) or "").strip()
                if _SHA.match(text):
                    refs[rel] = text
                elif text.startswith("ref: "):
                    target = text[5:].strip()
                    if _safe_ref(target):
                        refs[rel] = "ref: " + target
            dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
        resolved = {}
        for name, value in refs.items():
            sha = self._follow(value, refs)
            if sha:
                resolved[name] = sha
        self._refs = resolved
        return resolved

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
        return self.refs().get(name)

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
