"""Helpers for the hostile suite: the real CLI in a subprocess, tree hashes, other users.

Every hostile case runs ``python -m modelgov`` as a real process (a hang is
a kill and a failure, never a stuck test run), measures its CPU time and
peak memory with ``wait4``, and looks for a secret planted outside the
repository in everything it printed or wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Planted in files outside the repositories; must never appear in any output.
SECRET = "HOSTILE-SECRET-Q7Z3-do-not-print"

#: The unprivileged user (nobody) cases that need permissions to apply run as.
NOBODY_UID = 65534


@dataclass(frozen=True)
class Run:
    """One finished modelgov process."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    wall: float  # seconds, start to exit (includes interpreter start-up)
    cpu: float  # user + system seconds of the process and the git processes it waited for
    maxrss_mb: float  # peak resident memory of the process (or of its largest git child)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"modelgov {' '.join(self.args)} -> exit {self.code} "
            f"({self.wall:.2f}s wall, {self.cpu:.2f}s cpu, {self.maxrss_mb:.0f} MB)\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


#: Runs the CLI like ``python -m modelgov`` and records the peak memory of the process
#: itself (``VmHWM``: this program only, unlike ``ru_maxrss``, which keeps the parent's
#: peak across fork and exec) and of the git processes it waited for.
_BOOTSTRAP = """
import atexit, json, os, resource, runpy, sys

def _stats():
    peak = 0
    try:
        with open("/proc/self/status") as fh:
            peak = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        with open(os.environ["MODELGOV_HOSTILE_STATS"], "w") as fh:
            json.dump({"self_kb": peak, "children_kb": kids}, fh)
    except OSError:
        pass

atexit.register(_stats)
_limit = os.environ.get("MODELGOV_HOSTILE_MEMORY_MB")
if _limit:  # address space, for this process and the git processes it starts
    resource.setrlimit(resource.RLIMIT_AS, (int(_limit) << 20, int(_limit) << 20))
sys.argv = ["modelgov", *sys.argv[1:]]
runpy.run_module("modelgov", run_name="__main__", alter_sys=True)
"""


def modelgov(
    *args: str,
    cwd: Path,
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    user_prefix: Sequence[str] = (),
    memory_mb: int | None = None,
) -> Run:
    """Run the modelgov CLI with ``args`` as a real process, killed after ``timeout`` seconds.

    ``memory_mb`` caps the address space of the process (and of the git processes it
    starts): past it an allocation fails instead of the machine swapping.
    """
    stats_dir = Path(tempfile.mkdtemp(prefix="modelgov-stats-"))
    stats_dir.chmod(0o777)  # also when the process runs as another user
    stats = stats_dir / "stats.json"
    cmd = [*user_prefix, sys.executable, "-c", _BOOTSTRAP, *args]
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["MODELGOV_HOSTILE_STATS"] = str(stats)
    if memory_mb is not None:
        full_env["MODELGOV_HOSTILE_MEMORY_MB"] = str(memory_mb)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=full_env,
                start_new_session=True,
            )
            status, usage = _wait(proc, start + timeout, args)
            wall = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            peak_kb = usage.ru_maxrss
            if stats.exists():
                measured = json.loads(stats.read_text(encoding="utf-8"))
                peak_kb = max(measured["self_kb"], measured["children_kb"])
            return Run(
                args=tuple(args),
                code=os.waitstatus_to_exitcode(status),
                stdout=out.read().decode("utf-8", "replace"),
                stderr=err.read().decode("utf-8", "replace"),
                wall=wall,
                cpu=usage.ru_utime + usage.ru_stime,
                maxrss_mb=peak_kb / 1024,
            )
    finally:
        shutil.rmtree(stats_dir, ignore_errors=True)


def _wait(
    proc: subprocess.Popen[bytes], deadline: float, args: Sequence[str]
) -> tuple[int, os.struct_rusage]:
    pause = 0.002
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            raise AssertionError(f"modelgov {' '.join(args)} hung: killed after its time limit")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def git(repo: Path, *args: str, timeout: float = 20, check: bool = True) -> str:
    """Plain git, as a user would run it in ``repo`` (it does read the repo's config)."""
    env = dict(os.environ)
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


