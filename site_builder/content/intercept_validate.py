"""Our own implementation of Intercept's policy validation (docs/policy-formats.md).

It works on parsed data (what Intercept sees after YAML decoding) and reports every issue
as an :class:`Issue`; nothing stops at the first one.  "error": Intercept refuses it.
"warning": we are deliberately stricter (unknown keys, which Intercept ignores but which
are usually typos such as `rate-limit`; numbers it compares as float64 but not exactly).
Integers (the `rate_limit` count, `state.increment`) must fit int64; `lt`..`gte` values are
float64.  State paths split at their first two dots: `state.<tool>.<counter>` (the counters across
rules are checked by intercept_counters.py).
"""

from __future__ import annotations

from typing import Any, Iterator, Literal, NamedTuple

from .intercept_counters import RATE_LIMIT, counter_problems
from .re2syntax import go_regexp_error
from .yaml_document import FieldPath

TOP_KEYS = {"version", "description", "default", "hide", "tools"}
RULE_KEYS = {"name", "action", "rate_limit", "conditions", "on_deny", "state"}
CONDITION_KEYS = {"path", "op", "value"}
STATE_KEYS = {"counter", "window", "increment", "increment_from"}
OPS = ("eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists")
WINDOWS = ("minute", "hour", "day")
INT64_MAX = 2**63 - 1

Severity = Literal["error", "warning"]
Error = tuple[FieldPath, str]


class Issue(NamedTuple):
    path: FieldPath
    message: str
    severity: Severity = "error"


def _unknown(data: dict[str, Any], allowed: set[str], path: FieldPath, hints: dict[str, str]) -> Iterator[Issue]:
    for key in data:
        if key not in allowed:
            hint = hints.get(str(key), "allowed: " + ", ".join(sorted(allowed)))
            yield Issue(path + (str(key),), f"unknown field {key!r} ({hint}); Intercept ignores it", "warning")


def _rate_limit(value: Any, path: FieldPath) -> Iterator[Issue]:
    match = RATE_LIMIT.fullmatch(value) if isinstance(value, str) else None
    if isinstance(value, dict):
        yield Issue(path, 'rate_limit is a string such as "10/minute", not a mapping (no max/window keys)')
    elif not match:
        yield Issue(path, f'rate_limit must be "<count>/<minute|hour|day>", got {value!r}')
    elif not 0 < int(match.group(1)) <= INT64_MAX:
        yield Issue(path, f"rate_limit count must be a positive integer that fits int64 (at most {INT64_MAX})")


def _number(op: str, value: Any, path: FieldPath) -> Iterator[Issue]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        yield Issue(path, f"op '{op}' needs a numeric value")
    elif isinstance(value, int):
        try:
            if float(value) != value:  # Python compares int and float exactly
                yield Issue(path, f"Intercept compares {value} as the float64 {float(value)!r}, not exactly", "warning")
        except OverflowError:
            yield Issue(path, f"op '{op}' compares as float64, and {value} is beyond its range")


def _condition_value(op: str, value: Any, path: FieldPath) -> Iterator[Issue]:
    if op in ("in", "not_in") and not isinstance(value, list):
        yield Issue(path, f"op '{op}' needs a list value")
    elif op in ("lt", "lte", "gt", "gte"):
        yield from _number(op, value, path)
    elif op == "exists" and not isinstance(value, bool):
        yield Issue(path, "op 'exists' needs a boolean value")
    elif op == "regex" and not isinstance(value, str):
        yield Issue(path, "op 'regex' needs a string pattern")
    elif op == "regex" and (problem := go_regexp_error(value)):
        yield Issue(path, f"regex is not valid in Go's regexp (RE2 syntax): {problem}")


def _condition(condition: Any, path: FieldPath) -> Iterator[Issue]:
    if not isinstance(condition, dict):
        yield Issue(path, "a condition is a mapping with path, op and value")
        return
    yield from _unknown(condition, CONDITION_KEYS, path, {})
    cond_path = condition.get("path")
    if not isinstance(cond_path, str) or not cond_path.startswith(("args.", "state.")) or cond_path in ("args.", "state."):
        yield Issue(path + ("path",), f"path must start with 'args.' or 'state.', got {cond_path!r}")
    op = condition.get("op")
    if op not in OPS:
        yield Issue(path + ("op",), f"op must be one of {', '.join(OPS)}, got {op!r}")
    elif "value" not in condition:
        yield Issue(path + ("value",), "value is required")
    else:
        yield from _condition_value(op, condition["value"], path + ("value",))


