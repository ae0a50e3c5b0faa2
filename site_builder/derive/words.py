"""Tool names and descriptions as words.

Names come in every style: `list_commits`, `get-env`, `browserNavigate`,
`files.write`, `API-post-search`, `HTTPRequest`.  Splitting is case-sensitive
(a camelCase boundary is a lower-case letter followed by an upper-case one),
so a word never matches inside another word: `reply_to_thread` holds no
`read`, `browser_click` no `browse`.
"""

from __future__ import annotations

import functools
import re

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SENTENCE_WORDS = re.compile(r"[a-z][a-z'-]*")
MAX_TEXT = 2_000  # only the opening of a long description is read: bounded cost for any input


@functools.lru_cache(maxsize=65_536)
def name_words(name: str) -> tuple[str, ...]:
    """`'API-post-search'` -> `('api', 'post', 'search')`; `'browserNavigate'` -> `('browser', 'navigate')`."""
    words: list[str] = []
    for part in _SEPARATORS.split(name[:256]):
        words.extend(match.group(0).lower() for match in _PARTS.finditer(part))
    return tuple(words)


def text_words(text: str | None) -> tuple[str, ...]:
    """The lower-case words of a description's opening."""
    return tuple(_SENTENCE_WORDS.findall((text or "")[:MAX_TEXT].lower()))


def first_sentence(text: str | None) -> str:
    """The description's first sentence (or line), trimmed."""
    opening = (text or "").strip()[:MAX_TEXT]
    for stop in (". ", ".\n", "\n\n", "\n"):
        if stop in opening:
            opening = opening.split(stop, 1)[0]
    return opening.strip()


def server_words(server_id: str, slug: str) -> frozenset[str]:
    """Words of a server's id and slug, which tool names often repeat as a prefix (`slack_`, `git_`)."""
    return frozenset(name_words(server_id) + name_words(slug)) - {"server", "mcp", "modelcontextprotocol"}


def opening_words(description: str | None) -> set[str]:
    """The words of a description's opening (read for the few rules whose context matters)."""
    return set(text_words((description or "")[:200]))


_NEGATION = re.compile(r"\b(never|not|no|don't|doesn't|won't|without)\s+(\w+\s+)?$")


def says(text: str, phrase: str, window: int = 24) -> bool:
    """`phrase` occurs in `text` at least once without a negation just before it (`NEVER overwrite`,
    "don't actually run"); `window`: how many characters before it are read for one."""
    start = text.find(phrase)
    while start >= 0:
        if not _NEGATION.search(text[max(0, start - window):start]):
            return True
        start = text.find(phrase, start + 1)
    return False
