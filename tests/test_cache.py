from __future__ import annotations

import shutil
from pathlib import Path

from site_builder.build import BuildRequest, run_build

from tests.helpers import DEFAULT_CATALOGUE, ROOT


def test_unchanged_inputs_skip_the_build_and_any_change_rebuilds(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    for name in ("memory.yaml", "server-time.yaml"):
        shutil.copy(DEFAULT_CATALOGUE / name, catalogue / name)
    request = BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=catalogue, out=tmp_path / "site", jobs=1,
                           verbosity=0)
    assert not run_build(request).skipped
    assert run_build(request).skipped
    text = (catalogue / "memory.yaml").read_text(encoding="utf-8")
    (catalogue / "memory.yaml").write_text(text.replace("Read the entire knowledge graph", "Read it all"),
                                           encoding="utf-8")
    assert not run_build(request).skipped
    page = (tmp_path / "site" / "tools" / "memory" / "read_graph" / "index.html").read_text(encoding="utf-8")
    assert "Read it all" in page
    assert not run_build(BuildRequest(**{**request.__dict__, "clean": True})).skipped
