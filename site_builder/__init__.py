"""Static site generator for per-tool MCP security policy pages."""

from __future__ import annotations

__version__ = "0.1.0"
