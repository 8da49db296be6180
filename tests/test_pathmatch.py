"""The one path matcher (``modelgov.pathmatch``): both dialects, tables and git itself.

* Tables of ``(pattern, path, expected)`` for git's ``:(glob)`` pathspecs and
  for CODEOWNERS, run through the compiled expression and through the one
  Python 3.10 builds (atomic groups emulated), so both stay exact.
* The git dialect against real ``git ls-files -- ':(glob)PATTERN'`` in a real
  repository, for generated patterns and paths (from the root and from
  sub-folders, through :func:`~modelgov.pathmatch.anchor`); CODEOWNERS against
  git's own gitignore matching (``git check-ignore --no-index``) where the two
  formats agree.
* Hostile patterns at the length cap against long paths: each costs
  milliseconds (the catastrophic cases run in ``tests/hostile/test_hostile_globs.py``
  through the real CLI).
"""

from __future__ import annotations

import random
import re
import subprocess
import time
from itertools import count
from pathlib import Path

import pytest

from conftest import git_env
from modelgov.pathmatch import (
    MAX_GLOB_CHARS,
    Dialect,
    Glob,
    PathMatcher,
    anchor,
    any_of,
    compile_glob,
    matcher,
    matching,
)
from modelgov.people import parse_codeowners

# -- git's :(glob) ---------------------------------------------------------------

GIT_CASES: list[tuple[str, str, bool]] = [
    # a pattern without wildcards: the file, or everything below the folder
    ("src/fraud", "src/fraud", True),
    ("src/fraud", "src/fraud/score.py", True),
    ("src/fraud", "src/fraud/a/b/c.py", True),
    ("src/fraud", "src/fraudulent/x.py", False),
    ("src/fraud", "src", False),
    ("src/fraud", "x/src/fraud", False),
    ("src/fraud/", "src/fraud/x", True),
    ("src/fraud/", "src/fraud", False),
    ("model.yaml", "model.yaml", True),
    ("model.yaml", "a/model.yaml", False),
    # * and ? stay inside one segment
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/.py", True),
    ("src/*.py", "src/a/b.py", False),
    ("src/*.py", "src/a.pyc", False),
    ("*", "top", True),
    ("*", "a/b", False),
    ("src/*", "src/a", True),
    ("src/*", "src/a/b", False),
    ("*.py", "a.py", True),
    ("*.py", "a/b.py", False),
    ("a*b", "ab", True),
    ("a*b", "axyzb", True),
    ("a*b", "a/b", False),
    ("*a*a*c", "xaxac", True),
    ("*a*a*c", "aac", True),
    ("*a*a*c", "ac", False),
    ("*a*a*c", "a/a/c", False),
    ("*ab*ab*", "abab", True),
    ("*ab*ab*", "aab", False),
    ("*.tar.*", "x.tar.gz", True),
    ("?.py", "a.py", True),
    ("?.py", "ab.py", False),
    ("?.py", ".py", False),
    ("a?b", "a/b", False),
    ("?", "é", True),  # one character (git: one byte): non-ASCII names differ from git
    # ** as a whole segment
    ("**", "a", True),
    ("**", "a/b/c", True),
    ("**/x", "x", True),
    ("**/x", "a/x", True),
    ("**/x", "a/b/x", True),
    ("**/x", "a/x/y", False),
    ("**/x", "ax", False),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/xb", False),
    ("a/**/b", "ab", False),
    ("a/**/b", "a/b/c", False),
    ("a/**", "a/x", True),
    ("a/**", "a/x/y", True),
    ("a/**", "a", False),  # what is below a, not a file named a
    ("a/**", "ab/x", False),
    ("a/**/**/b", "a/b", True),
    ("a/**/**/b", "a/x/y/b", True),
    ("***", "a/b", True),  # a segment of stars is **, as in git
    ("a/***/b", "a/x/y/b", True),
    ("**/a/**/b/**", "x/a/y/b/z", True),
    ("**/a/**/b/**", "a/b/z", True),
    ("**/a/**/b/**", "x/a/b", False),
    ("src/**/*.py", "src/a.py", True),
    ("src/**/*.py", "src/a/b/c.py", True),
    ("src/**/*.py", "src/a/b/c.txt", False),
    # ** inside a segment is a * (git's documentation: invalid)
    ("a**", "ab", True),
    ("a**", "a/b", False),
    ("a/**b", "a/xb", True),
    ("a/**b", "a/x/b", False),
    # classes
    ("[ab].py", "a.py", True),
    ("[ab].py", "c.py", False),
    ("[!ab].py", "c.py", True),
    ("[!ab].py", "a.py", False),
    ("[^ab].py", "c.py", True),
    ("[a-c]x", "bx", True),
    ("[a-c]x", "dx", False),
    ("[z-a]x", "zx", True),  # a reversed range adds nothing to its first member
    ("[z-a]x", "mx", False),
    ("[]a]", "]", True),
    ("[]a]", "a", True),
    ("[!]]", "a", True),
    ("[!]]", "]", False),
    ("[a-]", "-", True),
    ("[-a]", "-", True),
    ("[a-c-e]", "-", True),
    ("[a-c-e]", "d", False),
    ("[[:digit:]]x", "7x", True),
    ("[[:digit:]]x", "ax", False),
    ("[[:upper:]]", "Q", True),
    ("[[:upper:]]", "q", False),
    ("[[:alpha:][:digit:]]", "5", True),
    ("[![:alpha:]]", "5", True),
    ("[![:alpha:]]", "a", False),
    ("[[:punct:]]", "-", True),
    ("[[:space:]]", " ", True),
    ("[[:space:]]", "\x0b", False),  # git's isspace
    ("[[:cntrl:]]", "\x7f", True),
    ("[[:xdigit:]]", "F", True),
    ("[[:xdigit:]]", "g", False),
    ("[[:a]x", "ax", True),  # no ":]": "[" and ":" are members
    ("[[:a]x", ":x", True),
    ("a[.-0]b", "a.b", True),  # a range that holds "/" never matches it
    ("a[.-0]b", "a0b", True),
    ("a[.-0]b", "a/b", False),
    ("a[/]b", "a/b", False),
    ("a[!x]b", "a/b", False),
    ("a[b/c]d", "acd", True),  # the class spans the "/" of the pattern
    ("a[b/c]d", "a/d", False),
    # malformed classes: only the literal match is left (wildmatch aborts)
    ("a[b", "a[b", True),
    ("a[b", "ab", False),
    ("br[c", "br[c/z", True),
    ("[[:bogus:]]", "a", False),
    ("[[:bogus:]]", "[[:bogus:]]", True),
    # every pattern also matches literally, as in git
    ("docs/[draft]", "docs/[draft]", True),
    ("docs/[draft]", "docs/[draft]/notes.md", True),
    ("docs/[draft]", "docs/d", True),
    ("docs/[draft]", "docs/[d", False),
    ("a?", "a?/b", True),
    # escapes (raw patterns; anchor escapes a model's folder)
    ("a\\*b", "a*b", True),
    ("a\\*b", "axb", False),
    ("a\\/b", "a/b", True),
    ("a\\", "a\\", True),
    ("a\\", "a", False),
    # what no path can match
    ("", "a", False),
    ("/a", "a", False),
    ("a/*/", "a/b/c", False),
    ("**/", "a/b", False),
]

