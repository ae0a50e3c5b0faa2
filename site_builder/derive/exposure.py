"""What exposes a tool to attack patterns: its category, effects, argument kinds and signals, as keys.

The keys do not depend on the patterns, so they can be derived (and cached)
once per tool; a pattern matches a tool when they share a key
(site_builder.attacks).
"""

from __future__ import annotations

from ..models import Tool
from ..signals import schema_properties
from .classify import Assessment
from .parameters import parameter_kind

SIGNAL_KEYS = (("Description tells the agent what to call first", "call-first"),
               ("Description tells the agent to ignore", "ignore-instructions"),
               ("Bulk operation", "bulk"), ("High parameter count", "many-parameters"))


def exposure_keys(tool: Tool, assessment: Assessment, signals: tuple[str, ...]) -> tuple[str, ...]:
    keys = [f"category:{assessment.category.value}", *(f"effect:{effect.value}" for effect in assessment.effects)]
    properties = schema_properties(tool.input_schema)
    kinds = {parameter_kind(str(name), spec, tool.description or "") for name, spec in properties.items()}
    keys.extend(f"argument:{kind}" for kind in sorted(k for k in kinds if k is not None))
    keys.extend(f"signal:{key}" for prefix, key in SIGNAL_KEYS if any(s.startswith(prefix) for s in signals))
    return tuple(keys)
