"""Build the example organisation of docs/audit.md: four repositories, at two moments.

    python docs/examples/audit-org/build.py DIR           # the state of 30 November 2026
    python docs/examples/audit-org/build.py DIR --later   # ... plus the commits of February 2027

Made from the reference declaration (examples/compliant) and the broken one
(examples/broken), committed with fixed authors and dates, so every audit of
it gives the same report on every machine.  tests/test_audit_docs.py builds
it and checks that docs/audit.md shows what modelgov prints for it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
AUTHOR = ("Dana Okafor", "dana.okafor@example.com")


def git(cwd: Path, *args: str, date: str = "2026-11-02") -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": AUTHOR[0],
        "GIT_AUTHOR_EMAIL": AUTHOR[1],
        "GIT_COMMITTER_NAME": AUTHOR[0],
        "GIT_COMMITTER_EMAIL": AUTHOR[1],
        "GIT_AUTHOR_DATE": f"{date}T12:00:00+00:00",
        "GIT_COMMITTER_DATE": f"{date}T12:00:00+00:00",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def declaration(name: str, team: str, **edits: str) -> str:
    text = (EXAMPLES / "compliant" / "model.yaml").read_text(encoding="utf-8")
    text = text.replace("name: fraud-scorer", f"name: {name}").replace(
        "team: payments-ml", f"team: {team}"
    )
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


#: A review and a rollback drill in February 2027.
RECENT = {
    "last_reviewed: 2026-11-02": "last_reviewed: 2027-02-10",
    "last_tested: 2026-10-12": "last_tested: 2027-02-03",
}


def repo(root: Path, rel: str, example: str | None = None) -> Path:
    path = root / rel
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    if example:
        shutil.copytree(EXAMPLES / example, path, dirs_exist_ok=True)
    return path


def commit(path: Path, message: str, date: str) -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message, date=date)


def build(root: Path, later: bool) -> None:
    fraud = repo(root, "acme/payments/fraud-scoring", "compliant")
    churn = repo(root, "acme/growth/churn", "broken")
    ranking = repo(root, "acme/search/ranking", "compliant")
    (ranking / "model.yaml").write_text(declaration("search-ranker", "search"))
    lab = repo(root, "acme/research/lab")
    (lab / "experiments").mkdir()
    (lab / "experiments" / "train_reranker.py").write_text("import torch\n\ntorch.manual_seed(0)\n")
    (lab / "experiments" / "reranker.safetensors").write_text("weights\n")
    for path in (fraud, churn, ranking, lab):
        commit(path, "the state of November", "2026-11-02")
    if not later:
        return
    (fraud / "model.yaml").write_text(declaration("fraud-scorer", "payments-ml", **RECENT))
    commit(fraud, "quarterly review and rollback drill", "2027-02-10")
    shutil.copytree(EXAMPLES / "compliant", churn, dirs_exist_ok=True)
    (churn / "docs" / "missing.md").unlink(missing_ok=True)
    (churn / "model.yaml").write_text(
        declaration(
            "churn-predictor",
            "growth",
            **RECENT,
            **{"from: sam.lee@example.com": "from: ml-team@example.com"},
        )
    )
    commit(churn, "a real declaration", "2027-02-10")
    (ranking / "model.yaml").write_text(
        declaration("search-ranker", "search", **{"max_minutes: 15": "max_minutes: 90"})
    )
    commit(ranking, "rollback through a redeploy", "2027-02-12")
    shutil.copytree(EXAMPLES / "compliant", lab / "experiments", dirs_exist_ok=True)
    (lab / "experiments" / "model.yaml").write_text(declaration("reranker", "research", **RECENT))
    commit(lab, "declare the reranker", "2027-02-14")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--later", action="store_true", help="add the commits of February 2027")
    args = parser.parse_args()
    build(args.dir, args.later)


if __name__ == "__main__":
    main()