# -- CODEOWNERS (as GitHub documents it) -----------------------------------------

CODEOWNERS_CASES: list[tuple[str, str, bool]] = [
    ("*", "a", True),
    ("*", "a/b/c", True),
    ("*.py", "a.py", True),
    ("*.py", "x/y/a.py", True),
    ("*.py", "a.pyc", False),
    ("*.py", "x.py/inner", True),
    # no slash: at any depth; the file or everything below the folder
    ("apps", "apps", True),
    ("apps", "apps/x", True),
    ("apps", "deep/apps/x/y", True),
    ("apps", "apps2/x", False),
    ("apps", "xapps", False),
    ("f*", "foo/bar", True),
    ("f*", "bar/foo", True),
    ("f*", "xfoo", False),
    # a trailing /: folders only
    ("apps/", "apps/x", True),
    ("apps/", "deep/apps/x", True),
    ("apps/", "apps", False),
    ("f*/", "foo/bar", True),
    ("f*/", "foo", False),
    # a leading / or a / inside anchors at the root
    ("/apps", "apps/x", True),
    ("/apps", "deep/apps/x", False),
    ("/build/logs/", "build/logs/x/y.txt", True),
    ("/build/logs/", "x/build/logs/y", False),
    ("/build/logs/", "build/logs", False),
    ("build/logs", "build/logs/x", True),
    ("build/logs", "x/build/logs", False),
    ("build/logs/", "build/logs/x", True),
    ("build/logs/", "build/logs", False),
    # dir/*: direct files only (GitHub), /* too
    ("docs/*", "docs/a.md", True),
    ("docs/*", "docs/sub/a.md", False),
    ("docs/*", "x/docs/a.md", False),
    ("docs/*", "docs", False),
    ("/*", "top.md", True),
    ("/*", "a/b.md", False),
    ("**/docs/*", "x/docs/a.md", True),
    ("**/docs/*", "x/docs/a/b.md", False),
    ("docs/*.md", "docs/a.md", True),
    ("docs/*.md", "docs/sub/a.md", False),
    # ... but a folder pattern ending in / covers what is below those folders
    ("/*/", "a/b", True),
    ("/*/", "a/b/c", True),
    ("/*/", "a", False),
    ("docs/*/", "docs/a/b", True),
    ("docs/*/", "docs/a", False),
    ("*/", "a/b", True),
    ("*/", "a", False),
    # ** forms
    ("**", "a/b", True),
    ("/**", "a", True),
    ("/**/", "a", False),
    ("/**/", "a/b", True),
    ("**/deploy", "deploy", True),
    ("**/deploy", "a/deploy/x.yaml", True),
    ("**/deploy", "a/xdeploy", False),
    ("docs/**", "docs/a", True),
    ("docs/**", "docs/a/b", True),
    ("docs/**", "docs", False),
    ("docs/**/", "docs/a/b", True),
    ("docs/**/", "docs/a", False),
    ("docs/**/*", "docs/a", True),
    ("docs/**/*", "docs/a/b/c", True),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b/z", True),
    ("a/**/b", "x/a/b", False),
    ("a/**/b/c*", "a/x/b/cd", True),
    ("a/**/b/c*", "a/x/b/d", False),
    ("a/*/b", "a/x/b", True),
    ("a/*/b", "a/x/b/c", True),
    ("a/*/b", "a/x/y/b", False),
    ("f?o", "foo", True),
    ("f?o", "fo", False),
    ("f?o", "x/f/o", False),
    ("a**b", "axb", True),  # ** inside a segment is a *
    ("a**b", "a/x/b", False),
    ("***", "a/b", True),
    ("/", "anything/here", True),  # "/" alone: everything
    # GitHub supports no ranges and no escapes: plain characters
    ("[x]", "[x]", True),
    ("[x]", "x", False),
    ("a\\b", "a\\b", True),
    ("!a", "!a", True),
]


