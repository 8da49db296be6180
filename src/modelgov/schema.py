"""The JSON Schema of model.yaml, and a small validator for the subset it uses.

``schemas/model.schema.json`` is the public contract (editors use it for
completion and hover docs).  ``modelgov check`` validates against it on every
commit, so the validator must start fast: importing ``jsonschema`` costs about
95 ms on the reference machine, more than the whole rest of a check (see
docs/performance.md).  This module implements exactly the keywords the
schema uses and refuses a schema with any other keyword, so it can never
silently ignore a constraint.  ``tests/test_schema.py`` cross-checks it
against ``jsonschema`` on the reference file and on generated documents.

Dates arrive from YAML as ``datetime.date`` objects and are checked as
strings of ``format: date``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any, NamedTuple

from .document import describe, join_pointer
from .resources import data_path

SUPPORTED = frozenset(
    {
        "$schema", "$id", "title", "description", "examples", "default",
        "type", "properties", "required", "additionalProperties", "patternProperties",
        "items", "minItems", "maxItems", "enum", "const", "minimum", "maximum",
        "minLength", "maxLength", "pattern", "format",
    }
)  # fmt: skip

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


class SchemaError(NamedTuple):
    """One violation: where, which keyword, and a sentence for people."""

    pointer: str
    keyword: str
    message: str
    key: str = ""  # for additionalProperties / required: the key concerned


class UnsupportedSchema(ValueError):
    pass


@cache
def model_schema() -> dict[str, Any]:
    with data_path("schemas", "model.schema.json").open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    assert_supported(schema)
    return schema


def schema_text() -> str:
    return data_path("schemas", "model.schema.json").read_text(encoding="utf-8")


def assert_supported(schema: Any, where: str = "#") -> None:
    """Raise when the schema uses a keyword this validator does not implement."""
    if not isinstance(schema, dict):
        return
    unknown = set(schema) - SUPPORTED
    if unknown:
        raise UnsupportedSchema(f"{where}: unsupported schema keyword(s) {sorted(unknown)}")
    for name, sub in schema.get("properties", {}).items():
        assert_supported(sub, f"{where}/properties/{name}")
    for name, sub in schema.get("patternProperties", {}).items():
        assert_supported(sub, f"{where}/patternProperties/{name}")
    if isinstance(schema.get("items"), dict):
        assert_supported(schema["items"], f"{where}/items")
    if isinstance(schema.get("additionalProperties"), dict):
        assert_supported(schema["additionalProperties"], f"{where}/additionalProperties")


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, (str, _dt.date))
    if name == "integer":  # JSON Schema: 1.0 is an integer
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "null":
        return value is None
    raise UnsupportedSchema(f"unknown type {name!r}")


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1 and a date equals its ISO text."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and bool(a == b)
    if isinstance(a, _dt.date):
        return bool(_as_text(a) == b)
    return bool(a == b)


def _as_text(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _format_ok(fmt: str, value: Any) -> bool:
    if isinstance(value, _dt.datetime):
        return fmt != "date"
    if isinstance(value, _dt.date):
        return fmt == "date"
    text = str(value)
    if fmt == "date":
        if not _DATE.match(text):
            return False
        try:
            _dt.date.fromisoformat(text)
        except ValueError:
            return False
        return True
    if fmt == "email":
        return bool(_EMAIL.match(text))
    if fmt == "uri":
        return bool(_URI.match(text))
    return True


_FORMAT_WORDS = {"date": "a date (YYYY-MM-DD)", "email": "an email address", "uri": "a URI"}


def validate(instance: Any, schema: dict[str, Any], pointer: str = "") -> Iterator[SchemaError]:
    """Yield every violation of ``schema`` by ``instance``."""
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(instance, n) for n in names):
            want = " or ".join(_TYPE_NAMES[n] for n in names)
            yield SchemaError(pointer, "type", f"expected {want}, found {describe(instance)}")
            return
    if "const" in schema and instance != schema["const"]:
        yield SchemaError(pointer, "const", f"must be {schema['const']!r}")
    if "enum" in schema:
        options = schema["enum"]
        if not any(_same(instance, o) for o in options):
            shown = ", ".join(str(o) for o in options)
            yield SchemaError(pointer, "enum", f"{_as_text(instance)!r} is not one of: {shown}")
    if isinstance(instance, (str, _dt.date)):
        yield from _validate_string(instance, schema, pointer)
    elif isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            yield SchemaError(pointer, "minimum", f"must be at least {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            yield SchemaError(pointer, "maximum", f"must be at most {schema['maximum']}")
    elif isinstance(instance, dict):
        yield from _validate_object(instance, schema, pointer)
    elif isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            n = schema["minItems"]
            yield SchemaError(
                pointer, "minItems", f"needs at least {n} item{'s' if n != 1 else ''}"
            )
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            yield SchemaError(pointer, "maxItems", f"allows at most {schema['maxItems']} items")
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(instance):
                yield from validate(item, items, join_pointer(pointer, i))


def _validate_string(instance: Any, schema: dict[str, Any], pointer: str) -> Iterator[SchemaError]:
    text = _as_text(instance)
    if "minLength" in schema and len(text) < schema["minLength"]:
        yield SchemaError(pointer, "minLength", "must not be empty")
    if "maxLength" in schema and len(text) > schema["maxLength"]:
        yield SchemaError(pointer, "maxLength", f"is longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], text):
        yield SchemaError(pointer, "pattern", f"{text!r} does not match {schema['pattern']}")
    fmt = schema.get("format")
    if fmt and not _format_ok(fmt, instance):
        yield SchemaError(pointer, "format", f"{text!r} is not {_FORMAT_WORDS.get(fmt, fmt)}")


def _validate_object(
    instance: dict[str, Any], schema: dict[str, Any], pointer: str
) -> Iterator[SchemaError]:
    for name in schema.get("required", ()):
        if name not in instance:
            yield SchemaError(pointer, "required", f"{name!r} is missing", key=name)
    props: dict[str, Any] = schema.get("properties", {})
    patterns: dict[str, Any] = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in instance.items():
        child = join_pointer(pointer, key)
        if key in props:
            yield from validate(value, props[key], child)
            continue
        matched = [sub for pat, sub in patterns.items() if re.search(pat, key)]
        for sub in matched:
            yield from validate(value, sub, child)
        if matched:
            continue
        if extra is False:
            yield SchemaError(child, "additionalProperties", f"unknown key {key!r}", key=key)
        elif isinstance(extra, dict):
            yield from validate(value, extra, child)


def subschema(pointer: str) -> dict[str, Any] | None:
    """The part of the model schema that describes ``pointer`` (for hints)."""
    node: Any = model_schema()
    for part in [p for p in pointer.split("/")[1:] if p]:
        if not isinstance(node, dict):
            return None
        if node.get("type") == "array" and part.isdigit():
            node = node.get("items")
        else:
            node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node if isinstance(node, dict) else None
