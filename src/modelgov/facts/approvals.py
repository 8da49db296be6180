"""Signed deploy approvals: the record format, the digest of what is approved, the verdicts.

An approval is one small YAML file in the ``approvals/`` folder beside the
model.yaml, written by ``modelgov approve`` (docs/approvals.md)::

    # A deploy approval, signed with SSH by counsel@example.com (modelgov approve).
    approval: 1
    model: "fraud-scorer"
    version: "7"
    role: "compliance"
    signer: "counsel@example.com"
    date: "2026-11-30"
    note: "DPIA-114 signed off"
    digest: "sha256:…"          # of the four approved sections together
    sections:                   # of each: what changed since is named from these
      risk_tier: "sha256:…"
      deploy: "sha256:…"
      rollback: "sha256:…"
      drift: "sha256:…"
    signature: |
      -----BEGIN SSH SIGNATURE-----
      …
      -----END SSH SIGNATURE-----

The signed statement is the canonical JSON of every field but ``signature``
(:func:`statement`), so comments and layout of the record do not matter and
any change to a field breaks the signature.  The digests are of the *parsed*
values of ``risk_tier``, ``deploy``, ``rollback`` and ``drift``
(:func:`section_digests`): comments, quoting and key order in model.yaml do
not change them.

Nothing here runs a program: the engine verifies the signatures
(:mod:`modelgov.sshsig`) and hands the answers to :func:`judge`.
"""

from __future__ import annotations

import datetime as _dt
import json
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from ..document import MISSING, NOT_MAPPING, Document, load
from ..hashing import sha256
from ..results import Approval, ApprovalSummary
from . import as_date, jsonable, norm_email

#: The folder beside the model.yaml that holds its approval records.
FOLDER = "approvals"
RECORD_SUFFIXES = (".yaml", ".yml")
#: The parts of the declaration an approval covers, in the order messages name them.
SECTIONS = ("risk_tier", "deploy", "rollback", "drift")
FORMAT = 1
MAX_RECORD_BYTES = 64 << 10
#: Records read per model at most (each costs one ``ssh-keygen``); more is itself a finding.
MAX_RECORDS = 64
FIELDS = ("approval", "model", "version", "role", "signer", "date", "note", "digest", "sections")
_TEXT_FIELDS = ("model", "version", "role", "signer", "digest")

Status = Literal["valid", "stale", "invalid"]
SignatureStatus = Literal["good", "mismatch", "untrusted", "error"]


# -- what is approved ------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The canonical JSON of a parsed value: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(
        jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _sha(data: bytes) -> str:
    return "sha256:" + sha256(data).hexdigest()


def _section(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name, None)
    return None if value is MISSING else value


def section_digests(data: Mapping[str, Any]) -> dict[str, str]:
    """The digest of each approved section (an absent section digests as ``null``)."""
    return {name: _sha(canonical_json(_section(data, name))) for name in SECTIONS}


def approved_digest(data: Mapping[str, Any]) -> str:
    """The digest of the four approved sections together, as an approval signs it."""
    return _sha(canonical_json({name: _section(data, name) for name in SECTIONS}))


def version_of(data: Mapping[str, Any]) -> str:
    """``deploy.version`` as text (``''`` when it is not set or not a string or integer)."""
    deploy = data.get("deploy")
    value = deploy.get("version") if isinstance(deploy, dict) else None
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def folder_of(model_file: str) -> str:
    """The approvals folder of the model.yaml at ``model_file`` (root-relative)."""
    return posixpath.join(posixpath.dirname(model_file), FOLDER)


def record_name(role: str, signer: str) -> str:
    """The file name ``modelgov approve`` gives the record of ``signer`` for ``role``."""
    safe = "".join(c if c.isalnum() or c in "._@+-" else "_" for c in f"{role}-{signer}")
    return safe.lstrip(".") + ".yaml"


# -- the record --------------------------------------------------------------------


