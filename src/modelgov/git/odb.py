"""A repository's object store read in Python: loose objects and packs, no git process.

An audit reads, per repository, the commit, its trees, a few blobs and a short
history: about a hundred small objects.  Asking a ``git cat-file --batch``
process for them costs a process start and about ten round trips, several times
what the objects themselves cost to read.  :class:`ObjectStore` reads them from
the files of ``objects/`` directly -- loose objects, and packs (index version 2,
pack version 2 or 3) with their offset and reference deltas -- and answers in
``cat-file --batch``'s own form (:meth:`ObjectStore.records`), so every caller
gets exactly what git would print.

It answers only what it is sure of, and says so by returning ``None``
otherwise: an object it cannot find (git may still have it: a pack written
since, a promisor remote, a multi-pack index only), anything malformed,
truncated or larger than its work budget, an unknown index or pack version.
The caller then asks git (:class:`~modelgov.git.catfile.ObjectReader`), so
errors and edge cases keep git's answers and messages.  A name it resolves
itself is a full object id, or ``ID~N`` (N first parents of a commit; past the
root git answers ``missing``, and so does this).

Safety: nothing here runs a program or follows configuration; the store is
only opened after :func:`~modelgov.git.sandbox.check_object_store` has refused
FIFOs, devices and broken links in it and its alternates, every file is opened
non-blocking and read only if it is a regular file, and every read is bounded
(file sizes, the size each object declares, delta chain depth, and the bytes
inflated per request).  The files are read with ``pread``, never mapped, so a
pack truncated while it is read is an error, not a crash.
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import zlib
from pathlib import Path

#: Object types of pack entry headers (5 is reserved; 6 and 7 are deltas).
_TYPES = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}
_LOOSE_TYPES = {b"commit", b"tree", b"blob", b"tag"}
_OFS_DELTA = 6
_REF_DELTA = 7
#: Files read whole: a pack index up to this size, a pack up to :data:`_PACK_WHOLE`.
_IDX_MAX = 64 << 20
_PACK_WHOLE = 8 << 20
#: Longest delta chain followed (git's own ``pack.depth`` default is 50; ``gc
#: --aggressive`` once used 250).  Each link is a frame of :meth:`_resolve`, so this stays
#: well inside Python's recursion limit (1,000); a longer chain is left to git.
_MAX_DEPTH = 250
#: Bytes inflated per request at most; past it git is asked instead.
_WORK = 64 << 20
#: Resolved objects kept for later requests (trees shared by commits, delta bases).
_CACHE_BYTES = 8 << 20
_CACHE_ONE = 1 << 20
#: Packs of at most this many objects get a dictionary index (else: binary search).
_SMALL_PACK = 100_000
#: Alternates followed (git follows five levels).
_ALTERNATE_DEPTH = 5


class Unsure(Exception):
    """The store cannot answer with certainty: ask git."""


def _read_file(path: str, most: int) -> bytes:
    """A regular file's bytes (up to ``most``; a larger one is :class:`Unsure`)."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        )
    except OSError:
        raise Unsure(path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > most:
            raise Unsure(path)
        chunks = []
        left = info.st_size
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                raise Unsure(path)  # truncated while read
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class _Pack:
    """One pack and its index (version 2)."""

    def __init__(self, idx_path: str, width: int) -> None:
        idx = _read_file(idx_path, _IDX_MAX)
        if len(idx) < 8 + 1024 + 2 * width or idx[:8] != b"\xfftOc\x00\x00\x00\x02":
            raise Unsure(idx_path)  # index version 1, or not an index
        self.width = width
        self.count = int.from_bytes(idx[8 + 1020 : 8 + 1024], "big")
        n = self.count
        self.fanout = idx[8 : 8 + 1024]
        self.names = 8 + 1024  # where the object ids start
        self.offsets = self.names + n * width + n * 4
        self.large = self.offsets + n * 4
        if len(idx) < self.large + 2 * width:
            raise Unsure(idx_path)
        self.idx = idx
        pack_path = idx_path[: -len(".idx")] + ".pack"
        self.path = pack_path
        self.data: bytes | None = None
        self.fd = -1
        fd = os.open(
            pack_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        )
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size < 12 + width:
                raise Unsure(pack_path)
            self.size = info.st_size
            head = os.pread(fd, 12, 0)
            tail = os.pread(fd, width, info.st_size - width)
            if (
                head[:4] != b"PACK"
                or int.from_bytes(head[4:8], "big") not in (2, 3)
                or int.from_bytes(head[8:12], "big") != n
                or tail != idx[-2 * width : -width]  # the index belongs to this pack
            ):
                raise Unsure(pack_path)
            if info.st_size <= _PACK_WHOLE:
                data = os.pread(fd, info.st_size, 0)
                if len(data) != info.st_size:
                    raise Unsure(pack_path)
                self.data = data
            else:
                self.fd, fd = fd, -1
        finally:
            if fd >= 0:
                os.close(fd)
        #: for a pack read whole, with few objects: offset by object id (hex), and
        #: where each entry's data ends (the next entry's offset)
        self.by_id: dict[str, int] | None = None
        self.ends: dict[int, int] = {}
        if self.data is not None and n <= _SMALL_PACK:
            names = idx[self.names : self.names + n * width].hex()
            step = 2 * width
            raw = struct.unpack(f">{n}I", idx[self.offsets : self.offsets + 4 * n])
            if any(v & 0x80000000 or v < 12 or v >= self.size - width for v in raw):
                offsets = [self._offset(i) for i in range(n)]  # large offsets: checked one by one
            else:
                offsets = list(raw)
            self.by_id = {names[i * step : (i + 1) * step]: offsets[i] for i in range(n)}
            order = sorted(offsets)
            order.append(self.size - width)
            self.ends = {order[i]: order[i + 1] for i in range(n)}

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def find(self, hexid: str) -> int | None:
        """The offset of object ``hexid`` in the pack, or ``None``."""
        if self.by_id is not None:
            return self.by_id.get(hexid)
        oid = bytes.fromhex(hexid)
        first = oid[0]
        fanout = self.fanout
        lo = int.from_bytes(fanout[(first - 1) * 4 : first * 4], "big") if first else 0
        hi = int.from_bytes(fanout[first * 4 : first * 4 + 4], "big")
        idx, width, base = self.idx, self.width, self.names
        while lo < hi:
            mid = (lo + hi) // 2
            at = base + mid * width
            here = idx[at : at + width]
            if here < oid:
                lo = mid + 1
            elif here > oid:
                hi = mid
            else:
                return self._offset(mid)
        return None

    def _offset(self, i: int) -> int:
        at = self.offsets + i * 4
        value = int.from_bytes(self.idx[at : at + 4], "big")
        if value & 0x80000000:
            at = self.large + (value & 0x7FFFFFFF) * 8
            if at + 8 > len(self.idx):
                raise Unsure(self.path)
            value = int.from_bytes(self.idx[at : at + 8], "big")
        if value < 12 or value >= self.size - self.width:
            raise Unsure(self.path)
        return value

    def read(self, pos: int, n: int) -> bytes:
        if self.data is not None:
            return self.data[pos : pos + n]
        try:
            return os.pread(self.fd, n, pos)
        except OSError:
            raise Unsure(self.path) from None

    def header(self, pos: int) -> tuple[int, int, int, int | bytes | None]:
        """(type, size, where the compressed data starts, base) of the entry at ``pos``;
        ``base`` is the base's offset (offset delta) or id (reference delta)."""
        raw = self.read(pos, 32 + self.width)
        if not raw:
            raise Unsure(self.path)
        c = raw[0]
        kind = (c >> 4) & 7
        size = c & 15
        shift = 4
        i = 1
        while c & 0x80:
            if i >= len(raw) or shift > 60:
                raise Unsure(self.path)
            c = raw[i]
            i += 1
            size |= (c & 0x7F) << shift
            shift += 7
        base: int | bytes | None = None
        if kind == _OFS_DELTA:
            if i >= len(raw):
                raise Unsure(self.path)
            c = raw[i]
            i += 1
            back = c & 0x7F
            while c & 0x80:
                if i >= len(raw) or back > 1 << 56:
                    raise Unsure(self.path)
                c = raw[i]
                i += 1
                back = ((back + 1) << 7) | (c & 0x7F)
            if back <= 0 or back > pos - 12:
                raise Unsure(self.path)
            base = pos - back
        elif kind == _REF_DELTA:
            base = bytes(raw[i : i + self.width])
            if len(base) != self.width:
                raise Unsure(self.path)
            i += self.width
        elif kind not in _TYPES:
            raise Unsure(self.path)
        return kind, size, pos + i, base

    def inflate(self, pos: int, size: int, *, prefix: int | None = None, end: int = -1) -> bytes:
        """The ``size`` bytes the zlib stream at ``pos`` holds (only the first ``prefix``
        when given: a delta's sizes); ``end``: where the entry ends, when known."""
        if end > pos and self.data is not None:
            d = zlib.decompressobj()
            want = size if prefix is None else min(prefix, size)
            try:
                data = d.decompress(self.data[pos:end], want + 1)
            except zlib.error:
                raise Unsure(self.path) from None
            if prefix is not None:
                return data[:want]
            if len(data) != size or not d.eof:
                raise Unsure(self.path)
            return data
        d = zlib.decompressobj()
        want = size if prefix is None else min(prefix, size)
        out: list[bytes] = []
        got = 0
        step = min(max(want + 64, 512), 1 << 20)
        pending = b""
        while True:
            if not pending:
                if pos >= self.size - self.width:
                    raise Unsure(self.path)
                pending = self.read(pos, step)
                if not pending:
                    raise Unsure(self.path)
                pos += len(pending)
                step = min(step * 2, 1 << 22)
            try:
                piece = d.decompress(pending, want + 1 - got)
            except zlib.error:
                raise Unsure(self.path) from None
            pending = d.unconsumed_tail
            got += len(piece)
            out.append(piece)
            if got > want:
                if prefix is not None:
                    break
                raise Unsure(self.path)  # more than the entry declares
            if d.eof:
                break
            if prefix is not None and got >= want:
                break
        data = b"".join(out)
        if prefix is None and len(data) != size:
            raise Unsure(self.path)
        return data[:want]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if pos >= len(data) or shift > 60:
            raise Unsure("a delta is malformed")
        c = data[pos]
        pos += 1
        value |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return value, pos


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """``delta`` (git's copy/insert instructions) applied to ``base``."""
    src, pos = _varint(delta, 0)
    dst, pos = _varint(delta, pos)
    if src != len(base):
        raise Unsure("a delta does not fit its base")
    out = bytearray()
    end = len(delta)
    while pos < end:
        op = delta[pos]
        pos += 1
        if op & 0x80:
            off = size = 0
            for bit in range(4):
                if op & (1 << bit):
                    if pos >= end:
                        raise Unsure("a delta is malformed")
                    off |= delta[pos] << (8 * bit)
                    pos += 1
            for bit in range(3):
                if op & (0x10 << bit):
                    if pos >= end:
                        raise Unsure("a delta is malformed")
                    size |= delta[pos] << (8 * bit)
                    pos += 1
            size = size or 0x10000
            if off + size > len(base):
                raise Unsure("a delta copies past its base")
            out += base[off : off + size]
        elif op:
            if pos + op > end:
                raise Unsure("a delta is malformed")
            out += delta[pos : pos + op]
            pos += op
        else:
            raise Unsure("a delta is malformed")
        if len(out) > dst:
            raise Unsure("a delta is malformed")
    if len(out) != dst:
        raise Unsure("a delta is malformed")
    return bytes(out)


def object_dirs(objects: Path) -> list[str]:
    """The object store and the alternates it names, as git follows them."""
    out: list[str] = []
    todo = [(str(objects), 0)]
    seen: set[str] = set()
    while todo:
        store, level = todo.pop(0)
        real = os.path.realpath(store)
        if real in seen:
            continue
        seen.add(real)
        out.append(store)
        try:
            text = _read_file(os.path.join(store, "info", "alternates"), 1 << 20)
        except Unsure:
            continue
        for raw in text.decode("utf-8", "surrogateescape").splitlines():
            line = raw.strip()
            if not line or line.startswith("#") or level >= _ALTERNATE_DEPTH:
                continue
            if line.startswith('"'):
                raise Unsure("a quoted alternate")  # git unquotes C-style; leave it to git
            alt = line if os.path.isabs(line) else os.path.join(store, line)
            if os.path.isdir(alt):
                todo.append((alt, level + 1))
    return out


class ObjectStore:
    """The objects of one repository, read from its files (see the module docstring)."""

    def __init__(self, objects: Path, object_format: str) -> None:
        self.width = 32 if object_format == "sha256" else 20
        self.hexlen = self.width * 2
        self.dirs = object_dirs(objects)
        self.packs: list[_Pack] = []
        for store in self.dirs:
            folder = os.path.join(store, "pack")
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                if name.endswith(".idx") and name.startswith("pack-"):
                    try:
                        self.packs.append(_Pack(os.path.join(folder, name), self.width))
                    except (Unsure, OSError):
                        continue  # git may read it; a miss here asks git
        self._cache: dict[tuple[int, int], tuple[str, bytes]] = {}
        self._cached = 0
        self._work = 0
        self._parents: dict[str, str | None] = {}  # first parents of commits read

    def close(self) -> None:
        for pack in self.packs:
            pack.close()
        self.packs = []

    # -- one object ---------------------------------------------------------------
    def _resolve(
        self,
        pack_no: int,
        pos: int,
        depth: int = 0,
        header: tuple[int, int, int, int | bytes | None] | None = None,
    ) -> tuple[str, bytes]:
        """The type and content of the pack entry at ``pos`` (``header``: its header,
        when the caller has parsed it)."""
        key = (pack_no, pos)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if depth > _MAX_DEPTH:
            raise Unsure("a delta chain is too long")
        pack = self.packs[pack_no]
        kind, size, start, base = header or pack.header(pos)
        self._spend(size)
        data = pack.inflate(start, size, end=pack.ends.get(pos, -1))
        if kind == _OFS_DELTA:
            assert isinstance(base, int)
            kind_name, base_data = self._resolve(pack_no, base, depth + 1)
            data = apply_delta(base_data, data)
            self._spend(len(data))
        elif kind == _REF_DELTA:
            assert isinstance(base, bytes)
            found = self._locate(base.hex())
            if found is None:
                raise Unsure("a delta base is not in the packs")
            kind_name, base_data = self._resolve(found[0], found[1], depth + 1)
            data = apply_delta(base_data, data)
            self._spend(len(data))
        else:
            kind_name = _TYPES[kind]
        if len(data) <= _CACHE_ONE and self._cached + len(data) <= _CACHE_BYTES:
            self._cache[key] = (kind_name, data)
            self._cached += len(data)
        return kind_name, data

    def _info(self, pack_no: int, pos: int) -> tuple[str, int]:
        """The type and size of the pack entry at ``pos``, without inflating it whole."""
        hit = self._cache.get((pack_no, pos))
        if hit is not None:
            return hit[0], len(hit[1])
        pack = self.packs[pack_no]
        kind, size, start, base = pack.header(pos)
        if kind in _TYPES:
            return _TYPES[kind], size
        head = pack.inflate(start, size, prefix=24, end=pack.ends.get(pos, -1))
        _, at = _varint(head, 0)
        result, _ = _varint(head, at)
        depth = 0
        while kind in (_OFS_DELTA, _REF_DELTA):
            depth += 1
            if depth > _MAX_DEPTH:
                raise Unsure("a delta chain is too long")
            if kind == _OFS_DELTA:
                assert isinstance(base, int)
                pos = base
            else:
                assert isinstance(base, bytes)
                found = self._locate(base.hex())
                if found is None:
                    raise Unsure("a delta base is not in the packs")
                pack_no, pos = found
                pack = self.packs[pack_no]
            kind, _, _, base = pack.header(pos)
        return _TYPES[kind], result

    def _locate(self, hexid: str) -> tuple[int, int] | None:
        for i, pack in enumerate(self.packs):
            pos = pack.find(hexid)
            if pos is not None:
                return i, pos
        return None

    def read(self, hexid: str, limit: int) -> tuple[str, int, bytes | None]:
        """Type, size and content (``None`` when over ``limit``) of an object;
        :class:`Unsure` when it is not found."""
        found = self._locate(hexid)
        if found is not None:
            pack_no, pos = found
            hit = self._cache.get(found)
            if hit is not None:
                return hit[0], len(hit[1]), hit[1]
            header = self.packs[pack_no].header(pos)
            kind, size = header[0], header[1]
            if kind in _TYPES:  # not a delta: its size is in the header
                if size > limit:
                    return _TYPES[kind], size, None
                kind_name, data = self._resolve(pack_no, pos, header=header)
                return kind_name, size, data
            kind_name, size = self._info(pack_no, pos)
            if size > limit:
                return kind_name, size, None
            kind_name, data = self._resolve(pack_no, pos)
            return kind_name, len(data), data
        loose = self._loose(hexid, limit)
        if loose is None:
            raise Unsure(f"{hexid} is not in the store")
        return loose

    def _loose(self, hexid: str, limit: int) -> tuple[str, int, bytes | None] | None:
        for store in self.dirs:
            path = os.path.join(store, hexid[:2], hexid[2:])
            if not os.path.lexists(path):
                continue
            raw = _read_file(path, 1 << 30)
            d = zlib.decompressobj()
            try:
                head = d.decompress(raw, 64)
            except zlib.error:
                raise Unsure(path) from None
            nul = head.find(b"\0")
            if nul < 0:
                raise Unsure(path)
            kind, _, size_text = head[:nul].partition(b" ")
            if kind not in _LOOSE_TYPES or not size_text.isdigit():
                raise Unsure(path)
            size = int(size_text)
            if size > limit:
                return kind.decode(), size, None
            self._spend(size)
            try:
                rest = d.decompress(d.unconsumed_tail, size + 1)
            except zlib.error:
                raise Unsure(path) from None
            body = head[nul + 1 :] + rest
            if len(body) != size or not d.eof:
                raise Unsure(path)
            return kind.decode(), size, body
        return None

    def _spend(self, n: int) -> None:
        self._work += n
        if self._work > _WORK:
            raise Unsure("more to inflate than this store reads")

    def _first_parent(self, hexid: str) -> str | None:
        """The first parent of commit ``hexid`` (``None``: a root commit)."""
        if hexid in self._parents:
            return self._parents[hexid]
        kind, _, body = self.read(hexid, 1 << 20)
        if kind != "commit" or body is None:
            raise Unsure(hexid)
        lines = body.split(b"\n", 2)
        if len(lines) < 2 or not lines[0].startswith(b"tree "):
            raise Unsure(hexid)
        parent: str | None = None
        if lines[1].startswith(b"parent "):
            parent = lines[1][7:].decode("ascii", "replace")
            if len(parent) != self.hexlen:
                raise Unsure(hexid)
        self._parents[hexid] = parent
        return parent

    def _ancestor(self, hexid: str, steps: int) -> str | None:
        """The ``steps``-th first parent of commit ``hexid`` (``None``: past the root)."""
        found: str | None = hexid
        for _ in range(steps):
            assert found is not None
            found = self._first_parent(found)
            if found is None:
                return None
        return found

    # -- cat-file --batch, answered --------------------------------------------------
    def records(
        self, names: list[str], limit: int, max_total: int | None = None
    ) -> list[tuple[str, bytes | None]] | None:
        """What ``cat-file --batch`` answers for ``names`` (full ids or ``ID~N``), or
        ``None`` when git must be asked.  Raises what git's reader raises for
        ``max_total`` (:class:`~modelgov.git.catfile.TooMuch`)."""
        from .catfile import TooMuch  # (catfile imports this module lazily)

        self._work = 0
        out: list[tuple[str, bytes | None]] = []
        budget = max_total if max_total is not None else -1
        try:
            for name in names:
                hexid, tilde, steps = name.partition("~")
                if len(hexid) != self.hexlen:
                    return None
                if tilde:
                    found = self._ancestor(hexid, int(steps))
                    if found is None:
                        out.append((f"{name} missing", None))
                        continue
                    hexid = found
                kind, size, body = self.read(hexid, limit)
                if budget >= 0 and size <= limit:
                    budget -= size
                    if budget < 0:
                        raise TooMuch(max_total or 0)
                out.append((f"{hexid} {kind} {size}", body))
        except (Unsure, OSError, ValueError, IndexError, RecursionError):
            return None
        return out
