"""Write a report in the requested formats: stdout and/or files, atomically.

* Formats come from the reporter registry; ``auto`` is GitHub annotations plus
  text inside GitHub Actions, text elsewhere (and text alone into a file).
* One file holds one format: ``--output r.sarif`` with the text format, two
  formats into one file, or one file named twice is a usage error that says
  what to write instead.
* A file is replaced atomically with the permissions a new file gets under
  the umask (an existing file keeps its own); a device, FIFO or ``/dev/stdout``
  outside the checked repositories is written to as it is.
* A symlink inside a checked repository is never written through: a hostile
  repository could plant ``reports/modelgov.sarif -> ~/.bashrc`` where CI
  writes its report.  The user's own symlinks outside it are followed.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError, did_you_mean
from ..reporters import FORMATS, render
from ..results import RunResult

#: File name endings and the formats such a file holds; other endings hold any format.
EXTENSIONS = {
    ".sarif": ("sarif",),
    ".xml": ("junit",),
    ".json": ("json", "gitlab", "sarif"),
    ".md": ("markdown",),
    ".markdown": ("markdown",),
    ".txt": ("text", "github"),
    ".log": ("text", "github"),
}


def want_color(explicit: bool | None, *, tty: bool) -> bool:
    """Whether to colour: ``--color``/``--no-color`` when given; else ``NO_COLOR`` (set and
    not empty) turns colour off, ``FORCE_COLOR`` turns it on, ``TERM=dumb`` off, and a
    terminal decides -- the order of Python's own ``_colorize``."""
    if explicit is not None:
        return explicit
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force.lower() not in ("0", "false", "no")
    if os.environ.get("TERM") == "dumb":
        return False
    return tty


def unknown_format(name: str, formats: Sequence[str], where: str) -> UsageError:
    return UsageError(
        f"unknown format {name!r}{where}{did_you_mean(name, formats)}; formats: "
        + ", ".join(formats)
    )


def expand_formats(formats: Sequence[str], *, to_file: bool = False) -> list[str]:
    """``auto``: GitHub annotations plus text inside GitHub Actions, text elsewhere (and
    text alone into a file: annotations act only on a runner's log)."""
    out: list[str] = []
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true" and not to_file
    for fmt in formats or ["auto"]:
        names = (["github", "text"] if in_actions else ["text"]) if fmt == "auto" else [fmt]
        for name in names:
            if name not in FORMATS:
                raise unknown_format(name, ("auto", *FORMATS), "")
            if name not in out:
                out.append(name)
    return out


def check_destinations(
    names: Sequence[str], output: Path | None, outputs: Sequence[tuple[str, Path]]
) -> None:
    """One format per file, each file named once, and a file name that fits its format."""
    for fmt, _ in outputs:
        if fmt not in FORMATS:
            raise unknown_format(fmt, FORMATS, " in --output")
    files: dict[str, str] = {}
    for fmt, path in outputs:
        key = os.path.normcase(os.path.abspath(path))
        if key in files:
            first = files[key]
            raise UsageError(
                f"--output {first}={path} and --output {fmt}={path} write two formats into one "
                f"file; give each its own, such as --output {first}={_with_suffix(path, first)} "
                f"--output {fmt}={_with_suffix(path, fmt)}"
            )
        files[key] = fmt
    if output is None:
        return
    key = os.path.normcase(os.path.abspath(output))
    if key in files:
        raise UsageError(
            f"--output {output} is also named by --output {files[key]}={output}; "
            "write each format to its own file"
        )
    if len(names) > 1:
        pairs = " ".join(f"--output {n}={_with_suffix(output, n)}" for n in names)
        raise UsageError(
            f"--output {output} would hold {len(names)} formats ({', '.join(names)}) in one "
            f"file; write each to its own file instead: {pairs}"
        )
    fits = EXTENSIONS.get(output.suffix.lower())
    if fits is not None and names and names[0] not in fits:
        fmt = fits[0]
        raise UsageError(
            f"--output {output} would get the {names[0]} format, not {fmt}; to write {fmt} "
            f"there, use --output {fmt}={output} (or --format {fmt} --output {output})"
        )


