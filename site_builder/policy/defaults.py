"""Configured defaults of the recommendations: per profile, per category (defaults/policies.yaml).

A site can replace the packaged file with `extra.builder.policy_defaults`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..content.models import Category
from ..content.overrides import RateLimit
from ..errors import Problem, UserError, display_path

Action = Literal["allow", "limit", "deny", "hide", "omit"]
PROFILES = ("recommended", "strict", "permissive")


class CategoryDefault(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    rate_limit: RateLimit | None = None
    daily_limit: RateLimit | None = None  # a second cap beside a per-minute one, e.g. 1000/day
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
    # A read tool that is not a confirmed harmless read (see Assessment.read_only_safe):
    unconfirmed_read: CategoryDefault
    reveals_secrets: CategoryDefault

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
