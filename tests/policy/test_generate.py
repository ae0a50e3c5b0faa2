from __future__ import annotations

import json
from functools import lru_cache

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.content.catalogue import Catalogue, LoadedServer, LoadedTool, load_catalogue
from site_builder.content.intercept_validate import validate_intercept
from site_builder.content.models import Category, Classification, Server, ServerFile, Tool
from site_builder.content.slugs import slugify
from site_builder.derive import SiteData, ToolEntry, derive
from site_builder.policy.gateway import GatewayPolicy
from site_builder.policy.generate import PolicyGenerator
from site_builder.policy.intercept import Listed, build_policy, render
from site_builder.policy.recommend import load_policy_defaults

from tests.helpers import DEFAULT_CATALOGUE, check_golden

GENERATOR = PolicyGenerator(load_policy_defaults())


@lru_cache(maxsize=1)
def default_site() -> SiteData:
    return derive(load_catalogue(DEFAULT_CATALOGUE))


def find(server: str, name: str) -> ToolEntry:
    return next(t for s in default_site().servers if s.slug == server for t in s.tools if t.name == name)


def assert_valid_intercept(text: str, names: set[str]) -> None:
    data = yaml.safe_load(text)
    assert validate_intercept(data) == []
    assert data["version"] == "1" and data["default"] == "deny"
    assert set(data["tools"]) - {"*"} | set(data.get("hide", [])) <= names


def test_every_policy_of_the_default_site_is_valid_and_round_trips() -> None:
    for server in default_site().servers:
        names = {t.name for t in server.tools}
        for bundle in GENERATOR.for_server(server):
            assert_valid_intercept(bundle.intercept, names)
            gateway = GatewayPolicy.model_validate(json.loads(bundle.gateway))
            assert set(gateway.tools) | set(gateway.hide or []) <= names
        for entry in server.tools:
            policy = GENERATOR.for_tool(entry)
            assert policy.intercept is not None
            assert_valid_intercept(policy.intercept, {entry.name})
            GatewayPolicy.model_validate(json.loads(policy.gateway))


def test_bundles_made_from_the_tools_recommendations_are_the_same() -> None:
    for server in default_site().servers:
        recommended = [GENERATOR.for_tool(entry).recommendation for entry in server.tools]
        assert GENERATOR.for_server(server, recommended) == GENERATOR.for_server(server)


def test_bundles_list_every_tool_in_recommended_and_permissive() -> None:
    server = next(s for s in default_site().servers if s.slug == "stripe")
    recommended, strict, permissive = GENERATOR.for_server(server)
    for bundle in (recommended, permissive):
        data = yaml.safe_load(bundle.intercept)
        assert set(data["tools"]) | set(data.get("hide", [])) == {t.name for t in server.tools} | {"*"}
    strict_tools = set(yaml.safe_load(strict.intercept)["tools"]) - {"*"}
    assert strict_tools == {t.name for t in server.tools if t.assessment.read_only_safe}
    assert yaml.safe_load(permissive.intercept)["tools"]["*"]["rules"][0]["rate_limit"] == "120/minute"


def test_golden_policies() -> None:
    check_golden("policies/fal-upload_file.intercept.yaml", GENERATOR.for_tool(find("fal-mcp-server", "upload_file")).intercept or "")
    check_golden("policies/fal-upload_file.policy.json", GENERATOR.for_tool(find("fal-mcp-server", "upload_file")).gateway)
    refund = GENERATOR.for_tool(find("stripe", "create_refund"))
    check_golden("policies/stripe-create_refund.intercept.yaml", refund.intercept or "")
    check_golden("policies/stripe-create_refund.policy.json", refund.gateway)
    memory = next(s for s in default_site().servers if s.slug == "memory")
    for bundle in GENERATOR.for_server(memory):
        check_golden(f"policies/memory-{bundle.profile}.intercept.yaml", bundle.intercept)
        check_golden(f"policies/memory-{bundle.profile}.policy.json", bundle.gateway)


