"""Match repo paths against the ``paths`` globs of a model.yaml.

Globs follow git's ``:(glob)`` pathspec magic: ``*`` and ``?`` stay inside
one path segment, ``**`` spans folders, and a pattern without wildcards
covers the file or everything below the folder it names.  Patterns are
relative to the folder that holds the model.yaml.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache

_ATOMS = itertools.count()


def _atomic(body: str) -> str:
    """``body`` as an atomic group: its first match is kept, never backtracked into."""
    if sys.version_info >= (3, 11):
        return f"(?>{body})"
    n = next(_ATOMS)  # Python 3.10: the lookahead-and-backreference emulation
    return f"(?=(?P<mg_atom{n}>{body}))(?P=mg_atom{n})"


def _char_class(pattern: str, i: int) -> tuple[str, int] | None:
    """``[...]`` starting at ``pattern[i]`` as a regex class and the index after it."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    if negate:
        j += 1
    if j < len(pattern) and pattern[j] == "]":  # a leading ] is a member
        j += 1
    end = pattern.find("]", j)
    if end == -1:
        return None
    body = pattern[i + 1 + negate : end]
    members = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            lo, hi = body[k], body[k + 2]
            if lo <= hi:  # an empty range (z-a) matches nothing
                members.append(f"{re.escape(lo)}-{re.escape(hi)}")
            k += 3
        else:
            members.append(re.escape(body[k]))
            k += 1
    if negate:
        return f"[^/{''.join(members)}]", end + 1
    return (f"[{''.join(members)}]" if members else "(?!)"), end + 1


def _segment(glob: str) -> str:
    """One path segment's glob (no ``/``) as a regex that backtracks linearly at most."""
    chunks: list[str] = [""]
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "*":
            while i < len(glob) and glob[i] == "*":
                i += 1
            chunks.append("")
            continue
        if c == "?":
            chunks[-1] += "[^/]"
        elif c == "[" and (cls := _char_class(glob, i)) is not None:
            chunks[-1] += cls[0]
            i = cls[1]
            continue
        else:
            chunks[-1] += re.escape(c)
        i += 1
    if len(chunks) == 1:
        return chunks[0]
    # Every star but the last keeps the first place its next chunk matches (as
    # fnmatch does): the next star can absorb whatever a later place would add.
    middle = "".join(_atomic(f"[^/]*?{chunk}") for chunk in chunks[1:-1])
    return f"{chunks[0]}{middle}[^/]*{chunks[-1]}"


@lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a git-style glob (already joined with its base folder).

    Patterns come from untrusted model.yaml files and paths from untrusted
    repositories, so the regex must not backtrack catastrophically (``*a*a*a*b``
    against a long name, ``**/a/**/a/**/b`` against a deep path): every
    wildcard but the last is an atomic group that keeps the first place the
    text after it matches -- safe because the next wildcard can absorb what a
    later place would have added -- so matching is polynomial of low degree
    whatever the input.  ``**`` is a whole segment (zero or more folders); a
    ``**`` inside a segment is a ``*``, as in git.
    """
    has_magic = any(c in pattern for c in "*?[")
    tokens: list[str | None] = []  # a segment's regex, or None for **
    for seg in pattern.split("/"):
        if seg == "**":
            if not tokens or tokens[-1] is not None:
                tokens.append(None)
        else:
            tokens.append(_segment(seg))
    if not has_magic and tokens[-1] is not None:
        tokens.append(None)  # a plain path covers everything below it
    if tokens == [None]:
        return re.compile(r"(?s:.*)\Z")
    last_star = max((i for i, t in enumerate(tokens) if t is None), default=-1)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token is not None:
            out.append(token if i == 0 else "/" + token)
            i += 1
            continue
        # ** and the run of segments after it, up to the next ** (or the end)
        run_end = i + 1
        while run_end < len(tokens) and tokens[run_end] is not None:
            run_end += 1
        segs = tokens[i + 1 : run_end]
        if i == 0:
            star, run = "(?:[^/]*/)*", "/".join(s for s in segs if s is not None)
        else:
            star, run = "(?:/[^/]*)*", "".join("/" + s for s in segs if s is not None)
        if i == last_star:
            out.append(star + run)
        else:
            out.append(_atomic(star[:-1] + "*?" + run + r"(?=/|\Z)"))
        i = run_end
    return re.compile("(?s:" + "".join(out) + r")\Z")


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
    parts: dict[str, None] = {}  # each pattern once (a repeated atomic group name is an error)
    for pat in patterns:
        anchored = anchor(base, pat)
        if anchored is not None:
            parts[glob_regex(anchored).pattern] = None
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts))


def matching(files: Sequence[str], base: str, pattern: str) -> list[str]:
    anchored = anchor(base, pattern)
    if anchored is None:
        return []
    rx = glob_regex(anchored)
    return [f for f in files if rx.match(f)]
