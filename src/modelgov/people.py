"""People facts: the roster (who is still here) and CODEOWNERS (who owns which path).

Pure parsing of bytes into frozen data; :mod:`modelgov.engine.factpass` finds and
reads the files.  Rules read :class:`Roster` and :class:`CodeOwners` only.

Roster
    An export of an HR or identity system, YAML or CSV, with at least an
    email and a status (``active`` or ``left``) per person; optional columns
    ``name`` and ``github`` (the person's GitHub handle, which lets CODEOWNERS
    ``@handle`` entries be matched to emails).  YAML may be a list of
    mappings, a mapping of email to status, a mapping of email to a mapping,
    or any of those under a top-level ``people:`` key.  A bad roster raises
    :class:`~modelgov.errors.ConfigError` naming the file and the line.

CODEOWNERS
    GitHub's format: ``PATTERN OWNER...`` per line, ``#`` comments, the last
    matching pattern wins.  Patterns follow gitignore as GitHub documents it
    (the ``codeowners`` dialect of :mod:`modelgov.pathmatch`): a leading ``/``
    or a ``/`` inside anchors a pattern to the repository root, otherwise it
    matches at any depth; a trailing ``/`` matches a folder's contents; ``*``
    stays inside one path segment, ``**`` spans folders; a pattern that names
    a folder covers everything below it, except ``dir/*`` (and ``/*``) which,
    as on GitHub, covers only the folder's direct files.  ``!`` negation and
    ``[...]`` ranges are not supported by GitHub and such lines are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from .errors import ConfigError
from .pathmatch import Glob, compile_glob

Status = Literal["active", "left"]
STATUSES: tuple[Status, ...] = ("active", "left")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HANDLE_KEYS = ("github", "github_handle", "handle", "username", "login")


class Person(NamedTuple):
    email: str  # lower case
    status: Status
    line: int  # where the roster lists them (1-based)
    name: str = ""
    handle: str = ""  # GitHub handle without '@', lower case


class Roster(NamedTuple):
    source: str  # the file, as shown to users
    people: Mapping[str, Person]

    def get(self, email: str) -> Person | None:
        return self.people.get(email.strip().lower())

    def handle_of(self, email: str) -> str:
        person = self.get(email)
        return person.handle if person else ""


# -- roster ----------------------------------------------------------------------


def parse_roster(raw: bytes, source: str) -> Roster:
    """Parse a roster file; CSV when ``source`` ends in ``.csv``, YAML otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"roster {source}, line {line}: not valid UTF-8") from None
    rows = _csv_rows(text, source) if source.lower().endswith(".csv") else _yaml_rows(text, source)
    people: dict[str, Person] = {}
    for line, row in rows:
        person = _person(row, line, source)
        seen = people.get(person.email)
        if seen is not None and seen.status != person.status:
            raise ConfigError(
                f"roster {source}, line {line}: {person.email} is listed again with status "
                f"{person.status!r} (line {seen.line} says {seen.status!r})"
            )
        if seen is None:
            people[person.email] = person
    return Roster(source, people)


def _person(row: Mapping[str, Any], line: int, source: str) -> Person:
    where = f"roster {source}, line {line}"
    email = row.get("email")
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        shown = "missing" if email in (None, "") else repr(email)
        raise ConfigError(f"{where}: `email` is {shown}; every person needs an email address")
    status = row.get("status")
    norm = status.strip().lower() if isinstance(status, str) else ""
    if norm not in STATUSES:
        shown = "missing" if status in (None, "") else repr(status)
        raise ConfigError(f"{where}: `status` of {email.strip()} is {shown}; use active or left")
    handle = ""
    for key in _HANDLE_KEYS:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            handle = value.strip().lstrip("@").lower()
            break
    name = row.get("name")
    return Person(
        email=email.strip().lower(),
        status="active" if norm == "active" else "left",
        line=line,
        name=name.strip() if isinstance(name, str) else "",
        handle=handle,
    )


