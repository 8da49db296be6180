"""Verdicts that must not depend on the path taken (the engine issue).

Each test here failed on 0.1 (checked against its last commit): a run that
mixed two folders' configs, a waiver whose validity depended on an optional
rule, an audit that did not see a symlinked declaration, ``rules`` and
``explain`` that ignored the repository's config, and paths printed from the
repository root instead of from where the user stands.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from conftest import BROKEN, COMPLIANT, TODAY, run_cli

BROKEN_TEXT = (BROKEN / "model.yaml").read_text(encoding="utf-8")
COMPLIANT_TEXT = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")


def _json(*args: str, cwd: Path | None = None, code: int | None = None) -> dict[str, Any]:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    if code is not None:
        assert result.exit_code == code, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _folder(path: Path, config: str, model: str) -> Path:
    path.mkdir(parents=True)
    (path / ".modelgov.yaml").write_text(config, encoding="utf-8")
    (path / "model.yaml").write_text(model, encoding="utf-8")
    return path


# -- every path under its own config -------------------------------------------------------


def test_each_path_is_judged_under_its_own_config_and_policy(tmp_path: Path) -> None:
    # a: fail_on never under minimal; b: strict, and errors (three of them, and more)
    a = _folder(tmp_path / "a", "policy: minimal\nfail_on: never\n", BROKEN_TEXT)
    b = _folder(tmp_path / "b", "policy: strict\n", BROKEN_TEXT)
    assert run_cli("check", str(b)).exit_code == 1
    assert run_cli("check", str(a)).exit_code == 0
    together = run_cli("check", str(a), str(b), cwd=tmp_path)
    assert together.exit_code == 1, together.stdout  # the worst over the targets
    data = _json("a", "b", cwd=tmp_path, code=1)
    by_root = {t["root"]: t for t in data["targets"]}
    assert by_root["a"]["policy"]["name"] == "minimal"
    assert by_root["a"]["fail_on"] == "never" and by_root["a"]["exit_code"] == 0
    assert by_root["b"]["policy"]["name"] == "strict"
    assert by_root["b"]["fail_on"] == "error" and by_root["b"]["exit_code"] == 1
    policies = {m["file"]: m["policy"] for m in data["models"]}
    assert policies == {"a/model.yaml": "minimal", "b/model.yaml": "strict"}
    statuses = {m["file"]: m["status"] for m in data["models"]}
    assert statuses == {"a/model.yaml": "pass", "b/model.yaml": "fail"}
    # the text summary names both policies, not the last one for both
    assert "policies minimal (" in together.stdout and ", strict (" in together.stdout


def test_each_model_of_a_monorepo_takes_its_nearest_config(make_repo: Any) -> None:
    repo = make_repo()
    repo.write("svc/a/model.yaml", BROKEN_TEXT)
    repo.write("svc/a/.modelgov.yaml", "policy: minimal\nfail_on: never\n")
    repo.write("svc/b/model.yaml", BROKEN_TEXT)
    data = _json(".", cwd=repo.path, code=1)
    policies = {m["file"]: m["policy"] for m in data["models"]}
    assert policies == {"svc/a/model.yaml": "minimal", "svc/b/model.yaml": "default"}
    # --config and --policy still decide for every model at once
    forced = _json(".", "--policy", "strict", cwd=repo.path, code=1)
    assert {m["policy"] for m in forced["models"]} == {"strict"}


# -- waivers are judged whatever rules are on ----------------------------------------------

EXPIRED_WAIVER = """
waivers:
  - rule: MG131
    reason: registry migration
    approved_by: ops-lead@example.com
    expires: 2020-01-15
