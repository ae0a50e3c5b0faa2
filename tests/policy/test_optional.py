"""Optional arguments: which conditions stay (making the argument required) and which become "not given"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from site_builder.policy.arguments import argument_rules
from site_builder.policy.optional import keeps_condition

DEFINITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "optional-arguments" / "definitions.json"


def _item(tool: str, parameter: str) -> dict[str, Any]:
    items = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    return next(item for item in items if item["tool"] == tool and item["parameter"] == parameter)


def _ops(tool: str, parameter: str, profile: str = "recommended") -> list[str]:
    item = _item(tool, parameter)
    return [rule.condition.op for rule in argument_rules(item["input_schema"], profile, item["description"], tool)
            if rule.parameter == parameter]


def test_an_optional_extra_is_held_absent_in_every_profile() -> None:
    for profile in ("strict", "recommended", "permissive"):
        assert _ops("discord_send_webhook_message", "avatarURL", profile) == ["exists"]
    assert _ops("jira_create_remote_issue_link", "icon_url") == ["exists"]
    assert _ops("kubectl_patch", "patchFile") == ["exists"]  # shares the tool's verb, not its object


def test_what_the_tool_is_for_stays_checked_and_so_required() -> None:
    assert _ops("query", "sql") == ["regex"] * 5  # SQL, the only argument
    assert _ops("luma_generate_video_from_image", "start_image_url") == ["regex"]  # the tool's object
    assert _ops("write_pdf", "outputPath") == ["regex"]  # "'outputPath' MUST be provided"
    assert _ops("download_attachment", "savePath") == ["regex"]  # "defaults to current directory"
    assert _ops("write_file", "mode") == ["in"]  # its default, rewrite, is what the profile refuses


def test_an_action_is_held_absent_only_when_its_default_is_allowed() -> None:
    spec = {"type": "string", "enum": ["append", "rewrite"], "default": "append"}
    assert not keeps_condition("mode", spec, "action", ["append"], {"mode": spec, "path": {}}, "write_file", "")
    assert keeps_condition("mode", {**spec, "default": "rewrite"}, "action", ["append"], {"mode": spec, "path": {}},
                           "write_file", "")
    assert keeps_condition("mode", {"enum": ["append", "rewrite"]}, "action", ["append"], {"mode": spec, "path": {}},
                           "write_file", "")


def test_a_required_argument_keeps_its_condition() -> None:
    schema = {"type": "object", "required": ["url", "title"],
              "properties": {"url": {"type": "string"}, "title": {"type": "string"}}}
    assert [rule.condition.op for rule in argument_rules(schema, "recommended", "Fetch a page", "fetch")] == ["regex"]
