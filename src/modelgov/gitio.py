"""The only module that talks to git.  Everything else gets plain data from it.

Design: the repository's own configuration is never trusted
-----------------------------------------------------------
modelgov checks repositories it did not write (an auditor's thousand repos, a
pull request from a fork).  A repository's ``.git/config`` -- and any file an
``include.path`` in it names -- can set keys that make git run programs:
``core.fsmonitor``, ``core.hooksPath``, ``core.pager``, ``diff.external``,
``diff.*.textconv``, ``filter.*``, ``gpg.program``, ``core.sshCommand``,
``credential.helper``, aliases, and more in every release.  Chasing those
keys one by one is a race we would lose, so modelgov never lets git read the
repository's configuration at all:

* Every git process runs with ``GIT_DIR`` pointing at a private *shadow*
  directory that modelgov creates in a temporary folder.  The shadow holds a
  config file written by modelgov (bare, no fsmonitor, no untracked cache),
  ``HEAD`` and ``packed-refs`` with the repository's refs as read by this
  module in Python (plain files, size-capped, no symlinks followed), a copy
  of ``shallow`` and ``info/exclude``, and nothing else.
* ``GIT_OBJECT_DIRECTORY`` points at the repository's object store, which is
  pure data (objects, packs, commit-graph, alternates).
* ``GIT_CONFIG_NOSYSTEM=1`` and ``GIT_CONFIG_GLOBAL=/dev/null``: neither the
  machine's nor the user's config applies either, so results do not depend
  on who runs modelgov.  ``HOME`` and ``XDG_CONFIG_HOME`` point at the shadow.
* ``GIT_NO_REPLACE_OBJECTS=1``, and the shadow has no ``refs/replace`` and no
  ``info/grafts``: replace refs and grafts cannot forge the history judged.
* ``GIT_NO_LAZY_FETCH=1`` and ``GIT_TERMINAL_PROMPT=0``: reading a partial
  clone never reaches the network, and nothing ever prompts.
* Inherited ``GIT_*`` variables are dropped; a pre-commit run's
  ``GIT_INDEX_FILE`` is passed on explicitly where the index is read.
* Every process has a time limit and is started with an argument list, never
  a shell, with ``--end-of-options`` before user-given revisions.

Since the repository's config file is never opened by git, an ``include``
of a FIFO or an endless file cannot hang modelgov; the only bytes of
``.git`` modelgov reads itself are ``HEAD``, refs, ``packed-refs``,
``shallow``, ``commondir`` and ``info/exclude``, each as a regular file with a
size cap.  The shadow is owned by the running user, so git's ``safe.directory``
ownership check does not get in the way of an auditor either.

The files git still opens in the repository -- the object store (loose
objects, packs and their indexes, ``commit-graph``, ``info/alternates`` and the
stores it names), the index, and the work tree's ``.gitignore`` files -- are
opened by git with a blocking ``open()``.  Before git runs, modelgov lists
them (directory entries only, nothing opened) and refuses the repository with
a clear error when one is a FIFO, a device or a broken link, so such a file
cannot stall git until its time limit or feed it bytes without end
(:func:`check_object_store`, :func:`special_ignore_file`).

Git never writes into the repository: the commands used (``ls-files``,
``cat-file``, ``rev-parse``, ``rev-list``, ``log``) are read-only, optional
locks are disabled, and the index is only read.

Git processes per run
---------------------
Per repository, never per model or per path (``GitRepo.calls`` counts them):

* every object read -- the trees of a commit (listed here, level by level,
  instead of by ``ls-tree``), model files, old versions, a CODEOWNERS, a
  symlink's target -- goes through one ``cat-file --batch`` process kept
  open for the repository (:class:`_CatFile`; closed by :meth:`GitRepo.close`,
  killed when a batch overruns the time limit);
* work tree: one ``ls-files`` (discovery); index (``--staged``): one
  ``ls-files --stage``; commit (``--rev``): one ``rev-parse``; ``--as-of``
  adds one ``rev-list``; an audit resolves HEAD in Python and starts none;
* history, only when an enabled rule needs it (MG202, MG204): one ``log``
  walk for all models, streamed and stopped once the rules have what they
  need (:meth:`GitRepo.model_histories`); none for a linear history of at
  most 64 commits, whose commits and trees the ``cat-file`` process reads.

So a repository costs one process in an audit (``cat-file``; two with a
longer or branching history) and two or three in ``check``.  An audit worker also shares one shadow git dir
between the repositories it reads (:class:`SharedShadow`) for every command
that names objects by id.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from .errors import GitError

if TYPE_CHECKING:
    from . import history
    from .facts.history import ModelHistory, ModelSpec

GIT_TIMEOUT = float(os.environ.get("MODELGOV_GIT_TIMEOUT", "60"))
_SMALL_FILE = 1 << 20  # refs, HEAD and friends: never more than this
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_BY_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?(~\d+)?$")  # names that need no refs
_KEEP_ENV = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


def _read_small(path: Path, limit: int = _SMALL_FILE) -> str | None:
    """Read a small regular file without following a symlink or blocking on a FIFO."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode) or st.st_size > limit:
        return None
    from .repoview import ReadError, read_regular_file

    try:
        return read_regular_file(str(path), limit).decode("utf-8", "replace")
    except ReadError:
        return None


def _not_regular(path: Path) -> bool:
    """True when ``path`` exists but is no regular file, links followed (FIFO, device, loop)."""
    import stat as _stat

    try:
        return not _stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return os.path.lexists(path)  # a dangling or looping link