class Record(NamedTuple):
    """One approval record, as parsed (not yet judged)."""

    file: str  # root-relative
    model: str
    version: str
    role: str
    signer: str
    date: _dt.date
    note: str
    digest: str
    sections: tuple[tuple[str, str], ...]  # (section, digest) in SECTIONS order
    signature: str
    #: where each field stands in the record: pointer -> (line, col)
    positions: tuple[tuple[str, tuple[int, int]], ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "approval": FORMAT,
            "model": self.model,
            "version": self.version,
            "role": self.role,
            "signer": self.signer,
            "date": self.date.isoformat(),
            "note": self.note,
            "digest": self.digest,
            "sections": dict(self.sections),
        }

    def statement(self) -> bytes:
        return statement(self.fields())

    def where(self, pointer: str) -> tuple[int, int]:
        found = dict(self.positions)
        probe = pointer
        while probe not in found:
            if not probe:
                return (1, 1)
            probe = probe.rsplit("/", 1)[0]
        return found[probe]


class Malformed(NamedTuple):
    """A record that is not a valid approval record: where, and why."""

    file: str
    pointer: str
    line: int
    col: int
    problem: str


def statement(fields: Mapping[str, Any]) -> bytes:
    """The bytes an approval's signature signs: the canonical JSON of its fields."""
    return canonical_json({k: fields[k] for k in FIELDS}) + b"\n"


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)


def record_text(fields: Mapping[str, Any], signature: str) -> str:
    """The record file ``modelgov approve`` writes (every value quoted: read back exactly)."""
    lines = [
        f"# A deploy approval of model {_quoted(str(fields['model']))}, signed with SSH by "
        f"{fields['signer']}.",
        "# Written by `modelgov approve`; the signature covers every field, so any edit",
        "# breaks it: approve again instead.  See docs/approvals.md.",
        f"approval: {FORMAT}",
    ]
    lines += [f"{key}: {_quoted(str(fields[key]))}" for key in FIELDS[1:-1]]
    lines.append("sections:")
    lines += [f"  {name}: {_quoted(fields['sections'][name])}" for name in SECTIONS]
    lines.append("signature: |")
    lines += [f"  {line}" for line in signature.strip().splitlines()]
    return "\n".join(lines) + "\n"


def parse_record(file: str, raw: bytes) -> Record | Malformed:
    """Parse one record file; never raises for what it holds."""
    doc = load(file, raw, max_bytes=MAX_RECORD_BYTES)
    problems = [p for p in doc.problems if p.rule != NOT_MAPPING]  # said below, for a record
    if problems:
        p = problems[0]
        return Malformed(file, p.pointer, p.line, p.col, f"is not a readable record: {p.message}")
    if not isinstance(doc.data, dict):
        return Malformed(file, "", 1, 1, "is not an approval record (not a mapping)")
    data: dict[str, Any] = doc.data

    def bad(pointer: str, problem: str) -> Malformed:
        line, col = doc.locate(pointer)
        return Malformed(file, pointer, line, col, problem)

    unknown = sorted(set(map(str, data)) - {*FIELDS, "signature"})
    if unknown:
        return bad(f"/{unknown[0]}", f"has unknown field(s) {', '.join(unknown)}")
    missing = [k for k in (*FIELDS, "signature") if k not in data and k != "note"]
    if missing:
        return bad("", f"lacks {', '.join(missing)}")
    if data["approval"] != FORMAT or isinstance(data["approval"], bool):
        return bad("/approval", f"is of an unknown record format {data['approval']!r}")
    for key in (*_TEXT_FIELDS, "signature"):
        if not isinstance(data[key], str) or not data[key].strip():
            return bad(f"/{key}", f"`{key}` must be non-empty text")
    note = data.get("note", "")
    if not isinstance(note, str):
        return bad("/note", "`note` must be text")
    when = as_date(data["date"])
    if when is None:
        return bad("/date", "`date` must be a date (YYYY-MM-DD)")
    sections = data["sections"]
    if not isinstance(sections, dict) or sorted(map(str, sections)) != sorted(SECTIONS):
        return bad("/sections", f"`sections` must give the digest of {', '.join(SECTIONS)}")
    if not all(isinstance(sections[s], str) for s in SECTIONS):
        return bad("/sections", "every section digest must be text")
    return Record(
        file=file,
        model=data["model"],
        version=data["version"],
        role=data["role"],
        signer=data["signer"],
        date=when,
        note=note,
        digest=data["digest"],
        sections=tuple((s, sections[s]) for s in SECTIONS),
        signature=data["signature"],
        positions=_positions(doc),
    )


