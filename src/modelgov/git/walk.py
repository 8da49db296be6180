"""The history walk: every model.yaml of a repository followed through one walk.

:func:`model_histories` runs the git processes (through the repository's
:class:`~modelgov.git.sandbox.Sandbox` and ``cat-file`` process) and hands
their output to the pure functions below, so every decision about history is
unit-testable with bytes built by hand.  Per repository and commit (HEAD, or
the ``--rev`` / ``--as-of`` commit) it makes, for all models at once:

1. one ``git log --parents --raw -z -M`` walk (:data:`LOG_FORMAT`) limited
   to :func:`literal_pathspecs` -- the models' files by name plus the
   literal folders of their ``paths`` (or no limit when a pattern starts
   with a wildcard); where an addition of a model file might be a rename
   those names hide, git is asked (:func:`hidden_rename`) and the walk made
   again with :func:`pathspecs`, which name every ``model.yaml``/``model.yml``
   -- read as it comes (:class:`LogParser`,
   :func:`walk_streamed`) and stopped, in a linear history, once every model
   has what its rules need (:meth:`Walker.satisfied`); if git's default order
   turns out not to be topological (committer dates going backwards), a
   second walk with ``--topo-order`` replaces it;
2. the old versions of the model files (owner history) and, when judging
   the work tree, their index entries (``:0:path``), read by the
   repository's ``cat-file --batch`` process.

That is one ``log`` per repository, whatever the number of models -- or
none: a linear history of at most :data:`SMALL_HISTORY` commits is read
through the ``cat-file`` process instead (:func:`log_from_objects`;
:func:`parse_commit`, :func:`diff_entries`, :func:`small_log` give the
records ``git log`` would print; anything they might show differently is left
to ``git log``).  A model file renamed from a name the literal pathspecs do
not hold costs a one-commit ``log`` and a second walk; an addition that
deletes nothing the globs match is told apart in Python, without a process.

Bounds of the walk (no rule's answer depends on what is not read): MG202
needs the last change of each model.yaml -- the last commit that changed what
it declares, not only its comments or layout -- and every commit its
declaration did not see, so the walk passes the last change and stops when
every commit still to come is an ancestor of it; MG204 reports the most recent change of
owner, so older versions are read until one names another owner than the
judged version (at most :data:`MAX_VERSIONS` per model); a model.yaml that is
not committed, or whose last change is not found, keeps the walk going.

What is judged, per model (:func:`walk`, :func:`finish`), into the plain
records of :mod:`modelgov.facts.history` the rules read:

* the *touches* of its model.yaml: commits whose diff changes the file,
  following renames (``R`` entries) back to the file's creation (``A``);
* which touches are *changes* of the declaration (for a model with
  ``paths``): the two versions of the file are read through the ``cat-file``
  process as the walk meets the touch (the same blobs the owner history
  reads, each read and parsed once) and compared by what they declare
  (:func:`~modelgov.facts.history.content_digest`) -- only when the answer
  depends on it: in a linear history a touch waits (``_Track.pending``) until
  a code change it would have seen turns up that the judged version's
  ``review.last_reviewed`` does not cover, or the walk stops or meets a merge;
  one older than a change the walk already passed is never read;
  a touch that changes
  only comments, whitespace, quoting or key order, or only the file's name
  within its folder, is cosmetic (a move to another folder is a change: the
  ``paths`` it declares are relative to its folder);
* the *code changes*: commits that changed a file matched by the model's
  ``paths`` (globs relative to the model.yaml's folder, see
  :mod:`modelgov.pathmatch`) and are *not* an ancestor of (or equal to) a
  change of the declaration -- that is, changes the last real update of the
  declaration never saw.  Ancestry is propagated in one pass over the walk
  with a bit per model;
* the owner email of every committed version (for the handoff rule);
* whether the file is staged or modified now (blob ids compared: work tree
  file hashed as git would, index entry, the walked commit's tree), and
  whether that edit changes what it declares (``ModelSpec.digest``);
* shallow clones: the boundary commits (listed in ``.git/shallow``) show every
  file as added; their entries are never taken as touches or code changes,
  and a model whose last touch or creation lies beyond the boundary says so
  (``touch_known`` / ``origin_known``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from ..facts.history import (
    CodeChange,
    Commit,
    ModelHistory,
    ModelSpec,
    OwnerVersion,
    content_digest,
)
from ..hashing import sha1, sha256
from ..pathmatch import PathMatcher, anchor, matcher
from .catfile import _TREE_LIMIT, ObjectReader, _parse_tree
from .refs import _SHA, Refs
from .sandbox import LOG, Sandbox

#: ``git log --format``: a record separator, then NUL-separated fields.
LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%s"
_FIELDS = 7
#: Files kept per code change (the message shows fewer).
FILES_KEPT = 20
#: Old versions of one model.yaml read for its owner history.
MAX_VERSIONS = 200
#: Literal folders passed to git as pathspecs (each costs a match per changed path).
MAX_LITERALS = 8
#: Distinct paths remembered per walk (decoded names, matches of ``paths``).
_PATH_CACHE = 1 << 16
_MAGIC = "*?[\\"  # and the escapes pathmatch.anchor writes
MODEL_GLOBS = (":(glob)**/model.yaml", ":(glob)**/model.yml")


class Change(NamedTuple):
    """One ``--raw`` entry: a file changed by a commit."""

    status: str  # A, M, D, T, R (with old_path), C
    path: str
    old_path: str = ""
    old_blob: str = ""
    new_blob: str = ""


class LogEntry(NamedTuple):
    commit: Commit
    changes: tuple[Change, ...]


class _Track:
    """Walk state of one model."""

    __slots__ = (
        "active", "bit", "boundary", "changes", "code", "deleted", "head_blob", "matched",
        "names", "origin_found", "owner_changed", "pending", "rx", "spec", "touches",
        "versions",
    )  # fmt: skip

    def __init__(
        self,
        spec: ModelSpec,
        bit: int,
        rx: PathMatcher | None,
        active: set[str],
        names: list[str],
        head_blob: str | None = None,
    ) -> None:
        self.spec = spec
        self.bit = bit
        self.rx = rx  # its paths, compiled
        self.matched: dict[str, bool] = {}  # path -> rx matches it (memo of the walk)
        self.active = active
        self.names = names
        self.head_blob = head_blob
        self.deleted = False  # the first thing seen for its name was a deletion
        self.touches: list[Commit] = []
        # the touches that changed what it declares (one that a later change already saw
        # is counted without being judged: it cannot change the answer)
        self.changes: list[Commit] = []
        # touches not judged yet (newest first): in a linear history a touch is judged only
        # when a code change depends on it (see Walker._resolve)
        self.pending: list[tuple[Commit, Change]] = []
        self.versions: list[tuple[str, Commit]] = []
        self.code: list[CodeChange] = []
        self.boundary: Commit | None = None
        self.origin_found = False
        self.owner_changed = False  # a version names another owner than spec.owner


class Walk(NamedTuple):
    """The result of :func:`walk`: per model, what the log said.

    ``cut``: the walk stopped before the end of the history because every
    model had what its rules need (see :meth:`Walker.satisfied`).
    """

    rev: str | None
    shallow: bool
    tracks: tuple[_Track, ...]
    cut: bool = False
    #: blob id -> content digest (``None``: it does not load), read while walking
    digests: Mapping[str, str | None] = {}

    def blob_requests(self) -> list[str]:
        """Blob ids of the committed versions, for one ``cat-file --batch``."""
        out: dict[str, None] = {}
        for t in self.tracks:
            for blob, _ in t.versions:
                out.setdefault(blob, None)
        return list(out)


# -- parsing -------------------------------------------------------------------


def parse_log(raw: bytes, boundary: Iterable[str] = ()) -> list[LogEntry]:
    """Parse ``git log --parents --raw -z --no-abbrev --format=LOG_FORMAT`` output.

    Fields are read by count (a commit has :data:`_FIELDS` fields; a raw entry
    one or two paths), so names or subjects with odd characters cannot shift
    the parse.  Commits in ``boundary`` are marked: their diffs are not real.
    """
    parser = LogParser(boundary)
    return parser.feed(raw) + parser.close()


class LogParser:
    """:func:`parse_log` for output that arrives in pieces (a streamed walk).

    :meth:`feed` returns the entries completed by a piece -- an entry is
    complete once the next one starts -- and :meth:`close` the last one.
    """

    def __init__(self, boundary: Iterable[str] = ()) -> None:
        self.edge = frozenset(boundary)
        self._tokens: list[bytes] = []  # complete tokens not yet parsed
        self._tail = b""  # an unfinished token
        self._paths: dict[bytes, str] = {}  # raw path -> decoded (see _path)

    def feed(self, data: bytes) -> list[LogEntry]:
        parts = (self._tail + data).split(b"\0")
        self._tail = parts.pop()
        self._tokens.extend(parts)
        return self._parse(final=False)

    def close(self) -> list[LogEntry]:
        if self._tail:
            self._tokens.append(self._tail)
            self._tail = b""
        return self._parse(final=True)

    def _parse(self, *, final: bool) -> list[LogEntry]:
        # The hot loop of a long walk (one pass per commit, 20,000 in a busy monorepo):
        # names are bound locally and the same bytes decoded once (see _meta, _path).
        tokens = self._tokens
        entries: list[LogEntry] = []
        append = entries.append
        edge = self.edge
        meta_of = self._meta
        path_of = self._path
        i = 0
        n = len(tokens)
        kept = 0  # tokens before this are parsed
        while i < n:
            tok = tokens[i]
            if tok[:1] != b"\x1e":
                tok = tok.lstrip(b"\n")
                if not tok.startswith(b"\x1e"):
                    i += 1  # trailing empty token, or noise
                    kept = i
                    continue
            if i + _FIELDS > n:
                break
            j = i + _FIELDS
            changes: list[Change] = []
            complete = final
            while j < n:
                meta = tokens[j]
                if meta[:1] != b":":
                    meta = meta.lstrip(b"\n")
                    if not meta.startswith(b":"):
                        complete = True  # the next commit (or noise) follows
                        break
                status, old_blob, new_blob = meta_of(meta)
                two = status in ("R", "C")
                if j + (2 if two else 1) >= n:
                    if final:
                        j = n
                    break
                first = path_of(tokens[j + 1])
                if two:
                    changes.append(
                        Change(status, path_of(tokens[j + 2]), first, old_blob, new_blob)
                    )
                    j += 3
                else:
                    changes.append(Change(status, first, "", old_blob, new_blob))
                    j += 2
            if not complete:
                break  # wait for the rest of this commit
            sha = tok[1:].decode("ascii", "replace").strip()
            commit = Commit(
                sha,
                tuple(tokens[i + 1].decode("ascii", "replace").split()),
                tokens[i + 2].decode("utf-8", "replace"),
                tokens[i + 3].decode("utf-8", "replace"),
                _int(tokens[i + 4]),
                _int(tokens[i + 5]),
                tokens[i + 6].decode("utf-8", "replace"),
                sha in edge,
            )
            append(LogEntry(commit, tuple(changes)))
            i = kept = j
        self._tokens = [] if final else tokens[kept:]
        return entries

    def _meta(self, meta: bytes) -> tuple[str, str, str]:
        """``(status letter, old blob, new blob)`` of a ``--raw`` line (``:`` included)."""
        parts = meta[1:].decode("ascii", "replace").split()
        if len(parts) < 5:
            return "?", "", ""
        return parts[4][:1], parts[2], parts[3]

    def _path(self, raw: bytes) -> str:
        """A path as the walk names it; the same few paths recur in every commit."""
        cache = self._paths
        found = cache.get(raw)
        if found is None:
            found = raw.decode("utf-8", "surrogateescape")
            if len(cache) < _PATH_CACHE:
                cache[raw] = found
        return found


def _int(value: bytes) -> int:
    try:
        return int(value)  # int() ignores surrounding whitespace
    except ValueError:
        return 0


# -- what to walk ----------------------------------------------------------------


def literal_prefix(anchored: str) -> str:
    """The leading folders of an anchored glob before its first wildcard."""
    out = []
    for segment in anchored.split("/"):
        if any(c in segment for c in _MAGIC):
            break
        out.append(segment)
    return "/".join(out)


def pathspecs(specs: Sequence[ModelSpec]) -> list[str]:
    """Pathspecs that limit the walk to what any model needs; ``[]`` walks everything.

    Every model file, plus the literal folder in front of each ``paths``
    pattern (``src/fraud/**`` -> ``src/fraud``); the exact matching is done in
    Python with :mod:`modelgov.pathmatch`, so a coarser pathspec is always
    safe.  Git matches every pathspec against every changed path, so more than
    :data:`MAX_LITERALS` folders are collapsed to their top-level folders
    (a monorepo's 200 models become ``models``), and when even those are too
    many the walk is not limited.  Renames of a model.yaml are seen because
    both its old and new names match ``**/model.yaml``.
    """
    literals: dict[str, None] = {}
    for spec in specs:
        if not _globbed(spec.file):
            literals.setdefault(spec.file, None)
        for pattern in spec.paths:
            anchored = anchor(spec.base, pattern)
            if anchored is None:
                continue
            prefix = literal_prefix(anchored)
            if not prefix:
                return []
            literals.setdefault(prefix, None)
    if len(literals) > MAX_LITERALS:
        literals = dict.fromkeys(p.split("/", 1)[0] for p in literals)
    if len(literals) > MAX_LITERALS:
        return []
    return [*MODEL_GLOBS, *(":(literal)" + p for p in literals)]


def _globbed(file: str) -> bool:
    """Whether :data:`MODEL_GLOBS` match the model file ``file``."""
    return file.rsplit("/", 1)[-1] in ("model.yaml", "model.yml")


def _model_files(specs: Sequence[ModelSpec]) -> list[str]:
    return list(dict.fromkeys(spec.file for spec in specs))


def model_pathspecs(specs: Sequence[ModelSpec], *, literal: bool = False) -> list[str]:
    """The part of :func:`pathspecs` (or, ``literal``, of :func:`literal_pathspecs`)
    that names the model files, without the code folders: what an owner history
    needs (:meth:`Walker.owners_only`)."""
    files = _model_files(specs)
    if literal:
        return [":(literal)" + f for f in files]
    return [*MODEL_GLOBS, *(":(literal)" + f for f in files if not _globbed(f))]


def literal_pathspecs(specs: Sequence[ModelSpec]) -> list[str] | None:
    """:func:`pathspecs` with each model file named literally instead of
    :data:`MODEL_GLOBS`; ``None`` when that does not apply (the walk is not
    limited, or there are more than :data:`MAX_LITERALS` model files).

    ``**/model.yaml`` makes git look for a model file in every folder a commit
    changes (a quarter of a long walk's cost in git, measured on bench/run.py's
    20,000-commit layouts); a literal name is one comparison.  What the globs
    add is renames: git pairs a deleted and an added file only when the
    pathspecs match both, so with literal names a model file renamed from
    another model file's name shows as added.  :func:`model_histories` asks
    git about each such addition (:func:`hidden_rename`) and walks again with
    the globs when it was a rename, so the answer is the globs' answer.
    """
    full = pathspecs(specs)
    if not full:
        return None
    files = _model_files(specs)
    if len(files) > MAX_LITERALS:
        return None
    rest = [p for p in full if p not in MODEL_GLOBS and p[len(":(literal)") :] not in files]
    return [*(":(literal)" + f for f in files), *rest]


# -- a short linear history, read from its objects --------------------------------

#: Commits of a linear history that :func:`log_from_objects` reads through the
#: repository's ``cat-file`` process instead of starting ``git log`` (reading
#: them costs less than a process up to about this many).
SMALL_HISTORY = 64
#: Changed entries compared per small history before it is left to ``git log``.
SMALL_HISTORY_ENTRIES = 100_000
_IDENT = re.compile(rb"^([^<>\n]*?)[ \t\r\n]*<([^<>\n]*)> (\d+) [+-]\d{4}$")
_ODD = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RawCommit(NamedTuple):
    """A commit object as the log walk sees it (real parents) and its tree."""

    commit: Commit
    tree: str


def parse_commit(sha: str, body: bytes) -> RawCommit | None:
    """A commit object as ``git log --format=LOG_FORMAT`` shows it.

    ``None`` when the object holds anything that format might show
    differently (an ``encoding`` header, an irregular name line, control
    characters): the caller then leaves the walk to ``git log``.  The subject
    is git's ``%s``: the first paragraph of the message, its lines stripped
    of trailing blanks and joined by spaces.
    """
    head, sep, message = body.partition(b"\n\n")
    tree = ""
    parents: list[str] = []
    author = committer = None
    seen: set[bytes] = set()
    for line in head.split(b"\n"):
        if line.startswith(b" "):
            continue  # the continuation of a multi-line header (gpgsig, mergetag)
        key, _, value = line.partition(b" ")
        if (key in seen and key != b"parent") or key == b"encoding":
            return None  # a second tree/author/committer, or another encoding
        seen.add(key)
        if key == b"tree":
            tree = value.decode("ascii", "replace")
        elif key == b"parent":
            parents.append(value.decode("ascii", "replace"))
        elif key == b"author":
            author = _IDENT.match(value)
        elif key == b"committer":
            committer = _IDENT.match(value)
    if not (author and committer and _SHA.match(tree)) or not all(map(_SHA.match, parents)):
        return None
    lines = message.split(b"\n") if sep else []
    while lines and not lines[0].strip(b" \t\r\n"):
        lines.pop(0)
    subject = []
    for line in lines:
        line = line.rstrip(b" \t\r\n")
        if not line:
            break
        subject.append(line)
    text = b" ".join(subject)
    if _ODD.search(text) or _ODD.search(author.group(1) + author.group(2)):
        return None
    commit = Commit(
        sha=sha,
        parents=tuple(parents),
        author_name=author.group(1).decode("utf-8", "replace"),
        author_email=author.group(2).decode("utf-8", "replace"),
        author_time=int(author.group(3)),
        commit_time=int(committer.group(3)),
        subject=text.decode("utf-8", "replace"),
    )
    return RawCommit(commit, tree)


def pathspec_filter(
    specs: Sequence[str],
) -> tuple[Callable[[str], bool], Callable[[str], bool]] | None:
    """``(matches(path), may_hold(folder))`` for pathspecs made by :func:`pathspecs`
    (``None`` for any other kind): what ``git log -- PATHSPECS`` would show."""
    if not specs:
        return (lambda _path: True), (lambda _folder: True)
    names: set[str] = set()
    literals: list[str] = []
    for spec in specs:
        if spec in MODEL_GLOBS:
            names.add(spec.rsplit("/", 1)[1])
        elif spec.startswith(":(literal)") and len(spec) > 10 and not spec.endswith("/"):
            literals.append(spec[10:])
        else:
            return None

    def matches(path: str) -> bool:
        if names and path.rsplit("/", 1)[-1] in names:
            return True
        return any(path == lit or path.startswith(lit + "/") for lit in literals)

    def may_hold(folder: str) -> bool:
        if names:
            return True
        return any(
            lit == folder or lit.startswith(folder + "/") or folder.startswith(lit + "/")
            for lit in literals
        )

    return matches, may_hold


def _kind(mode: str) -> str:
    return mode[:2] if mode.startswith(("12", "16")) else "10"


def diff_entries(
    new: Mapping[str, tuple[str, str]],
    old: Mapping[str, tuple[str, str]],
    prefix: str,
    matches: Callable[[str], bool],
    may_hold: Callable[[str], bool],
    zero: str,
    changes: list[Change],
) -> list[tuple[str, str | None, str | None]]:
    """Compare one folder of two trees (name -> (mode, id); ``040000`` is a folder).

    Changed files the pathspecs match go to ``changes`` (A, D, M, or T when a
    file becomes a link or a submodule); returns the sub-folders to compare
    next, as ``(path/, new id, old id)`` (``None``: absent on that side).
    """
    below: list[tuple[str, str | None, str | None]] = []
    for name in new.keys() | old.keys():
        n = new.get(name)
        o = old.get(name)
        if n == o:
            continue
        path = prefix + name
        n_dir = n is not None and n[0] == "040000"
        o_dir = o is not None and o[0] == "040000"
        if n_dir or o_dir:
            if may_hold(path):
                below.append(
                    (path + "/", n[1] if n_dir and n else None, o[1] if o_dir and o else None)
                )
            if n is not None and not n_dir and matches(path):
                changes.append(Change("A", path, "", zero, n[1]))
            if o is not None and not o_dir and matches(path):
                changes.append(Change("D", path, "", o[1], zero))
            continue
        if not matches(path):
            continue
        if n is None:
            assert o is not None
            changes.append(Change("D", path, "", o[1], zero))
        elif o is None:
            changes.append(Change("A", path, "", zero, n[1]))
        else:
            status = "M" if _kind(n[0]) == _kind(o[0]) else "T"
            changes.append(Change(status, path, "", o[1], n[1]))
    return below


def small_log(
    commits: Sequence[RawCommit], changes: Sequence[Sequence[Change]], *, limited: bool
) -> list[LogEntry] | None:
    """The entries ``git log --parents --raw -M`` would print for a linear history.

    ``commits`` newest first with each commit's changes against its parent;
    with pathspecs (``limited``) commits that change nothing they match are
    left out and parents are rewritten to the next commit shown, as git does.
    ``None`` when a commit both deletes and adds matched files: git's rename
    detection decides those, so the caller leaves the walk to ``git log``.
    """
    shown = []
    for raw, found in zip(commits, changes, strict=True):
        if not found and limited:
            continue
        statuses = {ch.status for ch in found}
        if "A" in statuses and "D" in statuses:
            return None
        order = sorted(found, key=lambda ch: ch.path.encode("utf-8", "surrogateescape"))
        shown.append((raw.commit, tuple(order)))
    out = []
    for i, (commit, found) in enumerate(shown):
        parents = (shown[i + 1][0].sha,) if i + 1 < len(shown) else ()
        out.append(LogEntry(commit._replace(parents=parents), found))
    return out


# -- judging -------------------------------------------------------------------


def walk(
    entries: Sequence[LogEntry],
    specs: Sequence[ModelSpec],
    *,
    rev: str | None,
    shallow: bool,
    digests_of: Callable[[Sequence[str]], Mapping[str, str | None]] | None = None,
) -> Walk:
    """Follow every model through one walk (newest first, topological order).

    Without ``digests_of`` every touch counts as a change of the declaration."""
    walker = Walker(specs, rev=rev, shallow=shallow, digests_of=digests_of)
    for entry in entries:
        walker.feed(entry)
    return walker.result()


class Walker:
    """The walk of :func:`walk`, one log entry at a time, so a streamed log can stop early.

    Entries must come children first.  :func:`walk_streamed` feeds ``git log``
    in its default order, which is topological unless committer dates go
    backwards; :meth:`feed` answers ``False`` for a commit whose parent was
    already walked (the order was not topological: :func:`model_histories`
    then walks again with ``--topo-order``).  While every commit walked so far
    has at most one parent (a linear history; no later commit can be a child
    of a walked one), :meth:`satisfied` tells whether every model already has
    what its rules need, and the rest of the history is not read:

    * its model.yaml's newest state (its last change, or that it is not
      committed);
    * for a model with ``paths`` (MG202), its last change and no commit left
      that its declaration did not see: every commit still to come is an
      ancestor of a change of the model.yaml;
    * for owner history (MG204), a version whose owner differs from
      ``spec.owner`` (MG204 reports only the most recent change of owner), or
      the model.yaml's whole history when ``spec.owner`` is ``None``; nothing
      when it is ``""`` (no owner to compare).

    ``emails_of`` reads the owner emails of blobs (old versions) for that last
    test, in one batch per call.  ``digests_of`` reads what versions declare
    (:func:`content_digest_of`), in one batch per commit, to tell a change of
    the declaration from a cosmetic touch (for models with ``paths``); without
    it every touch is a change.
    """

    def __init__(
        self,
        specs: Sequence[ModelSpec],
        *,
        rev: str | None,
        shallow: bool,
        emails_of: Callable[[Sequence[str]], Mapping[str, str]] | None = None,
        digests_of: Callable[[Sequence[str]], Mapping[str, str | None]] | None = None,
    ) -> None:
        self.rev = rev
        self.shallow = shallow
        self.emails_of = emails_of
        self.emails: dict[str, str] = {}  # blob -> owner email, read while walking
        self.digests_of = digests_of
        self.digests: dict[str, str | None] = {}  # blob -> what it declares, read while walking
        for spec in specs:  # the judged versions are parsed already
            if spec.digest is not None:
                for blob in {*(spec.worktree_ids or ()), spec.index_id, spec.blob} - {None}:
                    assert blob is not None
                    self.digests[blob] = spec.digest
        self.tracks: list[_Track] = []
        self.by_name: dict[str, list[_Track]] = {}
        for i, spec in enumerate(specs):
            rx = matcher(spec.base, spec.paths) if spec.paths else None
            t = _Track(spec=spec, bit=1 << i, rx=rx, active={spec.file}, names=[spec.file])
            self.tracks.append(t)
            self.by_name.setdefault(spec.file, []).append(t)
        self.coded = [t for t in self.tracks if t.rx is not None]
        # Which models may a changed path belong to?  Index them by the literal folder in
        # front of their patterns, so a commit costs O(path depth), not O(models).
        self.by_prefix: dict[str, list[_Track]] = {}
        self.anywhere: list[_Track] = []
        for t in self.coded:
            prefixes = {
                literal_prefix(a)
                for pat in t.spec.paths
                if (a := anchor(t.spec.base, pat)) is not None
            }
            if "" in prefixes:
                self.anywhere.append(t)
            for prefix in prefixes - {""}:
                self.by_prefix.setdefault(prefix, []).append(t)
        self._owners: dict[str, tuple[_Track, ...]] = {}  # path -> models it may belong to
        self.reviewed: dict[str, int] = {}  # the frontier: commit -> bits of models that saw it
        self.seen: set[str] = set()
        self.linear = True  # no commit walked so far has more than one parent
        self.cut = False
        self.touched = 0  # touches of model files walked so far
        self.floor = 0  # bits every commit still to come has (see owners_only)
        self._unsatisfied = -1  # ``touched`` when satisfied() last said no

    def follows(self, path: str) -> bool:
        """Whether a change of ``path`` is a touch of a model the walk follows."""
        return any(path in t.active for t in self.by_name.get(path, ()))

    def feed(self, entry: LogEntry) -> bool:
        """Walk one commit; ``False`` when a parent of it was walked already (not topological)."""
        c = entry.commit
        if not self.seen.isdisjoint(c.parents):
            return False
        self.seen.add(c.sha)
        reviewed = self.reviewed
        bits = reviewed.pop(c.sha, 0) | self.floor
        if len(c.parents) > 1:
            if self.linear:
                bits = self._settle(bits)  # from here on every touch is judged as it comes
            self.linear = False
        seen = bits  # models whose declaration saw this commit (or may: pending touches)
        if self.digests_of is not None and not c.boundary and not self.linear:
            self._read_versions(entry, seen)
        by_name = self.by_name
        for ch in entry.changes:
            holders = by_name.get(ch.path)
            if not holders:
                continue  # no model's file (the common case: a code change)
            for t in list(holders):
                if ch.path not in t.active:
                    continue
                self.touched += 1
                declares: bool | None
                if seen & t.bit and not t.pending:
                    declares = True  # a later change of the declaration saw it already
                elif self._lazy(t) and not c.boundary and self._needs_versions(t, ch):
                    t.pending.append((c, ch))
                    declares = None  # judged if and when a code change depends on it
                else:
                    declares = self._declares(t, ch)
                bits |= _touch(t, c, ch, self.by_name, declares)
        if self.coded and not c.boundary and entry.changes:
            for t in _candidates(entry.changes, self.by_prefix, self.anywhere, self._owners):
                if bits & t.bit:
                    if t.changes or not t.pending:
                        continue  # seen by a change of the declaration
                    # seen only through touches not judged yet
                    reviewed_on = t.spec.reviewed
                    if reviewed_on is not None and c.date <= reviewed_on:
                        continue  # covered by the review the judged version records, either way
                    if self._resolve(t):
                        continue
                    bits &= ~t.bit  # those touches changed nothing: this commit is unseen
                files = _code_files(t, entry.changes)
                if files:
                    t.code.append(
                        CodeChange(c, tuple(files[:FILES_KEPT]), max(0, len(files) - FILES_KEPT))
                    )
        for p in c.parents:
            reviewed[p] = reviewed.get(p, 0) | bits
        return True

    def _lazy(self, t: _Track) -> bool:
        """Whether a touch of ``t`` may wait to be judged until a code change depends on it:
        in a linear history, before any change of its declaration is known."""
        return self.linear and t.rx is not None and self.digests_of is not None and not t.changes

    def _needs_versions(self, t: _Track, ch: Change) -> bool:
        """Whether telling if this touch changed the declaration takes reading its versions."""
        moved = ch.status == "R" and ch.old_path.rpartition("/")[0] != ch.path.rpartition("/")[0]
        return self._judged(t, ch) and not moved

    def _resolve(self, t: _Track) -> bool:
        """Judge ``t``'s pending touches, newest first, until one changed the declaration.

        ``True`` when one did: it and the older pending touches (which it saw) are changes,
        the newer ones cosmetic.  ``False``: none did (all cosmetic).  In a linear
        history every pending touch is a descendant of what is walked next, so this is
        exactly what judging each touch as it came would have decided."""
        pending, t.pending = t.pending, []
        for i, (_c, ch) in enumerate(pending):
            if self._declares(t, ch):
                keep = {pc.sha for pc, _ in pending[i:]} | {x.sha for x in t.changes}
                t.changes = [x for x in t.touches if x.sha in keep]
                return True
        return False

    def _settle(self, bits: int) -> int:
        """Judge every pending touch (a merge ends the linear history); ``bits`` without the
        bits of models whose pending touches all turned out cosmetic."""
        for t in self.tracks:
            if t.pending and not t.changes and not self._resolve(t):
                bits &= ~t.bit
            elif t.pending:
                self._resolve(t)
        return bits

    def _judged(self, t: _Track, ch: Change) -> bool:
        """Whether this touch needs both versions read to tell whether it is a change."""
        return (
            t.rx is not None
            and self.digests_of is not None
            and ch.status in ("M", "T", "R")
            and ch.old_blob != ch.new_blob
        )

    def _read_versions(self, entry: LogEntry, seen: int) -> None:
        """Read, in one batch, both versions of every judged touch of this commit.

        A touch of a model whose declaration already saw this commit (``seen``: a
        later change of it is a descendant) is not judged: whether it changed the
        declaration changes nothing, so in a linear history no touch older than
        the last change is read."""
        wanted: dict[str, None] = {}
        for ch in entry.changes:
            for t in self.by_name.get(ch.path, ()):
                if ch.path in t.active and not seen & t.bit and self._judged(t, ch):
                    for blob in (ch.old_blob, ch.new_blob):
                        if blob not in self.digests:
                            wanted.setdefault(blob, None)
        if wanted and self.digests_of is not None:
            self.digests.update(self.digests_of(list(wanted)))

    def _declares(self, t: _Track, ch: Change) -> bool:
        """Whether a touch of ``t``'s file changed what it declares (see the class docstring)."""
        if ch.status in ("A", "C"):
            return True  # the declaration starts here
        if ch.status == "R" and ch.old_path.rpartition("/")[0] != ch.path.rpartition("/")[0]:
            return True  # moved to another folder: its `paths` now name other files
        if ch.old_blob == ch.new_blob:
            return t.rx is None or self.digests_of is None  # a rename or a mode change only
        if not self._judged(t, ch):
            return True
        missing = [b for b in (ch.old_blob, ch.new_blob) if b not in self.digests]
        if missing:
            assert self.digests_of is not None
            self.digests.update(self.digests_of(missing))
        old, new = self.digests.get(ch.old_blob), self.digests.get(ch.new_blob)
        # a version that does not load: the edit broke or fixed the file, a real change
        return old is None or new is None or old != new

    def owners_only(self) -> str | None:
        """The commit to walk on from when only the owner histories (MG204) still need
        older commits, else ``None``.

        In a linear history, once every model with ``paths`` has its last change and the
        next commit (the one ``reviewed`` holds) carries its bit, every commit still to
        come is an ancestor of that change: no code change can be unseen.  What is left
        is older versions of the model files, which a log limited to them alone reads at
        a fraction of the cost (git compares one name per commit instead of the code
        folders): :func:`walk_streamed` goes on from the returned commit with such a
        log, and :attr:`floor` gives every commit it shows the bits it would have had."""
        if not self.linear or len(self.reviewed) != 1:
            return None
        ((frontier, bits),) = self.reviewed.items()
        for t in self.tracks:
            if t.deleted:
                continue
            if t.head_blob is None:
                return None
            if t.rx is not None and (t.pending or not t.changes or not bits & t.bit):
                return None
        self.floor = bits
        return frontier

    def satisfied(self) -> bool:
        """May the walk stop here?  Only in a linear history (see the class docstring).

        In a linear history only a touch of a model file changes the answer (it is what
        brings a model's last change, an older version or its creation; the bits every
        other commit passes on to its parent are its child's), so a "no" is remembered
        until the next touch: a long walk asks after every piece git writes."""
        if not self.linear:
            return False
        if self._unsatisfied == self.touched:
            return False
        self._unsatisfied = self.touched
        return self._satisfied()

    def _satisfied(self) -> bool:
        unknown = [
            blob
            for t in self.tracks
            if t.spec.owner and not t.owner_changed
            for blob, _ in t.versions
            if blob not in self.emails
        ]
        if unknown and self.emails_of is not None:
            self.emails.update(self.emails_of(list(dict.fromkeys(unknown))))
        frontier = list(self.reviewed.values())
        for t in self.tracks:
            if t.head_blob is None and not t.deleted:
                return False  # its newest state is not known yet
            if t.deleted:
                continue  # not committed: no history rule judges it
            if t.rx is not None and t.pending and not t.changes and not self._resolve(t):
                # the touches walked changed nothing: what is older is unseen by them
                for commit in self.reviewed:
                    self.reviewed[commit] &= ~t.bit
                frontier = list(self.reviewed.values())
            if t.rx is not None and (not t.changes or not all(bits & t.bit for bits in frontier)):
                return False
            owner = t.spec.owner
            if owner is None or (owner and not t.owner_changed):
                if owner and any(
                    (email := self.emails.get(blob)) and email != owner for blob, _ in t.versions
                ):
                    t.owner_changed = True
                elif t.active:
                    return False  # older versions may still come
        return True

    def result(self, *, cut: bool = False) -> Walk:
        for t in self.tracks:
            # a code change to report needs the last change named; a shallow clone or a
            # missing creation needs to know whether a change was seen at all
            if t.pending and (t.code or self.shallow or not t.changes):
                self._resolve(t)
        self.cut = cut
        return Walk(
            rev=self.rev,
            shallow=self.shallow,
            tracks=tuple(self.tracks),
            cut=cut,
            digests=self.digests,
        )