def _emulated(glob: Glob, path: str) -> bool:
    """``glob`` matched by the expression Python 3.10 builds (atomic groups emulated)."""
    return re.compile(glob._source(count(), native=False)).match(path) is not None


@pytest.mark.parametrize(
    ("dialect", "pattern", "path", "expected"),
    [("git", *case) for case in GIT_CASES] + [("codeowners", *case) for case in CODEOWNERS_CASES],
)
def test_table(dialect: Dialect, pattern: str, path: str, expected: bool) -> None:
    glob = compile_glob(pattern, dialect)
    assert bool(glob.match(path)) is expected, glob.regex.pattern
    assert _emulated(glob, path) is expected


@pytest.mark.parametrize(
    ("base", "pattern", "expected"),
    [
        ("", "src/**", "src/**"),
        ("models/fraud", "src/**", "models/fraud/src/**"),
        ("m", "./src", "m/src"),
        ("m", "src/./a", "m/src/a"),
        ("m/f", "../shared/**", "m/shared/**"),
        ("m", "x/../..", "**"),
        ("m", "../../x", None),
        ("m", "x/../../..", None),
        ("", "/etc/**", None),
        ("", "C:/x", None),
        ("", "C:\\x", None),
        ("m", "src\\a.py", "m/src/a.py"),
        ("", ".", "**"),
        ("", "./", "**"),
        ("m", ".", "m"),
        ("", "src/", "src/**"),
        ("", "src/*/", "src/*/**"),
        ("", "src/**/", "src/**"),
        ("", "a//b", "a/b"),
        ("", "  src/** ", "src/**"),
        ("", "", None),
        ("", "   ", None),
        # the model.yaml's folder is literal: its glob characters are escaped
        ("app/[id]", "src/**", "app/\\[id]/src/**"),
        ("a*", "x", "a\\*/x"),
        ("a?", "*.py", "a\\?/*.py"),
        ("a\\b", "x", "a\\\\b/x"),
        ("a*/b", "../*", "a\\*/*"),
    ],
)
def test_anchor(base: str, pattern: str, expected: str | None) -> None:
    assert anchor(base, pattern) == expected


