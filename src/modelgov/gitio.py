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
``ls-tree``, ``cat-file``, ``rev-parse``, ``rev-list``, ``log``) are
read-only, optional locks are disabled, and the index is only read.

Git processes per run
---------------------
Per repository, never per model or per path (``GitRepo.calls`` counts them):

* work tree: one ``ls-files`` (discovery); index (``--staged``): one
  ``ls-files --stage``; commit (``--rev``): one ``rev-parse`` and one
  ``ls-tree``; ``--as-of`` adds one ``rev-list``;
* history, only when an enabled rule needs it (MG202, MG204):
  one ``log`` walk for all models and at most one ``cat-file --batch``
  (:meth:`GitRepo.model_histories`);
* reading files of a commit or the index: the model files in one
  ``cat-file --batch``; any other file read (a CODEOWNERS, a symlink's
  target) one ``cat-file`` each, per repository.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from .errors import GitError

if TYPE_CHECKING:
    from .history import ModelHistory, ModelSpec

GIT_TIMEOUT = float(os.environ.get("MODELGOV_GIT_TIMEOUT", "60"))
_SMALL_FILE = 1 << 20  # refs, HEAD and friends: never more than this
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
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
    size: int  # -1 when unknown (index entries, submodules)
    path: str


class GitRepo:
    """Read-only access to one repository through hardened git processes."""

    def __init__(self, git_dir: Path, worktree: Path | None) -> None:
        self.git_dir = Path(os.path.abspath(git_dir))
        self.worktree = Path(os.path.abspath(worktree)) if worktree is not None else None
        common = _read_small(self.git_dir / "commondir", 4096)
        if common and common.strip():
            c = Path(common.strip())
            self.common_dir = Path(os.path.abspath(c if c.is_absolute() else self.git_dir / c))
        else:
            self.common_dir = self.git_dir
        self._shadow: Path | None = None
        self._refs: dict[str, str] | None = None
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
        if self._shadow is not None:
            shutil.rmtree(self._shadow, ignore_errors=True)
            self._shadow = None

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- refs, read in Python --------------------------------------------------
    def _object_format(self) -> str:
        text = _read_small(self.common_dir / "config", 1 << 16) or ""
        m = re.search(r"(?im)^\s*objectformat\s*=\s*(\w+)", text)
        return m.group(1).lower() if m else "sha1"

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
            return self.refs().get(text[5:].strip())
        return None

    def head_ref(self) -> str:
        text = (_read_small(self.git_dir / "HEAD", 4096) or "").strip()
        return text[5:].strip() if text.startswith("ref: ") else "HEAD"

    def is_shallow(self) -> bool:
        return bool((_read_small(self.common_dir / "shallow") or "").strip())

    # -- the shadow git dir -----------------------------------------------------
    def _shadow_dir(self) -> Path:
        if self._shadow is not None:
            return self._shadow
        check_object_store(self.common_dir / "objects")
        shadow = Path(tempfile.mkdtemp(prefix="modelgov-git-"))
        fmt = self._object_format()
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

    def env(self, *, index_file: str | None = None, worktree: bool = False) -> dict[str, str]:
        shadow = self._shadow_dir()
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
    ) -> bytes:
        """Run ``git ARGS`` in the hardened environment and return stdout."""
        self.calls += 1
        cwd = str(self.worktree) if worktree and self.worktree else str(self._shadow_dir())
        try:
            proc = subprocess.run(
                ["git", "--no-pager", *args],
                input=input,
                capture_output=True,
                env=self.env(index_file=index_file, worktree=worktree),
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
        out = self.run(["ls-files", "-z", "--stage", "--", *pathspecs], index_file=index_file)
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
        """Every file of ``commit`` with its size (one ``ls-tree`` process)."""
        out = self.run(["ls-tree", "-r", "-l", "-z", "--full-tree", "--end-of-options", commit])
        entries = []
        for rec in out.decode("utf-8", "surrogateescape").split("\0"):
            if not rec:
                continue
            meta, _, path = rec.partition("\t")
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, int(size) if size.isdigit() else -1, path))
        return entries

    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]:
        """Contents of blobs (one ``cat-file --batch`` process); ``None`` when over ``limit``."""
        wanted = list(dict.fromkeys(s for s in shas if _SHA.match(s)))
        if not wanted:
            return {}
        records = self.cat_file_batch("".join(f"{s}\n" for s in wanted).encode(), limit)
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

    def log(self, args: Sequence[str]) -> bytes:
        """``git log`` with fixed, safe options (no pager, no signatures, no textconv)."""
        return self.run(
            ["log", "--no-textconv", "--no-ext-diff", "--no-color", "--no-show-signature", *args]
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
        )
        sha = out.decode("ascii", "replace").strip()
        return sha if _SHA.match(sha) else None

    def read_objects(
        self, names: Iterable[str], limit: int, *, index_file: str | None = None
    ) -> dict[str, tuple[str, bytes | None] | None]:
        """Objects by name -- a blob id, or ``:0:path`` for an index entry -- in one
        ``cat-file --batch``: ``(object id, content or None when over limit)``, or
        ``None`` when git has no such object."""
        wanted = [n for n in dict.fromkeys(names) if n and "\n" not in n and "\r" not in n]
        if not wanted:
            return {}
        data = "".join(f"{n}\n" for n in wanted).encode("utf-8", "surrogateescape")
        records = self.cat_file_batch(data, limit, index_file=index_file)
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

        * one ``git log --topo-order --parents --raw -z --no-abbrev -M`` from
          ``rev``, limited by :func:`modelgov.history.pathspecs`;
        * at most one ``git cat-file --batch`` for the committed versions of the
          model files (owner history) and, for models judged from the work
          tree (``worktree_ids`` set), their index entries (``:0:path``).

        A repository without commits starts no process.  Parsing and judging
        are in :mod:`modelgov.history`.
        """
        from . import history
        from .document import MAX_BYTES

        start = rev or self.head()
        boundary = self.shallow_commits()
        if start is None:
            return history.empty(specs, shallow=bool(boundary))
        spec_args = history.pathspecs(specs)
        raw = self.log(
            [
                "--topo-order",
                "--parents",
                "--raw",
                "-z",
                "--no-abbrev",
                "-M",
                f"--format={history.LOG_FORMAT}",
                "--end-of-options",
                start,
                "--",
                *spec_args,
            ]
        )
        walked = history.walk(
            history.parse_log(raw, boundary), specs, rev=start, shallow=bool(boundary)
        )
        names = walked.blob_requests()
        names += [
            history.index_name(s.file)
            for s in specs
            if s.worktree_ids is not None and s.index_id is None
        ]
        objects = self.read_objects(names, MAX_BYTES, index_file=index_file) if names else {}
        return history.finish(walked, objects)


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


def _run_remote(what: str, args: Sequence[str], remote: Remote, timeout: float) -> None:
    home = Path(tempfile.mkdtemp(prefix="modelgov-clone-"))
    try:
        proc = subprocess.run(
            ["git", *_PROTOCOL_CONFIG, *args],
            capture_output=True,
            env=_remote_env(home),
            cwd=str(home),
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
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
