"""Plug-ins through real entry-point discovery.

Each test lays out an installed distribution the way pip does -- a package
plus a ``*.dist-info`` folder with ``METADATA`` and ``entry_points.txt`` --
in a temporary site folder, puts it on ``PYTHONPATH`` and runs
``python -m modelgov`` in a subprocess, so importlib.metadata discovers it
exactly as it would in a user's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from conftest import ROOT
from modelgov import registry
from modelgov.rules import BUILTIN_MODULES

RULE_MODULE = '''\
"""High-risk models keep drift windows short.

A drift monitor that averages over a month notices a shift weeks late.

Options:
    max_days: the longest window, in days

Fails:
    risk_tier: high
    drift:
      monitors:
        - {signal: input_distribution, metric: psi, threshold: 0.2, window: 30d}

Passes:
    risk_tier: high
    drift:
      monitors:
        - {signal: input_distribution, metric: psi, threshold: 0.2, window: 1d}

Fix: Compute the monitor over a window of at most a week.
"""

from modelgov.findings import Severity
from modelgov.rules.base import Option

ID = "AC100"
NAME = "drift-window-too-long"
SEVERITY = Severity.ERROR
OPTIONS = {"max_days": Option("int", 7, "Longest window in days.")}


def check(ctx):
    monitors = ctx.get("/drift/monitors")
    if ctx.tier != "high" or not isinstance(monitors, list):
        return
    for i, m in enumerate(monitors):
        window = m.get("window") if isinstance(m, dict) else None
        if isinstance(window, str) and window.endswith("d") and window[:-1].isdigit():
            if int(window[:-1]) > ctx.options["max_days"]:
                yield ctx.finding(
                    f"/drift/monitors/{i}/window",
                    f"drift window {window} is longer than {ctx.options['max_days']} days",
                )
'''

MODEL = """\
schema_version: 1
name: fraud-scorer
risk_tier: high
drift:
  monitors:
    - {signal: input_distribution, metric: psi, threshold: 0.2, window: 30d}