def check_object_store(objects: Path) -> None:
    """Refuse an object store that git would block on or read without end.

    git opens the files of an object store with a blocking ``open()`` and reads
    ``info/alternates`` whole, so a FIFO, a device or a link to one anywhere in
    it would stall git until its time limit or fill memory.  Every entry is
    looked at here (directory listings only; no file is opened) before git
    runs, and alternates are followed as git follows them (five levels).
    """
    seen: set[str] = set()
    todo = [(Path(objects), 0)]
    while todo:
        store, level = todo.pop()
        real = os.path.realpath(store)
        if real in seen:
            continue
        seen.add(real)
        stack = [(store, 0)]
        while stack:
            folder, depth = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir():
                        if depth < 2:
                            stack.append((Path(entry.path), depth + 1))
                        continue
                    regular = entry.is_file()
                    capped = regular and entry.name in ("alternates", "commit-graph-chain")
                    size = entry.stat().st_size if capped else 0
                except OSError:
                    regular, size = False, 0
                if not regular:
                    raise GitError(
                        f"{entry.path} in the repository's object store is not a regular file "
                        "(a FIFO, a device or a broken link); the repository is not read"
                    )
                if size > _SMALL_FILE:
                    raise GitError(f"{entry.path} is {size} bytes; the repository is not read")
        alternates = _read_small(store / "info" / "alternates") or ""
        for line in alternates.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and level < 5:
                alt = Path(line) if os.path.isabs(line) else store / line
                if alt.is_dir():
                    todo.append((alt, level + 1))


def special_ignore_file(worktree: Path) -> str | None:
    """The first ``.gitignore`` of the work tree git would block on reading, or None.

    ``git ls-files --exclude-standard`` opens the ``.gitignore`` of every folder
    it visits (a symlinked one is not followed; a FIFO or device would block
    it).  Vendored and virtualenv folders are not walked here (git rarely
    visits them: they are ignored); git's time limit still bounds those.
    """
    from .repoview import SKIP_DIRS

    stack = [str(worktree)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        stack.append(entry.path)
                elif (
                    entry.name == ".gitignore"
                    and not entry.is_symlink()
                    and not entry.is_file(follow_symlinks=False)
                ):
                    return entry.path
            except OSError:
                continue
    return None


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


class TreeEntry(NamedTuple):
    mode: str
    type: str
    sha: str
    size: int  # -1 when unknown (index entries, submodules, trees read by cat-file)
    path: str


#: Files of one commit listed at most (a "tree bomb" -- one subtree named a
#: thousand times, ten levels deep -- would otherwise list without end).
MAX_TREE_ENTRIES = int(os.environ.get("MODELGOV_MAX_TREE_ENTRIES", "2000000"))
_TREE_LIMIT = 64 << 20  # one tree object larger than this is refused
_TREE_CACHE = 1 << 20  # tree objects of a listing kept for the history walk
_READ = 1 << 18


class _CatFile:
    """One ``git cat-file --batch`` process kept open for a repository.

    Every object a run reads from a repository -- trees, model.yaml blobs,
    old versions, CODEOWNERS -- goes through this one process instead of a
    process per batch.  Requests are written and answers read through
    non-blocking pipes under :func:`select.poll` (no thread, no deadlock: git
    may answer while the rest of a batch is still being written), with a
    deadline of :data:`GIT_TIMEOUT` per batch; past it the process is killed.
    An object over the caller's limit is read past in chunks and never held.
    The owner closes it (:meth:`GitRepo.close`) on every path.
    """

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            bufsize=0,
        )
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self._err = self.proc.stderr.fileno()
        for fd in (self._in, self._out, self._err):
            os.set_blocking(fd, False)
        import select

        self._poll = select.poll()
        self._poll.register(self._out, select.POLLIN)
        self._poll.register(self._err, select.POLLIN)
        self._buf = bytearray()
        self._errors = bytearray()  # the tail of git's stderr, for messages
        self.dead = False

    def request(self, names: Sequence[str], limit: int) -> list[tuple[str, bytes | None]]:
        """Header and content (``None`` when missing or over ``limit``) of each name.

        Anything going wrong midway (a time limit, an interruption) ends the
        process: its stream would be out of step with the next batch."""
        try:
            return self._request(names, limit)
        except BaseException:
            self.kill()
            raise

    def _request(self, names: Sequence[str], limit: int) -> list[tuple[str, bytes | None]]:
        import select
        import time

        data = "".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape")
        view = memoryview(data)
        records: list[tuple[str, bytes | None]] = []
        deadline = time.monotonic() + GIT_TIMEOUT
        poller = self._poll
        try:  # a batch fits in the pipe most of the time: no poll for writing then
            sent = os.write(self._in, data)
        except BlockingIOError:
            sent = 0
        except BrokenPipeError:
            sent = len(data)  # git is gone; its output says why
        if sent < len(data):
            poller.register(self._in, select.POLLOUT)
        header = ""
        need = -1  # bytes of the current object (and its newline) still to come; -1: a header
        keep = False
        body: list[bytes] = []
        pos = 0  # parsed up to here in self._buf
        count = len(names)
        add = records.append
        buf = self._buf
        while len(records) < count:
            # parse what has arrived
            size_now = len(buf)
            while len(records) < count:
                if need < 0:
                    nl = buf.find(b"\n", pos)
                    if nl < 0:
                        if size_now - pos > 1 << 16:
                            self.kill()
                            raise GitError("git cat-file wrote an overlong header; stopped")
                        break
                    header = buf[pos:nl].decode("utf-8", "replace")
                    pos = nl + 1
                    fields = header.rsplit(" ", 2)
                    if len(fields) < 3 or not fields[2].isdigit() or not _SHA.match(fields[0]):
                        add((header, None))  # "<name> missing" / "ambiguous"
                        continue
                    size = int(fields[2])
                    if size <= limit and pos + size < size_now:  # all there: no copies
                        add((header, bytes(buf[pos : pos + size])))
                        pos += size + 1
                        continue
                    need, keep, body = size + 1, size <= limit, []
                    continue
                take = min(need, size_now - pos)
                if take <= 0:
                    break
                if keep:
                    body.append(bytes(buf[pos : pos + take]))
                pos += take
                need -= take
                if need == 0:
                    add((header, b"".join(body)[:-1] if keep else None))
                    need, body = -1, []
            if pos:
                del buf[:pos]
                pos = 0
            if len(records) >= count:
                break
            wait = deadline - time.monotonic()
            if wait <= 0:
                self.kill()
                raise GitError(f"git cat-file took longer than {GIT_TIMEOUT:.0f}s; stopped")
            for fd, _event in poller.poll(wait * 1000):
                if fd == self._in:
                    try:
                        sent += os.write(fd, view[sent : sent + _READ])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        sent = len(data)  # git is gone; its output says why
                    if sent >= len(data):
                        poller.unregister(fd)
                elif fd == self._err:
                    chunk = self._drain(fd)
                    if chunk is None:
                        poller.unregister(fd)
                        self._err = -1
                    else:
                        self._errors = (self._errors + chunk)[-4096:]
                else:
                    chunk = self._drain(fd)
                    if chunk is None:
                        self.kill()
                        lines = self._errors.decode("utf-8", "replace").strip().splitlines()
                        raise GitError(
                            "git cat-file failed: " + (lines[-1] if lines else "it stopped")
                        )
                    buf += chunk
        return records

    @staticmethod
    def _drain(fd: int) -> bytes | None:
        """What ``fd`` holds now (``b""`` if nothing yet), or ``None`` at end of file."""
        try:
            chunk = os.read(fd, _READ)
        except BlockingIOError:
            return b""
        return chunk or None

    def kill(self) -> None:
        self.close()

    def close(self) -> None:
        """End the process (it only reads; nothing is lost) and reap it."""
        self.dead = True
        if self.proc.poll() is None:
            self.proc.kill()  # at once: waiting for it to see the end of its input costs more
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.proc.wait()


