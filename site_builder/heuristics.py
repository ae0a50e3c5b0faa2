"""A heuristic first classification for tools nobody has reviewed yet.

It is always marked `confidence: low` and says it is heuristic, so lint lists
it and a reviewer replaces it.  Order matters: the first rule that matches wins,
and the riskier categories are tried first.
"""

from __future__ import annotations

import re
from typing import Any

from .models import Category

HEURISTIC_MARK = "Heuristic classification (not reviewed)"

_WORD = r"(?:^|[_\-.\s]|(?<=[a-z])(?=[A-Z]))"
_RULES: tuple[tuple[Category, str, str], ...] = (
    (Category.FINANCIAL, r"refund|charge|payout|pay|payment|transfer|purchase|buy|checkout|withdraw",
     "moves money or creates a charge"),
    (Category.DESTRUCTIVE, r"delete|remove|drop|destroy|purge|truncate|wipe|revoke|terminate|erase|uninstall|reset|kill",
     "removes or irreversibly changes data"),
    (Category.EXECUTE, r"run|exec|execute|eval|evaluate|invoke|trigger|deploy|start|stop|restart|launch|build|send|"
     r"navigate|click|press|type|fill|call|generate|render|trace|install|publish",
     "runs an action whose effects go beyond the call"),
    (Category.WRITE, r"create|update|add|set|put|post|edit|modify|write|upload|insert|save|rename|move|commit|push|"
     r"merge|checkout|clone|init|tag|assign|comment|enable|disable|download|import|copy|upsert|patch|store|link",
     "creates or changes data"),
    (Category.READ, r"get|list|read|search|find|fetch|describe|show|query|view|lookup|count|diff|log|status|"
     r"inspect|analy[sz]e|check|browse|retrieve|export|info|about|ping|health|version|snapshot|screenshot|open",
     "only reads data"),
)
_COMPILED = tuple((category, re.compile(_WORD + r"(" + words + r")(?=$|[_\-.\sA-Z0-9])", re.I), effect)
                  for category, words, effect in _RULES)


def classify(name: str, annotations: dict[str, Any] | None = None) -> tuple[Category, str]:
    """A category and a rationale that says how it was guessed."""
    hints = annotations or {}
    if hints.get("destructiveHint") is True and hints.get("readOnlyHint") is not True:
        return Category.DESTRUCTIVE, f"{HEURISTIC_MARK}: the server declares destructiveHint: true."
    if hints.get("readOnlyHint") is True:
        return Category.READ, f"{HEURISTIC_MARK}: the server declares readOnlyHint: true."
    for category, pattern, effect in _COMPILED:
        match = pattern.search(name)
        if match:
            return category, (f"{HEURISTIC_MARK}: the name contains "
                              f"'{match.group(1).lower()}', which usually means the tool {effect}.")
    return Category.EXECUTE, (f"{HEURISTIC_MARK}: the name matches no known verb, "
                              "so it is treated as an action until someone reviews it.")
