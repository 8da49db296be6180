"""Where the time goes: imports of a cold ``modelgov check``, and a cProfile of an audit.

    python bench/profile.py imports [--repeat 5]          # -X importtime of one check
    python bench/profile.py audit [--repos 100] [--top 25] # cProfile of audit --jobs 1
    python bench/profile.py audit --rev HEAD               # ... of a committed snapshot

``imports`` runs ``python -X importtime modelgov check --today 2026-11-30`` in
the 500-commit example repository (the benchmark's fixture) ``--repeat``
times and prints, per module, the median self and cumulative import times:
the top entries by cumulative time (what a lazy import would save) and by self
time (what the module itself costs).  ``audit`` profiles ``modelgov audit
--jobs 1`` (in-process, so cProfile sees every repository) of a generated org
and prints the top functions by cumulative and by own time.

Fixtures are made with the benchmark's recipes (``bench/run.py``) in
``bench/.work/profile/``.
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402 - after the sys.path entry above
from orgfixture import fast_import, make_org  # noqa: E402


def _python_argv(snap: run.Snapshot | None) -> list[str]:
    """The modelgov console script run by this interpreter (so -X options apply)."""
    script = [str(snap.script)] if snap else run._script("modelgov")
    return [sys.executable, script[0]] if script else [sys.executable, "-m", "modelgov"]


def imports(work: Path, snap: run.Snapshot | None, repeat: int, top: int) -> None:
    env = run._env(snap.src if snap else None)
    repo = work / "example-500"
    if not (repo / "model.yaml").exists():
        if repo.exists():
            shutil.rmtree(repo)
        fast_import(repo, run.example_history(500), checkout=True)
    argv = [
        sys.executable,
        "-X",
        "importtime",
        *_python_argv(snap)[1:],
        "check",
        "--today",
        run.TODAY,
    ]
    subprocess.run(argv, cwd=repo, env=env, capture_output=True, check=False)  # warm-up
    selfs: dict[str, list[int]] = {}
    cums: dict[str, list[int]] = {}
    for _ in range(repeat):
        proc = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"check failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cum, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
            selfs.setdefault(name, []).append(int(own))
            cums.setdefault(name, []).append(int(cum))
    self_ms = {n: statistics.median(v) / 1000 for n, v in selfs.items()}
    cum_ms = {n: statistics.median(v) / 1000 for n, v in cums.items()}
    total = sum(self_ms.values())
    print(f"-X importtime of `modelgov check` in {repo} (median of {repeat} runs)")
    print(f"all imports: {total:.1f} ms over {len(self_ms)} modules")
    print(f"\ntop {top} by cumulative time (ms; the module and what it imports):")
    for name, ms in sorted(cum_ms.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {ms:8.1f}  {name}")
    print(f"\ntop {top} by self time (ms):")
    for name, ms in sorted(self_ms.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {ms:8.1f}  {name}")
    groups: dict[str, float] = {}
    for name, ms in self_ms.items():
        root = name.strip().split(".")[0]
        groups[root] = groups.get(root, 0.0) + ms
    print("\nself time by top-level package (ms):")
    for name, ms in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {ms:8.1f}  {name}")


def audit(work: Path, snap: run.Snapshot | None, repos: int, top: int) -> None:
    env = run._env(snap.src if snap else None)
    org = work / f"org-{repos}"
    if not org.exists():
        make_org(org, repos, seed=7, commits=20)
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "audit.prof"
        argv = [sys.executable, "-m", "cProfile", "-o", str(stats_file), *_python_argv(snap)[1:],
                "audit", str(org), "--depth", "2", "--jobs", "1", "--today", run.TODAY,
                "--format", "json"]  # fmt: skip
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if proc.returncode not in (0, 1) or not stats_file.exists():
            raise SystemExit(f"audit failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        stats = pstats.Stats(str(stats_file))
        print(f"cProfile of `modelgov audit --jobs 1` of {repos} repositories in {org}")
        print(f"total {stats.total_tt:.2f} s ({stats.total_tt / repos * 1000:.1f} ms per repo)\n")  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("imports", "audit"))
    parser.add_argument("--repeat", type=int, default=5, help="importtime runs [5]")
    parser.add_argument("--repos", type=int, default=100, help="repositories audited [100]")
    parser.add_argument("--top", type=int, default=25, help="entries shown [25]")
    parser.add_argument("--rev", help="profile modelgov as committed at REV [work tree]")
    parser.add_argument("--work", type=Path, default=HERE / ".work" / "profile")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    snap = run.snapshot(args.rev, work) if args.rev else None
    if args.what == "imports":
        imports(work, snap, args.repeat, args.top)
    else:
        audit(work, snap, args.repos, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