def _touch(
    t: _Track,
    c: Commit,
    ch: Change,
    by_name: dict[str, list[_Track]],
    declares: bool | None = True,
) -> int:
    """Record that ``c`` changed the tracked file; return the track's bit if it changed what
    the file declares (``declares``: the caller compared the versions) or may have (``None``:
    pending, see :meth:`Walker._resolve`), else 0."""

    def forget(name: str) -> None:
        t.active.discard(name)
        holders = by_name.get(name, [])
        if t in holders and name not in t.active:
            holders.remove(t)

    if c.boundary:
        # A shallow boundary lists every file as added: the state, not a change.
        if t.head_blob is None and not t.deleted:
            t.head_blob = ch.new_blob
        if len(t.versions) < MAX_VERSIONS:
            t.versions.append((ch.new_blob, c))
        t.boundary = c
        forget(ch.path)
        return 0
    if ch.status == "D":
        # Seen before any add: an earlier file of that name, deleted; ours is not committed.
        if t.head_blob is None:
            t.deleted = True
        forget(ch.path)
        return 0
    if t.head_blob is None:
        t.head_blob = ch.new_blob
    t.touches.append(c)
    if declares is True:
        t.changes.append(c)
    if len(t.versions) < MAX_VERSIONS:
        t.versions.append((ch.new_blob, c))
    if ch.status == "R" and ch.old_path:
        forget(ch.path)
        t.active.add(ch.old_path)
        if ch.old_path not in t.names:
            t.names.append(ch.old_path)
        holders = by_name.setdefault(ch.old_path, [])
        if t not in holders:
            holders.append(t)
    elif ch.status in ("A", "C"):
        forget(ch.path)
        if not t.active:
            t.origin_found = True
    return 0 if declares is False else t.bit


