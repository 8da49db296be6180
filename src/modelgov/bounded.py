"""Untrusted regular expressions and rules, run under a time bound per call and per run.

A repository's own config may supply regular expressions (a pattern option
such as MG111's ``alias_patterns``) and custom rules whose JSON Schemas hold
``pattern`` keywords; both run Python's backtracking regex engine over values
of an untrusted model.yaml.  ``^(a+)+$`` against ``aaaa...a!`` never ends, so
every such call goes through :func:`call` (or :func:`search`, for a list of
patterns), which bounds it twice:

* **per call**: :data:`CALL_SECONDS` (2 s, ``MODELGOV_RULE_SECONDS``); a call
  past it is stopped;
* **per run**: all bounded calls of one repository in a run share
  :data:`RUN_SECONDS` (30 s, ``MODELGOV_RULE_BUDGET``); once it is spent,
  every bounded call is stopped before it starts.

A pattern or rule that was stopped once is not run again for the rest of the
run: the caller reports the *first* stop (:attr:`Stopped.first`) as one
finding and skips the later ones silently, so R slow rules over M models cost
at most ``min(R * CALL_SECONDS, RUN_SECONDS)``, not ``2 * R * M`` seconds.

"A run" is scoped by the repository being judged: the scope is the object
the caller names as ``owner`` (the :class:`~modelgov.repoview.RepoView` of
the model), and a new owner starts a new budget.  In an audit every
repository therefore gets its own budget, and a hostile repository cannot
spend the budget of -- or stop the organisation's patterns for -- the
repositories judged after it.

The bound is a ``SIGALRM`` timer (Python's regex engine checks for signals
while it backtracks): POSIX, main thread.  Elsewhere calls run unbounded.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Literal, NamedTuple, TypeVar

T = TypeVar("T")


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


#: Time one bounded call (one custom rule on one model, one pattern on one value) may take.
CALL_SECONDS = _seconds("MODELGOV_RULE_SECONDS", 2.0)
#: Time all bounded calls of one repository in one run may take together.
RUN_SECONDS = _seconds("MODELGOV_RULE_BUDGET", 30.0)


class TooSlow(Exception):
    """Raised inside a :func:`time_limit` block when its time is up."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TooSlow` in the block after ``seconds`` (main thread, POSIX timers).

    Python's regex engine checks for signals while it backtracks, so the
    alarm interrupts it.  Elsewhere (another thread, no ``setitimer``) the
    block runs unbounded.  A timer already running (someone else's) gets back
    what is left of it.
    """
    import signal
    import threading

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # someone else's timer was running: give it back what is left
            left = max(outer - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)


class Stopped(NamedTuple):
    """Why a bounded call did not finish (or did not start)."""

    #: ``slow``: the call took longer than its own limit; ``budget``: the run's budget is spent
    reason: Literal["slow", "budget"]
    #: the limit that applied: :data:`CALL_SECONDS` or :data:`RUN_SECONDS`
    seconds: float
    #: the first time this key was stopped in the run: the caller reports it (once)
    first: bool

    def describe(self) -> str:
        """``took longer than 2s`` or ``... 30s budget of this run is spent``, for messages."""
        if self.reason == "slow":
            return f"took longer than {self.seconds:g}s and was stopped"
        return (
            f"was stopped: the {self.seconds:g}s this run allows for custom rules and "
            "patterns from configs is spent"
        )


class _Scope:
    """The budget of one run over one repository."""

    __slots__ = ("owner", "spent", "stopped")

    def __init__(self, owner: object) -> None:
        self.owner = owner  # held, so that ``is`` cannot mistake a new owner for it
        self.spent = 0.0
        self.stopped: dict[str, Literal["slow", "budget"]] = {}


_scope: _Scope | None = None


def _scope_of(owner: object) -> _Scope:
    global _scope
    if _scope is None or _scope.owner is not owner:
        _scope = _Scope(owner)
    return _scope


def call(owner: object, key: str, fn: Callable[[], T]) -> tuple[T | None, Stopped | None]:
    """Run ``fn()`` under the bounds of ``owner``'s run: ``(value, None)`` or ``(None, why)``.

    ``key`` names what runs (a custom rule, a pattern): once stopped, it is
    not run again in this run, and only its first stop has ``first=True``.
    """
    scope = _scope_of(owner)
    done = scope.stopped.get(key)
    if done is not None:
        return None, Stopped(done, CALL_SECONDS if done == "slow" else RUN_SECONDS, False)
    left = RUN_SECONDS - scope.spent
    if left <= 0:
        scope.stopped[key] = "budget"
        return None, Stopped("budget", RUN_SECONDS, True)
    limit = min(CALL_SECONDS, left)
    started = time.monotonic()
    try:
        with time_limit(limit):
            value = fn()
    except TooSlow:
        reason: Literal["slow", "budget"] = "slow" if limit >= CALL_SECONDS else "budget"
        scope.stopped[key] = reason
        return None, Stopped(reason, CALL_SECONDS if reason == "slow" else RUN_SECONDS, True)
    finally:
        scope.spent += time.monotonic() - started
    return value, None


class Search(NamedTuple):
    """What :func:`search` found."""

    pattern: str | None  # the first pattern that matched, or None
    #: patterns stopped for the first time in this run, to report (once each)
    stopped: tuple[tuple[str, Stopped], ...] = ()
    #: patterns not run on this value because they were stopped earlier in the run
    skipped: tuple[str, ...] = ()


def search(owner: object, patterns: Sequence[str], text: str, flags: int = 0) -> Search:
    """The first of ``patterns`` that ``re.search`` finds in ``text``, each call bounded.

    A pattern that overruns is stopped (reported once, in :attr:`Search.stopped`)
    and the next pattern is tried: one slow pattern does not hide what the
    others say.
    """
    stopped: list[tuple[str, Stopped]] = []
    skipped: list[str] = []
    for pattern in patterns:
        found, why = call(
            owner, f"pattern\0{flags}\0{pattern}", partial(_hit, pattern, text, flags)
        )
        if why is not None:
            if why.first:
                stopped.append((pattern, why))
            else:
                skipped.append(pattern)
        elif found:
            return Search(pattern, tuple(stopped), tuple(skipped))
    return Search(None, tuple(stopped), tuple(skipped))


def _hit(pattern: str, text: str, flags: int) -> bool:
    return re.search(pattern, text, flags) is not None
