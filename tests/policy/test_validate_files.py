from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.cli import main

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
    custom = write("p.yaml", text.replace("write: {action: limit, rate_limit: 30/minute}", "write: {action: limit, rate_limit: 5/hour}"))
    assert load_policy_defaults(custom).profiles["recommended"].categories["write"].rate_limit == "5/hour"  # type: ignore[index]
    broken = write("q.yaml", text.replace("rate_limit: 30/minute", "rate_limit: 30 per minute"))
    with pytest.raises(UserError):
        load_policy_defaults(broken)
