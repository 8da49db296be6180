"""One path matcher for every glob modelgov reads: ``paths``, ``exclude`` and CODEOWNERS.

Patterns come from untrusted model.yaml, config and CODEOWNERS files, and paths
from untrusted repositories, so matching must stay cheap whatever both are.
One engine compiles two dialects:

``git`` -- git's ``:(glob)`` pathspec magic (wildmatch with ``WM_PATHNAME``)
    A model's ``paths`` (joined to the model.yaml's folder by :func:`anchor`),
    config ``exclude`` and the audit heuristics.  ``*``, ``?`` and ``[...]``
    (ranges, ``!``/``^`` negation, ``[:alpha:]`` and the other POSIX classes,
    ASCII) stay inside one path segment; a whole segment of stars (``**``)
    spans zero or more folders (``**/x``, ``a/**/b``) and, at the end, one or
    more (``a/**`` is everything below ``a``, not ``a`` itself).  A ``**``
    inside a segment is a ``*`` (git's documentation calls such patterns
    invalid; git itself lets the first one span folders when it follows the
    literal start of the pattern).  As in git, every pattern also matches
    literally: the path it spells, or everything below it -- so a pattern
    without wildcards covers the file or the folder it names.  A malformed
    class (``[`` never closed, an unknown ``[:name:]``) leaves only that
    literal match, as git aborts the wildcard match.  ``?`` and a class match
    one character where git matches one byte: names that are not ASCII may
    differ.

``codeowners`` -- GitHub's CODEOWNERS (gitignore style, as GitHub documents it)
    A pattern without a ``/`` (other than a trailing one) matches at any
    depth; a leading ``/`` or a ``/`` inside anchors it at the root; a trailing
    ``/`` matches folders only (everything below them); a pattern that names a
    file or folder covers the file or everything below the folder, except one
    whose last segment is a lone ``*`` (``docs/*``, ``/*``), which covers the
    folder's direct files only; ``*`` and ``?`` stay inside a segment, a whole
    segment ``**`` spans folders (zero or more; at the end, one or more), a
    ``**`` inside a segment is a ``*``.  ``[``, ``\\`` and ``!`` are ordinary
    characters here: GitHub supports neither ranges nor negation, and
    :func:`modelgov.people.parse_codeowners` drops such lines.

How matching stays bounded
    A glob is parsed into *tokens*: segment patterns (which never match ``/``:
    ``?``, classes and ``*`` are ``[^/]``-based, a class never holds ``/``)
    and ``**`` (any number of whole segments).  It is compiled to one regular
    expression (one C-speed ``re`` call per path; no Python loop per segment)
    built so that backtracking cannot multiply:

    * In a segment, ``*`` splits the pattern into fixed-width chunks
      ``c0*c1*...*ck``.  Every star but the last is the atomic group
      ``(?>[^/]*?c_i)``: the leftmost place ``c_i`` fits is kept and never
      revisited.  That is exact: a later place only shrinks what the
      following chunks may use, and the next star absorbs the difference.
      Entered at one position a segment costs O(|segment| x |pattern|), and
      since nothing after it can start but at the next ``/`` (or the end),
      it lets the rest of the expression run at most once per entry.
    * Between two ``**`` the run of segments ``r1/.../rm`` has a fixed number
      of segments; it is ``(?>(?:/[^/]*)*?/r1/.../rm(?=/|\\Z))``: its leftmost
      place is kept (the next ``**`` absorbs the difference, as above).  The
      run is tried once at each folder boundary, never again.
    * After the last ``**`` the tail ``t1/.../tm`` is tried once at each folder
      boundary, followed by the end of the path (or, when the glob ends in
      ``**``, by a ``/``); before the first ``**``, the head is matched once,
      at the start.

    So every part of the expression is entered at most once per folder
    boundary of the path, and a part costs at most its own length times the
    length of the segments it reads: matching costs O(|pattern| x |path|)
    steps whatever the input (``re.match``, anchored at the start; a union of
    globs costs the sum of its members).  :data:`MAX_GLOB_CHARS` caps the
    pattern from its first wildcard on (the literal text in front of it, such
    as the model.yaml's folder, is matched once, at the start), so a path
    costs at most a constant times its length per glob.  A glob over the cap
    never matches (:func:`glob_problem` says why).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import count
from typing import Final, Literal

Dialect = Literal["git", "codeowners"]

#: The longest glob modelgov compiles, in characters from its first wildcard on
#: (a longer one never matches).  Real globs are a few dozen characters; the cap
#: bounds the cost of one match (see the module docstring).
MAX_GLOB_CHARS: Final = 1000

#: Python 3.11 has atomic groups; 3.10 emulates them with a lookahead (atomic in
#: ``re``) that captures, and a backreference that consumes what it captured.
NATIVE_ATOMIC: Final = sys.version_info >= (3, 11)

#: ``**``: zero or more whole segments.  Any other token is a segment pattern:
#: a tuple of one-character regexes and ``"*"`` (a star inside the segment).
_Token = tuple[str, ...] | None
_ANY: Final = None
_STAR: Final = "*"
_NEVER: Final = "(?!)"

#: Members of git's ``[:name:]`` classes (its own ASCII ctype), ``/`` excluded (it never
#: matches).
_PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
_POSIX: Final[dict[str, str]] = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": " \t",
    "cntrl": "\x00-\x1f\x7f",
    "digit": "0-9",
    "graph": "!-.0-~",
    "lower": "a-z",
    "print": " -.0-~",
    "punct": re.escape("".join(c for c in _PRINTABLE if not c.isalnum() and c not in " /")),
    "space": " \t\n\r",  # git's isspace: no \v, no \f
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


class Glob:
    """One compiled glob.

    ``match(path)`` is truthy (a match object) when the glob covers ``path``, a
    repository-relative POSIX path (``src/a.py``: no leading or trailing ``/``,
    as git lists files), and ``None`` when it does not.  The expression is
    compiled on the first path that starts with the glob's literal prefix (a
    CODEOWNERS file of thousands of lines pays only for the lines it
    consults); from then on ``match`` is the expression's own ``match``: no
    Python frame per path.
    """

    __slots__ = ("_lit", "_prefix", "_regex", "_wild", "dialect", "match", "pattern", "problem")

    match: Callable[[str], re.Match[str] | None]

    def __init__(
        self,
        pattern: str,
        dialect: Dialect,
        wild: tuple[_Token, ...] | None,
        lit: str | None,
        problem: str = "",
        prefix: str = "",
    ) -> None:
        self.pattern = pattern
        self.dialect = dialect
        self.problem = problem  # why it can never match ("" if it can)
        self._wild = wild  # the wildcard part, as tokens (None: none)
        self._lit = lit  # git's literal match: the pattern itself (None: none)
        self._prefix = prefix  # what every path it matches starts with
        self._regex: re.Pattern[str] | None = None
        self.match = self._first_match

    def _first_match(self, path: str) -> re.Match[str] | None:
        if not path.startswith(self._prefix):
            return None
        return self.regex.match(path)

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled expression (compiled now if it was not yet)."""
        if self._regex is None:
            self._regex = re.compile(self._source(count()))
            self.match = self._regex.match
        return self._regex

    @property
    def never(self) -> bool:
        """True when the glob matches nothing at all (too long, or empty)."""
        return self._wild is None and self._lit is None

    def _source(self, names: Iterator[int], native: bool = NATIVE_ATOMIC) -> str:
        """The expression (``native=False``: with Python 3.10's emulated atomic groups)."""
        parts = []
        if self._wild is not None:
            parts.append(_wild_source(self._wild, names, native))
        if self._lit is not None:
            parts.append(re.escape(self._lit) + ("" if self._lit.endswith("/") else r"(?:/|\Z)"))
        if not parts:
            return _NEVER
        return parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts)

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r}, {self.dialect!r})"