def _state(state: Any, path: FieldPath) -> Iterator[Issue]:
    if not isinstance(state, dict):
        yield Issue(path, "state is a mapping with counter and window")
        return
    yield from _unknown(state, STATE_KEYS, path, {})
    if not isinstance(state.get("counter"), str) or not state.get("counter"):
        yield Issue(path + ("counter",), "state.counter is required")
    if state.get("window") not in WINDOWS:
        yield Issue(path + ("window",), f"state.window must be one of minute, hour, day, got {state.get('window')!r}")
    increment = state.get("increment")
    if increment is not None and (isinstance(increment, bool) or not isinstance(increment, int)
                                  or not 0 < increment <= INT64_MAX):
        yield Issue(path + ("increment",), f"state.increment must be a positive integer that fits int64 (at most {INT64_MAX})")
    source = state.get("increment_from")
    if source is not None and (not isinstance(source, str) or not source.startswith("args.") or source == "args."):
        yield Issue(path + ("increment_from",), "state.increment_from must be an 'args.' path")
    if increment is not None and source is not None:
        yield Issue(path, "state takes increment or increment_from, not both")


def _rule(rule: Any, path: FieldPath) -> Iterator[Issue]:
    if not isinstance(rule, dict):
        yield Issue(path, "a rule is a mapping")
        return
    yield from _unknown(rule, RULE_KEYS, path, {"reason": "the message key is on_deny", "rate-limit": "did you mean rate_limit?"})
    if not isinstance(rule.get("name"), str) or not rule["name"].strip():
        yield Issue(path + ("name",), "every rule needs a name")
    action = rule.get("action", "evaluate")
    if action not in ("evaluate", "deny"):
        hint = " (there is no allow action: an allowed tool has rules: [])" if action == "allow" else ""
        yield Issue(path + ("action",), f"action must be 'evaluate' or 'deny', got {action!r}{hint}")
    conditions = rule.get("conditions")
    if conditions is not None and not isinstance(conditions, list):
        yield Issue(path + ("conditions",), "conditions is a list")
        conditions = None
    if "rate_limit" in rule:
        yield from _rate_limit(rule["rate_limit"], path + ("rate_limit",))
        if conditions or "state" in rule:
            yield Issue(path, "rate_limit cannot be combined with conditions or state")
        if action == "deny":
            yield Issue(path, "rate_limit cannot be used with action: deny")
    elif action == "deny" and conditions:
        yield Issue(path + ("conditions",), "a deny rule takes no conditions")
    elif action == "evaluate" and not conditions:
        yield Issue(path, "an evaluate rule needs at least one condition (or a rate_limit)")
    for index, condition in enumerate(conditions or []):
        yield from _condition(condition, path + ("conditions", index))
    if "state" in rule:
        yield from _state(rule["state"], path + ("state",))
    if "on_deny" in rule and not isinstance(rule["on_deny"], str):
        yield Issue(path + ("on_deny",), "on_deny is a string")


def _tool(entry: Any, path: FieldPath) -> Iterator[Issue]:
    if not isinstance(entry, dict):
        yield Issue(path, "a tool entry is a mapping with rules (use rules: [] to allow it)")
        return
    yield from _unknown(entry, {"rules"}, path, {})
    rules = entry.get("rules")
    if not isinstance(rules, list):
        yield Issue(path + ("rules",), "rules is a list (use [] to allow the tool)")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        yield from _rule(rule, path + ("rules", index))


def check_intercept(data: Any) -> list[Issue]:
    """Every issue of this policy: errors Intercept would report, warnings where we are stricter."""
    if not isinstance(data, dict):
        return [Issue((), "a policy is a mapping with version and tools")]
    issues: list[Issue] = list(_unknown(data, TOP_KEYS, (), {}))
    if data.get("version") != "1":
        issues.append(Issue(("version",), f'version must be the string "1", got {data.get("version")!r}'))
    if "default" in data and data["default"] not in ("allow", "deny"):
        issues.append(Issue(("default",), f"default must be 'allow' or 'deny', got {data['default']!r}"))
    if "description" in data and not isinstance(data["description"], str):
        issues.append(Issue(("description",), "description is a string"))
    hide = data.get("hide", [])
    if not isinstance(hide, list):
        issues.append(Issue(("hide",), "hide is a list of tool names"))
    else:
        seen: set[str] = set()
        for index, name in enumerate(hide):
            if not isinstance(name, str) or not name.strip():
                issues.append(Issue(("hide", index), "hide entries must be non-empty tool names"))
            elif name in seen:
                issues.append(Issue(("hide", index), f"duplicate hide entry {name!r}"))
            else:
                seen.add(name)
    tools = data.get("tools")
    if not isinstance(tools, dict):
        issues.append(Issue(("tools",), "tools is required: a mapping of tool name to {rules: [...]}"))
        return issues
    for name, entry in tools.items():
        if not isinstance(name, str) or not name:
            issues.append(Issue(("tools", str(name)), "tool names are non-empty strings"))
        else:
            issues.extend(_tool(entry, ("tools", name)))
    return issues + [Issue(path, message) for path, message in counter_problems(tools)]


def validate_intercept(data: Any) -> list[Error]:
    """Every error Intercept would report for this policy (empty list: it loads); no warnings."""
    return [(issue.path, issue.message) for issue in check_intercept(data) if issue.severity == "error"]
