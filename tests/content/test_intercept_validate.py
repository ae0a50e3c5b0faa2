from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from site_builder.content.intercept_validate import check_intercept, validate_intercept

from tests.helpers import SCAFFOLDS

DOC_EXAMPLE = """
version: "1"
default: deny
tools:
  list_models:
    rules: []
  upload_file:
    rules:
      - name: upload_file rate limit
        rate_limit: 30/minute
        on_deny: "upload_file is limited to 30 calls a minute"
  delete_entities:
    rules:
      - name: block delete_entities
        action: deny
        on_deny: "delete_entities is blocked by policy"
  "*":
    rules:
      - name: global rate limit
        rate_limit: 60/minute
"""

DAILY_CAP_EXAMPLE = """
version: "1"
tools:
  create_charge:
    rules:
      - name: "max single charge"
        conditions:
          - {path: "args.amount", op: "lte", value: 50000}
        on_deny: "Single charge cannot exceed $500.00"
      - name: "daily spend cap"
        conditions:
          - {path: "state.create_charge.daily_spend", op: "lte", value: 1000000}
        on_deny: "Daily spending cap of $10,000.00 reached"
        state: {counter: "daily_spend", window: "day", increment_from: "args.amount"}
  "*":
    rules:
      - name: global cap
        conditions: [{path: "state._global.calls", op: "lte", value: 1000}]
        state: {counter: calls, window: hour}
"""

SEED_SNIPPET = """
tools:
  Image-to-Video:
    rules:
      - action: allow
        rate_limit:
          max: 30
          window: 60
"""


def messages(text: str) -> list[str]:
    return [message for _path, message in validate_intercept(yaml.safe_load(text))]


def policy_with_rule(rule: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"version": "1", "tools": {"t": {"rules": [rule]}}, **top}


