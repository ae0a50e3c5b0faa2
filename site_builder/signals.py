"""Risk signals derived from a tool's input schema and text.

Each signal is a short sentence naming the evidence, e.g.
"Accepts URL/endpoint input (callback_url)".  Pure functions of one tool.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .models import Tool

HIGH_PARAMETER_COUNT = 10
_URL, _PATH, _CODE = 0, 1, 2  # indices into _name_kinds()

_URL_NAME = re.compile(r"(^|_)(url|uri|urls|endpoint|webhook|callback|href|link|host|hostname|domain)s?($|_)|Url$|Uri$", re.I)
_PATH_NAME = re.compile(r"(^|_)(path|paths|file|files|filename|filepath|dir|directory|folder|output)($|_)|Path$", re.I)
_CODE_NAME = re.compile(r"(^|_)(code|script|query|sql|command|cmd|shell|expression|expr|eval|javascript|js|python|function|jq|cypher|graphql)($|_)", re.I)
_CALL_FIRST = re.compile(
    r"(call|use|invoke|run)\s+[`'\"]?[\w.-]+[`'\"]?\s+(tool\s+)?(first|before)"
    r"|before\s+(calling|using)\s+(this|any)"
    r"|must\s+(first\s+)?call|always\s+call"
    r"|先调用|首先调用|必须先|务必先",
    re.I,
)
_IGNORE_INSTRUCTIONS = re.compile(
    r"ignore\s+(all\s+|any\s+)?(previous|prior|above|other|earlier)\s+(instructions|rules|prompts)"
    r"|disregard\s+(all\s+|any\s+)?(previous|prior|above|system)"
    r"|do\s+not\s+(tell|inform|mention\s+(this|it)\s+to)\s+the\s+user|don't\s+tell\s+the\s+user"
    r"|<\s*important\s*>|忽略(之前|以上|所有)",
    re.I,
)


def schema_properties(schema: dict[str, Any] | None) -> dict[str, Any]:
    """Top-level properties of a JSON Schema object, tolerating odd shapes."""
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def _is_array(spec: Any) -> bool:
    if not isinstance(spec, dict):
        return False
    kind = spec.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind):
        return True
    options = spec.get("anyOf") or spec.get("oneOf") or []
    return isinstance(options, list) and any(isinstance(o, dict) and o.get("type") == "array" for o in options)


@functools.lru_cache(maxsize=65_536)
def _name_kinds(name: str) -> tuple[bool, bool, bool]:
    """Whether a parameter name reads as a URL, a path, or code (names repeat across tools: cached)."""
    return bool(_URL_NAME.search(name)), bool(_PATH_NAME.search(name)), bool(_CODE_NAME.search(name))


def _named(kind: int, names: list[str]) -> list[str]:
    return [name for name in names if _name_kinds(name)[kind]]


def _uri_format(properties: dict[str, Any]) -> list[str]:
    return [name for name, spec in properties.items() if isinstance(spec, dict) and spec.get("format") in ("uri", "url")]


def _joined(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def derive_signals(tool: Tool) -> tuple[str, ...]:
    """Every derived signal of one tool, in a fixed order."""
    properties = schema_properties(tool.input_schema)
    names = list(properties)
    signals: list[str] = []
    url_inputs = sorted(set(_named(_URL, names)) | set(_uri_format(properties)), key=names.index)
    if url_inputs:
        signals.append(f"Accepts URL/endpoint input ({_joined(url_inputs)})")
    path_inputs = [name for name in _named(_PATH, names) if name not in url_inputs]
    if path_inputs:
        signals.append(f"Reads or writes local file paths ({_joined(path_inputs)})")
    bulk_inputs = [name for name in names if _is_array(properties[name])]
    if bulk_inputs:
        signals.append("Bulk operation (" + _joined([f"{name}: array" for name in bulk_inputs]) + ")")
    code_inputs = _named(_CODE, names)
    if code_inputs:
        signals.append(f"Free-form code, query or command input ({_joined(code_inputs)})")
    if len(names) >= HIGH_PARAMETER_COUNT:
        signals.append(f"High parameter count ({len(names)})")
    text = " ".join(part for part in (tool.title, tool.description) if part)
    if _CALL_FIRST.search(text):
        signals.append("Description tells the agent what to call first (a tool-poisoning pattern)")
    if _IGNORE_INSTRUCTIONS.search(text):
        signals.append("Description tells the agent to ignore instructions or hide things from the user")
    return tuple(signals)
