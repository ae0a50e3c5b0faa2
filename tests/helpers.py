"""Paths and small builders shared by the tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from site_builder.views.index import ServerSummary

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


def project_config(folder: Path, catalogue: Path, cache: Path | None = None, attacks: Path | None = None,
                   description: str | None = None) -> Path:
    """The project's mkdocs.yml, written to FOLDER/mkdocs.yml with its paths pointed at `catalogue` (and
    `cache`, `attacks`, a site description when given); the hand-written pages stay the project's."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    cache_line = (f"cache: {cache}" if cache else "cache: .build-cache") + (f"\n    attacks: {attacks}" if attacks else "")
    for old, new in [("docs_dir: content/pages", f"docs_dir: {ROOT / 'content/pages'}"),
                     ("    catalogue: content/catalogue", f"    catalogue: {catalogue}"),
                     ("cache: .build-cache", cache_line)]:
        assert old in text, old
        text = text.replace(old, new)
    if description is not None:
        text = re.sub(r"(?m)^site_description: .*$", f"site_description: {description}", text)
    config = folder / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def cached_round_trip(summaries: list[ServerSummary]) -> list[ServerSummary]:
    """The summaries as a shard of the build cache keeps them, read back (through JSON text)."""
    import json

    from site_builder.build.summary_shard import CachedServer, shard_from_json, shard_to_json
    from site_builder.views.summary_json import summary_digest

    pairs = [(f"{number}.yaml", CachedServer(f"hash-{number}", summary, summary_digest(summary)))
             for number, summary in enumerate(summaries)]
    read = shard_from_json(json.loads(json.dumps(shard_to_json(pairs))))
    assert list(read) == [name for name, _ in pairs]
    return [cached.summary for cached in read.values()]


def edit_text(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file with `new` (which must be there), as a person editing it would."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