def _parse_tree(data: bytes, prefix: str, width: int) -> list[tuple[str, str, str]]:
    """Entries of a raw tree object: (mode as ls-tree shows it, object id, path)."""
    out = []
    pos = 0
    end = len(data)
    find = data.find
    modes = _MODES
    while pos < end:
        sp = find(b" ", pos)
        nul = find(b"\0", sp + 1)
        if sp < 0 or nul < 0 or nul + 1 + width > end:
            raise GitError("a tree object is malformed; the commit cannot be listed")
        mode = data[pos:sp]
        shown = modes.get(mode) or _canonical_mode(mode)
        name = data[sp + 1 : nul].decode("utf-8", "surrogateescape")
        pos = nul + 1 + width
        out.append((shown, data[nul + 1 : pos].hex(), prefix + name))
    return out


_MODES = {b"40000": "040000", b"100644": "100644", b"100755": "100755", b"120000": "120000",
          b"160000": "160000"}  # fmt: skip


def _canonical_mode(mode: bytes) -> str:
    """A tree entry's mode as git canonicalises it when reading a tree."""
    if not mode.isdigit():
        raise GitError("a tree object is malformed; the commit cannot be listed")
    if mode.startswith(b"4"):
        return "040000"
    if mode.startswith(b"12"):
        return "120000"
    if mode.startswith(b"16"):
        return "160000"
    return "100755" if int(mode, 8) & 0o100 else "100644"  # a regular file


class SharedShadow:
    """Shadow git dirs shared by many repositories, for questions asked by object id.

    Creating and removing a shadow per repository (a folder, ``refs/``, three
    files) cost an audit more than reading the repository did.  An audit
    worker opens one of these for a batch of repositories: a shadow per object
    format, with modelgov's config, a ``HEAD`` that names no commit and no refs
    at all.  A repository given one (``GitRepo(..., shared=...)``) uses it for
    every command that names objects by id (``cat-file``, ``log SHA``,
    ``ls-files --stage``); anything that resolves a name (``rev-parse``), reads
    the work tree's excludes or a shallow repository (whose ``shallow`` file git
    must see) gets its own shadow as before.  Nothing of one repository is in
    it, so nothing leaks from one repository to the next.
    """

    def __init__(self) -> None:
        self._dirs: dict[str, Path] = {}

    def get(self, fmt: str) -> Path:
        if fmt not in self._dirs:
            shadow = Path(tempfile.mkdtemp(prefix="modelgov-git-"))
            _write_config(shadow, fmt)
            (shadow / "refs").mkdir()
            (shadow / "HEAD").write_text("ref: refs/heads/modelgov-empty\n", encoding="utf-8")
            self._dirs[fmt] = shadow
        return self._dirs[fmt]

    def close(self) -> None:
        for shadow in self._dirs.values():
            shutil.rmtree(shadow, ignore_errors=True)
        self._dirs.clear()

    def __enter__(self) -> SharedShadow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_config(shadow: Path, fmt: str) -> None:
    """modelgov's own config for a shadow git dir (the repository's is never read)."""
    config = [
        "[core]",
        f"\trepositoryformatversion = {1 if fmt != 'sha1' else 0}",
        "\tbare = true",
        "\tfsmonitor = false",
        "\tuntrackedCache = false",
        "\thooksPath = /dev/null",
        "\tsymlinks = true",
        "\tquotePath = false",
        "[diff]",
        "\texternal =",
        "\trenames = true",
        "[log]",
        "\tshowSignature = false",
        "[safe]",
        "\tbareRepository = all",
    ]
    if fmt != "sha1":
        config += ["[extensions]", f"\tobjectFormat = {fmt}"]
    (shadow / "config").write_text("\n".join(config) + "\n", encoding="utf-8")


