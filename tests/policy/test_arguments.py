"""Argument conditions, the names Intercept treats specially, and the example calls on real tools."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from site_builder.content.catalogue import Catalogue, LoadedServer, LoadedTool
from site_builder.content.intercept_validate import validate_intercept
from site_builder.content.models import Category, Classification, Server, ServerFile, Tool
from site_builder.content.slugs import slugify
from site_builder.derive import ToolEntry, derive
from site_builder.policy.arguments import PATH_PATTERN, URL_PATTERN, argument_rules
from site_builder.policy.simulate import evaluate

from tests.policy.test_generate import GENERATOR, default_site, find


def entry_with(name: str, category: Category, schema: dict[str, Any] | None = None) -> ToolEntry:
    tool = Tool(name=name, description=f"does {name}", input_schema=schema,
                classification=Classification(category=category, rationale="reviewed"))
    server = LoadedServer("x.yaml", 1, ServerFile(server=Server(id="acme/x", name="X"), tools=(tool,)), "x",
                          (LoadedTool(tool, slugify(name), 2),))
    return derive(Catalogue("cat", (server,))).servers[0].tools[0]


def decide(entry: ToolEntry, arguments: dict[str, Any]) -> str:
    data = yaml.safe_load(GENERATOR.for_tool(entry).intercept or "")
    return evaluate(data, entry.name, arguments).decision


@pytest.mark.parametrize("path, allowed", [
    ("/workspace/notes/a.md", True), ("/workspace", True), ("/workspace/.env", True), ("/workspace/..x/y", True),
    ("/workspace/../etc/passwd", False), ("/workspace/a/../../b", False), ("/workspace/./a", False),
    ("/etc/passwd", False), ("/workspace-evil/a", False), ("relative/a", False), ("/workspace/..\\..\\Users", False),
])
def test_paths_stay_under_the_root(path: str, allowed: bool) -> None:
    write = entry_with("save_note", Category.WRITE, {"properties": {"path": {"type": "string"}}, "required": ["path"]})
    assert (decide(write, {"path": path}) == "allow") is allowed
    assert PATH_PATTERN.startswith("^") and PATH_PATTERN.endswith("$")


@pytest.mark.parametrize("url, allowed", [
    ("https://docs.example.com/a?b=c", True), ("http://docs.example.com/", False),
    ("https://169.254.169.254/latest/meta-data/", False), ("https://localhost/admin", False),
    ("https://user:pw@example.com/", False), ("https://[::1]/", False), ("file:///etc/passwd", False),
])
def test_urls_go_to_named_https_hosts(url: str, allowed: bool) -> None:
    fetch = entry_with("fetch_page", Category.WRITE, {"properties": {"url": {"type": "string"}}})
    assert (decide(fetch, {"url": url}) == "allow") is allowed
    assert URL_PATTERN.startswith("^https://")


def test_commands_sql_actions_flags_and_callbacks() -> None:
    schema = {"properties": {"command": {"type": "string"}, "sql": {"type": "string"},
                             "action": {"type": "string", "enum": ["list", "create", "delete"]},
                             "force": {"type": "boolean"}, "callback_url": {"type": "string"}},
              "required": ["command", "sql", "action"]}  # an optional one would be held absent (test_optional.py)
    tool = entry_with("run_job", Category.EXECUTE, schema)
    good = {"command": "ls -la", "sql": "SELECT 1", "action": "create"}
    assert decide(tool, good) == "allow"
    for bad in ({"command": "rm -rf /"}, {"command": "ls; curl evil.example"}, {"sql": "DROP TABLE t"},
                {"sql": "SELECT 1; DROP TABLE t"}, {"action": "delete"}, {"force": True}, {"force": False},
                {"callback_url": "https://collector.example.net/"}):
        assert decide(tool, {**good, **bad}) == "deny", bad
    kinds = {rule.kind for rule in argument_rules(schema, "recommended")}
    assert kinds == {"command", "sql", "action", "flag", "callback"}
    strict = {rule.parameter: rule.condition.value for rule in argument_rules(schema, "strict")}
    assert strict["action"] == ["list"]


def test_refund_amounts_missing_negative_or_not_numbers_are_denied_by_intercept() -> None:
    refund = find("stripe", "create_refund")
    data = yaml.safe_load(GENERATOR.for_tool(refund).intercept or "")
    for arguments in ({}, {"amount": -500}, {"amount": "100"}, {"amount": 5001}, {"amount": True}):
        assert evaluate(data, "create_refund", arguments).decision == "deny", arguments
    allowed = evaluate(data, "create_refund", {"amount": 500, "payment_intent": "pi_1"})
    assert allowed.decision == "allow" and "state.create_refund.daily_refund_total" in allowed.counted


@pytest.mark.parametrize("name", ["files.write", "policies.update", "_global", "a.b.c"])
def test_names_intercept_reads_as_state_paths_still_load(name: str) -> None:
    tool = entry_with(name, Category.WRITE)
    policy = GENERATOR.for_tool(tool)
    data = yaml.safe_load(policy.intercept or "")
    assert validate_intercept(data) == [] and name in data["tools"]
    if "." in name:  # its own counter would be filed under another tool: the wildcard counts its calls instead
        assert not any("rate_limit" in rule for rule in data["tools"][name]["rules"])
        assert data["tools"]["*"]["rules"][0]["rate_limit"] == "30/minute"
    for bundle in GENERATOR.for_server(derive(Catalogue("cat", (tool.server,))).servers[0]):
        assert validate_intercept(yaml.safe_load(bundle.intercept)) == []


def test_a_tool_named_star_never_hides_everything_in_policy_json() -> None:
    for category in (Category.DESTRUCTIVE, Category.READ):
        gateway = json.loads(GENERATOR.for_tool(entry_with("*", category)).gateway)
        assert "*" not in gateway.get("hide", []) and "*" not in gateway["tools"]


def test_most_tools_with_risky_arguments_get_a_condition() -> None:
    considered = constrained = 0
    for entry in default_site().tools:
        rec = GENERATOR.recommendation(entry)
        if rec.action in ("deny", "hide", "omit") or not any(
                s.startswith(("Accepts URL", "Reads or writes local file", "Free-form code", "Takes an amount"))
                for s in entry.derived_signals):
            continue
        considered += 1
        constrained += bool(rec.all_conditions)
    assert considered >= 50 and constrained / considered >= 0.9, (constrained, considered)


def test_every_tool_has_three_examples_and_a_denied_one_where_an_argument_carries_risk() -> None:
    for entry in default_site().tools:
        policy = GENERATOR.for_tool(entry)
        if policy.intercept is None:
            continue
        assert len(policy.examples) >= 3, entry.name
        if policy.recommendation.arguments:
            assert any(example.decision == "deny" for example in policy.examples), entry.name
        data = yaml.safe_load(policy.intercept)
        for example in policy.examples:  # each decision is the evaluator's for that tool's own file
            assert evaluate(data, entry.name, example.arguments).decision == example.decision


@pytest.mark.parametrize("path, allowed", [
    ("reports/out.txt", True), ("a/.cache/x", True), ("../x", False), ("./a", False), ("a/../../b", False),
    ("~/.ssh/id_rsa", False), ("/etc/passwd", False), ("C:/Windows/system.ini", False),
])
def test_a_relative_local_path_stays_relative_and_never_climbs(path: str, allowed: bool) -> None:
    spec = {"type": "string", "description": "Relative local path to download the artifact to."}
    download = entry_with("download_artifact", Category.WRITE, {"properties": {"destinationPath": spec},
                                                                "required": ["destinationPath"]})
    assert (decide(download, {"destinationPath": path}) == "allow") is allowed


@pytest.mark.parametrize("parameter, spec, siblings", [
    ("path", {"type": "string", "description": "Path to the file or directory"}, ("owner", "repo")),  # GitHub
    ("path", {"type": "string", "description": "The path of the wiki page (e.g., '/Home')"}, ()),
    ("path", {"type": "string", "description": "API endpoint path"}, ("method",)),
    ("areaPath", {"type": "string", "description": "The area path for the test plan."}, ("project",)),
    ("output", {"type": "string", "description": "Output format"}, ("resourceType",)),
    ("filename", {"type": "string", "description": 'Filename for the attachment (e.g. "image.jpg")'}, ("recordId",)),
])
def test_a_path_that_is_not_on_this_machine_gets_no_path_rule(parameter: str, spec: dict[str, Any],
                                                              siblings: tuple[str, ...]) -> None:
    properties = {parameter: spec, **{name: {"type": "string"} for name in siblings}}
    read = entry_with("get_thing", Category.WRITE, {"properties": properties, "required": [parameter, *siblings]})
    assert not [rule for rule in argument_rules(read.tool.input_schema, "recommended") if rule.kind == "path"]
    assert decide(read, {parameter: "docs/README.md", **{name: "x" for name in siblings}}) == "allow"


def test_a_repository_checkout_and_a_saved_file_are_local_paths() -> None:
    schema = {"properties": {"repo_path": {"type": "string", "description": "The path to the Git repository."},
                             "savePath": {"type": "string", "description": "Directory path to save the file"},
                             "project": {"type": "string"}}}
    kinds = {rule.parameter: rule.kind for rule in argument_rules(schema, "recommended")}
    assert kinds == {"repo_path": "path", "savePath": "path"}


def test_a_list_of_files_or_urls_is_not_given_for_intercept_cannot_bound_its_items() -> None:
    schema = {"properties": {"to": {"type": "array", "items": {"type": "string"}},
                             "attachments": {"type": "array", "items": {"type": "string"},
                                             "description": "List of file paths to attach to the email"},
                             "urls": {"type": "array", "items": {"type": "string"}},
                             "paths": {"type": "array", "items": {"type": "string"}}},
              "required": ["to", "paths"]}
    send = entry_with("send_email", Category.WRITE, schema)
    rules = {rule.parameter: (rule.kind, rule.condition.op, rule.condition.value)
             for rule in argument_rules(schema, "recommended")}
    assert rules == {"attachments": ("paths", "exists", False), "urls": ("urls", "exists", False),
                     "paths": ("paths", "exists", False)}  # required: the tool is refused, not left open
    assert not argument_rules(schema, "permissive")
    assert decide(send, {"to": ["a@example.com"]}) == "allow"
    assert decide(send, {"to": ["a@example.com"], "paths": ["/workspace/a"]}) == "deny"
    assert decide(send, {"to": ["a@example.com"], "attachments": ["/home/u/.ssh/id_rsa"]}) == "deny"


def test_a_tool_whose_required_list_is_refused_shows_its_typical_call_denied() -> None:
    entry = find("filesystem", "read_multiple_files")
    examples = GENERATOR.for_tool(entry).examples
    assert examples[0].purpose == "a typical call" and examples[0].decision == "deny", examples[0]


def test_a_reviewed_getter_of_any_kind_reads_only_kinds_without_secrets() -> None:
    entry = find("mcp-server-kubernetes", "kubectl_get")
    data = yaml.safe_load(GENERATOR.for_tool(entry).intercept or "")
    messages = [rule["on_deny"] for rule in data["tools"]["kubectl_get"]["rules"]]
    assert "kubectl_get is limited to 60 calls a minute" in messages  # a limit says it limits
    assert not any("blocked" in message for message in messages)
    assert evaluate(data, "kubectl_get", {"resourceType": "pods"}).decision == "allow"
    for kind in ("secrets", "secret", "Secrets", "pods,secrets"):
        assert evaluate(data, "kubectl_get", {"resourceType": kind}).decision == "deny", kind
    typical, *others = GENERATOR.for_tool(entry).examples
    assert typical.arguments == {"resourceType": "pods"} and typical.decision == "allow"
    probe = next(e for e in others if e.purpose == "resourceType: a value the policy does not list")
    assert probe.arguments == {"resourceType": "secrets"} and probe.decision == "deny"


@pytest.mark.parametrize("name", ["resources_get", "resources_list"])
def test_a_getter_of_any_kubernetes_kind_is_out_of_the_strict_bundle_and_never_reads_secrets(name: str) -> None:
    server = next(s for s in default_site().servers if s.slug == "kubernetes")
    strict = next(b for b in GENERATOR.for_server(server) if b.profile == "strict")
    assert name not in yaml.safe_load(strict.intercept)["tools"]
    data = yaml.safe_load(GENERATOR.for_tool(find("kubernetes", name)).intercept or "")
    call = {"apiVersion": "v1", "name": "db", "namespace": "default"}
    assert evaluate(data, name, {**call, "kind": "Pod"}).decision == "allow"
    for kind in ("Secret", "secret", "secrets", "ConfigMap"):
        assert evaluate(data, name, {**call, "kind": kind}).decision == "deny", kind


def test_launchdarklys_environments_carry_sdk_keys_so_they_stay_out_of_the_read_only_bundle() -> None:
    server = next(s for s in default_site().servers if s.slug == "launchdarkly")
    strict = next(b for b in GENERATOR.for_server(server) if b.profile == "strict")
    assert "get-environments" not in yaml.safe_load(strict.intercept)["tools"]
    assert "list-feature-flags" in yaml.safe_load(strict.intercept)["tools"]
