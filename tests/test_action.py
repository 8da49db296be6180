"""The GitHub Action: its metadata, the example workflows, and its steps run for real.

``action.yml`` and the README's workflows are validated against the SchemaStore
schemas that the installed ``check-jsonschema`` package vendors, and audited
with ``zizmor --offline``.  The action's ``run:`` steps are executed in bash the
way the runner executes them (``bash --noprofile --norc -eo pipefail``), with
the files and variables a runner provides; the ``uses:`` steps are skipped
(Python is already here).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import BROKEN, COMPLIANT, ROOT, TODAY, GitRepoBuilder, git_env
from test_ci_formats import _validate_sarif

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "docs" / "workflows").glob("*.yml"))
README = ROOT / "README.md"
SHA_PIN = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w./-]+)@([0-9a-f]{40}) # v\d+(?:\.\d+)*\s*$")


def _vendored_schema(name: str) -> dict[str, Any]:
    ref = resources.files("check_jsonschema.builtin_schemas.vendor") / name
    schema: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return schema


def _validate(doc: Any, schema: dict[str, Any]) -> list[str]:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cls(schema).iter_errors(doc)
    ]


def _load_workflow(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # PyYAML (YAML 1.1) reads the key `on:` as the boolean True
        data["on"] = data.pop(True)
    return data


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------ static checks


def test_action_validates_against_the_schema() -> None:
    assert _validate(_action(), _vendored_schema("github-actions.json")) == []


def test_example_workflows_validate_against_the_schema() -> None:
    assert WORKFLOWS, "no example workflows in docs/workflows"
    schema = _vendored_schema("github-workflows.json")
    for path in WORKFLOWS:
        assert _validate(_load_workflow(path), schema) == [], path.name


def test_readme_shows_every_example_workflow() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## GitHub Action\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README has no section 'GitHub Action'"
    # the org-audit workflow is shown in its own section ("Audit an organisation")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    for path in WORKFLOWS:
        assert path.read_text(encoding="utf-8") in blocks, f"README lacks {path.name} verbatim"


def test_action_interface() -> None:
    action = _action()
    assert set(action["inputs"]) == {
        "paths",
        "policy",
        "config",
        "fail-on",
        "format",
        "sarif-file",
        "python-version",
        "version",
    }
    assert set(action["outputs"]) == {"errors", "warnings", "sarif-file"}
    assert action["runs"]["using"] == "composite"


def test_user_input_reaches_scripts_only_through_env() -> None:
    steps = _action()["runs"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert len(runs) >= 3
    for step in runs:
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"
        assert "if" not in step  # the emulation below runs every run step
    for step in steps:
        for key in ("name", "shell", "working-directory"):
            assert "${{" not in str(step.get(key, "")), (step["name"], key)


def test_every_uses_is_pinned_by_commit_with_a_version_comment() -> None:
    for path in [ACTION, *WORKFLOWS]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"^\s*(-\s+)?uses:", line):
                assert SHA_PIN.match(line), f"{path.name}: {line.strip()}"


def test_example_pins_a_commit_of_this_action() -> None:
    """The workflows pin modelgov/modelgov by a commit of this repo that has the action."""
    from modelgov import __version__

    pins = {
        m.group(2): line
        for path in WORKFLOWS
        for line in path.read_text(encoding="utf-8").splitlines()
        if (m := SHA_PIN.match(line)) and m.group(1) == "modelgov/modelgov"
    }
    assert pins, "the example workflows do not use modelgov/modelgov"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    for sha, line in pins.items():
        assert line.rstrip().endswith(f"# v{__version__}"), line
        if not (ROOT / ".git").exists():
            pytest.skip("not a git checkout: cannot look the pinned commit up")
        found = subprocess.run(
            ["git", "-C", str(ROOT), "cat-file", "-e", f"{sha}:action.yml"],
            env=env,
            capture_output=True,
            check=False,
        )
        shallow = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if found.returncode != 0 and shallow == "true":
            pytest.skip("shallow checkout: the pinned commit is not here")
        assert found.returncode == 0, f"{sha} is not a commit of this repository with action.yml"


def test_zizmor_finds_nothing() -> None:
    zizmor = Path(sys.executable).with_name("zizmor")
    exe = str(zizmor) if zizmor.exists() else shutil.which("zizmor")
    assert exe, "zizmor is in the test extras: pip install '.[test]'"
    result = subprocess.run(
        [exe, "--offline", "--no-progress", "--format", "json", str(ACTION), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert json.loads(result.stdout or "[]") == [], result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------- the steps, run like a runner

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Run:
    """What a job sees after the action: its log, outputs, summary and exit code."""

    exit_code: int
    log: str
    outputs: dict[str, str]
    summary: str
    steps: dict[str, dict[str, str]] = field(default_factory=dict)


def _parse_output_file(path: Path) -> dict[str, str]:
    """``key=value`` lines and ``key<<DELIM`` blocks, as the runner reads GITHUB_OUTPUT."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        key, sep, value = line.partition("=")
        assert sep, f"malformed output line {line!r}"
        out[key] = value
        i += 1
    return out


