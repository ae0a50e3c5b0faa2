"""Bounds that keep a hostile YAML file from exhausting time or memory, and how a run raises them."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .limits import env_size


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that keep a hostile file from exhausting time or memory.

    Each can be raised for a run with an environment variable (LIMIT_VARIABLES)."""

    max_bytes: int = 16 * 1024 * 1024  # the file itself
    max_depth: int = 64
    max_nodes: int = 2_000_000  # counted after alias expansion
    max_expanded_bytes: int = 16 * 1024 * 1024  # scalar text, counted after alias expansion

    @classmethod
    def from_environment(cls) -> YamlLimits:
        """The defaults, with any bound the environment raises (or lowers)."""
        return cls(**{name: env_size(variable, getattr(DEFAULT_LIMITS, name))
                      for name, variable in LIMIT_VARIABLES.items()})


DEFAULT_LIMITS = YamlLimits()  # the compiled-in bounds; a run uses YamlLimits.from_environment()
LIMIT_VARIABLES = {bound.name: "BUILD_SITE_YAML_" + bound.name.upper() for bound in fields(YamlLimits)}


def size_text(value: int) -> str:
    return f"{value // 1024**2}MiB" if value % 1024**2 == 0 else str(value)


def raise_hint(name: str, value: int) -> str:
    return ("anchors (&) and aliases (*) repeat what they name; if the file is meant to be this large, "
            f"raise the bound: {LIMIT_VARIABLES[name]}={size_text(value * 4)}")


DEPTH_HINT = f"this is not a plausible catalogue file (the bound is set by {LIMIT_VARIABLES['max_depth']})"
