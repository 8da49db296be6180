"""Run the audit of many repositories: worker processes, a progress bar, a journal.

* ``--jobs N`` worker processes, started only when they pay (:func:`workers_for`:
  a few local repositories are audited in-process, faster than starting a pool) (``concurrent.futures``, imported only here,
  started with ``forkserver`` where the platform has it, else ``spawn``: no
  ``fork`` of a process that may hold threads or open git pipes).  The
  forkserver imports modelgov's audit modules once (:data:`PRELOAD`), so
  workers start with them loaded; each worker loads the org policy once and
  receives repositories in chunks (:func:`chunk_size`), auditing a chunk with
  one shared shadow git dir (:class:`~modelgov.git.SharedShadow`).
  ``--jobs 1`` runs in-process.
* A progress bar on stderr -- count, rate, ETA -- only when stderr is a
  terminal; nothing otherwise.
* ``--resume FILE``: a journal (one JSON line per finished repository after
  a header line naming the run's settings) is appended as repositories
  finish; a later run with the same settings skips what it holds.  A journal
  written under other settings is ignored (with a warning) and replaced.
  The journal is removed once the report is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..git import SharedShadow
from .discovery import RepoSpec
from .judge import AuditSettings, audit_repo

JOURNAL_FORMAT = "modelgov-audit-journal/1"
#: Imported by the forkserver before it forks workers (each would import them anyway).
PRELOAD = (
    "modelgov.audit.judge",
    "modelgov.engine.judge",
    "modelgov.engine.factpass",
    "modelgov.rules",
)
#: The shadow git dir shared by the repositories this process audits (set by the runner).
_SHADOW: SharedShadow | None = None


def _work(spec: RepoSpec, settings: AuditSettings) -> tuple[str, dict[str, Any], float]:
    start = time.perf_counter()
    result = audit_repo(spec, settings, _SHADOW)
    return spec.ident, result, time.perf_counter() - start


def _work_chunk(
    specs: Sequence[RepoSpec], settings: AuditSettings
) -> list[tuple[str, dict[str, Any], float]]:
    """Audit a chunk of repositories in a worker process, with one shared shadow."""
    global _SHADOW
    with SharedShadow() as shadow:
        _SHADOW = shadow
        try:
            return [_work(spec, settings) for spec in specs]
        finally:
            _SHADOW = None


#: Local repositories per worker before another worker pays for itself: starting the
#: forkserver and a worker costs about as much as auditing 40 local repositories
#: (~0.4 s against ~11 ms each); a clone or fetch always pays.
REPOS_PER_WORKER = 40


def workers_for(todo: Sequence[RepoSpec], jobs: int) -> int:
    """How many worker processes to start for ``todo`` (1: audit in this process)."""
    if jobs <= 1 or len(todo) <= 1:
        return 1
    if any(s.kind == "url" for s in todo):
        return min(jobs, len(todo))
    return max(1, min(jobs, len(todo) // REPOS_PER_WORKER))


def chunk_size(todo: int, jobs: int) -> int:
    """Repositories per task: at least 8 tasks per worker, 1 to 16 repositories each
    (fewer tasks cost less in pickling and queueing; small ones keep workers even)."""
    return max(1, min(16, todo // (jobs * 8)))


class Progress:
    """``[#####.....] 120/1000 repos  35.2/s  ETA 0:25`` redrawn in place on a terminal."""

    def __init__(self, total: int, stream: TextIO, done: int = 0, width: int = 28) -> None:
        self.total = total
        self.done = done
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.counted = 0  # finished in this run (the rate ignores resumed repos)
        self._last = 0.0

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-6)
        rate = self.counted / elapsed
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        left = self.total - self.done
        eta = f"{int(left / rate) // 60}:{int(left / rate) % 60:02d}" if rate > 0 else "-:--"
        return f"[{bar}] {self.done}/{self.total} repos  {rate:.1f}/s  ETA {eta}"

    def step(self, n: int = 1) -> None:
        self.done += n
        self.counted += n
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done >= self.total:
            self._last = now
            self.stream.write("\r\x1b[K" + self.line(now))
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


