"""The ``modelgov`` command line: one package that parses argv and calls a command.

* :mod:`.options` declares every option once, as data (no click);
* :mod:`.fast` parses a well-formed ``modelgov check`` from those declarations
  without importing click -- what the pre-commit hook and CI run;
* :mod:`.app` builds the click commands from the same declarations: every
  other command, ``--help``, completion and mistakes (click's messages);
* :mod:`.audit` holds the ``audit`` commands, loaded only when they run.

:func:`main` is the console script (``modelgov = "modelgov.cli:main"``).
Nothing below the commands imports this package (``tests/test_layers.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The ``modelgov`` console script: an exit code for ``argv`` (default ``sys.argv``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["check"]:
        from . import fast

        values = fast.parse(args[1:])
        if values is not None:
            from ..commands import check as cmd
            from ..errors import run_guarded
            from .options import check_request

            return run_guarded(lambda: cmd.run(check_request(values)))
    from .app import main as click_main

    return click_main(args)


__all__ = ["main"]
