"""The performance benchmark of issue 8: modelgov against the tools a user would reach for.

    python bench/run.py                 # full run: fixtures of issue 8, 7 alternating runs each
    python bench/run.py --quick         # tiny fixtures, 2 runs: proves the benchmark works
    python bench/run.py --repeat 3 --only check --out bench/.work/latest.json

Run it with the interpreter modelgov is installed in (``.venv/bin/python``):
``modelgov`` and ``check-jsonschema`` are taken from that interpreter's
scripts folder.

Fixtures (built with ``git fast-import``, see ``bench/orgfixture.py``, kept in
``bench/.work/`` and reused while their recipe is unchanged):

* ``example-500`` / ``example-20000``: the compliant example
  (``examples/compliant``) with 500 / 20,000 commits of history from
  2024-01 to 2026-11: monthly reviews of model.yaml (the owner changes hands
  on 2026-03-01, recorded as a handoff), code under its ``paths`` changed in
  a third of the commits, other files in the rest; the last review on
  2026-11-02 and code changes after it inside the grace period, so the
  history rules (MG202, MG204) walk the whole history and the check passes.
* ``early-500`` / ``early-20000``: the same files, model.yaml added in the first
  commit (2026-11-17, reviewed that day) and never changed, code under its
  ``paths`` changed in every commit since (to 2026-11-29, inside the grace
  period): the walk cannot stop at a recent change of model.yaml.
* ``org-250`` ... ``org-2000``: organisations of generated repositories of
  about 20 commits each (``orgfixture.make_org``), every declared model with
  ``paths`` and its staleness judged; ``org-5`` for the small audit (default
  ``--jobs`` against ``-j 1``: workers must not slow a small audit down).

Each group of commands is run alternately (round ``i`` starts at member
``i``), after one warm-up run of every command that is not counted; the warm-up
samples the memory of the whole process tree.  Medians and every target of
issues 8 and 16 with PASS/MISS are printed; a ratio target is the median of the
per-round ratios (both sides ran in the same round, under the same load); ``--json`` prints the same as
JSON, ``--out FILE`` writes the JSON to FILE as well.

Memory: every timed run is reaped with ``os.wait4``, whose ``ru_maxrss`` is
the peak RSS of the largest single process of the run's tree (the process and
the descendants it waited for -- the same figure as ``/usr/bin/time -f %M``).
The warm-up run also samples ``/proc`` every 10 ms and sums RSS and PSS over
every live process of the run's session (the command, its worker processes,
the forkserver and its git children): that sum is the audit's peak memory.
RSS sums count pages shared between forked workers more than once, so the RSS
sum is an upper bound; the PSS sum splits shared pages fairly.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from orgfixture import (  # noqa: E402 - after the sys.path entry above
    COMPLIANT,
    ROOT,
    Commit,
    example_files,
    fast_import,
    git,
    make_org,
    model_yaml,
)

TODAY = "2026-11-30"
SCHEMA = ROOT / "schemas" / "model.schema.json"
FORMAT = "modelgov-bench/1"
#: Bump when a fixture recipe changes so cached fixtures are rebuilt.
RECIPE = 2
MIB = 1024 * 1024


# -- sizes and targets ------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    small_commits: int
    big_commits: int
    orgs: tuple[int, ...]  # ascending; the audit-vs-floor pair uses ``pair_org``
    pair_org: int
    repeat: int
    small_org: int = 5  # the small audit: default --jobs against -j 1


FULL = Sizes(500, 20_000, (250, 500, 1000, 2000), 1000, 7)
QUICK = Sizes(30, 300, (4, 8, 16, 32), 16, 2)


@dataclass(frozen=True)
class Target:
    id: str
    title: str
    unit: str  # "x" (a ratio) or "MiB"
    limit: float
    stretch: float | None = None


TARGETS = (
    Target("check-speed", "cold check / check-jsonschema (same model.yaml)", "x", 0.30, 0.25),
    Target("audit-speed", "audit --jobs 2 / floor (git log -1 per repo, xargs -P2)", "x", 1.5, 1.2),
    Target("check-memory", "peak RSS of check (largest of every check run)", "MiB", 60),
    Target("audit-memory", "peak RSS of the audit, whole process tree", "MiB", 300),
    Target("check-history", "check, big history / small (model.yaml reviewed monthly)", "x", 1.5),
    Target(
        "check-history-early",
        "check, big history / small (model.yaml only in the first commit)",
        "x",
        1.5,
    ),
    Target("audit-growth", "audit time per doubling of repos / 2 (worst step)", "x", 1.1),
    Target("audit-small", "audit of 5 repos, default --jobs / -j 1", "x", 1.1),
)


# -- fixtures ---------------------------------------------------------------------------

CODE_FILES = (
    "src/fraud/score.py",
    "src/fraud/features.py",
    "training/fraud/train.py",
    "training/fraud/config.yaml",
)
OTHER_FILES = (
    "README.md",
    "docs/architecture.md",
    "services/checkout/api.py",
    "services/checkout/db.py",
    "src/common/util.py",
    "tests/test_score.py",
    "infra/main.tf",
    "notebooks/eda.py",
)
HANDOFF = _dt.datetime(2026, 3, 1, 9, 0)
LAST_REVIEW = _dt.datetime(2026, 11, 2, 10, 0)
CODE_AGAIN = _dt.datetime(2026, 11, 20, 9, 0)  # code changes from here on are inside grace


def _stamp(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _early_model(reviewed: str) -> str:
    """model.yaml before the handoff: Sam Lee owns it, no handoff recorded."""
    text = model_yaml(owner="sam.lee@example.com", reviewed=reviewed)
    text = text.replace("  name: Dana Okafor", "  name: Sam Lee")
    return re.sub(r"  handoff:.*\n(?:    .*\n)+", "", text, count=1)


def example_history(commits: int, seed: int = 11) -> list[Commit]:
    """The compliant example with ``commits`` commits of realistic history (see the module doc)."""
    rng = random.Random(seed)
    start = _dt.datetime(2024, 1, 8, 9, 0)
    end = _dt.datetime(2026, 11, 27, 18, 0)
    tail = max(2, commits // 50)  # commits after the last review
    middle = max(commits - 2 - tail, 0)
    span = int((LAST_REVIEW - start).total_seconds())
    times = sorted(start + _dt.timedelta(seconds=rng.randrange(3600, span)) for _ in range(middle))
    after = int((end - LAST_REVIEW).total_seconds())
    tail_times = sorted(
        LAST_REVIEW + _dt.timedelta(seconds=rng.randrange(60, after)) for _ in range(tail)
    )
    # model.yaml is reviewed about monthly: the first commit of each month touches it
    months: set[tuple[int, int]] = set()
    files = example_files(COMPLIANT)
    first: dict[str, str | bytes | None] = dict(files)
    first["model.yaml"] = _early_model(start.date().isoformat())
    for rel in CODE_FILES + OTHER_FILES:
        first.setdefault(rel, f"# {rel}\n")
    history = [Commit(first, _stamp(start), "import the fraud scorer")]
    months.add((start.year, start.month))
    for i, when in enumerate(times):
        month = (when.year, when.month)
        if month not in months:
            months.add(month)
            day = when.date().isoformat()
            text = _early_model(day) if when < HANDOFF else model_yaml(reviewed=day)
            history.append(Commit({"model.yaml": text}, _stamp(when), f"review {day}"))
            continue
        pool = CODE_FILES if rng.random() < 0.35 else OTHER_FILES
        change = {
            rel: f"# {rel}\nVERSION = {i}\n" for rel in rng.sample(pool, rng.choice((1, 1, 2)))
        }
        history.append(Commit(change, _stamp(when), f"change {i}"))
    history.append(
        Commit({"model.yaml": files["model.yaml"]}, _stamp(LAST_REVIEW), "review 2026-11-02")
    )
    for i, when in enumerate(tail_times):
        pool = CODE_FILES if when >= CODE_AGAIN and rng.random() < 0.5 else OTHER_FILES
        rel = rng.choice(pool)
        history.append(Commit({rel: f"# {rel}\nTAIL = {i}\n"}, _stamp(when), f"later {i}"))
    return history


EARLY_START = _dt.datetime(2026, 11, 17, 9, 0)  # model.yaml added, reviewed that day


def early_history(commits: int, seed: int = 13) -> list[Commit]:
    """The compliant example whose model.yaml was added in the first commit and never
    changed since, with code under its ``paths`` changing in every later commit.

    The common case of a busy monorepo: the walk cannot stop at a recent change of
    model.yaml (there is none), and every commit is a code change MG202 weighs.  The
    history spans 2026-11-17 (the review model.yaml records) to 2026-11-29, so every
    code change is inside the 14-day grace period and the check passes."""
    rng = random.Random(seed)
    end = _dt.datetime(2026, 11, 29, 18, 0)
    span = int((end - EARLY_START).total_seconds())
    files = example_files(COMPLIANT)
    first: dict[str, str | bytes | None] = dict(files)
    first["model.yaml"] = model_yaml(reviewed=EARLY_START.date().isoformat())
    for rel in CODE_FILES + OTHER_FILES:
        first.setdefault(rel, f"# {rel}\n")
    history = [Commit(first, _stamp(EARLY_START), "import the fraud scorer")]
    times = sorted(
        EARLY_START + _dt.timedelta(seconds=rng.randrange(60, span)) for _ in range(commits - 1)
    )
    for i, when in enumerate(times):
        change = {rel: f"# {rel}\nVERSION = {i}\n" for rel in rng.sample(CODE_FILES, 1)}
        if rng.random() < 0.5:
            rel = rng.choice(OTHER_FILES)
            change[rel] = f"# {rel}\nVERSION = {i}\n"
        history.append(Commit(change, _stamp(when), f"change {i}"))
    return history


def _recipe_digest() -> str:
    """Changes when anything a fixture is made from changes."""
    h = hashlib.sha256(f"{RECIPE}".encode())
    for path in (HERE / "orgfixture.py", *sorted(p for p in COMPLIANT.rglob("*") if p.is_file())):
        h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Fixtures:
    example: dict[int, Path] = field(default_factory=dict)  # commits -> work tree
    early: dict[int, Path] = field(default_factory=dict)  # commits -> work tree (early layout)
    orgs: dict[int, Path] = field(default_factory=dict)  # repos -> folder
    lists: dict[int, Path] = field(default_factory=dict)  # repos -> file of repo paths
    built: dict[str, float] = field(default_factory=dict)  # name -> seconds (0: reused)


def build_fixtures(
    work: Path, sizes: Sizes, *, rebuild: bool, log: Callable[[str], None]
) -> Fixtures:
    work.mkdir(parents=True, exist_ok=True)
    digest = _recipe_digest()
    out = Fixtures()

    def fresh(path: Path, key: str) -> bool:
        stamp = path.with_name(path.name + ".stamp")
        if (
            not rebuild
            and path.exists()
            and stamp.exists()
            and stamp.read_text() == f"{digest} {key}"
        ):
            return True
        if path.exists():
            shutil.rmtree(path)
        stamp.unlink(missing_ok=True)
        return False

    def done(path: Path, key: str) -> None:
        path.with_name(path.name + ".stamp").write_text(f"{digest} {key}")

    layouts = (("example", out.example, example_history), ("early", out.early, early_history))
    for kind, into, recipe in layouts:
        for commits in (sizes.small_commits, sizes.big_commits):
            path = work / f"{kind}-{commits}"
            into[commits] = path
            if fresh(path, f"{kind} {commits}"):
                out.built[path.name] = 0.0
                continue
            start = time.perf_counter()
            fast_import(path, recipe(commits), checkout=True)
            out.built[path.name] = time.perf_counter() - start
            done(path, f"{kind} {commits}")
            log(f"built {path.name} in {out.built[path.name]:.1f}s")
    for count in (*sizes.orgs, sizes.small_org):
        path = work / f"org-{count}"
        listing = work / f"org-{count}.repos"
        out.orgs[count] = path
        out.lists[count] = listing
        if fresh(path, f"org {count}") and listing.exists():
            out.built[path.name] = 0.0
            continue
        start = time.perf_counter()
        repos = make_org(path, count, seed=7, commits=20)
        listing.write_text("".join(f"{r.path}\n" for r in repos), encoding="utf-8")
        out.built[path.name] = time.perf_counter() - start
        done(path, f"org {count}")
        log(f"built {path.name} in {out.built[path.name]:.1f}s")
    return out


# -- running and measuring --------------------------------------------------------------


@dataclass
class Command:
    name: str
    argv: list[str]
    cwd: Path
    stdin: Path | None = None
    stdout: Path | None = None  # None: discarded
    ok_codes: tuple[int, ...] = (0,)
    env: dict[str, str] | None = None  # None: _env()
    verify: Callable[[Command], str | None] | None = None  # an error message, or None

    def shell(self) -> str:
        path = (self.env or {}).get("PYTHONPATH")
        prefix = f"PYTHONPATH={shlex.quote(path)} " if path else ""
        text = f"cd {shlex.quote(str(self.cwd))} && {prefix}{shlex.join(self.argv)}"
        if self.stdin is not None:
            text += f" < {shlex.quote(str(self.stdin))}"
        return text + (
            " > /dev/null" if self.stdout is None else f" > {shlex.quote(str(self.stdout))}"
        )


@dataclass
class Run:
    seconds: float
    returncode: int
    # memory runs only (the warm-up): see the module docstring
    maxrss_kib: int = 0  # the command's largest process (/usr/bin/time %M, else sampled)
    tree_rss_kib: int = 0  # peak of the RSS summed over the process tree (sampled)
    tree_pss_kib: int = 0  # peak of the PSS summed over the process tree (sampled)
    tree_procs: int = 0  # most processes alive at once (sampled)


class TreeSampler(threading.Thread):
    """Peak RSS/PSS summed over the live processes of one session, sampled from /proc."""

    def __init__(self, session: int, skip: int | None = None, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.skip = skip  # the /usr/bin/time wrapper is not part of the command's tree
        self.interval = interval
        self.stop = threading.Event()
        self.rss_kib = 0
        self.pss_kib = 0
        self.largest_kib = 0
        self.procs = 0
        self.page_kib = os.sysconf("SC_PAGE_SIZE") // 1024

    def members(self) -> list[tuple[int, int]]:
        """(pid, rss KiB) of the session's live processes."""
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == self.skip:
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2 :].split()
            # fields[0] is field 3 of proc(5): session is field 6, rss (pages) field 24
            if len(fields) > 21 and int(fields[3]) == self.session:
                found.append((int(entry.name), int(fields[21]) * self.page_kib))
        return found

    @staticmethod
    def pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def run(self) -> None:
        while not self.stop.is_set():
            members = self.members()
            self.rss_kib = max(self.rss_kib, sum(rss for _, rss in members))
            self.largest_kib = max([self.largest_kib, *(rss for _, rss in members)])
            self.procs = max(self.procs, len(members))
            self.pss_kib = max(self.pss_kib, sum(self.pss(pid) for pid, _ in members))
            self.stop.wait(self.interval)


