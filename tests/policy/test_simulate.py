"""`evaluate` and `build-site try-policy` follow docs/policy-formats.md, "How Intercept evaluates a call"."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from site_builder.commands.cli import main
from site_builder.content.intercept_validate import validate_intercept
from site_builder.content.yamlio import parse_yaml
from site_builder.policy.simulate import Decision, compiled_regex, evaluate, go_string

from tests.content.test_intercept_validate import DOC_EXAMPLE

ROOT = Path(__file__).parents[2]

SAMPLE = DOC_EXAMPLE  # the documented example policy (docs/policy-formats.md)


def policy(text: str, *, check: bool = True) -> dict[str, Any]:
    """Parse an inline YAML policy; `check` also asserts that our validator accepts it."""
    doc, problems = parse_yaml(textwrap.dedent(text), "inline.yaml")
    assert doc is not None and not problems, problems
    if check:
        assert validate_intercept(doc.data) == []
    data: dict[str, Any] = doc.data
    return data


def one_condition(op: str, value: Any, path: str = "args.x", *, check: bool = True) -> dict[str, Any]:
    """A policy whose tool `t` has one evaluate rule `r` with one condition (the value written as YAML flow)."""
    return policy(f"""\
        version: "1"
        tools:
          t:
            rules:
              - name: r
                conditions:
                  - {{path: {json.dumps(path)}, op: {op}, value: {json.dumps(value)}}}
        """, check=check)


def allowed(op: str, value: Any, arguments: dict[str, Any], path: str = "args.x", *, check: bool = True) -> bool:
    return evaluate(one_condition(op, value, path, check=check), "t", arguments).decision == "allow"


# ---- order: hide, default, tool rules, wildcard rules -------------------------------------------

def test_hidden_tool_is_denied_first() -> None:
    data = policy("""\
        version: "1"
        hide: [secret]
        tools:
          secret: {rules: []}
          other: {rules: []}
        """)
    assert evaluate(data, "secret", {}) == Decision("deny", "hide", "'secret' is listed in hide")
    assert evaluate(data, "other", {}) == Decision("allow", "", "", ())


def test_star_in_hide_hides_every_tool() -> None:
    data = policy("""\
        version: "1"
        hide: ["*"]
        tools:
          listed: {rules: []}
        """)
    for tool in ("listed", "unlisted", "*"):
        decision = evaluate(data, tool, {})
        assert (decision.decision, decision.rule) == ("deny", "hide")
    assert evaluate(data, "listed", {}).message == 'hide lists "*", which hides every tool'


def test_default_deny_refuses_unlisted_tools_only() -> None:
    data = policy(SAMPLE)
    refused = evaluate(data, "drop_table", {})
    assert (refused.decision, refused.rule) == ("deny", "default: deny")
    assert "'drop_table' is not listed under tools" in refused.message
    assert evaluate(data, "list_models", {}).decision == "allow"


def test_default_allow_lets_unlisted_tools_through_but_runs_the_wildcard_rules() -> None:
    data = policy("""\
        version: "1"
        tools:
          "*":
            rules:
              - name: no force
                conditions:
                  - {path: args.force, op: neq, value: true}
        """)
    assert evaluate(data, "anything", {"force": False}).decision == "allow"
    assert evaluate(data, "anything", {"force": True}).rule == "no force"


def test_tool_rules_run_in_order_before_the_wildcard_rules() -> None:
    data = policy("""\
        version: "1"
        tools:
          write_file:
            rules:
              - name: size cap
                conditions: [{path: args.size, op: lte, value: 100}]
                on_deny: too big
              - name: tmp only
                conditions: [{path: args.path, op: regex, value: "^/tmp/"}]
          "*":
            rules:
              - name: no dry runs
                conditions: [{path: args.dry_run, op: exists, value: false}]
                on_deny: dry runs are not allowed
        """)
    both_fail = evaluate(data, "write_file", {"size": 500, "path": "/etc/x", "dry_run": True})
    assert (both_fail.rule, both_fail.message) == ("size cap", "too big")
    second = evaluate(data, "write_file", {"size": 5, "path": "/etc/x", "dry_run": True})
    assert second.rule == "tmp only"
    assert second.message.startswith('condition args.path regex "^/tmp/" failed')  # no on_deny: a plain reason
    wildcard = evaluate(data, "write_file", {"size": 5, "path": "/tmp/x", "dry_run": True})
    assert (wildcard.rule, wildcard.message) == ("no dry runs", "dry runs are not allowed")
    assert evaluate(data, "write_file", {"size": 5, "path": "/tmp/x"}).decision == "allow"


def test_deny_action_denies_at_once_with_on_deny_or_a_plain_reason() -> None:
    data = policy(SAMPLE)
    assert evaluate(data, "delete_entities", {"anything": 1}) == Decision(
        "deny", "block delete_entities", "delete_entities is blocked by policy")
    bare = policy("""\
        version: "1"
        tools:
          pay:
            rules:
              - {name: block pay, action: deny}
        """)
    assert evaluate(bare, "pay", {}) == Decision("deny", "block pay", "rule 'block pay' denies every call")


def test_conditions_of_a_rule_are_and_ed() -> None:
    data = policy("""\
        version: "1"
        tools:
          t:
            rules:
              - name: both
                conditions:
                  - {path: args.a, op: eq, value: 1}
                  - {path: args.b, op: eq, value: 2}
        """)
    assert evaluate(data, "t", {"a": 1, "b": 2}).decision == "allow"
    assert evaluate(data, "t", {"a": 1, "b": 3}).rule == "both"
    assert evaluate(data, "t", {"a": 0, "b": 2}).rule == "both"


# ---- arguments -----------------------------------------------------------------------------------

@pytest.mark.parametrize("op, value", [("eq", 1), ("neq", 1), ("in", [1]), ("not_in", [1]), ("lt", 1), ("gte", 1),
                                       ("regex", "."), ("contains", "a")])
def test_a_missing_or_null_argument_fails_every_op_but_exists(op: str, value: Any) -> None:
    assert not allowed(op, value, {})
    assert not allowed(op, value, {"x": None})
    assert not allowed(op, value, {"y": 1})


def test_exists_true_and_false() -> None:
    assert allowed("exists", True, {"x": 0})
    assert allowed("exists", True, {"x": ""})
    assert not allowed("exists", True, {})
    assert not allowed("exists", True, {"x": None})
    assert allowed("exists", False, {})
    assert allowed("exists", False, {"x": None})
    assert not allowed("exists", False, {"x": False})


def test_nested_argument_paths() -> None:
    assert allowed("eq", True, {"options": {"force": True}}, "args.options.force")
    assert not allowed("eq", True, {"options": {"force": False}}, "args.options.force")
    assert not allowed("eq", True, {"options": {}}, "args.options.force")
    assert not allowed("eq", True, {"options": "force"}, "args.options.force")  # not an object: missing
    assert not allowed("eq", True, {"options.force": True}, "args.options.force")  # a dotted key is not a path
    assert allowed("exists", False, {"options": [1]}, "args.options.force")


def test_numbers_compare_as_numbers_and_anything_else_by_printed_form() -> None:
    assert allowed("eq", 5000, {"x": 5000.0})
    assert allowed("eq", 0.5, {"x": 0.50})
    assert allowed("eq", "5000", {"x": 5000})  # a JSON number prints as 5000
    assert allowed("eq", 5000, {"x": "5000"})
    assert allowed("eq", "1.5", {"x": 1.5})
    assert not allowed("eq", "5000.0", {"x": 5000})
    assert not allowed("eq", "1000000", {"x": 1000000})  # Go prints the float64 as 1e+06
    assert allowed("eq", "1e+06", {"x": 1000000})
    assert allowed("neq", "abc", {"x": "abd"})
    assert allowed("in", [1, "two", 3], {"x": 3.0})
    assert allowed("in", [1, "two", 3], {"x": "two"})
    assert allowed("not_in", ["rm", "dd"], {"x": "ls"})
    assert not allowed("not_in", [1, 2], {"x": 2.0})


def test_true_equals_the_string_true() -> None:
    assert allowed("eq", "true", {"x": True})
    assert allowed("eq", True, {"x": "true"})
    assert not allowed("eq", True, {"x": 1})  # a boolean is not a number
    assert allowed("eq", "[<nil>]", {"x": [None]})  # lists print as Go prints them
    assert allowed("eq", "[a b]", {"x": ["a", "b"]})


def test_go_printed_forms() -> None:
    expected = {5000: "5000", 1.5: "1.5", 1000000: "1e+06", 123456.5: "123456.5", 0.0001: "0.0001",
                0.00001: "1e-05", -2.5: "-2.5", 1e21: "1e+21"}
    assert {value: go_string(value) for value in expected} == expected
    assert go_string(1000000, from_json=False) == "1000000"  # a YAML integer of the policy is a Go int
    assert [go_string(v) for v in (True, False, None, "s")] == ["true", "false", "<nil>", "s"]
    assert go_string({"b": 1, "a": [None, "x"]}) == "map[a:[<nil> x] b:1]"


def test_ordering_ops_need_two_numbers() -> None:
    assert allowed("lt", 10, {"x": 9.5})
    assert not allowed("lt", 10, {"x": 10})
    assert allowed("lte", 10, {"x": 10})
    assert allowed("gt", 0, {"x": 1})
    assert allowed("gte", -1.5, {"x": -1.5})
    assert not allowed("lt", 10, {"x": "5"})  # a string is not a number
    assert not allowed("lt", 10, {"x": True})  # nor is a boolean
    assert not allowed("gt", 0, {"x": [1]})


def test_regex_is_unanchored_unless_anchored() -> None:
    assert allowed("regex", "tmp", {"x": "/var/tmp/file"})
    assert not allowed("regex", "^/tmp/", {"x": "/var/tmp/file"})
    assert allowed("regex", "^/tmp/[^/]+$", {"x": "/tmp/a.txt"})
    assert not allowed("regex", "^/tmp/[^/]+$", {"x": "/tmp/a/b"})
    assert not allowed("regex", "^[a-z]+$", {"x": "abc\n"})  # RE2's $ is the end of the text
    assert allowed("regex", "(?m)^b$", {"x": "a\nb\nc"})
    assert not allowed("regex", "^[0-9]+$", {"x": 123})  # not a string


@pytest.mark.filterwarnings("ignore::FutureWarning")  # our validator's re.compile of [[:alpha:]]
def test_regex_re2_syntax_pl_and_quoting() -> None:
    # Our validator compiles patterns with Python's re and so refuses \pL, \Q...\E and \z (valid RE2): check=False.
    assert allowed("regex", r"^\pL+$", {"x": "héllo"}, check=False)
    assert not allowed("regex", r"^\pL+$", {"x": "héllo1"}, check=False)
    assert allowed("regex", r"^\p{Lu}", {"x": "Élan"}, check=False)
    assert not allowed("regex", r"^\P{L}", {"x": "Élan"}, check=False)
    assert allowed("regex", r"^\Q.*\E$", {"x": ".*"}, check=False)
    assert not allowed("regex", r"^\Q.*\E$", {"x": "anything"}, check=False)
    assert allowed("regex", r"abc\z", {"x": "xabc"}, check=False)
    assert not allowed("regex", r"abc\z", {"x": "abc\n"}, check=False)
    assert allowed("regex", "(?i)^select ", {"x": "SELECT 1"})
    assert allowed("regex", r"^a(?i)b|c$", {"x": "C"}, check=False)  # an inline flag holds to the end of the group
    assert not allowed("regex", r"^\d+$", {"x": "١٢٣"})  # RE2's \d is ASCII only
    assert allowed("regex", "^[[:alpha:]]+$", {"x": "abc"})
    assert allowed("regex", "^a{,2}$", {"x": "a{,2}"})  # not a repetition in RE2


def test_a_pattern_go_refuses_fails_closed_and_says_why() -> None:
    data = policy(r"""
        version: "1"
        tools:
          t:
            rules:
              - name: no digits after
                conditions: [{path: args.x, op: regex, value: '^a(?!\d)'}]
                on_deny: no digits after a
        """, check=False)
    decision = evaluate(data, "t", {"x": "ab"})
    assert (decision.decision, decision.rule) == ("deny", "no digits after")
    assert decision.message.startswith("no digits after a (regex")
    assert "cannot be simulated" in decision.message and "fails closed" in decision.message
    assert allowed("regex", r"^\p{Greek}+$", {"x": "αβγ"}) and not allowed("regex", r"^\p{Greek}+$", {"x": "abc"})
    assert isinstance(compiled_regex("(?=a)"), str)  # lookahead: not RE2
    assert isinstance(compiled_regex("a**"), str)  # Go refuses; Python would read a possessive repeat


def test_contains_on_strings_and_lists() -> None:
    assert allowed("contains", "drop", {"x": "please drop table"})
    assert not allowed("contains", "drop", {"x": "select"})
    assert allowed("contains", "b", {"x": ["a", "b"]})
    assert not allowed("contains", "c", {"x": ["a", "b"]})
    assert allowed("contains", 2, {"x": [1, 2]})
    assert allowed("contains", "true", {"x": [True]})  # membership by printed form
    assert not allowed("contains", "1", {"x": 12})  # neither a string nor a list
    assert not allowed("contains", "a", {"x": {"a": 1}})


# ---- state ---------------------------------------------------------------------------------------

def test_rate_limits_are_reported_as_counted() -> None:
    data = policy(SAMPLE)
    assert evaluate(data, "upload_file", {}) == Decision(
        "allow", "", "", ("state.upload_file._rate_minute", "state._global._rate_minute"))
    assert evaluate(data, "list_models", {}).counted == ("state._global._rate_minute",)
    assert evaluate(data, "delete_entities", {}).counted == ()  # a refused call counts nothing


def test_state_blocks_and_state_conditions_are_counted_not_evaluated() -> None:
    data = policy("""\
        version: "1"
        tools:
          transfer:
            rules:
              - name: daily amount
                conditions:
                  - {path: args.amount, op: gt, value: 0}
                  - {path: state.transfer.total, op: lte, value: 1000}
                state: {counter: total, window: day, increment_from: args.amount}
        """)
    assert evaluate(data, "transfer", {"amount": 5}).counted == ("state.transfer.total",)
    assert evaluate(data, "transfer", {"amount": -5}) == Decision(
        "deny", "daily amount", "condition args.amount gt 0 failed: args.amount is -5")


def test_a_tool_named_star_is_the_wildcard_key_not_a_listed_tool() -> None:
    text = """\
        version: "1"
        {default}
        tools:
          "*":
            rules:
              - name: global rate limit
                rate_limit: 60/minute
        """
    denied = evaluate(policy(text.format(default="default: deny")), "*", {})
    assert (denied.decision, denied.rule) == ("deny", "default: deny")
    allowed_once = evaluate(policy(text.format(default="")), "*", {})
    assert allowed_once == Decision("allow", "", "", ("state._global._rate_minute",))  # wildcard rules, once


# ---- build-site try-policy -----------------------------------------------------------------------

def test_cli_allow_and_deny_lines_and_exit_codes(write: Any, capsys: pytest.CaptureFixture[str]) -> None:
    write("p.yaml", SAMPLE)
    assert main(["try-policy", "p.yaml", "--tool", "upload_file", "--args", '{"name": "a.txt"}']) == 0
    assert capsys.readouterr().out == "allow (counted: state.upload_file._rate_minute, state._global._rate_minute)\n"
    assert main(["try-policy", "p.yaml", "--tool", "delete_entities"]) == 1
    assert capsys.readouterr().out == 'deny  rule "block delete_entities": delete_entities is blocked by policy\n'
    assert main(["try-policy", "p.yaml", "--tool", "drop"]) == 1
    assert capsys.readouterr().out.startswith("deny  default: deny: 'drop' is not listed")


def test_cli_batch_from_a_file_and_from_stdin(write: Any, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    write("p.yaml", SAMPLE)
    lines = ['{"tool": "upload_file", "arguments": {"size": 5000}}', "", '{"tool": "delete_entities"}']
    write("calls.jsonl", "\n".join(lines) + "\n")
    assert main(["try-policy", "p.yaml", "--batch", "calls.jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out == [
        {"tool": "upload_file", "arguments": {"size": 5000}, "decision": "allow", "rule": "", "message": "",
         "counted": ["state.upload_file._rate_minute", "state._global._rate_minute"]},
        {"tool": "delete_entities", "arguments": {}, "decision": "deny", "rule": "block delete_entities",
         "message": "delete_entities is blocked by policy", "counted": []},
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines[0] + "\n"))
    assert main(["try-policy", "p.yaml", "--batch", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "allow"


@pytest.mark.parametrize("arguments, message", [
    ("{bad", "--args: not valid JSON: Expecting property name"),
    ("[1, 2]", "--args: must be a JSON object, got list"),
    ('{"n": NaN}', "--args: NaN is not JSON"),
    ('{"n": 1e999}', "--args: number 1e999 is out of float64 range"),
])
def test_cli_bad_args_is_one_line_without_traceback(write: Any, capsys: pytest.CaptureFixture[str],
                                                    arguments: str, message: str) -> None:
    write("p.yaml", SAMPLE)
    assert main(["try-policy", "p.yaml", "--tool", "upload_file", "--args", arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"build-site try-policy: {message}") and "hint: " in captured.err


def test_cli_bad_batch_line_names_file_line_and_field(write: Any, capsys: pytest.CaptureFixture[str]) -> None:
    write("p.yaml", SAMPLE)
    write("calls.jsonl", '{"tool": "a", "arguments": {}}\n{"tool": "b", "args": {"x": 1}}\n')
    assert main(["try-policy", "p.yaml", "--batch", "calls.jsonl"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("build-site try-policy: calls.jsonl:2 args: unknown key")
    write("calls.jsonl", '{"tool": "a", "arguments": [1]}\n')
    assert main(["try-policy", "p.yaml", "--batch", "calls.jsonl"]) == 2
    assert "calls.jsonl:1 arguments: must be a JSON object, got list" in capsys.readouterr().err


def test_cli_refuses_a_policy_intercept_would_not_load(write: Any, capsys: pytest.CaptureFixture[str]) -> None:
    write("seed.yaml", "version: \"1\"\ntools:\n  t:\n    rules:\n      - action: allow\n")
    assert main(["try-policy", "seed.yaml", "--tool", "t"]) == 2
    err = capsys.readouterr().err
    assert 'seed.yaml:5 tools["t"].rules[0].action: action must be' in err
    assert "seed.yaml: 2 error(s)" in err


def test_cli_bad_json_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(SAMPLE, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "site_builder.commands.cli", "try-policy", "p.yaml", "--tool", "t",
                             "--args", "{'single': 'quotes'}"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