def _candidates(
    changes: Sequence[Change],
    by_prefix: dict[str, list[_Track]],
    anywhere: list[_Track],
    memo: dict[str, tuple[_Track, ...]] | None = None,
) -> list[_Track]:
    """The models whose ``paths`` may cover one of ``changes`` (in model order).

    ``memo`` remembers the models of each path (the same files change again and again)."""
    if not by_prefix:
        return list(anywhere)
    found: dict[int, _Track] = {t.bit: t for t in anywhere}
    for ch in changes:
        for path in (ch.path, ch.old_path):
            if not path:
                continue
            owners = memo.get(path) if memo is not None else None
            if owners is None:
                hit: dict[int, _Track] = {}
                folder = path
                while folder:
                    for t in by_prefix.get(folder, ()):
                        hit.setdefault(t.bit, t)
                    folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
                owners = tuple(hit.values())
                if memo is not None and len(memo) < _PATH_CACHE:
                    memo[path] = owners
            for t in owners:
                found.setdefault(t.bit, t)
    return [found[b] for b in sorted(found)]


def _code_files(t: _Track, changes: Sequence[Change]) -> list[str]:
    rx = t.rx
    assert rx is not None
    seen = t.matched  # path -> whether its `paths` match it (the same paths recur)

    def match(path: str) -> bool:
        hit = seen.get(path)
        if hit is None:
            hit = bool(rx.match(path))
            if len(seen) < _PATH_CACHE:
                seen[path] = hit
        return hit

    out = []
    for ch in changes:
        if ch.path in t.names:
            continue
        if match(ch.path) or (ch.old_path and match(ch.old_path)):
            out.append(ch.path)
    return sorted(set(out)) if len(out) > 1 else out


