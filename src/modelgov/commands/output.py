"""Write a report in the requested formats: stdout and/or files, atomically."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..reporters import FORMATS, render
from ..results import RunResult


def expand_formats(formats: Sequence[str]) -> list[str]:
    """``auto``: GitHub annotations plus text inside GitHub Actions, text elsewhere."""
    out: list[str] = []
    for fmt in formats or ["auto"]:
        if fmt == "auto":
            names = ["github", "text"] if os.environ.get("GITHUB_ACTIONS") == "true" else ["text"]
        else:
            names = [fmt]
        for name in names:
            if name not in FORMATS:
                raise UsageError(
                    f"unknown format {name!r}; formats: {', '.join(('auto', *FORMATS))}"
                )
            if name not in out:
                out.append(name)
    return out


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file.

    A regular file is replaced atomically (through a symlink: its target).
    Anything else that exists -- ``/dev/null``, ``/dev/stdout``, a FIFO, a
    process substitution -- is written to as it is, never replaced by a file.
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"cannot write {path}: it is a folder")
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:  # interrupted (SIGINT, SIGTERM): leave no half-written file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_outputs(
    report: RunResult,
    formats: Sequence[str],
    output: Path | None,
    outputs: Sequence[tuple[str, Path]],
    color: bool | None,
) -> None:
    names = expand_formats(formats)
    for fmt, _ in outputs:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} in --output; formats: {', '.join(FORMATS)}")
    for fmt, path in outputs:
        atomic_write(path, render(fmt, report, color=False))
    tty = sys.stdout.isatty() and output is None
    use_color = color if color is not None else (tty and not os.environ.get("NO_COLOR"))
    text = "".join(render(name, report, color=use_color and name == "text") for name in names)
    if output is not None:
        atomic_write(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
