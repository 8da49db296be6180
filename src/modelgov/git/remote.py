"""Remotes: bare clones for ``modelgov audit --manifest``, and the URLs they come from.

Cloning talks to a server, so it is hardened like every git process (see
:mod:`modelgov.git`) plus: only https, http, ssh and file URLs are accepted
(``ext::`` and other remote helpers can run commands, ``git://`` is
unauthenticated); a URL that looks like an option, or holds ``$`` or a
backtick (an expansion the user may have expected a shell to do), is refused
before git sees it; ``--`` separates options from the URL;
``protocol.allow=never`` plus an allow-list (and ``GIT_ALLOW_PROTOCOL``) bind
git itself to the same protocols, also for any redirect; no system, global or
credential-helper config; never a prompt; no submodules, no hooks, no checkout
(bare), and a time limit that kills the clone's whole process group.  Private
https repositories: ``MODELGOV_GIT_AUTH_HEADER`` (such as ``AUTHORIZATION:
basic ...``) is sent to the one host ``MODELGOV_GIT_AUTH_HOST`` names, through
``GIT_CONFIG_*`` variables, never on a command line.

Imported by the audit only: ``modelgov check`` never talks to a server, and
:mod:`modelgov.git` does not import this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import GitError
from .refs import _read_small, _safe_ref
from .repo import is_bare_repo
from .sandbox import _KEEP_ENV

CLONE_TIMEOUT = float(os.environ.get("MODELGOV_CLONE_TIMEOUT", "600"))
REMOTE_SCHEMES = ("https", "http", "ssh", "file")
#: Keep blobs up to this size: model.yaml, configs and code arrive, model weights do not.
CLONE_FILTER = "blob:limit=1m"
_NET_ENV = (
    "SSH_AUTH_SOCK", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY",
    "https_proxy", "http_proxy", "no_proxy", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "GIT_SSL_CAINFO",
)  # fmt: skip
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/\\]+)@)?(?P<host>[^/\\:]+):(?P<path>.*)$")
_PROTOCOL_CONFIG = (
    "-c", "protocol.allow=never",
    *(arg for scheme in REMOTE_SCHEMES for arg in ("-c", f"protocol.{scheme}.allow=always")),
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "credential.helper=",
    "-c", "submodule.recurse=false",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "http.followRedirects=initial",
)  # fmt: skip


class Remote(NamedTuple):
    """A validated remote URL.  ``url`` may carry credentials; ``shown`` never does."""

    url: str
    shown: str
    scheme: str  # https | http | ssh | file


def looks_like_url(text: str) -> bool:
    """True for ``scheme://...``, ``transport::address`` and scp-like ``host:path``."""
    value = text.strip()
    if re.match(r"^[A-Za-z]:[\\/]", value) or value.startswith(("/", "./", "../", "~")):
        return False  # a Windows drive or a local path
    if "://" in value or "::" in value.split("/", 1)[0]:
        return True
    m = _SCP_LIKE.match(value)
    return bool(m and "/" not in value.split(":", 1)[0])


def redact_url(url: str) -> str:
    """``url`` without credentials (http userinfo and any password), for reports."""
    m = re.match(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^@/]*@)?(?P<rest>.*)$", url)
    if not m:
        return url
    userinfo = m.group("userinfo") or ""
    if userinfo and (":" in userinfo or m.group("scheme").lower().startswith("http")):
        userinfo = "***@"
    return f"{m.group('scheme')}{userinfo}{m.group('rest')}"


