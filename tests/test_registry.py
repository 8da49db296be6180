"""The declaration against a real MLflow model registry (SQLite, built with MLflow's client).

Skipped, with the reason, only when the ``mlflow`` extra is not installed;
``.ci/run`` installs it, so CI runs these.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLIANT, TODAY, run_cli

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mlflow import MlflowClient
except ImportError:  # pragma: no cover - the extra is part of the test extras
    pytest.skip("the mlflow extra is not installed (pip install 'modelgov-lint[mlflow]')",
                allow_module_level=True)  # fmt: skip

MODEL = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")


_TEMPLATE: list[Path] = []


def _empty_database(tmp_root: Path) -> Path:
    """An empty MLflow database, made once per session (its migrations take seconds)."""
    if not _TEMPLATE:
        template = tmp_root / "mlflow-template.db"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            uri = f"sqlite:///{template}"
            MlflowClient(tracking_uri=uri, registry_uri=uri).search_registered_models()
        _TEMPLATE.append(template)
    return _TEMPLATE[0]


@pytest.fixture(autouse=True)
def _template(tmp_path_factory: pytest.TempPathFactory) -> None:
    _empty_database(tmp_path_factory.getbasetemp())


def make_registry(
    db: Path,
    versions: int,
    aliases: Mapping[str, int],
    *,
    name: str = "fraud-scorer",
    tags: Mapping[int, Mapping[str, str]] | None = None,
    archived: tuple[int, ...] = (),
) -> str:
    """A registry in ``db`` with ``versions`` versions of ``name``; its URI."""
    shutil.copyfile(_TEMPLATE[0], db)
    uri = f"sqlite:///{db}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.create_registered_model(name)
        for i in range(1, versions + 1):
            client.create_model_version(name, source=f"file://{db.parent}/artifacts/{i}")
            for key, value in (tags or {}).get(i, {}).items():
                client.set_model_version_tag(name, str(i), key, value)
            if i in archived:
                client.transition_model_version_stage(name, str(i), "Archived")
        for alias, version in aliases.items():
            client.set_registered_model_alias(name, alias, str(version))
    return uri


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(COMPLIANT, folder)
    return folder


def check(
    folder: Path, uri: str, *args: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    result = run_cli("check", str(folder), "--registry", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def found(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def test_serving_the_declared_version_passes(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(tmp_path / "r.db", 7, {"champion": 7, "previous": 6})
    code, report = check(model_dir, uri, monkeypatch=monkeypatch)
    assert code == 0, report["findings"]
    assert not [f for f in report["findings"] if f["rule"].startswith("MG18")]


def test_an_alias_moved_to_an_unapproved_version_fails_naming_both(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(tmp_path / "r.db", 9, {"champion": 9, "previous": 8})
    code, report = check(model_dir, uri, monkeypatch=monkeypatch)
    assert code == 1
    (f,) = found(report, "MG181")
    assert f["pointer"] == "/deploy/version" and f["line"] == 59
    assert "covers version 7" in f["message"] and "serves version 9" in f["message"]


def test_one_version_leaves_nothing_to_roll_back_to(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the declaration names no rollback alias: an earlier version must exist
    text = MODEL.replace('  version: "7"', '  version: "1"').replace(
        "  rollback_alias: previous\n", ""
    )
    (model_dir / "model.yaml").write_text(text, encoding="utf-8")
    uri = make_registry(tmp_path / "r.db", 1, {"champion": 1})
    code, report = check(model_dir, uri, monkeypatch=monkeypatch)
    assert code == 1
    (f,) = found(report, "MG182")
    assert f["pointer"] == "/rollback/strategy"
    assert "nothing to roll back to" in f["message"]


def test_archived_or_failed_earlier_versions_are_no_rollback_target(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MODEL.replace('  version: "7"', '  version: "3"').replace(
        "  rollback_alias: previous\n", ""
    )
    (model_dir / "model.yaml").write_text(text, encoding="utf-8")
    uri = make_registry(tmp_path / "r.db", 3, {"champion": 3}, archived=(1, 2))
    assert found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG182")


def test_a_rollback_alias_that_resolves_to_nothing_fails(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(tmp_path / "r.db", 7, {"champion": 7})
    (f,) = found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG182")
    assert f["pointer"] == "/registry/rollback_alias"
    assert "resolves to no version" in f["message"]


def test_a_rollback_alias_on_the_serving_version_fails(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(tmp_path / "r.db", 7, {"champion": 7, "previous": 7})
    code, report = check(model_dir, uri, monkeypatch=monkeypatch)
    assert code == 1
    (f,) = found(report, "MG182")
    assert f["pointer"] == "/registry/rollback_alias"
    assert "would restore the same model" in f["message"]


def test_an_unknown_model_or_alias_is_a_finding(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(tmp_path / "r.db", 2, {"champion": 2}, name="churn")
    code, report = check(model_dir, uri, monkeypatch=monkeypatch)
    assert code == 1
    (f,) = found(report, "MG180")
    assert f["pointer"] == "/registry/model" and "does not exist" in f["message"]
    uri = make_registry(tmp_path / "s.db", 7, {"production": 7, "previous": 6})
    (f,) = found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG180")
    assert f["pointer"] == "/registry/serving_alias"
    assert "aliases in the registry: previous, production" in f["message"]


def test_a_version_tagged_as_failed_validation_is_a_finding(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = make_registry(
        tmp_path / "r.db", 7, {"champion": 7, "previous": 6},
        tags={7: {"validation_status": "FAILED"}},
    )  # fmt: skip
    (f,) = found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG183")
    assert "is tagged validation_status=FAILED" in f["message"]
    uri = make_registry(
        tmp_path / "ok.db", 7, {"champion": 7, "previous": 6},
        tags={7: {"validation_status": "passed"}},
    )  # fmt: skip
    assert not found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG183")


def test_a_digest_version_matches_the_digest_tag(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = "sha256:" + "ab" * 32
    (model_dir / "model.yaml").write_text(
        MODEL.replace('  version: "7"', f"  version: {digest}"), encoding="utf-8"
    )
    uri = make_registry(
        tmp_path / "r.db", 7, {"champion": 7, "previous": 6}, tags={7: {"digest": digest}}
    )
    assert not found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG181")
    uri = make_registry(tmp_path / "s.db", 7, {"champion": 7, "previous": 6})
    (f,) = found(check(model_dir, uri, monkeypatch=monkeypatch)[1], "MG181")
    assert "no digest tag" in f["message"]


def test_without_registry_nothing_connects_and_mlflow_is_not_imported(model_dir: Path) -> None:
    code = (
        "import sys\n"
        "from modelgov.cli import main\n"
        f"rc = main(['check', {str(model_dir)!r}, '--format', 'json'])\n"
        "sys.stderr.write(f'rc={rc} mlflow={\"mlflow\" in sys.modules}')\n"
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY, MLFLOW_TRACKING_URI="http://127.0.0.1:9")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.stderr.endswith("rc=0 mlflow=False"), proc.stderr


def test_registry_without_a_uri_or_database_is_a_usage_error(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    result = run_cli("check", str(model_dir), "--registry")
    assert result.exit_code == 2 and "MLFLOW_TRACKING_URI" in result.stderr
    missing = tmp_path / "none.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{missing}")
    result = run_cli("check", str(model_dir), "--registry")
    assert result.exit_code == 2 and f"no MLflow registry database at {missing}" in result.stderr
    assert not missing.exists()  # never created


def test_the_config_names_the_registry_and_stays_inside_the_repository(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    make_registry(model_dir / "registry.db", 7, {"champion": 7, "previous": 6})
    (model_dir / ".modelgov.yaml").write_text("registry_uri: sqlite:///registry.db\n")
    result = run_cli("check", str(model_dir), "--registry")
    assert result.exit_code == 0, result.stdout + result.stderr
    make_registry(tmp_path / "outside.db", 7, {"champion": 7})
    (model_dir / ".modelgov.yaml").write_text("registry_uri: sqlite:///../outside.db\n")
    result = run_cli("check", str(model_dir), "--registry")
    assert result.exit_code == 2 and "leads outside the repository" in result.stderr


def test_a_registry_that_reads_is_never_written(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "r.db"
    uri = make_registry(db, 7, {"champion": 7, "previous": 6})
    before = (db.stat().st_mtime_ns, db.read_bytes())
    check(model_dir, uri, monkeypatch=monkeypatch)
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "r.db"]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    worker = threading.Thread(target=accept, daemon=True)
    worker.start()
    yield server.getsockname()[1]
    stop.set()
    worker.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.slow
def test_an_unreachable_or_silent_registry_is_a_finding_within_the_time_limit(
    model_dir: Path, silent_server: int
) -> None:
    for uri, words in (
        ("http://127.0.0.1:9", "could not be read"),
        (f"http://127.0.0.1:{silent_server}", "did not answer within 2 s"),
    ):
        env = dict(
            os.environ, MODELGOV_TODAY=TODAY, MLFLOW_TRACKING_URI=uri, MODELGOV_REGISTRY_TIMEOUT="2"
        )
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "modelgov", "check", str(model_dir), "--registry"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        took = time.monotonic() - start
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "MG180" in proc.stdout and words in proc.stdout, proc.stdout
        assert "Traceback" not in proc.stderr
        assert took < 15, took  # the 2 s limit, plus starting Python and importing MLflow


def test_the_audit_shows_what_serves_beside_what_is_declared(
    make_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(example=COMPLIANT)
    make_registry(repo.path / "planted.db", 7, {"champion": 7, "previous": 6})
    # a repository cannot choose where the audit connects: its registry_uri is ignored
    repo.write(".modelgov.yaml", "registry_uri: sqlite:///planted.db\n")
    repo.commit("declare", date="2026-11-02")
    uri = make_registry(tmp_path / "org.db", 9, {"champion": 9, "previous": 8})
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    html = tmp_path / "audit.html"
    result = run_cli(
        "audit", str(repo.path), "--registry", "--jobs", "1", "--format", "json",
        "--output", f"html={html}",
    )  # fmt: skip
    assert result.exit_code == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    (row,) = [m for m in report["models"] if m["path"] == "model.yaml"]
    assert (row["serving_version"], row["rollback_target"], row["registry_match"]) == (
        "9", "8", "no"
    )  # fmt: skip
    assert "MG181" in row["failing_rules"]
    assert any("registry_uri ignored" in note for note in row["notes"]), row["notes"]
    assert report["summary"]["registry"] == {"compared": 1, "mismatched": 1, "unreadable": 0}
    text = html.read_text(encoding="utf-8")
    assert "registry mismatches (of 1 compared)" in text
    table = run_cli("audit", str(repo.path), "--registry", "--jobs", "1")
    assert "Registry: 1 models compared, 1 serve another version than they declare." in (
        table.stdout
    )
