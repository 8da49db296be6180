"""Which repository an audited folder is: so a bare mirror and a working clone are one row.

Each repository the audit could read gets *identity keys*: a hash of its own
location (the work tree's folder, the bare repository's folder, or the URL it
was cloned from) and, when its config names an ``origin`` remote, a hash of
that remote.  Two repositories sharing a key are copies of one repository
(``git clone --mirror URL`` beside ``git clone URL``; a working clone of a
local bare repository; a bare mirror of a working clone) and the report shows
them as one (:func:`modelgov.audit.report.fold_copies`).  Repositories that
merely hold the same commit are not linked: two forks can.

URLs are compared without credentials, scheme, user, a trailing ``/`` or
``.git`` (``git@github.com:acme/x.git`` and ``https://github.com/acme/x``
are one repository); local paths are compared resolved (symlinks followed),
relative to the run's working directory.
The keys are hashes, so a report does not spell out local paths it did not
already show.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import os
import re
from typing import Any

from ..git import GitRepo
from ..git.remote import redact_url
from .discovery import RepoSpec

_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>.+)$")
_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/]*@)?(?P<host>[^/]*)(?P<path>/.*)?$"
)


def _key(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:24]


@functools.lru_cache(maxsize=8)
def _real_cwd(cwd: str) -> str:
    """The run's working directory resolved (the same for every repository of a run)."""
    return os.path.realpath(cwd)


def _local(path: str, cwd: str) -> str:
    real = os.path.realpath(path)
    if real.endswith(os.sep + ".git"):  # a clone of a work tree's .git folder
        real = real[: -len(os.sep + ".git")]
    try:
        shown = os.path.relpath(real, _real_cwd(cwd))
    except ValueError:  # another drive (Windows)
        shown = real
    return "path:" + shown.replace(os.sep, "/")


def normalise(url: str, base: str, cwd: str) -> str:
    """One spelling per repository: ``host/path`` for remote URLs, ``path:/abs`` locally."""
    value = url.strip()
    m = _URL.match(value)
    if m:
        if m.group("scheme").lower() == "file":
            return _local(m.group("path") or "/", cwd)
        host = m.group("host").lower()
        path = (m.group("path") or "").strip("/")
    elif (s := _SCP.match(value)) and not re.match(r"^[A-Za-z]:[\\/]", value):
        host, path = s.group("host").lower(), s.group("path").strip("/")
    else:
        return _local(os.path.join(base, os.path.expanduser(value)), cwd)
    path = path.removesuffix(".git").rstrip("/")
    return f"{host}/{path}"


def identity(repo: GitRepo, spec: RepoSpec, commit: str, cwd: str) -> dict[str, Any]:
    """``bare``, ``remote``, ``committed`` and ``identity`` of a :class:`~.rows.RepoEntry`.

    Local paths are keyed relative to ``cwd`` (the run's working directory), so
    the keys do not depend on where the machine keeps the checkout."""
    own = str(repo.worktree or repo.git_dir)
    keys = {_key(normalise(spec.location, cwd, cwd) if spec.kind == "url" else _local(own, cwd))}
    origin = repo.origin_url()
    if origin:
        keys.add(_key(normalise(origin, own, cwd)))
    committed = _stamp(repo.committer_time(commit))
    shown = redact_url(origin) if origin else ""
    return {
        "bare": repo.worktree is None,
        "remote": shown if len(shown) <= 500 else shown[:497] + "...",
        "committed": committed,
        "identity": tuple(sorted(keys)),
    }


def _stamp(seconds: int | None) -> str:
    if seconds is None:
        return ""
    try:
        when = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc)
    except (OverflowError, OSError, ValueError):  # a forged date past year 9999
        return ""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