class Runner:
    """Run the ``run:`` steps of a composite action as the Actions runner does."""

    def __init__(
        self,
        workspace: Path,
        temp: Path,
        inputs: dict[str, str],
        env: dict[str, str] | None = None,
    ) -> None:
        self.action = _action()
        self.extra_env = dict(env or {})
        self.workspace = workspace
        self.temp = temp
        self.inputs = {
            name: str(spec.get("default", "")) for name, spec in self.action["inputs"].items()
        }
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs.update(inputs)
        self.steps: dict[str, dict[str, str]] = {}

    def evaluate(self, text: str) -> str:
        def value(m: re.Match[str]) -> str:
            expr = m.group(1)
            if mm := re.fullmatch(r"inputs\.([\w-]+)", expr):
                return self.inputs[mm.group(1)]
            if mm := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                return self.steps.get(mm.group(1), {}).get(mm.group(2), "")
            if expr == "github.action_path":
                return str(ROOT)
            raise AssertionError(f"the emulation does not know the expression {expr!r}")

        return _EXPR.sub(value, text)

    def base_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in git_env().items()
            if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "MODELGOV_"))
        }
        env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_ACTION_PATH": str(ROOT),
                "GITHUB_ACTION_REPOSITORY": "modelgov/modelgov",
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_OS": "Linux",
                "MODELGOV_TODAY": TODAY,
            }
        )
        for name, value in self.inputs.items():
            env[f"INPUT_{name.upper()}"] = value
        env.update(self.extra_env)
        return env

    def run(self, *, only: set[str] | None = None, skip: frozenset[str] = frozenset()) -> Run:
        log: list[str] = []
        summary: list[str] = []
        exit_code = 0
        for n, step in enumerate(self.action["runs"]["steps"]):
            sid = step.get("id", f"__{n}")
            if "uses" in step or sid in skip or (only is not None and sid not in only):
                continue
            files = {
                name: self.temp / f"{name.lower()}_{sid}"
                for name in ("OUTPUT", "STEP_SUMMARY", "ENV", "PATH")
            }
            for path in files.values():
                path.write_text("", encoding="utf-8")
            env = self.base_env()
            env.update({f"GITHUB_{name}": str(path) for name, path in files.items()})
            env.update({k: self.evaluate(str(v)) for k, v in step.get("env", {}).items()})
            script = self.temp / f"step_{sid}.sh"
            script.write_text(step["run"], encoding="utf-8")
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            log.append(proc.stdout)
            log.append(proc.stderr)
            self.steps[sid] = _parse_output_file(files["OUTPUT"])
            summary.append(files["STEP_SUMMARY"].read_text(encoding="utf-8"))
            if proc.returncode != 0:
                exit_code = proc.returncode
                break
        outputs = {
            name: self.evaluate(str(spec["value"])) for name, spec in self.action["outputs"].items()
        }
        return Run(exit_code, "".join(log), outputs, "".join(summary), dict(self.steps))


#: Modules a pull request could add at the root of the checkout to run code in the job,
#: if any step imported from the workspace (``python -m`` and ``python -`` put the current
#: folder first on sys.path): what modelgov imports, what the install step runs, and the
#: modules Python looks for at start-up.
PAYLOADS = (
    "yaml.py", "json.py", "click/__init__.py", "jsonschema.py", "re.py", "typing.py",
    "modelgov/__init__.py", "modelgov/__main__.py", "venv.py", "venv/__main__.py",
    "pip/__init__.py", "pip/__main__.py", "ensurepip/__init__.py", "ensurepip/__main__.py",
    "sitecustomize.py", "usercustomize.py",
)  # fmt: skip