def _csv_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    import csv
    import io

    lines = text.splitlines()
    header = next((ln for ln in lines if ln.strip()), "")
    delimiter = ","
    if "," not in header:
        delimiter = next((d for d in (";", "\t") if d in header), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: list[str] | None = None
    out = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = [c.strip().lower() for c in row]
                missing = [c for c in ("email", "status") if c not in columns]
                if missing:
                    raise ConfigError(
                        f"roster {source}, line {reader.line_num}: the header has no "
                        f"{' or '.join(missing)} column (found: {', '.join(columns) or 'nothing'})"
                    )
                continue
            out.append((reader.line_num, dict(zip(columns, row, strict=False))))
    except csv.Error as exc:
        raise ConfigError(f"roster {source}, line {reader.line_num}: {exc}") from None
    if columns is None:
        raise ConfigError(f"roster {source}, line 1: the file is empty; expected email,status")
    return out


#: A YAML roster holds at most this many values (aliases counted each time they are used;
#: about 40,000 people).  A larger export is a CSV file, read as a stream of rows.
MAX_ROSTER_VALUES = 200_000


def _yaml_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """People of a YAML roster, read by the bounded loader of model.yaml (no alias bombs)."""
    from .document import MISSING, NOT_MAPPING, SUSPICIOUS_TEXT, join_pointer, load_text

    doc = load_text(source, text, max_values=MAX_ROSTER_VALUES)
    # names may hold joiners that some scripts need: only the emails are matched
    problems = [p for p in doc.problems if p.rule not in (NOT_MAPPING, SUSPICIOUS_TEXT)]
    if problems:
        first = problems[0]
        kind = "not valid YAML" if first.rule == "MG001" else "not readable"
        raise ConfigError(f"roster {source}, line {first.line}: {kind} ({first.message})")
    root, base = doc.data, ""
    if root is None:
        raise ConfigError(f"roster {source}, line 1: the file is empty; expected a list of people")
    if isinstance(root, dict) and doc.get("/people") is not MISSING:
        root, base = root["people"], "/people"

    def line_of(pointer: str, *, key: bool = False) -> int:
        return doc.locate(pointer, key=key)[0]

    out: list[tuple[int, dict[str, Any]]] = []
    if isinstance(root, list):
        for i, item in enumerate(root):
            line = line_of(join_pointer(base, i))
            if not isinstance(item, dict):
                raise ConfigError(
                    f"roster {source}, line {line}: each person must be a mapping with "
                    "email and status"
                )
            out.append((line, _scalars(item)))
        return out
    if isinstance(root, dict):
        for email, value in root.items():
            line = line_of(join_pointer(base, email), key=True)
            if isinstance(value, dict):
                row = _scalars(value)
                row.setdefault("email", email)
                out.append((line, row))
            elif isinstance(value, list):
                raise ConfigError(
                    f"roster {source}, line {line}: {email!r} must map to a status or a mapping"
                )
            else:
                out.append((line, {"email": email, "status": _text(value)}))
        return out
    raise ConfigError(
        f"roster {source}, line {line_of(base)}: expected a list of people "
        "(email, status) or a mapping of email to status"
    )


def _text(value: Any) -> Any:
    """A scalar as the text it was written as (a number or a date is a string here)."""
    return value if isinstance(value, (str, bool)) or value is None else str(value)


def _scalars(mapping: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key).strip().lower(): _text(value)
        for key, value in mapping.items()
        if not isinstance(value, (list, dict))
    }


# -- CODEOWNERS ---------------------------------------------------------------------


class OwnersRule(NamedTuple):
    line: int
    pattern: str
    owners: tuple[str, ...]  # '@user', '@org/team' or an email, as written
    glob: Glob


class CodeOwners(NamedTuple):
    file: str  # repo-relative path of the CODEOWNERS file used
    rules: tuple[OwnersRule, ...]

    def match(self, path: str) -> OwnersRule | None:
        """The rule that decides ``path``'s owners (the last matching one), if any."""
        for rule in reversed(self.rules):
            if rule.glob.match(path):
                return rule
        return None


def parse_codeowners(text: str, file: str) -> CodeOwners:
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        parts = line.split()
        pattern = parts[0].replace("\\#", "#").replace("\\ ", " ")
        if pattern.startswith("!") or "[" in pattern:
            continue  # not supported by GitHub: the line is ignored there too
        owners = tuple(p for p in parts[1:] if p.startswith("@") or "@" in p)
        rules.append(OwnersRule(number, pattern, owners, compile_glob(pattern, "codeowners")))
    return CodeOwners(file, tuple(rules))


def _strip_comment(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
            continue
        if c == "#":
            break
        out.append(c)
        i += 1
    return "".join(out)