def finish(
    walked: Walk,
    objects: Mapping[str, tuple[str, bytes | None] | None],
    emails: Mapping[str, str] | None = None,
) -> dict[str, ModelHistory]:
    """Per model, the :class:`ModelHistory`, given the objects read by ``cat-file``.

    ``objects`` maps a requested name (a blob id, or ``:0:path`` for an index
    entry) to ``(object id, content)``, or ``None`` when git has no such object;
    ``emails`` the owner emails of blobs already read while walking.
    """
    emails = emails or {}
    out = {}
    for t in walked.tracks:
        spec = t.spec
        committed = t.head_blob is not None and not t.deleted
        index_id = spec.index_id
        if index_id is None and spec.worktree_ids is not None:
            found = objects.get(index_name(spec.file))
            index_id = found[0] if found else None
        touched_now = False
        if spec.worktree_ids is not None or spec.index_id is not None:
            if not committed:
                touched_now = True
            else:
                if index_id is not None and index_id != t.head_blob:
                    touched_now = True
                if spec.worktree_ids is not None and t.head_blob not in spec.worktree_ids:
                    touched_now = True
        owners = []
        for blob, commit in t.versions:
            # the parents a path-limited log shows depend on its pathspecs, which differ
            # between the walk and the narrower log of older versions (Walker.owners_only):
            # an owner history names commits, not their place in a walk
            commit = commit._replace(parents=())
            if blob in emails:
                owners.append(OwnerVersion(emails[blob], commit))
                continue
            got = objects.get(blob)
            owners.append(OwnerVersion(owner_email(got[1] if got else None), commit))
        touches = t.touches
        changes = t.changes
        changed_now = touched_now
        if touched_now and committed and spec.digest is not None and t.rx is not None:
            # an uncommitted edit of comments or layout only is not a change of the declaration
            head = _digest(t.head_blob, walked.digests, objects)
            changed_now = head is None or head != spec.digest
        judged = not t.pending  # pending: no code change depended on those touches
        if judged:
            cosmetic = touches[: touches.index(changes[0])] if changes else touches
            last_change = changes[0] if changes else None
        else:
            cosmetic, last_change = [], touches[0]
        out[spec.file] = ModelHistory(
            file=spec.file,
            rev=walked.rev,
            committed=committed,
            touched_now=touched_now,
            last_touch=touches[0] if touches else None,
            names=tuple(t.names),
            code_changes=tuple(sorted(t.code, key=lambda cc: -cc.commit.commit_time)),
            owners=tuple(owners),
            shallow=walked.shallow,
            boundary=t.boundary,
            touch_known=bool(touches) or not committed,
            # a walk cut short stopped because the rules had what they need (the
            # owner history is then only consulted up to its most recent change)
            origin_known=t.origin_found or not committed or walked.cut,
            complete=not walked.cut,
            last_change=last_change,
            cosmetic=tuple(cosmetic),
            changed_now=changed_now,
            change_known=bool(changes) or not judged or not committed,
            judged=judged,
        )
    return out