def parse_remote(text: str) -> Remote:
    """Validate a remote URL; :class:`GitError` with a clear message when it is refused."""
    url = text.strip()
    shown = redact_url(url)
    if not url:
        raise GitError("refused an empty repository URL")
    if url.startswith("-"):
        raise GitError(f"refused {shown!r}: it looks like a command-line option, not a URL")
    if "$" in url or "`" in url:
        raise GitError(
            f"refused {shown!r}: `$` and backticks are not expanded (no environment or "
            "command substitution happens); write the URL out in full"
        )
    head = url.split("/", 1)[0]
    if "::" in head:
        raise GitError(
            f"refused {shown!r}: remote helpers (`transport::address`, such as `ext::`) can "
            f"run commands; only {', '.join(REMOTE_SCHEMES)} URLs are accepted"
        )
    if re.search(r"[\x00-\x20\x7f]", url):
        raise GitError(f"refused {shown!r}: a URL cannot hold spaces or control characters")
    if "://" in url:
        scheme, _, rest = url.partition("://")
        scheme = scheme.lower()
        if scheme not in REMOTE_SCHEMES:
            raise GitError(
                f"refused {shown!r}: {scheme}:// is not accepted; only "
                f"{', '.join(REMOTE_SCHEMES)} URLs are"
            )
        authority = rest.split("/", 1)[0]
        host = authority.rsplit("@", 1)[-1]
        user = authority.rsplit("@", 1)[0] if "@" in authority else ""
        if host.startswith("-") or user.startswith("-"):
            raise GitError(f"refused {shown!r}: a host or user name cannot start with '-'")
        if scheme == "file":
            if authority not in ("", "localhost") or not rest[len(authority) :].startswith("/"):
                raise GitError(f"refused {shown!r}: a file URL names an absolute local path")
        elif not host or host.startswith(":"):
            raise GitError(f"refused {shown!r}: the URL has no host")
        return Remote(url, shown, scheme)
    m = _SCP_LIKE.match(url)
    if m and "/" not in url.split(":", 1)[0]:
        if m.group("host").startswith("-") or (m.group("user") or "").startswith("-"):
            raise GitError(f"refused {shown!r}: a host or user name cannot start with '-'")
        if m.group("path").startswith("-"):
            raise GitError(f"refused {shown!r}: the path looks like a command-line option")
        return Remote(url, shown, "ssh")
    raise GitError(f"refused {shown!r}: not a URL (https, http, ssh or file)")


def _remote_env(home: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in (*_KEEP_ENV, *_NET_ENV) if k in os.environ}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
            "GIT_ALLOW_PROTOCOL": ":".join(REMOTE_SCHEMES),
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_EDITOR": ":",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
        }
    )
    # Private https repositories: one header for one host, passed through the
    # environment (never argv, where other users could read it in `ps`).
    header = os.environ.get("MODELGOV_GIT_AUTH_HEADER", "")
    host = os.environ.get("MODELGOV_GIT_AUTH_HOST", "")
    if header and re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", host) and "\n" not in header:
        env.update(
            {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"http.https://{host}/.extraHeader",
                "GIT_CONFIG_VALUE_0": header,
            }
        )
    return env


