"""The README's and docs/workflows' install and CI snippets work against this repository.

Until a release is on PyPI, every snippet pins a commit of this repository
(``git+https://github.com/modelgov/modelgov@SHA``, a pre-commit ``rev:``, an
Action ``uses:``, GitLab's ``MODELGOV_REF``).  The fast tests check that each
pin is a commit here with what its snippet uses, that no instruction installs
the unrelated ``modelgov`` distribution, and that the GitLab example validates
against the GitLab CI schema check-jsonschema vendors.  The slow ones install
the pinned commit the way the snippets do (from this checkout instead of
GitHub) and run the README's commands and the GitLab job's script with it.
The pre-commit snippet is run for real in tests/test_precommit_hook.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelgov
from conftest import BROKEN, COMPLIANT, ROOT, TODAY, git_env

README = ROOT / "README.md"
GITLAB = ROOT / "docs" / "workflows" / "gitlab" / ".gitlab-ci.yml"
DOCS = [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
SNIPPETS = [
    README,
    *sorted((ROOT / "docs" / "workflows").glob("*.yml")),
    GITLAB,
]
URL = "https://github.com/modelgov/modelgov"
PIP_PIN = re.compile(r'"modelgov-lint @ git\+https://github\.com/modelgov/modelgov@([0-9a-f]{40})"')
SHA = re.compile(r"[0-9a-f]{40}")


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False, env=env
    )


def _needs_history() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the pinned commits cannot be looked up")
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("shallow checkout: the pinned commits may not be here")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def pins() -> dict[str, set[str]]:
    """Every commit a snippet pins, with where."""
    found: dict[str, set[str]] = {}
    for path in SNIPPETS:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        for sha in PIP_PIN.findall(text):
            found.setdefault(sha, set()).add(f"{name}: pip")
        for sha in re.findall(r"uses: modelgov/modelgov@([0-9a-f]{40})", text):
            found.setdefault(sha, set()).add(f"{name}: uses")
        for sha in re.findall(r"^\s*rev: ([0-9a-f]{40})", text, re.M):
            found.setdefault(sha, set()).add(f"{name}: rev")
        for sha in re.findall(r"MODELGOV_REF: ([0-9a-f]{40})", text):
            found.setdefault(sha, set()).add(f"{name}: MODELGOV_REF")
    return found


def readme_pin() -> str:
    (sha,) = PIP_PIN.findall(_section("Install"))
    return sha


# -- the pins -------------------------------------------------------------------------------


def test_every_snippet_pins_the_same_commit() -> None:
    found = pins()
    where = {w.split(":")[1].strip() for ws in found.values() for w in ws}
    assert where == {"pip", "uses", "rev", "MODELGOV_REF"}, found
    assert len(found) == 1, f"the snippets pin different commits: {found}"


def test_the_pinned_commit_has_what_the_snippets_use() -> None:
    _needs_history()
    (sha,) = pins()
    assert _git("cat-file", "-t", sha).stdout.strip() == "commit", f"{sha} is not a commit here"
    pyproject = _git("show", f"{sha}:pyproject.toml").stdout
    assert re.search(r'^name = "modelgov-lint"$', pyproject, re.M), "pip would refuse the name"
    for path in (
        ".pre-commit-hooks.yaml",  # the pre-commit snippet
        "action.yml",  # the GitHub workflow
        "src/modelgov/reporters/gitlab.py",  # the GitLab job's --format gitlab
        "src/modelgov/cli/options.py",  # --select, -q, --statistics, stdin in the README
    ):
        assert _git("cat-file", "-e", f"{sha}:{path}").returncode == 0, f"{sha} has no {path}"
    # and it is part of this repository's history, not a dangling object
    assert _git("merge-base", "--is-ancestor", sha, "HEAD").returncode == 0


def _installs(line: str) -> list[str]:
    """The requirements a ``pip install`` on ``line`` names (options dropped)."""
    out = []
    for match in re.finditer(r"pip install (.*?)(?:&&|;|\||$)", line):
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        out += [w for w in words if not w.startswith("-")]
    return out


def test_every_install_instruction_names_modelgov_lint() -> None:
    """The PyPI name modelgov is another project's: no instruction may install it."""
    offenders = []
    for path in [*DOCS, *SNIPPETS]:  # action.yml: tests/test_action.py
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for req in _installs(line):
                if re.match(r"modelgov($|[\s=<>!~\[;@])", req):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
    assert _installs('pip install -q "modelgov==0.1.0" && x') == ["modelgov==0.1.0"]  # sees it
    assert "pip install modelgov-lint" in _section("Install")


def test_the_readme_says_how_to_find_the_current_commit() -> None:
    for title in ("Install", "pre-commit", "GitHub Action"):
        assert f"git ls-remote {URL} HEAD" in _section(title).replace("\n", " "), title
    assert f"git ls-remote {URL} HEAD" in GITLAB.read_text(encoding="utf-8")