@pytest.mark.parametrize("path", sorted(SCAFFOLDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_accepts_every_real_scaffold(path) -> None:
    assert validate_intercept(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_accepts_the_documented_examples() -> None:
    assert messages(DOC_EXAMPLE) == [] and messages(DAILY_CAP_EXAMPLE) == []


def test_rejects_the_seed_pages_snippet_with_clear_messages() -> None:
    assert messages(SEED_SNIPPET) == [
        'version must be the string "1", got None',
        "every rule needs a name",
        "action must be 'evaluate' or 'deny', got 'allow' (there is no allow action: an allowed tool has rules: [])",
        'rate_limit is a string such as "10/minute", not a mapping (no max/window keys)',
    ]


RULE_ERRORS = [
    ({"action": "deny"}, "every rule needs a name"),
    ({"name": "r", "action": "block"}, "action must be 'evaluate' or 'deny', got 'block'"),
    ({"name": "r", "rate_limit": "10/week"}, "rate_limit must be \"<count>/<minute|hour|day>\", got '10/week'"),
    ({"name": "r", "rate_limit": "0/minute"}, "rate_limit count must be a positive integer"),
    ({"name": "r", "rate_limit": "5/minute", "conditions": [{"path": "args.a", "op": "eq", "value": 1}]},
     "rate_limit cannot be combined with conditions or state"),
    ({"name": "r", "rate_limit": "5/minute", "action": "deny"}, "rate_limit cannot be used with action: deny"),
    ({"name": "r", "action": "deny", "conditions": [{"path": "args.a", "op": "eq", "value": 1}]},
     "a deny rule takes no conditions"),
    ({"name": "r"}, "an evaluate rule needs at least one condition (or a rate_limit)"),
    ({"name": "r", "conditions": [{"path": "amount", "op": "eq", "value": 1}]},
     "path must start with 'args.' or 'state.', got 'amount'"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "like", "value": 1}]}, "op must be one of"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "in", "value": "x"}]}, "op 'in' needs a list value"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "not_in", "value": 3}]}, "op 'not_in' needs a list value"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "lte", "value": "5"}]}, "op 'lte' needs a numeric value"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "gt", "value": True}]}, "op 'gt' needs a numeric value"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "exists", "value": "yes"}]}, "op 'exists' needs a boolean value"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "regex", "value": "("}]}, "regex is not valid in Go's regexp"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "regex", "value": "(?!x)y"}]},
     "look-ahead and look-behind are not supported"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "eq"}]}, "value is required"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "week"}},
     "state.window must be one of minute, hour, day"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"window": "day"}},
     "state.counter is required"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}],
      "state": {"counter": "n", "window": "day", "increment_from": "amount"}}, "increment_from must be an 'args.' path"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}],
      "state": {"counter": "n", "window": "day", "increment": 0}}, "state.increment must be a positive integer"),
    ({"name": "r", "conditions": [{"path": "state.t.spend", "op": "lte", "value": 1}]},
     "condition uses counter 'spend' of tool 't', but no rule of that tool defines it in a state block"),
    ({"name": "r", "conditions": [{"path": "state.other.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "day"}},
     "condition uses counter 'n' of tool 'other', but no rule of that tool defines it"),
    ({"name": "r", "conditions": [{"path": "state.t", "op": "lte", "value": 1}]}, "a state path is state.<tool>.<counter>"),
]


@pytest.mark.parametrize("rule, expected", RULE_ERRORS, ids=[e for _, e in RULE_ERRORS])
def test_each_documented_rule_error(rule: dict[str, Any], expected: str) -> None:
    found = [message for _, message in validate_intercept(policy_with_rule(rule))]
    assert any(expected in message for message in found), found


def test_top_level_errors() -> None:
    def errors(policy: dict[str, Any]) -> list[str]:
        return [m for _, m in validate_intercept(policy)]

    base = {"version": "1", "tools": {}}
    assert 'version must be the string "1", got 1' in errors({**base, "version": 1})
    assert "default must be 'allow' or 'deny', got 'block'" in errors({**base, "default": "block"})
    assert "hide entries must be non-empty tool names" in errors({**base, "hide": [""]})
    assert "duplicate hide entry 'x'" in errors({**base, "hide": ["x", "x"]})
    assert any("tools is required" in e for e in errors({"version": "1"}))
    assert errors({**base, "rules": []}) == []  # an unknown key is only a warning (see below)
    assert "rules is a list (use [] to allow the tool)" in errors({"version": "1", "tools": {"t": {}}})


def test_colliding_rate_limits_and_duplicate_counters() -> None:
    rules = [{"name": "a", "rate_limit": "5/minute"}, {"name": "b", "rate_limit": "9/minute"},
             {"name": "c", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "day"}},
             {"name": "d", "conditions": [{"path": "state.t.n", "op": "lte", "value": 2}], "state": {"counter": "n", "window": "hour"}}]
    found = [m for _, m in validate_intercept({"version": "1", "tools": {"t": {"rules": rules}}})]
    assert "a second rate_limit per minute on this tool collides with rule 0" in found
    assert "duplicate counter 'n' (also in rule 2)" in found


# ---------------------------------------------------------------- severities

def issues(text: str) -> list[tuple[str, str]]:
    """(severity, message) of every issue of a policy written as YAML."""
    return [(issue.severity, issue.message) for issue in check_intercept(yaml.safe_load(text))]


def test_unknown_keys_are_warnings_and_validate_intercept_keeps_errors_only() -> None:
    text = POLICY.format(rule='{name: r, rate_limit: 5/minute, reason: "no"}') + "comment: x\n"
    assert issues(text) == [
        ("warning", "unknown field 'comment' (allowed: default, description, hide, tools, version); Intercept ignores it"),
        ("warning", "unknown field 'reason' (the message key is on_deny); Intercept ignores it"),
    ]
    assert validate_intercept(yaml.safe_load(text)) == []


def test_a_typo_still_leaves_its_error_beside_the_warning() -> None:
    found = issues(POLICY.format(rule="{name: r, rate-limit: 5/minute}"))
    assert ("warning", "unknown field 'rate-limit' (did you mean rate_limit?); Intercept ignores it") in found
    assert ("error", "an evaluate rule needs at least one condition (or a rate_limit)") in found


# ---------------------------------------------------------------- regex: Go's RE2 syntax, one file per case

POLICY = """
version: "1"
tools:
  t:
    rules:
      - {rule}
"""


def regex_policy(pattern: str) -> str:
    return POLICY.format(rule="name: r\n        conditions: [{path: args.a, op: regex, value: " + json.dumps(pattern) + "}]")


REGEX_REFUSED = [
    ("a++", "possessive quantifiers are not supported"),
    ("(?>x)", "atomic groups are not supported"),
    ("(?<=a)b", "look-ahead and look-behind are not supported"),
    (r"(\w)\1", "back-references are not supported"),
    ("a{1001}", "invalid repetition size"),
    (r"x\Z", r"write \z for the end of the text"),
    (r"\C", "Go has no any-byte escape"),  # C++ RE2 accepts \C; Go does not
    (r"\e", "invalid escape sequence"),
    ("[z-a]", "invalid character class range"),
    ("[[:foo:]]", "invalid character class range"),
    (r"\p{Klingon}", "invalid character class range"),
    ("(?P<é>x)", "Go allows only A-Z, a-z, 0-9 and _ in names"),  # C++ RE2 accepts Unicode names
    ("[\ud800-\udfff]", "invalid UTF-8"),
    ("(" * 1000 + ")" * 1000, "expression nests too deeply"),  # C++ RE2 has no depth limit
    ("(xx?){1000}" * 1000, "expression too large"),
]
REGEX_ACCEPTED = [r"\pL", r"\p{Greek}+", r"\PL", r"\Q1.5*2\E", "(?U)a+b", "[[:alpha:]]+", r"^\d+\z", r"\_",
                  r"(?<name>x)", r"(?i)^[\p{L}\p{N}_-]{1,1000}$", "(" * 999 + ")" * 999, "a" * 200_000]


@pytest.mark.parametrize("pattern, expected", REGEX_REFUSED, ids=[p[:20] for p, _ in REGEX_REFUSED])
def test_regex_refused_as_go_refuses_it(pattern: str, expected: str) -> None:
    found = issues(regex_policy(pattern))
    assert len(found) == 1 and found[0][0] == "error" and expected in found[0][1], found
    assert found[0][1].startswith("regex is not valid in Go's regexp (RE2 syntax): ")


@pytest.mark.parametrize("pattern", REGEX_ACCEPTED, ids=[p[:20] for p in REGEX_ACCEPTED])
def test_regex_accepted_as_go_accepts_it(pattern: str) -> None:
    assert issues(regex_policy(pattern)) == []


# ---------------------------------------------------------------- numbers decode into Go types

def test_rate_limit_count_past_int64_is_refused() -> None:
    assert issues(POLICY.format(rule="{name: r, rate_limit: 9223372036854775807/minute}")) == []
    assert issues(POLICY.format(rule="{name: r, rate_limit: 9223372036854775808/minute}")) == [
        ("error", "rate_limit count must be a positive integer that fits int64 (at most 9223372036854775807)")]


def test_rate_limit_with_a_trailing_newline_is_refused() -> None:
    assert issues(POLICY.format(rule='{name: r, rate_limit: "10/minute\\n"}')) == [
        ("error", "rate_limit must be \"<count>/<minute|hour|day>\", got '10/minute\\n'")]


def test_increment_past_int64_is_refused() -> None:
    rule = ("name: r\n        conditions: [{path: state.t.n, op: lte, value: 5}]\n"
            "        state: {counter: n, window: day, increment: %s}")
    assert issues(POLICY.format(rule=rule % "9223372036854775807")) == []
    assert issues(POLICY.format(rule=rule % "9223372036854775808")) == [
        ("error", "state.increment must be a positive integer that fits int64 (at most 9223372036854775807)")]


def test_lte_value_past_int64_is_a_float64_and_accepted() -> None:
    rule = "name: r\n        conditions: [{path: args.n, op: lte, value: %s}]"
    assert issues(POLICY.format(rule=rule % "9223372036854775808")) == []  # 2**63: exact in float64
    assert issues(POLICY.format(rule=rule % "9007199254740993")) == [  # 2**53 + 1: rounded
        ("warning", "Intercept compares 9007199254740993 as the float64 9007199254740992.0, not exactly")]
    assert issues(POLICY.format(rule=rule % ("9" * 400))) == [
        ("error", f"op 'lte' compares as float64, and {'9' * 400} is beyond its range")]


# ---------------------------------------------------------------- state paths and counters

def two_tools(first: str, second: str, first_name: str = "a", second_name: str = "b") -> str:
    return (f'version: "1"\ntools:\n  "{first_name}":\n    rules:\n      - {first}\n'
            f'  "{second_name}":\n    rules:\n      - {second}\n')


COUNTED = "{name: spend, conditions: [{path: state.a.spent, op: lte, value: 100}], state: {counter: spent, window: day}}"


def test_a_condition_on_another_tools_counter_is_accepted() -> None:
    text = two_tools(COUNTED, "{name: r, conditions: [{path: state.a.spent, op: lte, value: 50}]}")
    assert issues(text) == []


def test_a_condition_on_a_counter_the_other_tool_lacks_is_refused() -> None:
    text = two_tools(COUNTED, "{name: r, conditions: [{path: state.a.calls, op: lte, value: 50}]}")
    assert issues(text) == [("error", "condition uses counter 'calls' of tool 'a', but no rule of that tool defines it "
                                      "in a state block")]


def test_a_rate_limit_clashing_with_an_explicit_counter_is_refused() -> None:
    explicit = "{name: c, conditions: [{path: state.t._rate_minute, op: lte, value: 9}], state: {counter: _rate_minute, window: hour}}"
    text = f'version: "1"\ntools:\n  t:\n    rules:\n      - {explicit}\n      - {{name: r, rate_limit: 5/minute}}\n'
    assert issues(text) == [("error", "rate_limit counts in '_rate_minute', the counter of the state block of rule 0")]
    swapped = f'version: "1"\ntools:\n  t:\n    rules:\n      - {{name: r, rate_limit: 5/minute}}\n      - {explicit}\n'
    assert issues(swapped) == [("error", "counter '_rate_minute' is the one the rate_limit of rule 0 counts in")]


def test_a_tool_named_global_shares_the_wildcards_counters() -> None:
    text = two_tools("{name: r, rate_limit: 5/minute}", "{name: g, rate_limit: 60/minute}", "_global", "*")
    assert issues(text) == [("error", "a second rate_limit per minute on this tool collides with tool '_global' rule 0 "
                                      "(both count under _global)")]
    counted = "{name: g, conditions: [{path: state._global.calls, op: lte, value: 9}], state: {counter: calls, window: day}}"
    assert issues(two_tools(counted, counted, "_global", "*")) == [
        ("error", "duplicate counter 'calls' (also in tool '_global' rule 0 (both count under _global))")]
    reader = "{name: r, conditions: [{path: state._global.calls, op: lte, value: 9}]}"
    assert issues(two_tools(counted, reader, "*", "c")) == []


def test_the_wildcards_counters_are_not_under_a_star() -> None:
    counted = "{name: g, conditions: [{path: state.*.calls, op: lte, value: 9}], state: {counter: calls, window: day}}"
    assert issues(POLICY.format(rule=counted).replace("  t:", '  "*":')) == [
        ("error", "condition uses counter 'calls' of tool '*', but no rule of that tool defines it in a state block "
                  "(the counters of \"*\" are state._global.<counter>)")]


def test_a_state_path_splits_at_its_first_two_dots() -> None:
    dotted = "{name: r, conditions: [{path: state.t.a.b, op: lte, value: 9}], state: {counter: a.b, window: day}}"
    assert issues(POLICY.format(rule=dotted)) == []  # tool 't', counter 'a.b'
    assert issues(POLICY.format(rule="{name: r, rate_limit: 5/minute}").replace("  t:", '  "a.b":')) == [
        ("error", "a tool whose name has a dot cannot carry a rate_limit: Intercept checks it as "
                  "state.a.b._rate_minute and splits that path at its first two dots")]
    counted = "{name: r, conditions: [{path: state.a.b.n, op: lte, value: 9}], state: {counter: n, window: day}}"
    assert issues(POLICY.format(rule=counted).replace("  t:", '  "a.b":')) == [
        ("error", "condition uses counter 'b.n' of tool 'a', but no rule of that tool defines it in a state block "
                  "(Intercept splits the path at its first two dots, so a tool name with a dot cannot be used)")]
