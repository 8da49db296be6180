"""The options of ``modelgov check``, declared once, and a fast parser for them.

``modelgov check`` runs on every commit as a pre-commit hook, and importing
click costs about as much as the rest of a check's start-up (see
docs/performance.md).  So the options are declared here as plain data: the
click command in :mod:`modelgov.cli` is built from this table (help, errors,
``--help``), and :func:`parse_fast` parses the same table without importing
click for the common, well-formed command lines.  Whenever the fast parser is
not sure -- an unknown option, ``--help``, a missing value, a value outside
its choices, a directory where a file is expected -- it returns ``None`` and
the click command parses the line instead, so every error message is
click's.  ``tests/test_checkargs.py`` checks that both parsers agree.

:func:`to_options` turns the parsed values into
:class:`~modelgov.commands.check.CheckOptions`; both paths use it.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .findings import FAIL_ON
from .reporters import REPORTERS

FORMAT_NAMES = ("auto", *REPORTERS)  # from the reporter registry


class Opt(NamedTuple):
    """One option of ``modelgov check``."""

    dest: str
    flags: tuple[str, ...]  # ("--color", "--no-color") for on/off switches
    kind: Literal["value", "flag", "switch"]
    help: str
    metavar: str = ""
    multiple: bool = False
    choices: tuple[str, ...] = ()
    file: bool = False  # a path to a file (not a folder)
    envvar: str = ""


CHECK_OPTIONS: tuple[Opt, ...] = (
    Opt(
        "policy",
        ("--policy",),
        "value",
        "Policy pack: a built-in name (default, strict, minimal) or a YAML file.",
        metavar="NAME|FILE",
    ),
    Opt(
        "config",
        ("--config",),
        "value",
        "Config file (default: .modelgov.yaml or pyproject.toml found by walking up).",
        file=True,
    ),
    Opt(
        "fail_on",
        ("--fail-on",),
        "value",
        "Lowest severity that fails the run [default: error].",
        choices=FAIL_ON,
    ),
    Opt(
        "today",
        ("--today",),
        "value",
        "Pin today's date (also MODELGOV_TODAY).",
        metavar="YYYY-MM-DD",
        envvar="MODELGOV_TODAY",
    ),
    Opt(
        "roster",
        ("--roster",),
        "value",
        "People roster (YAML or CSV with email and status).",
        file=True,
    ),
    Opt(
        "formats",
        ("--format",),
        "value",
        "Output format on stdout; repeat for several [default: auto].",
        multiple=True,
        choices=FORMAT_NAMES,
    ),
    Opt(
        "output",
        ("--output",),
        "value",
        "Write the report to FILE instead of stdout, or write FORMAT to FILE besides stdout "
        "(repeatable).",
        metavar="FILE|FORMAT=FILE",
        multiple=True,
    ),
    Opt(
        "staged",
        ("--staged",),
        "flag",
        "Judge what is staged in the git index (the pre-commit hook does this).",
    ),
    Opt(
        "rev",
        ("--rev",),
        "value",
        "Judge the files as they were at a commit (read from git objects).",
        metavar="REV",
    ),
    Opt(
        "as_of",
        ("--as-of",),
        "value",
        "Judge the last commit on or before DATE, with today pinned to DATE.",
        metavar="YYYY-MM-DD",
    ),
    Opt(
        "registry",
        ("--registry",),
        "flag",
        "Compare each declaration with the model registry (MLflow; where it is comes from "
        "MLFLOW_TRACKING_URI or the config's registry_uri).",
    ),
    Opt(
        "color",
        ("--color", "--no-color"),
        "switch",
        "Colour the text output [default: on a terminal].",
    ),
)

_BY_FLAG = {flag: opt for opt in CHECK_OPTIONS for flag in opt.flags}


def defaults() -> dict[str, Any]:
    """The value of every option when the command line does not give it."""
    out: dict[str, Any] = {"paths": ()}
    for opt in CHECK_OPTIONS:
        if opt.kind == "flag":
            out[opt.dest] = False
        elif opt.multiple:
            out[opt.dest] = ()
        else:
            out[opt.dest] = None
    return out


def parse_fast(args: Sequence[str]) -> dict[str, Any] | None:
    """Parse ``check``'s arguments, or ``None`` to let click do it (and report errors)."""
    values = defaults()
    lists: dict[str, list[Any]] = {}
    paths: list[Path] = []
    i = 0
    only_paths = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            paths.append(Path(arg))
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, inline = arg.partition("=")
        opt = _BY_FLAG.get(name)
        if opt is None:
            return None  # unknown, short or help option: click explains
        if opt.kind == "flag" or opt.kind == "switch":
            if eq:
                return None
            values[opt.dest] = True if opt.kind == "flag" else name == opt.flags[0]
            continue
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            return None  # missing value
        if opt.choices and value not in opt.choices:
            return None
        if opt.file:
            if os.path.isdir(value):
                return None  # click says a folder is not a file
            converted: Any = Path(value)
        else:
            converted = value
        if opt.multiple:
            lists.setdefault(opt.dest, []).append(converted)
        else:
            values[opt.dest] = converted
    for dest, items in lists.items():
        values[dest] = tuple(items)
    values["paths"] = tuple(paths)
    if values["today"] is None and os.environ.get("MODELGOV_TODAY"):
        values["today"] = os.environ["MODELGOV_TODAY"]
    return values


def parse_today(text: str | None) -> _dt.date:
    """``--today``, else ``MODELGOV_TODAY``, else the calendar date: the one place the
    date every date rule compares against is decided."""
    from .errors import UsageError

    value = text or os.environ.get("MODELGOV_TODAY")
    if not value:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from None


def output_pair(value: str) -> tuple[str, Path]:
    from .errors import UsageError

    fmt, sep, path = value.partition("=")
    if not sep or not fmt or not path:
        raise UsageError(
            f"--output: expected FORMAT=PATH (such as sarif=results.sarif), not {value!r}"
        )
    return fmt.strip(), Path(path)


def to_options(values: Mapping[str, Any]) -> Any:
    """Build :class:`~modelgov.commands.check.CheckOptions` from parsed values."""
    from .commands import check as cmd
    from .errors import UsageError

    staged, rev, as_of = values["staged"], values["rev"], values["as_of"]
    if staged and (rev or as_of):
        raise UsageError("--staged cannot be combined with --rev or --as-of")
    if rev and as_of:
        raise UsageError("--rev and --as-of cannot be combined")
    output: Sequence[str] = values["output"]
    plain = [o for o in output if "=" not in o]
    if len(plain) > 1:
        raise UsageError("give at most one --output FILE (use FORMAT=FILE for more)")
    pairs = [output_pair(o) for o in output if "=" in o]
    return cmd.CheckOptions(
        paths=list(values["paths"]) or [Path(".")],
        policy=values["policy"],
        config=values["config"],
        fail_on=values["fail_on"],
        today=parse_today(values["today"]),
        source="index" if staged else ("commit" if rev or as_of else "worktree"),
        rev=rev,
        index_file=os.environ.get("GIT_INDEX_FILE") if staged else None,
        formats=list(values["formats"]) or ["auto"],
        output=Path(plain[0]) if plain else None,
        outputs=pairs,
        color=values["color"],
        roster=values["roster"],
        as_of=parse_today(as_of) if as_of else None,
        registry=values["registry"],
    )