def plant_payloads(workspace: Path, markers: Path) -> None:
    """Each payload, when imported or run, leaves a marker named after itself."""
    markers.mkdir(parents=True, exist_ok=True)
    for rel in PAYLOADS:
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        mark = markers / rel.replace("/", "_")
        path.write_text(
            f"open({str(mark)!r}, 'w').close()\nraise SystemExit('payload {rel} ran')\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def payload_markers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("payload-markers")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, payload_markers: Path) -> dict[str, str]:
    """Run the install step once (pip installs this checkout into a venv in RUNNER_TEMP),
    in a workspace full of payloads (see :func:`test_the_install_step_runs_no_workspace_code`)."""
    temp = tmp_path_factory.mktemp("runner-temp-shared")
    workspace = tmp_path_factory.mktemp("hostile-workspace")
    plant_payloads(workspace, payload_markers / "install")
    runner = Runner(workspace, temp, {})
    result = runner.run(only={"install"})
    assert result.exit_code == 0, result.log
    python = result.steps["install"]["python"]
    assert Path(python).is_file() and python.startswith(str(temp))
    assert "modelgov, version" in result.log
    return result.steps["install"]


def _action_run(workspace: Path, tmp: Path, installed: dict[str, str], **inputs: str) -> Run:
    temp = tmp / "runner-temp"
    temp.mkdir(parents=True)
    runner = Runner(workspace, temp, inputs)
    runner.steps["install"] = dict(installed)
    return runner.run(skip=frozenset({"install"}))


def _shallow_clone(origin: GitRepoBuilder, dest: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.path}", str(dest)],
        env=git_env(),
        check=True,
        capture_output=True,
    )
    return dest


@pytest.mark.slow
def test_action_on_a_failing_shallow_checkout(
    make_repo: Any, tmp_path: Path, installed: dict[str, str]
) -> None:
    origin: GitRepoBuilder = make_repo("origin", example=COMPLIANT)
    origin.commit("declare the model", date="2026-03-01")
    model = origin.path / "model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace("max_minutes: 15 ", "max_minutes: 120 "),
        encoding="utf-8",
    )
    origin.commit("slow rollback", date="2026-11-01")
    workspace = _shallow_clone(origin, tmp_path / "workspace")
    assert GitRepoBuilder(workspace).git("rev-parse", "--is-shallow-repository").strip() == "true"

    result = _action_run(workspace, tmp_path, installed)

    assert result.exit_code == 1, result.log
    annotations = [line for line in result.log.splitlines() if line.startswith("::")]
    assert len(annotations) == 1, annotations
    assert annotations[0].startswith(
        "::error file=model.yaml,line=33,col=16,title=MG131::rollback takes 120 minutes; "
        "the limit for a high-risk model is 30%0Ahint: Bring the rollback within 30 minutes "
    )
    assert "/rollback/max_minutes" in annotations[0]
    assert "Failed: 1 error, 0 warnings in 1 model" in result.log  # the text format
    assert result.outputs["errors"] == "1"
    assert result.outputs["warnings"] == "0"
    sarif = Path(result.outputs["sarif-file"])
    assert sarif == tmp_path / "runner-temp" / "modelgov.sarif"
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    _validate_sarif(doc)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["MG131"]
    assert result.summary.startswith("### :x: modelgov failed: 1 error, 0 warnings in 1 model")
    assert "| model.yaml:33:16 | MG131 | error |" in result.summary
    # The shallow checkout was deepened for the history rules.
    clone = GitRepoBuilder(workspace)
    assert clone.git("rev-parse", "--is-shallow-repository").strip() == "false"
    assert len(clone.git("rev-list", "HEAD").split()) == 2
    assert clone.git("status", "--porcelain") == ""  # the action wrote nothing into the repo


@pytest.mark.slow
def test_action_on_a_passing_repo_with_inputs(
    make_repo: Any, tmp_path: Path, installed: dict[str, str]
) -> None:
    repo: GitRepoBuilder = make_repo("workspace")
    repo.copy_example(COMPLIANT, into="models/fraud")
    repo.copy_example(BROKEN, into="legacy/churn")
    repo.commit("two models")
    sarif = tmp_path / "out" / "modelgov.sarif"

    result = _action_run(
        repo.path,
        tmp_path,
        installed,
        paths="models/fraud\n",
        format="json, text",
        **{"sarif-file": str(sarif), "fail-on": "warning", "python-version": ""},
    )

    assert result.exit_code == 0, result.log
    assert "::error" not in result.log and "::warning" not in result.log
    assert "All clear: 1 model checked" in result.log
    assert '"format_version"' in result.log  # the json format, from the format input
    assert result.outputs == {"errors": "0", "warnings": "0", "sarif-file": str(sarif)}
    _validate_sarif(json.loads(sarif.read_text(encoding="utf-8")))
    assert result.summary.startswith("### :white_check_mark: modelgov: all clear, 1 model checked")
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.slow
def test_action_fails_on_the_chosen_level_and_on_bad_input(
    make_repo: Any, tmp_path: Path, installed: dict[str, str]
) -> None:
    repo: GitRepoBuilder = make_repo("workspace", example=BROKEN)
    repo.commit("broken model")
    never = _action_run(repo.path, tmp_path / "a", installed, **{"fail-on": "never"})
    assert never.exit_code == 0, never.log
    assert int(never.outputs["errors"]) > 5
    assert never.log.count("::error file=model.yaml,") == int(never.outputs["errors"])

    bad = _action_run(repo.path, tmp_path / "b", installed, **{"fail-on": "sometimes"})
    assert bad.exit_code == 2, bad.log
    assert "::error title=modelgov::modelgov could not run (exit 2)" in bad.log
    assert bad.outputs["errors"] == ""


