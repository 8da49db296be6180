"""Layers: exactly two places run programs, and what the rules read reaches neither.

``modelgov.git`` (git) and ``modelgov.sshsig`` (``ssh-keygen``, for signed
approvals) are the only modules that run programs: no other module of
``src/modelgov`` imports ``subprocess`` at all (none needs it: the audit's
workers are Python processes started by ``multiprocessing``, and run git
through ``modelgov.git`` like everything else), nor calls an ``os``, ``pty``
or ``asyncio`` function that runs a program.  The rules and the facts they
read import nothing of ``modelgov.git`` or ``modelgov.sshsig``, and
``modelgov check`` never loads the clone code.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from conftest import COMPLIANT, ROOT, TODAY

SRC = ROOT / "src" / "modelgov"
GIT = SRC / "git"
SSHSIG = SRC / "sshsig.py"
#: Calls that run a program without ``subprocess``.
RUNNERS = {
    "os": ("system", "popen", "exec", "spawn", "posix_spawn", "startfile"),
    "pty": ("spawn",),
    "asyncio": ("create_subprocess_",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in ``tree``, relative ones resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if node.module:
                yield node.lineno, base
            else:  # ``from .. import git``: the names are modules
                for alias in node.names:
                    yield node.lineno, f"{base}.{alias.name}"


def runs_programs(path: Path) -> list[str]:
    """Where ``path`` imports ``subprocess`` or calls an ``os``/``pty``/``asyncio`` runner."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for line, name in imported(path, tree)
        if name == "subprocess"
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            prefixes = RUNNERS.get(owner.id, ()) if isinstance(owner, ast.Name) else ()
            if node.func.attr.startswith(prefixes):
                found.append(
                    f"{path.relative_to(ROOT)}:{node.lineno}: calls {ast.unparse(node.func)}"
                )
        elif isinstance(node, ast.ImportFrom) and node.module in RUNNERS:
            for alias in node.names:
                if alias.name.startswith(RUNNERS[node.module]):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {alias.name}")
    return found


def test_only_the_git_package_and_sshsig_run_programs() -> None:
    outside = [p for p in sorted(SRC.rglob("*.py")) if GIT not in p.parents and p != SSHSIG]
    assert len(outside) > 50
    offenders = [where for path in outside for where in runs_programs(path)]
    assert offenders == [], (
        "only modelgov/git/ and modelgov/sshsig.py may run programs:\n" + "\n".join(offenders)
    )
    # the scan sees what it looks for: the git package runs git, sshsig runs ssh-keygen
    assert any(runs_programs(p) for p in GIT.glob("*.py"))
    assert runs_programs(SSHSIG)


def test_rules_and_facts_import_nothing_that_runs_programs() -> None:
    offenders = []
    for folder in (SRC / "rules", SRC / "facts"):
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            offenders += [
                f"{path.relative_to(ROOT)}:{line}: {name}"
                for line, name in imported(path, tree)
                if name in ("modelgov.git", "modelgov.sshsig") or name.startswith("modelgov.git.")
            ]
    assert offenders == []
    # nor through another module: loading every rule and the facts loads no git or ssh code
    code = (
        "import importlib, pkgutil, sys\n"
        "import modelgov.facts.history, modelgov.facts.approvals, modelgov.rules\n"
        "for m in pkgutil.iter_modules(modelgov.rules.__path__):\n"
        "    importlib.import_module('modelgov.rules.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['modelgov', 'git'], "
        "['modelgov', 'sshsig'])))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_check_never_loads_the_clone_code(tmp_path: Path) -> None:
    """A check that walks the history (``walk``) and still has no use for remotes."""
    code = (
        "import sys\n"
        "from modelgov.cli import main\n"
        f"code = main(['check', {str(COMPLIANT)!r}, '--output', {str(tmp_path / 'r.txt')!r}])\n"
        "sys.stderr.write(f'exit={code} walk={\"modelgov.git.walk\" in sys.modules} '\n"
        "                 f'remote={\"modelgov.git.remote\" in sys.modules}')\n"
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stderr.endswith("exit=0 walk=True remote=False"), proc.stderr


# -- the import graph: layers depend downward only -------------------------------------------

#: Layers from the bottom up; a module may import its own layer and those below it.
#: The longest matching prefix places a module (``modelgov.audit.render`` is a pure renderer
#: of reports, the rest of ``modelgov.audit`` runs audits).  ``modelgov.cli`` is the one
#: command-line package: nothing below it imports it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("modelgov", "modelgov.errors", "modelgov.findings", "modelgov.results", "modelgov.resources",
     "modelgov.hashing"),
    ("modelgov.document", "modelgov.pathmatch", "modelgov.repoview", "modelgov.schema",
     "modelgov.bounded",
     "modelgov.people", "modelgov.facts", "modelgov.playbook.model",
     "modelgov.playbook.incidents"),
    ("modelgov.git", "modelgov.sshsig", "modelgov.mlregistry", "modelgov.rules"),
    ("modelgov.registry", "modelgov.custom", "modelgov.policy", "modelgov.config",
     "modelgov.frameworks"),
    ("modelgov.engine",),
    ("modelgov.reporters", "modelgov.playbook", "modelgov.audit.report", "modelgov.audit.render",
     "modelgov.audit.rows", "modelgov.audit.columns", "modelgov.audit.diff"),
    ("modelgov.audit",),
    ("modelgov.commands", "modelgov.policytest", "modelgov.docs", "modelgov.hooks"),
    ("modelgov.cli", "modelgov.__main__"),
)  # fmt: skip
#: Reporters are pure functions of results: these are all they may import.
PURE = {
    "modelgov.reporters": ("modelgov.results", "modelgov.findings", "modelgov.reporters"),
    "modelgov.audit.render": (
        "modelgov.audit.report",
        "modelgov.audit.render",
        "modelgov.reporters._safe",
        "modelgov.audit.rows",
        "modelgov.audit.columns",
        "modelgov.reporters.markdown",
        "modelgov.results",
        "modelgov.findings",
        "modelgov.errors",
    ),
}
#: The playbook's renderers are pure functions of playbooks (built in ``playbook.model``).
PURE_PLAYBOOK = (
    "modelgov.playbook", "modelgov.reporters._safe", "modelgov.reporters.markdown",
)  # fmt: skip


