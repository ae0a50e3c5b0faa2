"""What exposes a tool to attack patterns: its category, effects, argument kinds and signals, as keys.

The keys do not depend on the patterns, so they can be derived (and cached)
once per tool; a pattern matches a tool when they share a key
(site_builder.content.attacks).
"""

from __future__ import annotations

from ..content.models import Tool
from .assessment import Assessment
from .parameters import parameter_kinds

SIGNAL_KEYS = (("Description tells the agent what to call first", "call-first"),
               ("Description tells the agent to ignore", "ignore-instructions"),
               ("Bulk operation", "bulk"), ("High parameter count", "many-parameters"))


def exposure_keys(tool: Tool, assessment: Assessment, signals: tuple[str, ...]) -> tuple[str, ...]:
    keys = [f"category:{assessment.category.value}", *(f"effect:{effect.value}" for effect in assessment.effects)]
    kinds = {kind for kind in parameter_kinds(tool.input_schema, tool.description or "").values() if kind}
    keys.extend(f"argument:{kind}" for kind in sorted(kinds))
    keys.extend(f"signal:{key}" for prefix, key in SIGNAL_KEYS if any(s.startswith(prefix) for s in signals))
    return tuple(keys)
