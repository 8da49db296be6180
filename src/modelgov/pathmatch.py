"""Match repo paths against the ``paths`` globs of a model.yaml.

Globs follow git's ``:(glob)`` pathspec magic: ``*`` and ``?`` stay inside
one path segment, ``**`` spans folders, and a pattern without wildcards
covers the file or everything below the folder it names.  Patterns are
relative to the folder that holds the model.yaml.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache


@lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a git-style glob (already joined with its base folder)."""
    out = []
    i = 0
    has_magic = any(c in pattern for c in "*?[")
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    if not has_magic:
        body += "(?:/.*)?"
    return re.compile(f"^{body}$")


def anchor(base: str, pattern: str) -> str | None:
    """Join ``pattern`` to ``base``; ``None`` if it is absolute or climbs out of the repo."""
    pat = pattern.strip().replace("\\", "/")
    if not pat or pat.startswith("/") or re.match(r"^[A-Za-z]:/", pat):
        return None
    trailing = "/**" if pat.endswith("/") else ""
    joined = posixpath.normpath(posixpath.join(base, pat)) if base else posixpath.normpath(pat)
    if joined == ".." or joined.startswith("../"):
        return None
    if joined == ".":
        return "**"
    return joined + trailing if trailing and not joined.endswith("/**") else joined


def matcher(base: str, patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all patterns (``None`` when no pattern is usable)."""
    parts = []
    for pat in patterns:
        anchored = anchor(base, pat)
        if anchored is not None:
            parts.append(glob_regex(anchored).pattern)
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts))


def matching(files: Sequence[str], base: str, pattern: str) -> list[str]:
    anchored = anchor(base, pattern)
    if anchored is None:
        return []
    rx = glob_regex(anchored)
    return [f for f in files if rx.match(f)]
