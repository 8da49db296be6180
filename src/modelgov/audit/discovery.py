"""What to audit: PATH arguments and manifest entries become repository specs.

A PATH is a repository (a work tree, or a bare repository) or a folder
searched for repositories, bare or not, down to ``--depth`` levels.  Search
does not descend into a repository, nor into virtualenvs, ``node_modules``
and other folders in :data:`~modelgov.repoview.SKIP_DIRS`, and never follows
a symlinked folder.  A folder that cannot be listed, a bare-looking folder
without ``HEAD`` and a PATH under which no repository was found become specs
with a ``problem``: error rows in the report, never a stopped audit.

A manifest (``--manifest FILE``) lists git URLs or local paths, each
optionally with a team and labels:

* YAML (``.yaml``/``.yml``/``.json``): a list whose items are a string or a
  mapping ``{url: ..., team: ..., labels: [...]}`` (``path:`` for a local
  path), or a mapping ``{repos: [...]}``, or a mapping of URL or path to
  ``{team: ..., labels: [...]}`` (or to nothing);
* any other file: one entry per line, ``URL-or-PATH [team=TEAM]
  [labels=a,b]``; blank lines and ``#`` comments are skipped.

URLs are validated (:func:`modelgov.git.remote.parse_remote`): a refused URL is an
error row that says why.  Local paths are relative to the manifest's folder
and audited in place, like PATH arguments.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import GitError, UsageError, unknown_keys
from ..git import is_bare_repo
from ..git.remote import looks_like_url, parse_remote
from ..repoview import SKIP_DIRS, is_virtualenv

Kind = Literal["path", "url", "error"]


@dataclass(frozen=True)
class RepoSpec:
    """One repository to audit.

    ``ident`` is what the report shows and what shards are chosen by: the path
    as the user wrote it (folder argument plus the path found below it), or
    the URL without credentials.
    """

    ident: str
    location: str  # an absolute local path, or the URL (which may carry credentials)
    kind: Kind
    team: str = ""
    labels: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class ManifestEntry:
    location: str
    team: str = ""
    labels: tuple[str, ...] = ()
    line: int = 0


def _shown(path: str) -> str:
    text = posixpath.normpath(path.replace(os.sep, "/")) if path else "."
    return text


def repo_kind(path: Path) -> Literal["worktree", "bare", "broken-bare"] | None:
    """What ``path`` is: a work tree, a bare repository, a bare one without HEAD, or None.

    Raises :class:`PermissionError` when the folder cannot be examined.
    """
    dotgit = path / ".git"
    if os.path.lexists(dotgit):
        return "worktree"
    if is_bare_repo(path):
        return "bare"
    if (path / "objects").is_dir() and (path / "refs").is_dir():
        return "broken-bare"
    return None


#: ``--depth`` at most: an organisation's folders are a few levels deep, and a path of
#: thousands of levels is a trap (or past the system's path length) rather than a layout.
MAX_DEPTH = 100


def check_depth(depth: int) -> None:
    """A clear usage error (exit 2) for a ``--depth`` out of range."""
    if not 0 <= depth <= MAX_DEPTH:
        raise UsageError(f"--depth must be between 0 and {MAX_DEPTH}, not {depth}")


def discover(
    arg: str, depth: int, *, base: Path | None = None, team: str = "", labels: Sequence[str] = ()
) -> list[RepoSpec]:
    """The repositories at or below ``arg`` (a path as the user wrote it)."""
    check_depth(depth)
    full = Path(os.path.abspath(Path(base, arg) if base is not None else Path(arg)))
    shown = _shown(arg)
    labels = tuple(labels)
    if not os.path.lexists(full):
        return [RepoSpec(shown, str(full), "error", team, labels, "does not exist")]
    if not full.is_dir():
        return [RepoSpec(shown, str(full), "error", team, labels, "is not a folder")]
    found: list[RepoSpec] = []
    _walk(full, shown, depth, found, team, labels)
    if not found:
        found.append(
            RepoSpec(
                shown,
                str(full),
                "error",
                team,
                labels,
                f"no git repository found here (searched {depth} folder level(s) down)",
            )
        )
    return found


def _walk(
    top: Path, top_shown: str, depth: int, out: list[RepoSpec], team: str, labels: tuple[str, ...]
) -> None:
    """Search ``top`` for repositories, depth first, without recursion."""
    stack = [(top, top_shown, depth)]
    while stack:
        full, shown, left = stack.pop()
        children = _look(full, shown, left, out, team, labels)
        for name in reversed(children):
            child = full / name
            if name in SKIP_DIRS or is_virtualenv(str(child)):
                continue
            stack.append((child, f"{shown}/{name}" if shown != "." else name, left - 1))


def _look(
    full: Path, shown: str, depth: int, out: list[RepoSpec], team: str, labels: tuple[str, ...]
) -> list[str]:
    """Record ``full`` when it is a repository (or cannot be read); else its sub-folders."""
    try:
        kind = repo_kind(full)
    except PermissionError:
        out.append(RepoSpec(shown, str(full), "error", team, labels, "permission denied"))
        return []
    except OSError as exc:
        out.append(RepoSpec(shown, str(full), "error", team, labels, f"cannot be read: {exc}"))
        return []
    if kind == "broken-bare":
        out.append(
            RepoSpec(
                shown,
                str(full),
                "error",
                team,
                labels,
                "looks like a bare repository but has no HEAD file",
            )
        )
        return []
    if kind is not None:
        out.append(RepoSpec(shown, str(full), "path", team, labels))
        return []
    if depth <= 0:
        return []
    try:
        with os.scandir(full) as it:
            return sorted(e.name for e in it if e.is_dir(follow_symlinks=False))
    except PermissionError:
        out.append(
            RepoSpec(shown, str(full), "error", team, labels, "permission denied (cannot list)")
        )
    except OSError as exc:
        out.append(RepoSpec(shown, str(full), "error", team, labels, f"cannot be listed: {exc}"))
    return []


# -- manifests -----------------------------------------------------------------


def read_manifest(path: Path) -> list[ManifestEntry]:
    """Parse a manifest file; :class:`UsageError` naming the problem when it is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read manifest {path}: {exc}") from None
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return _yaml_manifest(text, path)
    return _text_manifest(text, path)


