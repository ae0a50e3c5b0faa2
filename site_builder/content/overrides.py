"""A tool's own policy in a catalogue file (docs/catalogue-format.md): its override of its category's
default, with argument conditions, a counter cap and rate limits."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .frozen import Frozen

RateWindow = Literal["minute", "hour", "day"]
_RATE = re.compile(r"^([1-9][0-9]{0,8})/(minute|hour|day)$")
CONDITION_OPS = ("eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists")
_CONDITION = re.compile(r"^\s*(args\.[^\s]+)\s+(" + "|".join(CONDITION_OPS) + r")\s+(.+?)\s*$")


def parse_rate(value: str) -> tuple[int, str]:
    """`'30/minute'` -> `(30, 'minute')`; ValueError otherwise."""
    match = _RATE.match(value)
    if not match:
        raise ValueError("must look like N/minute, N/hour or N/day with N a positive whole number")
    return int(match.group(1)), match.group(2)


def _rate(value: str) -> str:
    parse_rate(value)
    return value


RateLimit = Annotated[str, AfterValidator(_rate)]


class ArgCondition(Frozen):
    """An argument condition a call must satisfy: `args.amount lte 50000`."""

    path: Annotated[str, StringConstraints(pattern=r"^args\.[^\s]+$")]
    op: Literal["eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists"]
    value: Any

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            match = _CONDITION.match(data)
            if not match:
                raise ValueError(
                    "write a condition as 'args.<field> <op> <value>', op one of " + ", ".join(CONDITION_OPS)
                )
            raw = match.group(3)
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
            return {"path": match.group(1), "op": match.group(2), "value": value}
        return data

    @model_validator(mode="after")
    def _value_fits_op(self) -> ArgCondition:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"'{self.op}' needs a list value")
        if self.op in ("lt", "lte", "gt", "gte") and (
            isinstance(self.value, bool) or not isinstance(self.value, (int, float))
        ):
            raise ValueError(f"'{self.op}' needs a number")
        if self.op == "exists" and not isinstance(self.value, bool):
            raise ValueError("'exists' needs true or false")
        if self.op == "regex":
            if not isinstance(self.value, str):
                raise ValueError("'regex' needs a string pattern")
            from .re2syntax import go_regexp_error  # Intercept's regexes are Go RE2, not Python's

            refused = go_regexp_error(self.value)
            if refused is not None:
                raise ValueError(f"regex is not valid for Intercept (Go RE2): {refused}")
        if isinstance(self.value, (dict,)):
            raise ValueError("condition values are scalars or lists of scalars")
        return self


class Cap(Frozen):
    """A counter cap: e.g. a daily spend cap summed from an argument."""

    counter: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    max: Annotated[int, Field(gt=0)]
    window: RateWindow = "day"
    increment_from: Annotated[str, StringConstraints(pattern=r"^args\.[^\s]+$")] | None = None


class PolicyOverride(Frozen):
    """A tool's own recommendation, replacing its category's default."""

    action: Literal["allow", "deny", "hide"] = "allow"
    rate_limit: RateLimit | None = None
    conditions: tuple[ArgCondition, ...] = ()
    cap: Cap | None = None
    on_deny: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    note: Annotated[str, StringConstraints(max_length=2_000)] | None = None

    @model_validator(mode="after")
    def _blocking_excludes_limits(self) -> PolicyOverride:
        if self.action != "allow" and (self.rate_limit or self.conditions or self.cap):
            raise ValueError(f"action '{self.action}' blocks the tool; drop rate_limit, conditions and cap")
        return self
