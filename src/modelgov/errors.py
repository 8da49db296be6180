"""The one error boundary and its fixed exit codes.

* 0 -- clean (no finding at or above the fail level)
* 1 -- findings at or above the fail level
* 2 -- usage or configuration error (bad option, bad policy, unreadable config)
* 3 -- internal error: a bug in modelgov, reported with a short "please report"

Findings about the checked repositories are *data*, never exceptions.  These
exceptions are for problems that stop a run: a policy that does not load, an
option that makes no sense.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
#: What a shell reports for a program a closed pipe stopped (128 + SIGPIPE), as for
#: ``yes | head``: ``modelgov check | head`` ends quietly with it.
EXIT_BROKEN_PIPE = 141
#: Errors that mean the output has nowhere to go (a full disk, a quota, a file too
#: large, a device that failed): the user's to fix, never a bug of modelgov.
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)}

T = TypeVar("T")


class ModelgovError(Exception):
    """A known error: printed as one clear message, never as a traceback."""

    exit_code = EXIT_USAGE


class UsageError(ModelgovError):
    """The command line asks for something that cannot be done."""


class ConfigError(ModelgovError):
    """A config file (.modelgov.yaml, pyproject.toml) is invalid."""


class PolicyError(ModelgovError):
    """A policy pack does not load or does not validate."""


class PluginError(ModelgovError):
    """A plug-in (entry point) failed to import or declares a bad rule."""


class GitError(ModelgovError):
    """git could not answer a question modelgov must ask (used inside the git layer)."""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a mistyped ``word`` most looks like (any case), or ``None``."""
    import difflib

    by_fold = {c.casefold(): c for c in candidates}
    close = difflib.get_close_matches(word.casefold(), list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``' (did you mean X?)'`` for the candidate closest to a mistyped ``word``, else ``''``."""
    found = closest(word, candidates)
    return f" (did you mean {found}?)" if found else ""


def unknown_keys(mapping: Mapping[Any, Any], allowed: Iterable[str], *, noun: str = "key") -> str:
    """``''`` when every key of ``mapping`` is allowed, else a sentence naming the others.

    The one wording for every file modelgov validates (config, packs, custom
    rules, policy tests, manifests): ``unknown key(s) a, b (known: x, y)``,
    with ``did you mean`` for a key that looks like a known one misspelt.
    """
    known = sorted(allowed)
    bad = sorted(set(map(str, mapping)) - set(known))
    if not bad:
        return ""
    hints = "".join(f"; did you mean {c} for {b}?" for b in bad if (c := closest(b, known)))
    return f"unknown {noun}(s) {', '.join(bad)} (known: {', '.join(known)}){hints}"


def _flush_stdout() -> None:
    """Flush standard output inside the boundary, so a full disk or a closed pipe is
    met here (and handled) rather than at interpreter exit."""
    stream = sys.stdout
    if stream is not None and not stream.closed:
        stream.flush()


def _quiet_stdout() -> None:
    """Point standard output at /dev/null: the reader is gone, and Python must not
    complain at exit that it could not flush what is left."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run_guarded(func: Callable[[], int]) -> int:
    """Run ``func`` inside the error boundary and return an exit code."""
    try:
        code = func()
        _flush_stdout()
        return code
    except ModelgovError as exc:
        sys.stderr.write(f"modelgov: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("modelgov: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (``modelgov check | head``): not our failure, and
        # nothing to say; the status is the one a shell gives a program SIGPIPE ended.
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            return _internal(exc)
        # A full disk or quota while writing the report (stdout to a file, --output):
        # a clear message and the usage/config status, never "internal error".
        _quiet_stdout()
        where = f" {exc.filename}" if exc.filename else " standard output"
        sys.stderr.write(f"modelgov: error: cannot write{where}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # the boundary: anything else is our bug
        return _internal(exc)


def _internal(exc: BaseException) -> int:
    """Report a bug of modelgov: one short paragraph, the full traceback on request."""
    import traceback  # only on this path: a clean run never needs it

    from . import __version__

    sys.stderr.write(
        "modelgov: internal error: an unexpected error has occurred "
        f"({type(exc).__name__}: {exc}).\n"
        "This is a bug in modelgov; please report it with the lines below at "
        "https://github.com/modelgov/modelgov/issues\n"
    )
    sys.stderr.write(f"modelgov {__version__}, Python {sys.version.split()[0]}\n")
    if os.environ.get("MODELGOV_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    else:
        tb = traceback.extract_tb(exc.__traceback__)
        if tb:
            last = tb[-1]
            sys.stderr.write(
                f"  at {os.path.basename(last.filename)}:{last.lineno} ({last.name})\n"
            )
        sys.stderr.write("  (set MODELGOV_DEBUG=1 for the full traceback)\n")
    return EXIT_INTERNAL
