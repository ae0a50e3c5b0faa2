"""Whether a condition on an argument the tool makes optional stays, making it required, or becomes "not given".

Intercept fails a condition on a missing argument and has no "absent, or
present and safe".  So a condition on an optional argument either makes it
required or is replaced by `exists: false`.  It stays (the argument becomes
required) when the argument is what the tool is for:

- it is SQL (a query tool's statement, whatever its schema says);
- it is the tool's only argument;
- its or the tool's description says it must be given ("'outputPath' MUST
  be provided"), or that without it the server uses its current directory
  (a place no rule confines);
- its name shares a word with the tool's name, types and verbs aside
  (`start_image_url` of `generate_video_from_image`; not `usage_data_path`
  of `schema_validator`, `data`, `file`, `url` being types; not `patchFile`
  of `kubectl_patch`, whose inline `patch` is the other way to give it);
- it is an action whose default the profile does not allow, or that has no
  default: without it the server does what the profile refuses, or we do
  not know what.

Otherwise the tool does its work without it, and it is held absent: an
avatar or icon URL, a second image, an output folder, a file beside an
inline alternative.  `tests/fixtures/optional-arguments/` holds the labelled
set these were measured on (`benchmarks/optional_arguments.py`).
"""

from __future__ import annotations

import re
from typing import Any

from ..derive.verbs import verb_category
from ..derive.words import name_words

TYPE_WORDS = frozenset({"data", "file", "files", "path", "paths", "url", "urls", "uri", "name", "id", "dir",
                        "directory", "folder", "string", "text", "value", "input", "output"})


_MUST = re.compile(r"(?i)\b(?:must|always)\b[^.\n]{0,40}?\b(?:provide|provided|give|given|pass|passed|specify|specified)\b")
_CURRENT_DIRECTORY = re.compile(r"(?i)\bdefaults?\b[^.\n]{0,30}?\b(?:current|working) (?:working )?director")


def keeps_condition(parameter: str, spec: dict[str, Any], kind: str, allowed: list[Any] | None,
                    properties: dict[str, Any], tool_name: str, tool_text: str) -> bool:
    """True when the condition on optional `parameter` should stay (and so make it required)."""
    if kind == "sql" or len(properties) == 1:
        return True
    if kind == "action":
        return "default" not in spec or allowed is None or spec["default"] not in allowed
    described = str(spec.get("description") or "")[:2000]
    if _says_must(parameter, described, tool_text) or _CURRENT_DIRECTORY.search(described):
        return True
    own = set(name_words(parameter)) - TYPE_WORDS
    return bool(own & {word for word in name_words(tool_name) if word not in TYPE_WORDS and not verb_category(word)})


def _says_must(parameter: str, described: str, tool_text: str) -> bool:
    """The argument's description says it must be given, or a sentence of the tool's that names it does."""
    if _MUST.search(described):
        return True
    named = re.compile(r"\b" + re.escape(parameter) + r"\b")
    return any(named.search(sentence) and _MUST.search(sentence) for sentence in re.split(r"[.\n]", tool_text[:8000]))