def test_refund_cap_is_safe_in_both_formats() -> None:
    refund = GENERATOR.for_tool(find("stripe", "create_refund"))
    rules = yaml.safe_load(refund.intercept or "")["tools"]["create_refund"]["rules"]
    assert rules[1]["state"] == {"counter": "daily_refund_total", "window": "day", "increment_from": "args.amount"}
    assert rules[1]["conditions"] == [{"path": "state.create_refund.daily_refund_total", "op": "lte", "value": 20000}]
    assert rules[0]["conditions"] == [{"path": "args.amount", "op": "gt", "value": 0},  # a negative amount would
                                      {"path": "args.amount", "op": "lte", "value": 5000}]  # lower the counter
    # policy.json cannot stop a missing or non-numeric amount with `deny_if amount gt 5000`: it fails closed
    gateway = json.loads(refund.gateway)["tools"]["create_refund"]
    assert gateway["deny_if"][0]["conditions"] == [] and "limits" not in gateway
    assert any("fail closed" in note for note in refund.gateway_notes)
    assert refund.recommendation.summary == ("allowed only on these conditions: amount > 0; amount ≤ 5000. "
                                             "It is capped at 20000 amount in total per day.")


# ------------------------------------------------------------------ arbitrary names

def synthetic_entry(name: str, category: Category) -> ToolEntry:
    tool = Tool(name=name, description=f"does {name}", classification=Classification(category=category, rationale="r"))
    server = LoadedServer("x.yaml", 1, ServerFile(server=Server(id="acme/x", name="X"), tools=(tool,)), "x",
                          (LoadedTool(tool, slugify(name), 2),))
    return derive(Catalogue("cat", (server,))).servers[0].tools[0]


NASTY = st.sampled_from([":", "#", '"', "'", "&", "!", "*", "-", "?", " ", "\t", "\n", "\r", "\\", "{", "}", "[", "]",
                         "%", "@", "`", "|", ">", "\u2028", "\u0085", "\ufeff", "\u202e", "é", "中", "😀", "\x1b", "\x7f"])
NAMES = st.one_of(
    st.text(min_size=1, max_size=128).filter(lambda s: "\x00" not in s and not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
    st.lists(NASTY, min_size=1, max_size=20).map("".join),
    st.sampled_from(["*", "yes", "no", "null", "~", "1.0", "0x10", "- a", "? b", "a: b", "#c", "&anchor", "!tag", "*alias",
                     "x" * 128, "Image-to-Video", "policies.update", "a b", ".."]),
)


@settings(max_examples=300, deadline=None)
@given(NAMES, st.sampled_from(list(Category)))
def test_any_tool_name_round_trips_in_both_formats(name: str, category: Category) -> None:
    entry = synthetic_entry(name, category)
    policy = GENERATOR.for_tool(entry)
    gateway = json.loads(policy.gateway)
    if name == "*":  # '*' means every tool in both formats: never listed, never hidden (that would hide all)
        assert policy.intercept is None and "*" not in gateway["tools"] and "*" not in gateway.get("hide", [])
        return
    assert name in gateway["tools"] or name in gateway.get("hide", [])
    assert policy.intercept is not None
    data = yaml.safe_load(policy.intercept)
    assert validate_intercept(data) == []
    listed = [Listed(name, entry.category, entry.tool.description, policy.recommendation)]
    built = build_policy(f"Recommended policy for {name} (acme/x)", listed, None, group=False)
    assert data == built.as_data() and render(built) == policy.intercept  # the text is exactly the data
    assert name in data["tools"] or name in data.get("hide", [])
    server = entry.server
    server_entry = derive(Catalogue("cat", (server,))).servers[0]
    for bundle in GENERATOR.for_server(server_entry):
        bundle_data = yaml.safe_load(bundle.intercept)
        assert validate_intercept(bundle_data) == []


def test_a_tool_named_star_is_left_out_with_a_note_and_a_finding() -> None:
    entry = synthetic_entry("*", Category.WRITE)
    assert any(f.code == "wildcard-name" for f in entry.findings)
    [recommended, *_] = GENERATOR.for_server(derive(Catalogue("cat", (entry.server,))).servers[0])
    assert "a tool named '*' cannot be listed" in recommended.intercept
    assert yaml.safe_load(recommended.intercept)["tools"]["*"]["rules"][0]["name"] == "global rate limit"
