"""Stage 3b: Intercept YAML (policy `version: "1"`) from recommendations.

A policy is first built as data (:class:`InterceptPolicy`), then laid out as
commented YAML text by :func:`render`.  `as_data()` is what the text must
parse back to; the tests and the build hold the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from ..content.models import Category
from .recommend import Recommendation
from .yamltext import comment, quote, scalar

WILDCARD = "*"
GLOBAL_SCOPE = "_global"
PERIOD_WORDS = {"minute": "per-minute", "hour": "hourly", "day": "daily"}


@dataclass(frozen=True)
class Rule:
    name: str
    action: str = "evaluate"
    rate_limit: str | None = None
    conditions: tuple[tuple[str, str, Any], ...] = ()
    on_deny: str | None = None
    state: tuple[tuple[str, Any], ...] = ()  # ordered (key, value) pairs

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.action != "evaluate":
            data["action"] = self.action
        if self.rate_limit:
            data["rate_limit"] = self.rate_limit
        if self.conditions:
            data["conditions"] = [{"path": p, "op": o, "value": v} for p, o, v in self.conditions]
        if self.on_deny:
            data["on_deny"] = self.on_deny
        if self.state:
            data["state"] = dict(self.state)
        return data


@dataclass(frozen=True)
class ToolRules:
    name: str
    rules: tuple[Rule, ...]
    note: str = ""  # one comment line above the entry


@dataclass(frozen=True)
class Section:
    title: str
    tools: tuple[ToolRules, ...]
    notes: tuple[str, ...] = ()  # comment lines (tools that cannot be listed, omitted tools)


@dataclass(frozen=True)
class InterceptPolicy:
    description: str
    default: str
    sections: tuple[Section, ...]
    hide: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    global_limit: str | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": "1", "description": self.description, "default": self.default}
        if self.hide:
            data["hide"] = list(self.hide)
        tools: dict[str, Any] = {}
        for section in self.sections:
            for entry in section.tools:
                tools[entry.name] = {"rules": [rule.as_data() for rule in entry.rules]}
        if self.global_limit:
            tools[WILDCARD] = {"rules": [_global_rule(self.global_limit).as_data()]}
        data["tools"] = tools
        return data


def _global_rule(limit: str) -> Rule:
    return Rule(name="global rate limit", rate_limit=limit, on_deny=f"this server is limited to {limit.replace('/', ' calls per ')}")


def counters_allowed(name: str) -> bool:
    """Intercept files a tool's counters under `state.<tool>.<counter>`, split on the first dots; `_global` is
    the wildcard's scope.  A tool named with a dot, or `_global`, cannot own a rate limit or a counter."""
    return "." not in name and name != GLOBAL_SCOPE


def tool_rules(name: str, rec: Recommendation) -> tuple[Rule, ...]:
    """The Intercept rules for one listed tool ([] = allowed)."""
    if rec.action == "deny":
        return (Rule(name=f"block {name}", action="deny", on_deny=rec.on_deny),)
    if rec.cap and not counters_allowed(name):  # fail closed: the cap cannot be kept under this name
        return (Rule(name=f"block {name}", action="deny",
                     on_deny=f"{name} needs a counter Intercept cannot keep under this name; it is blocked"),)
    rules: list[Rule] = [Rule(name=f"{name}: {rule.parameter} ({rule.kind}{', ' + rule.check if rule.check else ''})", conditions=(
        (rule.condition.path, rule.condition.op, rule.condition.value),),
        on_deny=rec.message(f"{name} refused: {rule.explanation}")) for rule in rec.arguments]
    if rec.rate and counters_allowed(name):
        count, window = rec.rate
        rules.append(Rule(name=f"{name} rate limit", rate_limit=f"{count}/{window}", on_deny=rec.on_deny))
        if rec.daily and rec.daily[1] != window:
            rules.append(Rule(name=f"{name} daily limit", rate_limit=f"{rec.daily[0]}/{rec.daily[1]}",
                              on_deny=rec.message(f"{name} is limited to {rec.daily[0]} calls a day")))
    if rec.conditions:
        rules.append(Rule(name=f"{name} argument check",
                          conditions=tuple((c.path, c.op, c.value) for c in rec.conditions),
                          on_deny=rec.message(f"{name} was called with arguments outside the policy")))
    if rec.cap and counters_allowed(name):
        cap = rec.cap
        state: list[tuple[str, Any]] = [("counter", cap.counter), ("window", cap.window)]
        if cap.increment_from:
            state.append(("increment_from", cap.increment_from))
        rules.append(Rule(name=f"{name} {PERIOD_WORDS[cap.window]} cap",
                          conditions=((f"state.{name}.{cap.counter}", "lte", cap.max),),
                          on_deny=rec.message(f"{name} reached its {PERIOD_WORDS[cap.window]} cap of {cap.max}"),
                          state=tuple(state)))
    return tuple(rules)


