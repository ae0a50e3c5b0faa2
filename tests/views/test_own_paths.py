"""A hand-written page may not take a URL of build-site's: refused before the build, naming the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.build.build import BuildRequest, run_build
from site_builder.build.manifest import load_output_manifest
from site_builder.build.plan import THEME_GROUP
from site_builder.commands.cli import main
from site_builder.content.config import load_config
from site_builder.output.swap import marker_identity
from site_builder.views.own_paths import OWN_FILES, OWN_FOLDERS, clashing_pages

from tests.helpers import FIXTURES, ROOT


def test_pages_at_the_home_page_or_in_the_catalogues_folders_clash_and_others_do_not(tmp_path: Path) -> None:
    for name in ("index.md", "about.md", "guides/index.md", "guides/setup.md", "tools.md", "servers/extra.md",
                 "llms.txt.md", "catalogue.json/README.md", ".drafts/index.md", "riskier.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# A page\n", encoding="utf-8")
    clashes = {Path(problem.file).relative_to(tmp_path).as_posix(): problem for problem in clashing_pages(tmp_path)}
    assert sorted(clashes) == ["catalogue.json/README.md", "index.md", "llms.txt.md", "servers/extra.md", "tools.md"]
    assert "(index.html)" in clashes["index.md"].message and "rename" in clashes["index.md"].hint
    assert "(servers/extra/index.html)" in clashes["servers/extra.md"].message


def test_the_list_holds_every_path_a_build_writes_but_mkdocs_own(tmp_path: Path) -> None:
    out = tmp_path / "site"
    run_build(BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=FIXTURES / "golden-catalogue", out=out,
                           jobs=1, verbosity=0))
    groups = load_output_manifest(load_config(ROOT / "mkdocs.yml").cache_dir, out, marker_identity(out))
    assert groups is not None
    ours = {path.split("/", 1)[0] for key, group in groups.items() if key != THEME_GROUP for path in group.files}
    assert ours <= set(OWN_FOLDERS) | set(OWN_FILES) | {"assets"}, "assets/build-site/ is the theme's group"
    assert set(OWN_FOLDERS) | set(OWN_FILES) <= ours | {"robots.txt"}


def test_a_project_with_an_index_page_is_told_which_page_to_move_before_anything_is_built(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "content" / "pages", tmp_path / "content" / "pages")
    (tmp_path / "content" / "pages" / "index.md").write_text("# Welcome\n", encoding="utf-8")
    shutil.copytree(FIXTURES / "golden-catalogue", tmp_path / "content" / "catalogue")
    assert main(["--config", str(tmp_path / "mkdocs.yml"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "content/pages/index.md" in err and "(index.html) is build-site's" in err and "rename" in err
    assert "Traceback" not in err and not (tmp_path / "site").exists()
