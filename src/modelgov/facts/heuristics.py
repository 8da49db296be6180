"""Undeclared models: ML artifacts and training code that no model.yaml covers.

The shadow models an auditor most needs to find.  A file is a *signal* when

* its name matches an **artifact** pattern (serialized weights and model
  packages: ``*.onnx``, ``*.pt``, ``*.safetensors``, ``MLmodel``,
  ``saved_model.pb``, ...), or
* its name matches a **training file** pattern (``train*.py``, ...) *and* it
  imports a **training library** (``import torch``, ``from sklearn ...``);
  only files up to ``max_read_bytes`` are read, in one batch per repository.

A signal is *covered* when a model.yaml declares it: the file lies in the
model.yaml's folder or below it (a model.yaml at the root covers the whole
repository), or matches one of the model's ``paths``.  Uncovered signals are
grouped by folder -- a folder and the folders below it form one group, named
by the top-most folder holding a signal -- and each group is one
``undeclared`` row.  Files below ``ignore`` globs (tests and fixtures by
default) and in virtualenvs, ``node_modules`` and the like are not signals.

Everything is configurable under ``audit:`` in the org config
(``--config``); a list replaces the default list::

    audit:
      undeclared: true                   # false: do not look for undeclared models
      artifacts: ["*.onnx", "*.pt", ...]  # globs: a name without '/' matches the file name
      training_files: ["train*.py", ...]
      training_imports: [torch, sklearn, ...]
      ignore: ["**/tests/**", ...]        # repo paths that are never signals
      max_read_bytes: 262144             # training files larger than this are not read
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, unknown_keys
from ..pathmatch import PathMatcher, any_of
from ..repoview import SKIP_DIRS

DEFAULT_ARTIFACTS = (
    "*.onnx", "*.pt", "*.pth", "*.safetensors", "*.pkl", "*.pickle", "*.joblib", "*.h5",
    "*.hdf5", "*.keras", "*.ckpt", "*.gguf", "*.ggml", "*.tflite", "*.mlmodel", "*.pmml",
    "*.mar", "MLmodel", "saved_model.pb", "saved_model.pbtxt",
)  # fmt: skip
DEFAULT_TRAINING_FILES = ("train*.py", "*_train.py", "*-train.py", "train*.ipynb")
DEFAULT_TRAINING_IMPORTS = (
    "torch", "sklearn", "xgboost", "lightgbm", "catboost", "tensorflow", "keras", "jax",
    "flax", "transformers", "pytorch_lightning", "lightning",
)  # fmt: skip
DEFAULT_IGNORE = (
    "**/tests/**", "**/test/**", "**/testdata/**", "**/fixtures/**", "tests/**", "test/**",
)  # fmt: skip
DEFAULT_MAX_READ = 256 * 1024
KEYS = {"undeclared", "artifacts", "training_files", "training_imports", "ignore", "max_read_bytes"}
MAX_SIGNALS_SHOWN = 10


@dataclass(frozen=True)
class Heuristics:
    undeclared: bool = True
    artifacts: tuple[str, ...] = DEFAULT_ARTIFACTS
    training_files: tuple[str, ...] = DEFAULT_TRAINING_FILES
    training_imports: tuple[str, ...] = DEFAULT_TRAINING_IMPORTS
    ignore: tuple[str, ...] = DEFAULT_IGNORE
    max_read_bytes: int = DEFAULT_MAX_READ

    def describe(self) -> dict[str, Any]:
        return {
            "undeclared": self.undeclared,
            "artifacts": list(self.artifacts),
            "training_files": list(self.training_files),
            "training_imports": list(self.training_imports),
            "ignore": list(self.ignore),
            "max_read_bytes": self.max_read_bytes,
        }


def validate(data: Any, where: str) -> None:
    """Validate the ``audit:`` mapping of a config (raises :class:`ConfigError`)."""
    heuristics_from(data, where)


def heuristics_from(data: Any, where: str = "config") -> Heuristics:
    if data is None:
        return Heuristics()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: `audit` must be a mapping ({', '.join(sorted(KEYS))})")
    if problem := unknown_keys(data, KEYS):
        raise ConfigError(f"{where}: `audit`: {problem}")
    values: dict[str, Any] = {}
    for key in ("artifacts", "training_files", "training_imports", "ignore"):
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(f"{where}: `audit.{key}` must be a list of non-empty strings")
            values[key] = tuple(value)
    for name in values.get("training_imports", ()):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name):
            raise ConfigError(
                f"{where}: `audit.training_imports` holds {name!r}, not a Python module name"
            )
    if "undeclared" in data:
        if not isinstance(data["undeclared"], bool):
            raise ConfigError(f"{where}: `audit.undeclared` must be true or false")
        values["undeclared"] = data["undeclared"]
    if "max_read_bytes" in data:
        limit = data["max_read_bytes"]
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= 1 << 24:
            raise ConfigError(f"{where}: `audit.max_read_bytes` must be a number of bytes (1..16M)")
        values["max_read_bytes"] = limit
    return Heuristics(**values)


@dataclass(frozen=True)
class Signal:
    path: str
    kind: str  # "artifact" | "training-code"
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "detail": self.detail}


@dataclass
class Undeclared:
    folder: str  # "" for the repository root
    signals: list[Signal] = field(default_factory=list)


def _matchers(patterns: Sequence[str]) -> tuple[PathMatcher | None, PathMatcher | None]:
    """One matcher for name patterns, one for path patterns (None when there are none);
    made once per list of patterns (an audit asks for the same lists in every repository)."""
    return _matchers_of(tuple(patterns))


@functools.lru_cache(maxsize=64)
def _matchers_of(patterns: tuple[str, ...]) -> tuple[PathMatcher | None, PathMatcher | None]:
    names = any_of(p for p in patterns if "/" not in p)
    paths = any_of(p.lstrip("/") for p in patterns if "/" in p)
    return names, paths


def _matches(rx: tuple[PathMatcher | None, PathMatcher | None], path: str) -> bool:
    name_rx, path_rx = rx
    return bool(
        (name_rx is not None and name_rx.match(posixpath.basename(path)))
        or (path_rx is not None and path_rx.match(path))
    )


def _imports_regex(libs: Sequence[str]) -> re.Pattern[bytes]:
    alts = "|".join(re.escape(lib) for lib in sorted(libs, key=len, reverse=True))
    # a line (or a notebook source string) that imports one of the libraries
    return re.compile(
        rb"""(?m)(?:^|["'])[ \t]*(?:import|from)[ \t]+(?P<lib>"""
        + alts.encode()
        + rb""")(?![A-Za-z0-9_])"""
    )


def find_undeclared(
    files: Mapping[str, tuple[str, int]],
    covered: Callable[[str], bool],
    read: Callable[[Sequence[str], int], Mapping[str, bytes | None]],
    h: Heuristics,
) -> list[Undeclared]:
    """Groups of uncovered signals.

    ``files`` maps each regular file of the commit to ``(blob id, size)``
    (size -1 when unknown: the blob is read up to the limit, and one over it
    is read past, not kept; a blob a partial clone left out is missing to git
    and never fetched); ``read`` reads blobs by id, at most ``limit`` bytes
    each, in one batch.
    """
    if not h.undeclared:
        return []
    artifacts = _matchers(h.artifacts)
    training = _matchers(h.training_files)
    ignore = _matchers(h.ignore)
    signals: list[Signal] = []
    candidates: dict[str, str] = {}
    for path in sorted(files):
        parts = path.split("/")
        if any(p in SKIP_DIRS for p in parts[:-1]) or _matches(ignore, path):
            continue
        if _matches(artifacts, path):
            if not covered(path):
                signals.append(Signal(path, "artifact", "model artifact"))
        elif _matches(training, path) and not covered(path):
            sha, size = files[path]
            if size <= h.max_read_bytes:
                candidates[path] = sha
    if candidates and h.training_imports:
        contents = read(list(candidates.values()), h.max_read_bytes)
        rx = _imports_regex(h.training_imports)
        for path, sha in candidates.items():
            data = contents.get(sha)
            m = rx.search(data) if data else None
            if m:
                lib = m.group("lib").decode()
                signals.append(Signal(path, "training-code", f"imports {lib}"))
    return group(signals)


def group(signals: Sequence[Signal]) -> list[Undeclared]:
    """Signals grouped by their top-most folder (a folder absorbs the folders below it)."""
    groups: list[Undeclared] = []

    def depth(folder: str) -> int:
        return folder.count("/") + 1 if folder else 0

    for sig in sorted(signals, key=lambda s: (depth(posixpath.dirname(s.path)), s.path)):
        folder = posixpath.dirname(sig.path)
        for g in groups:
            if g.folder == "" or folder == g.folder or folder.startswith(g.folder + "/"):
                g.signals.append(sig)
                break
        else:
            groups.append(Undeclared(folder, [sig]))
    for g in groups:
        g.signals.sort(key=lambda s: s.path)
    return sorted(groups, key=lambda g: g.folder)