class Journal:
    """Finished repositories of an interrupted run, one JSON line each."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = Path(path)
        self.key = key
        self._fh: TextIO | None = None

    def load(self) -> dict[str, dict[str, Any]]:
        """What a previous run with the same settings finished (empty otherwise)."""
        done: dict[str, dict[str, Any]] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return done
        except (OSError, UnicodeDecodeError) as exc:
            sys.stderr.write(f"modelgov: warning: cannot read the journal {self.path}: {exc}\n")
            return done
        if not lines:
            return done
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("journal") != JOURNAL_FORMAT:
            sys.stderr.write(
                f"modelgov: warning: {self.path} is not an audit journal; starting afresh\n"
            )
            return done
        if header.get("key") != self.key:
            sys.stderr.write(
                f"modelgov: warning: the journal {self.path} was written with other settings "
                "(policy, dates, version); starting afresh\n"
            )
            return done
        for line in lines[1:]:
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut short by the interruption
            if isinstance(item, dict) and isinstance(item.get("repo"), str):
                result = item.get("result")
                if isinstance(result, dict):
                    done[item["repo"]] = result
        return done

    def start(self, done: dict[str, dict[str, Any]]) -> None:
        """(Re)write the journal with the header and what is already done."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"journal": JOURNAL_FORMAT, "key": self.key}) + "\n")
            for ident, result in done.items():
                fh.write(json.dumps({"repo": ident, "result": result}, sort_keys=True) + "\n")
        os.replace(tmp, self.path)
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def add(self, ident: str, result: dict[str, Any]) -> None:
        if self._fh is not None:
            self._fh.write(json.dumps({"repo": ident, "result": result}, sort_keys=True) + "\n")
            self._fh.flush()

    def close(self, *, remove: bool) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def run(
    specs: Sequence[RepoSpec],
    settings: AuditSettings,
    *,
    jobs: int,
    journal: Journal | None = None,
    progress_stream: TextIO | None = None,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Audit ``specs``; the results in the order of ``specs`` and seconds per repository."""
    done: dict[str, dict[str, Any]] = journal.load() if journal is not None else {}
    done = {s.ident: done[s.ident] for s in specs if s.ident in done}
    if journal is not None:
        journal.start(done)
    todo = [s for s in specs if s.ident not in done]
    results: dict[str, dict[str, Any]] = dict(done)
    seconds: dict[str, float] = {}
    progress = (
        Progress(len(specs), progress_stream, done=len(done))
        if progress_stream is not None and specs
        else None
    )

    def finished(ident: str, result: dict[str, Any], took: float) -> None:
        results[ident] = result
        seconds[ident] = took
        if journal is not None:
            journal.add(ident, result)
        if progress is not None:
            progress.step()

    global _SHADOW
    workers = workers_for(todo, jobs)
    try:
        if workers <= 1:
            with SharedShadow() as shadow:
                _SHADOW = shadow
                try:
                    for spec in todo:
                        finished(*_work(spec, settings))
                finally:
                    _SHADOW = None
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            size = chunk_size(len(todo), workers)
            with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
                futures = [
                    pool.submit(_work_chunk, todo[i : i + size], settings)
                    for i in range(0, len(todo), size)
                ]
                try:
                    for future in as_completed(futures):
                        for item in future.result():
                            finished(*item)
                except BaseException:
                    # Interrupted: stop the workers now rather than wait for the
                    # repositories they hold (a clone may take minutes); the pool
                    # then fails what was pending.  (Cancelling those futures too
                    # would make the pool's own thread trip over them.)
                    pids = list(getattr(pool, "_processes", None) or {})
                    for pid in pids:
                        pool._processes[pid].terminate()
                    if not pids:
                        for f in futures:
                            f.cancel()
                    raise
    finally:
        if progress is not None:
            progress.close()
        if journal is not None:
            journal.close(remove=False)
    return [results[s.ident] for s in specs], seconds