def test_the_readme_version_output_is_the_commands() -> None:
    block = re.search(r"```console\n(.*?)```", _section("Install"), re.S)
    assert block
    lines = block.group(1).splitlines()
    shown = lines[lines.index("$ modelgov --version") + 1]
    proc = subprocess.run(
        [sys.executable, "-m", "modelgov", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == shown == f"modelgov, version {modelgov.__version__}"


def test_the_readme_explains_the_annotation_limit() -> None:
    text = " ".join(_section("GitHub Action").split())
    assert "at most 10 annotations of each kind" in text
    assert "step summary" in text and "SARIF" in text


def test_the_changelog_and_release_checklist_exist() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog and "modelgov-lint" in changelog
    release = (ROOT / "docs" / "release.md").read_text(encoding="utf-8")
    for step in ("CHANGELOG.md", "src/modelgov/__init__.py", "git tag", "modelgov-lint"):
        assert step in release
    # the version lives in one place: pyproject reads it from the package
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', pyproject, re.M)
    assert not re.search(r"^version = ", pyproject, re.M)
    assert 'path = "src/modelgov/__init__.py"' in pyproject


# -- GitLab CI --------------------------------------------------------------------------


def test_the_gitlab_example_validates_against_the_gitlab_ci_schema() -> None:
    exe = Path(sys.executable).with_name("check-jsonschema")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "check_jsonschema"]
    proc = subprocess.run(
        [*command, "--builtin-schema", "vendor.gitlab-ci", str(GITLAB)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the validation is not vacuous: a job with a misspelt key fails it
    bad = GITLAB.parent.parent / ".bad-gitlab-ci.yml"
    try:
        bad.write_text(GITLAB.read_text().replace("  script:", "  scirpt:"), encoding="utf-8")
        refused = subprocess.run(
            [*command, "--builtin-schema", "vendor.gitlab-ci", str(bad)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 1, refused.stdout
    finally:
        bad.unlink()


def test_the_readme_shows_the_gitlab_example_verbatim() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", _section("GitLab CI and other CI systems"), re.S)
    assert GITLAB.read_text(encoding="utf-8") in blocks


def _gitlab_job() -> dict[str, Any]:
    job: dict[str, Any] = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["modelgov"]
    return job


def test_the_gitlab_job_uploads_what_it_writes() -> None:
    job = _gitlab_job()
    (script,) = job["script"]
    args = shlex.split(script)
    outputs = dict(a.split("=", 1) for a in args[args.index("check") :] if "=" in a)
    assert job["artifacts"]["reports"] == {
        "codequality": outputs["gitlab"],
        "junit": outputs["junit"],
    }
    assert job["artifacts"]["when"] == "always"  # the reports matter most when it fails
    assert job["variables"]["GIT_DEPTH"] == "0"


# -- the snippets, run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the pinned commit installed as the snippets install it (the
    README's pip line, its GitHub URL replaced by this checkout)."""
    _needs_history()
    sha = readme_pin()
    env_dir = tmp_path_factory.mktemp("pinned") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / "bin"
    (line,) = [
        line[2:] for line in _section("Install").splitlines() if line.startswith("$ pip install")
    ]
    args = shlex.split(line.replace(URL, f"file://{ROOT}"))
    assert args[:2] == ["pip", "install"] and args[2] == f"modelgov-lint @ git+file://{ROOT}@{sha}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "PYTHONPATH"}
    # The pip a new virtualenv comes with reads the README's requirement as it stands...
    readme_req = shlex.split(line)[2]
    parsed = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import sys; from pip._vendor.packaging.requirements import Requirement as R; "
            "r = R(sys.argv[1]); print(r.name, r.url)",
            readme_req,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert parsed.stdout.split() == ["modelgov-lint", f"git+{URL}@{sha}"], parsed.stderr
    # ...but older ones refuse a git+file:// URL (no host), which the tests install from
    upgrade = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    proc = subprocess.run(
        [str(bindir / "python"), "-m", *args, "--quiet", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return bindir


@pytest.mark.slow
def test_the_readme_install_gives_the_modelgov_command(pinned: Path) -> None:
    proc = subprocess.run(
        [str(pinned / "modelgov"), "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("modelgov, version ")
    meta = subprocess.run(
        [
            str(pinned / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('modelgov-lint'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert meta.stdout.strip() == proc.stdout.split()[-1]
    # the Quick start's check of the examples, with the installed command
    quick = subprocess.run(
        [
            str(pinned / "modelgov"),
            "check",
            "--today",
            TODAY,
            "examples/compliant",
            "examples/broken",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert quick.returncode == 1 and "MG131" in quick.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("example", "code"), [(COMPLIANT, 0), (BROKEN, 1)])
def test_the_gitlab_job_runs(pinned: Path, tmp_path: Path, example: Path, code: int) -> None:
    """The job's before_script and script, in a checkout as GitLab makes it (a git
    repository, the project folder as working directory), with the pinned install."""
    job = _gitlab_job()
    project = tmp_path / "project"
    shutil.copytree(example, project)
    genv = git_env(date="2026-11-02")
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "models"]):
        subprocess.run(["git", *args], cwd=project, env=genv, check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("GIT_")}
    env.update({k: str(v) for k, v in job["variables"].items()})
    env.update(
        {
            "PATH": f"{pinned}{os.pathsep}{env['PATH']}",  # the job's python and modelgov
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PROJECT_DIR": str(project),
            "MODELGOV_TODAY": TODAY,
        }
    )
    # the install was done by the fixture from this checkout (no GitHub in tests)
    steps = [s for s in job["before_script"] if "pip install" not in s] + job["script"]
    assert any("pip install" in s and "${MODELGOV_REF}" in s for s in job["before_script"])
    statuses = []
    for step in steps:
        proc = subprocess.run(
            ["bash", "-c", step], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        statuses.append(proc.returncode)
        if proc.returncode != 0:
            break
    assert statuses[-1] == code, proc.stdout + proc.stderr
    quality = json.loads((project / "gl-code-quality.json").read_text(encoding="utf-8"))
    assert (len(quality) > 0) is bool(code)
    assert all(i["location"]["path"] == "model.yaml" for i in quality)
    assert ET.parse(project / "modelgov-junit.xml").getroot().tag == "testsuites"
