"""Layers: exactly one package runs git, and what the rules read does not reach it.

``modelgov.git`` is the only package that runs programs: no other module of
``src/modelgov`` imports ``subprocess`` at all (none needs it: the audit's
workers are Python processes started by ``multiprocessing``, and run git
through ``modelgov.git`` like everything else), nor calls an ``os``, ``pty``
or ``asyncio`` function that runs a program.  The rules and the facts they
read import nothing of ``modelgov.git``, and ``modelgov check`` never loads its
clone code.
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


def test_only_the_git_package_runs_programs() -> None:
    outside = [p for p in sorted(SRC.rglob("*.py")) if GIT not in p.parents]
    assert len(outside) > 50
    offenders = [where for path in outside for where in runs_programs(path)]
    assert offenders == [], "only modelgov/git/ may run programs:\n" + "\n".join(offenders)
    # the scan sees what it looks for: the git package does run git
    assert any(runs_programs(p) for p in GIT.glob("*.py"))


def test_rules_and_facts_import_nothing_of_the_git_package() -> None:
    offenders = []
    for folder in (SRC / "rules", SRC / "facts"):
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            offenders += [
                f"{path.relative_to(ROOT)}:{line}: {name}"
                for line, name in imported(path, tree)
                if name == "modelgov.git" or name.startswith("modelgov.git.")
            ]
    assert offenders == []
    # nor through another module: loading every rule and the history facts loads no git code
    code = (
        "import importlib, pkgutil, sys\n"
        "import modelgov.facts.history, modelgov.rules\n"
        "for m in pkgutil.iter_modules(modelgov.rules.__path__):\n"
        "    importlib.import_module('modelgov.rules.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] == ['modelgov', 'git']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_check_never_loads_the_clone_code(tmp_path: Path) -> None:
    """A check that walks the history (``walk``) and still has no use for remotes."""
    code = (
        "import sys\n"
        "from modelgov.entry import main\n"
        f"code = main(['check', {str(COMPLIANT)!r}, '--output', {str(tmp_path / 'r.txt')!r}])\n"
        "sys.stderr.write(f'exit={code} walk={\"modelgov.git.walk\" in sys.modules} '\n"
        "                 f'remote={\"modelgov.git.remote\" in sys.modules}')\n"
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stderr.endswith("exit=0 walk=True remote=False"), proc.stderr
