"""The counters of an Intercept policy (docs/policy-formats.md), checked across its rules.

A counter is defined by a rule's `state` block, or by its `rate_limit` (which
counts in `_rate_<window>`), in the scope of its tool (`_global` for "*").
A counter defined twice in one scope, and a state path (a condition's, or a
rate limit's own) that names no counter, are errors: Intercept splits a state
path at its first two dots, `state.<tool>.<counter>`.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from .yaml_document import FieldPath

RATE_LIMIT = re.compile(r"([0-9]+)/(minute|hour|day)")  # used with fullmatch
GLOBAL_SCOPE = "_global"


def _rules(tools: dict[Any, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(tool name, rule index, rule) of every well-formed tool entry."""
    for name, entry in tools.items():
        rules = entry.get("rules") if isinstance(name, str) and name and isinstance(entry, dict) else None
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict):
                yield name, index, rule


Defined = dict[str, dict[str, tuple[str, int, FieldPath]]]  # scope -> counter -> (tool, rule index, field)


def _rule_counters(rule: dict[str, Any]) -> Iterator[tuple[str, FieldPath]]:
    state, rate = rule.get("state"), rule.get("rate_limit")
    if isinstance(state, dict) and isinstance(state.get("counter"), str) and state["counter"]:
        yield state["counter"], ("state", "counter")
    if isinstance(rate, str) and (match := RATE_LIMIT.fullmatch(rate)):
        yield f"_rate_{match.group(2)}", ("rate_limit",)


def _clash(counter: str, field: FieldPath, first: tuple[str, int, FieldPath], tool: str) -> str:
    other, index, first_field = first
    where = f"rule {index}" if other == tool else f"tool {other!r} rule {index} (both count under {GLOBAL_SCOPE})"
    if field == first_field == ("rate_limit",):
        return f"a second rate_limit per {counter.removeprefix('_rate_')} on this tool collides with {where}"
    if field == first_field:
        return f"duplicate counter {counter!r} (also in {where})"
    if field == ("rate_limit",):
        return f"rate_limit counts in {counter!r}, the counter of the state block of {where}"
    return f"counter {counter!r} is the one the rate_limit of {where} counts in"


def _resolve(path: str, defined: Defined) -> str | None:
    """Why Intercept finds no counter for the state path (None: it does)."""
    _state, tool, counter = (path.split(".", 2) + ["", ""])[:3]
    if not tool or not counter:
        return f"a state path is state.<tool>.<counter>, got {path!r}"
    if counter in defined.get(tool, {}):
        return None
    hint = f" (the counters of \"*\" are state.{GLOBAL_SCOPE}.<counter>)" if tool == "*" else ""
    if any("." in scope and path.startswith(f"state.{scope}.") for scope in defined):
        hint = " (Intercept splits the path at its first two dots, so a tool name with a dot cannot be used)"
    return f"condition uses counter {counter!r} of tool {tool!r}, but no rule of that tool defines it in a state block{hint}"


def counter_problems(tools: dict[Any, Any]) -> Iterator[tuple[FieldPath, str]]:
    """Counters defined twice in one scope, and state paths (rate limits included) to no counter."""
    defined: Defined = {}
    for tool, index, rule in _rules(tools):
        for counter, field in _rule_counters(rule):
            scope = defined.setdefault(GLOBAL_SCOPE if tool == "*" else tool, {})
            if counter in scope:
                yield ("tools", tool, "rules", index) + field, _clash(counter, field, scope[counter], tool)
            scope.setdefault(counter, (tool, index, field))
    for tool, index, rule in _rules(tools):
        where: FieldPath = ("tools", tool, "rules", index)
        for counter, field in _rule_counters(rule):
            path = f"state.{GLOBAL_SCOPE if tool == '*' else tool}.{counter}"
            if field == ("rate_limit",) and _resolve(path, defined):
                yield where + field, ("a tool whose name has a dot cannot carry a rate_limit: Intercept "
                                     f"checks it as {path} and splits that path at its first two dots")
        conditions = rule.get("conditions")
        for c_index, condition in enumerate(conditions if isinstance(conditions, list) else []):
            cond = condition.get("path") if isinstance(condition, dict) else None
            if isinstance(cond, str) and cond.startswith("state.") and cond != "state." and (problem := _resolve(cond, defined)):
                yield where + ("conditions", c_index, "path"), problem
