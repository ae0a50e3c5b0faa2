"""What Intercept would decide for one tool call (docs/policy-formats.md, "How Intercept evaluates a call").

A dry run: there is no state store, so conditions on `state.` paths pass and are
reported in `Decision.counted` with the counters the call would increment.
Regexes run on RE2 itself (google-re2), unanchored as in Go; a pattern Go would
refuse fails closed (the call is denied and the message says why).
"""

from __future__ import annotations

import functools
import json
import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Literal

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from ..content.re2syntax import go_regexp_error

_MISSING = object()


@dataclass(frozen=True)
class Decision:
    decision: Literal["allow", "deny"]
    rule: str  # the deciding rule's name, "hide", "default: deny", or "" when allowed
    message: str  # the rule's on_deny, or a plain reason
    counted: tuple[str, ...] = ()  # state counters the allowed call checks or increments


def evaluate(policy: dict[str, Any], tool: str, arguments: dict[str, Any]) -> Decision:
    """Decide one call as Intercept's engine does.

    `policy` is parsed data that passes validate_intercept; `arguments` are JSON data (numbers are float64).
    """
    hide = policy.get("hide") or []
    if tool in hide or "*" in hide:
        why = f"{tool!r} is listed in hide" if tool in hide else 'hide lists "*", which hides every tool'
        return Decision("deny", "hide", why)
    tools = policy.get("tools") or {}
    listed = tool != "*" and tool in tools  # the "*" key is the wildcard, never a tool's own entry
    if policy.get("default") == "deny" and not listed:
        return Decision("deny", "default: deny", f"{tool!r} is not listed under tools and the default is deny")
    passes = ([(tool, tools[tool])] if listed else []) + ([("_global", tools["*"])] if "*" in tools else [])
    counted: list[str] = []
    for scope, entry in passes:
        for rule in (entry.get("rules") or []) if isinstance(entry, dict) else []:
            denied = _rule(rule, scope, arguments, counted)
            if denied:
                return denied
    return Decision("allow", "", "", tuple(dict.fromkeys(counted)))


def _rule(rule: dict[str, Any], scope: str, arguments: dict[str, Any], counted: list[str]) -> Decision | None:
    name, on_deny = str(rule.get("name", "")), rule.get("on_deny") or ""
    action = rule.get("action", "evaluate")
    if action != "evaluate":
        plain = "denies every call" if action == "deny" else f"has unknown action {action!r} (fails closed)"
        return Decision("deny", name, on_deny or f"rule {name!r} {plain}")
    found: list[str] = []
    if isinstance(rule.get("rate_limit"), str):
        found.append(f"state.{scope}._rate_{rule['rate_limit'].partition('/')[2]}")
    if isinstance(rule.get("state"), dict) and isinstance(rule["state"].get("counter"), str):
        found.append(f"state.{scope}.{rule['state']['counter']}")
    for condition in rule.get("conditions") or []:
        path = str(condition.get("path", ""))
        if path.startswith("state."):
            found.append(path)
            continue
        failure = _condition(path, condition.get("op"), condition.get("value"), arguments)
        if failure:
            reason, closed = failure
            message = f"{on_deny} ({reason})" if on_deny and closed else on_deny or reason
            return Decision("deny", name, message)
    counted.extend(found)
    return None


def _lookup(arguments: Any, path: str) -> Any:
    value = arguments
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def go_string(value: Any, from_json: bool = True) -> str:
    """`fmt.Sprint` of the Go value: JSON numbers are float64, YAML integers of the policy are int."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not from_json:
        return str(value)
    if isinstance(value, (int, float)):
        number = _number(value)
        return str(value) if number is None else _go_float(number)
    if isinstance(value, list):
        return "[" + " ".join(go_string(item, from_json) for item in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: str(item[0]))  # fmt prints maps sorted by key
        return "map[" + " ".join(f"{key}:{go_string(item, from_json)}" for key, item in items) + "]"
    return str(value)


def _go_float(x: float) -> str:
    """strconv.FormatFloat(x, 'g', -1, 64), which is what %v prints: 5000, 1.5, 1e+06, 1e-05."""
    if x != x or x in (float("inf"), float("-inf")):
        return "NaN" if x != x else ("+Inf" if x > 0 else "-Inf")
    sign, digit_tuple, exponent = Decimal(repr(x)).normalize().as_tuple()
    digits, sign_text = "".join(map(str, digit_tuple)), "-" if sign else ""
    point = len(digits) + int(exponent)  # digits before the decimal point
    if point - 1 < -4 or point - 1 >= 6:  # Go's shortest %g switches to %e at these exponents
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign_text}{mantissa}e{'+' if point >= 1 else '-'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{sign_text}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign_text + digits + "0" * (point - len(digits))
    return f"{sign_text}{digits[:point]}.{digits[point:]}"


def _number(value: Any) -> float | None:
    """The float64 of a JSON or YAML number; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if abs(value) <= 1.8e308 else None


def _equal(argument: Any, value: Any) -> bool:
    a, b = _number(argument), _number(value)
    if a is not None and b is not None:
        return a == b
    return go_string(argument) == go_string(value, from_json=False)


_ORDER: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def _condition(path: str, op: Any, value: Any, arguments: dict[str, Any]) -> tuple[str, bool] | None:
    """None when the condition holds, else (reason, failed closed because we cannot simulate it)."""
    argument = _lookup(arguments, path.removeprefix("args."))
    present = argument is not _MISSING and argument is not None
    shown = json.dumps(value, ensure_ascii=False, default=str)
    reason = f"condition {path} {op} {shown} failed: " + (
        f"{path} is {json.dumps(argument, ensure_ascii=False, default=str)[:80]}" if present else f"{path} is missing")
    if op == "exists":
        return None if present is value else (reason, False)
    if not present:
        return reason, False
    if op in ("eq", "neq"):
        holds = _equal(argument, value) == (op == "eq")
    elif op in ("in", "not_in"):
        holds = isinstance(value, list) and any(_equal(argument, item) for item in value) == (op == "in")
    elif op in _ORDER:
        a, b = _number(argument), _number(value)
        holds = a is not None and b is not None and _ORDER[op](a, b)
    elif op == "contains":
        if isinstance(argument, str):
            holds = go_string(value, from_json=False) in argument
        else:
            holds = isinstance(argument, list) and go_string(value, from_json=False) in map(go_string, argument)
    elif op == "regex":
        pattern = compiled_regex(value) if isinstance(value, str) else "the pattern is not a string"
        if isinstance(pattern, str):
            return f"regex {shown} cannot be simulated: {pattern}; the condition fails closed", True
        holds = isinstance(argument, str) and pattern.search(argument) is not None
    else:
        return f"unknown op {op!r}: the condition fails closed", True
    return None if holds else (reason, False)


# ---- RE2 -------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def compiled_regex(pattern: str) -> Any:
    """The pattern compiled by RE2 (google-re2: the engine Go's regexp was ported from), or why not.

    Returns a compiled pattern, or a string saying why Intercept would refuse it (or why we cannot run it)."""
    refused = go_regexp_error(pattern)
    if refused is not None:
        return refused
    try:
        return re2.compile(pattern)
    except re2.error as exc:  # valid for Go, too large for RE2's default memory budget here
        return f"RE2 cannot run it here ({exc})"
