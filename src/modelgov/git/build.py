"""Make repositories: the one job of this package that writes (policy test cases).

``modelgov policy test`` judges a case with a ``history:`` in a real
repository made for it in a temporary folder (:mod:`modelgov.policytest`
turns the case into a ``git fast-import`` stream):

* :func:`build` -- ``git init`` and ``git fast-import`` of the stream, then
  the last commit checked out (three processes, whatever the number of
  commits);
* :func:`clone_shallow` -- a ``git clone --depth N`` of such a repository;
* :func:`stage_all` -- ``git add -A`` in its work tree.

Nothing here touches a repository modelgov judges.  git runs with neither
the machine's nor the user's config, without templates (so without hooks),
with an argument list and a time limit, and sees nothing of the environment
but the program path and the temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import GitError
from .sandbox import GIT_TIMEOUT

#: Environment variables git may see while a repository is made.
_KEEP_ENV = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
#: The identity of what git records itself (reflogs); commits carry their own.
_IDENTITY = "modelgov policy test"
_EMAIL = "policy-test@example.com"


def build(root: Path, stream: bytes, *, branch: str = "main") -> None:
    """A new repository at ``root`` with the commits of a fast-import ``stream`` on
    ``branch``, the last one checked out (no commits for an empty stream)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    _run(["init", "-q", "--template=", "-b", branch, "--", str(root)], root.parent)
    if stream:
        # one pack, not a loose object per file (which would cost another process)
        _run(["-c", "fastimport.unpackLimit=0", "fast-import", "--quiet", "--done"], root, stream)
        _run(["reset", "-q", "--hard"], root)


def clone_shallow(origin: Path, dest: Path, depth: int) -> None:
    """``dest``: a clone of ``origin`` with the last ``depth`` commits, as CI checks out."""
    args = ["clone", "-q", "--no-local", "--template=", f"--depth={depth}"]
    _run([*args, "--", origin.as_uri(), str(dest)], dest.parent)


def stage_all(root: Path) -> None:
    """Stage every change of the work tree at ``root`` (``git add -A``)."""
    _run(["add", "-A"], root)


def _run(args: Sequence[str], cwd: Path, input: bytes | None = None) -> None:
    env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            "HOME": str(cwd),
            "XDG_CONFIG_HOME": str(cwd),
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_AUTHOR_NAME": _IDENTITY,
            "GIT_AUTHOR_EMAIL": _EMAIL,
            "GIT_COMMITTER_NAME": _IDENTITY,
            "GIT_COMMITTER_EMAIL": _EMAIL,
        }
    )
    command = next((a for a in args if not a.startswith("-") and "=" not in a), "git")
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {command} took longer than {GIT_TIMEOUT:.0f}s; stopped") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {command} failed: {lines[-1] if lines else f'exit {proc.returncode}'}")
