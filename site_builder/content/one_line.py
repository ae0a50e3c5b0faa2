"""Untrusted text as one line (a meta description, a feed summary, a YAML comment), cut to a length.

Every page and policy file makes several such lines of each tool's
description (cut at 60, 100, 150, 300, 400 characters), so the line of a
text of ordinary length is made once and kept for the next cut; a long
text is read only as far as its cut needs: the line made of a prefix of a
text is a prefix of the whole text's line (each character is replaced on
its own, and a whitespace run cut short only loses its end), so once a
prefix's line is past the cut, the rest is not read.  Printable ASCII text
(most descriptions) has nothing to replace, which str.isprintable tells
several times faster than the pattern.
"""

from __future__ import annotations

import functools
import re

ELLIPSIS = "…"
REMEMBERED_LENGTH = 4096  # texts up to this long have their line kept (a description is 300 characters or so)
REMEMBERED = 256  # lines kept at most: those of the tool being rendered, and a few before


class OneLine:
    """Text as one line: each character `unsafe` matches becomes a space, each whitespace run one space,
    with no space at either end; past `limit` characters, cut to `limit - 1` (and trailing spaces) plus "…"."""

    def __init__(self, unsafe: re.Pattern[str]) -> None:
        if any(unsafe.match(chr(code)) for code in range(0x20, 0x7F)):
            raise ValueError("a pattern that matches printable ASCII: printable text would not be cleaned")
        self.unsafe = unsafe
        self._remembered = functools.lru_cache(maxsize=REMEMBERED)(self.flat)

    def __call__(self, text: str, limit: int = 0) -> str:
        if len(text) > REMEMBERED_LENGTH:
            if limit and len(text) > self.read_at_first(limit):
                flat = self.flat(text[: self.read_at_first(limit)])
                if len(flat) > limit:
                    return _cut(flat, limit)
            flat = self.flat(text)
        else:
            flat = self._remembered(text)
        return flat if not limit or len(flat) <= limit else _cut(flat, limit)

    @staticmethod
    def read_at_first(limit: int) -> int:
        """How many characters of a long text are read first for a line cut at `limit` (the rest only when
        its line is short)."""
        return 2 * limit + 64

    def flat(self, text: str) -> str:
        """The whole text as one line, uncut."""
        cleaned = text if text.isascii() and text.isprintable() else self.unsafe.sub(" ", text)
        return " ".join(cleaned.split())


def _cut(flat: str, limit: int) -> str:
    return flat[: limit - 1].rstrip() + ELLIPSIS
