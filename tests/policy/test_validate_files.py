from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.commands.cli import main

from tests.helpers import SCAFFOLDS


def test_validate_policy_reports_lines_and_exits_non_zero(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("seed.yaml", "tools:\n  Image-to-Video:\n    rules:\n      - action: allow\n        rate_limit:\n          max: 30\n          window: 60\n")
    assert main(["validate-policy", "seed.yaml"]) == 1
    out = capsys.readouterr().out
    assert 'seed.yaml:4 tools["Image-to-Video"].rules[0].action: action must be' in out
    assert 'seed.yaml:5 tools["Image-to-Video"].rules[0].rate_limit: rate_limit is a string' in out
    assert "seed.yaml: 4 error(s)" in out


def test_validate_policy_accepts_scaffolds_and_checks_policy_json(write, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-policy", *map(str, sorted(SCAFFOLDS.glob("*.yaml")))]) == 0
    write("ok.json", '{"version": "1", "default": "deny", "tools": {"a": {}}, "hide": ["b"]}')
    write("bad.json", '{"version": "1", "tools": {"a": {"limits": [{"counter": "c", "window": "week", "max": 0}]}}}')
    assert main(["validate-policy", "ok.json"]) == 0
    assert main(["validate-policy", "bad.json"]) == 1
    out = capsys.readouterr().out
    assert "tools.a.limits.0.window" in out and "tools.a.limits.0.max" in out


def test_policy_defaults_come_from_configuration(write) -> None:
    from site_builder.policy.recommend import load_policy_defaults
    from site_builder.errors import UserError

    text = (Path(__file__).parents[2] / "site_builder" / "defaults" / "policies.yaml").read_text()
    custom = write("p.yaml", text.replace("write: {action: limit, rate_limit: 30/minute, daily_limit: 1000/day}", "write: {action: limit, rate_limit: 5/hour}"))
    assert load_policy_defaults(custom).profiles["recommended"].categories["write"].rate_limit == "5/hour"  # type: ignore[index]
    broken = write("q.yaml", text.replace("rate_limit: 30/minute", "rate_limit: 30 per minute"))
    with pytest.raises(UserError):
        load_policy_defaults(broken)


POLICY = 'version: "1"\ntools:\n  t:\n    rules:\n      - name: r\n        {rule}\n'


def test_warnings_print_with_a_prefix_and_keep_the_exit_code_zero(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("typo.yaml", POLICY.format(rule="rate_limit: 5/minute\n        reason: too many calls"))
    assert main(["validate-policy", "typo.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ('warning: typo.yaml:7 tools["t"].rules[0].reason: unknown field \'reason\' '
                      "(the message key is on_deny); Intercept ignores it")
    assert out[-1] == "typo.yaml: ok (1 warning(s))"


def test_errors_and_warnings_are_counted_apart(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("both.yaml", POLICY.format(rule='conditions: [{path: args.a, op: regex, value: "a++"}]\n        note: x'))
    assert main(["validate-policy", "both.yaml"]) == 1
    out = capsys.readouterr().out
    assert ('both.yaml:6 tools["t"].rules[0].conditions[0].value: regex is not valid in Go\'s regexp (RE2 syntax): '
            "bad repetition operator: ++; possessive quantifiers are not supported") in out
    assert "warning: both.yaml:7 tools[\"t\"].rules[0].note: unknown field 'note'" in out
    assert out.splitlines()[-1] == "both.yaml: 1 error(s), 1 warning(s)"


def test_go_regexp_syntax_is_checked_in_files(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("go.yaml", POLICY.format(rule=r'conditions: [{path: args.a, op: regex, value: "^\\pL+\\Q.txt\\E\\z"}]'))
    write("atomic.yaml", POLICY.format(rule='conditions: [{path: args.a, op: regex, value: "(?>x)"}]'))
    assert main(["validate-policy", "go.yaml"]) == 0
    assert main(["validate-policy", "atomic.yaml"]) == 1
    assert "atomic groups are not supported" in capsys.readouterr().out


def test_a_lone_surrogate_escape_does_not_load(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("utf.yaml", POLICY.format(rule='conditions: [{path: args.a, op: regex, value: "[\\ud800-\\udfff]"}]'))
    assert main(["validate-policy", "utf.yaml"]) == 1
    assert "utf.yaml: 1 error(s)" in capsys.readouterr().out
