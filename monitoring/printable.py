"""Text that is safe to print on a terminal or write to a log: control characters escaped.

File names, cells, server answers and user names reach the command line's output and the
logs. A newline in one forges a line (a fake ``run 12: succeeded``), an escape sequence
recolours, retitles or clears the operator's terminal, a bidi override reverses what is
read. Everything the CLI prints or logs of such text goes through :func:`printable` (or
:func:`printable_json` for JSON it has already encoded), which writes those characters
as visible escapes (``\\n``, ``\\x1b``, ``\\u202e``) and leaves all other text, Chinese
included, as it is.
"""

from __future__ import annotations

import re

#: C0 controls and DEL, C1 controls (U+0080–U+009F: U+009B is a one-character CSI on some
#: terminals), the line/paragraph separators, and the bidirectional controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Inside an encoded JSON text only these can still be raw (encoders escape C0 already).
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``str(value)`` with every control character written as a visible escape."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(_escape, text)


def printable_json(text: str) -> str:
    """An encoded JSON text (``ensure_ascii=False``) with the control characters JSON
    encoders leave raw written as ``\\uXXXX``: the same JSON value, safe on a terminal."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: object, limit: int = 200) -> str:
    """Text fit for a one-line message about a file's content: every character Python does
    not call printable (controls, but also zero-width and other invisible ones) written as
    an escape, cut at ``limit`` characters. Stricter than :func:`printable`, which keeps
    other text as it is: a cell quoted in a reason should show what is really there."""
    out = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))
    return out if len(out) <= limit else out[: limit - 1] + "…"
