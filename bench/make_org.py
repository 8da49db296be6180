"""Generate an organisation of synthetic git repositories, optionally time an audit of it.

    python bench/make_org.py 1000 /tmp/org              # 1,000 repos, ~20 commits each
    python bench/make_org.py 1000 /tmp/org --audit -j 2 # ... then time `modelgov audit`

Repositories land in team folders (``DIR/<team>/repo-NNNNN``): about 70%
compliant, 10% failing, 8% stale (review overdue, code changed after the
declaration), 7% undeclared (training code and weights, no model.yaml) and 5%
monorepos with two models.  Each is written by one ``git fast-import``
(bench/orgfixture.py, shared with the tests), so generation takes seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orgfixture import make_org


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of repositories")
    parser.add_argument("dir", type=Path, help="where to create them (must not exist)")
    parser.add_argument("--commits", type=int, default=20, help="commits per repository [20]")
    parser.add_argument("--seed", type=int, default=7, help="random seed [7]")
    parser.add_argument("--audit", action="store_true", help="then time `modelgov audit DIR`")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = parser.parse_args(argv)
    if args.dir.exists():
        if not args.force:
            parser.error(f"{args.dir} exists (use --force to replace it)")
        shutil.rmtree(args.dir)
    start = time.perf_counter()
    repos = make_org(args.dir, args.count, seed=args.seed, commits=args.commits, jobs=args.jobs)
    made = time.perf_counter() - start
    kinds: dict[str, int] = {}
    for repo in repos:
        kinds[repo.kind] = kinds.get(repo.kind, 0) + 1
    print(f"generated {len(repos)} repositories in {made:.1f}s: {json.dumps(kinds)}")
    if not args.audit:
        return 0
    cmd = [sys.executable, "-m", "modelgov", "audit", str(args.dir), "--depth", "2",
           "--jobs", str(args.jobs), "--format", "json", "--today", "2026-11-30"]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
        return proc.returncode
    summary = json.loads(proc.stdout)["summary"]
    print(
        f"audited {summary['repos']['total']} repositories ({summary['models']} rows) in "
        f"{took:.2f}s with {args.jobs} jobs: {json.dumps(summary['by_status'])}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