def _with_suffix(path: Path, fmt: str) -> str:
    suffix = {"text": ".txt", "github": ".txt", "junit": ".xml", "markdown": ".md"}
    return str(path.with_suffix(suffix.get(fmt, f".{fmt}")))


def _inside(path: str, roots: Sequence[str]) -> str | None:
    for root in roots:
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


def resolve_destination(path: Path, roots: Sequence[str] = ()) -> Path:
    """The real path ``path`` writes to, refusing a symlink that lies inside one of
    ``roots`` (the checked repositories) at any step of the way.

    Each component is resolved the way the system resolves it (``..`` after a
    symlink goes up from the link's target), so the check and the write cannot
    disagree.  Symlinks outside ``roots`` -- the user's own -- are followed.
    """
    real_roots = [os.path.realpath(r) for r in roots]
    raw = os.path.join(os.getcwd(), os.fspath(path))
    parts = raw.split(os.sep)
    current = os.sep
    hops = 0
    todo = [p for p in parts if p]
    while todo:
        part = todo.pop(0)
        if part == ".":
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        if not os.path.islink(candidate):
            current = candidate
            continue
        root = _inside(current, real_roots)
        if root is not None:
            raise UsageError(
                f"refusing to write {path}: {candidate} is a symlink inside the checked "
                f"repository {root} (it could lead anywhere); name a path outside it, "
                "or remove the link"
            )
        hops += 1
        if hops > 40:
            raise UsageError(f"cannot write {path}: too many levels of symlinks")
        target = os.readlink(candidate)
        todo = [p for p in target.split(os.sep) if p] + todo
        if os.path.isabs(target):
            current = os.sep
    return Path(current)


def _new_file_mode(existing: os.stat_result | None) -> int:
    """An existing file's permissions; else what the umask gives a new file (0666 & ~umask)."""
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: Path, text: str, *, roots: Sequence[str] = ()) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file.

    A regular file is replaced atomically (through a symlink the user made outside
    ``roots``: its target), with the permissions a new file gets under the umask.
    Anything else that exists outside ``roots`` -- ``/dev/null``, ``/dev/stdout``,
    a FIFO, a process substitution -- is written to as it is, never replaced by a
    file.  ``roots``: the checked repositories (see :func:`resolve_destination`).
    """
    shown = path
    real = resolve_destination(path, roots)
    try:
        st = os.stat(real)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"cannot write {shown}: it is a folder")
        root = _inside(str(real), [os.path.realpath(r) for r in roots])
        if root is not None:
            raise UsageError(
                f"refusing to write {shown}: it is not a regular file (a FIFO or device) "
                f"inside the checked repository {root}"
            )
        try:
            with open(real, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {shown}: {exc.strerror or exc}") from None
        return
    folder = real.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when a file is written

        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, _new_file_mode(st))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UsageError(f"cannot write {shown}: {exc.strerror or exc}") from None
    except BaseException:  # interrupted (SIGINT, SIGTERM): leave no half-written file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def checked_roots(report: RunResult) -> list[str]:
    """The folders of the run's targets: repositories no report is written through."""
    return list(dict.fromkeys(posixpath.normpath(t.root) for t in report.targets))


def write_outputs(
    report: RunResult,
    formats: Sequence[str],
    output: Path | None,
    outputs: Sequence[tuple[str, Path]],
    color: bool | None,
    *,
    quiet: bool = False,
    statistics: bool = False,
) -> None:
    names = expand_formats(formats, to_file=output is not None)
    check_destinations(names, output, outputs)
    roots = checked_roots(report)
    for fmt, path in outputs:
        atomic_write(path, render(fmt, report), roots=roots)
    use_color = want_color(color, tty=output is None and sys.stdout.isatty())
    text = "".join(
        render(
            name,
            report,
            color=use_color and name == "text",
            quiet=quiet,
            statistics=statistics,
        )
        for name in names
    )
    if output is not None:
        atomic_write(output, text, roots=roots)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
