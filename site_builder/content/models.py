"""The catalogue format (docs/catalogue-format.md) as frozen pydantic models.

These models hold exactly what a server file says: nothing derived, nothing
filled in later.  Derived data lives in :mod:`site_builder.derive`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


class _Choice(str, Enum):
    def __repr__(self) -> str:  # unit digests repr hundreds of thousands of them: Enum's own is 3x slower
        return f"{type(self).__name__}.{self._name_}"


class Category(_Choice):
    READ = "read"
    WRITE = "write"
    EXECUTE = "execute"
    DESTRUCTIVE = "destructive"
    FINANCIAL = "financial"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Risk(_Choice):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return _RISK_RANKS[self]


_RISK_RANKS = {risk: rank for rank, risk in enumerate(Risk)}  # the order the levels are declared in


class Confidence(_Choice):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)
RISK_ORDER: tuple[Risk, ...] = tuple(Risk)

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,99}$"


def _http_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http(s) URL such as https://example.com/project")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
ToolName = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(max_length=20_000)]


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_SCHEMA_NODES = 20_000


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        """NUL and unpaired surrogates cannot be written safely to HTML, YAML, JSON or file names."""
        texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
            if isinstance(value, tuple) else []
        for text in texts:
            found = _UNSTORABLE.search(text)
            if found:
                raise ValueError(f"contains the character U+{ord(found.group(0)):04X}, which cannot be published; remove it")
        return value


class Server(Frozen):
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    slug: Slug | None = None
    description: Text | None = None
    homepage: HttpUrl | None = None
    repository: HttpUrl | None = None
    tags: tuple[Annotated[str, StringConstraints(min_length=1, max_length=64)], ...] = ()
    install: Annotated[str, StringConstraints(max_length=500)] | None = None
    added: dt.date | None = None


class Classification(Frozen):
    category: Category
    risk: Risk | None = None
    score: Annotated[int, Field(ge=1, le=5)] | None = None
    rationale: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    evidence: Text | None = None
    confidence: Confidence = Confidence.MEDIUM
    signals: tuple[Annotated[str, StringConstraints(min_length=1, max_length=500)], ...] = ()
    effects: tuple[Literal["changes_state", "sends_out", "spends", "reveals_secrets"], ...] | None = None


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


class Tool(Frozen):
    name: ToolName
    title: Annotated[str, StringConstraints(max_length=300)] | None = None
    description: Text | None = None
    input_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    classification: Classification
    policy: PolicyOverride | None = None
    added: dt.date | None = None

    @field_validator("input_schema", "annotations")
    @classmethod
    def _json_like(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _require_json(value)
        return value


def _require_json(value: Any) -> None:
    """Schemas and annotations must be plain JSON data (no dates, no odd keys), of bounded size."""
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > MAX_SCHEMA_NODES:
            raise ValueError(f"is larger than {MAX_SCHEMA_NODES:,} values; publish a smaller schema")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"keys must be strings, found {key!r}")
                if _UNSTORABLE.search(key):
                    raise ValueError("a key contains NUL or an unpaired surrogate; remove it")
                pending.append(child)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise ValueError("a value contains NUL or an unpaired surrogate; remove it")
        elif item is not None and not isinstance(item, (int, float, bool)):
            raise ValueError(f"must be JSON data; {type(item).__name__} is not (quote it)")


class ServerFile(Frozen):
    """One catalogue file: a server and all its tools."""

    server: Server
    tools: tuple[Tool, ...] = ()
