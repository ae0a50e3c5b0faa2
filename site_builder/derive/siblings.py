"""What a tool's siblings on the same server say about it.

A tool that reads one object of a kind a sibling reveals secrets from also
reveals them: `advsec_get_alert_details` shows one of the alerts that
`advsec_get_alerts` lists, and those include leaked secrets.  The object is
the name's words after its leading verb (`get_alert_details` -> alert
details), compared in the singular.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..content.models import Tool
from .verbs import name_verb
from .effects import reveals_secrets
from .words import name_words

ObjectWords = tuple[str, ...]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def object_words(name: str, server_words: frozenset[str] = frozenset()) -> ObjectWords:
    """The words a name acts on, after its leading verb (none when it has no verb or no object)."""
    found = name_verb(name, server_words)
    if found is None:
        return ()
    words = name_words(name)
    after = words[words.index(found[0]) + 1:]
    return tuple(_singular(word) for word in after)


def secret_objects(tools: Iterable[Tool], server_words: frozenset[str] = frozenset()) -> frozenset[ObjectWords]:
    """The objects the server's tools reveal secrets from, by each tool's own evidence."""
    found = (object_words(tool.name, server_words) for tool in tools if reveals_secrets(tool))
    return frozenset(words for words in found if words)


def reads_a_secret_object(tool: Tool, server_words: frozenset[str], objects: frozenset[ObjectWords]) -> str | None:
    """The sibling object this tool's name acts on, when a sibling reveals secrets from it."""
    words = object_words(tool.name, server_words)
    for secret in sorted(objects):
        if words[:len(secret)] == secret:
            return " ".join(secret)
    return None
