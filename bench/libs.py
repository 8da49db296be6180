"""The figures behind modelgov's library choices (docs/performance.md, "Design decisions").

    python bench/libs.py                                   # imports, YAML, schema validation
    pip install --target /tmp/gitpython GitPython          # optional: GitPython in a
    python bench/libs.py --gitpython /tmp/gitpython        #   throwaway folder, not a dependency

Measured, each alternating with its reference and reported as medians:

* import cost: ``python -c "import X"`` for click, PyYAML (with the libyaml
  loader), jsonschema, GitPython (``--gitpython DIR``) and ``modelgov.cli``,
  against an empty interpreter;
* YAML: loading the reference model.yaml with PyYAML's pure-Python
  ``SafeLoader`` and with libyaml's ``CSafeLoader``, and with modelgov's
  loader (``modelgov.document.load``: libyaml events, positions kept);
* schema validation of the reference model.yaml: ``jsonschema`` against
  ``modelgov.schema.validate`` (the subset validator), in process and cold
  (a fresh interpreter importing the validator and validating once);
* history: per repository of a generated org, one ``git log -1 -- model.yaml``
  process against GitPython opening the repository and walking its commit
  objects to the last commit that changed model.yaml (``--gitpython DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402 - after the sys.path entry above
from orgfixture import COMPLIANT, make_org  # noqa: E402

MODEL = COMPLIANT / "model.yaml"


def _alternate(commands: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Median seconds of each callable, run round-robin ``repeat`` times after a warm-up."""
    names = list(commands)
    for name in names:
        commands[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for i in range(repeat):
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            times[name].append(commands[name]())
    return {n: statistics.median(ts) for n, ts in times.items()}


def _process(argv: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
    def once() -> float:
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    return once


def imports(env: dict[str, str], gitpython: Path | None, repeat: int) -> None:
    stmts = {
        "(empty interpreter)": "pass",
        "click": "import click",
        "yaml + CSafeLoader": "import yaml; yaml.CSafeLoader",
        "jsonschema": "import jsonschema",
        "modelgov.cli": "try:\n    import modelgov.cli.app  # the click CLI (a package since the cli split)\nexcept ImportError:\n    import modelgov.cli",
    }
    if gitpython is not None:
        stmts["git (GitPython)"] = "import git"
    commands = {}
    for name, stmt in stmts.items():
        e = dict(env)
        if name.startswith("git ") and gitpython is not None:
            e["PYTHONPATH"] = os.pathsep.join(p for p in (str(gitpython), e.get("PYTHONPATH")) if p)
        commands[name] = _process([sys.executable, "-c", stmt], e)
    medians = _alternate(commands, repeat)
    base = medians["(empty interpreter)"]
    print(f"import cost (python -c 'import X', median of {repeat}, alternating):")
    for name, sec in medians.items():
        print(
            f"  {name:<22} {sec * 1000:7.1f} ms   +{(sec - base) * 1000:6.1f} ms   "
            f"{sec / base:5.1f}x an empty interpreter"
        )


def yaml_load(repeat: int) -> None:
    import yaml

    from modelgov.document import load

    raw = MODEL.read_bytes()
    text = raw.decode()
    number = 50
    cases: dict[str, Callable[[], object]] = {
        "PyYAML SafeLoader (pure Python)": lambda: yaml.load(text, Loader=yaml.SafeLoader),
        "PyYAML CSafeLoader (libyaml)": lambda: yaml.load(text, Loader=yaml.CSafeLoader),
        "modelgov.document.load": lambda: load("model.yaml", raw),
    }

    def per_call(f: Callable[[], object]) -> Callable[[], float]:
        return lambda: timeit.timeit(f, number=number) / number

    medians = _alternate({n: per_call(f) for n, f in cases.items()}, repeat)
    ref = medians["PyYAML CSafeLoader (libyaml)"]
    print(f"\nYAML: the reference model.yaml ({len(raw)} bytes), per load:")
    for name, sec in medians.items():
        print(f"  {name:<34} {sec * 1e6:8.0f} us   {sec / ref:5.1f}x libyaml")


def schema(env: dict[str, str], repeat: int) -> None:
    import jsonschema

    from modelgov.document import load
    from modelgov.schema import model_schema, validate

    data = load("model.yaml", MODEL.read_bytes()).data
    plain = json.loads(json.dumps(data, default=str))  # jsonschema wants dates as strings
    sch = model_schema()
    validator = jsonschema.Draft202012Validator(sch, format_checker=jsonschema.FormatChecker())
    assert not list(validator.iter_errors(plain)) and not list(validate(data, sch))
    number = 50
    warm = _alternate(
        {
            "jsonschema": lambda: timeit.timeit(lambda: list(validator.iter_errors(plain)), number=number) / number,
            "modelgov.schema": lambda: timeit.timeit(lambda: list(validate(data, sch)), number=number) / number,
        },
        repeat,
    )  # fmt: skip
    setup = (
        "import yaml, json; d = json.loads(json.dumps(yaml.load(open("
        f"{str(MODEL)!r}).read(), Loader=yaml.CSafeLoader), default=str))"
    )
    cold = _alternate(
        {
            "yaml only (reference)": _process([sys.executable, "-c", setup], env),
            "jsonschema": _process(
                [sys.executable, "-c", setup + "; import jsonschema; s = json.load(open("
                 f"{str(run.SCHEMA)!r})); list(jsonschema.Draft202012Validator(s, "
                 "format_checker=jsonschema.FormatChecker()).iter_errors(d))"],
                env,
            ),
            "modelgov.schema": _process(
                [sys.executable, "-c", setup + "; from modelgov.schema import model_schema, "
                 "validate; list(validate(d, model_schema()))"],
                env,
            ),
        },
        repeat,
    )  # fmt: skip
    print("\nschema validation of the reference model.yaml:")
    for name, sec in warm.items():
        print(f"  in process, {name:<16} {sec * 1e6:8.0f} us per validation")
    base = cold["yaml only (reference)"]
    for name, sec in cold.items():
        extra = "" if name.startswith("yaml") else f"   +{(sec - base) * 1000:.1f} ms"
        print(f"  cold process, {name:<22} {sec * 1000:7.1f} ms{extra}")


def history(work: Path, gitpython: Path, repos: int, repeat: int) -> None:
    org = work / f"org-{repos}"
    listing = work / f"org-{repos}.repos"
    if not listing.exists():
        made = make_org(org, repos, seed=7, commits=20)
        listing.write_text("".join(f"{r.path}\n" for r in made), encoding="utf-8")
    paths = listing.read_text(encoding="utf-8").split()
    env = run._env()
    env["PYTHONPATH"] = str(gitpython)
    walk = (
        "import sys, git\n"
        "for p in sys.argv[1:]:\n"
        "    repo = git.Repo(p)\n"
        "    c = repo.head.commit\n"
        "    def blob(c):\n"
        "        try:\n"
        "            return (c.tree / 'model.yaml').binsha\n"
        "        except KeyError:\n"
        "            return None\n"
        "    while c.parents and blob(c) == blob(c.parents[0]):\n"
        "        c = c.parents[0]\n"
        "    print(c.committed_date)\n"
        "    repo.close()\n"
    )
    one_git = (
        "import subprocess, sys\n"
        "for p in sys.argv[1:]:\n"
        "    subprocess.run(['git', '-C', p, 'log', '-1', '--format=%ct', '--', 'model.yaml'],"
        " check=True, stdout=subprocess.PIPE)\n"
    )
    medians = _alternate(
        {
            "one git log process per repo": _process([sys.executable, "-c", one_git, *paths], env),
            "GitPython object walk": _process([sys.executable, "-c", walk, *paths], env),
        },
        repeat,
    )
    ref = medians["one git log process per repo"]
    print(
        f"\nhistory: last change of model.yaml in {len(paths)} repos of ~20 commits, one process:"
    )
    for name, sec in medians.items():
        print(
            f"  {name:<32} {sec:7.2f} s   {sec / len(paths) * 1000:6.1f} ms/repo   {sec / ref:4.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each measurement [7]")
    parser.add_argument("--gitpython", type=Path, help="a folder GitPython is installed in")
    parser.add_argument("--repos", type=int, default=100, help="repos of the history case [100]")
    parser.add_argument("--work", type=Path, default=HERE / ".work" / "libs")
    args = parser.parse_args(argv)
    env = run._env()
    imports(env, args.gitpython, args.repeat)
    yaml_load(args.repeat)
    schema(env, args.repeat)
    if args.gitpython is not None:
        work = args.work.resolve()
        work.mkdir(parents=True, exist_ok=True)
        history(work, args.gitpython, args.repos, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