TIME = "/usr/bin/time"


def _env(pythonpath: Path | None = None) -> dict[str, str]:
    """The environment of measured commands: no GIT_* or MODELGOV_* settings, no git config
    of the machine or user, and bytecode caching on (as for any installed package: a
    ``PYTHONDONTWRITEBYTECODE`` inherited here would make every run compile modelgov anew)."""
    drop = ("GIT_", "MODELGOV_", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


@dataclass(frozen=True)
class Snapshot:
    rev: str
    sha: str
    src: Path  # put first on PYTHONPATH
    script: Path  # the ``modelgov`` console script of that commit


def snapshot(rev: str, work: Path) -> Snapshot:
    """modelgov as committed at ``rev``: its sources (``git archive``), compiled, and a
    console script made from that commit's ``[project.scripts]`` entry, as pip makes it.

    Measured commands import modelgov from there (``PYTHONPATH``), so edits made
    in the work tree while the benchmark runs do not change what is measured, and
    a console script installed for a later commit does not break an earlier one."""
    try:
        sha = git(ROOT, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").strip()
        pyproject = git(ROOT, "show", f"{sha}:pyproject.toml")
    except RuntimeError as exc:
        raise BenchError(f"--rev {rev}: {exc}") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    scripts = tomllib.loads(pyproject).get("project", {}).get("scripts", {})
    entry = re.fullmatch(r"([\w.]+):(\w+)", str(scripts.get("modelgov", "")))
    if entry is None:
        raise BenchError(f"--rev {rev}: no modelgov console script in pyproject.toml")
    folder = work / "snapshots" / sha[:12]
    script = folder / "bin" / "modelgov"
    if not script.exists():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, "src/modelgov", "schemas", "policies"],
            cwd=ROOT, env=_env(), capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(folder / "src")],
            capture_output=True, check=True,
        )  # fmt: skip
        script.parent.mkdir()
        module, func = entry.groups()
        script.write_text(
            f"#!{sys.executable}\nimport sys\nfrom {module} import {func}\n"
            f"if __name__ == '__main__':\n    sys.exit({func}())\n"
        )
        script.chmod(0o755)
    found = subprocess.run(
        [sys.executable, "-c", "import modelgov; print(modelgov.__file__)"],
        env=_env(folder / "src"), capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if not found.startswith(str(folder)):
        raise BenchError(
            f"modelgov is imported from {found or '?'}, not from the snapshot {folder}"
        )
    return Snapshot(rev, sha, folder / "src", script)


def run_once(cmd: Command, *, memory: bool = False, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` once: wall time from start to the end of its last process holding stderr.

    With ``memory``, the command runs under ``/usr/bin/time -f %M`` (when
    present: a small process forking the command, so the figure is not
    inflated by this script's own RSS, as ``ru_maxrss`` of a child forked from
    Python would be) while its process tree is sampled from /proc.
    """
    wrapped = memory and os.access(TIME, os.X_OK)
    report = Path(tempfile.mkstemp(prefix="bench-maxrss-")[1]) if wrapped else None
    argv = [TIME, "-f", "%M", "-o", str(report), *cmd.argv] if wrapped else cmd.argv
    stdin = open(cmd.stdin, "rb") if cmd.stdin is not None else subprocess.DEVNULL  # noqa: SIM115
    stdout = open(cmd.stdout, "wb") if cmd.stdout is not None else subprocess.DEVNULL  # noqa: SIM115
    sampler = None
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cmd.cwd,
            env=env or cmd.env or _env(),
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        if memory:
            sampler = TreeSampler(proc.pid, skip=proc.pid if wrapped else None)
            sampler.start()
        err = proc.communicate()[1]  # returns when every process holding stderr has ended
        seconds = time.perf_counter() - start
    finally:
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
        for fh in (stdin, stdout):
            if not isinstance(fh, int):
                fh.close()
    run = Run(seconds, proc.returncode)
    if sampler is not None:
        run.tree_rss_kib, run.tree_pss_kib = sampler.rss_kib, sampler.pss_kib
        run.tree_procs, run.maxrss_kib = sampler.procs, sampler.largest_kib
    if report is not None:
        # the last line; "Command exited with non-zero status N" may come first
        with contextlib.suppress(OSError, ValueError, IndexError):
            run.maxrss_kib = int(report.read_text().split()[-1])
        report.unlink(missing_ok=True)
    problem = None
    if proc.returncode not in cmd.ok_codes:
        problem = f"exit code {proc.returncode}"
        if cmd.stdout is not None:
            problem += "; output:\n" + cmd.stdout.read_text(errors="replace")[-2000:]
    elif cmd.verify is not None:
        problem = cmd.verify(cmd)
    if problem is not None:
        raise BenchError(
            f"{cmd.name}: {problem}\n  command: {cmd.shell()}\n  stderr: "
            + err.decode(errors="replace")[-2000:]
        )
    return run


class BenchError(Exception):
    """A fixture or a measured command did not do what it must (the figure would be wrong)."""


@dataclass
class Series:
    command: Command
    runs: list[Run] = field(default_factory=list)
    warmup: Run | None = None
    retries: int = 0  # failed runs that were run again (not counted)

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def as_json(self) -> dict[str, Any]:
        assert self.warmup is not None
        return {
            "command": self.command.shell(),
            "seconds": [round(t, 4) for t in self.times],
            "median": round(self.median, 4),
            "min": round(min(self.times), 4),
            "max": round(max(self.times), 4),
            "maxrss_mib": round(self.warmup.maxrss_kib / 1024, 1),
            "tree_rss_mib": round(self.warmup.tree_rss_kib / 1024, 1),
            "tree_pss_mib": round(self.warmup.tree_pss_kib / 1024, 1),
            "tree_procs": self.warmup.tree_procs,
            "retries": self.retries,
        }


#: A run that fails its checks is run again this many times before the benchmark gives up
#: (on a shared machine another program can disturb one run; a real failure repeats).
RETRIES = 2


def run_checked(series: Series, log: Callable[[str], None], *, memory: bool = False) -> Run:
    for attempt in range(RETRIES + 1):
        try:
            return run_once(series.command, memory=memory)
        except BenchError as exc:
            if attempt == RETRIES:
                raise
            series.retries += 1
            log(f"run failed, running it again: {str(exc).splitlines()[0][:300]}")
    raise AssertionError("unreachable")


def run_group(commands: Sequence[Command], repeat: int, log: Callable[[str], None]) -> list[Series]:
    """One sampled warm-up of each command, then ``repeat`` rounds, each starting one further on."""
    series = [Series(c) for c in commands]
    for s in series:
        s.warmup = run_checked(s, log, memory=True)
    for i in range(repeat):
        order = [series[(i + k) % len(series)] for k in range(len(series))]
        for s in order:
            s.runs.append(run_checked(s, log))
        log(
            f"round {i + 1}/{repeat}: "
            + ", ".join(f"{s.command.name} {s.runs[-1].seconds:.3f}s" for s in series)
        )
    return series


# -- verifying that a run did the work --------------------------------------------------


def _audit_verifier(count: int) -> Callable[[Command], str | None]:
    def verify(cmd: Command) -> str | None:
        assert cmd.stdout is not None
        try:
            report = json.loads(cmd.stdout.read_text(encoding="utf-8"))
            repos = report["summary"]["repos"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"no audit report ({exc})"
        if repos.get("total") != count or repos.get("error"):
            errors = [
                r.get("reason") for r in report.get("repos", []) if r.get("status") == "error"
            ]
            return f"audited {repos} of {count} repositories; errors: {errors[:3]}"
        return None

    return verify


# -- the benchmark ------------------------------------------------------------------------


def _script(name: str) -> list[str] | None:
    """The console script ``name`` of this interpreter's environment (else on PATH)."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return [str(local)]
    found = shutil.which(name)
    return [found] if found else None


def _version(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def machine(rev: str | None, sha: str | None, modelgov: list[str]) -> dict[str, Any]:
    try:
        import yaml

        libyaml = bool(getattr(yaml, "__with_libyaml__", False))
        yaml_version = yaml.__version__
    except ImportError:
        libyaml, yaml_version = False, "missing"
    try:
        head = git(ROOT, "rev-parse", "--short", "HEAD").strip()
        dirty = bool(
            git(ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src").strip()
        )
    except (RuntimeError, OSError):
        head, dirty = "?", False
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "git": _version(["git", "--version"]),
        "pyyaml": yaml_version,
        "libyaml": libyaml,
        "modelgov": _version(
            [*modelgov, "--version"], _env(Path(modelgov[0]).parent.parent / "src") if rev else None
        ),
        "check_jsonschema": _version(
            [*(_script("check-jsonschema") or ["check-jsonschema"]), "--version"]
        ),
        "commit": (
            f"{rev} = {sha[:12]} (snapshot)"
            if rev and sha
            else f"work tree at {head}" + (", src modified" if dirty else "")
        ),
        "hyperfine": shutil.which("hyperfine") is not None,
        "blocked_for_check_jsonschema": installed_extras(),
    }


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


#: Optional packages jsonschema imports when they are installed but check-jsonschema does
#: not depend on: with rfc3987-syntax (a jsonschema ``format`` extra) present, importing
#: jsonschema builds a grammar for 4 s.  check-jsonschema runs as a plain install of it
#: would (``pip install check-jsonschema``): each is made unimportable on its PYTHONPATH.
NOT_CJS_DEPENDENCIES = ("rfc3987_syntax",)


def cjs_env(work: Path) -> dict[str, str]:
    """The environment check-jsonschema runs in: :func:`_env` with the packages of
    :data:`NOT_CJS_DEPENDENCIES` blocked (they are recorded in the results)."""
    folder = work / "cjs-block"
    folder.mkdir(parents=True, exist_ok=True)
    for name in NOT_CJS_DEPENDENCIES:
        (folder / f"{name}.py").write_text(
            f'raise ImportError("{name}: blocked by bench/run.py, not a dependency of '
            'check-jsonschema")\n'
        )
    return _env(folder)


def installed_extras() -> list[str]:
    """Which of :data:`NOT_CJS_DEPENDENCIES` this interpreter has (blocked for the reference)."""
    import importlib.util

    return [n for n in NOT_CJS_DEPENDENCIES if importlib.util.find_spec(n) is not None]


def check_commands(
    fx: Fixtures, sizes: Sizes, out: Path, env: dict[str, str], modelgov: list[str]
) -> list[Command]:
    cmds = [
        Command(
            f"check {sizes.small_commits} commits",
            [*modelgov, "check", "--today", TODAY],
            fx.example[sizes.small_commits],
        )
    ]
    cjs = _script("check-jsonschema")
    if cjs is not None:
        cmds.append(
            Command(
                "check-jsonschema",
                [*cjs, "--schemafile", str(SCHEMA), "model.yaml"],
                fx.example[sizes.small_commits],
            )
        )
    cmds.append(
        Command(
            f"check {sizes.big_commits} commits",
            [*modelgov, "check", "--today", TODAY],
            fx.example[sizes.big_commits],
        )
    )
    for commits in (sizes.small_commits, sizes.big_commits):
        cmds.append(
            Command(
                f"check early {commits} commits",
                [*modelgov, "check", "--today", TODAY],
                fx.early[commits],
            )
        )
    for c in cmds:  # each must pass (exit 0) on the compliant fixture
        c.stdout = out / (re.sub(r"\W+", "-", c.name).strip("-") + ".out")
        c.env = env if c.name != "check-jsonschema" else cjs_env(out.parent)
    return cmds


def audit_commands(
    fx: Fixtures, sizes: Sizes, jobs: int, out: Path, env: dict[str, str], modelgov: list[str]
) -> list[Command]:
    cmds = []
    for count in sizes.orgs:
        cmds.append(
            Command(
                f"audit {count} repos",
                [
                    *modelgov,
                    "audit",
                    str(fx.orgs[count]),
                    "--depth",
                    "2",
                    "--jobs",
                    str(jobs),
                    "--today",
                    TODAY,
                    "--format",
                    "json",
                ],
                fx.orgs[count].parent,
                stdout=out / f"audit-{count}.json",
                ok_codes=(0, 1),  # 1: the org holds failing models
                verify=_audit_verifier(count),
                env=env,
            )
        )
        cmds.append(
            Command(
                f"floor {count} repos",
                [
                    "xargs",
                    f"-P{jobs}",
                    "-I{}",
                    "git",
                    "-C",
                    "{}",
                    "log",
                    "-1",
                    "--format=%ct",
                    "--",
                    "model.yaml",
                ],
                fx.orgs[count].parent,
                stdin=fx.lists[count],
                env=_env(),
            )
        )
    return cmds


def small_audit_commands(
    fx: Fixtures, sizes: Sizes, out: Path, env: dict[str, str], modelgov: list[str]
) -> list[Command]:
    """The small audit: default ``--jobs`` against ``-j 1`` (workers must pay for themselves)."""
    cmds = []
    small = sizes.small_org
    for name, jobs_args in (
        (f"audit {small} repos", []),
        (f"audit {small} repos -j 1", ["-j", "1"]),
    ):
        cmds.append(
            Command(
                name,
                [*modelgov, "audit", str(fx.orgs[small]), "--depth", "2", *jobs_args,
                 "--today", TODAY, "--format", "json"],
                fx.orgs[small].parent,
                stdout=out / (re.sub(r"\W+", "-", name).strip("-") + ".json"),
                ok_codes=(0, 1),
                verify=_audit_verifier(small),
                env=env,
            )
        )  # fmt: skip
    return cmds


def count_git(cmd: Command, work: Path) -> dict[str, int]:
    """git processes one run of ``cmd`` starts, by subcommand (a logging ``git`` on PATH)."""
    real = shutil.which("git")
    if real is None:
        return {}
    folder = work / "gitcount"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "calls.log"
    log.write_text("")
    wrapper = folder / "git"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> {shlex.quote(str(log))}\n'
        f'exec {shlex.quote(real)} "$@"\n'
    )
    wrapper.chmod(0o755)
    env = dict(cmd.env or _env())
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    run_once(cmd, env=env)  # not timed
    counts: dict[str, int] = {}
    for line in log.read_text().splitlines():
        words = line.split()
        sub = "?"
        i = 0
        while i < len(words):
            if words[i] in ("-c", "-C"):
                i += 2
                continue
            if words[i].startswith("-"):
                i += 1
                continue
            sub = words[i]
            break
        counts[sub] = counts.get(sub, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


IMPORTS = (
    ("(empty interpreter)", "pass"),
    ("click", "import click"),
    ("yaml + CSafeLoader", "import yaml; yaml.CSafeLoader"),
    ("jsonschema", "import jsonschema"),
    (
        "modelgov.cli",
        "try:\n    import modelgov.cli.app  # the click CLI (a package since the cli split)\nexcept ImportError:\n    import modelgov.cli",
    ),
    ("modelgov.commands.check", "import modelgov.commands.check"),
)


def import_costs(
    repeat: int, env: dict[str, str], python: str = sys.executable
) -> list[dict[str, Any]]:
    """Wall time of ``python -c STATEMENT`` (median, alternating) and -X importtime cumulative."""
    times: dict[str, list[float]] = {name: [] for name, _ in IMPORTS}
    cumulative: dict[str, int] = {}
    for name, stmt in IMPORTS:  # warm-up (and -X importtime once)
        proc = subprocess.run(
            [python, "-X", "importtime", "-c", stmt],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            times.pop(name)
            continue
        top = stmt.split(";")[0].removeprefix("import ").strip()
        for line in proc.stderr.splitlines():
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] == top:
                cumulative[name] = int(parts[1])
    for i in range(repeat):
        names = [n for n, _ in IMPORTS if n in times]
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            stmt = dict(IMPORTS)[name]
            start = time.perf_counter()
            subprocess.run([python, "-c", stmt], env=env, check=True)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["(empty interpreter)"])
    return [
        {
            "module": name,
            "median_ms": round(statistics.median(ts) * 1000, 1),
            "over_empty_ms": round((statistics.median(ts) - base) * 1000, 1),
            "importtime_cumulative_ms": round(cumulative[name] / 1000, 1)
            if name in cumulative
            else None,
        }
        for name, ts in times.items()
    ]


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, r squared)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    a = my - b * mx
    ss = sum((y - my) ** 2 for y in ys)
    res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return a, b, (1 - res / ss) if ss else 1.0


def judge(target: Target, figure: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": target.id,
        "title": target.title,
        "unit": target.unit,
        "target": target.limit,
        "stretch": target.stretch,
        "figure": None if figure is None else round(figure, 3),
    }
    if figure is None:
        row["verdict"] = "SKIP"
        row["stretch_met"] = False
        row["note"] = "not measured"
        return row
    met = figure <= target.limit
    row["verdict"] = "PASS" if met else "MISS"
    row["stretch_met"] = target.stretch is not None and figure <= target.stretch
    if met:
        row["note"] = "stretch met" if row["stretch_met"] else ""
    elif target.unit == "x":
        row["note"] = f"{figure / target.limit:.2f}x over the target"
    else:
        row["note"] = f"{figure - target.limit:.0f} {target.unit} over the target"
    return row


def benchmark(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    repeat = args.repeat if args.repeat is not None else sizes.repeat
    work = (args.work or HERE / ".work" / ("quick" if args.quick else "full")).resolve()
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    snap = snapshot(args.rev, work) if args.rev else None
    env = _env(snap.src if snap else None)
    modelgov = (
        [str(snap.script)] if snap else _script("modelgov") or [sys.executable, "-m", "modelgov"]
    )
    result: dict[str, Any] = {
        "format": FORMAT,
        "mode": "quick" if args.quick else "full",
        "repeat": repeat,
        "jobs": args.jobs,
        "today": TODAY,
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(args.rev, snap.sha if snap else None, modelgov),
        "load_start": _loadavg(),
    }
    log(f"fixtures in {work}")
    fx = build_fixtures(work, sizes, rebuild=args.rebuild, log=log)
    result["fixtures"] = {
        "example_commits": [sizes.small_commits, sizes.big_commits],
        "layouts": ["monthly reviews (example-N)", "model.yaml in the first commit (early-N)"],
        "small_org_repos": sizes.small_org,
        "org_repos": list(sizes.orgs),
        "commits_per_repo": 20,
        "build_seconds": {k: round(v, 2) for k, v in fx.built.items()},
    }
    if args.only == "fixtures":
        return result
    measurements: dict[str, Series] = {}
    if args.only in (None, "check"):
        log("check group")
        for s in run_group(check_commands(fx, sizes, out, env, modelgov), repeat, log):
            measurements[s.command.name] = s
    if args.only in (None, "audit"):
        log("audit group")
        for s in run_group(audit_commands(fx, sizes, args.jobs, out, env, modelgov), repeat, log):
            measurements[s.command.name] = s
    if args.only in (None, "audit", "small"):
        log("small audit group")
        for s in run_group(small_audit_commands(fx, sizes, out, env, modelgov), repeat, log):
            measurements[s.command.name] = s
    result["measurements"] = {name: s.as_json() for name, s in measurements.items()}

    def med(name: str) -> float | None:
        return measurements[name].median if name in measurements else None

    def ratio(a: str, b: str) -> float | None:
        """The median of the per-round ratios (both ran in each round, under the same load),
        so one slow run of either side does not tip the figure."""
        if a not in measurements or b not in measurements:
            return None
        pairs = zip(measurements[a].times, measurements[b].times, strict=True)
        return statistics.median(x / y for x, y in pairs)

    small, big, pair = sizes.small_commits, sizes.big_commits, sizes.pair_org
    check_name = f"check {small} commits"
    check_runs = [s for n, s in measurements.items() if n.startswith("check ")]
    figures: dict[str, float | None] = {
        "check-speed": ratio(check_name, "check-jsonschema"),
        "audit-speed": ratio(f"audit {pair} repos", f"floor {pair} repos"),
        "check-memory": (
            max(s.warmup.maxrss_kib for s in check_runs if s.warmup is not None) / 1024
            if check_runs
            else None
        ),
        "audit-memory": (
            measurements[f"audit {pair} repos"].warmup.tree_rss_kib / 1024  # type: ignore[union-attr]
            if f"audit {pair} repos" in measurements
            else None
        ),
        "check-history": ratio(f"check {big} commits", check_name),
        "check-history-early": ratio(f"check early {big} commits", f"check early {small} commits"),
        "audit-growth": None,
        "audit-small": ratio(
            f"audit {sizes.small_org} repos", f"audit {sizes.small_org} repos -j 1"
        ),
    }
    growth: list[dict[str, Any]] = []
    if all(f"audit {n} repos" in measurements for n in sizes.orgs):
        steps = []
        for i, n in enumerate(sizes.orgs):
            t = measurements[f"audit {n} repos"].median
            f = measurements[f"floor {n} repos"].median
            row = {"repos": n, "seconds": round(t, 3), "ms_per_repo": round(t / n * 1000, 2),
                   "floor_seconds": round(f, 3), "over_floor": round(t / f, 2)}  # fmt: skip
            if i:
                prev_n = sizes.orgs[i - 1]
                step = (t / measurements[f"audit {prev_n} repos"].median) / (n / prev_n)
                row["step"] = round(step, 3)
                steps.append(step)
            growth.append(row)
        figures["audit-growth"] = max(steps) if steps else None
        a, b, r2 = _fit(
            list(sizes.orgs), [measurements[f"audit {n} repos"].median for n in sizes.orgs]
        )
        result["audit_fit"] = {
            "intercept_s": round(a, 3),
            "ms_per_repo": round(b * 1000, 3),
            "r2": round(r2, 5),
        }
    result["audit_growth"] = growth
    result["targets"] = [judge(t, figures[t.id]) for t in TARGETS]
    extras: dict[str, Any] = {}
    if not args.no_extras:
        log("git processes and import costs")
        if check_name in measurements:
            extras["git_processes_check"] = count_git(measurements[check_name].command, work)
        if f"audit {pair} repos" in measurements:
            calls = count_git(measurements[f"audit {pair} repos"].command, work)
            extras["git_processes_audit"] = calls
            extras["git_processes_audit_per_repo"] = round(sum(calls.values()) / pair, 2)
            extras["git_audit_repos"] = pair
        extras["imports"] = import_costs(repeat, env)
    result["extras"] = extras
    result["load_end"] = _loadavg()
    return result


# -- output -------------------------------------------------------------------------------


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"modelgov benchmark ({result['mode']}): {result['repeat']} alternating runs per command "
        f"after one warm-up; medians; audit --jobs {result['jobs']}",
        f"machine: {m['cores']} cores, {m['platform']}, Python {m['python']}, {m['git']}, "
        f"PyYAML {m['pyyaml']} ({'with' if m['libyaml'] else 'WITHOUT'} libyaml), "
        f"{m['modelgov']} at {m['commit']}, {m['check_jsonschema']}"
        + (
            f" (run without {', '.join(m['blocked_for_check_jsonschema'])}: not its dependency)"
            if m.get("blocked_for_check_jsonschema")
            else ""
        ),
        f"load average (1/5/15 min): {result['load_start']} at the start, {result['load_end']} at the end",
        "",
        f"{'command':<26} {'median':>9} {'min':>9} {'max':>9} {'RSS max':>9} {'tree RSS':>9} {'tree PSS':>9} {'procs':>5}",
    ]
    for name, s in result["measurements"].items():
        lines.append(
            f"{name:<26} {s['median']:>8.3f}s {s['min']:>8.3f}s {s['max']:>8.3f}s "
            f"{s['maxrss_mib']:>6.1f}MiB {s['tree_rss_mib']:>6.1f}MiB {s['tree_pss_mib']:>6.1f}MiB "
            f"{s['tree_procs']:>5}"
        )
    retried = {n: s["retries"] for n, s in result["measurements"].items() if s["retries"]}
    if retried:
        lines.append(f"runs that failed their checks and were run again (not counted): {retried}")
    if result["audit_growth"]:
        lines += [
            "",
            f"{'audit growth':<14} {'median':>9} {'ms/repo':>9} {'floor':>9} {'/floor':>7} {'step':>7}",
        ]
        for g in result["audit_growth"]:
            step = f"{g['step']:>7.3f}" if "step" in g else f"{'':>7}"
            lines.append(
                f"{g['repos']:>5} repos     {g['seconds']:>8.3f}s {g['ms_per_repo']:>9.2f} "
                f"{g['floor_seconds']:>8.3f}s {g['over_floor']:>6.2f}x {step}"
            )
        fit = result["audit_fit"]
        lines.append(
            f"least squares: {fit['intercept_s']:.3f} s + {fit['ms_per_repo']:.3f} ms per repo, "
            f"R^2 {fit['r2']:.4f} (step = time ratio / repo ratio of consecutive sizes; 1.0 is linear)"
        )
    lines += ["", f"{'target':<19} {'figure':>10} {'target':>10} {'stretch':>9}  verdict"]
    for t in result["targets"]:
        unit = t["unit"]
        fig = "n/a" if t["figure"] is None else f"{t['figure']:.2f}{unit}"
        stretch = "" if t["stretch"] is None else f"<= {t['stretch']:g}{unit}"
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(
            f"{t['id']:<19} {fig:>10} {'<= ' + format(t['target'], 'g') + unit:>10} {stretch:>9}  "
            f"{t['verdict']}{note}  -- {t['title']}"
        )
    extras = result.get("extras") or {}
    if extras:
        lines.append("")
        if "git_processes_check" in extras:
            calls = extras["git_processes_check"]
            lines.append(f"git processes, one check: {sum(calls.values())} {calls}")
        if "git_processes_audit" in extras:
            calls = extras["git_processes_audit"]
            lines.append(
                f"git processes, audit of {extras['git_audit_repos']} repos: "
                f"{extras['git_processes_audit_per_repo']} per repo {calls}"
            )
        if "imports" in extras:
            lines.append(
                "import costs (python -c STATEMENT, median wall time; -X importtime cumulative):"
            )
            for row in extras["imports"]:
                cum = row["importtime_cumulative_ms"]
                lines.append(
                    f"  {row['module']:<22} {row['median_ms']:>7.1f} ms  (+{row['over_empty_ms']:.1f} ms over "
                    f"an empty interpreter{'' if cum is None else f'; importtime {cum:.1f} ms'})"
                )
    lines += ["", "commands:"]
    for name, s in result["measurements"].items():
        lines.append(f"  [{name}] {s['command']}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny fixtures, 2 runs (a smoke test)")
    parser.add_argument("--repeat", type=int, help="timed runs per command [7; --quick 2]")
    parser.add_argument("--jobs", type=int, default=2, help="audit --jobs and xargs -P [2]")
    parser.add_argument(
        "--only",
        choices=("check", "audit", "small", "fixtures"),
        help="run one group (audit includes small, the 5-repo audit), or build only",
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON to FILE")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--work", type=Path, help="fixture folder [bench/.work/full or quick]")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the fixtures")
    parser.add_argument(
        "--rev",
        help="measure modelgov as committed at REV (a snapshot), not the work tree [work tree]",
    )
    parser.add_argument("--no-extras", action="store_true", help="skip git counts and import costs")
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")

    def log(text: str) -> None:
        sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {text}\n")
        sys.stderr.flush()

    try:
        result = benchmark(args, log)
    except BenchError as exc:
        sys.stderr.write(f"bench: {exc}\n")
        return 2
    text = json.dumps(result, indent=2) + "\n"
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    if args.only == "fixtures":
        sys.stdout.write(json.dumps(result["fixtures"], indent=2) + "\n")
        return 0
    sys.stdout.write(text if args.json else render(result))
    if args.fail_on_miss and any(t["verdict"] == "MISS" for t in result["targets"]):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