@pytest.mark.parametrize(
    ("base", "patterns", "path", "expected"),
    [
        ("", ["src/fraud/**", "training/fraud/**"], "src/fraud/score.py", True),
        ("", ["src/fraud/**", "training/fraud/**"], "training/fraud/a/b.py", True),
        ("", ["src/fraud/**", "training/fraud/**"], "src/other/x.py", False),
        ("models/fraud", ["src/**"], "models/fraud/src/a.py", True),
        ("models/fraud", ["src/**"], "src/a.py", False),
        ("models/fraud", ["../shared/*.py"], "models/shared/a.py", True),
        ("models/fraud", ["."], "models/fraud/anything/here", True),
        ("models/fraud", ["."], "models/fraudx/a", False),
        ("app/[id]", ["src/**"], "app/[id]/src/a.py", True),
        ("app/[id]", ["src/**"], "app/i/src/a.py", False),
        ("a*", ["x"], "a*/x", True),
        ("a*", ["x"], "ab/x", False),
        ("", ["/abs/**", "../out/**"], "abs/x", False),
        ("", ["**/*.py", "**/*.py", "src/**"], "a/b.py", True),
    ],
)
def test_matcher(base: str, patterns: list[str], path: str, expected: bool) -> None:
    found = matcher(base, patterns)
    if all(anchor(base, p) is None for p in patterns):
        assert found is None
        return
    assert found is not None
    assert bool(found.match(path)) is expected, found.regex.pattern


def test_matcher_api() -> None:
    assert matcher("", ["/abs", "../x", ""]) is None  # nothing usable
    m = matcher("", ["src/**", "src/**", "docs"])
    assert isinstance(m, PathMatcher) and [g.pattern for g in m.globs] == ["src/**", "docs"]
    assert matching(["src/a", "docs/x", "src", "other"], "", "src/**") == ["src/a"]
    assert matching(["src/a"], "", "../x") == []
    excluded = any_of(["legacy/**", "**/vendor/**"])
    assert excluded is not None
    assert excluded.match("legacy/m/model.yaml") and excluded.match("a/vendor/b/model.yaml")
    assert not excluded.match("models/model.yaml")
    assert any_of([]) is None and any_of([""]) is None
    # a union of several globs with atomic groups (fresh group names on Python 3.10)
    union = any_of(["*a*b*c", "x/**/y/**/z", "*a*b*c/**"])
    assert union is not None and union.match("xaybzc") and union.match("x/1/y/2/z")
    assert compile_glob("src/**") is compile_glob("src/**")  # compiled once


