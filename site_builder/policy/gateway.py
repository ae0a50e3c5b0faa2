"""Stage 3c: the hosted gateway's `policy.json`, as a pydantic model of its format.

Only the shape seen on the gateway's published pages is used (no public
schema exists): `limits` (counter, window, max, scope "grant"), `deny_if`
(conditions, on_deny) and `hide`.  What that shape cannot say is written the
safe way round and noted: an argument bound becomes a `deny_if` on the
opposite condition; an amount cap becomes a call-count cap that can never
allow more than the amount cap would; anything else fails closed (denied).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import Annotated

from .recommend import Recommendation

Window = Literal["minute", "hour", "day"]
NEGATION = {"eq": "neq", "neq": "eq", "in": "not_in", "not_in": "in", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GatewayCondition(_Strict):
    path: Annotated[str, StringConstraints(pattern=r"^args\.\S+$")]
    op: Literal["eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists"]
    value: Any


class GatewayLimit(_Strict):
    counter: Annotated[str, StringConstraints(min_length=1)]
    window: Window
    max: Annotated[int, Field(gt=0)]
    scope: Literal["grant"] = "grant"


class GatewayDeny(_Strict):
    conditions: list[GatewayCondition] = []
    on_deny: Annotated[str, StringConstraints(min_length=1)]


class GatewayTool(_Strict):
    limits: list[GatewayLimit] | None = None
    deny_if: list[GatewayDeny] | None = None


class GatewayPolicy(_Strict):
    version: Literal["1"]
    default: Literal["allow", "deny"] = "deny"
    tools: dict[Annotated[str, StringConstraints(min_length=1)], GatewayTool]
    hide: list[Annotated[str, StringConstraints(min_length=1)]] | None = None

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class GatewayEntry:
    """How one tool enters policy.json: its tools entry (or None) and whether it is hidden."""

    tool: GatewayTool | None
    hidden: bool
    notes: tuple[str, ...]


def _bound_per_call(rec: Recommendation) -> float | None:
    """The largest value the argument the cap counts can take in one call, if bounded."""
    if not rec.cap or not rec.cap.increment_from:
        return None
    bounds = [c.value for c in rec.conditions if c.path == rec.cap.increment_from and c.op in ("lt", "lte")]
    return min(bounds) if bounds else None


COMPARED = ("eq", "neq", "in", "not_in")  # printed-form comparisons: their opposite is exact


def _argument_denies(name: str, rec: Recommendation) -> list[GatewayDeny] | None:
    """Each condition a call must meet, as a deny_if on its opposite; None when one has no safe opposite.

    A condition on a missing argument fails in Intercept, but its opposite does not fire either, so every
    compared argument also gets a deny_if for being absent.  A number bound (`lte 5000`) has no safe
    opposite: `gt 5000` lets a string or a boolean through.  Regex and contains have none at all."""
    denies: list[GatewayDeny] = []
    guarded: set[str] = set()
    message = rec.message(f"{name} was called with arguments outside the policy")
    for condition in rec.all_conditions:
        if condition.op == "exists":
            opposite = GatewayCondition(path=condition.path, op="exists", value=not condition.value)
        elif condition.op in COMPARED:
            opposite = GatewayCondition(path=condition.path, op=NEGATION[condition.op], value=condition.value)
            if condition.path not in guarded:
                guarded.add(condition.path)
                denies.append(GatewayDeny(conditions=[GatewayCondition(path=condition.path, op="exists", value=False)],
                                          on_deny=message))
        else:
            return None
        denies.append(GatewayDeny(conditions=[opposite], on_deny=message))
    return denies


def gateway_entry(name: str, rec: Recommendation) -> GatewayEntry:
    """One tool's policy.json entry for a recommendation."""
    if name == "*":  # the key, and an entry of hide, would mean every tool: never listed, denied by default
        return GatewayEntry(None, False, ("A tool named '*' cannot be listed in policy.json ('*' means every tool); "
                                          "default: deny blocks it.",))
    if rec.action == "omit":
        return GatewayEntry(None, False, ())
    if rec.action == "hide" or (rec.action == "deny" and rec.gateway_block == "hide"):
        return GatewayEntry(None, True, ())
    if rec.action == "deny":
        return GatewayEntry(GatewayTool(deny_if=[GatewayDeny(conditions=[], on_deny=rec.on_deny)]), False, ())
    limits: list[GatewayLimit] = []
    notes: list[str] = []
    if rec.rate:
        limits.append(GatewayLimit(counter=f"{name}_rate", window=rec.rate[1], max=rec.rate[0]))
        if rec.daily and rec.daily[1] != rec.rate[1]:
            limits.append(GatewayLimit(counter=f"{name}_daily", window=rec.daily[1], max=rec.daily[0]))
    denies: list[GatewayDeny] = []
    if rec.all_conditions:
        converted = _argument_denies(name, rec)
        if converted is None:
            return _fail_closed(name, "an argument condition (a pattern, or a number bound that a string would "
                                "slip past) that the gateway format cannot express safely")
        denies = converted
    if rec.cap:
        per_call = _bound_per_call(rec) if rec.cap.increment_from else 1
        if not per_call or per_call <= 0:
            return _fail_closed(name, "an amount cap with no per-call bound, which the gateway format cannot express")
        calls = max(1, math.floor(rec.cap.max / per_call))
        limits.append(GatewayLimit(counter=f"{name}_{rec.cap.counter}", window=rec.cap.window, max=calls))
        if rec.cap.increment_from:
            notes.append(f"The gateway counts calls, not amounts: {calls} calls a {rec.cap.window} at the per-call "
                         f"bound of {per_call:g} can never exceed the cap of {rec.cap.max}.")
    return GatewayEntry(GatewayTool(limits=limits or None, deny_if=denies or None), False, tuple(notes))


def _fail_closed(name: str, what: str) -> GatewayEntry:
    message = f"{name} needs a rule the gateway cannot express; it is denied until you add one"
    return GatewayEntry(GatewayTool(deny_if=[GatewayDeny(conditions=[], on_deny=message)]), False,
                        (f"This recommendation has {what}; the policy.json denies the tool instead (fail closed).",))


def build_gateway(entries: Iterable[tuple[str, GatewayEntry]]) -> GatewayPolicy:
    tools: dict[str, GatewayTool] = {}
    hide: list[str] = []
    for name, entry in entries:
        if entry.hidden:
            hide.append(name)
        elif entry.tool is not None:
            tools[name] = entry.tool
    return GatewayPolicy(version="1", default="deny", tools=tools, hide=hide or None)


def render_gateway(policy: GatewayPolicy) -> str:
    """The policy as indented JSON (pydantic's serializer: the same text as json.dumps(indent=2), 7x faster)."""
    return policy.model_dump_json(indent=2, exclude_none=True) + "\n"
