"""The loader: positions for every node, and YAML abuse as located problems."""

from __future__ import annotations

import datetime as dt

import pytest

from modelgov import document
from modelgov.document import MISSING, load, load_text


def problems(text: str) -> list[tuple[str, int, int]]:
    return [(p.rule, p.line, p.col) for p in load("m.yaml", text.encode()).problems]


def test_positions_of_values_and_keys() -> None:
    doc = load_text("m.yaml", "name: a\nowner:\n  email: x@example.com\nlist:\n  - 1\n  - {k: v}\n")
    assert doc.positions["/name"] == (1, 7)
    assert doc.positions["/owner"] == (3, 3)
    assert doc.key_positions["/owner/email"] == (3, 3)
    assert doc.positions["/owner/email"] == (3, 10)
    assert doc.positions["/list/1/k"] == (6, 9)
    assert doc.get("/list/1/k") == "v"
    assert doc.get("/nope/deeper") is MISSING
    # a missing key is located at its nearest existing ancestor
    assert doc.locate("/owner/team") == (3, 3)
    assert doc.locate("/absent") == (1, 1)


def test_pointer_escaping() -> None:
    doc = load_text("m.yaml", '"a/b": {"c~d": 1}\n')
    assert doc.get("/a~1b/c~0d") == 1
    assert document.split_pointer("/a~1b/c~0d") == ["a/b", "c~d"]


def test_dates_as_yaml_dates_and_strings() -> None:
    doc = load_text("m.yaml", "a: 2026-10-12\nb: '2026-10-12'\n")
    assert doc.get("/a") == dt.date(2026, 10, 12)
    assert doc.get("/b") == "2026-10-12"
    assert not doc.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", [("MG002", 2, 1)]),
        ("a: 1\n---\nb: 2\n", [("MG003", 2, 1)]),
        ("- a\n", [("MG004", 1, 1)]),
        ("", [("MG004", 1, 1)]),
        ("just a string\n", [("MG004", 1, 1)]),
        ("a: [\n", [("MG001", 2, 1)]),
        ("a: b: c\n", [("MG001", 1, 5)]),
        ("a: !!python/object:os.system x\n", [("MG006", 1, 4)]),
        ("a: !custom x\n", [("MG006", 1, 4)]),
        ("a: &x [*x]\n", [("MG006", 1, 8)]),
        ("a: {<<: {b: 1}}\n", [("MG006", 1, 5)]),
        ("1: x\ntrue: y\n", [("MG006", 1, 1), ("MG006", 2, 1)]),
        ("a: 2026-02-30\n", [("MG007", 1, 4)]),
        ("a: .nan\nb: -.inf\n", [("MG007", 1, 4), ("MG007", 2, 4)]),
        ("a: " + "9" * 5000 + "\n", [("MG007", 1, 4)]),
        ('a: "\\x1b[31mred"\n', [("MG008", 1, 4)]),
        ('a: "fraud\\u202escorer"\n', [("MG008", 1, 4)]),
    ],
)
def test_problems_are_located(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert problems(text) == expected


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    doc = load("m.yaml", ("\n".join(lines) + "\n").encode())
    assert doc.data is None
    assert [p.rule for p in doc.problems] == ["MG006"]
    assert "alias bomb" in doc.problems[0].message


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 3000 + "]" * 3000 + "\n"
    doc = load("m.yaml", text.encode())
    assert doc.data is None
    assert doc.problems and doc.problems[0].rule in ("MG001", "MG006")
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"
    doc = load("m.yaml", block.encode())
    assert [p.rule for p in doc.problems] == ["MG006"]


def test_non_utf8_is_located() -> None:
    doc = load("m.yaml", b"name: a\nowner: caf\xe9\n")
    assert [(p.rule, p.line, p.col) for p in doc.problems] == [("MG005", 2, 11)]


def test_bom_is_accepted() -> None:
    doc = load("m.yaml", b"\xef\xbb\xbfname: a\n")
    assert doc.get("/name") == "a"
    assert not doc.problems


def test_size_cap_before_parsing() -> None:
    doc = load("m.yaml", b"a: 1\n" * 10, max_bytes=20)
    assert doc.data is None
    assert doc.problems[0].rule == "MG005"


def test_yaml_11_boolean_is_kept_as_bool_and_plain_is_recorded() -> None:
    doc = load_text("m.yaml", "name: no\nquoted: 'no'\n")
    assert doc.get("/name") is False
    assert doc.is_plain("/name")
    assert not doc.is_plain("/quoted")
