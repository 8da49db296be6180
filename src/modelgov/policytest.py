"""Policy tests: YAML cases run through the real engine (``modelgov policy test``).

A case file holds cases that each give a model.yaml (a snippet or a path),
optional repository files, config and date, and the findings a pack must
produce -- by rule, JSON pointer and line::

    rules: [MG131]              # only findings of these rules are compared (default: all)
    policy: strict              # optional: the pack for these cases (name or path)
    config: {rules: {...}}      # optional: overrides on top of the pack, as in .modelgov.yaml
    today: 2026-11-30           # optional: the date the date rules compare against
    cases:
      - name: a high-risk model that takes two hours to roll back
        model: |
          risk_tier: high
          rollback:
            max_minutes: 120
        expect:
          - {rule: MG131, pointer: /rollback/max_minutes, line: 3}
      - name: fifteen minutes is fine
        model: |
          risk_tier: high
          rollback:
            max_minutes: 15
        expect: []              # must pass

Each case is written into a fresh temporary folder (``model.yaml`` plus its
``files:``) and judged exactly as ``modelgov check`` judges a folder: the
same loader, view, engine, waivers and policy resolution.  Every finding of
the compared rules must be expected and every expectation must be found
(a waived finding is expected with ``waived: true``).

A case with ``history:`` is judged in a real git repository, so the rules
that read history (MG202-MG204) are cases too::

      - name: a clone of depth 1 cannot see when model.yaml changed
        history:                  # commits, oldest first
          - date: 2026-06-01      # author and committer date (noon UTC), or a date and time
            author: Dana Okafor <dana.okafor@example.com>   # optional
            message: declare      # optional
            files:                # path -> text; null deletes (a file or a folder)
              model.yaml: |
                paths: [src/**]
              src/score.py: "x = 1\n"
          - date: 2026-09-14
            renames: {src/score.py: src/scorer.py}          # optional, before `files`
        shallow: 1                # optional: judge a `git clone --depth 1` of it
        expect:
          - {rule: MG203, pointer: "", line: 1}

The commits are made by one ``git fast-import`` and checked out; ``model``,
``path`` and ``files`` are then written into the work tree, so they are
uncommitted edits (none when equal to the last commit's files), staged with
``staged: true``.  Without ``model`` the work tree is the last commit.

A case with ``registry:`` is judged with ``--registry`` against a real MLflow
registry (SQLite, in the case's folder; needs the ``mlflow`` extra), so the
rules that compare the declaration with the registry (MG180-MG183) are cases
too::

      - name: the serving alias moved past the approved version
        registry:
          model: fraud-scorer       # the registered model (omit: none is registered)
          versions: 9               # versions 1..9 are registered
          aliases: {champion: 9, previous: 8}
          tags: {9: {validation_status: failed}}   # optional, per version
          archived: [1]             # optional: versions in the Archived stage
        expect:
          - {rule: MG181, pointer: /deploy/version, line: 4}

This module is the runner for both the command and modelgov's own test suite
(``tests/test_rule_cases.py`` parametrises over :func:`collect`).
"""

from __future__ import annotations

import atexit
import datetime as _dt
import json
import posixpath
import re
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import Config, config_from_data
from .errors import ConfigError, GitError, ModelgovError, unknown_keys
from .findings import Finding, Severity
from .policy import Policy, load_policy, merge
from .rules.base import TIERS, Rule

FILE_KEYS = {"rules", "policy", "config", "today", "cases", "description"}
CASE_KEYS = {
    *("name", "model", "path", "files", "policy", "config", "today", "expect", "description"),
    *("history", "shallow", "staged", "registry"),
}
REGISTRY_KEYS = {"model", "versions", "aliases", "tags", "archived"}
EXPECT_KEYS = {"rule", "pointer", "line", "col", "severity", "message_contains", "waived"}
COMMIT_KEYS = {"date", "author", "message", "renames", "files"}
CASE_CONFIG_KEYS = {"rules", "custom_rules", "roster"}
CASE_SUFFIXES = (".yaml", ".yml")
#: The facts rules may read (``Rule.uses``) that a case can give them: git
#: history (``history:``), a model registry (``registry:``), a roster (``config: {roster: FILE}`` with FILE among
#: ``files:``), a CODEOWNERS file (``files:``) and the document itself.  Rules
#: that need anything else are not counted by :func:`coverage`.
CASE_USES = frozenset({"history", "roster", "codeowners", "instance", "registry"})
#: Author and committer of a history commit that names none.
DEFAULT_AUTHOR = "Policy Test <policy-test@example.com>"
_AUTHOR = re.compile(r"([^<>\n]*[^<>\s])\s*<([^<>\s]+)>")