def _positions(doc: Document) -> tuple[tuple[str, tuple[int, int]], ...]:
    wanted = ["", *(f"/{k}" for k in (*FIELDS, "signature")), *(f"/sections/{s}" for s in SECTIONS)]
    return tuple((p, doc.locate(p)) for p in wanted)


# -- the verdicts --------------------------------------------------------------------


class SignatureCheck(NamedTuple):
    """What verifying a record's signature answered (see :class:`modelgov.sshsig.Verdict`)."""

    status: SignatureStatus
    detail: str = ""
    fingerprint: str = ""
    principals: tuple[str, ...] = ()


class Verdict(NamedTuple):
    """One record judged against the declaration as it is now."""

    file: str
    status: Status
    #: why it does not count (``invalid``), or what changed since it was signed (``stale``)
    reason: str
    pointer: str  # in the record, where the reason shows
    line: int
    col: int
    record: Record | None = None  # None: the record did not parse
    #: for ``stale``: ``version`` and/or the sections that changed since
    changed: tuple[str, ...] = ()

    @property
    def role(self) -> str:
        return self.record.role.strip().lower() if self.record is not None else ""

    @property
    def signer(self) -> str:
        return norm_email(self.record.signer) if self.record is not None else ""


class Approvals(NamedTuple):
    """The approval records of one model, each judged (the fact rules MG153-MG155 read)."""

    folder: str  # root-relative folder of the records
    version: str  # deploy.version now ('' when not set)
    digests: tuple[tuple[str, str], ...]  # the sections' digests now
    verdicts: tuple[Verdict, ...]
    signers: str  # the allowed signers file, as shown ('' when none is configured)
    #: records left unread beyond :data:`MAX_RECORDS`
    skipped: tuple[str, ...] = ()

    def of_role(self, role: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.role == role.strip().lower()]


def _approvers(data: Mapping[str, Any]) -> dict[str, set[str]]:
    """deploy.approvers as email -> roles."""
    deploy = data.get("deploy")
    listed = deploy.get("approvers") if isinstance(deploy, dict) else None
    out: dict[str, set[str]] = {}
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("role"), str):
            email = norm_email(entry.get("email"))
            if email:
                out.setdefault(email, set()).add(entry["role"].strip().lower())
    return out


def _signature_problem(check: SignatureCheck, record: Record, signers: str) -> str:
    if check.status == "mismatch":
        return (
            "its signature does not match its contents: the record was changed after it was "
            "signed, or was not signed by `modelgov approve`"
        )
    if not signers:
        return (
            "it cannot be verified: no allowed signers file is configured "
            "(`allowed_signers:` in .modelgov.yaml names the file that lists whose keys sign)"
        )
    if check.status == "untrusted":
        key = f"key {check.fingerprint}" if check.fingerprint else "a key"
        whose = (
            f" (it lists that key for {', '.join(check.principals)})" if check.principals else ""
        )
        return (
            f"it is signed by {key}, which the allowed signers file {signers} does not list "
            f"for {record.signer}{whose}"
        )
    return f"its signature could not be verified: {check.detail or 'ssh-keygen failed'}"


