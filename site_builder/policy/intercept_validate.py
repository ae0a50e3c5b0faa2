"""Our own implementation of Intercept's policy validation (docs/policy-formats.md).

It works on parsed data (what Intercept sees after YAML decoding) and returns
every error as (field path, message); nothing stops at the first error.  It is
deliberately at least as strict as Intercept: unknown keys are errors, so a
typo such as `rate-limit` or `reason` never passes silently.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..yamlio import FieldPath

TOP_KEYS = {"version", "description", "default", "hide", "tools"}
RULE_KEYS = {"name", "action", "rate_limit", "conditions", "on_deny", "state"}
CONDITION_KEYS = {"path", "op", "value"}
STATE_KEYS = {"counter", "window", "increment", "increment_from"}
OPS = ("eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists")
WINDOWS = ("minute", "hour", "day")
RATE_LIMIT = re.compile(r"^([0-9]+)/(minute|hour|day)$")
# Go's regexp (RE2) has no lookaround and no backreferences.
_RE2_UNSUPPORTED = re.compile(r"\(\?[=!]|\(\?<[=!]|\\[1-9]|\(\?P=")

Error = tuple[FieldPath, str]


def _unknown(data: dict[str, Any], allowed: set[str], path: FieldPath, hints: dict[str, str]) -> Iterator[Error]:
    for key in data:
        if key not in allowed:
            hint = hints.get(str(key), "allowed: " + ", ".join(sorted(allowed)))
            yield path + (str(key),), f"unknown field {key!r} ({hint})"


def _rate_limit(value: Any, path: FieldPath) -> Iterator[Error]:
    if isinstance(value, dict):
        yield path, 'rate_limit is a string such as "10/minute", not a mapping (no max/window keys)'
        return
    match = RATE_LIMIT.match(value) if isinstance(value, str) else None
    if not match:
        yield path, f'rate_limit must be "<count>/<minute|hour|day>", got {value!r}'
    elif int(match.group(1)) <= 0:
        yield path, "rate_limit count must be a positive integer"


def _regex(value: Any, path: FieldPath) -> Iterator[Error]:
    if not isinstance(value, str):
        yield path, "op 'regex' needs a string pattern"
        return
    try:
        re.compile(value)
    except re.error as exc:
        yield path, f"regex does not compile: {exc}"
        return
    if _RE2_UNSUPPORTED.search(value):
        yield path, "regex uses lookaround or backreferences, which Go's regexp (RE2) does not support"


def _condition_value(op: str, value: Any, path: FieldPath) -> Iterator[Error]:
    if op in ("in", "not_in") and not isinstance(value, list):
        yield path, f"op '{op}' needs a list value"
    elif op in ("lt", "lte", "gt", "gte") and (isinstance(value, bool) or not isinstance(value, (int, float))):
        yield path, f"op '{op}' needs a numeric value"
    elif op == "exists" and not isinstance(value, bool):
        yield path, "op 'exists' needs a boolean value"
    elif op == "regex":
        yield from _regex(value, path)


def _condition(condition: Any, path: FieldPath) -> Iterator[Error]:
    if not isinstance(condition, dict):
        yield path, "a condition is a mapping with path, op and value"
        return
    yield from _unknown(condition, CONDITION_KEYS, path, {})
    cond_path = condition.get("path")
    if not isinstance(cond_path, str) or not cond_path.startswith(("args.", "state.")) or cond_path in ("args.", "state."):
        yield path + ("path",), f"path must start with 'args.' or 'state.', got {cond_path!r}"
    op = condition.get("op")
    if op not in OPS:
        yield path + ("op",), f"op must be one of {', '.join(OPS)}, got {op!r}"
    elif "value" not in condition:
        yield path + ("value",), "value is required"
    else:
        yield from _condition_value(op, condition["value"], path + ("value",))


def _state(state: Any, path: FieldPath) -> Iterator[Error]:
    if not isinstance(state, dict):
        yield path, "state is a mapping with counter and window"
        return
    yield from _unknown(state, STATE_KEYS, path, {})
    if not isinstance(state.get("counter"), str) or not state.get("counter"):
        yield path + ("counter",), "state.counter is required"
    if state.get("window") not in WINDOWS:
        yield path + ("window",), f"state.window must be one of minute, hour, day, got {state.get('window')!r}"
    increment = state.get("increment")
    if increment is not None and (isinstance(increment, bool) or not isinstance(increment, int) or increment <= 0):
        yield path + ("increment",), "state.increment must be a positive integer"
    source = state.get("increment_from")
    if source is not None and (not isinstance(source, str) or not source.startswith("args.") or source == "args."):
        yield path + ("increment_from",), "state.increment_from must be an 'args.' path"
    if increment is not None and source is not None:
        yield path, "state takes increment or increment_from, not both"


def _rule(rule: Any, path: FieldPath) -> Iterator[Error]:
    if not isinstance(rule, dict):
        yield path, "a rule is a mapping"
        return
    yield from _unknown(rule, RULE_KEYS, path, {"reason": "the message key is on_deny", "rate-limit": "did you mean rate_limit?"})
    if not isinstance(rule.get("name"), str) or not rule.get("name", "").strip():
        yield path + ("name",), "every rule needs a name"
    action = rule.get("action", "evaluate")
    if action not in ("evaluate", "deny"):
        hint = " (there is no allow action: an allowed tool has rules: [])" if action == "allow" else ""
        yield path + ("action",), f"action must be 'evaluate' or 'deny', got {action!r}{hint}"
    conditions = rule.get("conditions")
    if conditions is not None and not isinstance(conditions, list):
        yield path + ("conditions",), "conditions is a list"
        conditions = None
    if "rate_limit" in rule:
        yield from _rate_limit(rule["rate_limit"], path + ("rate_limit",))
        if conditions or "state" in rule:
            yield path, "rate_limit cannot be combined with conditions or state"
        if action == "deny":
            yield path, "rate_limit cannot be used with action: deny"
    elif action == "deny" and conditions:
        yield path + ("conditions",), "a deny rule takes no conditions"
    elif action == "evaluate" and not conditions:
        yield path, "an evaluate rule needs at least one condition (or a rate_limit)"
    for index, condition in enumerate(conditions or []):
        yield from _condition(condition, path + ("conditions", index))
    if "state" in rule:
        yield from _state(rule["state"], path + ("state",))
    if "on_deny" in rule and not isinstance(rule["on_deny"], str):
        yield path + ("on_deny",), "on_deny is a string"


def _tool(name: str, entry: Any, path: FieldPath) -> Iterator[Error]:
    if not isinstance(entry, dict):
        yield path, "a tool entry is a mapping with rules (use rules: [] to allow it)"
        return
    yield from _unknown(entry, {"rules"}, path, {})
    rules = entry.get("rules")
    if not isinstance(rules, list):
        yield path + ("rules",), "rules is a list (use [] to allow the tool)"
        return
    windows: dict[str, int] = {}
    counters: dict[str, int] = {}
    for index, rule in enumerate(rules):
        yield from _rule(rule, path + ("rules", index))
        if not isinstance(rule, dict):
            continue
        rate = rule.get("rate_limit")
        match = RATE_LIMIT.match(rate) if isinstance(rate, str) else None
        if match:
            if match.group(2) in windows:
                yield path + ("rules", index, "rate_limit"), (
                    f"a second rate_limit per {match.group(2)} on this tool collides with rule {windows[match.group(2)]}")
            windows.setdefault(match.group(2), index)
        counter = rule.get("state", {}).get("counter") if isinstance(rule.get("state"), dict) else None
        if isinstance(counter, str):
            if counter in counters:
                yield path + ("rules", index, "state", "counter"), f"duplicate counter {counter!r} (also in rule {counters[counter]})"
            counters.setdefault(counter, index)
    scope = "_global" if name == "*" else name
    for index, rule in enumerate(rules):
        conditions = (rule.get("conditions") or []) if isinstance(rule, dict) else []
        for c_index, condition in enumerate(conditions if isinstance(conditions, list) else []):
            cond_path = condition.get("path") if isinstance(condition, dict) else None
            if isinstance(cond_path, str) and cond_path.startswith("state."):
                counter = cond_path.removeprefix(f"state.{scope}.") if cond_path.startswith(f"state.{scope}.") else None
                if counter is None:
                    yield path + ("rules", index, "conditions", c_index, "path"), (
                        f"state paths on this tool are state.{scope}.<counter>, got {cond_path!r}")
                elif counter not in counters:
                    yield path + ("rules", index, "conditions", c_index, "path"), (
                        f"condition uses counter {counter!r} but no rule of this tool defines it in a state block")


def validate_intercept(data: Any) -> list[Error]:
    """Every error Intercept would report for this policy (empty list: valid)."""
    if not isinstance(data, dict):
        return [((), "a policy is a mapping with version and tools")]
    errors: list[Error] = list(_unknown(data, TOP_KEYS, (), {}))
    if data.get("version") != "1":
        errors.append((("version",), f'version must be the string "1", got {data.get("version")!r}'))
    if "default" in data and data["default"] not in ("allow", "deny"):
        errors.append((("default",), f"default must be 'allow' or 'deny', got {data['default']!r}"))
    if "description" in data and not isinstance(data["description"], str):
        errors.append((("description",), "description is a string"))
    hide = data.get("hide", [])
    if not isinstance(hide, list):
        errors.append((("hide",), "hide is a list of tool names"))
    else:
        seen: set[str] = set()
        for index, name in enumerate(hide):
            if not isinstance(name, str) or not name.strip():
                errors.append((("hide", index), "hide entries must be non-empty tool names"))
            elif name in seen:
                errors.append((("hide", index), f"duplicate hide entry {name!r}"))
            else:
                seen.add(name)
    tools = data.get("tools")
    if not isinstance(tools, dict):
        errors.append((("tools",), "tools is required: a mapping of tool name to {rules: [...]}"))
        return errors
    for name, entry in tools.items():
        if not isinstance(name, str) or not name:
            errors.append((("tools", str(name)), "tool names are non-empty strings"))
            continue
        errors.extend(_tool(name, entry, ("tools", name)))
    return errors
