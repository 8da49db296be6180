"""Make text from untrusted model.yaml files inert on a terminal or in a log.

Control characters (ANSI/OSC escapes, CR, backspace), bidi overrides,
zero-width, format and tag characters are shown as ``\\uXXXX`` (or
``\\UXXXXXXXX``) escapes instead of acting or hiding.
A path that starts a line is shown with ``./`` when it would otherwise start
a GitHub Actions workflow command (``::name ...::``, ``##[name]``): a CI
runner executes such lines from any output it logs.
"""

from __future__ import annotations

import re

#: What acts on a terminal or hides text: C0/C1 controls but TAB and LF; every format
#: character (Unicode category Cf: bidi marks and overrides, zero-width characters, the
#: word joiner, the Arabic letter mark, the tag characters of "ASCII smuggling"); the rest
#: of the tag block; line and paragraph separators; characters that draw nothing.  The
#: same set as MG008's (``modelgov.document.INVISIBLE``; reporters import nothing of it),
#: plus CR; a test holds the two together and to the Unicode database.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def inert(text: str, *, keep_newlines: bool = False) -> str:
    """Escape every character that could act on a terminal or hide text."""
    out = _UNSAFE.sub(_escape, text)
    if not keep_newlines:
        out = out.replace("\n", "\\n")
    return out


_COMMAND_START = re.compile(r"^\s*(::|##\[)")


def line_start_path(path: str) -> str:
    """``path`` made inert, with ``./`` before it when a CI runner would take it for a command."""
    shown = inert(path)
    return "./" + shown if _COMMAND_START.match(shown) else shown