class PathMatcher:
    """Several globs as one expression: ``match(path)`` is truthy when any of them covers it."""

    __slots__ = ("globs", "match", "regex")

    match: Callable[[str], re.Match[str] | None]

    def __init__(self, globs: Iterable[Glob]) -> None:
        unique: dict[tuple[str, str], Glob] = {}
        for g in globs:
            if not g.never:
                unique.setdefault((g.dialect, g.pattern), g)
        self.globs = tuple(unique.values())
        names = count()  # fresh group names for the whole union (Python 3.10)
        sources = dict.fromkeys(g._source(names) for g in self.globs)
        if not sources:
            self.regex = re.compile(_NEVER)
        elif len(sources) == 1:
            self.regex = re.compile(next(iter(sources)))
        else:
            self.regex = re.compile("|".join(f"(?:{s})" for s in sources))
        self.match = self.regex.match

    def __bool__(self) -> bool:
        return bool(self.globs)

    def __repr__(self) -> str:
        return f"PathMatcher({[g.pattern for g in self.globs]!r})"


# -- compiling -------------------------------------------------------------------


def glob_problem(pattern: str, dialect: Dialect = "git") -> str:
    """Why ``pattern`` can never match (``""`` when it can be compiled)."""
    if not pattern:
        return "is empty"
    wild = len(pattern) - len(_literal_prefix(pattern, dialect))
    if wild > MAX_GLOB_CHARS:
        return (
            f"has {wild:,} characters from its first wildcard on; "
            f"the limit of a glob is {MAX_GLOB_CHARS:,}"
        )
    return ""


