"""Stage 3a: what we recommend for each tool, independent of any policy format.

Category defaults per profile come from configuration (defaults/policies.yaml);
a tool's `policy:` key in the catalogue overrides them.  Every recommendation
carries one plain sentence saying what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..content.models import Category, Tool
from ..content.overrides import ArgCondition, Cap, PolicyOverride, parse_rate
from ..derive.assessment import Assessment, Effect
from .arguments import ArgumentRule, argument_rules
from .defaults import PROFILES, Action, CategoryDefault, PolicyDefaults, Profile, load_policy_defaults

__all__ = ["PROFILES", "PolicyDefaults", "Profile", "Recommendation", "load_policy_defaults", "recommend"]

WINDOW_WORDS = {"minute": "a minute", "hour": "an hour", "day": "a day"}


@dataclass(frozen=True)
class Recommendation:
    """One tool's rule in one profile, in format-neutral terms."""

    action: Action
    rate: tuple[int, str] | None
    conditions: tuple[ArgCondition, ...]  # a reviewer's conditions (one rule, the reviewer's message)
    cap: Cap | None
    on_deny: str
    gateway_block: Literal["deny_if", "hide"]
    summary: str
    from_override: bool
    custom_on_deny: bool = False  # the catalogue wrote the message: use it on every rule
    daily: tuple[int, str] | None = None  # a second rate limit beside `rate`
    arguments: tuple[ArgumentRule, ...] = ()  # conditions derived from the input schema, one rule each

    @property
    def all_conditions(self) -> tuple[ArgCondition, ...]:
        return self.conditions + tuple(rule.condition for rule in self.arguments)

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


_DENY_REASONS = {
    Category.FINANCIAL: "it moves money; a human approves it instead",
    Category.DESTRUCTIVE: "it deletes or overwrites; enable it deliberately",
}


def _summary(action: Action, rate: tuple[int, str] | None, conditions: tuple[ArgCondition, ...],
             cap: Cap | None, category: Category, assessment: Assessment | None = None,
             daily: tuple[int, str] | None = None, arguments: tuple[ArgumentRule, ...] = ()) -> str:
    if action == "omit":
        return "not listed: denied by the profile's default: deny."
    if action == "hide":
        return "hidden from the agent's tool list and blocked; enable it deliberately."
    if action == "deny":
        secrets = assessment is not None and Effect.REVEALS_SECRETS in assessment.effects
        reason = "it returns secrets; enable it deliberately" if secrets and category is Category.READ \
            else _DENY_REASONS.get(category, "enable it deliberately")
        return f"blocked; {reason}."
    parts = []
    derived = [rule.condition for rule in arguments]
    checks = [_condition_words(c) for c in conditions if c not in derived] + [rule.explanation for rule in arguments]
    if checks:
        parts.append("allowed only on these conditions: " + "; ".join(checks))
    if rate:
        parts.append(f"limited to {_limit_words(rate)}" + (f" and {_limit_words(daily)}" if daily else ""))
    if cap:
        source = cap.increment_from.removeprefix("args.") if cap.increment_from else "calls"
        parts.append(f"capped at {cap.max} {source} in total per {cap.window}")
    if not parts:
        return "allowed without limits." if category is Category.READ else "allowed without limits (a tool override)."
    if checks and len(parts) > 1:  # the conditions hold semicolons: the limits get a sentence of their own
        return f"{parts[0]}. It is {', '.join(parts[1:])}."
    text = ", ".join(parts)
    return (text if conditions or arguments else "allowed, " + text) + "."


def _positive_counted(override: PolicyOverride) -> tuple[ArgCondition, ...]:
    """A counter summed from an argument must only grow: the argument is held positive."""
    counted = override.cap.increment_from if override.cap else None
    if counted is None or any(c.path == counted and c.op in ("gt", "gte") for c in override.conditions):
        return override.conditions
    return (ArgCondition(path=counted, op="gt", value=0), *override.conditions)


def _from_override(override: PolicyOverride, tool: Tool, category: Category,
                   default: CategoryDefault, profile_name: str) -> Recommendation:
    rate = parse_rate(override.rate_limit) if override.rate_limit else None
    action: Action = override.action if override.action != "allow" else ("limit" if rate else "allow")
    if override.on_deny or not rate:
        message = override.on_deny or (default.on_deny or "{tool} is blocked by policy").format(tool=tool.name)
    else:  # a limit limits: the category's own message may say it blocks
        message = f"{tool.name} is limited to {_limit_words(rate)}"
    usable = action in ("allow", "limit")
    conditions = _positive_counted(override) if usable else ()
    reviewed = {condition.path for condition in conditions}
    arguments = tuple(rule for rule in argument_rules(tool.input_schema, profile_name, tool.description or "", tool.name)
                      if rule.condition.path not in reviewed) if usable else ()
    return Recommendation(action, rate, conditions, override.cap, message,
                          "hide" if action == "hide" else default.gateway,
                          _summary(action, rate, conditions, override.cap, category, arguments=arguments), True,
                          custom_on_deny=override.on_deny is not None, arguments=arguments)


def _default_for(assessment: Assessment, profile: Profile, profile_name: str) -> CategoryDefault:
    """The profile's entry for this tool: by category, and for reads by what is known of them."""
    category = assessment.category
    if category is not Category.READ or assessment.read_only_safe:
        return profile.categories[category]
    if profile_name == "strict":
        return CategoryDefault(action="omit")
    if Effect.REVEALS_SECRETS in assessment.effects:
        return profile.reveals_secrets
    return profile.unconfirmed_read


def recommend(tool: Tool, assessment: Assessment, profile: Profile, profile_name: str) -> Recommendation:
    """The rule for `tool` in `profile`, from its assessed category and effects."""
    category = assessment.category
    default = _default_for(assessment, profile, profile_name)
    if tool.policy is not None and (profile_name != "strict" or assessment.read_only_safe):
        return _from_override(tool.policy, tool, category, default, profile_name)
    rate = parse_rate(default.rate_limit) if default.rate_limit else None
    daily = parse_rate(default.daily_limit) if default.daily_limit and rate else None
    template = default.on_deny or ("{tool} is limited to " + _limit_words(rate) if rate else "{tool} is blocked by policy")
    usable = default.action in ("allow", "limit")
    arguments = argument_rules(tool.input_schema, profile_name, tool.description or "", tool.name) if usable else ()
    conditions = tuple(rule.condition for rule in arguments)
    return Recommendation(default.action, rate, (), None, template.format(tool=tool.name), default.gateway,
                          _summary(default.action, rate, conditions, None, category, assessment, daily, arguments),
                          False,
                          daily=daily, arguments=arguments)