"""


def test_an_expired_waiver_silences_nothing_with_mg211_off(tmp_path: Path) -> None:
    slow = COMPLIANT_TEXT.replace("max_minutes: 15 ", "max_minutes: 120").replace("waivers: []", "")
    assert "max_minutes: 120" in slow
    for config in ("", "rules: {MG211: {enabled: false}}\n", "policy: minimal\n"):
        folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
        shutil.copytree(COMPLIANT, folder)
        (folder / "model.yaml").write_text(slow + EXPIRED_WAIVER, encoding="utf-8")
        (folder / ".modelgov.yaml").write_text(config, encoding="utf-8")
        data = _json(str(folder))
        mg131 = [f for f in data["findings"] if f["rule"] == "MG131"]
        if config.startswith("policy: minimal"):
            continue  # minimal does not judge rollback time at all
        assert len(mg131) == 1 and mg131[0]["waived"] is None, (config, mg131)
        assert data["summary"]["exit_code"] == 1, config


def test_a_too_long_waiver_silences_nothing_with_mg212_off(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(COMPLIANT, folder)
    long_waiver = EXPIRED_WAIVER.replace("2020-01-15", "2031-01-15")
    slow = COMPLIANT_TEXT.replace("max_minutes: 15 ", "max_minutes: 120").replace("waivers: []", "")
    (folder / "model.yaml").write_text(slow + long_waiver, encoding="utf-8")
    (folder / ".modelgov.yaml").write_text("rules: {MG212: {enabled: false}}\n", encoding="utf-8")
    data = _json(str(folder), code=1)
    (mg131,) = [f for f in data["findings"] if f["rule"] == "MG131"]
    assert mg131["waived"] is None
    assert not [f for f in data["findings"] if f["rule"] == "MG212"]  # off: not reported


# -- the audit sees every declaration ------------------------------------------------------


def test_audit_of_a_symlinked_model_yaml_is_a_failing_row(make_repo: Any) -> None:
    repo = make_repo(example=COMPLIANT)
    repo.path.joinpath("real.yaml").write_text(COMPLIANT_TEXT, encoding="utf-8")
    (repo.path / "model.yaml").unlink()
    (repo.path / "model.yaml").symlink_to("real.yaml")
    repo.commit("model.yaml as a link")
    assert "120000" in repo.git("ls-files", "-s", "model.yaml")
    result = run_cli("audit", str(repo.path), "--format", "json", "--jobs", "1")
    assert result.exit_code == 1, result.stdout + result.stderr
    rows = json.loads(result.stdout)["models"]
    (row,) = [r for r in rows if r["path"] == "model.yaml"]
    assert row["status"] == "fail" and "MG005" in row["failing_rules"], row
    table = run_cli("audit", str(repo.path), "--jobs", "1")
    assert "Audit passed" not in table.stdout and "FAILED" in table.stdout


# -- rules and explain read the config where they run ----------------------------------------


def test_rules_and_explain_follow_the_repository_config(tmp_path: Path) -> None:
    (tmp_path / ".modelgov.yaml").write_text(
        "policy: strict\nrules:\n  MG131:\n    options:\n      max_minutes: {high: 7}\n",
        encoding="utf-8",
    )
    listed = run_cli("rules", cwd=tmp_path)
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.startswith("Rules under policy strict (")
    explained = run_cli("explain", "MG131", cwd=tmp_path)
    assert explained.exit_code == 0, explained.stderr
    assert "/ 7]" in explained.stdout  # the high tier's limit from the config
    # --config and --policy still name another
    other = tmp_path / "other.yaml"
    other.write_text("policy: minimal\n", encoding="utf-8")
    assert run_cli("rules", "--config", str(other), cwd=tmp_path).stdout.startswith(
        "Rules under policy minimal ("
    )


# -- paths as the user opens them ------------------------------------------------------------


def test_text_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    examples = BROKEN.parent
    inside = run_cli("check", "broken", cwd=examples)
    assert inside.stdout.startswith("broken/model.yaml:"), inside.stdout
    for repo in ("a", "b"):
        shutil.copytree(BROKEN, tmp_path / repo)
    two = run_cli("check", "a", "b", cwd=tmp_path)
    heads = {line.split(":")[0] for line in two.stdout.splitlines() if line[:1].isalpha()}
    assert {"a/model.yaml", "b/model.yaml"} <= heads, two.stdout
    elsewhere = run_cli("check", str(tmp_path / "a"), cwd=examples)
    assert elsewhere.stdout.startswith(f"{tmp_path.as_posix()}/a/model.yaml:"), elsewhere.stdout


def test_sarif_keeps_root_relative_uris_with_a_base_per_root(tmp_path: Path) -> None:
    for repo in ("a", "b"):
        shutil.copytree(BROKEN, tmp_path / repo)
    result = run_cli("check", "a", "b", "--format", "sarif", cwd=tmp_path)
    run = json.loads(result.stdout)["runs"][0]
    bases = run["originalUriBaseIds"]
    assert bases == {
        "%SRCROOT%": {"uri": (tmp_path / "a").as_uri() + "/"},
        "%SRCROOT2%": {"uri": (tmp_path / "b").as_uri() + "/"},
    }
    locations = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"])
        for r in run["results"]
    }  # fmt: skip
    assert locations == {("model.yaml", "%SRCROOT%"), ("model.yaml", "%SRCROOT2%")}
    assert run["properties"]["today"] == TODAY
