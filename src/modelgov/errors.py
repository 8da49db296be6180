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

import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

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


def unknown_keys(mapping: Mapping[Any, Any], allowed: Iterable[str], *, noun: str = "key") -> str:
    """``''`` when every key of ``mapping`` is allowed, else a sentence naming the others.

    The one wording for every file modelgov validates (config, packs, custom
    rules, policy tests, manifests): ``unknown key(s) a, b (known: x, y)``.
    """
    known = sorted(allowed)
    bad = sorted(set(map(str, mapping)) - set(known))
    if not bad:
        return ""
    return f"unknown {noun}(s) {', '.join(bad)} (known: {', '.join(known)})"


def run_guarded(func: Callable[[], int]) -> int:
    """Run ``func`` inside the error boundary and return an exit code."""
    try:
        return func()
    except ModelgovError as exc:
        sys.stderr.write(f"modelgov: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("modelgov: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (``modelgov check | head``); not our failure.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_CLEAN
    except Exception as exc:  # the boundary: anything else is our bug
        from . import __version__

        sys.stderr.write(
            "modelgov: internal error: an unexpected error has occurred "
            f"({type(exc).__name__}: {exc}).\n"
            "This is a bug in modelgov; please report it with the lines below at "
            "https://github.com/modelgov/modelgov/issues\n"
        )
        sys.stderr.write(f"modelgov {__version__}, Python {sys.version.split()[0]}\n")
        if os.environ.get("MODELGOV_DEBUG"):
            traceback.print_exc()
        else:
            tb = traceback.extract_tb(exc.__traceback__)
            if tb:
                last = tb[-1]
                sys.stderr.write(
                    f"  at {os.path.basename(last.filename)}:{last.lineno} ({last.name})\n"
                )
            sys.stderr.write("  (set MODELGOV_DEBUG=1 for the full traceback)\n")
        return EXIT_INTERNAL
