"""Load a model.yaml into plain data with a position for every node.

The loader drives libyaml's event parser (``yaml.CSafeLoader`` when present,
the pure-Python ``SafeLoader`` otherwise) and builds values itself, without
recursion, so that it can:

* record the 1-based line and column of every value and every mapping key,
  addressed by JSON pointer;
* turn everything YAML allows but a declaration must not contain into located
  problems instead of exceptions: syntax errors, duplicate keys, several
  documents, non-mapping top levels, unknown or Python tags, merge keys,
  non-string keys (``1:``, ``true:``), alias bombs and recursive anchors,
  absurd nesting, invalid dates, huge integers, NaN/inf, control and bidi
  characters, non-UTF-8 bytes.

No YAML tag can construct anything but null, bool, int, float, str, date,
datetime, list and dict: the Python constructors are never reached.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

#: The one pattern PyYAML compiles at import that costs more than the rest of its import
#: (55 of 91 million instructions, a charset spanning all of Unicode): ``yaml.reader``'s
#: check for unprintable characters, used only by PyYAML's pure-Python reader, which
#: modelgov does not use when libyaml is present.
_READER_PATTERN = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


class _LazyPattern:
    """Stands for ``re.compile(pattern)`` and compiles it on first use (same behaviour)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = _compile(*self._args)
        return getattr(self._compiled, name)


_compile = re.compile


def _import_yaml() -> None:
    """``import yaml``, with :data:`_READER_PATTERN` compiled only if PyYAML uses it.

    ``re.compile`` is wrapped only while PyYAML's modules run for the first time in this
    process (an import holds the import lock); every other pattern is compiled as usual."""
    if "yaml" in sys.modules:
        return

    def compile_(pattern: Any, flags: Any = 0) -> Any:
        if pattern == _READER_PATTERN:
            return _LazyPattern(pattern, flags)
        return _compile(pattern, flags)

    re.compile = compile_
    try:
        import yaml  # noqa: F401 - imported for sys.modules
    finally:
        re.compile = _compile


_import_yaml()
import yaml  # noqa: E402 - after _import_yaml, which imported it

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 10_000  # a declaration holds hundreds; building 10,000 takes well under 0.2 s
MAX_SCALAR_CHARS = 64 * 1024
#: Integers are read up to the digits Python prints (its int-to-string limit), whatever
#: the notation (decimal, hex, octal, base 60): a larger one is an MG007 finding.
MAX_INT_DIGITS = 4300
_INT_BITS = 14_000  # below 10**4214: printable without comparing

# Rule ids of loading problems; the rule modules in rules/ document them.
SYNTAX = "MG001"
DUPLICATE_KEY = "MG002"
MULTI_DOC = "MG003"
NOT_MAPPING = "MG004"
UNREADABLE = "MG005"
UNSUPPORTED = "MG006"
BAD_SCALAR = "MG007"
SUSPICIOUS_TEXT = "MG008"

_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}
_INT_TAG = "tag:yaml.org,2002:int"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

#: Characters that act or hide instead of showing: C0/C1 controls other than TAB/LF/CR;
#: every format character (Unicode category Cf: soft hyphen, bidi marks, embeddings,
#: overrides and isolates, zero-width characters, the word joiner and invisible operators,
#: the BOM inside text, the Arabic letter mark, the tag characters of "ASCII smuggling");
#: the rest of the tag block; the line and paragraph separators; and characters that
#: draw nothing (combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
#: Mongolian variation selectors, the variation selectors supplement).  The emoji
#: variation selectors U+FE00-U+FE0F are allowed.  ``reporters/_safe.py`` escapes the
#: same set in output (``tests/hostile/test_hostile_text.py`` holds the two together and
#: to the Unicode database).
INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
_SUSPICIOUS = re.compile(f"[{INVISIBLE}]")


class _Missing:
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class Problem(NamedTuple):
    """A loading problem; becomes a finding of the rule it names."""

    rule: str
    message: str
    hint: str
    line: int
    col: int
    pointer: str = ""


