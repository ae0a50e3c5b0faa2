"""A site project builds from any folder: paths in mkdocs.yml are relative to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.commands.cli import main
from site_builder.content.config import PACKAGE_TEMPLATES, load_config

from tests.helpers import ROOT


def _project(folder: Path) -> Path:
    """A small site project: the default mkdocs.yml and pages, a two-server catalogue."""
    (folder / "content" / "catalogue").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "content" / "pages", folder / "content" / "pages")
    for name in ("server-time.yaml", "slack.yaml"):
        shutil.copy(ROOT / "content" / "catalogue" / name, folder / "content" / "catalogue" / name)
    return folder / "mkdocs.yml"


def test_paths_resolve_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path / "sub")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("sub/mkdocs.yml"))
    assert config.catalogue_dir == tmp_path / "sub" / "content" / "catalogue"
    assert config.cache_dir == tmp_path / "sub" / ".build-cache"
    assert config.template_dirs == (PACKAGE_TEMPLATES,), "no templates/ folder: the packaged templates alone"


@pytest.mark.slow
def test_builds_from_another_folder_with_a_relative_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path / "sub")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["--config", "../sub/mkdocs.yml", "--quiet"]) == 0
    site = tmp_path / "sub" / "site"
    assert (site / "tools" / "slack" / "slack_post_message" / "index.html").is_file()
    assert (site / "about" / "index.html").is_file(), "the hand-written pages come from the project's docs_dir"
    assert not (tmp_path / "sub" / "sub").exists() and not (tmp_path / "elsewhere" / "site").exists()


def test_project_templates_override_the_packaged_ones(tmp_path: Path) -> None:
    config_file = _project(tmp_path)
    (tmp_path / "templates" / "assets").mkdir(parents=True)
    config = load_config(config_file)
    assert config.template_dirs == (tmp_path / "templates", PACKAGE_TEMPLATES)


def test_without_a_config_the_error_says_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert "no site config" in err and "--config" in err and "docs/site-project.md" in err
    assert "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("build-site ")


def test_the_packaged_templates_ship_with_the_package() -> None:
    assert (PACKAGE_TEMPLATES / "tool.html").is_file() and (PACKAGE_TEMPLATES / "theme" / "shell.html").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pattern in ("templates/*.html", "templates/assets/*", "templates/theme/*.html", "defaults/*.yaml"):
        assert pattern in pyproject, pattern