"""


def install(
    site: Path, dist: str, files: dict[str, str], groups: dict[str, dict[str, str]]
) -> None:
    """Lay out an installed distribution in ``site`` as pip would."""
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = []
    for group, eps in groups.items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in eps.items()]
        lines.append("")
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")


def modelgov(site: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT / "src")])
    return subprocess.run(
        [sys.executable, "-m", "modelgov", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def acme_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    install(
        site,
        "acme-rules",
        {
            "acme_rules/__init__.py": "from . import ac100_window\nRULES = (ac100_window,)\n"
            "from pathlib import Path\nPACK = str(Path(__file__).with_name('acme.yaml'))\n",
            "acme_rules/ac100_window.py": RULE_MODULE,
            "acme_rules/acme.yaml": """\
                name: acme
                extends: default
                rules:
                  AC100: {options: {max_days: 14}}
                  MG131: {options: {max_minutes: {high: 20}}}
            """,
        },
        {
            "modelgov.rules": {"acme": "acme_rules:RULES"},
            "modelgov.policies": {"acme": "acme_rules:PACK"},
        },
    )
    return site


def test_a_plugin_rule_runs_and_is_documented(acme_site: Path, tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "model.yaml").write_text(MODEL, encoding="utf-8")
    rules = modelgov(acme_site, "rules")
    assert rules.returncode == 0, rules.stderr
    line = next(ln for ln in rules.stdout.splitlines() if ln.startswith("AC100"))
    assert "drift-window-too-long" in line and "High-risk models keep drift windows short." in line
    explain = modelgov(acme_site, "explain", "drift-window-too-long")
    assert explain.returncode == 0, explain.stderr
    assert explain.stdout.startswith(
        "AC100 drift-window-too-long (default severity: error; from acme-rules"
    )
    assert "max_days (int): Longest window in days.  [7 / 7 / 7]" in explain.stdout
    assert "Fails:\n    risk_tier: high" in explain.stdout
    check = modelgov(acme_site, "check", str(tmp_path / "repo"), "--format", "json")
    assert check.returncode == 1, check.stderr
    assert '"rule": "AC100"' in check.stdout
    assert '"pointer": "/drift/monitors/0/window"' in check.stdout
    assert '"line": 6' in check.stdout
    # Without the plug-in on the path the rule is simply not there.
    plain = modelgov(tmp_path / "empty-site", "rules")
    assert "AC100" not in plain.stdout


def test_a_policy_pack_from_an_installed_package_is_extended_by_name(
    acme_site: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "model.yaml").write_text(
        MODEL.replace("window: 30d", "window: 10d") + "rollback: {max_minutes: 25}\n",
        encoding="utf-8",
    )
    (repo / "org.yaml").write_text("name: org\nextends: acme\n", encoding="utf-8")
    (repo / ".modelgov.yaml").write_text("policy: org.yaml\n", encoding="utf-8")
    result = modelgov(acme_site, "check", str(repo), "--format", "json")
    (target,) = json.loads(result.stdout)["targets"]
    assert target["policy"]["chain"][:2] == ["default", "acme"], result.stderr
    # acme allows 14-day windows (10d passes) but only 20 minutes of rollback for high risk.
    assert '"rule": "AC100"' not in result.stdout
    assert "the limit for a high-risk model is 20" in result.stdout
    by_name = modelgov(acme_site, "rules", "--policy", "acme")
    assert by_name.returncode == 0, by_name.stderr
    assert "Rules under policy acme" in by_name.stdout


def test_a_plugin_that_fails_to_import_stops_the_run(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install(
        site,
        "acme-broken",
        {"acme_broken/__init__.py": "import acme_missing_dependency\n"},
        {"modelgov.rules": {"broken": "acme_broken:RULES"}},
    )
    for args in (["rules"], ["check", str(ROOT / "examples" / "compliant")]):
        result = modelgov(site, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert (
            "modelgov: error: rule plug-in acme-broken (entry point broken = acme_broken:RULES)"
            in result.stderr
        )
        assert "failed to import: ModuleNotFoundError" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ('"""Doc."""\nID = "AC1"\nSEVERITY = None\ndef check(ctx): return []\n', "missing NAME"),
        (
            '"""Doc."""\nfrom modelgov.findings import Severity\nID = "MG999"\nNAME = "x"\n'
            "SEVERITY = Severity.ERROR\ndef check(ctx): return []\n",
            "id MG999 uses the prefix MG",
        ),
        (
            '"""Doc."""\nfrom modelgov.findings import Severity\nID = "AC2"\nNAME = "schema"\n'
            "SEVERITY = Severity.ERROR\ndef check(ctx): return []\n",
            "collides with MG010 (schema)",
        ),
    ],
)
def test_a_plugin_with_a_bad_rule_stops_the_run(tmp_path: Path, module: str, message: str) -> None:
    site = tmp_path / "site"
    install(
        site,
        "acme-bad",
        {"acme_bad/__init__.py": "", "acme_bad/rule.py": module},
        {"modelgov.rules": {"bad": "acme_bad.rule"}},
    )
    result = modelgov(site, "rules")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "acme-bad (entry point bad = acme_bad.rule)" in result.stderr
    assert message in result.stderr


def test_builtin_rules_are_declared_as_an_entry_point() -> None:
    eps = [
        ep
        for ep in entry_points(group="modelgov.rules")
        if ep.value == registry.BUILTIN_ENTRY_POINT
    ]
    assert [ep.name for ep in eps] == ["modelgov"], "reinstall modelgov: pip install -e ."
    assert eps[0].load() is BUILTIN_MODULES
    # The registry accepts the tuple of modules, and gets exactly the built-ins.
    assert [
        r.id
        for r in registry.Registry({}).with_rules(
            registry.rule_from_module(m) for m in eps[0].load()
        )
    ] == [r.id for r in registry.builtin()]


def test_the_prescan_only_answers_no_when_sure(tmp_path: Path) -> None:
    own = tmp_path / "own"
    install(
        own,
        "modelgov",
        {},
        {
            "modelgov.rules": {"modelgov": registry.BUILTIN_ENTRY_POINT},
            "console_scripts": {"modelgov": "modelgov.cli:main"},
        },
    )
    assert not registry._declares_plugins("modelgov.rules", [str(own), str(tmp_path / "nope")])
    other = tmp_path / "other"
    install(other, "acme-x", {}, {"modelgov.rules": {"x": "acme_x:RULES"}})
    assert registry._declares_plugins("modelgov.rules", [str(own), str(other)])
    assert not registry._declares_plugins("modelgov.policies", [str(other)])
    archive = tmp_path / "app.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.txt", "")
    assert registry._declares_plugins("modelgov.rules", [str(own), str(archive)])
