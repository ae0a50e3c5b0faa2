"""Does Go's `regexp.Compile` accept a pattern?  (Intercept's `regex` op; docs/policy-formats.md.)

Go's regexp/syntax is a port of Google's C++ RE2, whose official Python binding (PyPI
`google-re2`) parses the same syntax.  The differences we know of are handled here:

- `\\C` (any byte): C++ RE2 accepts it, Go refuses it ("invalid escape sequence").
- Capture names: Go allows only `[A-Za-z0-9_]+`; C++ RE2 also takes other Unicode letters.
- Height: Go refuses a parse tree more than 1000 levels high ("expression nests
  too deeply"); C++ RE2 has no such limit.
- Size: Go refuses a program it estimates at over 3,355,443 instructions ("expression
  too large"; a class counts one; checked only once there are many nodes or counted
  repeats); C++ RE2 refuses programs over its memory budget, which `\\pL{1000}` exceeds.
  So RE2 is the parser only (a "pattern too large" compile failure means the parse
  succeeded), and Go's two limits are computed on the pattern's shape (re2shape.py).
- A Python string may hold lone surrogates, which are not UTF-8: Go says "invalid UTF-8".

Not modelled (absurd patterns only): Go's factoring of common prefixes of alternatives
(moves height and size by a few nodes) and its cap on the runes of all character classes
(about 26,000 `\\pL` in one pattern).  `\\p` names are the exact Unicode category and
script names of Go's documented syntax; Go 1.25+ also takes `\\p{greek}`, `\\p{Letter}`.
"""

from __future__ import annotations

import functools
import os
import re
from contextlib import contextmanager, nullcontext
from typing import Iterator

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from .re2shape import go_refusal

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = 1 << 20  # RE2 only parses here; the size of its program does not matter
_HINTS = (
    (re.compile(r"\(\?<?[=!]$"), "look-ahead and look-behind are not supported"),
    (re.compile(r"\(\?>$"), "atomic groups are not supported"),
    (re.compile(r"^bad repetition operator: .*\+$"), "possessive quantifiers are not supported"),
    (re.compile(r"\\[1-9]$"), "back-references are not supported"),
    (re.compile(r"\\Z$"), "write \\z for the end of the text"),
)


@functools.lru_cache(maxsize=4096)  # a pure function of the pattern; policies repeat a few patterns many times
def go_regexp_error(pattern: str) -> str | None:
    """Why Go's regexp.Compile refuses `pattern`, or None when it compiles."""
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError:
        return "invalid UTF-8 (the pattern holds a lone surrogate)"
    try:
        with _quiet_stderr() if len(pattern) > 100_000 else nullcontext():
            re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if not detail.startswith("pattern too large"):
            hints = [hint for expr, hint in _HINTS if expr.search(detail)]
            return "; ".join([detail, *hints])
    return go_refusal(pattern)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Mute file descriptor 2, where RE2 logs a line per node past a million nodes (its walkers' budget)."""
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