def _literal_prefix(pattern: str, dialect: Dialect) -> str:
    """What every path ``pattern`` matches starts with: its text before the first wildcard."""
    if dialect == "git":
        return re.split(r"[*?[\\]", pattern, maxsplit=1)[0]  # git's nowildcard_len
    p = pattern.lstrip("/")
    if p == pattern and "/" not in p.rstrip("/"):
        return ""  # at any depth
    return re.split(r"[*?]", p.rstrip("/"), maxsplit=1)[0]


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, dialect: Dialect = "git") -> Glob:
    """Compile one glob of ``dialect`` (a git one already joined with its base folder)."""
    problem = glob_problem(pattern, dialect)
    if problem:
        return Glob(pattern, dialect, None, None, problem)
    prefix = _literal_prefix(pattern, dialect)
    if dialect == "codeowners":
        return Glob(pattern, dialect, _codeowners_tokens(pattern), None, prefix=prefix)
    # git: the pattern also matches literally (match_pathspec_item), the folder a
    # pathspec is given in being literal too (read here from its escapes)
    lit = re.sub(r"\\(.)", r"\1", pattern, flags=re.DOTALL)
    if prefix == pattern:
        return Glob(pattern, dialect, None, lit, prefix=prefix)
    segments = _scan(pattern, "git")
    if segments is None:  # a malformed class: wildmatch aborts, the literal match stays
        return Glob(pattern, dialect, None, lit, prefix=prefix)
    tokens = _tokens(segments)
    if tokens[-1] is _ANY:  # a trailing ** is one or more segments
        tokens[-1:] = [(_STAR,), _ANY]
    wild = tuple(tokens)
    # The wildcard part covers everything below what it matches: when it matches the
    # pattern's own spelling, the literal match adds nothing (src/fraud/**).
    if (
        wild[-1] is _ANY
        and not lit.endswith("/")
        and re.match(_wild_source(wild, count(), NATIVE_ATOMIC), lit)
    ):
        return Glob(pattern, dialect, wild, None, prefix=prefix)
    return Glob(pattern, dialect, wild, lit, prefix=prefix)


def _codeowners_tokens(pattern: str) -> tuple[_Token, ...]:
    p = pattern.lstrip("/")
    anchored = p != pattern
    dir_only = p.endswith("/")
    p = p.rstrip("/")
    if not p:  # "/" alone: everything
        return ((_STAR,), _ANY)
    if "/" in p:
        anchored = True
    segments = _scan(p, "codeowners")
    assert segments is not None  # no classes in this dialect
    tokens = _tokens(segments)
    lone_star = segments[-1] == [_STAR]
    if tokens[-1] is _ANY:  # a trailing ** is one or more segments
        tokens[-1:] = [(_STAR,), _ANY]
    if not anchored:
        tokens.insert(0, _ANY)
    if dir_only:
        tokens += [(_STAR,), _ANY]  # a folder: one or more segments below it
    elif not lone_star:
        tokens.append(_ANY)  # the file, or everything below the folder
    return tuple(_collapse(tokens))


