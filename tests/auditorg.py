"""The organisation the audit tests audit: 60+ repositories of every kind, with expectations.

Built once per test session with ``git fast-import`` (bench/orgfixture.py,
shared with the benchmarks).  ``build(root)`` returns the expected rows by
(repo, path); the values come from how each repository is written here (its
dates, its fields, its history), never from running modelgov.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import orgfixture as of  # noqa: E402

TODAY = _dt.date(2026, 11, 30)
TEAMS = ("payments-ml", "risk-ml", "search", "ads", "growth")
HOSTILE_NAME = '=HYPERLINK("http://evil.example/","x")'
HOSTILE_TEAM = '</script><img src=x onerror="window.__pwned=1">'


def days(date: str) -> int:
    return (TODAY - _dt.date.fromisoformat(date)).days


@dataclass
class Expect:
    """What the audit must report for one row."""

    repo: str
    path: str
    status: str
    name: str = ""
    owner: str = ""
    team: str = ""
    tier: str | None = None
    failing: tuple[str, ...] = ()  # exactly these rules fail (None: see failing_includes)
    failing_includes: tuple[str, ...] = ()
    review: int | None = None
    drill: int | None = None
    stale: int | None = None
    reason: str = ""  # a substring of the reason (error and undeclared rows)
    labels: tuple[str, ...] = ()
    commit: str = ""  # "" : looked up from the repository
    git_dir: Path | None = None
    tightened: bool = False  # judged with a stricter policy than the org's
    notes: tuple[str, ...] = ()  # substrings of config notes
    signals: tuple[str, ...] = ()


@dataclass
class Org:
    root: Path
    expected: dict[tuple[str, str], Expect] = field(default_factory=dict)
    manifest: Path | None = None
    remotes: dict[str, Path] = field(default_factory=dict)
    big_blob: str = ""

    def add(self, e: Expect) -> None:
        self.expected[(e.repo, e.path)] = e


def _declared(e_repo: str, path: str, git_dir: Path, **kw: Any) -> Expect:
    return Expect(repo=e_repo, path=path, git_dir=git_dir, **kw)


def build(root: Path) -> Org:
    org = Org(root)
    reviewed, drilled = "2026-11-02", "2026-10-12"
    compliant_kw = dict(
        status="pass",
        name="",
        owner="dana.okafor@example.com",
        tier="high",
        review=days(reviewed),
        drill=drilled and days(drilled),
    )

    def declared_history(files: dict[str, Any], *, code_after: str | None = None) -> list[Any]:
        commits = [of.Commit(files, "2026-03-01", "declare the model")]
        commits.append(of.Commit({"README.md": "notes\n"}, "2026-05-01", "docs"))
        if code_after:
            code = next(p for p in files if p.endswith("src/fraud/score.py"))
            commits.append(
                of.Commit({code: "def score(x):\n    return 2 * x\n"}, code_after, "tune")
            )
        return commits

    # 30 compliant repositories in team folders
    for i in range(30):
        team = TEAMS[i % len(TEAMS)]
        rel = f"org/{team}/model-{i:02d}"
        name = f"model-{i:02d}"
        of.fast_import(root / rel, declared_history(of.model_files(name=name, team=team)))
        org.add(Expect(rel, "model.yaml", **{**compliant_kw, "name": name, "team": team}))

    # failing, each for a known reason
    failing = {
        "slow-rollback": (dict(max_minutes=120), ("MG131",)),
        "no-confidence-monitor": (dict(drop_confidence_monitor=True), ("MG141",)),
        "owner-missing": (dict(owner=None), ("MG110",)),
        "medium-slow": (dict(tier="medium", max_minutes=90), ("MG131",)),
    }
    for name, (kw, rules) in failing.items():
        rel = f"org/failing/{name}"
        of.fast_import(
            root / rel, declared_history(of.model_files(name=name, team="risk-ml", **kw))
        )
        tier = str(kw.get("tier", "high"))
        owner = "" if kw.get("owner", "x") is None else "dana.okafor@example.com"
        org.add(
            Expect(
                rel,
                "model.yaml",
                "fail",
                name=name,
                owner=owner,
                team="risk-ml",
                tier=tier,
                failing=rules,
                review=days(reviewed),
                drill=days(drilled),
            )
        )
    # the broken example: many rules at once
    rel = "org/failing/broken-example"
    of.fast_import(root / rel, [of.Commit(of.example_files(of.BROKEN), "2026-04-01")])
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="Churn Model",
            owner="ml-team@example.com",
            tier="high",
            failing_includes=("MG131", "MG141", "MG151"),
            review=None,
            drill=days("2025-01-05"),
        )
    )
    # hostile text: a formula as the name, markup as the team
    rel = "org/failing/hostile"
    files = of.model_files(name="hostile", team="x")
    files["model.yaml"] = (
        files["model.yaml"]
        .replace("name: hostile", f"name: '{HOSTILE_NAME.replace(chr(39), chr(39) * 2)}'")
        .replace("  team: x", f"  team: '{HOSTILE_TEAM}'")
    )
    of.fast_import(root / rel, declared_history(files))
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name=HOSTILE_NAME,
            owner="dana.okafor@example.com",
            team=HOSTILE_TEAM,
            tier="high",
            failing_includes=("MG010",),
            review=days(reviewed),
            drill=days(drilled),
        )
    )

    # stale: review overdue, drill overdue, code changed after the declaration
    rel = "org/stale/review-overdue"
    of.fast_import(
        root / rel,
        declared_history(of.model_files(name="old-review", team="ads", reviewed="2026-05-01")),
    )
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="old-review",
            owner="dana.okafor@example.com",
            team="ads",
            tier="high",
            failing=("MG200", "MG207"),
            review=days("2026-05-01"),
            drill=days(drilled),
        )
    )
    rel = "org/stale/drill-overdue"
    of.fast_import(
        root / rel,
        declared_history(of.model_files(name="old-drill", team="ads", drilled="2025-12-01")),
    )
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="old-drill",
            owner="dana.okafor@example.com",
            team="ads",
            tier="high",
            failing=("MG201",),
            review=days(reviewed),
            drill=days("2025-12-01"),
        )
    )
    rel = "org/stale/code-changed"
    of.fast_import(
        root / rel,
        # reviewed before the code changed (a review on or after it would cover the change)
        declared_history(
            of.model_files(name="code-moved", team="ads", reviewed="2026-09-15"),
            code_after="2026-10-01",
        ),
    )
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="code-moved",
            owner="dana.okafor@example.com",
            team="ads",
            tier="high",
            failing=("MG202",),
            review=days("2026-09-15"),
            drill=days(drilled),
            stale=days("2026-10-01"),
        )
    )
    rel = "org/stale/code-within-grace"
    of.fast_import(
        root / rel,
        declared_history(of.model_files(name="code-fresh", team="ads"), code_after="2026-11-25"),
    )
    org.add(
        Expect(
            rel,
            "model.yaml",
            "pass",
            name="code-fresh",
            owner="dana.okafor@example.com",
            team="ads",
            tier="high",
            review=days(reviewed),
            drill=days(drilled),
            stale=days("2026-11-25"),
        )
    )

    # undeclared: shadow models
    rel = "org/shadow/torch-trainer"
    of.fast_import(
        root / rel,
        [
            of.Commit(
                {
                    "train.py": of.TRAIN_TORCH,
                    "weights/model.pt": b"\x80\x02w",
                    "README.md": "shadow\n",
                },
                "2026-06-01",
            )
        ],
    )
    org.add(
        Expect(
            rel,
            ".",
            "undeclared",
            failing=("MG009",),
            reason="no model.yaml covers",
            signals=("train.py", "weights/model.pt"),
        )
    )
    rel = "org/shadow/sklearn-notebooks"
    of.fast_import(
        root / rel,
        [
            of.Commit(
                {
                    "ml/train_churn.py": of.TRAIN_SKLEARN,
                    "ml/helpers.py": "import torch\n",
                    "docs/readme.md": "x\n",
                },
                "2026-06-01",
            )
        ],
    )
    org.add(Expect(rel, "ml", "undeclared", failing=("MG009",), signals=("ml/train_churn.py",)))
    rel = "org/shadow/mlflow-export"
    of.fast_import(
        root / rel,
        [
            of.Commit(
                {
                    "export/MLmodel": "flavors: {}\n",
                    "export/saved_model/saved_model.pb": b"\x08\x01",
                    "tests/fixtures/tiny.pkl": b"\x80",
                },
                "2026-06-01",
            )
        ],
    )
    org.add(
        Expect(
            rel,
            "export",
            "undeclared",
            failing=("MG009",),
            signals=("export/MLmodel", "export/saved_model/saved_model.pb"),
        )
    )
    # a plain code repository with no ML at all: no row, but audited
    of.fast_import(
        root / "org/shadow/plain-service", [of.Commit({"main.go": "package main\n"}, "2026-06-01")]
    )

    # monorepos
    rel = "org/mono/platform-models"
    files = {
        **of.model_files("services/ranker", name="ranker", team="search"),
        **of.model_files(
            "services/recommender", name="recommender", team="search", drop_confidence_monitor=True
        ),
        "services/churn/train.py": of.TRAIN_TORCH,
        "services/churn/churn.onnx": b"onnx",
        "services/ranker/extra/weights.safetensors": b"st",  # inside a declared folder: covered
        "tests/fixtures/tiny.pkl": b"\x80",  # ignored: test fixture
    }
    of.fast_import(root / rel, declared_history(files))
    org.add(
        Expect(
            rel,
            "services/ranker/model.yaml",
            **{**compliant_kw, "name": "ranker", "team": "search"},
        )
    )
    org.add(
        Expect(
            rel,
            "services/recommender/model.yaml",
            "fail",
            name="recommender",
            owner="dana.okafor@example.com",
            team="search",
            tier="high",
            failing=("MG141",),
            review=days(reviewed),
            drill=days(drilled),
        )
    )
    org.add(
        Expect(
            rel,
            "services/churn",
            "undeclared",
            failing=("MG009",),
            signals=("services/churn/churn.onnx", "services/churn/train.py"),
        )
    )
    rel = "org/mono/three-models"
    files = {
        **of.model_files("a", name="alpha", team="growth"),
        **of.model_files("b", name="beta", team="growth", tier="medium"),
        **of.model_files("c", name="gamma", team=None),
    }
    of.fast_import(root / rel, declared_history(files))
    for sub, name, team, tier in (
        ("a", "alpha", "growth", "high"),
        ("b", "beta", "growth", "medium"),
    ):
        org.add(
            Expect(
                rel,
                f"{sub}/model.yaml",
                **{**compliant_kw, "name": name, "team": team, "tier": tier},
            )
        )
    org.add(
        Expect(
            rel,
            "c/model.yaml",
            **{
                **compliant_kw,
                "name": "gamma",
                "team": "",
                "status": "fail",
                "failing": ("MG110",),
            },
        )
    )

    # broken repositories: each an error row, the audit goes on
    rel = "org/broken/commit-missing"  # the head commit's object is gone
    head = of.fast_import(root / rel, declared_history(of.model_files(name="gone")))
    _loose(root / rel / ".git", head).unlink()
    org.add(Expect(rel, "", "error", reason="cannot read commit"))
    rel = "org/broken/tree-corrupt"  # the head tree's object is garbage
    of.fast_import(root / rel, declared_history(of.model_files(name="cut")))
    tree = of.git(root / rel, "rev-parse", "HEAD^{tree}").strip()
    obj = _loose(root / rel / ".git", tree)
    obj.chmod(0o644)
    obj.write_bytes(b"x\x9c garbage, not a zlib stream")
    org.add(Expect(rel, "", "error", reason="cannot read commit"))
    rel = "org/broken/missing-head"
    of.fast_import(root / rel, declared_history(of.model_files(name="headless")))
    (root / rel / ".git/HEAD").unlink()
    org.add(Expect(rel, "", "error", reason="HEAD is missing"))
    rel = "org/broken/no-commits"
    of.fast_import(root / rel, [])
    org.add(Expect(rel, "", "error", reason="no commits yet"))

    # nested deep in folders, a bare repository, uncommitted edits
    rel = "org/deep/nest/nested-model"
    of.fast_import(root / rel, declared_history(of.model_files(name="nested", team="platform")))
    org.add(Expect(rel, "model.yaml", **{**compliant_kw, "name": "nested", "team": "platform"}))
    rel = "org/archive/legacy.git"
    of.fast_import(
        root / rel, declared_history(of.model_files(name="legacy", team="platform")), bare=True
    )
    org.add(Expect(rel, "model.yaml", **{**compliant_kw, "name": "legacy", "team": "platform"}))
    rel = "org/dirty/uncommitted-edits"
    of.fast_import(
        root / rel,
        declared_history(of.model_files(name="clean-commit", team="growth")),
        checkout=True,
    )
    (root / rel / "model.yaml").write_text((of.BROKEN / "model.yaml").read_text())
    org.add(Expect(rel, "model.yaml", **{**compliant_kw, "name": "clean-commit", "team": "growth"}))

    # repo configs: one tightens the org policy, one tries to loosen it
    rel = "org/configs/tightened"
    files = of.model_files(name="tight", team="payments-ml")
    files[".modelgov.yaml"] = "rules:\n  MG131:\n    options:\n      max_minutes: {high: 10}\n"
    of.fast_import(root / rel, declared_history(files))
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="tight",
            owner="dana.okafor@example.com",
            team="payments-ml",
            tier="high",
            failing=("MG131",),
            review=days(reviewed),
            drill=days(drilled),
            tightened=True,
        )
    )
    rel = "org/configs/loosened"
    files = of.model_files(
        name="loose", team="payments-ml", drop_confidence_monitor=True, reviewed="2026-01-10"
    )
    files[".modelgov.yaml"] = (
        "policy: minimal\n"
        "exclude: ['**']\n"
        "rules:\n  MG141: {enabled: false}\n"
        "  MG200: {enabled: true, options: {max_age_days: {high: 9999}}}\n"
    )
    of.fast_import(root / rel, declared_history(files))
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="loose",
            owner="dana.okafor@example.com",
            team="payments-ml",
            tier="high",
            failing=("MG141", "MG200", "MG207"),
            review=days("2026-01-10"),
            drill=days(drilled),
            notes=(
                "exclude ignored",
                "MG141 (drift-signals) disabled for every tier",
                "MG131 (rollback-too-slow) disabled for every tier",
                "MG200 max_age_days 9999 (org: 90) for tier high",
            ),
        )
    )

    # --as-of: compliant in June, broken in September
    rel = "org/history/as-of"
    early = of.model_files(
        name="as-of", team="risk-ml", reviewed="2026-05-15", drilled="2026-05-10"
    )
    later = of.model_yaml(
        name="as-of", team="risk-ml", owner=None, reviewed="2026-05-15", drilled="2026-05-10"
    )
    of.fast_import(
        root / rel,
        [
            of.Commit(early, "2026-05-20", "declare"),
            of.Commit({"model.yaml": later}, "2026-09-01", "drop the owner"),
        ],
    )
    org.add(
        Expect(
            rel,
            "model.yaml",
            "fail",
            name="as-of",
            owner="",
            team="risk-ml",
            tier="high",
            failing_includes=("MG110",),
            review=days("2026-05-15"),
            drill=days("2026-05-10"),
        )
    )

    # remotes cloned from a manifest through file:// URLs
    remotes = root / "remotes"
    entries: list[dict[str, Any]] = []
    for i in range(5):
        name = f"remote-{i}"
        team_in_model = None if i == 0 else "search"
        files = of.model_files(name=name, team=team_in_model)
        if i == 1:  # a large declared artifact: left out by the partial clone
            files["src/fraud/model.onnx"] = b"\x00" * (1536 * 1024)  # type: ignore[assignment]
        path = remotes / f"{name}.git"
        of.fast_import(path, declared_history(files), bare=True)
        of.git(path, "config", "uploadpack.allowFilter", "true")
        url = path.as_uri()
        org.remotes[name] = path
        entries.append({"url": url, "team": "manifest-team", "labels": ["tier1", f"n{i}"]})
        # remote-0 declares no team: the manifest's team is shown (and MG110 wants one)
        kw = {**compliant_kw, "name": name, "team": "manifest-team" if i == 0 else "search"}
        if i == 0:
            kw.update(status="fail", failing=("MG110",))
        org.add(Expect(url, "model.yaml", **kw, labels=("tier1", f"n{i}"), git_dir=path))
    org.big_blob = of.git(
        remotes / "remote-1.git", "rev-parse", "HEAD:src/fraud/model.onnx"
    ).strip()
    missing = (root / "remotes" / "does-not-exist.git").as_uri()
    entries.append({"url": missing, "team": "ghost"})
    org.add(Expect(missing, "", "error", team="ghost", reason="git clone of"))
    entries.append("ext::sh -c touch% /tmp/modelgov-pwned")
    org.add(Expect("ext::sh -c touch% /tmp/modelgov-pwned", "", "error", reason="remote helpers"))
    entries.append("--upload-pack=touch /tmp/modelgov-pwned")
    org.add(
        Expect(
            "--upload-pack=touch /tmp/modelgov-pwned",
            "",
            "error",
            reason="looks like a command-line option",
        )
    )
    entries.append("https://$GITHUB_TOKEN@example.com/org/repo.git")
    org.add(Expect("https://***@example.com/org/repo.git", "", "error", reason="not expanded"))
    org.manifest = of.write_manifest(root / "manifest.yaml", entries)
    for e in org.expected.values():
        if e.git_dir is None and e.status != "error":
            p = root / e.repo
            e.git_dir = p if (p / "HEAD").is_file() else p / ".git"
    return org


def _loose(git_dir: Path, sha: str) -> Path:
    path = git_dir / "objects" / sha[:2] / sha[2:]
    assert path.is_file(), f"{sha} is not a loose object (fastimport.unpackLimit changed?)"
    return path


def rev(git_dir: Path, spec: str) -> str:
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", "rev-parse", spec],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
        check=True,
    )
    return proc.stdout.strip()


def copy_tree(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, symlinks=True)
