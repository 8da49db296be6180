"""The git history of a model.yaml as the rules read it: plain, frozen data.

:mod:`modelgov.git.walk` walks the history of every model of a repository at
once (one ``git log``, or the ``cat-file`` process for a short linear history)
and hands back a :class:`ModelHistory` per model; MG202, MG203 and MG204 read
only these types, and nothing here runs git.  What a model's walk needs to
know about it is a :class:`ModelSpec`, built by the caller
(:mod:`modelgov.engine.factpass`).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, NamedTuple

from ..hashing import sha256

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class Commit(NamedTuple):
    """One commit as the walk saw it."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int
    commit_time: int
    subject: str
    boundary: bool = False  # a shallow-clone boundary: its diff is not real

    @property
    def short(self) -> str:
        return self.sha[:8]

    @property
    def date(self) -> _dt.date:
        """The commit (committer) date in UTC: when the change landed.

        Git stores any 64-bit timestamp; one past the year 9999 (or before the
        year 1) is shown as the last (or first) day Python's dates hold."""
        try:
            return (_EPOCH + _dt.timedelta(seconds=self.commit_time)).date()
        except OverflowError:
            return _dt.date.max if self.commit_time > 0 else _dt.date.min

    @property
    def author(self) -> str:
        return (
            f"{self.author_name} <{self.author_email}>" if self.author_email else self.author_name
        )

    def describe(self) -> str:
        subject = self.subject if len(self.subject) <= 72 else self.subject[:71] + "…"
        return f'{self.short} {self.date.isoformat()} {self.author} "{subject}"'


class ModelSpec(NamedTuple):
    """What the walk needs to know about one model.

    ``worktree_ids``: blob ids the file on disk may have (raw, and with CRLF
    line ends normalised), ``None`` when the work tree is not judged.
    ``index_id``: the index entry's blob id when already known (``--staged``);
    in work-tree mode the walk reads it.
    ``owner``: the judged version's ``owner.email`` (normalised, ``""`` when it
    has none), so the walk may stop once an older version names someone
    else; ``None``: every version is read.
    ``digest``: :func:`content_digest` of the judged version, so an uncommitted
    edit that changes only comments or layout is not taken for a change of the
    declaration; ``None``: any edit counts.
    ``blob``: the judged version's blob id when it is a git object (``--rev``,
    ``--staged``, audits), so the walk need not read and parse it again.
    ``reviewed``: the judged version's ``review.last_reviewed`` when it is a date no
    later than today: code changes committed on or before it are covered by that
    review whichever touch saw them, so the walk need not judge touches for them
    (and may leave them out of ``code_changes``).
    """

    file: str
    base: str
    paths: tuple[str, ...] = ()
    worktree_ids: frozenset[str] | None = None
    index_id: str | None = None
    owner: str | None = None
    digest: str | None = None
    blob: str | None = None
    reviewed: _dt.date | None = None


class CodeChange(NamedTuple):
    """A commit that changed the model's code after its model.yaml last changed."""

    commit: Commit
    files: tuple[str, ...]  # the model's files it changed, sorted, at most walk.FILES_KEPT
    more: int = 0  # files beyond those


class OwnerVersion(NamedTuple):
    """``owner.email`` of one committed version of the model.yaml ('' if unreadable)."""

    email: str
    commit: Commit


class ModelHistory(NamedTuple):
    """Everything the history says about one model.yaml.  Plain data for rules.

    A *touch* is any commit that changed the file's bytes (or its name); a
    *change* is a touch that changed what it declares -- its parsed content,
    see :func:`content_digest` -- so comments, whitespace, quoting and key order
    do not count.  Touches are judged that way for models with ``paths`` (what
    MG202 reads); for the others every touch counts as a change.
    """

    file: str
    rev: str | None  # the commit walked from (None: no commits yet)
    committed: bool  # the file exists in ``rev``
    touched_now: bool  # staged or modified in the work tree (or new)
    last_touch: Commit | None  # newest commit that changed it (renames followed)
    names: tuple[str, ...]  # its path, then earlier paths (renames), newest first
    code_changes: tuple[CodeChange, ...]  # unreviewed, newest first
    owners: tuple[OwnerVersion, ...] = ()  # newest first, one per committed version (see complete)
    shallow: bool = False  # the repository is a shallow clone
    boundary: Commit | None = None  # the shallow boundary the walk reached
    touch_known: bool = True  # False: last change lies beyond the shallow boundary
    origin_known: bool = True  # False: its creation lies beyond the shallow boundary
    # False: the walk stopped once the rules had what they need (see walk.Walker.satisfied):
    # ``owners`` then ends at the most recent change of owner, ``names`` and older
    # touches may be missing; last_touch, last_change and code_changes are always complete
    complete: bool = True
    #: newest commit that changed what the file declares (``None``: beyond a shallow
    #: boundary, or not committed); the code changes are those it did not see
    last_change: Commit | None = None
    #: touches newer than ``last_change`` that changed only comments or layout, newest first
    cosmetic: tuple[Commit, ...] = ()
    #: the judged version declares something other than the committed one (an
    #: uncommitted edit of comments or layout only is ``touched_now`` but not this)
    changed_now: bool = False
    change_known: bool = True  # False: its last change lies beyond the shallow boundary
    #: False: no code change depended on which of the newest touches changed the
    #: declaration, so they were not compared (``last_change`` is then the newest touch
    #: and ``cosmetic`` is empty); the code changes are exact either way
    judged: bool = True


def content_digest(data: Any) -> str:
    """What a version of a model.yaml declares, as a digest of its parsed content.

    Equal for versions that differ only in comments, whitespace, quoting, key
    order or the spelling of a value YAML reads the same (``2026-01-01`` and
    ``"2026-01-01"``); different for any change of a key or value."""
    from . import jsonable

    text = json.dumps(jsonable(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
