"""The ``modelgov`` console script.

``modelgov check`` with a well-formed command line -- what the pre-commit
hook and CI run -- is parsed by :mod:`modelgov.checkargs` without importing
click; everything else (other commands, ``--help``, mistakes) goes to the
click CLI in :mod:`modelgov.cli`, which prints click's help and errors.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["check"]:
        from . import checkargs

        values = checkargs.parse_fast(args[1:])
        if values is not None:
            from .commands import check as cmd
            from .errors import run_guarded

            return run_guarded(lambda: cmd.run(checkargs.to_options(values)))
    from .cli import main as click_main

    return click_main(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
