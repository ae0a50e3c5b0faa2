"""Paths and small builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SCAFFOLDS = FIXTURES / "data" / "intercept-scaffolds"  # real Intercept scaffolds (their SOURCE.md: origin, licence)
CAPTURES = FIXTURES / "data" / "tools-list"  # real tools/list captures (their SOURCE.md)
DEFAULT_CATALOGUE = ROOT / "content" / "catalogue"


def server_yaml(tools: str = "", server_extra: str = "") -> str:
    """A minimal valid server file with the given tools block (YAML list items)."""
    return (
        "server:\n  id: acme/demo\n  name: Demo\n" + server_extra
        + "tools:\n" + (tools or "  - name: ping\n    classification: {category: read, rationale: r}\n")
    )


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites the file."""
    import os

    path = Path(__file__).parent / "golden" / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1 once and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
