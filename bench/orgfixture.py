"""Synthetic organisations of git repositories with real history, made fast.

Each repository is written by one ``git fast-import`` process from a stream
built here (no working tree, no ``git add``/``commit`` per change), so a
thousand repositories with twenty commits each take seconds.  Used by
``bench/make_org.py`` (benchmarks) and by the audit tests
(``tests/test_audit.py``), so the generator is shared, not duplicated.

Model declarations are made from ``examples/compliant`` (the reference
model.yaml and the files it names), with fields replaced by
:func:`model_yaml`, so a generated model passes exactly when the reference
does under the same rules.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLIANT = ROOT / "examples" / "compliant"
BROKEN = ROOT / "examples" / "broken"
DEFAULT_AUTHOR = "Dana Okafor <dana.okafor@example.com>"

#: git must not read the developer's config while generating either.
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Dana Okafor",
    "GIT_AUTHOR_EMAIL": "dana.okafor@example.com",
    "GIT_COMMITTER_NAME": "Dana Okafor",
    "GIT_COMMITTER_EMAIL": "dana.okafor@example.com",
}

Files = Mapping[str, "bytes | str | None"]


@dataclass
class Commit:
    """One commit: files to write (``None`` deletes), a date (committer = author)."""

    files: Files
    date: str  # YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)
    message: str = "change"
    author: str = DEFAULT_AUTHOR


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    return env


def git(path: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=path,
        env=_env(),
        input=input,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {path} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


def _stamp(date: str) -> int:
    text = date if "T" in date else f"{date}T12:00:00"
    return int(_dt.datetime.fromisoformat(text).replace(tzinfo=_dt.timezone.utc).timestamp())


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def stream(commits: Sequence[Commit], branch: str = "main") -> bytes:
    """A ``git fast-import`` stream for ``commits`` on ``branch``, oldest first."""
    out = bytearray()
    for i, c in enumerate(commits, 1):
        name, _, email = c.author.partition("<")
        who = f"{name.strip()} <{email.rstrip('>').strip()}> {_stamp(c.date)} +0000".encode()
        out += b"commit refs/heads/" + branch.encode() + b"\n"
        out += b"mark :%d\n" % i
        out += b"author " + who + b"\ncommitter " + who + b"\n"
        out += _data(c.message.encode())
        if i > 1:
            out += b"from :%d\n" % (i - 1)
        for path, content in sorted(c.files.items()):
            if content is None:
                out += b"D " + path.encode() + b"\n"
                continue
            payload = content.encode() if isinstance(content, str) else content
            out += b"M 100644 inline " + path.encode() + b"\n" + _data(payload)
    out += b"done\n"
    return bytes(out)


def fast_import(
    path: Path,
    commits: Sequence[Commit],
    *,
    bare: bool = False,
    branch: str = "main",
    checkout: bool = False,
) -> str:
    """Create the repository at ``path`` from ``commits``; the head commit id."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", *(["--bare"] if bare else []), "-b", branch)
    if commits:
        git(path, "fast-import", "--quiet", "--done", input=stream(commits, branch))
        if checkout and not bare:
            git(path, "reset", "-q", "--hard")
        return git(path, "rev-parse", branch).strip()
    return ""


# -- model declarations -----------------------------------------------------------


def example_files(example: Path = COMPLIANT, into: str = "") -> dict[str, str]:
    """Every file of an example folder, as repo paths below ``into``."""
    out = {}
    for file in sorted(example.rglob("*")):
        if file.is_file():
            rel = file.relative_to(example).as_posix()
            out[f"{into}/{rel}" if into else rel] = file.read_text(encoding="utf-8")
    return out


def model_yaml(
    *,
    name: str = "fraud-scorer",
    team: str | None = "payments-ml",
    tier: str = "high",
    reviewed: str = "2026-11-02",
    drilled: str = "2026-10-12",
    max_minutes: int = 15,
    owner: str | None = "dana.okafor@example.com",
    drop_confidence_monitor: bool = False,
    text: str | None = None,
) -> str:
    """The reference model.yaml with fields replaced (``None`` removes the line)."""
    out = text if text is not None else (COMPLIANT / "model.yaml").read_text(encoding="utf-8")

    def sub(pattern: str, value: str | None) -> None:
        nonlocal out
        rx = re.compile(pattern, re.M)
        if not rx.search(out):
            raise ValueError(f"the reference model.yaml has no line matching {pattern!r}")
        out = rx.sub(lambda m: "" if value is None else m.group(1) + value, out, count=1)

    sub(r"^(name: ).*$", name)
    sub(r"^(risk_tier: )\S+", tier)
    sub(r"^(  team: ).*$", team)
    sub(r"^(  email: )dana\.okafor@example\.com.*$", owner)
    sub(r"^(  last_reviewed: ).*$", reviewed)
    sub(r"^(  last_tested: ).*$", drilled)
    sub(r"^(  max_minutes: )\d+", str(max_minutes))
    if drop_confidence_monitor:
        out = re.sub(r"    - name: score-confidence\n(?:      .*\n)+", "", out, count=1, flags=re.M)
    return out


