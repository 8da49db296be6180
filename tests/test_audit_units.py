"""The audit's parts on their own: URL hardening, manifests, shards, tighten-only policies,
heuristics, spreadsheet and HTML escaping, the journal, the progress bar, config keys."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import orgfixture as of

from modelgov.audit import discovery, tighten
from modelgov.audit.render.csv_ import neutralise
from modelgov.audit.render.html import embed_json
from modelgov.audit.runner import Journal, Progress
from modelgov.config import Config, config_from_data
from modelgov.errors import GitError, UsageError
from modelgov.facts import heuristics
from modelgov.git.remote import looks_like_url, parse_remote, redact_url
from modelgov.policy import Policy, RuleSettings, load_policy
from modelgov.registry import full

# -- remote URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://github.com/acme/fraud.git", "https"),
        ("http://git.internal/acme/fraud", "http"),
        ("ssh://git@github.com/acme/fraud.git", "ssh"),
        ("git@github.com:acme/fraud.git", "ssh"),
        ("file:///srv/git/fraud.git", "file"),
    ],
)
def test_accepted_urls(url: str, scheme: str) -> None:
    assert looks_like_url(url)
    assert parse_remote(url).scheme == scheme


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ext::sh -c touch% /tmp/x", "remote helpers"),
        ("fd::17", "remote helpers"),
        ("-uhttps://x/y", "looks like a command-line option"),
        ("--upload-pack=touch /tmp/x", "looks like a command-line option"),
        ("https://$TOKEN@github.com/a/b", "not expanded"),
        ("https://github.com/`id`/b", "not expanded"),
        ("git://github.com/a/b", "git:// is not accepted"),
        ("ftp://x/y", "ftp:// is not accepted"),
        ("ssh://-oProxyCommand=touch%20x/y", "cannot start with '-'"),
        ("-oProxyCommand=x:repo", "looks like a command-line option"),
        ("host:-repo", "looks like a command-line option"),
        ("https://git hub.com/a", "spaces or control characters"),
        ("file://host/srv/a.git", "absolute local path"),
        ("https:///a/b", "no host"),
    ],
)
def test_refused_urls(url: str, message: str) -> None:
    with pytest.raises(GitError, match=message.replace("(", r"\(").replace("'", "'")):
        parse_remote(url)


def test_credentials_never_shown() -> None:
    assert redact_url("https://x-access-token:s3cret@github.com/a/b.git") == (
        "https://***@github.com/a/b.git"
    )
    assert redact_url("https://ghp_abc@github.com/a/b") == "https://***@github.com/a/b"
    assert redact_url("ssh://git@github.com/a/b") == "ssh://git@github.com/a/b"
    remote = parse_remote("https://user:pw@example.com/r.git")
    assert "pw" not in remote.shown and remote.url.endswith("@example.com/r.git")


def test_clone_failure_message_hides_the_token(tmp_path: Path) -> None:
    from modelgov.git.remote import clone_bare

    remote = parse_remote("https://user:topsecret@127.0.0.1:9/none.git")
    with pytest.raises(GitError) as info:
        clone_bare(remote, tmp_path / "c.git", timeout=20)
    assert "topsecret" not in str(info.value)
    assert "***@127.0.0.1" in str(info.value)
    assert not (tmp_path / "c.git").exists()
    assert list(tmp_path.iterdir()) == []  # the temporary clone is gone too


# -- manifests and discovery ---------------------------------------------------------


def test_text_manifest(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    of.fast_import(tmp_path / "local" / "repo", [of.Commit({"a": "b"}, "2026-01-01")])
    manifest = tmp_path / "repos.txt"
    manifest.write_text(
        "# org repositories\n"
        "https://github.com/acme/a.git team=payments labels=pci,tier1\n"
        "\n"
        "local   team=platform  # audited in place\n"
        "ext::sh -c id\n"
    )
    specs = discovery.manifest_specs(manifest, depth=2)
    by_ident = {s.ident: s for s in specs}
    a = by_ident["https://github.com/acme/a.git"]
    assert (a.kind, a.team, a.labels) == ("url", "payments", ("pci", "tier1"))
    local = by_ident["local/repo"]
    assert (local.kind, local.team, local.location) == (
        "path",
        "platform",
        str(tmp_path / "local" / "repo"),
    )
    bad = by_ident["ext::sh -c id"]
    assert bad.kind == "error" and "remote helpers" in bad.problem


def test_yaml_manifest_shapes_and_errors(tmp_path: Path) -> None:
    listed = tmp_path / "m.yaml"
    listed.write_text(
        "- https://h/a.git\n- {url: 'https://h/b.git', team: t, labels: [x]}\n- {path: missing}\n"
    )
    specs = {s.ident: s for s in discovery.manifest_specs(listed, 1)}
    assert specs["https://h/b.git"].labels == ("x",)
    assert specs["missing"].kind == "error" and specs["missing"].problem == "does not exist"
    mapping = tmp_path / "n.yml"
    mapping.write_text("https://h/a.git: {team: t}\nhttps://h/c.git:\n")
    assert [e.team for e in discovery.read_manifest(mapping)] == ["t", ""]
    for text, message in (
        ("- {url: a, nope: 1}", "unknown key"),
        ("- {team: t}", "needs exactly one of"),
        ("- 3", "must be a URL"),
        ("just a string", "expected a list"),
        ("- {url: a, labels: 5}", "labels"),
        ("[", "not valid YAML"),
    ):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(UsageError, match=message):
            discovery.read_manifest(bad)
    text = tmp_path / "bad.txt"
    text.write_text("https://h/a.git owner=x\n")
    with pytest.raises(UsageError, match=r"bad.txt:1: expected"):
        discovery.read_manifest(text)


def test_discovery_depth_bare_and_nested(tmp_path: Path) -> None:
    of.fast_import(tmp_path / "a" / "b" / "deep", [of.Commit({"x": "y"}, "2026-01-01")])
    of.fast_import(tmp_path / "bare.git", [of.Commit({"x": "y"}, "2026-01-01")], bare=True)
    (tmp_path / "node_modules" / "pkg" / ".git").mkdir(parents=True)  # skipped
    (tmp_path / "half.git" / "objects").mkdir(parents=True)
    (tmp_path / "half.git" / "refs").mkdir()
    found = {s.ident: s for s in discovery.discover(str(tmp_path), 3)}
    root = discovery._shown(str(tmp_path))
    assert found[f"{root}/a/b/deep"].kind == "path"
    assert found[f"{root}/bare.git"].kind == "path"
    assert "HEAD" in found[f"{root}/half.git"].problem
    assert not any("node_modules" in k for k in found)
    shallow = discovery.discover(str(tmp_path), 2)
    assert not any(s.ident.endswith("/deep") for s in shallow)
    empty = tmp_path / "empty"
    empty.mkdir()
    (only,) = discovery.discover(str(empty), 3)
    assert only.kind == "error" and "no git repository found" in only.problem


def test_shards_partition_stably() -> None:
    idents = [f"org/team-{i % 7}/repo-{i}" for i in range(300)]
    shards = [{i for i in idents if discovery.shard_of(i, 4) == k} for k in (1, 2, 3, 4)]
    assert sum(len(s) for s in shards) == 300 and set().union(*shards) == set(idents)
    assert all(40 < len(s) < 110 for s in shards)  # roughly even
    # the same answer on every machine and Python: a fixed hash, not hash()
    assert discovery.shard_of("org/payments/fraud", 8) == discovery.shard_of(
        "org/payments/fraud", 8
    )
    assert [discovery.shard_of(f"r{i}", 5) for i in range(6)] == [
        discovery.shard_of(f"r{i}", 5) for i in range(6)
    ]
    for bad in ("0/3", "4/3", "a/b", "3", "1/0"):
        with pytest.raises(UsageError, match="--shard must be K/N"):
            discovery.parse_shard(bad)


# -- tighten, never loosen -------------------------------------------------------------


def _org(**config: object) -> tighten.OrgPolicy:
    registry = full()
    policy = load_policy("default", registry)
    return tighten.OrgPolicy(
        ref="default",
        relative_to=None,
        overrides={},
        label="org",
        policy=policy,
        registry=registry,
        allow_loosen=bool(config.get("allow_loosen", False)),
    )


def _repo(data: dict[str, object]) -> Config:
    return config_from_data(data, Path(".modelgov.yaml"))


def _mg(policy: Policy, rule: str, tier: str = "high") -> RuleSettings:
    return policy.settings(policy.registry.rules[rule], tier)


def test_a_repo_config_may_tighten() -> None:
    org = _org()
    eff = tighten.effective_policy(
        org,
        _repo(
            {
                "rules": {
                    "MG131": {"options": {"max_minutes": {"high": 10, "low": 500}}},
                    "MG161": {"severity": "error"},
                    "MG170": {"options": {"required": True}},
                    "deploy-roles": {"options": {"required_roles": {"low": ["product"]}}},
                }
            }
        ),
        ".modelgov.yaml",
    )
    assert eff.policy.digest != org.policy.digest
    assert _mg(eff.policy, "MG131").options["max_minutes"] == 10
    assert _mg(eff.policy, "MG131", "low").options["max_minutes"] == 240
    assert _mg(eff.policy, "MG161").severity.label == "error"
    assert _mg(eff.policy, "MG170", "low").options["required"] is True
    roles = _mg(eff.policy, "MG151", "low").options["required_roles"]
    assert roles == ["product"]
    assert eff.notes == (
        ".modelgov.yaml: MG131 max_minutes 500 (org: 240) for tier low ignored: "
        "looser than the org policy",
    )


def test_a_repo_config_may_not_loosen() -> None:
    org = _org()
    eff = tighten.effective_policy(
        org,
        _repo(
            {
                "policy": "minimal",
                "fail_on": "never",
                "exclude": ["**"],
                "allow_loosen": True,
                "rules": {"MG141": False, "MG110": {"severity": "note"}},
            }
        ),
        "svc/.modelgov.yaml",
    )
    assert eff.policy.digest == org.policy.digest
    assert eff.exclude == ()
    text = "\n".join(eff.notes)
    for part in (
        "exclude ignored",
        "fail_on ignored",
        "allow_loosen ignored",
        "MG141 (drift-signals) disabled for every tier ignored",
        "MG131 (rollback-too-slow) disabled for every tier",
        "MG110 severity note (org: error) for every tier ignored",
    ):
        assert part in text, (part, text)
    assert all(n.startswith("svc/.modelgov.yaml") for n in eff.notes)


def test_the_org_may_allow_loosening() -> None:
    org = _org(allow_loosen=True)
    eff = tighten.effective_policy(
        org, _repo({"rules": {"MG141": False}, "exclude": ["x/**"]}), "c"
    )
    assert not _mg(eff.policy, "MG141").enabled
    assert eff.exclude == ("x/**",)


def test_an_invalid_repo_config_leaves_the_org_policy() -> None:
    org = _org()
    eff = tighten.effective_policy(org, _repo({"rules": {"MG999": True}}), ".modelgov.yaml")
    assert eff.policy is org.policy
    assert "does not validate" in eff.notes[0] and "MG999" in eff.notes[0]


@pytest.mark.parametrize(
    ("direction", "new", "old", "ok"),
    [
        ("lower", 10, 30, True),
        ("lower", 40, 30, False),
        ("higher", 3, 2, True),
        ("higher", 1, 2, False),
        ("true", True, False, True),
        ("true", False, True, False),
        ("superset", ["a", "b"], ["a"], True),
        ("superset", ["b"], ["a"], False),
        ("", 1, 2, False),
        ("lower", "x", 3, False),
    ],
)
def test_stricter(direction: str, new: object, old: object, ok: bool) -> None:
    assert tighten.stricter(direction, new, old) is ok


def test_every_per_tier_numeric_option_declares_a_direction() -> None:
    for rule in full():
        for name, spec in rule.options.items():
            if spec.per_tier and spec.type in ("int", "days", "bool"):
                assert spec.stricter, f"{rule.id} option {name} declares no stricter direction"


# -- heuristics ------------------------------------------------------------------------


def _files(paths: dict[str, bytes]) -> tuple[dict[str, tuple[str, int]], dict[str, bytes]]:
    files = {p: (f"sha-{i}", len(b)) for i, (p, b) in enumerate(paths.items())}
    blobs = {f"sha-{i}": b for i, b in enumerate(paths.values())}
    return files, blobs


def test_undeclared_grouping_and_coverage() -> None:
    files, blobs = _files(
        {
            "svc/a/model.onnx": b"",
            "svc/a/sub/train_x.py": b"import torch\n",
            "svc/b/train.py": b"# no ML import\nprint(1)\n",
            "svc/c/train.py": b'{"cells": [{"source": ["import sklearn\\n"]}]}',
            "svc/d/notes.txt": b"import torch",
            "tests/data/m.pkl": b"",
            "lib/.venv/x.pt": b"",
            "declared/x/w.safetensors": b"",
            "shared/weights.gguf": b"",
        }
    )

    def covered(path: str) -> bool:
        return path.startswith("declared/") or path == "shared/weights.gguf"

    def read(shas: Sequence[str], limit: int) -> dict[str, bytes | None]:
        return {s: blobs[s] for s in shas}

    groups = heuristics.find_undeclared(files, covered, read, heuristics.Heuristics())
    assert [(g.folder, [s.path for s in g.signals]) for g in groups] == [
        ("svc/a", ["svc/a/model.onnx", "svc/a/sub/train_x.py"]),
        ("svc/c", ["svc/c/train.py"]),
    ]
    assert groups[0].signals[1].detail == "imports torch"
    off = heuristics.heuristics_from({"undeclared": False})
    assert heuristics.find_undeclared(files, covered, read, off) == []
    custom = heuristics.heuristics_from({"artifacts": ["*.txt"], "training_imports": []})
    assert [g.folder for g in heuristics.find_undeclared(files, covered, read, custom)] == ["svc/d"]


def test_root_signals_absorb_folders() -> None:
    groups = heuristics.group(
        [
            heuristics.Signal("models/a/x.pt", "artifact", ""),
            heuristics.Signal("train.py", "training-code", ""),
        ]
    )
    assert [(g.folder, len(g.signals)) for g in groups] == [("", 2)]


def test_audit_config_keys_are_validated(tmp_path: Path) -> None:
    for data, message in (
        ({"audit": {"artefacts": []}}, "unknown key"),
        ({"audit": {"artifacts": "*.pt"}}, "list of non-empty strings"),
        ({"audit": {"training_imports": ["torch nn"]}}, "not a Python module name"),
        ({"audit": {"max_read_bytes": 0}}, "number of bytes"),
        ({"audit": []}, "must be a mapping"),
    ):
        cfg = tmp_path / "org.yaml"
        cfg.write_text(json.dumps(data))
        res = run_cli("audit", str(tmp_path), "--config", str(cfg))
        assert res.exit_code == 2, res.stderr
        assert message in res.stderr, res.stderr


# -- escaping --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-cmd", "@x", "\tx", "\rx"])
def test_csv_formulas_are_neutralised(text: str) -> None:
    from modelgov.reporters._safe import inert

    assert neutralise(text) == "'" + inert(text)  # "\r" shown as \u000d


def test_csv_numbers_and_plain_text_stay() -> None:
    assert neutralise(-5) == -5 and neutralise(12) == 12
    assert neutralise("model-1") == "model-1" and neutralise(None) == ""


def test_embedded_json_cannot_close_the_script() -> None:
    text = embed_json({"x": "</script><script>alert(1)</script>&\u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text)["x"].startswith("</script>")


# -- journal and progress ----------------------------------------------------------------


def test_journal_roundtrip_and_stale_journals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "j.jsonl"
    j = Journal(path, "k1")
    j.start({})
    j.add("org/a", {"repo": {"repo": "org/a"}, "models": []})
    j.close(remove=False)
    with open(path, "a") as fh:
        fh.write('{"repo": "org/b", "resu')  # cut short by the interruption
    assert list(Journal(path, "k1").load()) == ["org/a"]
    assert Journal(path, "k2").load() == {}
    assert "other settings" in capsys.readouterr().err


def test_progress_line() -> None:
    stream = io.StringIO()
    p = Progress(10, stream, done=2)
    p.started -= 4.0
    p.counted = 2
    p.done = 4
    line = p.line()
    assert line.startswith("[###########")
    assert "4/10 repos" in line and "0.5/s" in line and "ETA 0:12" in line
    p.step()
    assert stream.getvalue().startswith("\r\x1b[K[")


def test_progress_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    of.fast_import(tmp_path / "r", [of.Commit(of.model_files(), "2026-03-01")])
    quiet = run_cli("audit", str(tmp_path / "r"), "--format", "json")
    assert quiet.stderr == ""
    shown = run_cli("audit", str(tmp_path / "r"), "--format", "json", "--progress")
    assert "1/1 repos" in shown.stderr and "ETA" in shown.stderr


def test_usage_errors() -> None:
    assert run_cli("audit").exit_code == 2
    res = run_cli("audit", "no/such/path")
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = run_cli("audit", ".", "--shard", "5/4")
    assert res.exit_code == 2 and "--shard" in res.stderr
    res = run_cli("audit", "merge", os.devnull)
    assert res.exit_code == 2 and "not JSON" in res.stderr


# -- docs: the README's audit and the org workflow ------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_readme_audit_of_the_bundled_examples_is_true() -> None:
    import re
    import subprocess

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Audit an organisation\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "README has no section 'Audit an organisation'"
    block = re.search(r"```console\n\$ (modelgov audit [^\n]*)\n(.*?)```", section.group(1), re.S)
    assert block, "the section shows no audit"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if inside.stdout.strip() != "true":
        pytest.skip("not a git checkout: the README audits the repository itself")
    args = block.group(1).split()[2:]
    res = run_cli("audit", *args, "--jobs", "1", cwd=ROOT)
    assert res.exit_code == 1, res.stderr  # the broken example fails

    def words(line: str) -> list[str]:
        return line.split()

    actual = [words(line) for line in res.stdout.splitlines()]
    shown = [line for line in block.group(2).splitlines() if line.strip() and line != "..."]
    assert len(shown) >= 4
    for line in shown:
        assert words(line) in actual, f"README line not in the output: {line}"


def test_audit_workflow_validates_against_the_vendored_schema() -> None:
    import subprocess

    exe = Path(sys.executable).with_name("check-jsonschema")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "check_jsonschema"]
    res = subprocess.run(
        [
            *cmd,
            "--builtin-schema",
            "vendor.github-workflows",
            str(ROOT / "docs" / "workflows" / "audit-matrix.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    workflow = (ROOT / "docs" / "workflows" / "audit-matrix.yml").read_text(encoding="utf-8")
    assert "modelgov audit merge shard-*.json" in workflow
    assert '--shard "$SHARD/4"' in workflow and "shard: [1, 2, 3, 4]" in workflow


def test_private_repos_get_the_header_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from modelgov.git.remote import _remote_env

    monkeypatch.setenv("MODELGOV_GIT_AUTH_HEADER", "AUTHORIZATION: basic abc")
    monkeypatch.setenv("MODELGOV_GIT_AUTH_HOST", "github.com")
    env = _remote_env(tmp_path)
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"] == "AUTHORIZATION: basic abc"
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_CONFIG_NOSYSTEM"] == "1"
    monkeypatch.setenv("MODELGOV_GIT_AUTH_HOST", "evil.com/ x")  # not a host: no header
    assert "GIT_CONFIG_KEY_0" not in _remote_env(tmp_path)


def test_workers_start_only_when_they_pay() -> None:
    from modelgov.audit.runner import REPOS_PER_WORKER, workers_for

    local = [discovery.RepoSpec(ident=f"r{i}", kind="path", location=f"/r{i}") for i in range(200)]
    url = discovery.RepoSpec(ident="u", kind="url", location="https://example.com/u.git")
    assert workers_for(local[:5], 8) == 1  # five local repos: faster in this process
    assert workers_for(local[: 2 * REPOS_PER_WORKER], 8) == 2
    assert workers_for(local, 2) == 2
    assert workers_for(local, 1) == 1
    assert workers_for([*local[:2], url], 8) == 3  # a clone always pays