class GitRepo:
    """Read-only access to one repository through hardened git processes."""

    def __init__(
        self, git_dir: Path, worktree: Path | None, *, shared: SharedShadow | None = None
    ) -> None:
        self.git_dir = Path(os.path.abspath(git_dir))
        self.worktree = Path(os.path.abspath(worktree)) if worktree is not None else None
        common = _read_small(self.git_dir / "commondir", 4096)
        if common and common.strip():
            c = Path(common.strip())
            self.common_dir = Path(os.path.abspath(c if c.is_absolute() else self.git_dir / c))
        else:
            self.common_dir = self.git_dir
        self._shadow: Path | None = None
        self._shared = shared
        self._checked = False  # the object store was looked at (check_object_store)
        self._fmt: str | None = None
        self._shallow: bool | None = None
        self._refs: dict[str, str] | None = None
        self._batches: dict[str, _CatFile] = {}  # by index file and shadow
        self._trees: dict[str, bytes] = {}  # tree objects read, kept up to _TREE_CACHE bytes
        self._tree_bytes = 0
        self.calls = 0  # git processes started (reported by --stats and the docs)

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
        batches, self._batches = list(self._batches.values()), {}
        for batch in batches:
            batch.close()
        if self._shadow is not None:
            shutil.rmtree(self._shadow, ignore_errors=True)
            self._shadow = None

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- refs, read in Python --------------------------------------------------
    def _object_format(self) -> str:
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

    # -- the shadow git dir -----------------------------------------------------
    def _shadow_dir(self, *, refs: bool = True) -> Path:
        """The shadow git dir; with ``refs=False`` (names are object ids) the shared one
        when this repository was given a :class:`SharedShadow` and is not shallow."""
        if self._shadow is not None:
            return self._shadow
        if not self._checked:
            check_object_store(self.common_dir / "objects")
            self._checked = True
        fmt = self._object_format()
        if not refs and self._shared is not None and not self.is_shallow():
            return self._shared.get(fmt)
        shadow = Path(tempfile.mkdtemp(prefix="modelgov-git-"))
        _write_config(shadow, fmt)
        (shadow / "refs").mkdir()
        (shadow / "info").mkdir()
        head = self.head()
        zero = "0" * (64 if fmt == "sha256" else 40)
        (shadow / "HEAD").write_text(
            (head or "ref: refs/heads/modelgov-empty") + "\n", encoding="utf-8"
        )
        lines = ["# pack-refs with: peeled sorted"]
        for name, sha in sorted(self.refs().items()):
            if sha != zero and not name.startswith("refs/replace/"):
                lines.append(f"{sha} {name}")
        (shadow / "packed-refs").write_text("\n".join(lines) + "\n", encoding="utf-8")
        shallow = _read_small(self.common_dir / "shallow")
        if shallow:
            (shadow / "shallow").write_text(shallow, encoding="utf-8")
        exclude = _read_small(self.common_dir / "info" / "exclude", 1 << 16)
        if exclude:
            (shadow / "info" / "exclude").write_text(exclude, encoding="utf-8")
        self._shadow = shadow
        return shadow

    def env(
        self, *, index_file: str | None = None, worktree: bool = False, refs: bool = True
    ) -> dict[str, str]:
        shadow = self._shadow_dir(refs=refs or worktree)
        env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
        env.update(
            {
                "GIT_DIR": str(shadow),
                "GIT_OBJECT_DIRECTORY": str(self.common_dir / "objects"),
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_CONFIG_SYSTEM": os.devnull,
                "HOME": str(shadow),
                "XDG_CONFIG_HOME": str(shadow),
                "GIT_NO_REPLACE_OBJECTS": "1",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_OPTIONAL_LOCKS": "0",
                "GIT_NO_LAZY_FETCH": "1",
                "GIT_ATTR_NOSYSTEM": "1",
                "GIT_PAGER": "cat",
                "PAGER": "cat",
                "LC_ALL": "C",
                "GIT_ASKPASS": "",
                "SSH_ASKPASS": "",
                "GIT_EDITOR": ":",
            }
        )
        # git hands hooks a GIT_INDEX_FILE relative to the worktree root (the hook's cwd,
        # and ours); git itself runs in the shadow dir, so make it absolute here.
        env["GIT_INDEX_FILE"] = (
            os.path.abspath(index_file) if index_file else str(self.git_dir / "index")
        )
        if _not_regular(Path(env["GIT_INDEX_FILE"])):  # git would block on a FIFO
            raise GitError(
                f"the index {env['GIT_INDEX_FILE']} is not a regular file "
                "(a FIFO, a device or a broken link); not read"
            )
        if worktree and self.worktree is not None:
            env["GIT_WORK_TREE"] = str(self.worktree)
        return env

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
        (no refs) serves (see :class:`SharedShadow`)."""
        self.calls += 1
        env = self.env(index_file=index_file, worktree=worktree, refs=refs)
        cwd = str(self.worktree) if worktree and self.worktree else env["GIT_DIR"]
        try:
            proc = subprocess.run(
                ["git", "--no-pager", *args],
                input=input,
                capture_output=True,
                env=env,
                cwd=cwd,
                timeout=GIT_TIMEOUT,
                check=False,
                stdin=None if input is not None else subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f}s; stopped") from None
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        if check and proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {msg[-1] if msg else f'exit {proc.returncode}'}")
        return proc.stdout

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
        process.  More than :data:`MAX_TREE_ENTRIES` files is an error.
        """
        if not _SHA.match(commit):
            commit = self.rev_parse(commit)
        width = 32 if self._object_format() == "sha256" else 20
        header, body = self._objects([commit], _TREE_LIMIT)[0]
        kind = header.rsplit(" ", 2)[1] if header.count(" ") >= 2 else "missing"
        if kind == "commit" and body is not None and body.startswith(b"tree "):
            root = body[5 : body.find(b"\n")].decode("ascii", "replace")
        elif kind == "tree":
            root = commit
        else:
            raise GitError(f"{commit[:12]} is not a commit or tree of this repository ({header})")
        entries: list[TreeEntry] = []
        level = [("", root)]
        while level:
            wanted = list(dict.fromkeys(sha for _, sha in level))
            trees = {}
            for sha, (head, data) in zip(wanted, self._objects(wanted, _TREE_LIMIT), strict=True):
                if data is None or head.rsplit(" ", 2)[1:2] != ["tree"]:
                    raise GitError(f"tree {sha[:12]} cannot be read ({head})")
                trees[sha] = data
                if self._tree_bytes + len(data) <= _TREE_CACHE:  # the history walk reads them
                    self._trees[sha] = data
                    self._tree_bytes += len(data)
            below: list[tuple[str, str]] = []
            for prefix, sha in level:
                for mode, oid, path in _parse_tree(trees[sha], prefix, width):
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
            level = below
        entries.sort(key=lambda e: e.path)
        return entries

    def _objects(
        self, names: Sequence[str], limit: int, *, index_file: str | None = None
    ) -> list[tuple[str, bytes | None]]:
        """``cat-file --batch`` records of ``names``: through the repository's persistent
        process where the platform can poll pipes, else one process for this batch."""
        if not names:
            return []
        if any("\n" in n or "\r" in n for n in names):
            raise GitError("an object name cannot hold a line break")
        import select

        if not hasattr(select, "poll"):
            data = "".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape")
            return self.cat_file_batch(data, limit, index_file=index_file)
        # names other than object ids and index entries need refs: not the shared shadow
        private = self._shared is not None and not all(
            _BY_ID.match(n) or n.startswith(":0:") for n in names
        )
        key = f"{index_file or ''}\0{private}"
        batch = self._batches.get(key)
        if batch is None or batch.dead:
            env = self.env(index_file=index_file, refs=private)
            self.calls += 1
            try:
                batch = _CatFile(["git", "--no-pager", "cat-file", "--batch"], env, env["GIT_DIR"])
            except FileNotFoundError:
                raise GitError("git is not installed (or not on PATH)") from None
            self._batches[key] = batch
        return batch.request(names, limit)

    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]:
        """Contents of blobs (through the ``cat-file`` process); ``None`` when over ``limit``."""
        wanted = list(dict.fromkeys(s for s in shas if _SHA.match(s)))
        if not wanted:
            return {}
        records = self._objects(wanted, limit)
        result: dict[str, bytes | None] = {}
        for sha, (header, body) in zip(wanted, records, strict=False):
            fields = header.split()
            result[sha] = body if len(fields) == 3 and fields[1] == "blob" else None
        result.update(dict.fromkeys(wanted[len(records) :]))
        return result

    def cat_file_batch(
        self, data: bytes, limit: int, *, index_file: str | None = None
    ) -> list[tuple[str, bytes | None]]:
        """``git cat-file --batch`` for the names in ``data`` (one per line), streamed.

        Returns each object's header line and its content, or ``None`` when the
        object is missing or larger than ``limit``: git writes into a pipe that
        a thread reads as it comes, reading past a large object in chunks, so a
        500 MB blob named model.yaml costs no more memory than a small one.
        """
        import threading

        self.calls += 1
        records: list[tuple[str, bytes | None]] = []
        failure: list[BaseException] = []
        read_fd, write_fd = os.pipe()

        def consume() -> None:
            with os.fdopen(read_fd, "rb") as stream:
                try:
                    _parse_batch(stream, data.count(b"\n"), limit, records)
                except BaseException as exc:  # reported by the caller's thread
                    failure.append(exc)
                while stream.read(1 << 20):  # drain: git must never block on a full pipe
                    pass

        reader = threading.Thread(target=consume, daemon=True)
        reader.start()
        try:
            proc = subprocess.run(
                ["git", "--no-pager", "cat-file", "--batch"],
                input=data,
                stdout=write_fd,
                stderr=subprocess.PIPE,
                env=self.env(index_file=index_file),
                cwd=str(self._shadow_dir()),
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git cat-file took longer than {GIT_TIMEOUT:.0f}s; stopped") from None
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        finally:
            os.close(write_fd)
            reader.join()
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git cat-file failed: {msg[-1] if msg else f'exit {proc.returncode}'}")
        if failure:
            raise GitError(f"git cat-file output could not be read: {failure[0]}")
        return records

    def log(self, args: Sequence[str], *, refs: bool = True) -> bytes:
        """``git log`` with fixed, safe options (no pager, no signatures, no textconv)."""
        return self.run(
            ["log", "--no-textconv", "--no-ext-diff", "--no-color", "--no-show-signature", *args],
            refs=refs,
        )

    # -- history (MG202-MG204) ---------------------------------------------------
    def object_format(self) -> str:
        """``sha1`` or ``sha256``: how this repository names its objects."""
        return self._object_format()

    def shallow_commits(self) -> frozenset[str]:
        """The boundary commits of a shallow clone (empty when the history is complete)."""
        from .history import parse_shallow

        return parse_shallow(_read_small(self.common_dir / "shallow"))

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

    def read_objects(
        self, names: Iterable[str], limit: int, *, index_file: str | None = None
    ) -> dict[str, tuple[str, bytes | None] | None]:
        """Objects by name -- a blob id, or ``:0:path`` for an index entry -- read by
        ``cat-file --batch``: ``(object id, content or None when over limit)``, or
        ``None`` when git has no such object."""
        wanted = [n for n in dict.fromkeys(names) if n and "\n" not in n and "\r" not in n]
        if not wanted:
            return {}
        records = self._objects(wanted, limit, index_file=index_file)
        result: dict[str, tuple[str, bytes | None] | None] = {}
        for name, (header, body) in zip(wanted, records, strict=False):
            fields = header.rsplit(" ", 2)
            if len(fields) < 3 or not fields[2].isdigit() or not _SHA.match(fields[0]):
                result[name] = None  # "<name> missing" / "ambiguous"
                continue
            result[name] = (fields[0], body if fields[1] == "blob" else None)
        return result

    def model_histories(
        self,
        specs: Sequence[ModelSpec],
        *,
        rev: str | None = None,
        index_file: str | None = None,
    ) -> dict[str, ModelHistory]:
        """The history of every model of this repository, judged at ``rev`` (default HEAD).

        Git processes, whatever the number of models (``self.calls`` counts them):

        * one ``git log --parents --raw -z --no-abbrev -M`` from ``rev``,
          limited by :func:`modelgov.history.pathspecs` and streamed: in a
          linear history it is stopped as soon as every model has what its
          rules need (:meth:`modelgov.history.Walker.satisfied`), so a long
          history is not read to its start.  Its default order is topological
          unless committer dates go backwards; when the walk meets a commit
          after its parent, a second ``log --topo-order`` walks it sorted;
        * the committed versions of the model files (owner history) and, for
          models judged from the work tree (``worktree_ids`` set), their index
          entries (``:0:path``) are read by the repository's ``cat-file``
          process (:meth:`read_objects`).

        A repository without commits starts no process.  Parsing and judging
        are in :mod:`modelgov.history`.
        """
        from . import history
        from .document import MAX_BYTES

        start = rev or self.head()
        boundary = self.shallow_commits()
        if start is None:
            return history.empty(specs, shallow=bool(boundary))
        args = [
            "--parents",
            "--raw",
            "-z",
            "--no-abbrev",
            "-M",
            f"--format={history.LOG_FORMAT}",
            "--end-of-options",
            start,
            "--",
            *history.pathspecs(specs),
        ]
        refs = not _SHA.match(start)
        read: dict[str, tuple[str, bytes | None] | None] = {}

        def emails_of(blobs: Sequence[str]) -> dict[str, str]:
            found = self.read_objects(blobs, MAX_BYTES, index_file=index_file)
            read.update(found)
            return {
                b: history.owner_email(got[1] if (got := found.get(b)) else None) for b in blobs
            }

        walker = history.Walker(specs, rev=start, shallow=bool(boundary), emails_of=emails_of)
        small = None if boundary or refs else self._small_log(start, args[args.index("--") + 1 :])
        walked: history.Walk | None
        if small is not None:
            for entry in small:
                walker.feed(entry)
            walked = walker.result()
        else:
            walked = self._walk_streamed(walker, args, boundary, refs=refs)
        if walked is None:  # not in topological order: walk it again, sorted by git
            raw = self.log(["--topo-order", *args], refs=refs)
            walked = history.walk(
                history.parse_log(raw, boundary), specs, rev=start, shallow=bool(boundary)
            )
        names = [b for b in walked.blob_requests() if b not in read]
        names += [
            history.index_name(s.file)
            for s in specs
            if s.worktree_ids is not None and s.index_id is None
        ]
        if names:
            read.update(self.read_objects(names, MAX_BYTES, index_file=index_file))
        return history.finish(walked, read, walker.emails)

    def _small_log(self, start: str, specs: Sequence[str]) -> list[history.LogEntry] | None:
        """What ``git log --parents --raw -M START -- SPECS`` prints, read from objects.

        For a linear history of at most :data:`~modelgov.history.SMALL_HISTORY`
        commits (most repositories of an audit) the commits are read through
        the repository's ``cat-file`` process -- ``START~0`` to ``START~31``
        in one batch -- and their trees compared here, level by level: no
        ``log`` process.  ``None`` (the walk is left to ``git log``) for a
        longer history, a merge, a commit that both adds and deletes matched
        files (git's rename detection decides those), anything
        :func:`~modelgov.history.parse_commit` would not show as git does, or
        a missing object.
        """
        import select

        from . import history

        filters = history.pathspec_filter(specs)
        if filters is None or not hasattr(select, "poll"):
            return None  # (without poll every batch would be a process of its own)
        matches, may_hold = filters
        commits: list[history.RawCommit] = []
        sha = start
        while True:
            names = [sha] + [f"{sha}~{i}" for i in range(1, 32)]
            ended = False
            for header, body in self._objects(names, 1 << 20):
                fields = header.rsplit(" ", 2)
                if body is None or len(fields) < 3 or fields[1] != "commit":
                    if header.endswith(" missing") and commits and not commits[-1].commit.parents:
                        ended = True  # past the root
                        break
                    return None  # not a commit, too large, or an object missing
                raw = history.parse_commit(fields[0], body)
                if (
                    raw is None
                    or len(raw.commit.parents) > 1
                    or len(commits) >= history.SMALL_HISTORY
                ):
                    return None
                if commits and commits[-1].commit.parents != (raw.commit.sha,):
                    return None
                commits.append(raw)
                if not raw.commit.parents:
                    ended = True
                    break
            if ended:
                break
            sha = commits[-1].commit.parents[0]
        zero = "0" * (64 if self._object_format() == "sha256" else 40)
        width = len(zero) // 2
        changes: list[list[history.Change]] = [[] for _ in commits]
        pending: list[tuple[int, str, str | None, str | None]] = []
        for i, raw in enumerate(commits):
            parent = commits[i + 1].tree if i + 1 < len(commits) else None
            if raw.tree != parent:
                pending.append((i, "", raw.tree, parent))
        trees: dict[str, dict[str, tuple[str, str]]] = {}
        compared = 0
        while pending:
            wanted = list(dict.fromkeys(t for _, _, a, b in pending for t in (a, b) if t))
            wanted = [t for t in wanted if t not in trees]
            known = [t for t in wanted if t in self._trees]  # read by tree_entries already
            unknown = [t for t in wanted if t not in self._trees]
            read = zip(unknown, self._objects(unknown, _TREE_LIMIT), strict=True)
            cached = ((t, (f"{t} tree 0", self._trees[t])) for t in known)
            for tree, (header, data) in [*cached, *read]:
                if data is None or header.rsplit(" ", 2)[1:2] != ["tree"]:
                    return None
                trees[tree] = {
                    name: (mode, oid) for mode, oid, name in _parse_tree(data, "", width)
                }
            below: list[tuple[int, str, str | None, str | None]] = []
            for i, prefix, new, old in pending:
                new_entries = trees[new] if new else {}
                old_entries = trees[old] if old else {}
                compared += len(new_entries) + len(old_entries)
                if compared > history.SMALL_HISTORY_ENTRIES:
                    return None
                for path, n, o in history.diff_entries(
                    new_entries, old_entries, prefix, matches, may_hold, zero, changes[i]
                ):
                    below.append((i, path, n, o))
            pending = below
        return history.small_log(commits, changes, limited=bool(specs))

    def _walk_streamed(
        self, walker: history.Walker, args: Sequence[str], boundary: Iterable[str], *, refs: bool
    ) -> history.Walk | None:
        """Feed ``git log ARGS`` to ``walker`` as it comes; stop when it is satisfied.

        ``None`` when the log was not in topological order (the walk is void)."""
        from . import history

        parser = history.LogParser(boundary)
        log = [
            "log", "--no-textconv", "--no-ext-diff", "--no-color", "--no-show-signature", *args
        ]  # fmt: skip
        chunks = self._stream(log, refs=refs)
        try:
            for chunk in chunks:
                for entry in parser.feed(chunk):
                    if not walker.feed(entry):
                        return None
                if walker.satisfied():
                    return walker.result(cut=True)
            for entry in parser.close():
                if not walker.feed(entry):
                    return None
        finally:
            chunks.close()  # stops git if it is still writing
        return walker.result()

    def _stream(self, args: Sequence[str], *, refs: bool = True) -> Generator[bytes, None, None]:
        """Run ``git ARGS`` and yield its output as it comes.

        Closing the generator early kills git (it only reads).  The whole run
        has the time limit of :meth:`run`; an exit code other than 0 is a
        :class:`GitError` with git's last line of error output.  Where pipes
        cannot be polled, the output is read whole and yielded at once.
        """
        import select
        import time

        if not hasattr(select, "poll"):
            yield self.run(args, refs=refs)
            return
        self.calls += 1
        env = self.env(refs=refs)
        try:
            proc = subprocess.Popen(
                ["git", "--no-pager", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=env["GIT_DIR"],
                bufsize=0,
            )
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        assert proc.stdout is not None and proc.stderr is not None
        out, err = proc.stdout.fileno(), proc.stderr.fileno()
        errors = bytearray()
        try:
            os.set_blocking(out, False)
            os.set_blocking(err, False)
            poller = select.poll()
            poller.register(out, select.POLLIN)
            poller.register(err, select.POLLIN)
            deadline = time.monotonic() + GIT_TIMEOUT
            live = {out, err}
            while out in live:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f}s; stopped")
                for fd, _event in poller.poll(wait * 1000):
                    chunk = _CatFile._drain(fd)
                    if chunk is None:
                        poller.unregister(fd)
                        live.discard(fd)
                    elif fd == err:
                        errors = (errors + chunk)[-4096:]
                    elif chunk:
                        yield chunk
            try:
                code = proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                raise GitError(
                    f"git {args[0]} took longer than {GIT_TIMEOUT:.0f}s; stopped"
                ) from None
            while err in live:  # git has ended: what it wrote is all there
                chunk = _CatFile._drain(err)
                if not chunk:
                    break
                errors = (errors + chunk)[-4096:]
            if code != 0:
                lines = errors.decode("utf-8", "replace").strip().splitlines()
                raise GitError(f"git {args[0]} failed: {lines[-1] if lines else f'exit {code}'}")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
            proc.wait()


def _parse_batch(
    stream: IO[bytes], count: int, limit: int, records: list[tuple[str, bytes | None]]
) -> None:
    """Parse ``count`` records of ``cat-file --batch`` output into ``records``."""
    for _ in range(count):
        line = stream.readline()
        if not line.endswith(b"\n"):
            return
        header = line[:-1].decode("utf-8", "replace")
        fields = header.rsplit(" ", 2)
        if len(fields) < 3 or not fields[2].isdigit() or not _SHA.match(fields[0]):
            records.append((header, None))  # "<name> missing" / "ambiguous"
            continue
        size = int(fields[2])
        body = _read_exactly(stream, size, keep=size <= limit)
        stream.read(1)  # the newline after the content
        records.append((header, body))


def _read_exactly(stream: IO[bytes], size: int, *, keep: bool) -> bytes | None:
    """Read ``size`` bytes from ``stream``; return them, or ``None`` (and hold nothing)."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise GitError("git cat-file stopped in the middle of an object")
        if keep:
            chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks) if keep else None


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


def _safe_ref(name: str) -> bool:
    return (
        name.startswith("refs/")
        and ".." not in name
        and not any(c in name for c in " ~^:?*[\\\0\n")
        and not name.endswith((".lock", "/"))
    )


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


# -- remotes: bare clones for ``modelgov audit --manifest`` ---------------------
#
# Cloning talks to a server, so it is hardened like everything above plus:
# only https, http, ssh and file URLs are accepted (``ext::`` and other remote
# helpers can run commands, ``git://`` is unauthenticated); a URL that looks
# like an option, or holds ``$`` or a backtick (an expansion the user may have
# expected a shell to do), is refused before git sees it; ``--`` separates
# options from the URL; ``protocol.allow=never`` plus an allow-list (and
# ``GIT_ALLOW_PROTOCOL``) bind git itself to the same protocols, also for any
# redirect; no system, global or credential-helper config; never a prompt;
# no submodules, no hooks, no checkout (bare), and a time limit.  Private
# https repositories: ``MODELGOV_GIT_AUTH_HEADER`` (such as ``AUTHORIZATION:
# basic ...``) is sent to the one host ``MODELGOV_GIT_AUTH_HOST`` names,
# through ``GIT_CONFIG_*`` variables, never on a command line.

CLONE_TIMEOUT = float(os.environ.get("MODELGOV_CLONE_TIMEOUT", "600"))
REMOTE_SCHEMES = ("https", "http", "ssh", "file")
#: Keep blobs up to this size: model.yaml, configs and code arrive, model weights do not.
CLONE_FILTER = "blob:limit=1m"
_NET_ENV = (
    "SSH_AUTH_SOCK", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY",
    "https_proxy", "http_proxy", "no_proxy", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "GIT_SSL_CAINFO",
)  # fmt: skip
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/\\]+)@)?(?P<host>[^/\\:]+):(?P<path>.*)$")
_PROTOCOL_CONFIG = (
    "-c", "protocol.allow=never",
    *(arg for scheme in REMOTE_SCHEMES for arg in ("-c", f"protocol.{scheme}.allow=always")),
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "credential.helper=",
    "-c", "submodule.recurse=false",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "http.followRedirects=initial",
)  # fmt: skip


class Remote(NamedTuple):
    """A validated remote URL.  ``url`` may carry credentials; ``shown`` never does."""

    url: str
    shown: str
    scheme: str  # https | http | ssh | file


def looks_like_url(text: str) -> bool:
    """True for ``scheme://...``, ``transport::address`` and scp-like ``host:path``."""
    value = text.strip()
    if re.match(r"^[A-Za-z]:[\\/]", value) or value.startswith(("/", "./", "../", "~")):
        return False  # a Windows drive or a local path
    if "://" in value or "::" in value.split("/", 1)[0]:
        return True
    m = _SCP_LIKE.match(value)
    return bool(m and "/" not in value.split(":", 1)[0])


def redact_url(url: str) -> str:
    """``url`` without credentials (http userinfo and any password), for reports."""
    m = re.match(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^@/]*@)?(?P<rest>.*)$", url)
    if not m:
        return url
    userinfo = m.group("userinfo") or ""
    if userinfo and (":" in userinfo or m.group("scheme").lower().startswith("http")):
        userinfo = "***@"
    return f"{m.group('scheme')}{userinfo}{m.group('rest')}"