def _scan(pattern: str, dialect: Dialect) -> list[list[str]] | None:
    """Segments of atoms: one-character regexes, or a run of ``*`` as it was written.

    ``None`` for a git pattern wildmatch aborts on (a malformed class, a trailing
    backslash).  Git's ``\\/`` separates segments like ``/`` (it matches only ``/``).
    """
    segments: list[list[str]] = [[]]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "/":
            segments.append([])
            i += 1
        elif c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            segments[-1].append(pattern[i:j])
            i = j
        elif c == "?":
            segments[-1].append("[^/]")
            i += 1
        elif dialect == "git" and c == "[":
            parsed = _char_class(pattern, i)
            if parsed is None:
                return None
            segments[-1].append(parsed[0])
            i = parsed[1]
        elif dialect == "git" and c == "\\":
            if i + 1 == n:
                return None
            if pattern[i + 1] == "/":
                segments.append([])
            else:
                segments[-1].append(re.escape(pattern[i + 1]))
            i += 2
        else:
            segments[-1].append(re.escape(c))
            i += 1
    return segments


def _tokens(segments: Sequence[Sequence[str]]) -> list[_Token]:
    """Segments as tokens: a segment of stars alone is ``**``, repeated ``**`` collapse."""
    return _collapse(
        _ANY
        if len(atoms) == 1 and atoms[0].startswith("**")
        else tuple(_STAR if a.startswith("*") else a for a in atoms)
        for atoms in segments
    )


def _collapse(tokens: Iterable[_Token]) -> list[_Token]:
    """``**/**`` is ``**``."""
    out: list[_Token] = []
    for token in tokens:
        if token is not _ANY or not out or out[-1] is not _ANY:
            out.append(token)
    return out


def _char_class(pattern: str, start: int) -> tuple[str, int] | None:
    """``[...]`` at ``pattern[start]`` as wildmatch reads it: (regex, index after), or None.

    The first member may be ``]``; ``a-z`` is a range unless ``-`` comes first,
    last, or right after a range or a ``[:name:]``; ``\\`` escapes; a class never
    matches ``/``.  ``None``: never closed, or an unknown ``[:name:]`` (wildmatch
    aborts).
    """
    n = len(pattern)
    j = start + 1
    negated = j < n and pattern[j] in "!^"
    if negated:
        j += 1
    singles: list[str] = []
    ranges: list[tuple[str, str]] = []
    posix: list[str] = []
    prev = ""  # the previous single member ("" after a range or a [:name:])
    first = True
    while True:
        if j >= n:
            return None
        c = pattern[j]
        if c == "]" and not first:
            break
        first = False
        if c == "\\":
            j += 1
            if j >= n:
                return None
            prev = pattern[j]
            singles.append(prev)
        elif c == "-" and prev and j + 1 < n and pattern[j + 1] != "]":
            j += 1
            hi = pattern[j]
            if hi == "\\":
                j += 1
                if j >= n:
                    return None
                hi = pattern[j]
            ranges.append((prev, hi))
            prev = ""
        elif c == "[" and j + 1 < n and pattern[j + 1] == ":":
            end = pattern.find("]", j + 2)
            if end == -1:
                return None
            if end - (j + 2) - 1 < 0 or pattern[end - 1] != ":":
                prev = "["  # not a [:name:]: "[" is a member and ":" comes next
                singles.append(prev)
            else:
                name = pattern[j + 2 : end - 1]
                if name not in _POSIX:
                    return None
                posix.append(_POSIX[name])
                prev = ""
                j = end
        else:
            prev = c
            singles.append(c)
        j += 1
    members = [re.escape(c) for c in dict.fromkeys(singles) if c != "/"]
    for lo, hi in ranges:
        if lo > hi:
            continue  # an empty range matches nothing
        if lo <= "/" <= hi:  # without "/": split around it
            if lo < "/":
                members.append(f"{re.escape(lo)}-.")
            if hi > "/":
                members.append(f"0-{re.escape(hi)}")
        else:
            members.append(f"{re.escape(lo)}-{re.escape(hi)}")
    members += posix
    body = "".join(members)
    if negated:
        return f"[^/{body}]", j + 1
    return (f"[{body}]" if body else _NEVER), j + 1


def _atomic(body: str, names: Iterator[int], native: bool) -> str:
    """``body`` as an atomic group: its first match is kept, never backtracked into."""
    if native:
        return f"(?>{body})"
    name = f"mg{next(names)}"  # a lookahead is atomic in re; the backreference consumes
    return f"(?=(?P<{name}>{body}))(?P={name})"


