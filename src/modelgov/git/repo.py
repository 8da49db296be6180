"""One repository, read-only: the :class:`GitRepo` facade, and finding repositories.

:class:`GitRepo` composes the other modules of :mod:`modelgov.git` -- the refs
read in Python (:class:`~modelgov.git.refs.Refs`), the sandbox git runs in
(:class:`~modelgov.git.sandbox.Sandbox`), the ``cat-file`` processes
(:class:`~modelgov.git.catfile.ObjectReader`) and the history walk
(:mod:`modelgov.git.walk`, imported when a rule asks for history) -- behind
the questions the rest of modelgov asks.

Git processes per run
---------------------
Per repository, never per model or per path (``GitRepo.calls`` counts them):

* every object read -- the trees of a commit (listed here, level by level,
  instead of by ``ls-tree``), model files, old versions, a CODEOWNERS, a
  symlink's target -- goes through one ``cat-file --batch`` process kept
  open for the repository (closed by :meth:`GitRepo.close`, killed when a
  batch overruns the time limit);
* work tree: one ``ls-files`` (discovery); index (``--staged``): one
  ``ls-files --stage``; commit (``--rev``): one ``rev-parse``; ``--as-of``
  adds one ``rev-list``; an audit resolves HEAD in Python and starts none;
* history, only when an enabled rule needs it (MG202, MG204): one ``log``
  walk for all models, streamed and stopped once the rules have what they
  need (:meth:`GitRepo.model_histories`); none for a linear history of at
  most 64 commits, whose commits and trees the ``cat-file`` process reads.

So a repository costs one process in an audit (``cat-file``; two with a
longer or branching history) and two or three in ``check``.  An audit worker
also shares one shadow git dir between the repositories it reads
(:class:`~modelgov.git.sandbox.SharedShadow`) for every command that names
objects by id.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import GitError
from .catfile import _TREE_LIMIT, ObjectReader, TooMuch, _parse_tree
from .refs import _SHA, Refs, _read_small
from .sandbox import LOG, Sandbox, SharedShadow, special_ignore_file

if TYPE_CHECKING:
    from ..facts.history import ModelHistory, ModelSpec


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """Find the repository that holds ``start``: (work tree root, git dir), or None."""
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    while True:
        dotgit = here / ".git"
        if dotgit.is_dir() and not dotgit.is_symlink() and (dotgit / "HEAD").is_file():
            return here, dotgit
        if dotgit.is_file():
            text = _read_small(dotgit, 4096) or ""
            m = re.match(r"gitdir:\s*(.+)", text.strip())
            if m:
                gd = Path(m.group(1).strip())
                gd = gd if gd.is_absolute() else (here / gd)
                if gd.is_dir():
                    return here, Path(os.path.abspath(gd))
        if here.parent == here:
            return None
        here = here.parent


def is_bare_repo(path: Path) -> bool:
    """A folder that looks like a bare repository (HEAD, objects/, refs/)."""
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def iter_repos(root: Path, depth: int) -> Iterator[Path]:
    """Repositories at or below ``root`` (work trees and bare repos), to ``depth`` levels."""
    root = Path(os.path.abspath(root))
    if (root / ".git").exists() or is_bare_repo(root):
        yield root
        return
    if depth <= 0:
        return
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return
    for child in children:
        yield from iter_repos(child, depth - 1)


def user_identity() -> tuple[str, str]:
    """The user's own ``user.name`` and ``user.email`` from their global git config.

    Only the user's global config is read (never a repository's), for
    ``modelgov init``.
    """
    values = []
    keep = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in keep}
    for key in ("user.name", "user.email"):
        try:
            out = subprocess.run(
                ["git", "config", "--global", "--get", key],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                env=env,
                stdin=subprocess.DEVNULL,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        values.append(out)
    return values[0], values[1]


class TreeEntry(NamedTuple):
    mode: str
    type: str
    sha: str
    size: int  # -1 when unknown (index entries, submodules, trees read by cat-file)
    path: str


#: Files of one commit listed at most (a "tree bomb" -- one subtree named a
#: thousand times, ten levels deep -- would otherwise list without end).
MAX_TREE_ENTRIES = int(os.environ.get("MODELGOV_MAX_TREE_ENTRIES", "2000000"))
#: Bytes of one commit's listing at most: the paths listed, and apart from them the tree
#: objects read.  Counting files is not enough: a 200 KB repository whose tree repeats
#: one folder 50 x 50 x 50 times under 1,000-character names lists 125,000 paths of
#: 3,000 characters (375 MB of text).  A real monorepo of a million files lists ~80 MB.
MAX_TREE_BYTES = int(os.environ.get("MODELGOV_MAX_TREE_BYTES", str(128 << 20)))


class GitRepo:
    """Read-only access to one repository through hardened git processes."""

    def __init__(
        self,
        git_dir: Path,
        worktree: Path | None,
        *,
        shared: SharedShadow | None = None,
        in_process: bool = False,
    ) -> None:
        """``in_process``: read objects named by id from the object store's files
        (:mod:`modelgov.git.odb`), asking ``cat-file`` only for what that cannot answer."""
        self._refs = Refs(git_dir)
        self.git_dir = self._refs.git_dir
        self.common_dir = self._refs.common_dir
        self.worktree = Path(os.path.abspath(worktree)) if worktree is not None else None
        self._sandbox = Sandbox(self._refs, self.worktree, shared)
        self._cat = ObjectReader(self._sandbox, in_process=in_process)

    @property
    def calls(self) -> int:
        """Git processes started (reported by --stats and the docs)."""
        return self._sandbox.calls

    # -- lifecycle -----------------------------------------------------------
    @classmethod
    def open(cls, start: Path) -> GitRepo | None:
        found = find_git_dir(start)
        if found is None:
            return None
        root, git_dir = found
        return cls(git_dir, root)

    def close(self) -> None:
        """End the persistent ``cat-file`` processes, then remove the shadow git dir."""
        self._cat.close()
        self._sandbox.close()

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- refs, read in Python (refs.py) ------------------------------------------
    def object_format(self) -> str:
        """``sha1`` or ``sha256``: how this repository names its objects."""
        return self._refs.object_format()

    def refs(self) -> dict[str, str]:
        """All refs as name -> object id (loose refs win over packed ones)."""
        return self._refs.refs()

    def head(self) -> str | None:
        """The commit HEAD points to, or None (no commits yet, or unreadable)."""
        return self._refs.head()

    def head_ref(self) -> str:
        return self._refs.head_ref()

    def is_shallow(self) -> bool:
        return self._refs.is_shallow()

    def shallow_commits(self) -> frozenset[str]:
        """The boundary commits of a shallow clone (empty when the history is complete)."""
        return self._refs.shallow_commits()

    # -- git processes (sandbox.py) ------------------------------------------------
    def env(
        self, *, index_file: str | None = None, worktree: bool = False, refs: bool = True
    ) -> dict[str, str]:
        return self._sandbox.env(index_file=index_file, worktree=worktree, refs=refs)

    def run(
        self,
        args: Sequence[str],
        *,
        index_file: str | None = None,
        worktree: bool = False,
        input: bytes | None = None,
        check: bool = True,
        refs: bool = True,
    ) -> bytes:
        """Run ``git ARGS`` in the hardened environment and return stdout.

        ``refs=False``: the arguments name objects by id only, so a shared shadow
        (no refs) serves (see :class:`~modelgov.git.sandbox.SharedShadow`)."""
        return self._sandbox.run(
            args, index_file=index_file, worktree=worktree, input=input, check=check, refs=refs
        )

    def log(self, args: Sequence[str], *, refs: bool = True) -> bytes:
        """``git log`` with fixed, safe options (no pager, no signatures, no textconv)."""
        return self.run([*LOG, *args], refs=refs)

    # -- questions -------------------------------------------------------------
    def rev_parse(self, rev: str) -> str:
        """Resolve ``rev`` to a commit id (refs as read by modelgov; no reflogs)."""
        out = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            check=False,
        )
        sha = out.decode().strip()
        if not _SHA.match(sha):
            raise GitError(f"{rev!r} is not a commit in this repository")
        return sha

    def worktree_files(self, pathspecs: Sequence[str] = ()) -> list[str]:
        """Tracked and untracked-but-not-ignored files of the work tree."""
        if self.worktree is not None:
            blocking = special_ignore_file(self.worktree)
            if blocking is not None:
                raise GitError(
                    f"{blocking} is not a regular file (a FIFO or a device); git would "
                    "block reading it, so the work tree is not listed"
                )
        out = self.run(
            ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs],
            worktree=True,
        )
        return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})

    def index_entries(
        self, index_file: str | None = None, pathspecs: Sequence[str] = ()
    ) -> list[TreeEntry]:
        """Stage-0 entries of the index (what a commit would record)."""
        out = self.run(
            ["ls-files", "-z", "--stage", "--", *pathspecs], index_file=index_file, refs=False
        )
        entries = []
        for rec in out.decode("utf-8", "surrogateescape").split("\0"):
            if not rec:
                continue
            meta, _, path = rec.partition("\t")
            mode, sha, stage = meta.split()
            if stage != "0":
                continue
            kind = "commit" if mode == "160000" else "blob"
            entries.append(TreeEntry(mode, kind, sha, -1, path))
        return entries

    def tree_entries(self, commit: str) -> list[TreeEntry]:
        """Every file of ``commit`` (or of a tree), sorted by path; sizes unknown (-1).

        The trees are read through the repository's ``cat-file`` process, level
        by level (one request per folder depth), and parsed here: no ``ls-tree``
        process.  More than :data:`MAX_TREE_ENTRIES` files, or paths or tree objects of
        more than :data:`MAX_TREE_BYTES` bytes, is an error.
        """
        if not _SHA.match(commit):
            commit = self.rev_parse(commit)
        width = 32 if self.object_format() == "sha256" else 20
        header, body = self._cat.records([commit], _TREE_LIMIT)[0]
        kind = header.rsplit(" ", 2)[1] if header.count(" ") >= 2 else "missing"
        if kind == "commit" and body is not None and body.startswith(b"tree "):
            root = body[5 : body.find(b"\n")].decode("ascii", "replace")
        elif kind == "tree":
            root = commit
        else:
            raise GitError(f"{commit[:12]} is not a commit or tree of this repository ({header})")
        entries: list[TreeEntry] = []
        level = [("", root)]
        listed = 0  # bytes of the paths listed (files and folders still to read)
        read = 0  # bytes of the tree objects read
        while level:
            wanted = list(dict.fromkeys(sha for _, sha in level))
            trees = {}
            try:
                batch = self._cat.records(wanted, _TREE_LIMIT, max_total=MAX_TREE_BYTES - read)
            except TooMuch:
                raise self._too_big(commit) from None
            for sha, (head, data) in zip(wanted, batch, strict=True):
                if data is None or head.rsplit(" ", 2)[1:2] != ["tree"]:
                    raise GitError(f"tree {sha[:12]} cannot be read ({head})")
                trees[sha] = data
                read += len(data)
                self._cat.keep_tree(sha, data)  # the history walk reads them
            del batch
            below: list[tuple[str, str]] = []
            for prefix, sha in level:
                for mode, oid, path in _parse_tree(trees[sha], prefix, width):
                    listed += len(path)
                    if mode == "040000":
                        below.append((path + "/", oid))
                    else:
                        kind = "commit" if mode == "160000" else "blob"
                        entries.append(TreeEntry(mode, kind, oid, -1, path))
                if len(entries) + len(below) > MAX_TREE_ENTRIES:
                    raise GitError(
                        f"commit {commit[:12]} holds more than {MAX_TREE_ENTRIES} files; "
                        "not read (MODELGOV_MAX_TREE_ENTRIES raises the limit)"
                    )
                if listed > MAX_TREE_BYTES:
                    raise self._too_big(commit)
            level = below
        entries.sort(key=lambda e: e.path)
        return entries

    @staticmethod
    def _too_big(commit: str) -> GitError:
        return GitError(
            f"the file listing of commit {commit[:12]} holds more than {MAX_TREE_BYTES} bytes "
            "of paths or trees; not read (MODELGOV_MAX_TREE_BYTES raises the limit)"
        )

    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]:
        """Contents of blobs (through the ``cat-file`` process); ``None`` when over ``limit``."""
        return self._cat.read_blobs(shas, limit)

    def read_objects(
        self, names: Iterable[str], limit: int, *, index_file: str | None = None
    ) -> dict[str, tuple[str, bytes | None] | None]:
        """Objects by name -- a blob id, or ``:0:path`` for an index entry -- read by
        ``cat-file --batch``: ``(object id, content or None when over limit)``, or
        ``None`` when git has no such object."""
        return self._cat.read_objects(names, limit, index_file=index_file)

    def cat_file_batch(
        self, data: bytes, limit: int, *, index_file: str | None = None
    ) -> list[tuple[str, bytes | None]]:
        """``git cat-file --batch`` for the names in ``data`` (one per line), in a process
        of its own (see :meth:`~modelgov.git.catfile.ObjectReader.cat_file_batch`)."""
        return self._cat.cat_file_batch(data, limit, index_file=index_file)

    def committer_time(self, commit: str) -> int | None:
        """The committer timestamp of ``commit`` (seconds since the epoch), or ``None``
        when it cannot be read (through the repository's ``cat-file`` process)."""
        if not _SHA.match(commit):
            return None
        header, body = self._cat.records([commit], 1 << 20)[0]
        if body is None or header.rsplit(" ", 2)[1:2] != ["commit"]:
            return None
        m = re.search(rb"^committer [^\n]*> (\d{1,12}) [+-]\d{4}$", body.split(b"\n\n", 1)[0], re.M)
        return int(m.group(1)) if m else None

    def origin_url(self) -> str:
        """The ``url`` of the ``origin`` remote in the repository's own config ("" when none).

        Read in Python, like the refs (no include files are followed); the value is
        untrusted text, to show and compare, never to connect to."""
        text = _read_small(self.common_dir / "config", 1 << 16) or ""
        section = ""
        for raw in text.splitlines():
            line = raw.strip()
            m = re.match(r'^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]', line)
            if m:
                name = m.group(1).lower()
                section = f"{name}.{m.group(2)}" if m.group(2) is not None else name
                line = line[m.end() :].strip()
                if not line:
                    continue
            if section not in ("remote.origin",):
                continue
            key, sep, value = line.partition("=")
            if sep and key.strip().lower() == "url":
                return _config_value(value)
        return ""

    # -- history (MG202-MG204) ---------------------------------------------------
    def commit_as_of(self, date: _dt.date, rev: str = "HEAD") -> str | None:
        """The last commit on ``rev``'s first-parent line committed on or before ``date``
        (end of that day, UTC); ``None`` when there is none.  One ``rev-list``."""
        if self.head() is None:
            return None
        out = self.run(
            [
                "rev-list",
                "-1",
                "--first-parent",
                f"--until={date.isoformat()}T23:59:59+00:00",
                "--end-of-options",
                rev,
            ],
            check=False,
            refs=not _SHA.match(rev),
        )
        sha = out.decode("ascii", "replace").strip()
        return sha if _SHA.match(sha) else None

    def model_histories(
        self,
        specs: Sequence[ModelSpec],
        *,
        rev: str | None = None,
        index_file: str | None = None,
    ) -> dict[str, ModelHistory]:
        """The history of every model of this repository, judged at ``rev`` (default HEAD).

        One ``log`` walk for all models at most, or none for a short linear
        history, plus the repository's ``cat-file`` process: see
        :func:`modelgov.git.walk.model_histories`, where the walk is.
        """
        from . import walk

        return walk.model_histories(
            self._refs, self._sandbox, self._cat, specs, rev=rev, index_file=index_file
        )


def _config_value(raw: str) -> str:
    """A git config value: quotes removed, ``\\"`` and ``\\\\`` unescaped, a trailing
    comment dropped."""
    out = []
    quoted = False
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()
