"""Build the :class:`~modelgov.rules.base.ModelContext` of one model.yaml.

This is where the facts rules may ask for are gathered lazily: git history
(only when a rule asks for it), the roster, CODEOWNERS.

Facts shared by the models of one target live in :class:`TargetFacts`
(cached on the target): the git history is computed on the first call of
``ctx.model.history()`` -- for every model of the repository in one walk
(see :meth:`modelgov.git.GitRepo.model_histories`) -- and never when no
enabled rule asks for it; CODEOWNERS is read once per target.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .document import MAX_BYTES, Document
from .errors import ConfigError, GitError
from .facts.history import HISTORY_GAPS, ModelHistory, ModelSpec
from .rules.base import ModelContext
from .workspace import Target

if TYPE_CHECKING:
    from .people import CodeOwners, Roster


class TargetFacts:
    """Facts shared by the models of one target, each computed at most once."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.docs: dict[str, Document] = {}
        self._history: Mapping[str, ModelHistory] | None = None
        self._error = ""
        self._codeowners: tuple[CodeOwners | None] | None = None

    def add(self, rel: str, doc: Document) -> None:
        """Register a loaded model (its ``paths`` shape the history walk)."""
        self.docs[rel] = doc

    # -- git history ---------------------------------------------------------------
    def history(self, rel: str, extra: dict[str, Any] | None = None) -> ModelHistory | None:
        """The history of model ``rel``; ``None`` outside git or when git failed
        (then ``extra[HISTORY_GAPS]`` says why)."""
        git = self.target.git
        if git is None:
            return None
        if self._history is None and not self._error:
            specs = [self._spec(m) for m in self.target.models]
            try:
                self._history = git.model_histories(specs, rev=self.target.commit)
            except GitError as exc:
                self._error = str(exc)
        if self._error:
            if extra is not None:
                extra.setdefault(HISTORY_GAPS, {})["git"] = (
                    f"the git history could not be read ({self._error})"
                )
            return None
        assert self._history is not None
        return self._history.get(rel)

    def _spec(self, rel: str) -> ModelSpec:
        from .git import walk
        from .repoview import ReadError

        view = self.target.view
        doc = self.docs.get(rel)
        raw: bytes | None = None
        if doc is None or self.target.source == "worktree":
            try:
                raw = view.read_bytes(rel, MAX_BYTES)
            except ReadError:
                raw = None
        if doc is None:
            from .document import load

            doc = load(rel, raw or b"")
        value = doc.get("/paths")
        paths = (
            tuple(p for p in value if isinstance(p, str) and p.strip())
            if isinstance(value, list)
            else ()
        )
        worktree_ids = None
        index_id = None
        if self.target.source == "worktree":
            git = self.target.git
            fmt = git.object_format() if git is not None else "sha1"
            worktree_ids = walk.worktree_ids(raw, fmt) if raw is not None else frozenset()
        elif self.target.source == "index":
            sha = getattr(view, "blob_sha", None)
            index_id = sha(rel) if sha is not None else None
        owner = doc.get("/owner/email")
        return ModelSpec(
            file=rel,
            base=posixpath.dirname(rel),
            paths=paths,
            worktree_ids=worktree_ids,
            index_id=index_id or None,
            # MG204 compares older versions with this (normalised as it does), so the
            # walk may stop at the most recent change of owner
            owner=owner.strip().lower() if isinstance(owner, str) else "",
        )

    # -- CODEOWNERS ------------------------------------------------------------------
    def codeowners(self) -> CodeOwners | None:
        """The CODEOWNERS file GitHub would use (``.github/``, root, ``docs/``), parsed."""
        if self._codeowners is None:
            from .repoview import ReadError

            found = None
            for cand in CODEOWNERS_LOCATIONS:
                if self.target.view.lookup(cand) != "file":
                    continue
                try:
                    raw = self.target.view.read_bytes(cand, 1 << 20)
                except ReadError:
                    continue
                from .people import parse_codeowners  # only when there is a CODEOWNERS file

                found = parse_codeowners(raw.decode("utf-8", "replace"), cand)
                break
            self._codeowners = (found,)
        return self._codeowners[0]


#: Where GitHub looks for CODEOWNERS, in its order.
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def target_facts(target: Target) -> TargetFacts:
    """The :class:`TargetFacts` of ``target`` (created on first use, then cached)."""
    facts = target.cache.get("facts")
    if not isinstance(facts, TargetFacts):
        facts = TargetFacts(target)
        target.cache["facts"] = facts
    return facts


def model_context(
    target: Target,
    rel: str,
    doc: Document,
    today: _dt.date,
    *,
    config: Config | None = None,
    roster: Any = None,
) -> ModelContext:
    facts = target_facts(target)
    facts.add(rel, doc)
    ctx = ModelContext(
        doc=doc,
        file=rel,
        base=posixpath.dirname(rel),
        today=today,
        repo=target.view,
        roster=roster,
        codeowners=facts.codeowners(),
    )
    ctx.history = lambda: facts.history(rel, ctx.extra)
    return ctx


_ROSTERS: dict[tuple[str, int, int], Roster] = {}


def load_roster(path: Path | None) -> Roster | None:
    """Read and validate the roster (``--roster`` or config ``roster:``), once per file.

    A missing or bad roster is a :class:`~modelgov.errors.ConfigError` (exit 2)
    naming the file and the line.
    """
    if path is None:
        return None
    from .people import parse_roster
    from .repoview import ReadError, read_regular_file

    shown = str(path)
    try:
        st = os.stat(path)
    except OSError:
        raise ConfigError(f"roster file {shown} does not exist") from None
    key = (os.path.abspath(path), st.st_mtime_ns, st.st_size)
    if key not in _ROSTERS:
        try:
            raw = read_regular_file(str(path), 64 << 20)
        except ReadError as exc:
            raise ConfigError(f"roster file {shown} {exc}") from None
        if len(raw) > 64 << 20:
            raise ConfigError(f"roster file {shown} is larger than 64 MiB")
        _ROSTERS[key] = parse_roster(raw, shown)
    return _ROSTERS[key]
