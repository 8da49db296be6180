"""Where and how git runs: the shadow git dir, the environment, the time limit.

Every git process modelgov starts on a repository goes through a
:class:`Sandbox` (the rules are in :mod:`modelgov.git`): :meth:`Sandbox.run`
for a whole answer, :meth:`Sandbox.stream` for output read as it comes (the
history walk), :meth:`Sandbox.env` for the ``cat-file`` processes of
:mod:`modelgov.git.catfile`.  Before the first one, the files git would open
with a blocking ``open()`` are looked at (:func:`check_object_store`,
:func:`special_ignore_file`).  :class:`SharedShadow` lets an audit worker
share one shadow between repositories for commands that name objects by id.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Generator, Sequence
from pathlib import Path

from ..errors import GitError
from .refs import _SMALL_FILE, Refs, _read_small

GIT_TIMEOUT = float(os.environ.get("MODELGOV_GIT_TIMEOUT", "60"))
_KEEP_ENV = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
_READ = 1 << 18
#: ``git log`` with fixed, safe options (no pager, no signatures, no textconv).
LOG = ("log", "--no-textconv", "--no-ext-diff", "--no-color", "--no-show-signature")


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
    from ..repoview import SKIP_DIRS

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


def make_temp_dir(prefix: str = "modelgov-git-") -> Path:
    """A new private folder (mode 0700) in the temporary folder, as
    ``tempfile.mkdtemp(prefix=prefix)`` makes it, without importing :mod:`tempfile`
    (its import, with :mod:`random` and :mod:`shutil`, costs more than a check's use of it).

    The folder is ``$TMPDIR`` (or ``$TEMP``, ``$TMP``) when it is one, else ``/tmp``;
    anything unusual (no such folder, no room, a name taken) is left to ``tempfile``."""
    base = next(
        (v for k in ("TMPDIR", "TEMP", "TMP") if (v := os.environ.get(k)) and os.path.isdir(v)),
        "/tmp" if os.name == "posix" else "",  # noqa: S108 - a random name, mkdir 0700
    )
    if base:
        for _ in range(3):
            path = os.path.join(os.path.abspath(base), prefix + os.urandom(6).hex())
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError:
                break
            return Path(path)
    import tempfile

    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_tree(path: Path) -> None:
    """``shutil.rmtree(path, ignore_errors=True)`` for a shadow git dir modelgov made
    (folders and files only, no symlinks followed), without importing :mod:`shutil`."""
    for folder, dirs, files in os.walk(path, topdown=False):
        for name in files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        for name in dirs:
            full = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if os.path.islink(full):
                    os.unlink(full)
                else:
                    os.rmdir(full)
    with contextlib.suppress(OSError):
        os.rmdir(path)


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
            shadow = make_temp_dir()
            _write_config(shadow, fmt)
            (shadow / "refs").mkdir()
            (shadow / "HEAD").write_text("ref: refs/heads/modelgov-empty\n", encoding="utf-8")
            self._dirs[fmt] = shadow
        return self._dirs[fmt]

    def close(self) -> None:
        for shadow in self._dirs.values():
            remove_tree(shadow)
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


def _drain(fd: int) -> bytes | None:
    """What ``fd`` holds now (``b""`` if nothing yet), or ``None`` at end of file."""
    try:
        chunk = os.read(fd, _READ)
    except BlockingIOError:
        return b""
    return chunk or None


class Sandbox:
    """The shadow git dir of one repository and the git processes run in it.

    ``calls`` counts the git processes started for the repository (reported by
    ``--stats`` and the docs); :mod:`modelgov.git.catfile` counts its own here.
    """

    def __init__(self, repo: Refs, worktree: Path | None, shared: SharedShadow | None) -> None:
        self.repo = repo  # its refs, HEAD and files, read in Python
        self.worktree = worktree
        self.shared = shared
        self.shadow: Path | None = None
        self._checked = False  # the object store was looked at (check_object_store)
        self.calls = 0

    def close(self) -> None:
        """Remove the shadow git dir."""
        if self.shadow is not None:
            remove_tree(self.shadow)
            self.shadow = None

    def shadow_dir(self, *, refs: bool = True) -> Path:
        """The shadow git dir; with ``refs=False`` (names are object ids) the shared one
        when this repository was given a :class:`SharedShadow` and is not shallow."""
        if self.shadow is not None:
            return self.shadow
        repo = self.repo
        if not self._checked:
            check_object_store(repo.common_dir / "objects")
            self._checked = True
        fmt = repo.object_format()
        if not refs and self.shared is not None and not repo.is_shallow():
            return self.shared.get(fmt)
        shadow = make_temp_dir()
        _write_config(shadow, fmt)
        (shadow / "refs").mkdir()
        (shadow / "info").mkdir()
        head = repo.head()
        zero = "0" * (64 if fmt == "sha256" else 40)
        (shadow / "HEAD").write_text(
            (head or "ref: refs/heads/modelgov-empty") + "\n", encoding="utf-8"
        )
        # streamed: a 60 MB packed-refs is never held whole; no replace refs
        repo.write_packed_refs(shadow / "packed-refs", zero=zero)
        shallow = _read_small(repo.common_dir / "shallow")
        if shallow:
            (shadow / "shallow").write_text(shallow, encoding="utf-8")
        exclude = _read_small(repo.common_dir / "info" / "exclude", 1 << 16)
        if exclude:
            (shadow / "info" / "exclude").write_text(exclude, encoding="utf-8")
        self.shadow = shadow
        return shadow

    def env(
        self, *, index_file: str | None = None, worktree: bool = False, refs: bool = True
    ) -> dict[str, str]:
        shadow = self.shadow_dir(refs=refs or worktree)
        env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
        env.update(
            {
                "GIT_DIR": str(shadow),
                "GIT_OBJECT_DIRECTORY": str(self.repo.common_dir / "objects"),
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
            os.path.abspath(index_file) if index_file else str(self.repo.git_dir / "index")
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

    def stream(self, args: Sequence[str], *, refs: bool = True) -> Generator[bytes, None, None]:
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
                    chunk = _drain(fd)
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
                chunk = _drain(err)
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
