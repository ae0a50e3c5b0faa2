from __future__ import annotations

import json

from site_builder.views.machine_files import checks_json


def test_checks_json_is_the_checks_one_call_a_line() -> None:
    checks = {
        "read_file": [{"arguments": {"path": "/etc/passwd"}, "decision": "deny", "rule": "read_file: path"},
                      {"arguments": {}, "decision": "allow", "rule": None}],
        'we"ird\u2028 näme': [{"arguments": {"q": "</script>\n"}, "decision": "allow", "rule": "x"}],
    }
    text = checks_json(checks)
    assert json.loads(text) == checks and list(json.loads(text)) == list(checks)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    calls = [line for line in lines if line.startswith("  {")]
    assert [json.loads(line.rstrip(",")) for line in calls] == [call for tool in checks.values() for call in tool]
    assert "näme" in text  # UTF-8, not \\u escapes
    assert json.loads(checks_json({})) == {}
