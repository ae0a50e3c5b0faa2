"""Paths and small builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if not SHARED.is_dir():  # CI clones the repo with shared/ beside it
    SHARED = ROOT / "shared"
SCAFFOLDS = SHARED / "data" / "intercept-scaffolds"
CAPTURES = SHARED / "data" / "tools-list"
DEFAULT_CATALOGUE = ROOT / "content" / "catalogue"


def server_yaml(tools: str = "", server_extra: str = "") -> str:
    """A minimal valid server file with the given tools block (YAML list items)."""
    return (
        "server:\n  id: acme/demo\n  name: Demo\n" + server_extra
        + "tools:\n" + (tools or "  - name: ping\n    classification: {category: read, rationale: r}\n")
    )
