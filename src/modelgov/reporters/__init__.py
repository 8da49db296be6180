"""Reporters: pure functions from a :class:`~modelgov.results.RunResult` to text.

``REPORTERS`` maps each format name to the module that renders it; every
module satisfies :class:`Reporter` (mypy checks the literal table below).
Modules are imported only when their format is asked for, so the common case
(text) does not pay for XML or SARIF at start-up.  Every list of formats the
command line shows is derived from this table.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from ..results import RunResult


class Reporter(Protocol):
    def render(self, result: RunResult, /, *, color: bool = False) -> str: ...


class TextReporter(Protocol):
    """The text format also takes ``-q`` (no summary) and ``--statistics``."""

    def render(
        self,
        result: RunResult,
        /,
        *,
        color: bool = False,
        quiet: bool = False,
        statistics: bool = False,
    ) -> str: ...


REPORTERS: dict[str, str] = {
    "text": "modelgov.reporters.text",
    "json": "modelgov.reporters.json_report",
    "sarif": "modelgov.reporters.sarif",
    "junit": "modelgov.reporters.junit",
    "github": "modelgov.reporters.github",
    "gitlab": "modelgov.reporters.gitlab",
    "markdown": "modelgov.reporters.markdown",
}
FORMATS = tuple(REPORTERS)
#: What ``check --format`` accepts: ``auto`` picks per environment (commands/output.py).
CHOICES = ("auto", *FORMATS)

if TYPE_CHECKING:  # the registry, checked by mypy without importing it at run time
    from . import github, gitlab, json_report, junit, markdown, sarif, text

    CHECKED: dict[str, Reporter] = {
        "text": text,
        "json": json_report,
        "sarif": sarif,
        "junit": junit,
        "github": github,
        "gitlab": gitlab,
        "markdown": markdown,
    }
    TEXT: TextReporter = text


def get(name: str) -> Reporter:
    module: Reporter = importlib.import_module(REPORTERS[name])
    return module


def render(
    name: str,
    result: RunResult,
    *,
    color: bool = False,
    quiet: bool = False,
    statistics: bool = False,
) -> str:
    """``result`` in format ``name``; ``quiet`` and ``statistics`` shape the text format."""
    if name == "text":
        text: TextReporter = importlib.import_module(REPORTERS["text"])
        return text.render(result, color=color, quiet=quiet, statistics=statistics)
    return get(name).render(result, color=color)
