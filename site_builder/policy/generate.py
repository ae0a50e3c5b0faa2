"""Stage 3: every policy file of the site, per tool and per server profile.

Every Intercept policy's data is run through our validator before its text
leaves this module (the property tests hold the text to the data); every
policy.json is built through the gateway model.  A failure here is a bug of
ours and stops the build (PolicyError).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from ..content.intercept_validate import validate_intercept
from ..content.yaml_document import format_path
from ..derive import ServerEntry, ToolEntry
from ..errors import PolicyError, Problem
from .examples import Example, Reviewed, examples_for
from .gateway import GatewayEntry, build_gateway, gateway_entry, render_gateway
from .intercept import InterceptPolicy, Listed, build_policy, expressible, render
from .recommend import PROFILES, PolicyDefaults, Recommendation, recommend

@dataclass(frozen=True)
class ToolPolicy:
    recommendation: Recommendation
    intercept: str | None  # None: the name cannot be expressed in Intercept
    gateway: str
    gateway_notes: tuple[str, ...]
    examples: tuple[Example, ...] = ()  # calls with what the Intercept policy decides for each


@dataclass(frozen=True)
class Bundle:
    profile: str
    title: str
    summary: str
    intercept: str
    gateway: str


def checked_intercept(policy: InterceptPolicy, where: str) -> str:
    """Render one Intercept policy whose data passes our Intercept validator; raise on any fault.

    That the text parses back to exactly that data is held by the property tests
    (tests/policy/test_generate.py: any tool name, every category), not checked per file."""
    text = render(policy)
    errors = validate_intercept(policy.as_data())
    if errors:
        raise PolicyError([Problem(where, 0, format_path(path), message) for path, message in errors])
    return text


def checked_gateway(entries: list[tuple[str, GatewayEntry]]) -> str:
    text = render_gateway(build_gateway(entries))
    json.loads(text)  # always valid JSON; kept as a cheap guard
    return text


class PolicyGenerator:
    """Builds the policy files of tools and servers from configured defaults."""

    def __init__(self, defaults: PolicyDefaults) -> None:
        self.defaults = defaults

    def recommendation(self, entry: ToolEntry, profile: str = "recommended") -> Recommendation:
        return recommend(entry.tool, entry.assessment, self.defaults.profiles[profile], profile)  # type: ignore[index]

    def for_tool(self, entry: ToolEntry) -> ToolPolicy:
        rec = self.recommendation(entry)
        where = f"{entry.server.file} tool {entry.name!r}"
        intercept: str | None = None
        examples: tuple[Example, ...] = ()
        if expressible(entry.name):
            policy = build_policy(f"Recommended policy for {entry.name} ({entry.server.data.server.id})",
                                  [Listed(entry.name, entry.category, entry.tool.description, rec)], None, group=False)
            intercept = checked_intercept(policy, where)
            examples = examples_for(policy.as_data(), entry.name, entry.tool.input_schema, rec.arguments,
                                    entry.tool.description or "", Reviewed.of(rec.conditions))
        gateway = gateway_entry(entry.name, rec)
        return ToolPolicy(rec, intercept, checked_gateway([(entry.name, gateway)]), gateway.notes, examples)

    def for_server(self, server: ServerEntry, recommended: Sequence[Recommendation] = ()) -> list[Bundle]:
        """The server's bundles, one per profile; `recommended`: its tools' recommendations in the
        recommended profile (their ToolPolicy's), when made already."""
        bundles = []
        for name in PROFILES:
            profile = self.defaults.profiles[name]  # type: ignore[index]
            recommendations = recommended if name == "recommended" and recommended else [
                recommend(t.tool, t.assessment, profile, name) for t in server.tools]
            listed = [Listed(t.name, t.category, t.tool.description, rec)
                      for t, rec in zip(server.tools, recommendations, strict=True)]
            meta = server.loaded.data.server
            header = (f"{profile.title} Intercept policy for {meta.name} ({meta.id})",
                      profile.summary,
                      f"{server.counts.tools} tools; default: deny, so a tool that is not listed is blocked.")
            policy = build_policy(f"{profile.title} policy for {meta.id}", listed, profile.global_limit, header)
            intercept = checked_intercept(policy, f"{server.loaded.file} profile {name}")
            gateway = checked_gateway([(item.name, gateway_entry(item.name, item.recommendation)) for item in listed])
            bundles.append(Bundle(name, profile.title, profile.summary, intercept, gateway))
        return bundles
