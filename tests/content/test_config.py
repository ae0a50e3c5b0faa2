"""A site project builds from any folder: paths in mkdocs.yml are relative to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.build.build import BuildRequest, run_build
from site_builder.commands.cli import main
from site_builder.content.config import PACKAGE_TEMPLATES, load_config

from tests.helpers import ROOT, edit_text


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


def _build(config_file: Path) -> str:
    """Build the project quietly; 'skipped' when the build found its site up to date."""
    result = run_build(BuildRequest(config_file=config_file, jobs=1, verbosity=0))
    return "skipped" if result.skipped else "built"


@pytest.mark.slow
def test_an_edit_of_the_themes_custom_dir_or_a_hook_rebuilds_the_chrome(tmp_path: Path) -> None:
    """mkdocs reads the theme's custom_dir (overrides of the chrome) and hooks: their edits are inputs."""
    config_file = _project(tmp_path)
    edit_text(config_file, "  font: false", "  font: false\n  custom_dir: overrides")
    (tmp_path / "overrides").mkdir()
    main_html = tmp_path / "overrides" / "main.html"
    main_html.write_text('{% extends "base.html" %}\n{% block announce %}OLD-BANNER{% endblock %}\n', encoding="utf-8")
    hook = tmp_path / "hooks" / "banner.py"
    hook.parent.mkdir()
    hook.write_text("def on_post_page(output, **kwargs):\n    return output.replace('BANNER', 'BANNER!')\n",
                    encoding="utf-8")
    with config_file.open("a", encoding="utf-8") as settings:
        settings.write("hooks:\n  - hooks/banner.py\n")
    assert _build(config_file) == "built"
    home = tmp_path / "site" / "index.html"
    assert "OLD-BANNER!" in home.read_text(encoding="utf-8")
    assert _build(config_file) == "skipped"
    edit_text(main_html, "OLD-BANNER", "NEW-BANNER")
    assert _build(config_file) == "built"
    assert "NEW-BANNER!" in home.read_text(encoding="utf-8")
    assert "NEW-BANNER!" in (tmp_path / "site" / "tools" / "slack" / "slack_post_message" / "index.html").read_text(
        encoding="utf-8"), "the catalogue pages share the chrome"
    edit_text(hook, "'BANNER!'", "'BANNER?!'")  # of another size: Python's bytecode cache goes by size and second
    assert _build(config_file) == "built"
    assert "NEW-BANNER?!" in home.read_text(encoding="utf-8")


def test_env_tags_are_read_as_mkdocs_reads_them_and_their_values_are_inputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = _project(tmp_path)
    edit_text(config_file, "site_url: https://mcp-policies.example.org/",
          "site_url: !ENV [SITE_URL, 'https://default.example.org/']")
    monkeypatch.delenv("SITE_URL", raising=False)
    assert load_config(config_file).site_url == "https://default.example.org/"
    monkeypatch.setenv("SITE_URL", "https://policies.example.com/docs")
    config = load_config(config_file)
    assert config.site_url == "https://policies.example.com/docs/" and config.base_path == "/docs/"
    assert _build(config_file) == "built" and _build(config_file) == "skipped"
    monkeypatch.setenv("SITE_URL", "https://policies.example.net/")
    assert _build(config_file) == "built", "the same mkdocs.yml, another site_url"
    page = (tmp_path / "site" / "tools" / "slack" / "slack_post_message" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://policies.example.net/tools/slack/slack_post_message/">' in page


def test_inherit_merges_a_parent_settings_file_as_mkdocs_does(tmp_path: Path) -> None:
    config_file = _project(tmp_path)
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "common.yml").write_text(
        "site_name: From the parent\nsite_description: Parent's\nextra:\n  builder:\n    attacks: common/attacks\n", encoding="utf-8")
    edit_text(config_file, "site_name: MCP Tool Policies\n", "INHERIT: base/common.yml\n")
    config = load_config(config_file)
    assert (config.site_name, config.options.attacks) == ("From the parent", "common/attacks"), (
        "a key the child lacks is the parent's")
    assert config.site_description.startswith("Risk classifications"), "the child's own keys win"
    assert config.options.cache == ".build-cache", "mappings are merged, not replaced"
    assert tmp_path / "base" / "common.yml" in config.inputs


@pytest.mark.parametrize("parent, message", [("INHERIT: mkdocs.yml\n", "loops"), (None, "does not exist")])
def test_an_inherit_chain_that_loops_or_names_no_file_is_a_user_error(
        tmp_path: Path, parent: str | None, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = _project(tmp_path)
    edit_text(config_file, "site_name: MCP Tool Policies\n", "INHERIT: parent.yml\n")
    if parent is not None:
        (tmp_path / "parent.yml").write_text(parent, encoding="utf-8")
    assert main(["check", "--config", str(config_file)]) == 1
    err = capsys.readouterr().err
    assert "INHERIT" in err and message in err and "Traceback" not in err