def _text_manifest(text: str, path: Path) -> list[ManifestEntry]:
    entries = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if " #" in line:
            line = line.split(" #", 1)[0].rstrip()
        words = line.split()
        team = ""
        labels: tuple[str, ...] = ()
        while len(words) > 1 and "=" in words[-1]:
            key, _, value = words[-1].partition("=")
            if key == "team":
                team = value
            elif key == "labels":
                labels = tuple(v for v in value.split(",") if v)
            else:
                raise UsageError(
                    f"{path}:{number}: expected `URL-or-PATH [team=TEAM] [labels=a,b]`, "
                    f"not {words[-1]!r}"
                )
            words.pop()
        # what is left is the location (a URL with a space in it is refused later, by name)
        words = [" ".join(words)]
        entries.append(ManifestEntry(words[0], team, labels, number))
    return entries


def _yaml_manifest(text: str, path: Path) -> list[ManifestEntry]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(
            f"manifest {path} is not valid YAML: {' '.join(str(exc).split())}"
        ) from None
    if isinstance(data, dict) and set(data) == {"repos"}:
        data = data["repos"]
    items: list[Any]
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = []
        for key, value in data.items():
            if value is not None and not isinstance(value, dict):
                raise UsageError(
                    f"manifest {path}: {key!r} must map to a mapping of team and labels"
                )
            items.append({"url": key, **(value or {})})
    elif data is None:
        return []
    else:
        raise UsageError(f"manifest {path}: expected a list of repositories or a mapping")
    entries = []
    for i, item in enumerate(items, 1):
        where = f"manifest {path}: entry {i}"
        if isinstance(item, str):
            entries.append(ManifestEntry(item.strip(), line=i))
            continue
        if not isinstance(item, dict):
            raise UsageError(f"{where} must be a URL, a path or a mapping with `url` or `path`")
        if problem := unknown_keys(item, ("url", "path", "repo", "team", "labels")):
            raise UsageError(f"{where}: {problem}")
        locs = [item[k] for k in ("url", "path", "repo") if k in item]
        if len(locs) != 1 or not isinstance(locs[0], str) or not locs[0].strip():
            raise UsageError(f"{where} needs exactly one of `url` or `path` (a string)")
        team = item.get("team", "") or ""
        if not isinstance(team, str):
            raise UsageError(f"{where}: `team` must be a string")
        labels = item.get("labels", []) or []
        if isinstance(labels, str):
            labels = [x for x in labels.split(",") if x]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise UsageError(f"{where}: `labels` must be a list of strings")
        entries.append(ManifestEntry(locs[0].strip(), team.strip(), tuple(labels), i))
    return entries


def manifest_specs(path: Path, depth: int) -> list[RepoSpec]:
    """The repositories a manifest names (URLs validated, local paths searched)."""
    check_depth(depth)
    base = Path(os.path.abspath(path)).parent
    specs: list[RepoSpec] = []
    for entry in read_manifest(path):
        loc = entry.location
        if loc.startswith("-") or looks_like_url(loc) or "$" in loc or "`" in loc:
            try:
                remote = parse_remote(loc)
            except GitError as exc:
                specs.append(
                    RepoSpec(_refused_ident(loc), loc, "error", entry.team, entry.labels, str(exc))
                )
                continue
            specs.append(RepoSpec(remote.shown, remote.url, "url", entry.team, entry.labels))
            continue
        specs.extend(discover(loc, depth, base=base, team=entry.team, labels=entry.labels))
    return specs


def _refused_ident(text: str) -> str:
    from ..git.remote import redact_url

    return redact_url(text.strip())[:200] or "(empty)"


# -- selection -----------------------------------------------------------------


def dedupe(specs: Iterable[RepoSpec]) -> list[RepoSpec]:
    """One spec per identity (the first wins; a later team or labels fill gaps)."""
    seen: dict[str, RepoSpec] = {}
    for spec in specs:
        old = seen.get(spec.ident)
        if old is None:
            seen[spec.ident] = spec
        elif not old.team and spec.team:
            seen[spec.ident] = replace(old, team=spec.team, labels=old.labels or spec.labels)
    return sorted(seen.values(), key=lambda s: s.ident)


def shard_of(ident: str, count: int) -> int:
    """The shard (1..count) that audits ``ident``: a stable hash, the same on every machine."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 <= K <= N."""
    k, sep, n = text.partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        index = count = 0
    if not sep or count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard must be K/N with 1 <= K <= N (such as 2/8), not {text!r}")
    return index, count