def expressible(name: str) -> bool:
    """A tool literally named '*' cannot have its own entry: the key is the wildcard."""
    return name != WILDCARD


@dataclass(frozen=True)
class Listed:
    """A tool as it enters a policy: its name, category, description and rule."""

    name: str
    category: Category
    description: str | None
    recommendation: Recommendation


def build_policy(description: str, listed: Iterable[Listed], global_limit: str | None,
                 header: tuple[str, ...] = (), group: bool = True) -> InterceptPolicy:
    """A `default: deny` policy listing `listed`, grouped by category."""
    by_category: dict[Category, list[ToolRules]] = {}
    notes: dict[Category, list[str]] = {}
    hide: list[str] = []
    items = list(listed)
    for item in items:
        rec = item.recommendation
        counted = rec.action == "limit" or rec.cap is not None
        if item.name == GLOBAL_SCOPE and global_limit and rec.action != "deny":
            notes.setdefault(item.category, []).append(
                "a tool named '_global' cannot be listed beside the limit on '*': Intercept keeps the wildcard's "
                "counters under that name; default: deny blocks it")
            continue
        if item.name == GLOBAL_SCOPE and counted:  # its own counters would be the wildcard's: fail closed
            rec = replace(rec, action="deny", on_deny="_global cannot be counted under this name; it is blocked")
        if "." in item.name and counted and rec.action != "deny":
            if global_limit is None and len(items) == 1 and rec.rate:
                global_limit = f"{rec.rate[0]}/{rec.rate[1]}"  # the only tool allowed: the wildcard counts its calls
            notes.setdefault(item.category, []).append(
                f"{comment(item.name, 60)}: its name has a dot, so Intercept cannot count its calls on their own; "
                "the limit on '*' counts them")
        if not expressible(item.name):
            notes.setdefault(item.category, []).append(
                "a tool named '*' cannot be listed: Intercept reads '*' as the wildcard; default: deny blocks it")
            continue
        if rec.action == "omit":
            notes.setdefault(item.category, []).append(f"not listed (denied by default): {comment(item.name, 80)}")
            continue
        if rec.action == "hide":
            hide.append(item.name)
            continue
        note = f"{comment(item.name, 60)}: {comment(item.description, 100)}" if item.description else comment(item.name, 60)
        by_category.setdefault(item.category, []).append(ToolRules(item.name, tool_rules(item.name, rec), note))
    sections = tuple(
        Section(f"{category.label} tools" if group else "", tuple(by_category.get(category, ())), tuple(notes.get(category, ())))
        for category in Category if category in by_category or category in notes
    )
    return InterceptPolicy(description, "deny", sections, tuple(hide), header, global_limit)


# ---------------------------------------------------------------- text layout

def _rule_lines(rule: Rule) -> list[str]:
    lines = [f"      - name: {quote(rule.name)}"]
    if rule.action != "evaluate":
        lines.append(f"        action: {quote(rule.action)}")
    if rule.rate_limit:
        lines.append(f"        rate_limit: {quote(rule.rate_limit)}")
    if rule.conditions:
        lines.append("        conditions:")
        for path, op, value in rule.conditions:
            lines += [f"          - path: {quote(path)}", f"            op: {quote(op)}", f"            value: {scalar(value)}"]
    if rule.on_deny:
        lines.append(f"        on_deny: {quote(rule.on_deny)}")
    if rule.state:
        lines.append("        state:")
        lines += [f"          {key}: {scalar(value)}" for key, value in rule.state]
    return lines


def _tool_lines(entry: ToolRules) -> list[str]:
    lines = [f"  # {entry.note}"] if entry.note else []
    lines.append(f"  {quote(entry.name)}:")
    if not entry.rules:
        return lines + ["    rules: []"]
    lines.append("    rules:")
    for rule in entry.rules:
        lines += _rule_lines(rule)
    return lines


def render(policy: InterceptPolicy) -> str:
    """The policy as commented YAML text."""
    lines = [f"# {comment(line, 200)}" for line in policy.header]
    lines += ['version: "1"', f"description: {quote(policy.description)}", f"default: {quote(policy.default)}"]
    if policy.hide:
        lines.append("# hidden from the agent's tool list and denied on call")
        lines.append("hide:")
        lines += [f"  - {quote(name)}" for name in policy.hide]
    lines.append("tools:")
    for section in policy.sections:
        if section.title:
            lines.append(f"  # ── {section.title} ──")
        lines += [f"  # {note}" for note in section.notes]
        for entry in section.tools:
            lines += _tool_lines(entry)
    if policy.global_limit:
        lines.append("  # every call, after the tool's own rules")
        lines += _tool_lines(ToolRules(WILDCARD, (_global_rule(policy.global_limit),)))
    if not any(section.tools for section in policy.sections) and not policy.global_limit:
        lines[-1] = "tools: {}"
    return "\n".join(lines) + "\n"
