"""The fact pass: load each model and compute the typed facts its enabled rules read.

Facts shared by the models of one workspace live in :class:`RepoFacts`
(cached on the workspace): the git history is walked on first demand -- for
every model of the repository in one walk (see
:meth:`modelgov.git.GitRepo.model_histories`) -- and never when no enabled
rule reads it; CODEOWNERS is read once.  Per model, :func:`model_facts`
returns a frozen :class:`~modelgov.facts.ModelFacts`.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import document
from ..document import MAX_BYTES, Document
from ..errors import ConfigError, GitError
from ..facts import ModelFacts, jsonable, name_of, tier_of
from ..facts.history import ModelSpec, content_digest
from ..facts.staleness import declared_paths, review_date
from ..repoview import MODEL_FILE_NAMES, ReadError
from .workspace import Workspace

if TYPE_CHECKING:
    from ..facts.approvals import Approvals
    from ..facts.history import ModelHistory
    from ..facts.registry import RegistryReader, RegistryState
    from ..facts.waivers import WaiverVerdict
    from ..people import CodeOwners, Roster

#: Where GitHub looks for CODEOWNERS, in its order.
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def load_model(ws: Workspace, rel: str) -> Document:
    """Read and parse one model.yaml from the workspace's view; never raises for bad input."""
    try:
        raw = ws.view.read_bytes(rel, document.MAX_BYTES)
    except ReadError as exc:
        doc = document.Document(path=rel, text="")
        doc.problems.append(
            document.Problem(
                document.UNREADABLE,
                f"{posixpath.basename(rel)} {exc}",
                "Make it a regular UTF-8 file inside the repository.",
                1,
                1,
            )
        )
        return doc
    doc = document.load(rel, raw)
    sha = getattr(ws.view, "blob_sha", None)
    if sha is not None:
        doc.blob_sha = sha(rel)
    return doc


