"""Case 2: cloning from a manifest runs nothing, and only plain, bare, bounded clones.

A manifest lists URLs an attacker wrote: remote helpers (``ext::``), URLs
that look like options to git or ssh, shell and environment expansions.
Each is refused with a clear message before git runs -- a marker file that
every payload would create never appears -- and the audit goes on with the
other entries.  A good ``file://`` entry is cloned bare, without its
(hostile) submodules, and a clone that never ends is stopped by the time
limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder

from ._support import modelgov, state_diff, tree_state


def _payloads(marker: Path) -> dict[str, str]:
    touch = f"touch {marker}"
    return {
        "ext": f"ext::sh -c {touch.replace(' ', '% ')}",
        "ext-with-colon": f"ext::sh -c '{touch}'",
        "fd": "fd::17",
        "upload-pack": f"--upload-pack={touch}",
        "upload-pack-short": f"-u{touch}",
        "config-option": "-cprotocol.ext.allow=always",
        "ssh-proxycommand": f"ssh://-oProxyCommand={touch.replace(' ', '%20')}/repo",
        "scp-option-host": f"-oProxyCommand={touch}:repo",
        "command-substitution": f"file:///tmp/$({touch})",
        "backticks": f"file:///tmp/`{touch}`",
        "env-expansion": "${HOME}/repo.git",
        "env-expansion-url": "https://example.invalid/${GITHUB_TOKEN}/repo.git",
        "git-protocol": "git://example.invalid/repo.git",
        "unknown-scheme": "gopher://example.invalid/repo",
        "file-with-host": "file://evil.example/srv/repo.git",
    }


@pytest.fixture
def org(make_repo, tmp_path: Path) -> tuple[GitRepoBuilder, Path]:  # type: ignore[no-untyped-def]
    """A good repository (with a submodule entry pointing at a hostile URL), and a marker."""
    good = make_repo("good", example=COMPLIANT)
    good.commit("init")
    marker = tmp_path / "pwned"
    good.write(
        ".gitmodules",
        f'[submodule "evil"]\n\tpath = evil\n\turl = ext::sh -c touch% {marker}\n',
    )
    blob = good.git("rev-parse", "HEAD").strip()
    good.git("update-index", "--add", "--cacheinfo", f"160000,{blob},evil")
    good.commit("a submodule nobody should fetch")
    return good, marker


def test_hostile_manifest_urls_are_refused_and_nothing_runs(
    org: tuple[GitRepoBuilder, Path], tmp_path: Path
) -> None:
    good, marker = org
    payloads = _payloads(marker)
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(
        "\n".join([*payloads.values(), f"file://{good.path}"]) + "\n", encoding="utf-8"
    )
    before = tree_state(good.path)
    cache = tmp_path / "cache"
    run = modelgov(
        "audit",
        "--manifest",
        str(manifest),
        "--cache-dir",
        str(cache),
        "--jobs",
        "1",
        "--format",
        "json",
        cwd=tmp_path,
        timeout=60,
    )
    assert not marker.exists(), "a manifest entry ran a command"
    assert run.code == 1, run.describe()  # the refused entries are error rows
    rows = json.loads(run.stdout)["models"]
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == len(payloads), [r["repo"] for r in errors]
    for row in errors:
        reason = row["reason"]
        assert reason.startswith("refused"), row
        assert "Traceback" not in reason
    judged = [r for r in rows if r["status"] == "pass"]
    assert len(judged) == 1 and judged[0]["repo"] == f"file://{good.path}", rows
    # Nothing in the environment was expanded into a report either.
    assert os.environ.get("HOME", "/root") not in json.dumps(errors).replace("${HOME}", "")
    # The clone is bare, holds no submodule and no checkout; the source is untouched.
    clones = [p for p in cache.rglob("HEAD") if p.parent.name != "logs"]
    assert clones, list(cache.rglob("*"))
    for head in clones:
        repo_dir = head.parent
        config = (repo_dir / "config").read_text(encoding="utf-8")
        assert "bare = true" in config
        assert not (repo_dir / "modules").exists() and not (repo_dir / "evil").exists()
        assert not list(repo_dir.rglob("model.yaml")), "a clone with a checkout"
    assert state_diff(before, tree_state(good.path)) == []


@pytest.mark.slow
def test_a_clone_that_never_ends_is_stopped_by_the_time_limit(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The source's upload-pack blocks on a FIFO (its packed-refs); the clone is cut off."""
    stuck = make_repo("stuck", example=COMPLIANT)
    stuck.commit("init")
    stuck.git("pack-refs", "--all")
    refs = stuck.path / ".git" / "packed-refs"
    refs.unlink()
    os.mkfifo(refs)
    good = make_repo("fine", example=COMPLIANT)
    good.commit("init")
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(f"file://{stuck.path}\nfile://{good.path}\n", encoding="utf-8")
    # The trap is real: plain git blocks on it.
    plain = subprocess.Popen(
        ["git", "clone", "--bare", "-q", f"file://{stuck.path}", str(tmp_path / "plain")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    with pytest.raises(subprocess.TimeoutExpired):
        plain.wait(timeout=2)
    os.killpg(plain.pid, signal.SIGKILL)  # git and the upload-pack it started
    plain.wait()
    run = modelgov(
        "audit",
        "--manifest",
        str(manifest),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--clone-timeout",
        "2",
        "--jobs",
        "2",
        "--format",
        "json",
        cwd=tmp_path,
        timeout=60,
    )
    assert run.wall < 30, run.describe()
    rows = {r["repo"]: r for r in json.loads(run.stdout)["models"]}
    assert rows[f"file://{stuck.path}"]["status"] == "error", run.describe()
    assert "longer than 2s" in rows[f"file://{stuck.path}"]["reason"], run.describe()
    assert rows[f"file://{good.path}"]["status"] == "pass", run.describe()
    # Nothing the timed-out clone started is left running (git-upload-pack blocks on the FIFO).
    left = subprocess.run(
        ["pgrep", "-f", str(stuck.path)], capture_output=True, text=True, check=False
    )
    assert left.stdout.strip() == "", "left running: " + left.stdout


def test_a_stale_lock_in_a_cached_clone_is_recovered_from(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A fetch killed midway (by a crash, or by ``--clone-timeout``) leaves
    ``refs/heads/main.lock`` in the cached clone; later audits fetch anyway."""
    origin: GitRepoBuilder = make_repo("origin", example=COMPLIANT)
    origin.commit("init")
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(f"file://{origin.path}\n", encoding="utf-8")
    cache = tmp_path / "cache"

    def audit() -> dict[str, object]:
        run = modelgov(
            "audit", "--manifest", str(manifest), "--cache-dir", str(cache), "--jobs", "1",
            "--format", "json", cwd=tmp_path, timeout=60,
        )  # fmt: skip
        rows = json.loads(run.stdout)["models"]
        assert len(rows) == 1, run.describe()
        row: dict[str, object] = rows[0]
        return row

    assert audit()["status"] == "pass"
    (clone,) = [p.parent for p in cache.rglob("HEAD") if p.parent.name.endswith(".git")]
    for stale in ("refs/heads/main.lock", "packed-refs.lock", "HEAD.lock", "shallow.lock"):
        (clone / stale).write_text("", encoding="utf-8")
    # upstream moves on: the model becomes broken, so only a real fetch sees it
    (origin.path / "model.yaml").write_text("name: broken\n", encoding="utf-8")
    origin.commit("break the model")
    row = audit()
    assert row["status"] == "fail", row
    assert not list(clone.rglob("*.lock")), list(clone.rglob("*.lock"))
