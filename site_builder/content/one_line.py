"""Untrusted text as one line (a meta description, a feed summary, a YAML comment), cut to a length.

Every page and policy file makes several such lines of each tool's
description, so it is done in time bounded by the cut, not by the text: the
line made of a prefix of a text is a prefix of the whole text's line (each
character is replaced on its own, and a whitespace run cut short only loses
its end), so once a prefix's line is past the cut, the rest is not read.
Printable ASCII text (most descriptions) has nothing to replace, which
str.isprintable tells several times faster than the pattern.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"


class OneLine:
    """Text as one line: each character `unsafe` matches becomes a space, each whitespace run one space,
    with no space at either end; past `limit` characters, cut to `limit - 1` (and trailing spaces) plus "…"."""

    def __init__(self, unsafe: re.Pattern[str]) -> None:
        if any(unsafe.match(chr(code)) for code in range(0x20, 0x7F)):
            raise ValueError("a pattern that matches printable ASCII: printable text would not be cleaned")
        self.unsafe = unsafe

    def __call__(self, text: str, limit: int = 0) -> str:
        if limit and len(text) > self.read_at_first(limit):
            flat = self.flat(text[: self.read_at_first(limit)])
            if len(flat) > limit:
                return flat[: limit - 1].rstrip() + ELLIPSIS
        flat = self.flat(text)
        return flat if not limit or len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS

    @staticmethod
    def read_at_first(limit: int) -> int:
        """How many characters are read first for a line cut at `limit` (the rest only when its line is short)."""
        return 2 * limit + 64

    def flat(self, text: str) -> str:
        """The whole text as one line, uncut."""
        cleaned = text if text.isascii() and text.isprintable() else self.unsafe.sub(" ", text)
        return " ".join(cleaned.split())
