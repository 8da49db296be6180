"""``modelgov approve``: sign a deploy approval of a model's current version with SSH.

Writes one record into the ``approvals/`` folder beside the model.yaml
(``approvals/ROLE-EMAIL.yaml``, format in :mod:`modelgov.facts.approvals`),
signed with ``ssh-keygen -Y sign -n modelgov-approval``: the approver then
commits it like any other file.  An earlier record of the same approver and
role is replaced (git keeps it in the history).  See docs/approvals.md.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..document import Document
from ..engine.discovery import find_models
from ..engine.factpass import load_model
from ..engine.paths import config_at
from ..engine.workspace import open_path
from ..errors import UsageError
from ..facts import approvals as records
from ..facts import is_email, name_of, norm_email

ROLE = re.compile(r"^[a-z][a-z0-9_-]*$")


def run(
    path: Path,
    *,
    role: str,
    key: Path,
    today: _dt.date,
    model: str | None = None,
    note: str = "",
    email: str | None = None,
    config: Path | None = None,
) -> int:
    """Sign and write the approval; 0 when written (a usage error otherwise, exit 2)."""
    role = role.strip().lower()
    if not ROLE.match(role):
        raise UsageError(f"--role must be a role such as product or compliance, not {role!r}")
    if "\n" in note or "\r" in note or len(note) > 500:
        raise UsageError("--note must be one line of at most 500 characters")
    root, rel, doc = _model(path, model)
    data: dict[str, Any] = doc.data
    name = name_of(data)
    version = records.version_of(data)
    shown = _shown(root / rel)
    if not name.strip():
        raise UsageError(f"{shown} has no `name`: an approval names the model it approves")
    if not version:
        raise UsageError(
            f"{shown} has no deploy.version: an approval covers one version; set it to the "
            "registry version, tag or artifact digest being deployed"
        )
    signer = _signer(email)
    _eligible(data, signer, role, shown)
    fields = {
        "approval": records.FORMAT,
        "model": name,
        "version": version,
        "role": role,
        "signer": signer,
        "date": today.isoformat(),
        "note": note.strip(),
        "digest": records.approved_digest(data),
        "sections": records.section_digests(data),
    }
    from .. import sshsig

    signature = sshsig.sign(key, records.statement(fields))
    _warn_untrusted(path, config, signer, fields, signature, today)
    target = _write(
        root, records.folder_of(rel), records.record_name(role, signer), fields, signature
    )
    sys.stdout.write(
        f"{_shown(target)}: {role} approval of {name} version {version} by {signer} "
        f"({today.isoformat()}), signed with {key}.\n"
        f"Commit it: git add {_shown(target)} && git commit -m 'Approve {name} {version} ({role})'\n"
    )
    return 0


def _shown(path: Path) -> str:
    full = os.path.abspath(path)
    rel = os.path.relpath(full)
    return full if rel == ".." or rel.startswith(".." + os.sep) else rel


def _model(path: Path, model: str | None) -> tuple[Path, str, Document]:
    """The model.yaml PATH names (``--model`` picks one of several by name), loaded."""
    opened = open_path(path)
    with opened.workspace as ws:
        found = find_models(opened)
        if not found:
            raise UsageError(f"no model.yaml in {path}")
        docs = {rel: load_model(ws, rel) for rel in found}
        if model is not None:
            found = [rel for rel in found if name_of(docs[rel].data) == model]
            if not found:
                names = ", ".join(sorted({name_of(d.data) or "(unnamed)" for d in docs.values()}))
                raise UsageError(f"no model named {model!r} in {path} (models: {names})")
        if len(found) > 1:
            listed = ", ".join(f"{name_of(docs[r].data) or '(unnamed)'} ({r})" for r in found)
            raise UsageError(f"{path} holds {len(found)} models; pick one with --model: {listed}")
        rel = found[0]
        doc = docs[rel]
        root = Path(ws.root)
    if doc.problems or not doc.ok:
        first = doc.problems[0] if doc.problems else None
        where = f" (line {first.line}: {first.message})" if first else ""
        raise UsageError(
            f"{_shown(root / rel)} does not load{where}: fix it (modelgov check) before approving"
        )
    return root, rel, doc


def _signer(email: str | None) -> str:
    if email is None:
        from ..git import user_identity

        email = user_identity()[1]
        if not email:
            raise UsageError(
                "who signs? give --email, or set your git identity (git config --global user.email)"
            )
    if not is_email(email):
        raise UsageError(f"--email must be an email address, not {email!r}")
    return email.strip()


def _eligible(data: dict[str, Any], signer: str, role: str, shown: str) -> None:
    """Refuse an approval that would not count: the owner's, or not an approver's for ``role``."""
    owner = data.get("owner")
    if isinstance(owner, dict) and norm_email(owner.get("email")) == norm_email(signer):
        raise UsageError(
            f"{signer} owns the model: the owner's approval never counts (building and "
            "deploying are separate decisions)"
        )
    deploy = data.get("deploy")
    listed = deploy.get("approvers") if isinstance(deploy, dict) else None
    roles = sorted(
        {
            str(a.get("role")).strip().lower()
            for a in (listed if isinstance(listed, list) else [])
            if isinstance(a, dict) and norm_email(a.get("email")) == norm_email(signer)
        }
    )
    if role not in roles:
        also = f" (listed as {', '.join(roles)})" if roles else ""
        raise UsageError(
            f"{signer} is not listed in deploy.approvers of {shown} with role {role}{also}"
        )


def _warn_untrusted(
    path: Path,
    config: Path | None,
    signer: str,
    fields: dict[str, Any],
    signature: str,
    today: _dt.date,
) -> None:
    """Verify the new signature against the allowed signers the config names, if any:
    a key that is not listed is a warning (the file may be kept elsewhere, e.g. by the org)."""
    from .. import sshsig
    from ..engine.factpass import load_signers

    signers_path = config_at(path, config).allowed_signers
    if signers_path is None or not signers_path.is_file():
        return
    raw, shown = load_signers(signers_path)
    with sshsig.Verifier(raw) as verifier:
        answer = verifier.verify(
            signer, records.statement(fields), signature, when=today.strftime("%Y%m%d")
        )
    if answer.status != "good":
        sys.stderr.write(
            f"modelgov: warning: the allowed signers file {shown} does not list this key for "
            f"{signer}; the approval will not count until it does\n"
        )


def _write(root: Path, folder: str, name: str, fields: dict[str, Any], signature: str) -> Path:
    """Write the record into ``folder`` (root-relative) without following a link out."""
    directory = root.joinpath(*folder.split("/"))
    real_root = os.path.realpath(root)
    for parent in [directory, *directory.parents]:
        if parent.is_symlink():
            raise UsageError(f"{_shown(parent)} is a symlink; the record is not written")
        if os.path.realpath(parent) == real_root:
            break
    directory.mkdir(exist_ok=True)
    target = directory / name
    if os.path.lexists(target) and (target.is_symlink() or not target.is_file()):
        raise UsageError(f"{_shown(target)} is not a regular file; the record is not written")
    text = records.record_text(fields, signature)
    tmp = directory / f".{name}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)
    return target
