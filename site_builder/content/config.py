"""Site settings, read from mkdocs.yml (the one place a site is configured).

mkdocs.yml is the site owner's trusted file, but it may hold mkdocs-specific
tags (`!!python/name:`, `!ENV`); we read it with a safe loader that keeps those
as opaque values and only take the keys we need.  Builder options live under
`extra.builder`, which mkdocs leaves alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from mergedeep import merge  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml_env_tag import construct_env_tag  # type: ignore[import-untyped]

from ..errors import DOCS, Problem, UserError, display_path


PACKAGE_TEMPLATES = (Path(__file__).parent.parent / "templates").resolve()


class _TolerantLoader(yaml.SafeLoader):
    """Safe loader that turns unknown tags into None instead of failing."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_constructor("!ENV", construct_env_tag)  # as mkdocs reads it: the variable's value
_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


class BuilderOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    catalogue: str = "content/catalogue"
    templates: str = "templates"  # optional overrides of the packaged templates, looked up first
    attacks: str = "content/attacks"  # attack patterns (docs/attack-format.md); the folder may be absent
    policy_defaults: str | None = None
    cache: str = ".build-cache"
    newest: int = Field(default=20, ge=1, le=500)


@dataclass(frozen=True)
class SiteConfig:
    root: Path  # the folder of mkdocs.yml
    config_file: Path
    site_name: str
    site_url: str  # always ends with '/'
    site_description: str
    docs_dir: Path
    site_dir: Path
    options: BuilderOptions
    repo_url: str | None
    not_in_nav: str  # mkdocs' own setting, extended by the theme seam
    policy_defaults_file: Path | None  # the project's own policy defaults (None: the packaged ones)
    inputs: tuple[Path, ...]  # what a build reads but the catalogue and attack patterns (files or folders)
    settings: str  # the settings as read (`!ENV` resolved): a variable's value is an input too

    @property
    def catalogue_dir(self) -> Path:
        return self.root / self.options.catalogue

    @property
    def templates_dir(self) -> Path:
        """The site project's own template overrides (the folder need not exist)."""
        return self.root / self.options.templates

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up: the project's overrides first, then the packaged defaults."""
        own = self.templates_dir
        return (own, PACKAGE_TEMPLATES) if own.is_dir() and own.resolve() != PACKAGE_TEMPLATES else (PACKAGE_TEMPLATES,)

    @property
    def attacks_dir(self) -> Path:
        return self.root / self.options.attacks

    @property
    def cache_dir(self) -> Path:
        return self.root / self.options.cache

    @property
    def base_path(self) -> str:
        """The path part of site_url, e.g. '/' or '/mcp-policies/'."""
        return urlsplit(self.site_url).path or "/"


def load_config(config_file: Path) -> SiteConfig:
    raw, files = _read_settings(config_file)
    extra = raw.get("extra") or {}
    try:
        options = BuilderOptions.model_validate(extra.get("builder") or {})
    except ValidationError as exc:
        raise UserError([Problem(display_path(config_file), 0, "extra.builder." + ".".join(map(str, e["loc"])),
                                 e["msg"]) for e in exc.errors()]) from None
    site_url = str(raw.get("site_url") or "https://example.org/")
    if not site_url.endswith("/"):
        site_url += "/"
    root = config_file.absolute().parent  # every path in the config is relative to the config's folder
    docs_dir = root / str(raw.get("docs_dir") or "docs")
    defaults = root / options.policy_defaults if options.policy_defaults else None
    return SiteConfig(
        root=root,
        config_file=root / config_file.name,
        site_name=str(raw.get("site_name") or "MCP policies"),
        site_url=site_url,
        site_description=str(raw.get("site_description") or ""),
        docs_dir=docs_dir,
        site_dir=root / str(raw.get("site_dir") or "site"),
        options=options,
        repo_url=raw.get("repo_url"),
        not_in_nav=str(raw.get("not_in_nav") or ""),
        policy_defaults_file=defaults,
        inputs=(*files, docs_dir, root / options.templates, *_mkdocs_paths(raw, root), *([defaults] if defaults else [])),
        settings=repr(raw),
    )


MAX_INHERIT = 10  # mkdocs.yml -> INHERIT -> ...: a chain longer than this is taken for a loop


def _read_settings(config_file: Path) -> tuple[dict[str, Any], list[Path]]:
    """mkdocs.yml as mkdocs reads it (`!ENV` resolved, `INHERIT` merged into), and the files read."""
    raw, files = _read_yaml(config_file), [Path(os.path.abspath(config_file))]
    while "INHERIT" in raw:
        parent = Path(os.path.normpath(files[-1].parent / str(raw.pop("INHERIT"))))
        if len(files) > MAX_INHERIT or parent in files:
            raise UserError([Problem(display_path(files[-1]), 0, "INHERIT", "the INHERIT chain loops or is deeper "
                                     f"than {MAX_INHERIT} files", "inherit each settings file once")])
        if not parent.is_file():
            raise UserError([Problem(display_path(files[-1]), 0, "INHERIT", f"{parent} does not exist",
                                     "name a settings file relative to the one that inherits it")])
        files.append(parent)
        raw = merge(_read_yaml(parent), raw)  # its own INHERIT, if any, is the next to follow
    return raw, files


def _read_yaml(config_file: Path) -> dict[str, Any]:
    file = display_path(config_file)
    try:
        raw = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except FileNotFoundError:
        raise UserError([Problem(file, 0, "", f"no site config: {config_file.absolute()} does not exist",
                                 "run in a site project's folder or pass --config PATH/mkdocs.yml; "
                                 f"how to start one: {DOCS}/site-project.md")]) from None
    except OSError as exc:
        raise UserError([Problem(file, 0, "", f"cannot read config: {exc.strerror}",
                                 "pass --config PATH/mkdocs.yml of a site project")]) from None
    except yaml.YAMLError as exc:
        raise UserError([Problem(file, 1, "", f"YAML error: {exc}")]) from None
    if not isinstance(raw, dict):
        raise UserError([Problem(file, 1, "", "mkdocs.yml must be a mapping")])
    return raw


def _mkdocs_paths(raw: dict[str, Any], root: Path) -> list[Path]:
    """What else mkdocs reads into the site: the theme's `custom_dir` (template overrides of the chrome) and
    `hooks` (relative to mkdocs.yml's folder).  Not `watch`: it only tells `mkdocs serve` what to watch."""
    theme = raw.get("theme")
    hooks = raw.get("hooks")
    paths = [theme.get("custom_dir") if isinstance(theme, dict) else None, *(hooks if isinstance(hooks, list) else [])]
    return [root / path for path in paths if isinstance(path, str) and path]
