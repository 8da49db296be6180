"""Objects read through ``git cat-file --batch``: the protocol, and tree objects parsed.

Every object a run reads from a repository -- the trees of a commit, model
files, old versions, a CODEOWNERS, a symlink's target, the commits and trees
of a short history -- goes through one ``cat-file --batch`` process kept open
for the repository (:class:`_CatFile`, owned by an :class:`ObjectReader`).
Where pipes cannot be polled, each batch is a process of its own
(:meth:`ObjectReader.cat_file_batch`).  Raw tree objects are parsed here
(:func:`_parse_tree`) with their modes as ``ls-tree`` shows them.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING

from ..errors import GitError
from . import sandbox as _sandbox  # GIT_TIMEOUT is read there at each batch: one setting
from .refs import _SHA
from .sandbox import _READ, Sandbox, _drain

if TYPE_CHECKING:
    from .odb import ObjectStore

_BY_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?(~\d+)?$")  # names that need no refs
_TREE_LIMIT = 64 << 20  # one tree object larger than this is refused
_TREE_CACHE = 1 << 20  # tree objects of a listing kept for the history walk


class TooMuch(GitError):
    """A batch's objects add up to more than the caller's ``max_total`` bytes."""

    def __init__(self, max_total: int) -> None:
        super().__init__(f"the objects asked for hold more than {max_total} bytes; not read")
        self.max_total = max_total


class _CatFile:
    """One ``git cat-file --batch`` process kept open for a repository.

    Every object a run reads from a repository -- trees, model.yaml blobs,
    old versions, CODEOWNERS -- goes through this one process instead of a
    process per batch.  Requests are written and answers read through
    non-blocking pipes under :func:`select.poll` (no thread, no deadlock: git
    may answer while the rest of a batch is still being written), with a
    deadline of :data:`~modelgov.git.sandbox.GIT_TIMEOUT` per batch; past it
    the process is killed.  An object over the caller's limit is read past in
    chunks and never held.  The owner closes it (:meth:`ObjectReader.close`)
    on every path.
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

    def request(
        self, names: Sequence[str], limit: int, max_total: int | None = None
    ) -> list[tuple[str, bytes | None]]:
        """Header and content (``None`` when missing or over ``limit``) of each name;
        :class:`TooMuch` once the contents kept would pass ``max_total`` bytes.

        Anything going wrong midway (a time limit, an interruption) ends the
        process: its stream would be out of step with the next batch."""
        try:
            return self._request(names, limit, max_total)
        except BaseException:
            self.kill()
            raise

    def _request(
        self, names: Sequence[str], limit: int, max_total: int | None
    ) -> list[tuple[str, bytes | None]]:
        import select
        import time

        data = "".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape")
        view = memoryview(data)
        records: list[tuple[str, bytes | None]] = []
        deadline = time.monotonic() + _sandbox.GIT_TIMEOUT
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
        budget = max_total if max_total is not None else -1  # bytes still to be kept
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
                    if budget >= 0 and size <= limit:
                        budget -= size
                        if budget < 0:
                            raise TooMuch(max_total or 0)
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
                raise GitError(
                    f"git cat-file took longer than {_sandbox.GIT_TIMEOUT:.0f}s; stopped"
                )
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
                    chunk = _drain(fd)
                    if chunk is None:
                        poller.unregister(fd)
                        self._err = -1
                    else:
                        self._errors = (self._errors + chunk)[-4096:]
                else:
                    chunk = _drain(fd)
                    if chunk is None:
                        self._rest_of_errors(deadline)
                        self.kill()
                        lines = self._errors.decode("utf-8", "replace").strip().splitlines()
                        raise GitError(
                            "git cat-file failed: " + (lines[-1] if lines else "it stopped")
                        )
                    buf += chunk
        return records

    def _rest_of_errors(self, deadline: float) -> None:
        """git closed its output: read what it still writes to stderr (its reason) until
        it closes that too, for at most a second (and never past ``deadline``)."""
        import select
        import time

        if self._err < 0:
            return
        end = min(deadline, time.monotonic() + 1.0)
        poller = select.poll()
        poller.register(self._err, select.POLLIN)
        while (wait := end - time.monotonic()) > 0:
            if not poller.poll(wait * 1000):
                break
            chunk = _drain(self._err)
            if chunk is None:
                break
            self._errors = (self._errors + chunk)[-4096:]

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