def _digest(
    blob: str | None,
    digests: Mapping[str, str | None],
    objects: Mapping[str, tuple[str, bytes | None] | None],
) -> str | None:
    """What the version ``blob`` declares, from the walk's digests or the objects read."""
    if blob is None:
        return None
    if blob in digests:
        return digests[blob]
    got = objects.get(blob)
    return content_digest_of(got[1] if got else None)


def content_digest_of(raw: bytes | None) -> str | None:
    """:func:`~modelgov.facts.history.content_digest` of one version of a model.yaml,
    loaded with modelgov's bounded loader; ``None`` when it is missing or does not load
    (a syntax error, an alias bomb: the loader's problems)."""
    if raw is None:
        return None
    from ..document import load

    doc = load("model.yaml", raw)
    if not doc.ok:
        return None
    return content_digest(doc.data)


def empty(specs: Sequence[ModelSpec], *, shallow: bool = False) -> dict[str, ModelHistory]:
    """Histories for a repository with no commits yet: nothing committed, all new."""
    return {
        s.file: ModelHistory(
            file=s.file,
            rev=None,
            committed=False,
            touched_now=True,
            last_touch=None,
            names=(s.file,),
            code_changes=(),
            shallow=shallow,
            changed_now=True,
        )
        for s in specs
    }