class CaseFileError(ModelgovError):
    """A case file is malformed, or names a rule the policy does not know (exit 2)."""


# -- the data ------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """One finding a case expects."""

    rule: str
    pointer: str
    line: int | None = None
    col: int | None = None
    severity: str | None = None
    message_contains: str | None = None
    waived: bool = False

    def describe(self) -> str:
        where = f" line {self.line}" if self.line is not None else ""
        where += f" col {self.col}" if self.col is not None else ""
        extra = f" {self.severity}" if self.severity else ""
        extra += " (waived)" if self.waived else ""
        text = f" containing {self.message_contains!r}" if self.message_contains else ""
        return f"{self.rule} {self.pointer or '(document)'}{where}{extra}{text}"


@dataclass(frozen=True)
class HistoryCommit:
    """One commit of a case's ``history:`` (applied oldest first to a fresh repository)."""

    date: _dt.datetime  # author and committer date, timezone-aware
    author: str = DEFAULT_AUTHOR  # "Name <email>": author and committer
    message: str = "change"
    renames: Mapping[str, str] = field(default_factory=dict)  # old -> new path, before `files`
    files: Mapping[str, str | None] = field(default_factory=dict)  # path -> text; None deletes


@dataclass(frozen=True)
class RegistrySpec:
    """A model registry a case is judged against: what MLflow's client registers."""

    model: str | None  # the registered model; None: the registry holds no model
    versions: int = 0
    aliases: Mapping[str, int] = field(default_factory=dict)
    tags: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    archived: tuple[int, ...] = ()


@dataclass(frozen=True)
class Case:
    """One case of a case file."""

    source: Path  # the case file
    index: int
    name: str
    expect: tuple[Expected, ...]
    model: str | None = None
    path: Path | None = None  # a model.yaml file, or a folder copied whole
    files: Mapping[str, str] = field(default_factory=dict)
    policy: str | None = None  # a pack name or an absolute path; None: the pack under test
    config: Mapping[str, Any] = field(default_factory=dict)
    today: _dt.date | None = None
    rules: tuple[str, ...] | None = None  # rules compared (ids or names); None: all
    history: tuple[HistoryCommit, ...] | None = None  # None: a plain folder, not a git repository
    shallow: int | None = None  # judge a clone of the history with ``--depth`` this
    staged: bool = False  # the work-tree edits (model, path, files) are staged (``git add -A``)
    registry: RegistrySpec | None = None  # judged with --registry against this registry

    @property
    def id(self) -> str:
        return f"{self.source.name}::{self.name}"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    found: tuple[Finding, ...]  # the compared findings
    missing: tuple[Expected, ...]  # expected, not found
    unexpected: tuple[Finding, ...]  # found, not expected

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected

    def diff(self) -> str:
        """Expected vs actual findings, for a failing case."""
        lines = []
        if self.missing:
            lines.append("expected, not found:")
            lines += [f"  - {e.describe()}" for e in self.missing]
        if self.unexpected:
            lines.append("found, not expected:")
            lines += [f"  + {describe_finding(f)}" for f in self.unexpected]
        if self.missing and len(self.found) > len(self.unexpected):
            lines.append("all compared findings:")
            lines += [f"    {describe_finding(f)}" for f in self.found]
        return "\n".join(lines)


def describe_finding(f: Finding) -> str:
    state = "waived" if f.waived is not None else f.severity.label
    pointer = f.pointer or "(document)"
    return f"{f.rule} {pointer} line {f.line} col {f.col} {state}: {f.message}"


# -- reading case files --------------------------------------------------------


