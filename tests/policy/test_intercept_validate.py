from __future__ import annotations

from typing import Any

import pytest
import yaml

from site_builder.policy.intercept_validate import validate_intercept

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
    ({"name": "r", "conditions": [{"path": "args.a", "op": "regex", "value": "("}]}, "regex does not compile"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "regex", "value": "(?!x)y"}]}, "(RE2) does not support"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "eq"}]}, "value is required"),
    ({"name": "r", "conditions": [{"path": "args.a", "op": "eq", "value": 1}], "reason": "no"}, "the message key is on_deny"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "week"}},
     "state.window must be one of minute, hour, day"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"window": "day"}},
     "state.counter is required"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}],
      "state": {"counter": "n", "window": "day", "increment_from": "amount"}}, "increment_from must be an 'args.' path"),
    ({"name": "r", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}],
      "state": {"counter": "n", "window": "day", "increment": 0}}, "state.increment must be a positive integer"),
    ({"name": "r", "conditions": [{"path": "state.t.spend", "op": "lte", "value": 1}]},
     "condition uses counter 'spend' but no rule of this tool defines it in a state block"),
    ({"name": "r", "conditions": [{"path": "state.other.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "day"}},
     "state paths on this tool are state.t.<counter>"),
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
    assert any("unknown field 'rules'" in e for e in errors({**base, "rules": []}))
    assert "rules is a list (use [] to allow the tool)" in errors({"version": "1", "tools": {"t": {}}})


def test_colliding_rate_limits_and_duplicate_counters() -> None:
    rules = [{"name": "a", "rate_limit": "5/minute"}, {"name": "b", "rate_limit": "9/minute"},
             {"name": "c", "conditions": [{"path": "state.t.n", "op": "lte", "value": 1}], "state": {"counter": "n", "window": "day"}},
             {"name": "d", "conditions": [{"path": "state.t.n", "op": "lte", "value": 2}], "state": {"counter": "n", "window": "hour"}}]
    found = [m for _, m in validate_intercept({"version": "1", "tools": {"t": {"rules": rules}}})]
    assert "a second rate_limit per minute on this tool collides with rule 0" in found
    assert "duplicate counter 'n' (also in rule 2)" in found
