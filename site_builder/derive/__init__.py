"""Stage 2: what is derived from the validated catalogue (classification, signals, lint, counts)."""

from .entries import Counts, ServerEntry, SiteData, ToolEntry, derive, derive_server, derive_tool

__all__ = ["Counts", "ServerEntry", "SiteData", "ToolEntry", "derive", "derive_server", "derive_tool"]
