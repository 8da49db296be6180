"""``modelgov audit``: every model of an organisation in one trustworthy report.

``run`` audits repositories (PATH arguments and ``--manifest`` entries);
``merge`` joins the JSON reports of ``--shard K/N`` runs into the report a
single run would have written.  Both return the exit code: 1 when a row
fails at the fail level (see :func:`modelgov.audit.report.gates`), else 0.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..findings import FailOn


@dataclass
class AuditOptions:
    paths: Sequence[Path] = ()
    manifest: Path | None = None
    depth: int = 3
    cache_dir: Path | None = None
    fetch: bool = True
    policy: str | None = None
    config: Path | None = None
    roster: Path | None = None
    fail_on: FailOn | None = None
    today: _dt.date | None = None
    as_of: _dt.date | None = None
    formats: Sequence[str] = ("table",)
    output: Path | None = None
    outputs: Sequence[tuple[str, Path]] = ()
    jobs: int | None = None
    shard: tuple[int, int] | None = None
    resume: Path | None = None
    timings: bool = False
    clone_timeout: float | None = None
    registry: bool = False  # --registry: compare with the model registry
    color: bool | None = None
    progress: bool | None = None  # None: when stderr is a terminal
    extra: dict[str, object] = field(default_factory=dict)


def _abs(path: Path | None) -> str | None:
    return os.path.abspath(path) if path is not None else None


def _policy_ref(ref: str | None) -> str | None:
    """``--policy`` as given, made absolute when it is a path (workers may not share a cwd)."""
    if ref and ("/" in ref or os.sep in ref or ref.endswith((".yaml", ".yml"))):
        return os.path.abspath(os.path.expanduser(ref))
    return ref


def _check_formats(formats: Sequence[str], outputs: Sequence[tuple[str, Path]]) -> list[str]:
    from ..audit.render import FORMATS

    names = []
    for name in [*formats, *(f for f, _ in outputs)]:
        if name not in FORMATS:
            raise UsageError(f"unknown audit format {name!r}; formats: {', '.join(FORMATS)}")
    for name in formats:
        if name not in names:
            names.append(name)
    return names


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops an audit the way Ctrl-C does, through the same clean-up.

    By default SIGTERM ends the process on the spot: the worker processes
    were orphaned and went on running, and nothing was closed.  As an
    interruption, workers are stopped, the journal is closed for ``--resume``
    and no report is written.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_report(
    report: object,
    formats: Sequence[str],
    output: Path | None,
    outputs: Sequence[tuple[str, Path]],
    color: bool | None,
) -> None:
    """Every requested format: files written atomically, the rest on stdout."""
    from ..audit.render import render
    from ..audit.report import AuditReport
    from .output import atomic_write

    assert isinstance(report, AuditReport)
    names = _check_formats(formats, outputs)
    for fmt, path in outputs:
        atomic_write(path, render(fmt, report))
    tty = sys.stdout.isatty() and output is None
    use_color = color if color is not None else (tty and not os.environ.get("NO_COLOR"))
    text = "".join(render(n, report, color=bool(use_color) and n == "table") for n in names)
    if output is not None:
        atomic_write(output, text)
    elif names:
        sys.stdout.write(text)
        sys.stdout.flush()


def run(opts: AuditOptions) -> int:
    from ..audit import discovery
    from ..audit.judge import AuditSettings, org_state
    from ..audit.report import build
    from ..audit.runner import Journal
    from ..audit.runner import run as run_all

    _check_formats(opts.formats, opts.outputs)
    if not opts.paths and opts.manifest is None:
        raise UsageError("name repositories to audit: PATH arguments and/or --manifest FILE")
    if opts.depth < 0:
        raise UsageError("--depth must be 0 or more")
    for path in opts.paths:
        if not os.path.lexists(path):
            raise UsageError(f"path {str(path)!r} does not exist")
    today = opts.as_of or opts.today
    if today is None:
        raise UsageError("audit needs today's date (--today, MODELGOV_TODAY or the calendar)")
    from ..audit.cache import default_cache_dir

    cache_dir = Path(opts.cache_dir) if opts.cache_dir else default_cache_dir()
    settings = AuditSettings(
        policy=_policy_ref(opts.policy),
        config=_abs(opts.config),
        roster=_abs(opts.roster),
        today=today.isoformat(),
        as_of=opts.as_of.isoformat() if opts.as_of else None,
        fail_on=opts.fail_on,
        cache_dir=os.path.abspath(cache_dir),
        fetch=opts.fetch,
        clone_timeout=opts.clone_timeout or 600.0,
        registry=opts.registry,
    )
    state = org_state(settings)  # the org policy must load before any repository is read

    specs = []
    for path in opts.paths:
        specs.extend(discovery.discover(str(path), opts.depth))
    if opts.manifest is not None:
        specs.extend(discovery.manifest_specs(opts.manifest, opts.depth))
    specs = discovery.dedupe(specs)
    shard = None
    if opts.shard is not None:
        index, count = opts.shard
        specs = [s for s in specs if discovery.shard_of(s.ident, count) == index]
        shard = {"index": index, "count": count}

    heuristics = state.heuristics.describe()
    policy = {
        "name": state.org.policy.name,
        "digest": state.org.policy.digest,
        "chain": list(state.org.policy.chain),
    }
    journal = None
    if opts.resume is not None:
        key = hashlib.sha256(
            json.dumps(
                [
                    __version__,
                    policy,
                    heuristics,
                    settings.today,
                    settings.as_of,
                    state.fail_on,
                    settings.roster,
                    shard,
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        journal = Journal(Path(opts.resume), key)
    show = opts.progress if opts.progress is not None else sys.stderr.isatty()
    jobs = opts.jobs if opts.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    import time

    started = time.perf_counter()
    with _sigterm_interrupts():
        results, seconds = run_all(
            specs,
            settings,
            jobs=jobs,
            journal=journal,
            progress_stream=sys.stderr if show else None,
        )
    timings = None
    if opts.timings:
        timings = {
            "total_seconds": round(time.perf_counter() - started, 3),
            "jobs": jobs,
            "repos": {k: round(v, 4) for k, v in sorted(seconds.items())},
        }
    report = build(
        version=__version__,
        today=settings.today,
        as_of=settings.as_of,
        fail_on=state.fail_on,
        policy=policy,
        heuristics=heuristics,
        results=results,
        shard=shard,
        timings=timings,
    )
    write_report(report, opts.formats, opts.output, opts.outputs, opts.color)
    if journal is not None:
        journal.close(remove=True)
    return report.exit_code


def merge(
    files: Sequence[Path],
    *,
    formats: Sequence[str] = ("table",),
    output: Path | None = None,
    outputs: Sequence[tuple[str, Path]] = (),
    color: bool | None = None,
) -> int:
    """Merge shard reports (JSON) into the org report and write it in every format asked."""
    from ..audit.report import from_json
    from ..audit.report import merge as merge_reports

    _check_formats(formats, outputs)
    if not files:
        raise UsageError("nothing to merge: name the shard reports (shard-*.json)")
    loaded = []
    for path in files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        loaded.append((str(path), from_json(text, str(path))))
    report = merge_reports(loaded)
    write_report(report, formats, output, outputs, color)
    return report.exit_code
