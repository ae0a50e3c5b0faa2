from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from site_builder.commands.importers import import_intercept, import_tools_list
from site_builder.content.catalogue import load_catalogue
from site_builder.content.models import Category, Confidence

from tests.helpers import CAPTURES, SCAFFOLDS

DAY = dt.date(2026, 11, 21)


def test_all_scaffolds_import_and_load(tmp_path: Path) -> None:
    written = import_intercept(sorted(SCAFFOLDS.glob("*.yaml")), tmp_path, DAY)
    assert len(written) == 40 and all(changed for _, changed in written)
    catalogue = load_catalogue(tmp_path)
    declared = sum(int(line.split(":")[1]) for path in SCAFFOLDS.glob("*.yaml")
                   for line in path.read_text().splitlines() if line.startswith("#  Tools:"))
    assert catalogue.tool_count == declared == 692


def test_scaffold_groups_become_categories_and_other_is_low_confidence(tmp_path: Path) -> None:
    import_intercept([SCAFFOLDS / "git.yaml", SCAFFOLDS / "stripe.yaml"], tmp_path, DAY)
    tools = {t.tool.name: t.tool for s in load_catalogue(tmp_path).servers for t in s.tools}
    assert tools["git_add"].classification.category is Category.WRITE
    assert tools["git_add"].description == "Adds file contents to the staging area"
    merge = tools["git_commit"].classification
    assert merge.confidence is Confidence.LOW and merge.rationale.startswith("Unclassified: the Intercept scaffold groups")
    assert tools["create_refund"].classification.category is Category.FINANCIAL


def test_every_capture_imports_and_loads(tmp_path: Path) -> None:
    import_tools_list(sorted(CAPTURES.glob("*.json")), tmp_path, added=DAY)
    catalogue = load_catalogue(tmp_path)
    assert len(catalogue.servers) == 8 and catalogue.tool_count == 73
    git = next(s for s in catalogue.servers if s.slug == "mcp-git")
    status = next(t.tool for t in git.tools if t.tool.name == "git_status")
    assert status.annotations == {"readOnlyHint": True, "destructiveHint": False,
                                  "idempotentHint": True, "openWorldHint": False}
    assert status.classification.confidence is Confidence.LOW
    assert "Heuristic classification" in status.classification.rationale


def test_unicode_survives_the_round_trip(tmp_path: Path) -> None:
    import_tools_list([CAPTURES / "imagenx.json"], tmp_path, added=DAY)
    text = (tmp_path / "imagenx-mcp-server.yaml").read_text(encoding="utf-8")
    assert "分析用户需求，制定计划。" in text  # written readable, not escaped
    loaded = load_catalogue(tmp_path).servers[0].data.tools[0]
    assert loaded.description == "分析用户需求，制定计划。确保用户输入query时首先调用此工具。"


def test_import_is_idempotent_and_keeps_reviews(tmp_path: Path) -> None:
    import_tools_list([CAPTURES / "memory.json"], tmp_path, added=DAY)
    path = tmp_path / "memory-server.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tools"][0]["classification"] = {"category": "write", "rationale": "Reviewed by hand.", "confidence": "high"}
    data["tools"].append({"name": "kept_by_hand", "classification": {"category": "read", "rationale": "r"}})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    import_tools_list([CAPTURES / "memory.json"], tmp_path, added=dt.date(2030, 1, 1))
    first = path.read_text(encoding="utf-8")
    [(_, changed)] = import_tools_list([CAPTURES / "memory.json"], tmp_path, added=dt.date(2031, 1, 1))
    assert not changed and path.read_text(encoding="utf-8") == first
    tools = {t.tool.name: t.tool for t in load_catalogue(tmp_path).servers[0].tools}
    assert tools["create_entities"].classification.rationale == "Reviewed by hand."
    assert tools["create_entities"].added == DAY  # set once, on the first import
    assert "kept_by_hand" in tools


def test_registry_metadata_merges_into_the_existing_server(tmp_path: Path, write) -> None:
    import_intercept([SCAFFOLDS / "git.yaml"], tmp_path, DAY)
    registry = write("server.json", '{"name": "modelcontextprotocol/server-git"}')
    import_tools_list([CAPTURES / "git.json"], tmp_path, registry, added=DAY)
    [server] = load_catalogue(tmp_path).servers
    tools = {t.tool.name: t.tool for t in server.tools}
    assert len(tools) == 14  # 12 captured + 2 only in the scaffold, none dropped
    assert tools["git_add"].classification.category is Category.WRITE  # the scaffold's grouping is kept
    assert tools["git_add"].input_schema is not None  # the capture's schema is added
