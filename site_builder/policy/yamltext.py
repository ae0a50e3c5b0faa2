"""Safe YAML text for hand-laid-out policy files (with comments).

Every string is written double-quoted with full escaping, so no tool name or
description can change the structure of the file: quotes, `#`, `:`, `&`, `*`,
newlines, tabs, bidi overrides, NUL and non-characters all stay data.  The
escapes are valid in YAML 1.1 (PyYAML) and YAML 1.2 (Go's yaml.v3, which
Intercept uses).  Comments are reduced to one line of printable text.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..content.one_line import OneLine

# Characters written as escapes: everything outside the printable set common to
# YAML 1.1 and 1.2, the line/paragraph separators and NEL that YAML 1.1 reads
# as line breaks, BOM, bidi controls and zero-width characters (so a reviewer
# sees them), plus the backslash and the double quote.
_ESCAPE = re.compile(
    "[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\\\\\"\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_COMMENT_UNSAFE = re.compile(
    "[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u2028\u2029\u0085\ufeff\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")


def quote(text: str) -> str:
    """`text` as a double-quoted YAML scalar that reads back as exactly `text`.  Printable ASCII without a
    quote or a backslash (most names and messages) has nothing to escape, which isprintable tells faster."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return '"' + _ESCAPE.sub(_escape, text) + '"'


def scalar(value: Any) -> str:
    """A condition value as YAML: strings quoted, numbers and booleans plain, lists in flow style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("condition values must be finite numbers")
        return json.dumps(value) if "e" not in json.dumps(value) else f"{value:.17f}".rstrip("0")
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(item) for item in value) + "]"
    raise ValueError(f"unsupported condition value {value!r}")


_COMMENT = OneLine(_COMMENT_UNSAFE)


def comment(text: str | None, limit: int = 160) -> str:
    """One line of printable text for a `#` comment (never a line break), cut at `limit` with "…"."""
    return _COMMENT(text or "", limit)
