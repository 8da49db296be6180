"""``modelgov playbook``: for each model, the next four hours as its declarations answer them.

The models are found and judged exactly as ``modelgov check`` finds and judges
them (the engine: workspace, discovery, the config and policy that govern each
model), so the policy's options apply (MG190's ``due_days`` sets when a
post-mortem is due); each judged model becomes a
:class:`~modelgov.playbook.model.Playbook` (:func:`~modelgov.playbook.model.build`)
and is rendered by the ``--format``'s renderer.  While a workspace is open, the
rollback procedure of each model is read through its view (bounded) for its
first heading that mentions rollback.

Exit 0 when every step of every model is answered, 1 when one is a gap (or no
model is declared), 2 for usage and config errors.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..document import Document
from ..errors import EXIT_FINDINGS, UsageError, did_you_mean
from ..playbook import FORMATS, RENDERERS
from ..playbook.model import (
    Playbook,
    PlaybookRun,
    Procedure,
    build,
    model_base,
    read_procedure,
)
from ..repoview import RepoView


class PlaybookOptions(NamedTuple):
    """What the command line asked ``playbook`` to do."""

    path: Path
    today: _dt.date
    model: str | None = None  # --model: a model's name or path
    fmt: str = "text"
    output: Path | None = None
    policy: str | None = None
    config: Path | None = None


def select(found: list[Playbook], name: str | None) -> list[Playbook]:
    """The playbooks ``--model`` names (by name, or by path as shown or in the repo)."""
    if name is None:
        return found
    chosen = [p for p in found if name in (p.name, p.shown, p.file)]
    if not chosen:
        known = sorted({p.name for p in found if p.name})
        raise UsageError(
            f"--model: no model named {name!r}"
            + (f"; models: {', '.join(known)}" if known else "; no model was found")
            + did_you_mean(name, known)
        )
    return chosen


def collect(opts: PlaybookOptions) -> tuple[PlaybookRun, tuple[str, ...]]:
    """The run's playbooks and the roots of the repositories they came from."""
    from .check import CheckOptions, judge

    documents: dict[tuple[str, str], Document] = {}
    procedures: dict[tuple[str, str], Procedure | None] = {}

    def visit(root: str, view: RepoView, loaded: Mapping[str, Document]) -> None:
        for rel, doc in loaded.items():
            text = doc.get("/rollback/procedure") if doc.ok else None
            procedures[(root, rel)] = read_procedure(view, model_base(rel), text)

    result = judge(
        CheckOptions(paths=[opts.path], today=opts.today, policy=opts.policy, config=opts.config),
        documents=documents,
        visit=visit,
    )
    found = []
    for target, model in result.models():
        key = (target.root, model.file)
        procedure = procedures.get(key)
        if procedure is not None and procedure.path:
            procedure = procedure._replace(path=target.shown(procedure.path))
        found.append(
            build(model, documents.get(key), shown=target.shown(model.file), procedure=procedure)
        )
    chosen = select(found, opts.model)
    run = PlaybookRun(__version__, result.today, tuple(chosen))
    return run, tuple(t.root for t in result.targets)


def run(opts: PlaybookOptions) -> int:
    if opts.fmt not in RENDERERS:
        raise UsageError(
            f"--format: {opts.fmt!r} is not one of {', '.join(FORMATS)}"
            + did_you_mean(opts.fmt, FORMATS)
        )
    result, roots = collect(opts)
    if not result.playbooks:
        sys.stderr.write(
            f"modelgov: no model.yaml under {opts.path}: nothing answers the next four hours "
            "(`modelgov init` writes one)\n"
        )
        return EXIT_FINDINGS
    text = RENDERERS[opts.fmt](result)
    if opts.output is not None:
        from .output import atomic_write

        atomic_write(opts.output, text, roots=roots)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return result.exit_code
