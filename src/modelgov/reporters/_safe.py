"""Make text from untrusted model.yaml files inert on a terminal or in a log.

Control characters (ANSI/OSC escapes, CR, backspace), bidi overrides and
zero-width characters are shown as ``\\uXXXX`` escapes instead of acting.
A path that starts a line is shown with ``./`` when it would otherwise start
a GitHub Actions workflow command (``::name ...::``, ``##[name]``): a CI
runner executes such lines from any output it logs.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def inert(text: str, *, keep_newlines: bool = False) -> str:
    """Escape every character that could act on a terminal or hide text."""
    out = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if not keep_newlines:
        out = out.replace("\n", "\\n")
    return out


_COMMAND_START = re.compile(r"^\s*(::|##\[)")


def line_start_path(path: str) -> str:
    """``path`` made inert, with ``./`` before it when a CI runner would take it for a command."""
    shown = inert(path)
    return "./" + shown if _COMMAND_START.match(shown) else shown
