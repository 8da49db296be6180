"""``modelgov playbook``: the next four hours of each model, as its declarations answer them.

:mod:`.model` builds the :class:`~.model.Playbook` values (pure, low in the layers: the
audit reads :func:`~.model.ready` too); the renderers here are pure functions of a
:class:`~.model.PlaybookRun`, registered in :data:`RENDERERS` (the command line's
``--format`` choices come from :data:`FORMATS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import html, json_report, markdown, text
from .model import PlaybookRun

Renderer = Callable[[PlaybookRun], str]

RENDERERS: Mapping[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
    "html": html.render,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)