def layer(name: str) -> int:
    best = (-1, -1)
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best[1]:
                best = (rank, len(prefix))
    assert best[0] >= 0, f"{name} belongs to no layer: add it to LAYERS"
    return best[0]


def modelgov_imports(path: Path) -> Iterator[tuple[int, str]]:
    """The modules of modelgov ``path`` imports (``from x import y``: x, and x.y if a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for line, name in imported(path, tree):
        if name == "modelgov" or name.startswith("modelgov."):
            yield line, name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = next(n for ln, n in imported(path, ast.Module([node], [])))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate.startswith("modelgov.") and (
                    (SRC.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                    or (SRC.parent / candidate.replace(".", "/")).is_dir()
                ):
                    yield node.lineno, candidate


def test_layers_depend_downward_only() -> None:
    offenders = []
    modules = sorted(SRC.rglob("*.py"))
    for path in modules:
        me = module_name(path)
        mine = layer(me)
        for line, name in modelgov_imports(path):
            if layer(name) > mine:
                offenders.append(
                    f"{path.relative_to(ROOT)}:{line}: {me} (layer {mine}) imports {name} "
                    f"(layer {layer(name)})"
                )
    assert len(modules) > 100
    assert offenders == [], "a lower layer imports a higher one:\n" + "\n".join(offenders)


def test_no_module_below_the_commands_imports_a_command() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted(SRC.rglob("*.py"))
        if layer(module_name(path)) < layer("modelgov.commands")
        for line, name in modelgov_imports(path)
        if name.startswith("modelgov.commands")
    ]
    assert offenders == []


def test_the_command_line_is_one_package_on_top() -> None:
    """Only ``modelgov/cli/`` (and ``__main__``) parse argv; nothing else imports them, and
    its click-free half (the fast path of ``check``) imports no click."""
    cli = SRC / "cli"
    assert sorted(p.name for p in cli.glob("*.py")) == [
        "__init__.py", "app.py", "approve.py", "audit.py", "audit_diff.py", "export.py", "fast.py",
        "options.py",
    ]  # fmt: skip
    for gone in ("entry.py", "cli.py", "checkargs.py", "audit/cli.py"):
        assert not (SRC / gone).exists(), f"{gone} moved into modelgov/cli/"
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted(SRC.rglob("*.py"))
        if cli not in path.parents and path.name != "__main__.py"
        for line, name in modelgov_imports(path)
        if name == "modelgov.cli" or name.startswith("modelgov.cli.")
    ]
    assert offenders == []
    clicky = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in (cli / "__init__.py", cli / "fast.py", cli / "options.py")
        for line, name in imported(path, ast.parse(path.read_text(encoding="utf-8")))
        if name == "click" or name.startswith("click.")
    ]
    assert clicky == [], "the fast path of check must not import click"
    assert layer("modelgov.cli.options") == layer("modelgov.cli") == len(LAYERS) - 1


def test_reporters_are_pure_functions_of_results() -> None:
    offenders = []
    for package, allowed in PURE.items():
        folder = SRC.joinpath(*package.split(".")[1:])
        for path in sorted(folder.rglob("*.py")):
            for line, name in modelgov_imports(path):
                if not any(name == a or name.startswith(a + ".") for a in allowed):
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert offenders == [], "reporters may only read results:\n" + "\n".join(offenders)


def test_playbook_renderers_are_pure_functions_of_playbooks() -> None:
    """``modelgov.playbook``'s renderers read playbooks; only ``model`` (and its
    ``incidents``) read documents and results, low in the layers, for the audit's workers."""
    folder = SRC / "playbook"
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted(folder.glob("*.py"))
        if path.stem not in ("model", "incidents")
        for line, name in modelgov_imports(path)
        if not any(name == a or name.startswith(a + ".") for a in PURE_PLAYBOOK)
    ]
    assert offenders == []
    assert layer("modelgov.playbook.model") < layer("modelgov.engine") < layer("modelgov.playbook")


def test_the_layer_check_sees_a_violation(tmp_path: Path) -> None:
    """The graph test is not vacuous: a rule importing the engine is caught."""
    planted = tmp_path / "modelgov" / "rules" / "mg999_planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("from ..engine.judge import judge_target\n", encoding="utf-8")
    tree = ast.parse(planted.read_text(encoding="utf-8"))
    names = [n for _, n in imported(SRC / "rules" / "mg999_planted.py", tree)]
    assert names == ["modelgov.engine.judge"]
    assert layer(names[0]) > layer("modelgov.rules.mg999_planted")
