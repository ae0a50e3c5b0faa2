"""The catalogue format (docs/catalogue-format.md) as frozen pydantic models.

These models hold exactly what a server file says: nothing derived, nothing
filled in later.  Derived data lives in :mod:`site_builder.derive`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from .frozen import UNSTORABLE, Frozen
from .overrides import PolicyOverride


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


MAX_SCHEMA_NODES = 20_000


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
                if UNSTORABLE.search(key):
                    raise ValueError("a key contains NUL or an unpaired surrogate; remove it")
                pending.append(child)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if UNSTORABLE.search(item):
                raise ValueError("a value contains NUL or an unpaired surrogate; remove it")
        elif item is not None and not isinstance(item, (int, float, bool)):
            raise ValueError(f"must be JSON data; {type(item).__name__} is not (quote it)")


class ServerFile(Frozen):
    """One catalogue file: a server and all its tools."""

    server: Server
    tools: tuple[Tool, ...] = ()
