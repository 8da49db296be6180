"""The command-line habits users carry over from ruff, yamllint, Checkov and check-jsonschema.

Every test drives the installed ``modelgov`` command in a subprocess, as a
user or a CI job would: rule selection, ``-q`` and ``--statistics``, stdin
with ``--stdin-filename``, colour from the environment, a closed or full
standard output, one format per output file, "did you mean", help with
examples, shell completion and the permissions of the files written.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import BROKEN, COMPLIANT, ROOT, TODAY, GitRepoBuilder

EXE = shutil.which("modelgov", path=str(Path(sys.executable).parent))
COMMAND = [EXE] if EXE else [sys.executable, "-m", "modelgov"]
EXAMPLE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
SAM = "Sam Lee <sam.lee@example.com>"


def run(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str | None] | None = None,
    stdin: str | None = None,
    **kwargs: Any,
) -> subprocess.CompletedProcess[str]:
    """The installed command, with today pinned; ``env`` values of ``None`` are unset."""
    environ = {**os.environ, "MODELGOV_TODAY": TODAY, **(env or {})}
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env={k: v for k, v in environ.items() if v is not None},
        input=stdin,
        text=True,
        check=False,
        timeout=60,
        **kwargs,
    )


def findings(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode in (0, 1), proc.stderr
    found: list[dict[str, Any]] = json.loads(proc.stdout)["findings"]
    return found


def rules_of(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {f["rule"] for f in findings(proc)}


# -- --select / --ignore ---------------------------------------------------------------


def test_select_takes_ids_prefixes_and_names() -> None:
    every = rules_of(run("check", str(BROKEN), "--format", "json"))
    assert {"MG131", "MG200", "MG141", "MG212"} <= every
    only = run("check", str(BROKEN), "--format", "json", "--select", "MG2")
    assert rules_of(only) == {r for r in every if r.startswith("MG2")}
    named = run("check", str(BROKEN), "--format", "json", "--select", "rollback-too-slow,MG141")
    assert rules_of(named) == {"MG131", "MG141"}
    both = run("check", str(BROKEN), "--format", "json", "--select", "MG1", "--ignore", "MG14")
    assert rules_of(both) == {r for r in every if r.startswith("MG1") and not r.startswith("MG14")}
    # the report says the command line chose the rules
    assert json.loads(both.stdout)["targets"][0]["policy"]["chain"][-1] == (
        "--select MG1 --ignore MG14"
    )
    ignored = run("check", str(BROKEN), "--format", "json", "--ignore", "ALL")
    assert ignored.returncode == 0 and findings(ignored) == []


def test_selection_applies_after_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(BROKEN, folder)
    # the config turns MG131 off and MG200 off for high-risk models only
    (folder / ".modelgov.yaml").write_text(
        "rules:\n  MG131: {enabled: false}\n  MG200:\n    tiers:\n      high: {enabled: false}\n",
        encoding="utf-8",
    )
    found = rules_of(run("check", str(folder), "--format", "json"))
    assert "MG131" not in found and "MG200" not in found
    # --select runs what it names, whatever the config said (as ruff's command line)
    chosen = rules_of(run("check", str(folder), "--format", "json", "--select", "MG131,MG200"))
    assert chosen == {"MG131", "MG200"}
    # --ignore wins over the config turning a rule on
    assert "MG141" not in rules_of(
        run("check", str(folder), "--format", "json", "--ignore", "MG141")
    )


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("--select", "MG999", "did you mean MG193?"),
        ("--ignore", "rollback-to-slow", "did you mean rollback-too-slow?"),
        ("--select", "XY", ""),
    ],
)
def test_unknown_rules_in_a_selection_are_usage_errors(option: str, value: str, hint: str) -> None:
    proc = run("check", str(COMPLIANT), option, value)
    assert proc.returncode == 2
    assert f"{option} {value}: no rule has this id, id prefix or name" in proc.stderr
    assert hint in proc.stderr
    assert "Traceback" not in proc.stderr


# -- -q / --quiet, --statistics, the summary -------------------------------------------------


def test_the_summary_names_the_models_that_passed() -> None:
    proc = run("check", "examples/compliant", "examples/broken")
    assert proc.returncode == 1
    tail = proc.stdout.splitlines()[-3:]
    assert re.match(r"failed  examples/broken/model\.yaml +Churn Model \(21 errors\)$", tail[0])
    assert re.match(r"passed  examples/compliant/model\.yaml +fraud-scorer$", tail[1])
    assert tail[2].startswith("Failed: 21 errors, 0 warnings in 2 models")
    clean = run("check", "examples/compliant").stdout.splitlines()
    assert clean[0].startswith("passed  examples/compliant/model.yaml  fraud-scorer")
    assert clean[1].startswith("All clear: 1 model checked")


def test_quiet_prints_the_findings_only() -> None:
    loud = run("check", "examples/broken").stdout
    quiet = run("check", "examples/broken", "-q")
    assert quiet.returncode == 1  # quiet does not change the verdict
    assert quiet.stdout == loud[: loud.index("\n\nfailed  ")] + "\n"
    assert "Failed:" not in quiet.stdout and "hint:" in quiet.stdout
    assert run("check", "examples/compliant", "--quiet").stdout == ""


def test_statistics_count_findings_per_rule() -> None:
    proc = run("check", "examples/broken", "--statistics")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    every = findings(run("check", "examples/broken", "--format", "json"))
    rows = [line for line in lines if re.match(r"^\s*\d+  MG\d+", line)]
    counted = {}
    for row in rows:
        count, rule, severity, name = row.split()
        counted[rule] = int(count)
        assert severity == "error" and name  # every rule's name is shown
    assert counted == {
        r: sum(1 for f in every if f["rule"] == r) for r in {f["rule"] for f in every}
    }
    assert sum(counted.values()) == 21 and "hint:" not in proc.stdout
    counts = [int(r.split()[0]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert lines[-1].startswith("Failed: 21 errors")
    quiet = run("check", "examples/broken", "--statistics", "-q").stdout.splitlines()
    assert quiet == rows


# -- stdin ------------------------------------------------------------------------------


def test_stdin_is_judged_as_if_it_were_at_the_stdin_filename(tmp_path: Path) -> None:
    folder = tmp_path / "fraud"
    shutil.copytree(COMPLIANT, folder)
    (folder / "model.yaml").unlink()
    # at its place in the repository, every referenced runbook and handoff exists
    placed = run("check", "-", "--stdin-filename", "fraud/model.yaml", cwd=tmp_path, stdin=EXAMPLE)
    assert placed.returncode == 0, placed.stdout + placed.stderr
    assert "passed  fraud/model.yaml  fraud-scorer" in placed.stdout
    # elsewhere, the references lead nowhere: the findings name the path given
    elsewhere = run(
        "check",
        "-",
        "--stdin-filename",
        "model.yaml",
        "--format",
        "json",
        cwd=tmp_path,
        stdin=EXAMPLE,
    )
    missing = [f for f in findings(elsewhere) if f["rule"] == "MG160"]
    assert missing and {f["file"] for f in missing} == {"model.yaml"}
    # without --stdin-filename it is `-` in the working directory
    bare = run(
        "check",
        "-",
        "--format",
        "json",
        cwd=folder,
        stdin=EXAMPLE.replace("max_minutes: 15 ", "max_minutes: 120 "),
    )
    assert [(f["file"], f["rule"]) for f in findings(bare)] == [("-", "MG131")]
    text = run("check", "-", cwd=folder, stdin="name: [unclosed\n")
    assert text.returncode == 1 and text.stdout.startswith("-:2:1: error MG001")
    assert not (folder / "model.yaml").exists()  # stdin is never written anywhere


def test_stdin_history_is_the_history_of_that_path(make_repo: Any) -> None:
    r: GitRepoBuilder = make_repo(example=COMPLIANT)
    # reviewed before the code changed (a later review date would cover the change: MG202),
    # and after the incident (else the review is older than the incident: MG207)
    declared = EXAMPLE.replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-09-01").replace(
        "    date: 2026-09-14\n", "    date: 2026-08-14\n"
    )
    r.write("model.yaml", declared)
    r.commit("declare fraud-scorer", date="2026-06-01")
    r.write("src/fraud/score.py", "THRESHOLD = 0.8\n")
    r.commit("Tune fraud threshold", date="2026-09-14", author=SAM)
    on_disk = findings(run("check", str(r.path), "--format", "json"))
    assert [f["rule"] for f in on_disk] == ["MG202"]
    # the same bytes on stdin, placed at model.yaml: the same history, the same finding
    same = run(
        "check",
        "-",
        "--stdin-filename",
        "model.yaml",
        "--format",
        "json",
        cwd=r.path,
        stdin=declared,
    )
    assert [(f["rule"], f["line"]) for f in findings(same)] == [("MG202", on_disk[0]["line"])]
    # an edited declaration on stdin counts as changed now, as an unstaged edit would
    edited = declared.replace("last_reviewed: 2026-09-01", "last_reviewed: 2026-11-29")
    assert edited != declared
    fresh = run(
        "check", "-", "--stdin-filename", "model.yaml", "--format", "json", cwd=r.path, stdin=edited
    )
    assert findings(fresh) == []
    assert (r.path / "model.yaml").read_text(encoding="utf-8") == declared


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-", "examples/compliant"], "cannot be combined with other paths"),
        (["--stdin-filename", "x/model.yaml", "examples"], "give `-` as the only PATH"),
        (["-", "--staged"], "cannot be combined with --staged"),
        (["-", "--stdin-filename", "no/such/folder/model.yaml"], "does not exist"),
        (["-", "--stdin-filename", "examples"], "is a folder"),
    ],
)
def test_stdin_mistakes_are_usage_errors(args: list[str], message: str) -> None:
    proc = run("check", *args, stdin=EXAMPLE)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr


# -- colour -----------------------------------------------------------------------------


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """stdout of ``modelgov`` when it is a terminal (a pseudo-terminal)."""
    import threading

    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while it writes: a full terminal buffer would block it
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the last writer closed its end
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    try:
        proc = subprocess.run(
            [*COMMAND, *args],
            cwd=ROOT,
            env={**environ, "MODELGOV_TODAY": TODAY, **env},
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    assert proc.returncode == 1, proc.stderr
    return b"".join(chunks).decode()


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm", "NO_COLOR": "1"}, False),
        ({"TERM": "xterm", "NO_COLOR": ""}, True),  # set but empty: no effect (no-color.org)
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
        ({"TERM": "xterm", "FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_on_a_terminal_follows_the_environment(env: dict[str, str], coloured: bool) -> None:
    out = _on_a_terminal("check", "examples/broken", env=env)
    assert "MG131" in out
    assert ("\x1b[" in out) is coloured


def test_colour_off_a_terminal() -> None:
    assert "\x1b[" not in run("check", "examples/broken").stdout
    forced = run("check", "examples/broken", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[31merror\x1b[0m" in forced
    assert "\x1b[" not in run("check", "examples/broken", env={"FORCE_COLOR": "0"}).stdout
    # the command line wins over the environment
    assert "\x1b[" in run("check", "examples/broken", "--color", env={"NO_COLOR": "1"}).stdout
    assert (
        "\x1b["
        not in run("check", "examples/broken", "--no-color", env={"FORCE_COLOR": "1"}).stdout
    )
    # and colour never reaches a file or another format
    assert (
        "\x1b["
        not in run("check", "examples/broken", "--format", "json", env={"FORCE_COLOR": "1"}).stdout
    )


@pytest.mark.slow
def test_the_audit_table_follows_the_same_colour_rules(make_repo: Any) -> None:
    repo: GitRepoBuilder = make_repo(example=BROKEN)
    repo.commit("a broken model")
    args = ("audit", str(repo.path), "--jobs", "1", "--no-progress")
    assert "\x1b[" in run(*args, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run(*args).stdout


# -- a closed or full standard output -----------------------------------------------------


def test_a_closed_pipe_ends_quietly_with_the_broken_pipe_status() -> None:
    for args in (["check", "examples/broken", "examples/compliant"], ["rules"], ["schema"]):
        proc = subprocess.Popen(
            [*COMMAND, *args],
            cwd=ROOT,
            env={**os.environ, "MODELGOV_TODAY": TODAY},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before modelgov writes (`| head -0`)
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 141, err
        assert err == "", err


def test_head_in_a_shell_pipeline(tmp_path: Path) -> None:
    script = f"set -o pipefail; {' '.join(COMMAND)} rules | head -1; echo status=$?"
    proc = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.stdout.splitlines()[0].startswith("Rules under policy")
    assert proc.stdout.splitlines()[-1] in ("status=0", "status=141")  # 0 when it all fit the pipe
    assert "Traceback" not in proc.stderr and "error" not in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_a_clean_usage_error() -> None:
    with open("/dev/full", "w") as full:
        proc = run(
            "check", "examples/broken", stdout=full, capture_output=False, stderr=subprocess.PIPE
        )
    assert proc.returncode == 2
    assert proc.stderr == "modelgov: error: cannot write standard output: No space left on device\n"
    to_file = run("check", "examples/broken", "--output", "/dev/full")
    assert to_file.returncode == 2
    assert to_file.stderr == "modelgov: error: cannot write /dev/full: No space left on device\n"
    pair = run("check", "examples/broken", "--output", "sarif=/dev/full")
    assert pair.returncode == 2 and "internal error" not in pair.stderr


# -- one format per file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--output", "r.sarif"],
            "--output r.sarif would get the text format, not sarif; to write sarif there, "
            "use --output sarif=r.sarif (or --format sarif --output r.sarif)",
        ),
        (
            ["--format", "json", "--output", "report.xml"],
            "use --output junit=report.xml",
        ),
        (
            ["--format", "json", "--format", "sarif", "--output", "r.json"],
            "--output r.json would hold 2 formats (json, sarif) in one file; write each to its "
            "own file instead: --output json=r.json --output sarif=r.sarif",
        ),
        (
            ["--output", "sarif=r.out", "--output", "json=r.out"],
            "--output sarif=r.out and --output json=r.out write two formats into one file",
        ),
        (["--output", "r.txt", "--output", "text=r.txt"], "is also named by --output text=r.txt"),
        (["--output", "sarf=r.sarif"], "unknown format 'sarf' in --output (did you mean sarif?)"),
    ],
)
def test_one_format_per_output_file(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run("check", str(COMPLIANT), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_matching_names_and_formats_are_written(tmp_path: Path) -> None:
    ok = run(
        "check",
        str(COMPLIANT),
        "--format",
        "sarif",
        "--output",
        "r.sarif",
        "--output",
        "gitlab=gl.json",
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((tmp_path / "gl.json").read_text()) == []
    # `auto` into a file is text, even inside GitHub Actions (annotations act only in a log)
    ci = run(
        "check", str(BROKEN), "--output", "log.txt", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"}
    )
    assert ci.returncode == 1
    assert "::error" not in (tmp_path / "log.txt").read_text()


# -- output files respect the umask --------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_respect_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    def with_umask() -> None:
        os.umask(umask)

    out = tmp_path / "reports" / "r.sarif"
    proc = run(
        "check",
        str(COMPLIANT),
        "--output",
        f"sarif={out}",
        "--output",
        str(tmp_path / "r.txt"),
        preexec_fn=with_umask,
    )
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "r.txt").stat().st_mode) == mode
    # an existing file keeps its own permissions when it is replaced
    out.chmod(0o640)
    run("check", str(COMPLIANT), "--output", f"sarif={out}", preexec_fn=with_umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


# -- did you mean ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "MG999"], "unknown rule 'MG999' (did you mean MG193?)"),
        (["explain", "rollback-to-slow"], "(did you mean rollback-too-slow?)"),
        (["chekc", "."], "No such command 'chekc' (did you mean check?)."),
        (["check", "--format", "sarf"], "'sarf' is not one of"),
        (["check", "--format", "sarf"], "(did you mean sarif?)"),
        (["check", "--fail-on", "warnings"], "(did you mean warning?)"),
        (["check", "--formt", "json"], "Did you mean '--format'?"),
        (["rules", "--format", "jsn"], "(did you mean json?)"),
        (["audit", "--format", "htm", "."], "(did you mean html?)"),
    ],
)
def test_did_you_mean(args: list[str], message: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


def test_did_you_mean_for_config_keys(tmp_path: Path) -> None:
    shutil.copytree(COMPLIANT, tmp_path / "m")
    (tmp_path / "m" / ".modelgov.yaml").write_text("polcy: strict\nfail-on: warning\n")
    proc = run("check", str(tmp_path / "m"))
    assert proc.returncode == 2
    assert "unknown key(s) fail-on, polcy" in proc.stderr
    assert "did you mean fail_on for fail-on?" in proc.stderr
    assert "did you mean policy for polcy?" in proc.stderr
    (tmp_path / "m" / ".modelgov.yaml").write_text("rules:\n  MG13:\n    enabled: false\n")
    rule = run("check", str(tmp_path / "m"))
    assert rule.returncode == 2 and "unknown rule 'MG13'" in rule.stderr


# -- help and completion -----------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["rules"],
        ["explain"],
        ["schema"],
        ["init"],
        ["policy", "test"],
        ["waivers"],
        ["audit"],
        ["audit", "merge"],
    ],
)
def test_every_command_shows_an_example(command: list[str]) -> None:
    proc = run(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Examples:" in proc.stdout
    assert f"$ modelgov {' '.join(command)}" in proc.stdout


def test_top_level_help_mentions_completion() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "_MODELGOV_COMPLETE=bash_source modelgov" in proc.stdout


def test_shell_completion() -> None:
    script = run(env={"_MODELGOV_COMPLETE": "bash_source"})
    assert script.returncode == 0
    assert "_modelgov_completion" in script.stdout and "complete " in script.stdout
    for shell in ("zsh_source", "fish_source"):
        assert run(env={"_MODELGOV_COMPLETE": shell}).stdout.strip()

    def complete(words: str) -> list[str]:
        proc = run(
            env={
                "_MODELGOV_COMPLETE": "bash_complete",
                "COMP_WORDS": words,
                "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
            }
        )
        assert proc.returncode == 0, proc.stderr
        return [line.split(",", 1)[1] for line in proc.stdout.splitlines()]

    assert "check" in complete("modelgov ch")
    assert "--format" in complete("modelgov check --fo")
    assert {"sarif", "gitlab", "github"} <= set(complete("modelgov check --format "))
    assert "--manifest" in complete("modelgov audit --man")


# -- the distribution ----------------------------------------------------------------------


def test_the_distribution_is_modelgov_lint_and_the_command_modelgov() -> None:
    from importlib.metadata import distribution

    import modelgov

    dist = distribution("modelgov-lint")
    assert dist.version == modelgov.__version__
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"modelgov": "modelgov.cli:main"}
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout == f"modelgov, version {modelgov.__version__}\n"