def test_glob_length_cap() -> None:
    long = "*/" * (MAX_GLOB_CHARS // 2) + "b"
    glob = compile_glob(long)
    assert glob.never and glob.problem == (
        "has 1,001 characters from its first wildcard on; the limit of a glob is 1,000"
    )
    assert not glob.match("a/" * (MAX_GLOB_CHARS // 2) + "b")
    assert compile_glob(long, "codeowners").never
    assert matcher("", [long]) is None
    ok = compile_glob("a" * MAX_GLOB_CHARS + "*")
    assert ok.problem == "" and ok.match("a" * (MAX_GLOB_CHARS + 5))
    # the literal text in front of the first wildcard (a deep model folder) is free
    deep = "/".join(["folder"] * 300)
    assert compile_glob(f"{deep}/src/**").match(f"{deep}/src/a.py")
    assert compile_glob(f"/{deep}/*.py", "codeowners").match(f"{deep}/a.py")
    assert compile_glob("x" * 1001, "codeowners").never  # matched at any depth: all counts
    assert compile_glob("").never and compile_glob("").problem == "is empty"


def test_codeowners_last_matching_line_wins() -> None:
    owners = parse_codeowners(
        "# comment\n"
        "* @everyone\n"
        "*.yaml @yaml\n"
        "/models/ @models\n"
        "/models/*  @direct\n"
        "models/fraud/ @fraud\n"
        "!models/fraud/model.yaml @ignored\n"
        "models/[a-z]/ @ignored-too\n"
        "/models/**/legacy/ @legacy\n",
        "CODEOWNERS",
    )

    def line(path: str) -> int | None:
        rule = owners.match(path)
        return rule.line if rule else None

    assert line("README.md") == 2
    assert line("ci/x.yaml") == 3
    assert line("models/x/train.py") == 4
    assert line("models/model.yaml") == 5
    assert line("models/fraud/model.yaml") == 6  # the ! and [ lines are ignored
    assert line("models/a/b/legacy/model.yaml") == 9
    assert line("models/legacy/model.yaml") == 9
    assert parse_codeowners("/docs/ @d\n", "C").match("src/x") is None


# -- against git itself -------------------------------------------------------------

#: Names of the generated repository's files and folders (glob characters included:
#: git matches a pattern literally too).  ASCII only: git's ? and classes match bytes.
NAMES = ("a", "b", "ab", "ba", "a.b", "x.py", "A", "0", "-", "[a]", "a*", "?", "b]", "!a", ":")
GIT_ATOMS = (
    "a", "b", ".", "x", "*", "?", "/", "**", "[ab]", "[!a]", "[^b]", "[a-b]", "[]a]",
    "[[:alpha:]]", "[[:digit:]]", "[[:punct:]]", "[.-0]", "[b/a]", "[", "]", "[z-a]", "[a-]",
    "[-a]", "[[:bogus:]]", "[[:a]", "-", "!", ":", "A", "0", "py",
)  # fmt: skip
CODEOWNERS_ATOMS = ("a", "b", ".", "x", "*", "?", "/", "**", "-", "A", "py", "docs")


def _files(rng: random.Random, names: tuple[str, ...], n: int) -> list[str]:
    files: set[str] = set()
    folders: set[str] = set()
    for _ in range(n):
        parts = [rng.choice(names) for _ in range(rng.randint(1, 4))]
        path = "/".join(parts)
        parents = {"/".join(parts[:i]) for i in range(1, len(parts))}
        if path not in folders and not parents & files:
            files.add(path)
            folders |= parents
    return sorted(files)


def _repo(root: Path, files: list[str]) -> Path:
    root.mkdir()
    _git(root, "init", "-q")
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).touch()
    _git(root, "add", "-A")
    return root


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> list[str]:
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(), input=stdin, capture_output=True, check=False
    )
    assert out.returncode in (0, 1), out.stderr.decode()  # check-ignore: 1 when none
    return [p.decode() for p in out.stdout.split(b"\0") if p]


def _whole_segment_stars(pattern: str) -> bool:
    """No ``**`` inside a segment: git calls those invalid (and treats the first one
    after the literal start of the pattern as spanning folders)."""
    return all("**" not in s or not s.strip("*") for s in pattern.split("/"))


def _git_patterns(rng: random.Random, n: int) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        p = "".join(rng.choice(GIT_ATOMS) for _ in range(rng.randint(1, 5)))
        # what anchor() writes: no empty, "." or ".." segment, no leading or trailing "/"
        plain = p.strip("/") == p and "//" not in p and not {".", ".."} & set(p.split("/"))
        if plain and _whole_segment_stars(p):
            out.add(p)
    return sorted(out)


@pytest.fixture(scope="module")
def git_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    files = _files(random.Random(8), NAMES, 400)
    return _repo(tmp_path_factory.mktemp("globs") / "repo", files), files


def test_git_dialect_is_git_ls_files(git_world: tuple[Path, list[str]]) -> None:
    root, files = git_world
    differ = []
    patterns = _git_patterns(random.Random(1), 500)
    for pattern in patterns:
        want = set(_git(root, "ls-files", "-z", "--", ":(glob)" + pattern))
        glob = compile_glob(pattern)
        got = {f for f in files if glob.match(f)}
        if got != want:
            differ.append(
                f"{pattern!r}: git only {sorted(want - got)}, modelgov only {sorted(got - want)}"
            )
    assert not differ, "\n".join(differ)
    assert len(patterns) == 500 and len(files) > 100


def test_paths_relative_to_a_folder_are_git_ls_files_there(
    git_world: tuple[Path, list[str]],
) -> None:
    """``matcher(base, [p])`` is what git lists for the pathspec given in ``base``."""
    root, files = git_world
    folders = sorted({f.rsplit("/", 1)[0] for f in files if "/" in f})
    bases = [b for b in folders if any(c in b for c in "*?[")][:2] + folders[:2]
    differ = []
    for base in bases:
        for pattern in _git_patterns(random.Random(base), 60):
            for spelled in (pattern, "./" + pattern, "../" + pattern, pattern + "/"):
                if spelled.endswith("/") and any(c in pattern for c in "*?["):
                    continue  # modelgov reads "dir/*/" as "dir/*/**"; git matches no file
                listed = _git(
                    root / base, "ls-files", "--full-name", "-z", "--", ":(glob)" + spelled
                )
                m = matcher(base, [spelled])
                got = {f for f in files if m is not None and m.match(f)}
                if got != set(listed):
                    differ.append(
                        f"{base!r} {spelled!r}: git {sorted(listed)}, modelgov {sorted(got)}"
                    )
    assert not differ, "\n".join(differ)
    assert any(c in bases[0] for c in "*?[")  # a folder whose name holds glob characters


def _gitignore_agrees(pattern: str) -> bool:
    """CODEOWNERS and gitignore read ``pattern`` alike (GitHub's ``dir/*`` differs)."""
    core = pattern.strip("/")
    if not core or "//" in pattern or not _whole_segment_stars(pattern):
        return False
    segments = core.split("/")
    anchored = pattern.startswith("/") or len(segments) > 1
    if segments[-1] == "*" and not pattern.endswith("/") and anchored:
        return len(segments) > 1 and set(segments[-2]) == {"*"} and len(segments[-2]) > 1
    return True


def test_codeowners_dialect_is_gitignore_where_they_agree(
    tmp_path: Path,
) -> None:
    rng = random.Random(3)
    files = _files(rng, ("a", "b", "ab", "ba", "a.b", "x.py", "A", "0", "-", "docs"), 400)
    root = _repo(tmp_path / "repo", files)
    patterns: set[str] = set()
    while len(patterns) < 300:
        p = "".join(rng.choice(CODEOWNERS_ATOMS) for _ in range(rng.randint(1, 5)))
        if _gitignore_agrees(p):
            patterns.add(p)
    stdin = b"\0".join(f.encode() for f in files)
    differ = []
    for pattern in sorted(patterns):
        (root / ".gitignore").write_text(pattern + "\n", encoding="utf-8")
        want = set(_git(root, "check-ignore", "--no-index", "--stdin", "-z", stdin=stdin))
        glob = compile_glob(pattern, "codeowners")
        got = {f for f in files if glob.match(f)}
        if got != want:
            differ.append(
                f"{pattern!r}: git only {sorted(want - got)}, modelgov only {sorted(got - want)}"
            )
    assert not differ, "\n".join(differ)


# -- bounded cost --------------------------------------------------------------------

DEEP = "a/" * 2000 + "c"  # 4,001 characters, 2,001 segments
WIDE = "a" * 4000  # one 4,000-character segment
HOSTILE: list[tuple[Dialect, str, str]] = [
    ("git", "*a" * 499 + "*c", WIDE),
    ("git", "**/" + "a/" * 498 + "b", DEEP),
    ("git", "**/" + "a/" * 496 + "b/**", DEEP),
    ("git", "**/" + "*a" * 497 + "b", "/".join(["a" * 100] * 40)),
    ("git", "**/" * 333 + "x", DEEP),
    ("git", "a/**/" * 199 + "b", DEEP),
    ("git", "**/?/" * 199 + "b", DEEP),
    ("git", "[!b]*" * 200, WIDE + "b"),
    ("codeowners", "/" + "**/" * 332 + "x", DEEP),
    ("codeowners", "*a" * 12 + "*c", "a" * 200 + "/model.yaml"),
    ("codeowners", "*a" * 499 + "*c", WIDE + "/model.yaml"),
    ("codeowners", "**/" + "?*" * 498 + "/", WIDE + "/b"),
    ("codeowners", "a/**/" * 199 + "b", DEEP),
]


@pytest.mark.parametrize(("dialect", "pattern", "path"), HOSTILE, ids=lambda v: str(v)[:24])
def test_hostile_patterns_cost_milliseconds(dialect: Dialect, pattern: str, path: str) -> None:
    assert len(pattern) <= MAX_GLOB_CHARS
    glob = compile_glob(pattern, dialect)
    start = time.process_time()
    for _ in range(10):
        glob.match(path)
        glob.match(path[: len(path) // 2])
    assert time.process_time() - start < 1.0  # ~10 ms measured for the worst; exponential is hours