class Document:
    """A loaded model.yaml: its data plus where every value stands."""

    __slots__ = (
        "blob_sha",
        "data",
        "key_positions",
        "path",
        "plain",
        "positions",
        "problems",
        "text",
    )

    def __init__(self, path: str, text: str, data: Any = None, blob_sha: str = "") -> None:
        self.path = path
        self.text = text
        self.data = data
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.plain: set[str] = set()
        self.problems: list[Problem] = []
        self.blob_sha = blob_sha

    def __repr__(self) -> str:
        return f"Document({self.path!r}, ok={self.ok}, problems={len(self.problems)})"

    @property
    def ok(self) -> bool:
        """True when the top level is a mapping that rules can inspect."""
        return isinstance(self.data, dict)

    def get(self, pointer: str) -> Any:
        """The value at ``pointer``, or ``MISSING``."""
        node: Any = self.data
        for part in split_pointer(pointer):
            if isinstance(node, dict):
                if part not in node:
                    return MISSING
                node = node[part]
            elif isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    return MISSING
                node = node[int(part)]
            else:
                return MISSING
        return node

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``pointer``, or of its nearest existing ancestor.

        With ``key=True`` a mapping member is located at its key rather than
        its value (used for unknown and duplicate keys).
        """
        if key and pointer in self.key_positions:
            return self.key_positions[pointer]
        probe = pointer
        while True:
            if probe in self.positions:
                return self.positions[probe]
            if probe in self.key_positions:
                return self.key_positions[probe]
            if not probe:
                return (1, 1)
            probe = probe.rsplit("/", 1)[0]

    def is_plain(self, pointer: str) -> bool:
        """True when the scalar at ``pointer`` was written unquoted."""
        return pointer in self.plain


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, token: str | int) -> str:
    return f"{base}/{escape_token(str(token))}"


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (a BOM is allowed); a bad byte is a located problem."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            UNREADABLE,
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "Save the file as UTF-8.",
            line,
            col,
        )


def load(path: str, raw: bytes, *, max_bytes: int = MAX_BYTES) -> Document:
    """Load ``raw`` bytes of the file shown as ``path``.  Never raises for bad input."""
    if len(raw) > max_bytes:
        doc = Document(path=path, text="")
        doc.problems.append(
            Problem(
                UNREADABLE,
                f"file is {len(raw)} bytes, larger than the {max_bytes}-byte limit; not parsed",
                "A model.yaml is a short declaration: move data out of it.",
                1,
                1,
            )
        )
        return doc
    text, problem = decode(path, raw)
    if text is None:
        doc = Document(path=path, text="")
        assert problem is not None
        doc.problems.append(problem)
        return doc
    return load_text(path, text)


def load_text(path: str, text: str, *, max_values: int = MAX_VALUES) -> Document:
    """Load ``text``; ``max_values`` caps the values it holds or expands to (aliases
    counted each time they are used), so an alias bomb stops at the cap."""
    doc = Document(path=path, text=text)
    builder = _Builder(doc, max_values)
    try:
        builder.run()
    except _Abort:
        doc.data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}: {what}"
        doc.problems.append(
            Problem(
                SYNTAX,
                f"YAML syntax error: {what}",
                "Fix the YAML syntax at this place.",
                line,
                col,
            )
        )
        doc.data = None
    except yaml.YAMLError as exc:  # reader errors carry no problem_mark
        doc.problems.append(
            Problem(
                SYNTAX, f"YAML error: {_one_line(str(exc))}", "Fix the YAML at this place.", 1, 1
            )
        )
        doc.data = None
    except RecursionError:  # pragma: no cover - the depth cap stops this earlier
        doc.problems.append(
            Problem(UNSUPPORTED, "document nests too deeply", "Flatten the document.", 1, 1)
        )
        doc.data = None
    if doc.data is None and not any(p.rule in (SYNTAX, UNSUPPORTED) for p in doc.problems):
        doc.problems.append(
            Problem(
                NOT_MAPPING,
                "the file is empty: a model.yaml must be a mapping of declarations",
                "Start from `modelgov init`, or copy the reference model.yaml.",
                1,
                1,
            )
        )
    elif doc.data is not None and not isinstance(doc.data, dict):
        kind = _kind(doc.data)
        doc.problems.append(
            Problem(
                NOT_MAPPING,
                f"the top level is {kind}; a model.yaml must be a mapping of declarations",
                "Write `key: value` pairs at the top level (name, risk_tier, owner, ...).",
                *doc.positions.get("", (1, 1)),
            )
        )
    return doc


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return "a date"
    return type(value).__name__


class _Abort(Exception):
    """Stop building: the document is unusable (the problem is recorded)."""


class _Frame:
    """An open mapping or sequence while building."""

    __slots__ = (
        "anchor",
        "key_lines",
        "kind",
        "pending_key",
        "pointer",
        "size",
        "skip_next",
        "value",
    )

    def __init__(self, kind: str, value: Any, pointer: str, anchor: str | None) -> None:
        self.kind = kind  # "map" or "seq"
        self.value = value
        self.pointer = pointer
        self.anchor = anchor
        self.size = 1
        self.pending_key: Any = MISSING
        self.skip_next = False  # the value of a bad key is built but not stored
        self.key_lines: dict[str, int] = {}


class _Builder:
    def __init__(self, doc: Document, max_values: int = MAX_VALUES) -> None:
        self.doc = doc
        self.max_values = max_values
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.total = 0
        self.docs = 0
        self.root: Any = MISSING

    def problem(self, rule: str, message: str, hint: str, mark: Any, pointer: str = "") -> None:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.doc.problems.append(Problem(rule, message, hint, line, col, pointer))

    def fatal(self, rule: str, message: str, hint: str, mark: Any) -> None:
        self.problem(rule, message, hint, mark)
        raise _Abort

    def events(self) -> Iterator[Any]:
        loader = _Loader(self.doc.text)
        try:
            while loader.check_event():
                yield loader.get_event()
        finally:
            loader.dispose()

    def run(self) -> None:
        for event in self.events():
            if isinstance(event, yaml.DocumentStartEvent):
                self.docs += 1
                if self.docs == 2:
                    self.problem(
                        MULTI_DOC,
                        "the file holds more than one YAML document; only the first is read",
                        "Keep one declaration per file: remove the `---` separator and what follows.",
                        event.start_mark,
                    )
                continue
            if self.docs > 1 or isinstance(
                event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)
            ):
                continue
            self.handle(event)
        self.doc.data = None if self.root is MISSING else self.root

    def pointer_for_child(self) -> str | None:
        if not self.stack:
            return ""
        top = self.stack[-1]
        if top.kind == "seq":
            return join_pointer(top.pointer, len(top.value))
        if top.pending_key is MISSING:
            return None  # the next node is a key
        return join_pointer(top.pointer, top.pending_key)

    def handle(self, event: Any) -> None:
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.value, frame.size)
                self.open_anchors.discard(frame.anchor)
            self.attach(frame.value, frame.size, None, frame.pointer, event.start_mark, new=0)
            return
        child_pointer = self.pointer_for_child()
        is_key = child_pointer is None
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                self.fatal(
                    UNSUPPORTED,
                    f"alias *{event.anchor} refers to its own anchor (a recursive structure)",
                    "Write the value out instead of referring to itself.",
                    event.start_mark,
                )
            if event.anchor not in self.anchors:  # libyaml reports this first
                self.fatal(
                    UNSUPPORTED,
                    f"unknown alias *{event.anchor}",
                    "Define the anchor first.",
                    event.start_mark,
                )
            value, size = self.anchors[str(event.anchor)]
            if is_key and not isinstance(value, str):
                self.fatal(
                    UNSUPPORTED,
                    "an alias used as a mapping key",
                    "Write the key out.",
                    event.start_mark,
                )
            self.attach(value, size, None, child_pointer, event.start_mark, new=size)
            return
        tag = event.tag
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            expect = _MAP_TAG if kind == "map" else _SEQ_TAG
            if tag not in (None, "!", expect):
                self.problem(
                    UNSUPPORTED,
                    f"unsupported YAML tag {_one_line(tag)!r}; the tag is ignored",
                    "Remove the tag: model.yaml holds plain data only.",
                    event.start_mark,
                    child_pointer or "",
                )
            if is_key:
                self.fatal(
                    UNSUPPORTED,
                    "a mapping key must be a string, not a collection",
                    "Use plain string keys.",
                    event.start_mark,
                )
            if len(self.stack) >= MAX_DEPTH:
                self.fatal(
                    UNSUPPORTED,
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    "A model.yaml is a shallow declaration; flatten it.",
                    event.start_mark,
                )
            assert child_pointer is not None
            mark = event.start_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            self.doc.positions[child_pointer] = (line, col)
            frame = _Frame(kind, {} if kind == "map" else [], child_pointer, event.anchor)
            if event.anchor is not None:
                self.open_anchors.add(event.anchor)
            self.stack.append(frame)
            self.count(1, event.start_mark)
            return
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event, child_pointer)
            plain = not event.style
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            self.attach(value, 1, event, child_pointer, event.start_mark, new=1, plain=plain)
            return
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def count(self, n: int, mark: Any) -> None:
        self.total += n
        if self.total > self.max_values:
            self.fatal(
                UNSUPPORTED,
                f"the document holds or expands to more than {self.max_values} values "
                "(an alias bomb?)",
                "Write the declaration out without nested aliases.",
                mark,
            )

    def attach(
        self,
        value: Any,
        size: int,
        event: Any,
        pointer: str | None,
        mark: Any,
        *,
        new: int,
        plain: bool = False,
    ) -> None:
        """Attach a finished value to its parent.

        ``new`` is how many values this adds to the expansion count (a
        collection was counted at its start and through its children).
        A value that is not a collection start (scalar or alias) gets its
        position here.
        """
        line, col = mark.line + 1, mark.column + 1
        if new:
            self.count(new, mark)
        record = new > 0
        if not self.stack:
            self.root = value
            if record and pointer is not None:
                self.doc.positions[pointer] = (line, col)
            return
        top = self.stack[-1]
        top.size += size
        if top.kind == "seq":
            assert pointer is not None
            if record:
                self.doc.positions[pointer] = (line, col)
                if plain:
                    self.doc.plain.add(pointer)
            top.value.append(value)
            return
        if top.pending_key is MISSING:
            # ``value`` is a key
            key = value
            top.skip_next = False
            if (event is not None and event.tag == _MERGE_TAG) or (
                event is not None and event.value == "<<" and not event.style
            ):
                self.problem(
                    UNSUPPORTED,
                    "merge keys (`<<`) are not supported in a model.yaml",
                    "Write the keys out in full.",
                    mark,
                    top.pointer,
                )
                top.skip_next = True
                key = "<<"
            elif not isinstance(key, str):
                shown = event.value if event is not None else str(key)
                self.problem(
                    UNSUPPORTED,
                    f"mapping key {shown!r} is read as {_kind(key)}, not a string "
                    "(YAML 1.1 turns `1`, `true`, `no`, `null` keys into other types)",
                    f'Quote the key: "{shown}".',
                    mark,
                    top.pointer,
                )
                key = str(shown)
            if key in top.value or key in top.key_lines:
                first = top.key_lines.get(key)
                self.problem(
                    DUPLICATE_KEY,
                    f"duplicate key {key!r}"
                    + (f" (first defined at line {first})" if first else "")
                    + "; the first value is used",
                    "Remove one of the two keys.",
                    mark,
                    join_pointer(top.pointer, key),
                )
                top.skip_next = True
            else:
                top.key_lines[key] = line
                self.doc.key_positions[join_pointer(top.pointer, key)] = (line, col)
            top.pending_key = key
            return
        key = top.pending_key
        top.pending_key = MISSING
        assert pointer is not None
        if top.skip_next:
            top.skip_next = False
            return
        if record:
            self.doc.positions[pointer] = (line, col)
            if plain:
                self.doc.plain.add(pointer)
        top.value[key] = value

    def scalar(self, event: Any, pointer: str | None) -> Any:
        text: str = event.value
        mark = event.start_mark
        if len(text) > MAX_SCALAR_CHARS:
            self.problem(
                BAD_SCALAR,
                f"a value of {len(text)} characters (limit {MAX_SCALAR_CHARS}); it is cut",
                "Keep values short: link to a document instead.",
                mark,
                pointer or "",
            )
            text = text[:MAX_SCALAR_CHARS]
        tag = event.tag
        if tag is None or tag == "!":
            implicit = event.implicit
            tag = self.resolver.resolve(yaml.ScalarNode, text, implicit)  # type: ignore[no-untyped-call]
        elif tag not in _SAFE_TAGS:
            self.problem(
                UNSUPPORTED,
                f"unsupported YAML tag {_one_line(tag)!r}; the value is read as a plain string",
                "Remove the tag: model.yaml holds plain data only, never Python objects.",
                mark,
                pointer or "",
            )
            tag = "tag:yaml.org,2002:str"
        if tag == "tag:yaml.org,2002:str":
            self.check_text(text, mark, pointer)
            return text
        if tag == _MERGE_TAG:
            return "<<"
        if tag == _INT_TAG and _too_many_digits(text):
            return self.huge_int(text, mark, pointer)
        node = yaml.ScalarNode(tag, text, mark, mark, event.style)
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError) as exc:
            what = "date" if tag.endswith(":timestamp") else tag.rsplit(":", 1)[-1]
            self.problem(
                BAD_SCALAR,
                f"invalid {what} {_short(text)!r}: {_one_line(str(exc))[:120]}",
                "Write a valid value (dates as YYYY-MM-DD).",
                mark,
                pointer or "",
            )
            return text
        if isinstance(value, int) and value.bit_length() > _INT_BITS and not _printable(value):
            return self.huge_int(text, mark, pointer)  # hex or base 60: few characters
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(
                BAD_SCALAR,
                f"{_short(text)!r} is not a finite number",
                "Use a finite number.",
                mark,
                pointer or "",
            )
        return value

    def huge_int(self, text: str, mark: Any, pointer: str | None) -> str:
        self.problem(
            BAD_SCALAR,
            f"integer {_short(text)!r} has more than {MAX_INT_DIGITS} digits; it is read as text",
            "Write a number of a sensible size, or quote the value if it is a name.",
            mark,
            pointer or "",
        )
        return text

    def check_text(self, text: str, mark: Any, pointer: str | None) -> None:
        found = _SUSPICIOUS.search(text)
        if found is not None:
            self.problem(
                SUSPICIOUS_TEXT,
                f"text contains an invisible or control character U+{ord(found.group()):04X} "
                "(control, bidi, zero-width, format and tag characters can hide what a "
                "value says)",
                "Remove the character; write plain text.",
                mark,
                pointer or "",
            )


def _printable(value: int) -> bool:
    """At most :data:`MAX_INT_DIGITS` digits (what ``str()`` and JSON can write)."""
    global _INT_LIMIT
    if _INT_LIMIT is None:
        _INT_LIMIT = 10**MAX_INT_DIGITS
    return -_INT_LIMIT < value < _INT_LIMIT


_INT_LIMIT: int | None = None


def huge_int_at(data: Any) -> str | None:
    """The JSON pointer of the first integer of more than :data:`MAX_INT_DIGITS` digits in
    ``data`` (plain data from another parser, such as TOML), or ``None``.  No recursion."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((join_pointer(pointer, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((join_pointer(pointer, i), v) for i, v in enumerate(value))
        elif isinstance(value, int) and value.bit_length() > _INT_BITS and not _printable(value):
            return pointer or "/"
    return None


def _too_many_digits(text: str) -> bool:
    """A decimal integer of more than :data:`MAX_INT_DIGITS` digits, or text so long that
    building the number (base 60 multiplies once per digit) would cost time."""
    plain = text.lstrip("+-").replace("_", "")
    if len(text) > 4 * MAX_INT_DIGITS:
        return True
    return plain.isdigit() and not plain.startswith("0") and len(plain) > MAX_INT_DIGITS


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "..."


def describe(value: Any) -> str:
    """A short description of a value's type for messages."""
    return _kind(value)