class ObjectReader:
    """The objects of one repository, read through its ``cat-file`` processes.

    One persistent process per index file and kind of shadow (the shared one,
    or the repository's own when a name needs refs), started on first use
    through the repository's :class:`~modelgov.git.sandbox.Sandbox`, which
    counts it.  ``trees`` keeps the tree objects a listing read, up to
    :data:`_TREE_CACHE` bytes, for the history walk.
    """

    def __init__(self, sandbox: Sandbox, *, in_process: bool = False) -> None:
        self.sandbox = sandbox
        self.batches: dict[str, _CatFile] = {}  # by index file and shadow
        self.trees: dict[str, bytes] = {}  # tree objects read, kept up to _TREE_CACHE bytes
        self._tree_bytes = 0
        #: objects read from the store's files first (:mod:`modelgov.git.odb`; audits)
        self.in_process = in_process
        self._store: ObjectStore | None = None

    def close(self) -> None:
        """End the persistent ``cat-file`` processes (and close the store's files)."""
        batches, self.batches = list(self.batches.values()), {}
        for batch in batches:
            batch.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _in_process(
        self, names: Sequence[str], limit: int, max_total: int | None
    ) -> list[tuple[str, bytes | None]] | None:
        """``names`` answered from the object store's files, or ``None`` (ask git).

        Only for object ids (``ID`` and ``ID~N``) of a repository that is not shallow
        (git's shallow boundary changes what ``~N`` names); the object store is looked
        at first, as before any git process (:func:`~.sandbox.check_object_store`)."""
        if not all(_BY_ID.match(n) for n in names):
            return None
        store = self._store
        if store is None:
            from .odb import ObjectStore, Unsure

            repo = self.sandbox.repo
            self.sandbox.check_objects()  # a FIFO or device in the store: GitError, as git's
            if repo.is_shallow():
                self.in_process = False
                return None
            try:
                store = self._store = ObjectStore(repo.common_dir / "objects", repo.object_format())
            except (Unsure, OSError):
                self.in_process = False
                return None
        return store.records(list(names), limit, max_total)

    def keep_tree(self, sha: str, data: bytes) -> None:
        """Keep a tree object a listing read, while the cache has room (the walk reads them)."""
        if self._tree_bytes + len(data) <= _TREE_CACHE:
            self.trees[sha] = data
            self._tree_bytes += len(data)

    def records(
        self,
        names: Sequence[str],
        limit: int,
        *,
        index_file: str | None = None,
        max_total: int | None = None,
    ) -> list[tuple[str, bytes | None]]:
        """``cat-file --batch`` records of ``names``: through the repository's persistent
        process where the platform can poll pipes, else one process for this batch.

        ``max_total``: the contents kept may add up to this many bytes; past it the
        batch stops with :class:`TooMuch` (a level of a tree listing, for one)."""
        if not names:
            return []
        if any("\n" in n or "\r" in n for n in names):
            raise GitError("an object name cannot hold a line break")
        if self.in_process and index_file is None:
            answered = self._in_process(names, limit, max_total)
            if answered is not None:
                return answered
        import select

        if not hasattr(select, "poll"):
            data = "".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape")
            return self.cat_file_batch(data, limit, index_file=index_file, max_total=max_total)
        # names other than object ids and index entries need refs: not the shared shadow
        private = self.sandbox.shared is not None and not all(
            _BY_ID.match(n) or n.startswith(":0:") for n in names
        )
        key = f"{index_file or ''}\0{private}"
        batch = self.batches.get(key)
        if batch is None or batch.dead:
            env = self.sandbox.env(index_file=index_file, refs=private)
            self.sandbox.calls += 1
            try:
                batch = _CatFile(["git", "--no-pager", "cat-file", "--batch"], env, env["GIT_DIR"])
            except FileNotFoundError:
                raise GitError("git is not installed (or not on PATH)") from None
            self.batches[key] = batch
        return batch.request(names, limit, max_total)

    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]:
        """Contents of blobs (through the ``cat-file`` process); ``None`` when over ``limit``."""
        wanted = list(dict.fromkeys(s for s in shas if _SHA.match(s)))
        if not wanted:
            return {}
        records = self.records(wanted, limit)
        result: dict[str, bytes | None] = {}
        for sha, (header, body) in zip(wanted, records, strict=False):
            fields = header.split()
            result[sha] = body if len(fields) == 3 and fields[1] == "blob" else None
        result.update(dict.fromkeys(wanted[len(records) :]))
        return result

    def read_objects(
        self, names: Iterable[str], limit: int, *, index_file: str | None = None
    ) -> dict[str, tuple[str, bytes | None] | None]:
        """Objects by name -- a blob id, or ``:0:path`` for an index entry -- read by
        ``cat-file --batch``: ``(object id, content or None when over limit)``, or
        ``None`` when git has no such object."""
        wanted = [n for n in dict.fromkeys(names) if n and "\n" not in n and "\r" not in n]
        if not wanted:
            return {}
        records = self.records(wanted, limit, index_file=index_file)
        result: dict[str, tuple[str, bytes | None] | None] = {}
        for name, (header, body) in zip(wanted, records, strict=False):
            fields = header.rsplit(" ", 2)
            if len(fields) < 3 or not fields[2].isdigit() or not _SHA.match(fields[0]):
                result[name] = None  # "<name> missing" / "ambiguous"
                continue
            result[name] = (fields[0], body if fields[1] == "blob" else None)
        return result

    def cat_file_batch(
        self,
        data: bytes,
        limit: int,
        *,
        index_file: str | None = None,
        max_total: int | None = None,
    ) -> list[tuple[str, bytes | None]]:
        """``git cat-file --batch`` for the names in ``data`` (one per line), streamed.

        Returns each object's header line and its content, or ``None`` when the
        object is missing or larger than ``limit``: git writes into a pipe that
        a thread reads as it comes, reading past a large object in chunks, so a
        500 MB blob named model.yaml costs no more memory than a small one.
        """
        import threading

        self.sandbox.calls += 1
        records: list[tuple[str, bytes | None]] = []
        failure: list[BaseException] = []
        read_fd, write_fd = os.pipe()

        def consume() -> None:
            with os.fdopen(read_fd, "rb") as stream:
                try:
                    _parse_batch(stream, data.count(b"\n"), limit, records, max_total)
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
                env=self.sandbox.env(index_file=index_file),
                cwd=str(self.sandbox.shadow_dir()),
                timeout=_sandbox.GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(
                f"git cat-file took longer than {_sandbox.GIT_TIMEOUT:.0f}s; stopped"
            ) from None
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        finally:
            os.close(write_fd)
            reader.join()
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git cat-file failed: {msg[-1] if msg else f'exit {proc.returncode}'}")
        if failure and isinstance(failure[0], TooMuch):
            raise failure[0]
        if failure:
            raise GitError(f"git cat-file output could not be read: {failure[0]}")
        return records


def _parse_batch(
    stream: IO[bytes],
    count: int,
    limit: int,
    records: list[tuple[str, bytes | None]],
    max_total: int | None = None,
) -> None:
    """Parse ``count`` records of ``cat-file --batch`` output into ``records``."""
    budget = max_total if max_total is not None else -1
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
        if budget >= 0 and size <= limit:
            budget -= size
            if budget < 0:
                raise TooMuch(max_total or 0)
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