def test_action_rejects_a_version_that_is_not_one(tmp_path: Path) -> None:
    runner = Runner(tmp_path, tmp_path, {"version": "0.1.0 --index-url=https://evil.example"})
    result = runner.run(only={"install"})
    assert result.exit_code == 2, result.log
    assert "the version input must be a version number" in result.log
    assert not (tmp_path / "modelgov-venv").exists()


# ------------------------------------------ no code of the checked-out repository runs


@pytest.mark.slow  # seconds: run in CI, skipped by -m "not slow"
def test_the_install_step_runs_no_workspace_code(
    installed: dict[str, str], payload_markers: Path
) -> None:
    """The install step ran (in the fixture) in a workspace full of payloads."""
    assert installed["python"]
    assert sorted(p.name for p in (payload_markers / "install").iterdir()) == []


@pytest.mark.slow
def test_no_step_runs_code_a_pull_request_adds(
    make_repo: Any, tmp_path: Path, installed: dict[str, str]
) -> None:
    """A pull request adds yaml.py, json.py, a modelgov/ package ... at the root: the
    check and summary steps, run in the checkout, import none of them."""
    repo: GitRepoBuilder = make_repo("workspace", example=COMPLIANT)
    markers = tmp_path / "markers"
    plant_payloads(repo.path, markers)
    repo.commit("a pull request with payloads")
    result = _action_run(repo.path, tmp_path, installed)
    assert sorted(p.name for p in markers.iterdir()) == [], result.log
    assert result.exit_code == 0, result.log
    assert "All clear: 1 model checked" in result.log
    assert result.outputs["errors"] == "0" and result.outputs["warnings"] == "0"


def _wheel(folder: Path, dist: str, version: str, main: str) -> Path:
    """A wheel of a distribution ``dist`` holding a ``modelgov`` package whose
    ``python -m modelgov`` runs ``main`` (a stand-in: no network, no build)."""
    import base64
    import hashlib
    import zipfile

    stem = dist.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    files = {
        "modelgov/__init__.py": "",
        "modelgov/__main__.py": main,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def _install_version(tmp_path: Path, wheels: Path, version: str = "0.1.0") -> Run:
    """The install step with ``version:``, pip fed from a folder of wheels only."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
    runner = Runner(tmp_path / "empty", temp, {"version": version}, env=env)
    (tmp_path / "empty").mkdir()
    return runner.run(only={"install"})


@pytest.mark.slow
def test_the_version_input_installs_modelgov_lint_and_checks_it(tmp_path: Path) -> None:
    """``version:`` installs the distribution modelgov-lint (the PyPI name modelgov is
    another project's) and accepts it when its --version names modelgov and that version."""
    wheels = tmp_path / "wheels"
    # the other project's distribution, under the name this one does not use
    _wheel(wheels, "modelgov", "0.1.0", "print('modelgov 0.1.0 by someone else')\n")
    _wheel(
        wheels,
        "modelgov-lint",
        "0.1.0",
        "import sys\nif sys.argv[1:] == ['--version']:\n    print('modelgov, version 0.1.0')\n",
    )
    result = _install_version(tmp_path, wheels)
    assert result.exit_code == 0, result.log
    assert result.steps["install"]["python"].startswith(str(tmp_path / "runner-temp"))
    assert "modelgov, version 0.1.0" in result.log


@pytest.mark.slow
@pytest.mark.parametrize(
    "main",
    [
        "print('acme-governance 9.9')\n",  # another program entirely
        "print('modelgov, version 2.0.0')\n",  # this name, but not the version asked for
        "raise SystemExit(3)\n",  # prints nothing
    ],
    ids=["foreign", "wrong-version", "silent"],
)
def test_the_version_input_refuses_a_foreign_package(tmp_path: Path, main: str) -> None:
    wheels = tmp_path / "wheels"
    _wheel(wheels, "modelgov-lint", "0.1.0", main)
    result = _install_version(tmp_path, wheels)
    assert result.exit_code == 2, result.log
    assert "::error title=modelgov::the package installed is not modelgov 0.1.0" in result.log
    assert "python" not in result.steps["install"], result.steps