def index_name(path: str) -> str:
    """The ``cat-file`` name of ``path``'s stage-0 index entry (``:0:path``)."""
    return f":0:{path}"


def owner_email(raw: bytes | None) -> str:
    """``owner.email`` of one version of a model.yaml, normalised ('' if none).

    Old versions are many (every version of every model), so the common block
    layout is read by :func:`_quick_owner_email` in microseconds; anything
    else goes through the full loader.
    """
    if raw is None:
        return ""
    quick = _quick_owner_email(raw)
    if quick is not None:
        return quick
    from ..document import load

    doc = load("model.yaml", raw)
    value = doc.get("/owner/email")
    return value.strip().lower() if isinstance(value, str) else ""


_OWNER_KEY = re.compile(rb"^owner[ \t]*:[ \t]*(?:#[^\n]*)?$", re.MULTILINE)
_QUOTED_OWNER = re.compile(rb"^[\"'?]", re.MULTILINE)
_TOP_KEY = re.compile(rb"^[^\s#]", re.MULTILINE)
_SIMPLE_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _quick_owner_email(raw: bytes) -> str | None:
    """``owner.email`` when the file uses the plain block layout, else ``None``.

    Accepted: exactly one top-level ``owner:`` line with nothing after it but a
    comment, no quoted or complex top-level key, one document; then indented
    lines up to the next top-level line, exactly one of which is
    ``email: VALUE`` at the block's own indentation, VALUE a plain or quoted
    simple address.  Anything else (flow style, anchors, tabs, block scalars
    in the owner block) returns ``None`` and is left to the full loader.
    """
    if b"\n---" in raw or b"\n..." in raw or _QUOTED_OWNER.search(raw):
        return None
    keys = list(_OWNER_KEY.finditer(raw))
    if len(keys) != 1:
        return None
    start = keys[0].end() + 1
    nxt = _TOP_KEY.search(raw, start)
    block = raw[start : nxt.start() if nxt else len(raw)]
    try:
        lines = block.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    indent = None
    found: list[str] = []
    for line in lines:
        line = line.rstrip("\r")
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in line:
            return None
        width = len(line) - len(stripped)
        if indent is None:
            indent = width
        if width < indent or stripped.startswith(("-", "?", "|", ">", "[", "{", "!", "&", "*")):
            return None
        if width == indent:
            key, colon, value = stripped.partition(":")
            if not colon:
                return None  # a multi-line scalar: leave it to the loader
            if key.strip() == "email":
                found.append(value)
    if len(found) != 1:
        return None
    value = found[0].split(" #", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if not _SIMPLE_EMAIL.fullmatch(value):
        return None
    return value.lower()


def blob_id(data: bytes, object_format: str = "sha1") -> str:
    """The id git gives a blob with this content (``blob <size>\\0`` + data)."""
    algo = sha256 if object_format == "sha256" else sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def worktree_ids(data: bytes, object_format: str = "sha1") -> frozenset[str]:
    """Ids the work-tree file may have in git: as is, and with CRLF turned to LF
    (what ``core.autocrlf`` stores on Windows checkouts)."""
    ids = {blob_id(data, object_format)}
    if b"\r\n" in data:
        ids.add(blob_id(data.replace(b"\r\n", b"\n"), object_format))
    return frozenset(ids)


# -- the walk of a repository: the git processes -----------------------------------


def model_histories(
    repo: Refs,
    sandbox: Sandbox,
    objects: ObjectReader,
    specs: Sequence[ModelSpec],
    *,
    rev: str | None = None,
    index_file: str | None = None,
) -> dict[str, ModelHistory]:
    """The history of every model of a repository, judged at ``rev`` (default HEAD).

    Git processes, whatever the number of models (``sandbox.calls`` counts them):

    * one ``git log --parents --raw -z --no-abbrev -M`` from ``rev``,
      limited by :func:`literal_pathspecs` (or :func:`pathspecs`) and
      streamed (:func:`walk_streamed`): in a linear history it is stopped as
      soon as every model has what its rules need (:meth:`Walker.satisfied`),
      so a long history is not read to its start.  Its default order is
      topological unless committer dates go backwards; when the walk meets a
      commit after its parent, a second ``log --topo-order`` walks it sorted;
    * on a long history whose owner histories reach further back than the
      models' last changes, a second ``log`` limited to the model files goes
      on from where the first stopped (:meth:`Walker.owners_only`);
    * a one-commit ``log`` for an addition of a model file that may be a
      rename those pathspecs hid (:func:`hidden_rename`), and after one, the
      walk again with wider pathspecs;
    * the committed versions of the model files (owner history) and, for
      models judged from the work tree (``worktree_ids`` set), their index
      entries (``:0:path``) are read by the repository's ``cat-file``
      process (:meth:`~modelgov.git.catfile.ObjectReader.read_objects`).

    A repository without commits starts no process; a short linear history
    none but ``cat-file`` (:func:`log_from_objects`).
    """
    from ..document import MAX_BYTES

    start = rev or repo.head()
    boundary = repo.shallow_commits()
    if start is None:
        return empty(specs, shallow=bool(boundary))
    globbed = pathspecs(specs)
    args = [
        "--parents",
        "--raw",
        "-z",
        "--no-abbrev",
        "-M",
        f"--format={LOG_FORMAT}",
        "--end-of-options",
        start,
        "--",
        *globbed,
    ]
    refs = not _SHA.match(start)
    read: dict[str, tuple[str, bytes | None] | None] = {}

    def contents(blobs: Sequence[str]) -> dict[str, bytes | None]:
        """The contents of ``blobs``, each read once through the ``cat-file`` process."""
        todo = [b for b in blobs if b not in read]
        if todo:
            read.update(objects.read_objects(todo, MAX_BYTES, index_file=index_file))
        return {b: got[1] if (got := read.get(b)) else None for b in blobs}

    def emails_of(blobs: Sequence[str]) -> dict[str, str]:
        return {b: owner_email(raw) for b, raw in contents(blobs).items()}

    def digests_of(blobs: Sequence[str]) -> dict[str, str | None]:
        return {b: content_digest_of(raw) for b, raw in contents(blobs).items()}

    def new_walker() -> Walker:
        return Walker(
            specs, rev=start, shallow=bool(boundary), emails_of=emails_of, digests_of=digests_of
        )

    walker = new_walker()
    small = (
        None
        if boundary or refs
        else log_from_objects(repo, objects, start, args[args.index("--") + 1 :])
    )
    walked: Walk | None
    if small is not None:
        for entry in small:
            walker.feed(entry)
        walked = walker.result()
    else:
        # the walk with literal names, then with the globs (a hidden rename, see
        # literal_pathspecs), then without the narrow log of older versions (a rename
        # only the wide log would have seen, see Walker.owners_only)
        head = args[: args.index("--") + 1]
        literal = literal_pathspecs(specs)
        attempts: list[tuple[list[str], bool, list[str] | None]] = [
            (args, False, model_pathspecs(specs)),
            (args, False, None),
        ]
        if literal is not None:
            attempts.insert(0, ([*head, *literal], True, model_pathspecs(specs, literal=True)))

        asked: dict[tuple[str, str], bool] = {}

        def renamed(sha: str, path: str) -> bool:
            if (sha, path) not in asked:
                asked[sha, path] = hidden_rename(sandbox, repo, objects, sha, path, globbed)
            return asked[sha, path]

        for wide, check, narrow in attempts:
            try:
                walked = walk_streamed(
                    sandbox,
                    walker,
                    wide,
                    boundary,
                    refs=refs,
                    added=renamed,
                    check=check,
                    narrow=narrow,
                )
                break
            except HiddenRename:  # walk again, seeing what this walk could not
                walker = new_walker()
    if walked is None:  # not in topological order: walk it again, sorted by git
        raw = sandbox.run([*LOG, "--topo-order", *args], refs=refs)
        walked = walk(
            parse_log(raw, boundary),
            specs,
            rev=start,
            shallow=bool(boundary),
            digests_of=digests_of,
        )
    names = [b for b in walked.blob_requests() if b not in read]
    names += [
        index_name(s.file) for s in specs if s.worktree_ids is not None and s.index_id is None
    ]
    if names:
        read.update(objects.read_objects(names, MAX_BYTES, index_file=index_file))
    return finish(walked, read, walker.emails)


def log_from_objects(
    repo: Refs, objects: ObjectReader, start: str, specs: Sequence[str]
) -> list[LogEntry] | None:
    """What ``git log --parents --raw -M START -- SPECS`` prints, read from objects.

    For a linear history of at most :data:`SMALL_HISTORY` commits (most
    repositories of an audit) the commits are read through the repository's
    ``cat-file`` process -- ``START~0`` to ``START~31`` in one batch -- and
    their trees compared here, level by level: no ``log`` process.  ``None``
    (the walk is left to ``git log``) for a longer history, a merge, a commit
    that both adds and deletes matched files (git's rename detection decides
    those), anything :func:`parse_commit` would not show as git does, or a
    missing object.
    """
    import select

    filters = pathspec_filter(specs)
    if filters is None or not hasattr(select, "poll"):
        return None  # (without poll every batch would be a process of its own)
    matches, may_hold = filters
    # one name answers "longer than SMALL_HISTORY" (most histories a check meets) before
    # 64 commits are read and parsed: the commit SMALL_HISTORY first parents back
    probe = objects.records([f"{start}~{SMALL_HISTORY}"], 1 << 16)
    if not probe or not probe[0][0].endswith(" missing"):
        return None
    commits: list[RawCommit] = []
    sha = start
    while True:
        names = [sha] + [f"{sha}~{i}" for i in range(1, 32)]
        ended = False
        for header, body in objects.records(names, 1 << 20):
            fields = header.rsplit(" ", 2)
            if body is None or len(fields) < 3 or fields[1] != "commit":
                if header.endswith(" missing") and commits and not commits[-1].commit.parents:
                    ended = True  # past the root
                    break
                return None  # not a commit, too large, or an object missing
            raw = parse_commit(fields[0], body)
            if raw is None or len(raw.commit.parents) > 1 or len(commits) >= SMALL_HISTORY:
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
    zero = "0" * (64 if repo.object_format() == "sha256" else 40)
    pairs = [
        (raw.tree, commits[i + 1].tree if i + 1 < len(commits) else None)
        for i, raw in enumerate(commits)
    ]
    changes = tree_changes(objects, pairs, matches, may_hold, zero)
    if changes is None:
        return None
    return small_log(commits, changes, limited=bool(specs))


class HiddenRename(Exception):
    """A model file the walk follows was renamed from a name its pathspecs do not
    name (:func:`literal_pathspecs`): the walk must be made again with the globs."""


def tree_changes(
    objects: ObjectReader,
    pairs: Sequence[tuple[str, str | None]],
    matches: Callable[[str], bool],
    may_hold: Callable[[str], bool],
    zero: str,
) -> list[list[Change]] | None:
    """For each ``(new tree, old tree)`` (``None``: no old tree), the changed files
    the pathspecs match (:func:`diff_entries`), the trees read level by level in
    batches through the ``cat-file`` process; ``None`` when a tree is missing or
    more than :data:`SMALL_HISTORY_ENTRIES` entries would be compared."""
    width = len(zero) // 2
    changes: list[list[Change]] = [[] for _ in pairs]
    pending: list[tuple[int, str, str | None, str | None]] = [
        (i, "", new, old) for i, (new, old) in enumerate(pairs) if new != old
    ]
    trees: dict[str, dict[str, tuple[str, str]]] = {}
    compared = 0
    while pending:
        wanted = list(dict.fromkeys(t for _, _, a, b in pending for t in (a, b) if t))
        wanted = [t for t in wanted if t not in trees]
        known = [t for t in wanted if t in objects.trees]  # read by tree_entries already
        unknown = [t for t in wanted if t not in objects.trees]
        read = zip(unknown, objects.records(unknown, _TREE_LIMIT), strict=True)
        cached = ((t, (f"{t} tree 0", objects.trees[t])) for t in known)
        for tree, (header, data) in [*cached, *read]:
            if data is None or header.rsplit(" ", 2)[1:2] != ["tree"]:
                return None
            trees[tree] = {name: (mode, oid) for mode, oid, name in _parse_tree(data, "", width)}
        below: list[tuple[int, str, str | None, str | None]] = []
        for i, prefix, new, old in pending:
            new_entries = trees[new] if new else {}
            old_entries = trees[old] if old else {}
            compared += len(new_entries) + len(old_entries)
            if compared > SMALL_HISTORY_ENTRIES:
                return None
            for path, n, o in diff_entries(
                new_entries, old_entries, prefix, matches, may_hold, zero, changes[i]
            ):
                below.append((i, path, n, o))
        pending = below
    return changes


def hidden_rename(
    sandbox: Sandbox,
    repo: Refs,
    objects: ObjectReader,
    sha: str,
    path: str,
    specs: Sequence[str],
) -> bool:
    """Whether commit ``sha`` renamed or copied a file to ``path`` in the diff that
    ``git log --raw -M -- SPECS`` shows for it.

    Read in Python first: a root commit, or one that deletes no file the
    pathspecs match, renames nothing (git pairs an added file only with a
    deleted one), so most additions cost no process.  Otherwise that very log,
    for this one commit (``--no-walk``), decides, read by :func:`parse_log`."""
    filters = pathspec_filter(specs)
    if filters is not None:
        read = objects.records([sha, f"{sha}~1"], 1 << 20)  # the commit and its first parent
        commits = [
            parse_commit(header.split(" ", 1)[0], body) if body is not None else None
            for header, body in read
        ]
        if len(commits) == 2 and (new := commits[0]) is not None:
            if not new.commit.parents:
                return False  # a root commit renames nothing
            old = commits[1]
            if len(new.commit.parents) == 1 and old is not None:
                zero = "0" * (64 if repo.object_format() == "sha256" else 40)
                found = tree_changes(objects, [(new.tree, old.tree)], *filters, zero)
                if found is not None and not any(ch.status == "D" for ch in found[0]):
                    return False
    out = sandbox.run(
        [
            *LOG,
            "--no-walk",
            "--raw",
            "-z",
            "--no-abbrev",
            "-M",
            f"--format={LOG_FORMAT}",
            "--end-of-options",
            sha,
            "--",
            *specs,
        ],
        refs=False,
    )
    return any(
        ch.status in ("R", "C") and ch.path == path
        for entry in parse_log(out)
        for ch in entry.changes
    )


#: Commits a walk reads before it may go on with the narrow log of older versions
#: (:meth:`Walker.owners_only`): one more git process pays only on a long history.
NARROW_AFTER = 500


def walk_streamed(
    sandbox: Sandbox,
    walker: Walker,
    args: Sequence[str],
    boundary: Iterable[str],
    *,
    refs: bool,
    added: Callable[[str, str], bool] | None = None,
    check: bool = True,
    narrow: Sequence[str] | None = None,
) -> Walk | None:
    """Feed ``git log ARGS`` to ``walker`` as it comes; stop when it is satisfied.

    ``None`` when the log was not in topological order (the walk is void).
    ``narrow``: the pathspecs of the model files alone; once only owner
    histories need older commits (:meth:`Walker.owners_only`) and the walk has
    read :data:`NARROW_AFTER` commits, the log is stopped and the walk goes on
    with ``git log`` limited to them, from the next commit.  ``added(sha,
    path)``: asked for each addition of a file the walk follows (outside a
    shallow boundary) before it is fed -- by the narrow log, and with ``check``
    by the first -- ``True`` (a rename these pathspecs hid) raises
    :class:`HiddenRename`."""
    head = list(args[: args.index("--end-of-options") + 1])
    chunks = sandbox.stream([*LOG, *args], refs=refs)
    asks = added if check else None

    def fed(entries: Iterable[LogEntry]) -> bool:
        """Feed ``entries``; ``False`` when the order was not topological."""
        for entry in entries:
            if asks is not None and _added(walker, entry, asks):
                raise HiddenRename(entry.commit.sha)
            if not walker.feed(entry):
                return False
        return True

    try:
        while True:
            parser = LogParser(boundary)
            frontier = None
            for chunk in chunks:
                if not fed(parser.feed(chunk)):
                    return None
                if walker.satisfied():
                    return walker.result(cut=True)
                if (
                    narrow is not None
                    and len(walker.seen) >= NARROW_AFTER
                    and (frontier := walker.owners_only()) is not None
                ):
                    break
            if frontier is None:
                return walker.result() if fed(parser.close()) else None
            chunks.close()  # what it would still show is known, or left to the narrow log
            assert narrow is not None
            specs, narrow, asks = list(narrow), None, added
            chunks = sandbox.stream([*LOG, *head, frontier, "--", *specs], refs=False)
    finally:
        chunks.close()  # stops git if it is still writing


def _added(walker: Walker, entry: LogEntry, renamed: Callable[[str, str], bool]) -> bool:
    """Whether ``entry`` adds a file the walk follows that ``renamed`` says was a rename."""
    if entry.commit.boundary:
        return False
    for ch in entry.changes:
        if ch.status == "A" and walker.follows(ch.path) and renamed(entry.commit.sha, ch.path):
            return True
    return False
