"""SSH signatures (``ssh-keygen -Y``): the one place besides :mod:`modelgov.git` that runs a program.

Deploy approvals are signed and verified with SSH signatures, the format git
uses for signed commits (``ssh-keygen -Y sign``, namespace
``modelgov-approval``).  This module runs ``ssh-keygen`` and nothing else:

* the program is found once, on the absolute entries of ``PATH`` only (never
  a path a repository or a config names, never the working directory);
* the arguments are fixed; every input is a file modelgov wrote into a
  private temporary folder (the message, the signature, a copy of the
  allowed-signers file), each capped in size before it is written;
* verification runs in an environment of its own (no agent, no home of the
  user's, ``LC_ALL=C``), with stdin the message and a time limit
  (:data:`TIMEOUT`); its output is read with a cap.

Nothing a repository holds can make modelgov run another program or wait
longer than the limit.  Signing (``modelgov approve``) runs with the
approver's own environment, so ``ssh-agent`` and passphrase prompts work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal, NamedTuple

from .errors import ConfigError, UsageError

NAMESPACE = "modelgov-approval"
PROGRAM = "ssh-keygen"
#: Seconds one verification may take (a verification takes about 15 ms).
TIMEOUT = float(os.environ.get("MODELGOV_SSH_TIMEOUT", "10"))
#: Seconds a signature may take: the approver may type a passphrase.
SIGN_TIMEOUT = 300.0
MAX_SIGNATURE_BYTES = 16 << 10  # an Ed25519 signature is 300 bytes, RSA-16384 about 3 KiB
MAX_MESSAGE_BYTES = 64 << 10
MAX_SIGNERS_BYTES = 1 << 20
_ARMOR = re.compile(
    r"-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+-----END SSH SIGNATURE-----\n?"
)
_FINGERPRINT = re.compile(r"\bkey (SHA256:[A-Za-z0-9+/=]+)")

Status = Literal["good", "mismatch", "untrusted", "error"]


class SshKeygenMissing(ConfigError):
    """``ssh-keygen`` is not on ``PATH`` and a policy needs signatures (exit 2)."""


class Verdict(NamedTuple):
    """The answer of ``ssh-keygen`` on one signature.

    ``good``: the signature verifies for the identity against the allowed
    signers; ``mismatch``: it does not match the message (changed after it
    was signed, or not a signature at all); ``untrusted``: it is a sound
    signature by a key the allowed signers do not list for the identity;
    ``error``: it could not be verified (time limit, bad input).
    """

    status: Status
    detail: str = ""
    fingerprint: str = ""  # SHA256:... of the signing key, when ssh-keygen said
    principals: tuple[str, ...] = ()  # who the allowed signers list for that key


_FOUND: list[str] = []


def find_program(why: str = "") -> str:
    """The absolute path of ``ssh-keygen`` on ``PATH`` (looked up once per process).

    Relative ``PATH`` entries (``.``, empty) are skipped: a checked repository
    is often the working directory.  Raises :class:`SshKeygenMissing` naming
    the program and ``why`` it is needed.
    """
    if _FOUND:
        return _FOUND[0]
    entries = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(p)]
    found = shutil.which(PROGRAM, path=os.pathsep.join(entries)) if entries else None
    if found is None:
        raise SshKeygenMissing(
            f"{PROGRAM} is not installed (or not on PATH){': ' + why if why else ''}; "
            "install OpenSSH's client tools (Debian/Ubuntu: apt-get install openssh-client)"
        )
    _FOUND.append(os.path.abspath(found))
    return _FOUND[0]


def _run(
    args: list[str],
    *,
    stdin: Path | None,
    env: dict[str, str] | None,
    cwd: Path,
    timeout: float,
    interactive: bool = False,
) -> tuple[int, str]:
    """Run ssh-keygen; ``(exit code, stdout and stderr)``; the code is -1 on a timeout."""
    program = find_program()
    handle = open(stdin, "rb") if stdin is not None else None  # noqa: SIM115 - closed below
    try:
        proc = subprocess.run(
            [program, *args],
            stdin=handle if handle is not None else (None if interactive else subprocess.DEVNULL),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1, f"{PROGRAM} took longer than {timeout:.0f}s; stopped"
    except OSError as exc:
        return -1, f"{PROGRAM} could not be run: {exc.strerror or exc}"
    finally:
        if handle is not None:
            handle.close()
    return proc.returncode, proc.stdout[:4096].decode("utf-8", "replace")


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def armored(signature: str) -> bool:
    """True when ``signature`` looks like one armored SSH signature (and nothing else)."""
    return len(signature) <= MAX_SIGNATURE_BYTES and _ARMOR.fullmatch(signature) is not None


class Verifier:
    """Verifies signatures against one allowed-signers file (a private copy of it).

    Use as a context manager; :meth:`verify` never raises for what a record
    holds.  ``ssh-keygen`` is looked up when the verifier is made, so a
    machine without it fails before anything is judged.
    """

    def __init__(self, signers: bytes, *, why: str = "") -> None:
        if len(signers) > MAX_SIGNERS_BYTES:
            raise ConfigError(f"the allowed signers file is larger than {MAX_SIGNERS_BYTES} bytes")
        find_program(why)
        self.folder = Path(tempfile.mkdtemp(prefix="modelgov-sshsig-"))
        self.signers = _write(self.folder, "allowed_signers", signers)
        self.env = {"LC_ALL": "C", "HOME": str(self.folder), "PATH": os.defpath}
        self._count = 0

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self, identity: str, message: bytes, signature: str, *, when: str = "") -> Verdict:
        """Does ``signature`` sign ``message`` by a key the allowed signers list for
        ``identity``?  ``when`` (``YYYYMMDD``): judge the keys' validity dates at that day."""
        if len(message) > MAX_MESSAGE_BYTES:
            return Verdict(
                "error", f"the signed statement is larger than {MAX_MESSAGE_BYTES} bytes"
            )
        if not armored(signature):
            return Verdict("mismatch", "the signature is not an armored SSH signature")
        if not identity or identity.startswith("-") or any(c.isspace() for c in identity):
            return Verdict("error", f"{identity!r} cannot be a signer identity")
        self._count += 1
        work = Path(tempfile.mkdtemp(prefix=f"{self._count}-", dir=self.folder))
        try:
            msg = _write(work, "message", message)
            sig = _write(work, "message.sig", signature.encode("ascii"))
            options = ["-O", f"verify-time={when}235959Z"] if re.fullmatch(r"\d{8}", when) else []
            args = ["-Y", "verify", "-f", str(self.signers), "-I", identity, "-n", NAMESPACE]
            code, out = self._run([*args, "-s", str(sig), *options], msg, work)
            if code == 0:
                return Verdict("good", out.strip(), _fingerprint(out))
            if code == -1:
                return Verdict("error", out)
            code, out = self._run(
                ["-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(sig)], msg, work
            )
            if code == -1:
                return Verdict("error", out)
            if code != 0:
                return Verdict("mismatch", _last_line(out))
            fingerprint = _fingerprint(out)
            code, found = self._run(
                ["-Y", "find-principals", "-s", str(sig), "-f", str(self.signers), *options],
                None,
                work,
            )
            listed = tuple(p.strip() for p in found.splitlines() if p.strip()) if code == 0 else ()
            return Verdict("untrusted", "", fingerprint, listed)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _run(self, args: list[str], stdin: Path | None, cwd: Path) -> tuple[int, str]:
        return _run(args, stdin=stdin, env=self.env, cwd=cwd, timeout=TIMEOUT)


def _fingerprint(out: str) -> str:
    m = _FINGERPRINT.search(out)
    return m.group(1) if m else ""


def _last_line(out: str) -> str:
    lines = [line.strip() for line in out.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def sign(key: Path, message: bytes) -> str:
    """Sign ``message`` with the SSH key ``key`` (a private key, or a public key whose
    private half is in ``ssh-agent``); returns the armored signature.

    Runs in the approver's environment (agent, passphrase prompt); a failure is a
    :class:`~modelgov.errors.UsageError` with ssh-keygen's own words.
    """
    find_program("signing an approval needs it")
    if not key.is_file():
        raise UsageError(f"key {key} does not exist or is not a file")
    folder = Path(tempfile.mkdtemp(prefix="modelgov-sign-"))
    try:
        msg = _write(folder, "statement", message)
        code, out = _run(
            ["-Y", "sign", "-q", "-f", str(key.absolute()), "-n", NAMESPACE, str(msg)],
            stdin=None,
            env=None,
            cwd=folder,
            timeout=SIGN_TIMEOUT,
            interactive=True,
        )
        sig = folder / "statement.sig"
        if code != 0 or not sig.is_file():
            detail = _last_line(out) or f"exit {code}"
            raise UsageError(f"{PROGRAM} could not sign with {key}: {detail}")
        text = sig.read_text(encoding="ascii", errors="replace")
        if not armored(text):
            raise UsageError(f"{PROGRAM} wrote no SSH signature for {key}")
        return text
    finally:
        shutil.rmtree(folder, ignore_errors=True)