def _run_in_own_group(
    cmd: Sequence[str], env: dict[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` in a session of its own; on timeout kill the whole group.

    A clone starts helpers (``git-upload-pack`` for a file:// or local
    remote, ssh, remote-https); killing only ``git`` would leave a helper that
    is blocked on the remote running for ever.
    """
    import signal

    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(cwd),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _run_remote(what: str, args: Sequence[str], remote: Remote, timeout: float) -> None:
    home = Path(tempfile.mkdtemp(prefix="modelgov-clone-"))
    try:
        proc = _run_in_own_group(
            ["git", *_PROTOCOL_CONFIG, *args], _remote_env(home), home, timeout
        )
    except subprocess.TimeoutExpired:
        raise GitError(
            f"git {what} of {remote.shown} took longer than {timeout:.0f}s; stopped"
        ) from None
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if proc.returncode != 0:
        text = proc.stderr.decode("utf-8", "replace").replace(remote.url, remote.shown)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
        detail = (fatal or lines or [f"exit {proc.returncode}"])[-1]
        raise GitError(f"git {what} of {remote.shown} failed: {redact_url(detail)}")


def clone_bare(
    remote: Remote,
    dest: Path,
    *,
    filter_spec: str | None = CLONE_FILTER,
    timeout: float = CLONE_TIMEOUT,
) -> None:
    """Clone ``remote`` bare (one branch, no tags) into ``dest``, atomically.

    The clone lands in a temporary sibling folder that is renamed into place
    when complete, so an interrupted clone never looks like a repository.
    With ``filter_spec`` the clone is partial (git ignores the filter when the
    server does not support it; a git too old to know ``--filter`` is retried
    without it).
    """
    dest = Path(os.path.abspath(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    base = ["clone", "--bare", "--quiet", "--no-tags", "--single-branch", "--template="]
    try:
        try:
            extra = [f"--filter={filter_spec}"] if filter_spec else []
            _run_remote("clone", [*base, *extra, "--", remote.url, str(tmp)], remote, timeout)
        except GitError as exc:
            if not filter_spec or "filter" not in str(exc).lower():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
            _run_remote("clone", [*base, "--", remote.url, str(tmp)], remote, timeout)
        try:
            os.replace(tmp, dest)
        except OSError:
            if not is_bare_repo(dest):  # another run cloned it meanwhile: keep theirs
                raise GitError(f"cannot move the clone of {remote.shown} into {dest}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_bare(
    remote: Remote,
    dest: Path,
    *,
    filter_spec: str | None = CLONE_FILTER,
    timeout: float = CLONE_TIMEOUT,
) -> None:
    """Bring a bare clone made by :func:`clone_bare` up to date with the remote's HEAD.

    The clone is modelgov's own (its config was written by ``git clone``), so
    git may use it; the remote's default branch is fetched into the clone's
    branch, forced (history may have been rewritten upstream).
    """
    head = (_read_small(dest / "HEAD", 4096) or "").strip()
    branch = head[5:].strip() if head.startswith("ref: ") else ""
    if not _safe_ref(branch):
        raise GitError(f"the cached clone {dest} has no branch HEAD; delete it to clone again")
    clear_stale_locks(dest)
    extra = [f"--filter={filter_spec}"] if filter_spec else []
    args = [
        f"--git-dir={dest}",
        # no gc or maintenance left running (or killed) in the background of a fetch
        "-c",
        "gc.auto=0",
        "-c",
        "maintenance.auto=false",
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-recurse-submodules",
        *extra,
        "origin",
        f"+HEAD:{branch}",
    ]
    try:
        _run_remote("fetch", args, remote, timeout)
    finally:  # a fetch stopped at the time limit leaves its locks behind
        clear_stale_locks(dest)


#: Where git leaves ``*.lock`` files in a bare repository (ref, packed-refs, HEAD,
#: config and shallow updates; reflogs; the commit-graph and multi-pack-index).
_LOCK_PLACES = ("refs", "logs", "objects/info", "objects/pack")


def clear_stale_locks(dest: Path) -> list[str]:
    """Remove the ``*.lock`` files a killed git left in the clone ``dest``; their names.

    Only for modelgov's own cached clones, with the clone's lock held (see
    :func:`modelgov.audit.cache.ensure_clone`): no other git works on it then, so
    every lock file is stale.  A fetch killed at ``--clone-timeout`` (or a machine
    that went down) leaves ``refs/heads/main.lock``, and git refuses every later
    update of that ref until it is gone.  Links are removed, never followed.
    """
    removed = []
    top = Path(os.path.abspath(dest))
    places = [top, *(top / p for p in _LOCK_PLACES)]
    for place in places:
        if place.is_symlink() or not place.is_dir():
            continue
        walk = os.walk(place, followlinks=False) if place != top else [(str(top), [], _names(top))]
        for folder, _dirs, files in walk:
            for name in files:
                if name.endswith(".lock"):
                    full = os.path.join(folder, name)
                    with contextlib.suppress(OSError):
                        os.unlink(full)
                        removed.append(os.path.relpath(full, top))
    return sorted(removed)


def _names(folder: Path) -> list[str]:
    try:
        return [e.name for e in os.scandir(folder) if not e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