def _segment_source(atoms: tuple[str, ...], names: Iterator[int], native: bool) -> str:
    chunks = [""]
    for atom in atoms:
        if atom == _STAR:
            chunks.append("")
        else:
            chunks[-1] += atom
    if len(chunks) == 1:
        return chunks[0]
    middle = "".join(_atomic(f"[^/]*?{chunk}", names, native) for chunk in chunks[1:-1])
    return f"{chunks[0]}{middle}[^/]*{chunks[-1]}"


def _wild_source(
    tokens: Sequence[_Token], names: Iterator[int], native: bool, end: str = r"\Z"
) -> str:
    """The expression of a token sequence (see the module docstring for why it is bounded)."""
    if len(tokens) > 1 and tokens[-1] is _ANY and end == r"\Z":  # the rest may be anything
        if len(tokens) > 2 and tokens[-2] == (_STAR,) and tokens[-3]:
            return _wild_source(tokens[:-2], names, native, "/")  # "x/**": x/ and more
        return _wild_source(tokens[:-1], names, native, r"(?:/|\Z)")

    def run(segs: Sequence[tuple[str, ...]]) -> str:
        return "/".join(_segment_source(s, names, native) for s in segs)

    groups: list[list[tuple[str, ...]]] = [[]]  # the head, then the run after each **
    for token in tokens:
        if token is _ANY:
            groups.append([])
        else:
            groups[-1].append(token)
    head, runs = groups[0], groups[1:]
    if not runs:
        return run(head) + end
    out = [run(head)]
    started = bool(head)  # something is matched already: a run starts with "/"
    for k, segs in enumerate(runs):
        many = "(?:/[^/]*)*" if started else "(?:[^/]*/)*"
        text = ("/" if started else "") + run(segs) if segs else ""
        if k < len(runs) - 1:  # a run between two **: its leftmost place, kept
            out.append(_atomic(many[:-1] + "*?" + text + r"(?=/|\Z)", names, native))
        elif segs:  # the tail after the last **: any run of whole segments, then the tail
            out.append(("(?s:/.*)?" if started else "(?s:.*/)?") + text + end)
        else:  # a trailing **: whatever is left
            out.append(r"(?:/|\Z)" if started else r"(?s:.*)")
        started = True
    return "".join(out)


# -- paths of a model.yaml -------------------------------------------------------


def anchor(base: str, pattern: str) -> str | None:
    """Join a ``paths`` pattern to ``base``, the model.yaml's folder, as git reads a
    pathspec given in that folder; ``None`` if it is absolute or climbs out of the repo.

    ``.`` and ``..`` are resolved and ``\\`` is read as ``/``; the folder is literal
    (its ``*``, ``?``, ``[`` and ``\\`` are escaped); a trailing ``/`` names a
    folder: everything below it (``src/*/`` is ``src/*/**``); the folder itself
    (``.``) is ``**``.
    """
    pat = pattern.strip().replace("\\", "/")
    if not pat or pat.startswith("/") or re.match(r"^[A-Za-z]:/", pat):
        return None
    stack = [(segment, True) for segment in base.split("/") if segment]  # (text, literal)
    for segment in pat.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not stack:
                return None
            stack.pop()
        else:
            stack.append((segment, False))
    if not stack:
        return "**"
    joined = "/".join(_escape(text) if literal else text for text, literal in stack)
    if pat.endswith("/") and stack[-1] != ("**", False):
        joined += "/**"
    return joined


def _escape(literal: str) -> str:
    """``literal`` as a git glob that matches exactly it."""
    return re.sub(r"([*?\[\\])", r"\\\1", literal)


def matcher(base: str, patterns: Iterable[str]) -> PathMatcher | None:
    """One matcher for a model's ``paths`` (``None`` when no pattern is usable)."""
    globs = [compile_glob(a) for p in patterns if (a := anchor(base, p)) is not None]
    found = PathMatcher(globs)
    return found if found else None


def any_of(patterns: Iterable[str], dialect: Dialect = "git") -> PathMatcher | None:
    """One matcher for repository-relative globs (``exclude``); ``None`` when none is usable."""
    found = PathMatcher(compile_glob(p, dialect) for p in patterns)
    return found if found else None


def matching(files: Sequence[str], base: str, pattern: str) -> list[str]:
    """The ``files`` one pattern of a model's ``paths`` matches."""
    anchored = anchor(base, pattern)
    if anchored is None:
        return []
    glob = compile_glob(anchored)
    return [f for f in files if glob.match(f)]