def case_files(paths: Iterable[Path]) -> list[Path]:
    """The case files named: files as given, folders' ``*.yaml``/``*.yml`` (not recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and p.suffix in CASE_SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise CaseFileError(f"policy test path {path} does not exist")
    return out


def collect(paths: Iterable[Path]) -> list[Case]:
    """Every case of the case files below ``paths``."""
    cases: list[Case] = []
    for file in case_files(paths):
        cases += load_case_file(file)
    return cases


def _date(value: Any, where: str) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CaseFileError(f"{where}: `today` must be a date as YYYY-MM-DD, not {value!r}")


def _pack_ref(value: Any, folder: Path, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CaseFileError(f"{where}: `policy` must be a pack name or a path")
    if "/" in value or value.endswith((".yaml", ".yml")):
        return str((folder / value).resolve())
    return value


def _config(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseFileError(f"{where}: `config` must be a mapping (rules, custom_rules, roster)")
    if problem := unknown_keys(value, CASE_CONFIG_KEYS):
        raise CaseFileError(f"{where}: config: {problem}")
    try:
        config_from_data(value, None)
    except ConfigError as exc:
        raise CaseFileError(f"{where}: {exc}") from None
    return dict(value)


def _rel_file(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name.strip() or "\0" in name:
        raise CaseFileError(f"{where}: file names must be non-empty strings")
    norm = posixpath.normpath(name)
    if name.startswith("/") or norm == ".." or norm.startswith("../") or norm == ".":
        raise CaseFileError(f"{where}: file {name!r} must be a path inside the case's folder")
    if any(part.lower() == ".git" for part in norm.split("/")):
        raise CaseFileError(f"{where}: file {name!r} is inside .git, not a file of the repository")
    return norm


def _commit_date(value: Any, where: str) -> _dt.datetime:
    """A commit's date: YYYY-MM-DD (noon UTC) or an ISO date and time (UTC unless it says)."""
    when: _dt.datetime | None = None
    if isinstance(value, _dt.datetime):
        when = value
    elif isinstance(value, _dt.date):
        when = _dt.datetime.combine(value, _dt.time(12))
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                when = _dt.datetime.combine(_dt.date.fromisoformat(text), _dt.time(12))
            else:
                when = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None:
        raise CaseFileError(
            f"{where}: `date` must be a date as YYYY-MM-DD (noon UTC) or an ISO date and time "
            f"such as 2026-06-01T09:30:00+02:00, not {value!r}"
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    if when.year < 1970:
        raise CaseFileError(f"{where}: `date` {value!r} is before 1970, which git cannot record")
    return when


def _below(tree: set[str], path: str) -> set[str]:
    """The files of ``tree`` that are ``path`` or inside the folder ``path``."""
    return {f for f in tree if f == path or f.startswith(path + "/")}


def _write_into(tree: set[str], path: str, where: str) -> None:
    if any(f.startswith(path + "/") for f in tree):
        raise CaseFileError(f"{where}: writes {path!r}, which is a folder at that point")
    parts = path.split("/")
    for i in range(1, len(parts)):
        if "/".join(parts[:i]) in tree:
            raise CaseFileError(
                f"{where}: writes {path!r} inside {'/'.join(parts[:i])!r}, which is a file"
            )
    tree.add(path)


def _history_commit(raw: Any, index: int, tree: set[str], where: str) -> HistoryCommit:
    """Validate one commit against the files the commits before it left (``tree``, updated)."""
    if not isinstance(raw, dict):
        raise CaseFileError(f"{where} must be a mapping with date and files")
    if problem := unknown_keys(raw, COMMIT_KEYS):
        raise CaseFileError(f"{where}: {problem}")
    if "date" not in raw:
        raise CaseFileError(f"{where}: `date` is required (YYYY-MM-DD)")
    date = _commit_date(raw["date"], where)
    author = raw.get("author", DEFAULT_AUTHOR)
    if not isinstance(author, str) or not _AUTHOR.fullmatch(author.strip()):
        raise CaseFileError(f"{where}: `author` must look like 'Name <email>', not {author!r}")
    message = raw.get("message", f"change {index + 1}")
    if not isinstance(message, str) or not message.strip():
        raise CaseFileError(f"{where}: `message` must be non-empty text")
    renames_raw = raw.get("renames") or {}
    if not isinstance(renames_raw, dict):
        raise CaseFileError(f"{where}: `renames` must map old paths to new ones")
    renames: dict[str, str] = {}
    for old_name, new_name in renames_raw.items():
        old, new = _rel_file(old_name, where), _rel_file(new_name, where)
        if old == new:
            raise CaseFileError(f"{where}: renames {old!r} to itself")
        moved = _below(tree, old)
        if not moved:
            raise CaseFileError(f"{where}: renames {old!r}, which no earlier commit wrote")
        if _below(tree, new) - moved or new.startswith(old + "/"):
            raise CaseFileError(f"{where}: renames {old!r} to {new!r}, which already exists")
        tree.difference_update(moved)
        for f in sorted(moved):
            _write_into(tree, new + f[len(old) :], where)
        renames[old] = new
    files_raw = raw.get("files") or {}
    if not isinstance(files_raw, dict):
        raise CaseFileError(
            f"{where}: `files` must map repository paths to their text (null deletes one)"
        )
    files: dict[str, str | None] = {}
    for name, content in files_raw.items():
        rel = _rel_file(name, where)
        if rel in files:
            raise CaseFileError(f"{where}: file {name!r} is given twice")
        if content is None:
            gone = _below(tree, rel)
            if not gone:
                raise CaseFileError(
                    f"{where}: deletes {name!r}, which is not in the repository at that point"
                )
            tree.difference_update(gone)
        elif isinstance(content, str):
            _write_into(tree, rel, where)
        else:
            raise CaseFileError(
                f"{where}: the content of file {name!r} must be text (or null to delete it)"
            )
        files[rel] = content
    return HistoryCommit(
        date=date, author=author.strip(), message=message, renames=renames, files=files
    )


def _history(value: Any, where: str) -> tuple[HistoryCommit, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise CaseFileError(
            f"{where}: `history` must be a list of commits (date, author, message, files), "
            "oldest first"
        )
    tree: set[str] = set()
    commits: list[HistoryCommit] = []
    for i, raw in enumerate(value):
        commit = _history_commit(raw, i, tree, f"{where}: history[{i}]")
        if commits and commit.date < commits[-1].date:
            raise CaseFileError(
                f"{where}: history[{i}]: dated {commit.date.isoformat()}, before the commit "
                f"above it ({commits[-1].date.isoformat()}); list commits oldest first"
            )
        commits.append(commit)
    return tuple(commits)


def _shallow(value: Any, history: tuple[HistoryCommit, ...] | None, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CaseFileError(f"{where}: `shallow` must be a positive number of commits")
    if not history:
        raise CaseFileError(f"{where}: `shallow` clones the case's `history`, which it lacks")
    return value


def _expected(item: Any, where: str) -> Expected:
    if not isinstance(item, dict):
        raise CaseFileError(f"{where} must be a mapping with rule and pointer")
    if problem := unknown_keys(item, EXPECT_KEYS):
        raise CaseFileError(f"{where}: {problem}")
    rule, pointer = item.get("rule"), item.get("pointer")
    if not isinstance(rule, str) or not rule.strip():
        raise CaseFileError(f"{where}: `rule` (a rule id or name) is required")
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise CaseFileError(
            f"{where}: `pointer` is required: a JSON pointer such as /rollback/max_minutes "
            "('' for the whole document)"
        )
    for key in ("line", "col"):
        value = item.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise CaseFileError(f"{where}: `{key}` must be a positive integer, not {value!r}")
    severity = item.get("severity")
    if severity is not None:
        try:
            severity = Severity.parse(str(severity)).label
        except ValueError as exc:
            raise CaseFileError(f"{where}: {exc}") from None
    contains = item.get("message_contains")
    if contains is not None and not isinstance(contains, str):
        raise CaseFileError(f"{where}: `message_contains` must be a string")
    waived = item.get("waived", False)
    if not isinstance(waived, bool):
        raise CaseFileError(f"{where}: `waived` must be true or false")
    return Expected(
        rule=rule.strip(),
        pointer=pointer,
        line=item.get("line"),
        col=item.get("col"),
        severity=severity,
        message_contains=contains,
        waived=waived,
    )


class _CaseLoader(yaml.SafeLoader):
    """The safe loader, except that a timestamp that is no date (2026-13-01) stays text,
    so the key it was given for reports it (PyYAML raises a bare ValueError)."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _CaseLoader.construct_yaml_timestamp)


def load_case_file(path: Path) -> list[Case]:
    """Read and validate one case file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read policy test file {path}: {exc}") from None
    try:
        data = yaml.load(text, Loader=_CaseLoader)  # noqa: S506 (_CaseLoader is a SafeLoader)
    except yaml.YAMLError as exc:
        raise CaseFileError(f"{path} is not valid YAML: {' '.join(str(exc).split())}") from None
    where = str(path)
    if not isinstance(data, dict):
        raise CaseFileError(f"{where}: a policy test file is a mapping with `cases:`")
    if problem := unknown_keys(data, FILE_KEYS):
        raise CaseFileError(f"{where}: {problem}")
    rules = data.get("rules")
    if rules is not None:
        if isinstance(rules, str):
            rules = [rules]
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise CaseFileError(f"{where}: `rules` must be a non-empty list of rule ids or names")
    folder = path.parent
    file_policy = _pack_ref(data.get("policy"), folder, where)
    file_config = _config(data.get("config"), where)
    file_today = _date(data.get("today"), where)
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise CaseFileError(f"{where}: `cases` must be a non-empty list")
    cases: list[Case] = []
    names: set[str] = set()
    for i, raw in enumerate(raw_cases):
        cwhere = f"{where}: cases[{i}]"
        if not isinstance(raw, dict):
            raise CaseFileError(f"{cwhere} must be a mapping with name and expect")
        if problem := unknown_keys(raw, CASE_KEYS):
            raise CaseFileError(f"{cwhere}: {problem}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CaseFileError(f"{cwhere}: `name` is required")
        name = " ".join(name.split())
        if name in names:
            raise CaseFileError(f"{cwhere}: another case is already named {name!r}")
        names.add(name)
        cwhere = f"{where}: case {name!r}"
        model, model_path = raw.get("model"), raw.get("path")
        if model is not None and model_path is not None:
            raise CaseFileError(f"{cwhere}: give either `model` or `path`, not both")
        if model is not None and not isinstance(model, str):
            raise CaseFileError(
                f"{cwhere}: `model` must be the model.yaml text (a literal block `|`)"
            )
        resolved: Path | None = None
        if model_path is not None:
            if not isinstance(model_path, str) or not model_path.strip():
                raise CaseFileError(
                    f"{cwhere}: `path` must be a file or folder relative to {path.name}"
                )
            resolved = (folder / model_path).resolve()
            if not resolved.exists():
                raise CaseFileError(f"{cwhere}: path {model_path!r} does not exist ({resolved})")
        files = raw.get("files") or {}
        if not isinstance(files, dict):
            raise CaseFileError(f"{cwhere}: `files` must map repository paths to their text")
        checked_files: dict[str, str] = {}
        for fname, content in files.items():
            rel = _rel_file(fname, cwhere)
            if not isinstance(content, str):
                raise CaseFileError(f"{cwhere}: the content of file {fname!r} must be text")
            checked_files[rel] = content
        expect = raw.get("expect")
        if not isinstance(expect, list):
            raise CaseFileError(f"{cwhere}: `expect` must be a list of findings (`[]`: must pass)")
        case_config = _config(raw.get("config"), cwhere)
        history = _history(raw.get("history"), cwhere)
        staged = raw.get("staged", False)
        if not isinstance(staged, bool):
            raise CaseFileError(f"{cwhere}: `staged` must be true or false")
        if staged and history is None:
            raise CaseFileError(f"{cwhere}: `staged` needs a `history` (a git repository)")
        cases.append(
            Case(
                source=path,
                index=i,
                name=name,
                expect=tuple(_expected(e, f"{cwhere}: expect[{j}]") for j, e in enumerate(expect)),
                model=model,
                path=resolved,
                files=checked_files,
                policy=_pack_ref(raw.get("policy"), folder, cwhere) or file_policy,
                config=merge_config(file_config, case_config),
                today=_date(raw.get("today"), cwhere) or file_today,
                rules=tuple(r.strip() for r in rules) if rules else None,
                history=history,
                shallow=_shallow(raw.get("shallow"), history, cwhere),
                staged=staged,
                registry=_registry_spec(raw.get("registry"), cwhere),
            )
        )
    return cases


def _registry_spec(raw: Any, where: str) -> RegistrySpec | None:
    if raw is None:
        return None
    where = f"{where}: registry"
    if not isinstance(raw, dict):
        raise CaseFileError(f"{where} must be a mapping ({', '.join(sorted(REGISTRY_KEYS))})")
    if problem := unknown_keys(raw, REGISTRY_KEYS):
        raise CaseFileError(f"{where}: {problem}")

    def number(value: Any, what: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CaseFileError(f"{where}: {what} must be a version number, not {value!r}")
        return value

    model = raw.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise CaseFileError(f"{where}: `model` must be the registered model's name")
    versions = number(raw.get("versions", 0), "`versions`")
    aliases = raw.get("aliases") or {}
    tags = raw.get("tags") or {}
    archived = raw.get("archived") or []
    if not isinstance(aliases, dict) or not all(isinstance(k, str) for k in aliases):
        raise CaseFileError(f"{where}: `aliases` must map alias names to version numbers")
    if not isinstance(tags, dict) or not all(
        isinstance(t, dict) and all(isinstance(v, (str, int, float)) for v in t.values())
        for t in tags.values()
    ):
        raise CaseFileError(f"{where}: `tags` must map version numbers to {{key: value}}")
    if not isinstance(archived, list):
        raise CaseFileError(f"{where}: `archived` must be a list of version numbers")
    spec = RegistrySpec(
        model=model.strip() if isinstance(model, str) else None,
        versions=versions,
        aliases={k: number(v, f"alias {k!r}") for k, v in aliases.items()},
        tags={
            number(k, "a `tags` key"): {str(a): str(b) for a, b in t.items()}
            for k, t in tags.items()
        },
        archived=tuple(number(v, "an `archived` entry") for v in archived),
    )
    named = [*spec.aliases.values(), *spec.tags, *spec.archived]
    if any(v < 1 or v > spec.versions for v in named):
        raise CaseFileError(f"{where}: a version it names is not among 1..{spec.versions}")
    if spec.model is None and (spec.versions or spec.aliases):
        raise CaseFileError(f"{where}: versions and aliases need a `model`")
    return spec


def merge_config(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge config mappings key by key; ``custom_rules`` lists add up."""
    out: dict[str, Any] = merge(dict(base), dict(over))
    if "custom_rules" in base and "custom_rules" in over:
        out["custom_rules"] = list(base["custom_rules"] or []) + list(over["custom_rules"] or [])
    return out


# -- running -------------------------------------------------------------------


class Runner:
    """Runs cases under a pack under test (``--policy``/config), caching resolved policies."""

    def __init__(
        self,
        *,
        policy: str | None = None,
        config: Config | None = None,
        today: _dt.date | None = None,
        relative_to: Path | None = None,
    ) -> None:
        self.config = config or Config()
        self.policy_ref = policy or self.config.policy
        self.relative_to = relative_to if policy else self.config.folder
        self.today = today
        self._cache: dict[str, Policy] = {}

    def _policy(self, ref: str | None, overrides: Mapping[str, Any], label: str) -> Policy:
        key = json.dumps([ref, overrides], sort_keys=True, default=str)
        if key not in self._cache:
            from .registry import full

            self._cache[key] = load_policy(
                ref,
                full(),
                relative_to=self.relative_to,
                overrides=overrides or None,
                overrides_label=label,
            )
        return self._cache[key]

    def pack(self) -> Policy:
        """The pack under test: ``--policy`` (or the config's pack) plus the config's overrides."""
        return self._policy(self.policy_ref, dict(self.config.overrides), self.config.label)

    def policy_for(self, case: Case) -> Policy:
        overrides = {k: v for k, v in case.config.items() if k != "roster"}
        if (
            case.policy is not None
        ):  # the case file tests another pack: the run's config does not apply
            return self._policy(case.policy, overrides, str(case.source))
        base = dict(self.config.overrides)
        if not overrides:
            return self.pack()
        return self._policy(self.policy_ref, merge_config(base, overrides), str(case.source))

    def run(self, case: Case) -> CaseResult:
        try:
            policy = self.policy_for(case)
        except ModelgovError as exc:
            raise CaseFileError(f"{case.source}: case {case.name!r}: {exc}") from None
        compared = _resolve_rules(case, policy)
        for e in case.expect:
            rule = _resolve(e.rule, policy, case)
            if compared is not None and rule.id not in compared:
                raise CaseFileError(
                    f"{case.source}: case {case.name!r} expects {e.rule}, which is not among the "
                    f"file's `rules` ({', '.join(sorted(compared))})"
                )
        today = case.today or self.today or _dt.date.today()
        findings = judge_case(case, policy, today)
        if compared is not None:
            findings = [f for f in findings if f.rule in compared]
        ids = [_resolve(e.rule, policy, case).id for e in case.expect]
        missing, unexpected = match(case.expect, ids, findings)
        return CaseResult(case, tuple(findings), tuple(missing), tuple(unexpected))


def _resolve(key: str, policy: Policy, case: Case) -> Rule:
    rule = policy.registry.resolve(key)
    if rule is None:
        raise CaseFileError(
            f"{case.source}: case {case.name!r} names unknown rule {key!r} (see `modelgov rules`)"
        )
    return rule


def _resolve_rules(case: Case, policy: Policy) -> set[str] | None:
    if case.rules is None:
        return None
    return {_resolve(r, policy, case).id for r in case.rules}


def judge_case(case: Case, policy: Policy, today: _dt.date) -> list[Finding]:
    """Write the case into a temporary folder and judge it as ``modelgov check`` would."""
    with tempfile.TemporaryDirectory(prefix="modelgov-case-") as tmp:
        root = write_case(case, Path(tmp))
        uri = build_registry(case.registry, Path(tmp) / "registry.db") if case.registry else None
        return judge_folder(root, policy, today, case.config.get("roster"), registry_uri=uri)


def judge_folder(
    root: Path, policy: Policy, today: _dt.date, roster: Any, *, registry_uri: str | None = None
) -> list[Finding]:
    """Judge the folder ``root`` under ``policy``, through the engine ``check`` uses
    (with ``--registry`` against ``registry_uri`` when given)."""
    from .engine.paths import Request, judge_path

    request = Request(
        today=today,
        discover_configs=False,  # the case says everything: no config of the folder applies
        roster=root / roster if isinstance(roster, str) else None,
        registry=registry_uri is not None,
        registry_uri=registry_uri,
    )
    targets = judge_path(root, request, lambda _config: policy)
    return [f for t in targets for f in t.all_findings()]


# -- a model registry for a case --------------------------------------------------

_EMPTY_REGISTRY: list[Path] = []


def build_registry(spec: RegistrySpec, db: Path) -> str:
    """A real MLflow registry in ``db`` (SQLite) holding what ``spec`` says; its URI.

    An empty database is made once per process (MLflow's migrations take
    seconds) and copied; then MLflow's own client registers the versions.
    """
    import logging
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from mlflow import MlflowClient
    except ImportError:
        raise CaseFileError(
            "a case with `registry:` needs the MLflow client: pip install 'modelgov-lint[mlflow]'"
        ) from None
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not _EMPTY_REGISTRY:
            folder = Path(tempfile.mkdtemp(prefix="modelgov-registry-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            empty = folder / "empty.db"
            uri = f"sqlite:///{empty}"
            MlflowClient(tracking_uri=uri, registry_uri=uri).search_registered_models()
            _EMPTY_REGISTRY.append(empty)
        shutil.copyfile(_EMPTY_REGISTRY[0], db)
        uri = f"sqlite:///{db}"
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        if spec.model is not None:
            client.create_registered_model(spec.model)
            for n in range(1, spec.versions + 1):
                client.create_model_version(spec.model, source=f"file://{db.parent}/model/{n}")
                for key, value in spec.tags.get(n, {}).items():
                    client.set_model_version_tag(spec.model, str(n), key, value)
                if n in spec.archived:
                    client.transition_model_version_stage(spec.model, str(n), "Archived")
            for alias, n in spec.aliases.items():
                client.set_registered_model_alias(spec.model, alias, str(n))
    return uri


# -- laying a case out -------------------------------------------------------------


def write_case(case: Case, tmp: Path) -> Path:
    """Write the case's repository below ``tmp`` and return its root.

    With a ``history`` it is a real git repository: the commits are made in
    order (one ``git fast-import``) and checked out, or cloned ``--depth
    shallow`` from such a repository.  Then ``path``, ``files`` and ``model``
    are written into the work tree (uncommitted edits unless equal to the last
    commit's files), and staged with ``staged: true``.

    The repository of a history is built once per process (:func:`_built`)
    and copied for each case that edits its work tree; a case that does not
    is judged in the built repository itself, since judging never writes
    into a repository (see :mod:`modelgov.git`).
    """
    from .git import build

    root = tmp / "repo"
    try:
        if case.history is None:
            root.mkdir()
        elif not _edits(case):
            return _built(case.history, case.shallow)
        else:
            shutil.copytree(_built(case.history, case.shallow), root, symlinks=True)
        if case.path is not None and case.path.is_dir():
            # its files, not its own repository (which would replace the case's history)
            skip = shutil.ignore_patterns(".git")
            shutil.copytree(case.path, root, dirs_exist_ok=True, symlinks=True, ignore=skip)
        for rel, content in case.files.items():
            target_file = root.joinpath(*rel.split("/"))
            target_file.parent.mkdir(parents=True, exist_ok=True)
            target_file.write_text(content, encoding="utf-8", newline="")
        if case.model is not None:
            (root / "model.yaml").write_text(case.model, encoding="utf-8", newline="")
        elif case.path is not None and case.path.is_file():
            (root / "model.yaml").write_bytes(case.path.read_bytes())
        if case.staged:
            build.stage_all(root)
    except GitError as exc:
        raise CaseFileError(
            f"{case.source}: case {case.name!r}: its history could not be built: {exc}"
        ) from None
    except OSError as exc:  # a file of the case collides with a folder of its history
        raise CaseFileError(f"{case.source}: case {case.name!r}: cannot write it: {exc}") from None
    return root


def _edits(case: Case) -> bool:
    """Whether the case writes into the work tree of its history."""
    return case.model is not None or case.path is not None or bool(case.files) or case.staged


#: Repositories built from histories in this process, by (fast-import stream, depth):
#: cases that share a history (a YAML anchor, a case run again) copy the one built.
_BUILT: OrderedDict[tuple[bytes, int | None], Path] = OrderedDict()
_BUILT_MAX = 64
_built_dir: list[Path] = []


def _built(commits: Sequence[HistoryCommit], shallow: int | None) -> Path:
    """A repository with ``commits`` (a clone of depth ``shallow``), built once per process."""
    from .git import build

    key = (fast_import_stream(commits), shallow)
    if key in _BUILT:
        _BUILT.move_to_end(key)
        return _BUILT[key]
    if not _built_dir:
        _built_dir.append(Path(tempfile.mkdtemp(prefix="modelgov-histories-")))
        atexit.register(shutil.rmtree, _built_dir[0], ignore_errors=True)
    folder = Path(tempfile.mkdtemp(dir=_built_dir[0]))
    try:
        if shallow is None:
            build.build(folder / "repo", key[0])
        else:
            build.build(folder / "origin", key[0])
            build.clone_shallow(folder / "origin", folder / "repo", shallow)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _BUILT[key] = folder / "repo"
    while len(_BUILT) > _BUILT_MAX:
        _, old = _BUILT.popitem(last=False)
        shutil.rmtree(old.parent, ignore_errors=True)
    return folder / "repo"


def fast_import_stream(commits: Sequence[HistoryCommit], branch: str = "main") -> bytes:
    """The ``git fast-import`` input that makes ``commits`` on ``branch``, oldest first."""
    out = bytearray()
    for mark, c in enumerate(commits, 1):
        m = _AUTHOR.fullmatch(c.author)
        assert m is not None  # validated when the case file was read
        offset = int((c.date.utcoffset() or _dt.timedelta()).total_seconds()) // 60
        zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        who = f"{m.group(1)} <{m.group(2)}> {int(c.date.timestamp())} {zone}".encode()
        out += b"commit refs/heads/" + branch.encode() + b"\nmark :%d\n" % mark
        out += b"author " + who + b"\ncommitter " + who + b"\n"
        out += _data(c.message if c.message.endswith("\n") else c.message + "\n")
        if mark > 1:
            out += b"from :%d\n" % (mark - 1)
        for old, new in c.renames.items():
            out += b"R " + _quote(old) + b" " + _quote(new) + b"\n"
        for path, text in c.files.items():
            if text is None:
                out += b"D " + _quote(path) + b"\n"
            else:
                out += b"M 100644 inline " + _quote(path) + b"\n" + _data(text)
    if out:
        out += b"done\n"
    return bytes(out)


def _data(text: str) -> bytes:
    payload = text.encode("utf-8")
    return b"data %d\n" % len(payload) + payload + b"\n"


def _quote(path: str) -> bytes:
    """A path C-quoted as fast-import reads it (any byte but NUL is allowed)."""
    out = bytearray(b'"')
    for byte in path.encode("utf-8"):
        if byte in b'"\\':
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')


def _fits(e: Expected, rule_id: str, f: Finding) -> bool:
    return (
        f.rule == rule_id
        and f.pointer == e.pointer
        and (e.line is None or f.line == e.line)
        and (e.col is None or f.col == e.col)
        and (e.severity is None or f.severity.label == e.severity)
        and (e.message_contains is None or e.message_contains in f.message)
        and (f.waived is not None) == e.waived
    )


def match(
    expected: Sequence[Expected], rule_ids: Sequence[str], found: Sequence[Finding]
) -> tuple[list[Expected], list[Finding]]:
    """Pair expectations with findings one to one (maximum bipartite matching).

    Returns the expectations left without a finding and the findings left
    without an expectation.
    """
    options = [
        [j for j, f in enumerate(found) if _fits(e, rid, f)]
        for e, rid in zip(expected, rule_ids, strict=True)
    ]
    owner: dict[int, int] = {}  # finding index -> expectation index

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    # ``augment`` may move an earlier expectation to another finding, never drop it.
    matched = set(owner.values())
    missing = [e for i, e in enumerate(expected) if i not in matched]
    unexpected = [f for j, f in enumerate(found) if j not in owner]
    return missing, unexpected


# -- coverage --------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Which enabled rules of the pack some case expects a finding of."""

    counted: tuple[Rule, ...]  # enabled rules of the pack that cases can express
    exercised: tuple[Rule, ...]
    excluded: tuple[Rule, ...]  # enabled, but need what a case cannot give: not counted

    @property
    def unexercised(self) -> tuple[Rule, ...]:
        done = {r.id for r in self.exercised}
        return tuple(r for r in self.counted if r.id not in done)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.exercised) / len(self.counted) if self.counted else 100.0


def expressible(rule: Rule) -> bool:
    """Whether a case can give the rule everything it uses (see :data:`CASE_USES`)."""
    return rule.uses <= CASE_USES


def coverage(pack: Policy, cases: Sequence[Case]) -> Coverage:
    expected: set[str] = set()
    for case in cases:
        for e in case.expect:
            rule = pack.registry.resolve(e.rule)
            expected.add(rule.id if rule is not None else e.rule.upper())
    enabled = [r for r in pack.registry if any(pack.settings(r, t).enabled for t in TIERS)]
    counted = tuple(r for r in enabled if expressible(r))
    excluded = tuple(r for r in enabled if not expressible(r))
    exercised = tuple(r for r in counted if r.id in expected)
    return Coverage(counted, exercised, excluded)
