"""Risk signals derived from a tool's input schema and text.

Each signal is a short sentence naming the evidence, e.g.
"Accepts URL/endpoint input (callback_url)".  Pure functions of one tool.
"""

from __future__ import annotations

from typing import Any

from ..content.models import Tool
from .lexicon import instructions_to_the_agent
from .parameters import parameter_kinds, schema_properties

HIGH_PARAMETER_COUNT = 10


def _is_array(spec: Any) -> bool:
    if not isinstance(spec, dict):
        return False
    kind = spec.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind):
        return True
    options = spec.get("anyOf") or spec.get("oneOf") or []
    return isinstance(options, list) and any(isinstance(o, dict) and o.get("type") == "array" for o in options)


def _joined(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def derive_signals(tool: Tool) -> tuple[str, ...]:
    """Every derived signal of one tool, in a fixed order."""
    properties = schema_properties(tool.input_schema)
    names = [str(name) for name in properties]
    kinds = parameter_kinds(tool.input_schema, tool.description or "")
    signals: list[str] = []
    url_inputs = [name for name in names if kinds[name] in ("url", "host", "callback")]
    if url_inputs:
        signals.append(f"Accepts URL/endpoint input ({_joined(url_inputs)})")
    path_inputs = [name for name in names if kinds[name] == "path"]
    if path_inputs:
        signals.append(f"Reads or writes local file paths ({_joined(path_inputs)})")
    bulk_inputs = [name for name in names if _is_array(properties[name])]
    if bulk_inputs:
        signals.append("Bulk operation (" + _joined([f"{name}: array" for name in bulk_inputs]) + ")")
    code_inputs = [name for name in names if kinds[name] in ("command", "shell", "code", "sql")]
    if code_inputs:
        signals.append(f"Free-form code, SQL or command input ({_joined(code_inputs)})")
    amount_inputs = [name for name in names if kinds[name] == "amount"]
    if amount_inputs:
        signals.append(f"Takes an amount of money or units ({_joined(amount_inputs)})")
    flag_inputs = [name for name in names if kinds[name] == "flag"]
    if flag_inputs:
        signals.append(f"Has a flag that forces past safeguards ({_joined(flag_inputs)})")
    if len(names) >= HIGH_PARAMETER_COUNT:
        signals.append(f"High parameter count ({len(names)})")
    call_first, ignore_instructions = instructions_to_the_agent(tool.title, tool.description)
    if call_first:
        signals.append("Description tells the agent what to call first (a tool-poisoning pattern)")
    if ignore_instructions:
        signals.append("Description tells the agent to ignore instructions or hide things from the user")
    return tuple(signals)