# -- "lose nothing": a fingerprint of every byte and every inode --------------


def tree_state(root: Path) -> dict[str, tuple[object, ...]]:
    """Type, mode, owner, size, mtime, ctime and content hash of every entry below ``root``.

    ``.git`` included; symlinks are recorded (their target), never followed;
    FIFOs and devices are recorded, never opened.
    """
    state: dict[str, tuple[object, ...]] = {}
    root_s = str(root)
    for dirpath, dirnames, filenames in os.walk(root_s, followlinks=False):
        names = [*dirnames, *filenames] if dirpath != root_s else ["", *dirnames, *filenames]
        for name in names:
            full = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(full)
            rel = os.path.relpath(full, root_s)
            entry: tuple[object, ...] = (
                stat.S_IFMT(st.st_mode),
                stat.S_IMODE(st.st_mode),
                st.st_uid,
                st.st_size,
                st.st_mtime_ns,
                st.st_ctime_ns,
            )
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as fh:
                    entry += (hashlib.sha256(fh.read()).hexdigest(),)
            elif stat.S_ISLNK(st.st_mode):
                entry += (os.readlink(full),)
            state[rel] = entry
    return state


def state_diff(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """Human-readable differences between two :func:`tree_state` results."""
    out = [f"added {k}" for k in sorted(set(after) - set(before))]
    out += [f"removed {k}" for k in sorted(set(before) - set(after))]
    out += [f"changed {k}" for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    return out


# -- other users ---------------------------------------------------------------


def unprivileged_prefix() -> list[str] | None:
    """A command prefix that runs a program as an unprivileged user, or None.

    Not root: nothing to do (``[]``).  Root: ``setpriv`` (util-linux) or
    ``runuser`` to uid 65534 (nobody).  None when neither is available.
    """
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return [
            "setpriv",
            f"--reuid={NOBODY_UID}",
            f"--regid={NOBODY_UID}",
            "--clear-groups",
            "--",
        ]
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    return None


# -- CI logs -------------------------------------------------------------------

_OWN_ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^:,\r\n]*,line=\d+,col=\d+,title=[^:,\r\n]*::[^\r\n]*$"
)
#: The one annotation of modelgov's without a file: how many others GitHub does not show
#: (made of numbers only, nothing from a repository; see modelgov.reporters.github).
_LIMIT_NOTICE = re.compile(
    r"^::notice title=modelgov%3A \d+ findings not annotated::GitHub shows at most \d+ "
    r"annotations of each kind per step: [\w ]+ are not shown on the diff\. [^:\r\n%]*$"
)


def workflow_commands(text: str) -> list[str]:
    """Lines a GitHub Actions runner would execute as workflow commands.

    The runner trims each line and treats ``::name ...::`` and the legacy
    ``##[name ...]`` as commands, so any such line counts.
    """
    out = []
    for line in re.split(r"\r\n|\r|\n", text):
        trimmed = line.strip()
        if trimmed.startswith("::") or trimmed.startswith("##["):
            out.append(line)
    return out


def foreign_workflow_commands(text: str) -> list[str]:
    """Workflow-command lines that are not one of modelgov's own annotations."""
    return [
        line
        for line in workflow_commands(text)
        if not _OWN_ANNOTATION.match(line) and not _LIMIT_NOTICE.match(line)
    ]


def remove_deep(path: Path) -> None:
    """Remove a folder tree of any depth and path length (``shutil.rmtree`` recurses, and
    pytest's clean-up of its tmp folders fails on paths past PATH_MAX): by descriptors."""
    top = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    stack: list[tuple[int, str]] = [(top, "")]
    while stack:
        fd = stack[-1][0]
        sub = None
        with os.scandir(fd) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    sub = entry.name
                    break
                os.unlink(entry.name, dir_fd=fd)
        if sub is not None:
            stack.append((os.open(sub, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd), sub))
            continue
        fd, name = stack.pop()
        os.close(fd)
        if stack:
            os.rmdir(name, dir_fd=stack[-1][0])
    os.rmdir(path)