def parse_remote(text: str) -> Remote:
    """Validate a remote URL; :class:`GitError` with a clear message when it is refused."""
    url = text.strip()
    shown = redact_url(url)
    if not url:
        raise GitError("refused an empty repository URL")
    if url.startswith("-"):
        raise GitError(f"refused {shown!r}: it looks like a command-line option, not a URL")
    if "$" in url or "`" in url:
        raise GitError(
            f"refused {shown!r}: `$` and backticks are not expanded (no environment or "
            "command substitution happens); write the URL out in full"
        )
    head = url.split("/", 1)[0]
    if "::" in head:
        raise GitError(
            f"refused {shown!r}: remote helpers (`transport::address`, such as `ext::`) can "
            f"run commands; only {', '.join(REMOTE_SCHEMES)} URLs are accepted"
        )
    if re.search(r"[\x00-\x20\x7f]", url):
        raise GitError(f"refused {shown!r}: a URL cannot hold spaces or control characters")
    if "://" in url:
        scheme, _, rest = url.partition("://")
        scheme = scheme.lower()
        if scheme not in REMOTE_SCHEMES:
            raise GitError(
                f"refused {shown!r}: {scheme}:// is not accepted; only "
                f"{', '.join(REMOTE_SCHEMES)} URLs are"
            )
        authority = rest.split("/", 1)[0]
        host = authority.rsplit("@", 1)[-1]
        user = authority.rsplit("@", 1)[0] if "@" in authority else ""
        if host.startswith("-") or user.startswith("-"):
            raise GitError(f"refused {shown!r}: a host or user name cannot start with '-'")
        if scheme == "file":
            if authority not in ("", "localhost") or not rest[len(authority) :].startswith("/"):
                raise GitError(f"refused {shown!r}: a file URL names an absolute local path")
        elif not host or host.startswith(":"):
            raise GitError(f"refused {shown!r}: the URL has no host")
        return Remote(url, shown, scheme)
    m = _SCP_LIKE.match(url)
    if m and "/" not in url.split(":", 1)[0]:
        if m.group("host").startswith("-") or (m.group("user") or "").startswith("-"):
            raise GitError(f"refused {shown!r}: a host or user name cannot start with '-'")
        if m.group("path").startswith("-"):
            raise GitError(f"refused {shown!r}: the path looks like a command-line option")
        return Remote(url, shown, "ssh")
    raise GitError(f"refused {shown!r}: not a URL (https, http, ssh or file)")