def judge(
    data: Mapping[str, Any],
    *,
    name: str,
    today: _dt.date,
    folder: str,
    records: Sequence[Record | Malformed],
    checks: Mapping[str, SignatureCheck],
    signers: str,
    skipped: Sequence[str] = (),
) -> Approvals:
    """Judge each record against the declaration ``data`` as it is now.

    ``checks``: the signature check of each record that parsed, by file.  A
    record is ``invalid`` when it does not parse, its signature does not verify
    for its signer, it approves another model, its signer is the owner or is not
    listed in ``deploy.approvers`` with its role, or it is dated after today;
    else ``stale`` when it approves another version or the approved sections
    changed since; else ``valid``.
    """
    version = version_of(data)
    digests = section_digests(data)
    owner_section = data.get("owner")
    owner = norm_email(owner_section.get("email") if isinstance(owner_section, dict) else "")
    approvers = _approvers(data)
    verdicts = []
    for item in records:
        if isinstance(item, Malformed):
            verdicts.append(
                Verdict(item.file, "invalid", item.problem, item.pointer, item.line, item.col)
            )
            continue
        check = checks.get(item.file, SignatureCheck("error", "not verified"))
        problem, pointer = _invalid(item, check, name, today, owner, approvers, signers)
        if problem:
            line, col = item.where(pointer)
            verdicts.append(Verdict(item.file, "invalid", problem, pointer, line, col, item))
            continue
        changed = _changed(item, version, digests)
        if changed:
            pointer = "/version" if changed[0] == "version" else f"/sections/{changed[0]}"
            line, col = item.where(pointer)
            reason = _staleness(item, version, changed)
            verdicts.append(Verdict(item.file, "stale", reason, pointer, line, col, item, changed))
            continue
        line, col = item.where("")
        verdicts.append(Verdict(item.file, "valid", "", "", line, col, item))
    return Approvals(
        folder=folder,
        version=version,
        digests=tuple(digests.items()),
        verdicts=tuple(sorted(verdicts, key=lambda v: v.file)),
        signers=signers,
        skipped=tuple(skipped),
    )


def _invalid(
    record: Record,
    check: SignatureCheck,
    name: str,
    today: _dt.date,
    owner: str,
    approvers: Mapping[str, set[str]],
    signers: str,
) -> tuple[str, str]:
    """Why ``record`` does not count at all, and where (``('', '')``: it may count)."""
    if check.status != "good":
        return _signature_problem(check, record, signers), "/signature"
    if record.model.strip() != name.strip():
        return f"it approves model {record.model!r}, not {name!r}", "/model"
    signer = norm_email(record.signer)
    role = record.role.strip().lower()
    if signer and signer == owner:
        return (
            f"it is signed by the owner, {record.signer}: the owner's approval never counts "
            "(building and deploying are separate decisions)",
            "/signer",
        )
    roles = approvers.get(signer)
    if not roles:
        return f"{record.signer} is not listed in deploy.approvers", "/signer"
    if role not in roles:
        return (
            f"{record.signer} is listed in deploy.approvers as {', '.join(sorted(roles))}, "
            f"not {record.role}",
            "/role",
        )
    if record.date > today:
        return f"it is dated {record.date.isoformat()}, after today ({today.isoformat()})", "/date"
    return "", ""


def _changed(record: Record, version: str, digests: Mapping[str, str]) -> tuple[str, ...]:
    changed = [s for s, d in record.sections if digests.get(s) != d]
    if record.version.strip() != version:
        # deploy holds the version: name what else changed besides it
        return ("version", *(s for s in changed if s != "deploy"))
    return tuple(changed)


def _staleness(record: Record, version: str, changed: tuple[str, ...]) -> str:
    sections = [c for c in changed if c != "version"]
    if changed[0] == "version":
        now = f"deploy.version is now {version}" if version else "deploy.version is not set now"
        also = f"; {_and(sections)} changed too" if sections else ""
        return f"it approves version {record.version}; {now}{also}"
    return (
        f"{_and(sections)} changed since it was signed on {record.date.isoformat()} "
        f"(version {record.version})"
    )


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def summary(approvals: Approvals, *, approved: bool) -> ApprovalSummary:
    """What reports say about a model's approvals (``approved``: no approval rule found
    anything)."""
    entries = []
    for v in approvals.verdicts:
        r = v.record
        entries.append(
            Approval(
                role=r.role if r is not None else "",
                signer=r.signer if r is not None else "",
                date=r.date.isoformat() if r is not None else "",
                version=r.version if r is not None else "",
                status=v.status,
                file=v.file,
                reason=v.reason,
            )
        )
    return ApprovalSummary(approvals.version, approved and bool(approvals.version), tuple(entries))
