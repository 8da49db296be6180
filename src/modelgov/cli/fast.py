"""A click-free parser for the common, well-formed ``modelgov check`` command lines.

``modelgov check`` runs on every commit as a pre-commit hook, and importing
click costs about as much as the rest of a check's start-up (see
docs/performance.md).  This parser reads the same declarations as the click
command (:data:`.options.CHECK`).  Whenever it is not sure -- an unknown
option, ``--help``, a missing value, a value outside its choices, a folder
where a file is expected -- it returns ``None`` and the click command parses
the line instead, so every error message and all help come from one place.
``tests/test_checkargs.py`` checks that both parsers agree.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .options import CHECK, Opt, choices_of, defaults


def parse(args: Sequence[str], options: Sequence[Opt] = CHECK) -> dict[str, Any] | None:
    """Parse a command's arguments, or ``None`` to let click do it (and report errors)."""
    by_flag = {flag: opt for opt in options for flag in opt.flags}
    values = defaults(options)
    lists: dict[str, list[Any]] = {}
    paths: list[str] = []
    i = 0
    only_paths = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = by_flag.get(name)
        if opt is None:
            return None  # unknown, combined short or help option: click explains
        if opt.kind != "value":
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
        converted = _convert(opt, value)
        if converted is None:
            return None
        if opt.multiple:
            lists.setdefault(opt.dest, []).append(converted)
        else:
            values[opt.dest] = converted
    for dest, items in lists.items():
        values[dest] = tuple(items)
    values["paths"] = tuple(Path(p) for p in paths)
    return values


def _convert(opt: Opt, value: str) -> Any:
    """The value click would give, or ``None`` where click would refuse (and explain)."""
    if opt.choices and value not in choices_of(opt):
        return None
    if opt.type in ("file", "folder", "path"):
        if opt.type == "file" and os.path.isdir(value):
            return None  # click says a folder is not a file
        if opt.type == "folder" and os.path.isfile(value):
            return None
        return Path(value)
    if opt.type != "text":
        return None  # numbers: click converts and bounds them
    return value