class RepoFacts:
    """Facts shared by the models of one workspace, each computed at most once."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.docs: dict[str, Document] = {}
        self._history: Mapping[str, ModelHistory] | None = None
        self._error = ""
        self._codeowners: tuple[CodeOwners | None] | None = None

    def load(self, models: Sequence[str]) -> dict[str, Document]:
        """Load ``models`` (once each; in one batch from git objects) and register them:
        the history walk serves every registered model at once."""
        todo = [m for m in models if m not in self.docs]
        prefetch = getattr(self.ws.view, "prefetch", None)
        if todo and prefetch is not None:
            prefetch(todo, MAX_BYTES)
        for rel in todo:
            if self._history is not None:
                self._history = None  # a model joined after a walk: walk again for all
            self.docs[rel] = load_model(self.ws, rel)
        return {m: self.docs[m] for m in models}

    # -- git history ---------------------------------------------------------------
    def history(self, rel: str, today: _dt.date) -> tuple[ModelHistory | None, str]:
        """The history of model ``rel`` and ``''``; or ``None`` and why it could not be read.

        ``(None, '')`` outside git.  ``today``: the date the run judges against."""
        git = self.ws.git
        if git is None:
            return None, ""
        if self._history is None and not self._error:
            specs = [self._spec(m, today) for m in self.docs]
            try:
                self._history = git.model_histories(specs, rev=self.ws.commit)
            except GitError as exc:
                self._error = str(exc)
        if self._error:
            return None, self._error
        assert self._history is not None
        return self._history.get(rel), ""

    def _spec(self, rel: str, today: _dt.date) -> ModelSpec:
        from ..git import walk

        doc = self.docs[rel]
        worktree_ids = None
        index_id = None
        if self.ws.source == "worktree":
            try:
                raw: bytes | None = self.ws.view.read_bytes(rel, MAX_BYTES)
            except ReadError:
                raw = None
            git = self.ws.git
            fmt = git.object_format() if git is not None else "sha1"
            worktree_ids = walk.worktree_ids(raw, fmt) if raw is not None else frozenset()
        elif self.ws.source == "index":
            index_id = doc.blob_sha or None
        owner = doc.get("/owner/email")
        paths = declared_paths(doc.data)
        return ModelSpec(
            file=rel,
            base=posixpath.dirname(rel),
            paths=paths,
            worktree_ids=worktree_ids,
            index_id=index_id,
            # MG204 compares older versions with this (normalised as it does), so the
            # walk may stop at the most recent change of owner
            owner=owner.strip().lower() if isinstance(owner, str) else "",
            # MG202 does not take an uncommitted edit of comments or layout for a change
            digest=content_digest(doc.data) if paths and doc.ok else None,
            blob=doc.blob_sha or None,
            reviewed=review_date(doc.data, today) if paths else None,
        )

    # -- CODEOWNERS ------------------------------------------------------------------
    def codeowners(self) -> CodeOwners | None:
        """The CODEOWNERS file GitHub would use (``.github/``, root, ``docs/``), parsed."""
        if self._codeowners is None:
            found = None
            for cand in CODEOWNERS_LOCATIONS:
                if self.ws.view.lookup(cand) != "file":
                    continue
                try:
                    raw = self.ws.view.read_bytes(cand, 1 << 20)
                except ReadError:
                    continue
                from ..people import parse_codeowners  # only when there is a CODEOWNERS file

                found = parse_codeowners(raw.decode("utf-8", "replace"), cand)
                break
            self._codeowners = (found,)
        return self._codeowners[0]


def repo_facts(ws: Workspace) -> RepoFacts:
    """The :class:`RepoFacts` of ``ws`` (created on first use, then cached)."""
    facts = ws.cache.get("facts")
    if not isinstance(facts, RepoFacts):
        facts = RepoFacts(ws)
        ws.cache["facts"] = facts
    return facts


def model_facts(
    ws: Workspace,
    rel: str,
    doc: Document,
    *,
    today: _dt.date,
    uses: Collection[str],
    waivers: tuple[WaiverVerdict, ...] = (),
    roster: Roster | None = None,
    allowed_signers: Path | None = None,
    registry: RegistryReader | None = None,
) -> ModelFacts:
    """The facts of one model: those every rule reads, plus those in ``uses``.

    ``allowed_signers``: the file that says whose SSH keys sign approvals (config
    ``allowed_signers:``); read only when a rule reads ``approvals``.
    """
    repo = repo_facts(ws)
    schema_errors: tuple[object, ...] = ()
    if doc.ok:
        from ..schema import model_schema, validate

        schema_errors = tuple(validate(doc.data, model_schema()))
    history, error = repo.history(rel, today) if "history" in uses else (None, "")
    return ModelFacts(
        doc=doc,
        file=rel,
        base=posixpath.dirname(rel),
        today=today,
        repo=ws.view,
        name=name_of(doc.data),
        tier=tier_of(doc.data),
        schema_errors=schema_errors,  # type: ignore[arg-type]
        waivers=waivers,
        history=history,
        history_error=error,
        roster=roster,  # loaded with the config: no cost to pass
        codeowners=repo.codeowners() if "codeowners" in uses else None,
        instance=jsonable(doc.data) if "instance" in uses and doc.ok else None,
        approvals=(
            approval_facts(ws, rel, doc, today=today, allowed_signers=allowed_signers)
            if "approvals" in uses and doc.ok
            else None
        ),
        registry=_registry_state(doc, registry) if "registry" in uses else None,
        siblings=siblings(ws, rel),
    )


def approval_facts(
    ws: Workspace, rel: str, doc: Document, *, today: _dt.date, allowed_signers: Path | None
) -> Approvals:
    """Read the approval records beside ``rel`` (through the workspace's view, so
    ``--staged``, ``--rev`` and audits read them as of what is judged), verify each
    signature once with ``ssh-keygen`` and judge them against the declaration.

    With no allowed signers file configured nothing can be verified: every record
    is judged unverifiable (a finding, not an error).  With one, a machine without
    ``ssh-keygen`` is a :class:`~modelgov.errors.ConfigError` (exit 2).
    """
    from .. import sshsig
    from ..facts import approvals as facts

    name = name_of(doc.data)
    folder = facts.folder_of(rel)
    files = [
        f
        for f in ws.view.files()
        if posixpath.dirname(f) == folder
        and f.endswith(facts.RECORD_SUFFIXES)
        and ws.view.lookup(f) != "missing"  # deleted in the work tree, not yet staged
    ]
    read, skipped = files[: facts.MAX_RECORDS], files[facts.MAX_RECORDS :]
    records: list[facts.Record | facts.Malformed] = []
    for file in read:
        try:
            raw = ws.view.read_bytes(file, facts.MAX_RECORD_BYTES)
        except ReadError as exc:
            records.append(facts.Malformed(file, "", 1, 1, f"cannot be read: it {exc}"))
            continue
        records.append(facts.parse_record(file, raw))
    checks: dict[str, facts.SignatureCheck] = {}
    shown = ""
    if allowed_signers is not None:  # else every record is unverifiable (facts.judge says so)
        signers, shown = load_signers(allowed_signers)
        why = f"the policy requires signed approvals of {name or rel}"
        with sshsig.Verifier(signers, why=why) as verifier:
            for record in records:
                if isinstance(record, facts.Record):
                    answer = verifier.verify(
                        record.signer.strip(),
                        record.statement(),
                        record.signature,
                        when=record.date.strftime("%Y%m%d"),
                    )
                    checks[record.file] = facts.SignatureCheck(
                        answer.status, answer.detail, answer.fingerprint, answer.principals
                    )
    return facts.judge(
        doc.data,
        name=name,
        today=today,
        folder=folder,
        records=records,
        checks=checks,
        signers=shown,
        skipped=skipped,
    )


_SIGNERS: dict[tuple[str, int, int], bytes] = {}


def load_signers(path: Path) -> tuple[bytes, str]:
    """The allowed signers file (git's format), read once per file, and its name as shown."""
    from ..repoview import read_regular_file
    from ..sshsig import MAX_SIGNERS_BYTES

    full = os.path.abspath(path)
    rel = os.path.relpath(full)
    shown = full if rel == ".." or rel.startswith(".." + os.sep) else rel
    try:
        st = os.stat(path)
    except OSError:
        raise ConfigError(f"allowed signers file {shown} does not exist") from None
    key = (full, st.st_mtime_ns, st.st_size)
    if key not in _SIGNERS:
        try:
            raw = read_regular_file(full, MAX_SIGNERS_BYTES)
        except ReadError as exc:
            raise ConfigError(f"allowed signers file {shown} {exc}") from None
        if len(raw) > MAX_SIGNERS_BYTES:
            raise ConfigError(
                f"allowed signers file {shown} is larger than {MAX_SIGNERS_BYTES} bytes"
            )
        _SIGNERS[key] = raw
    return _SIGNERS[key], shown


def _registry_state(doc: Document, registry: RegistryReader | None) -> RegistryState | None:
    """The registered model the declaration names, read once per run (``--registry`` only)."""
    name = doc.get("/registry/model")
    if registry is None or not isinstance(name, str) or not name.strip():
        return None
    return registry.state(name.strip())


def siblings(ws: Workspace, rel: str) -> tuple[str, ...]:
    """The other declaration files (``model.yaml``/``model.yml``) in ``rel``'s folder."""
    folder, name = posixpath.split(rel)
    if name not in MODEL_FILE_NAMES:
        return ()  # a file given by another name: judged alone
    out = []
    for other in MODEL_FILE_NAMES:
        cand = posixpath.join(folder, other) if folder else other
        if other != name and ws.view.lookup(cand) not in ("missing", "dir"):
            out.append(cand)
    return tuple(out)


_ROSTERS: dict[tuple[str, int, int], Roster] = {}


def load_roster(path: Path | None) -> Roster | None:
    """Read and validate the roster (``--roster`` or config ``roster:``), once per file.

    A missing or bad roster is a :class:`~modelgov.errors.ConfigError` (exit 2)
    naming the file and the line.
    """
    if path is None:
        return None
    from ..people import parse_roster
    from ..repoview import read_regular_file

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
