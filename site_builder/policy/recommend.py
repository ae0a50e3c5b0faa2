"""Stage 3a: what we recommend for each tool, independent of any policy format.

Category defaults per profile come from configuration (defaults/policies.yaml);
a tool's `policy:` key in the catalogue overrides them.  Every recommendation
carries one plain sentence saying what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import Problem, UserError, display_path
from ..models import Cap, ArgCondition, Category, PolicyOverride, RateLimit, Tool, parse_rate

Action = Literal["allow", "limit", "deny", "hide", "omit"]
PROFILES = ("recommended", "strict", "permissive")
WINDOW_WORDS = {"minute": "a minute", "hour": "an hour", "day": "a day"}


class CategoryDefault(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    rate_limit: RateLimit | None = None
    gateway: Literal["deny_if", "hide"] = "deny_if"
    on_deny: str | None = None

    @field_validator("on_deny")
    @classmethod
    def _only_tool_placeholder(cls, value: str | None) -> str | None:
        if value is not None:
            value.format(tool="x")  # raises on any placeholder but {tool}
        return value


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    summary: str
    global_limit: RateLimit
    categories: dict[Category, CategoryDefault]

    @field_validator("categories")
    @classmethod
    def _every_category(cls, value: dict[Category, CategoryDefault]) -> dict[Category, CategoryDefault]:
        missing = [c.value for c in Category if c not in value]
        if missing:
            raise ValueError("missing categories: " + ", ".join(missing))
        for category, default in value.items():
            if (default.action == "limit") != (default.rate_limit is not None):
                raise ValueError(f"{category.value}: action 'limit' goes with a rate_limit, and only it")
        return value


class PolicyDefaults(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    profiles: dict[Literal["recommended", "strict", "permissive"], Profile]


def load_policy_defaults(path: Path | None = None) -> PolicyDefaults:
    """The packaged defaults, or a site's own file."""
    if path is None:
        text = resources.files("site_builder").joinpath("defaults/policies.yaml").read_text(encoding="utf-8")
        file = "site_builder/defaults/policies.yaml"
    else:
        file = display_path(path)
        text = path.read_text(encoding="utf-8")
    try:
        return PolicyDefaults.model_validate(yaml.safe_load(text))
    except (ValidationError, ValueError, KeyError, IndexError) as exc:
        raise UserError([Problem(file, 0, "", f"invalid policy defaults: {exc}")]) from None


@dataclass(frozen=True)
class Recommendation:
    """One tool's rule in one profile, in format-neutral terms."""

    action: Action
    rate: tuple[int, str] | None
    conditions: tuple[ArgCondition, ...]
    cap: Cap | None
    on_deny: str
    gateway_block: Literal["deny_if", "hide"]
    summary: str
    from_override: bool
    custom_on_deny: bool = False  # the catalogue wrote the message: use it on every rule

    def message(self, generic: str) -> str:
        """The on_deny text for a rule: the curated message if any, else `generic`."""
        return self.on_deny if self.custom_on_deny else generic


def _limit_words(rate: tuple[int, str]) -> str:
    count, window = rate
    return f"{count} call{'s' if count != 1 else ''} {WINDOW_WORDS[window]}"


def _condition_words(condition: ArgCondition) -> str:
    field = condition.path.removeprefix("args.")
    symbols = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "neq": "≠"}
    if condition.op in symbols:
        return f"{field} {symbols[condition.op]} {condition.value}"
    if condition.op in ("in", "not_in"):
        return f"{field} {'in' if condition.op == 'in' else 'not in'} {', '.join(map(str, condition.value))}"
    if condition.op == "exists":
        return f"{field} {'is given' if condition.value else 'is absent'}"
    return f"{field} {'matches' if condition.op == 'regex' else 'contains'} {condition.value}"


def _summary(action: Action, rate: tuple[int, str] | None, conditions: tuple[ArgCondition, ...],
             cap: Cap | None, category: Category) -> str:
    if action == "omit":
        return "not listed: denied by the profile's default: deny."
    if action == "hide":
        return "hidden from the agent's tool list and blocked; enable it deliberately."
    if action == "deny":
        reason = "it moves money; a human approves it instead" if category is Category.FINANCIAL else "enable it deliberately"
        return f"blocked; {reason}."
    parts = []
    if conditions:
        parts.append("allowed only when " + " and ".join(_condition_words(c) for c in conditions))
    if rate:
        parts.append(f"capped at {_limit_words(rate)}")
    if cap:
        source = cap.increment_from.removeprefix("args.") if cap.increment_from else "calls"
        parts.append(f"with a total of {cap.max} {source} per {cap.window}")
    if not parts:
        return "allowed without limits." if category is Category.READ else "allowed without limits (a tool override)."
    return "stays usable, " + ", ".join(parts) + "."


def _from_override(override: PolicyOverride, tool: Tool, default: CategoryDefault) -> Recommendation:
    rate = parse_rate(override.rate_limit) if override.rate_limit else None
    action: Action = override.action if override.action != "allow" else ("limit" if rate else "allow")
    message = override.on_deny or (default.on_deny or "{tool} is blocked by policy").format(tool=tool.name)
    category = tool.classification.category
    return Recommendation(action, rate, override.conditions, override.cap, message,
                          "hide" if action == "hide" else default.gateway,
                          _summary(action, rate, override.conditions, override.cap, category), True,
                          custom_on_deny=override.on_deny is not None)


def recommend(tool: Tool, profile: Profile, profile_name: str) -> Recommendation:
    """The rule for `tool` in `profile`."""
    category = tool.classification.category
    default = profile.categories[category]
    if tool.policy is not None and (profile_name != "strict" or category is Category.READ):
        return _from_override(tool.policy, tool, default)
    rate = parse_rate(default.rate_limit) if default.rate_limit else None
    template = default.on_deny or ("{tool} is limited to " + _limit_words(rate) if rate else "{tool} is blocked by policy")
    return Recommendation(default.action, rate, (), None, template.format(tool=tool.name), default.gateway,
                          _summary(default.action, rate, (), None, category), False)