def _remote_env(home: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in (*_KEEP_ENV, *_NET_ENV) if k in os.environ}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
            "GIT_ALLOW_PROTOCOL": ":".join(REMOTE_SCHEMES),
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_EDITOR": ":",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
        }
    )
    # Private https repositories: one header for one host, passed through the
    # environment (never argv, where other users could read it in `ps`).
    header = os.environ.get("MODELGOV_GIT_AUTH_HEADER", "")
    host = os.environ.get("MODELGOV_GIT_AUTH_HOST", "")
    if header and re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", host) and "\n" not in header:
        env.update(
            {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"http.https://{host}/.extraHeader",
                "GIT_CONFIG_VALUE_0": header,
            }
        )
    return env


def _run_in_own_group(
    cmd: Sequence[str], env: dict[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` in a session of its own; on timeout kill the whole group.

    A clone starts helpers (``git-upload-pack`` for a file:// or local
    remote, ssh, remote-https); killing only ``git`` would leave a helper that
    is blocked on the remote running for ever.
    """
    import signal

    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(cwd),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _run_remote(what: str, args: Sequence[str], remote: Remote, timeout: float) -> None:
    home = Path(tempfile.mkdtemp(prefix="modelgov-clone-"))
    try:
        proc = _run_in_own_group(
            ["git", *_PROTOCOL_CONFIG, *args], _remote_env(home), home, timeout
        )
    except subprocess.TimeoutExpired:
        raise GitError(
            f"git {what} of {remote.shown} took longer than {timeout:.0f}s; stopped"
        ) from None
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if proc.returncode != 0:
        text = proc.stderr.decode("utf-8", "replace").replace(remote.url, remote.shown)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
        detail = (fatal or lines or [f"exit {proc.returncode}"])[-1]
        raise GitError(f"git {what} of {remote.shown} failed: {redact_url(detail)}")


def clone_bare(
    remote: Remote,
    dest: Path,
    *,
    filter_spec: str | None = CLONE_FILTER,
    timeout: float = CLONE_TIMEOUT,
) -> None:
    """Clone ``remote`` bare (one branch, no tags) into ``dest``, atomically.

    The clone lands in a temporary sibling folder that is renamed into place
    when complete, so an interrupted clone never looks like a repository.
    With ``filter_spec`` the clone is partial (git ignores the filter when the
    server does not support it; a git too old to know ``--filter`` is retried
    without it).
    """
    dest = Path(os.path.abspath(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    base = ["clone", "--bare", "--quiet", "--no-tags", "--single-branch", "--template="]
    try:
        try:
            extra = [f"--filter={filter_spec}"] if filter_spec else []
            _run_remote("clone", [*base, *extra, "--", remote.url, str(tmp)], remote, timeout)
        except GitError as exc:
            if not filter_spec or "filter" not in str(exc).lower():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
            _run_remote("clone", [*base, "--", remote.url, str(tmp)], remote, timeout)
        try:
            os.replace(tmp, dest)
        except OSError:
            if not is_bare_repo(dest):  # another run cloned it meanwhile: keep theirs
                raise GitError(f"cannot move the clone of {remote.shown} into {dest}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_bare(
    remote: Remote,
    dest: Path,
    *,
    filter_spec: str | None = CLONE_FILTER,
    timeout: float = CLONE_TIMEOUT,
) -> None:
    """Bring a bare clone made by :func:`clone_bare` up to date with the remote's HEAD.

    The clone is modelgov's own (its config was written by ``git clone``), so
    git may use it; the remote's default branch is fetched into the clone's
    branch, forced (history may have been rewritten upstream).
    """
    head = (_read_small(dest / "HEAD", 4096) or "").strip()
    branch = head[5:].strip() if head.startswith("ref: ") else ""
    if not _safe_ref(branch):
        raise GitError(f"the cached clone {dest} has no branch HEAD; delete it to clone again")
    extra = [f"--filter={filter_spec}"] if filter_spec else []
    args = [
        f"--git-dir={dest}",
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-recurse-submodules",
        *extra,
        "origin",
        f"+HEAD:{branch}",
    ]
    _run_remote("fetch", args, remote, timeout)