def model_files(into: str = "", **fields: object) -> dict[str, str]:
    """A declared model: the reference folder with its model.yaml customised."""
    files = example_files(COMPLIANT, into)
    files[f"{into}/model.yaml" if into else "model.yaml"] = model_yaml(**fields)  # type: ignore[arg-type]
    return files


TRAIN_TORCH = "import torch\n\n\ndef main():\n    model = torch.nn.Linear(4, 1)\n    return model\n"
TRAIN_SKLEARN = (
    "from sklearn.linear_model import LogisticRegression\n\nMODEL = LogisticRegression()\n"
)


# -- a synthetic org for benchmarks -------------------------------------------------

TEAMS = ("payments-ml", "risk-ml", "search", "ads", "growth", "platform", "support-ai", "fraud")


@dataclass
class OrgRepo:
    path: Path
    kind: str  # compliant | failing | stale | undeclared | monorepo
    team: str
    head: str = ""
    models: list[str] = field(default_factory=list)


def synthetic_history(kind: str, index: int, rng: random.Random, commits: int = 20) -> list[Commit]:
    """About ``commits`` commits for one repository of ``kind``, ending before 2026-11-30."""
    team = TEAMS[index % len(TEAMS)]
    name = f"model-{index:05d}"
    start = _dt.date(2026, 1, 5)
    days = sorted(rng.sample(range(0, 300), max(commits - 1, 1)))
    dates = [(start + _dt.timedelta(days=d)).isoformat() for d in days]
    history: list[Commit] = []
    if kind == "undeclared":
        history.append(
            Commit(
                {"train.py": TRAIN_TORCH, "weights/model.pt": b"\x80\x02fake"}, dates[0], "train"
            )
        )
        for i, day in enumerate(dates[1:]):
            history.append(Commit({"train.py": TRAIN_TORCH + f"# v{i}\n"}, day, f"tune {i}"))
        return history
    declared = {
        "compliant": model_files(name=name, team=team),
        "failing": model_files(name=name, team=team, max_minutes=120),
        "stale": model_files(name=name, team=team, reviewed="2025-06-01"),
    }.get(kind)
    if kind == "monorepo":
        declared = {
            **model_files("services/a", name=f"{name}-a", team=team),
            **model_files("services/b", name=f"{name}-b", team=team, drop_confidence_monitor=True),
        }
    assert declared is not None
    history.append(Commit(declared, dates[0], "declare the model"))
    code = "src/fraud/score.py" if kind != "monorepo" else "services/a/src/fraud/score.py"
    for i, day in enumerate(dates[1:-1]):
        history.append(Commit({code: f"def score(x):\n    return x * {i + 2}\n"}, day, f"tune {i}"))
    # the last commit reviews the declaration (touches model.yaml), except for stale repos
    last: dict[str, str | bytes | None] = {}
    if kind == "stale":
        last = {code: "def score(x):\n    return -x\n"}
    else:
        for rel, text in declared.items():
            if rel.endswith("model.yaml"):
                last[rel] = text + f"# reviewed {dates[-1]}\n"
    history.append(Commit(last, dates[-1], "review"))
    return history


def make_org(
    root: Path, count: int, *, seed: int = 7, commits: int = 20, jobs: int | None = None
) -> list[OrgRepo]:
    """``count`` repositories below ``root`` in team folders (70% compliant, 10% failing,
    8% stale, 7% undeclared, 5% monorepos); one ``fast-import`` each, run in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(seed)
    kinds = (
        ["compliant"] * 70
        + ["failing"] * 10
        + ["stale"] * 8
        + ["undeclared"] * 7
        + ["monorepo"] * 5
    )
    repos = []
    work = []
    for i in range(count):
        kind = kinds[rng.randrange(len(kinds))]
        team = TEAMS[i % len(TEAMS)]
        path = root / team / f"repo-{i:05d}"
        repos.append(OrgRepo(path, kind, team))
        work.append((path, synthetic_history(kind, i, random.Random(rng.random()), commits)))

    def one(item: tuple[Path, list[Commit]]) -> str:
        return fast_import(item[0], item[1])

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        for repo, head in zip(repos, pool.map(one, work), strict=True):
            repo.head = head
    return repos


def write_manifest(path: Path, entries: Iterable[Mapping[str, object]]) -> Path:
    """A YAML manifest (written with PyYAML so any URL is quoted correctly)."""
    import yaml

    path.write_text(yaml.safe_dump(list(entries), sort_keys=False), encoding="utf-8")
    return path
