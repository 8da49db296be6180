"""The pre-commit hooks modelgov offers: a catalog in code, rendered into
``.pre-commit-hooks.yaml`` at the repository root.

The manifest is generated, never edited by hand; a test fails when it is
stale::

    python -m modelgov.hooks              # print the manifest
    python -m modelgov.hooks --write      # regenerate .pre-commit-hooks.yaml
    python -m modelgov.hooks --check      # exit 1 when the file is stale

The ``modelgov`` hook judges what is **staged** (``modelgov check --staged``
reads the git index, honouring ``GIT_INDEX_FILE``), so a commit cannot slip
a broken model.yaml through while a good one sits unstaged.  It does not filter
by file name: a model declares arbitrary ``paths``, so deleting or renaming any
file can break a declaration.  It takes no file names and runs once per
commit; reading the index is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = ".pre-commit-hooks.yaml"
HEADER = (
    "# Generated from src/modelgov/hooks.py by `python -m modelgov.hooks --write`; do not edit.\n"
)


@dataclass(frozen=True)
class Hook:
    """One entry of ``.pre-commit-hooks.yaml`` (the keys pre-commit defines)."""

    id: str
    name: str
    description: str
    entry: str
    language: str = "python"
    pass_filenames: bool = False
    always_run: bool = True
    require_serial: bool = True
    stages: tuple[str, ...] = ("pre-commit", "pre-merge-commit", "manual")
    minimum_pre_commit_version: str = "3.2.0"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "entry": self.entry,
            "language": self.language,
            "pass_filenames": self.pass_filenames,
            "always_run": self.always_run,
            "require_serial": self.require_serial,
            "stages": list(self.stages),
            "minimum_pre_commit_version": self.minimum_pre_commit_version,
        }


HOOKS: tuple[Hook, ...] = (
    Hook(
        id="modelgov",
        name="modelgov",
        description=(
            "Check the staged model.yaml declarations (owner, on-call, rollback, drift, "
            "deploy approval) against the repository's modelgov policy."
        ),
        entry="modelgov check --staged",
    ),
)


def render(hooks: Sequence[Hook] = HOOKS) -> str:
    import yaml

    body = yaml.safe_dump(
        [h.as_dict() for h in hooks], sort_keys=False, default_flow_style=False, width=1000
    )
    return HEADER + body


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    mode = "print"
    if args and args[0] in ("--write", "--check"):
        mode = args.pop(0)[2:]
    if len(args) > 1 or (args and args[0].startswith("-")):
        sys.stderr.write("usage: python -m modelgov.hooks [--write|--check] [PATH]\n")
        return 2
    path = Path(args[0]) if args else Path(MANIFEST)
    text = render()
    if mode == "print":
        sys.stdout.write(text)
        return 0
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if mode == "check":
        if current != text:
            sys.stderr.write(f"{path} is stale: run `python -m modelgov.hooks --write`\n")
            return 1
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
