"""The one seam to mkdocs: hand-written pages, theme assets, and the page chrome.

mkdocs (with mkdocs-material) runs once per build, on the hand-written pages
plus one extra page rendered with `templates/theme/shell.html`.  That page is
cut at its markers into literal pieces (the header, palette toggle, search
box, navigation, footer): every catalogue page is those pieces around its own
content.  The pieces are data: they are concatenated, never parsed as a
template, and relative URLs in them are rewritten for each page's depth.
Nothing else in the pipeline imports mkdocs.

The chrome is made smaller once per build (chrome.py), as it is repeated on
every catalogue page.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..content.config import PACKAGE_TEMPLATES, SiteConfig
from ..errors import Problem, UserError, display_path
from .chrome import compact, move_scripts

SHELL_PAGE = "_build_site_shell.md"
SHELL_DIR = "_build_site_shell"
MARKERS = ("META", "TITLE", "CONTENT", "SCRIPTS")  # each required; HEADER_TITLE (the page's title) is optional
_HEADER_TITLE = "SBHEADERTITLEMARKER"
_SPLIT = re.compile(r"<!--SB:(META|TITLE|CONTENT|SCRIPTS)-->|(" + _HEADER_TITLE + ")")
_RELATIVE = re.compile(r'((?:href|src|action)=")\.\.(/[^"]*)?(")')
_SKIP_FROM_MKDOCS = ("sitemap.xml", "sitemap.xml.gz")
ROOT = "\x00ROOT\x00"  # placeholder for the page's relative path to the site root


@dataclass(frozen=True)
class Shell:
    """The chrome as literal pieces alternating with marker names."""

    pieces: tuple[str, ...]
    markers: tuple[str, ...]

    def for_depth(self, depth: int) -> Shell:
        root = "../" * depth or "./"
        return Shell(tuple(piece.replace(ROOT, root) for piece in self.pieces), self.markers)

    def render(self, values: dict[str, str]) -> str:
        out = [self.pieces[0]]
        for marker, piece in zip(self.markers, self.pieces[1:], strict=True):
            out.append(values.get(marker, ""))
            out.append(piece)
        return "".join(out)


def _relativize(html: str) -> str:
    """Rewrite the shell's '../' URLs (it sits one folder deep) to the ROOT placeholder."""
    html = _RELATIVE.sub(lambda m: m.group(1) + ROOT + (m.group(2) or "/")[1:] + m.group(3), html)
    html = html.replace('new URL("..",location)', f'new URL("{ROOT}",location)')
    html = html.replace('"base": ".."', f'"base": "{ROOT}"')
    html = re.sub(r'(": ")\.\./', lambda m: m.group(1) + ROOT, html)  # paths inside Material's __config JSON
    if '"../' in html or "'../" in html:
        raise UserError([Problem("templates/theme", 0, "", "the page chrome has a relative URL build-site cannot rewrite",
                                 "use the `url` filter for links in theme overrides")])
    return html


def parse_shell(html: str) -> Shell:
    parts = _SPLIT.split(compact(_relativize(html)))
    # re.split with two groups yields: text, group1, group2, text, ...
    pieces, markers = [parts[0]], []
    for index in range(1, len(parts), 3):
        markers.append(parts[index] or "HEADER_TITLE")
        pieces.append(parts[index + 2])
    missing = set(MARKERS) - set(markers)
    if missing:
        raise UserError([Problem("templates/theme/shell.html", 0, "", "markers missing from the rendered chrome: "
                                 + ", ".join(sorted(missing)), "keep the SB markers in shell.html")])
    return Shell(tuple(pieces), tuple(markers))


def _shell_markdown() -> str:
    return f"---\ntitle: {_HEADER_TITLE}\ntemplate: shell.html\nhide:\n  - toc\n---\n"


@dataclass(frozen=True)
class ThemeBuild:
    shell: Shell
    site_dir: Path  # mkdocs' output, without the shell page

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every file mkdocs wrote (relative POSIX path, source) that belongs in the site."""
        for path in sorted(self.site_dir.rglob("*")):
            relative = path.relative_to(self.site_dir).as_posix()
            if path.is_file() and not path.is_symlink() and relative not in _SKIP_FROM_MKDOCS \
                    and not relative.startswith(SHELL_DIR + "/"):
                yield relative, path


def run_mkdocs(config: SiteConfig, work: Path) -> ThemeBuild:
    """Build the hand-written pages and the chrome with mkdocs into `work`."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import config_options, load_config
    from mkdocs.exceptions import MkDocsException

    _forget_hooks(config_options)

    docs = work / "docs"
    if config.docs_dir.is_dir():
        shutil.copytree(config.docs_dir, docs, symlinks=False)
    else:
        docs.mkdir(parents=True)
    (docs / SHELL_PAGE).write_text(_shell_markdown(), encoding="utf-8")
    site = work / "site"
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        mk_config = load_config(config_file=str(config.config_file), docs_dir=str(docs), site_dir=str(site),
                                not_in_nav=f"/{SHELL_PAGE}\n{config.not_in_nav}")
        _add_packaged_theme(mk_config.theme)
        build(mk_config)
    except (MkDocsException, SystemExit) as exc:
        raise UserError([Problem(display_path(config.config_file), 0, "",
                                 f"mkdocs could not build the hand-written pages: {exc}\n{log.getvalue()}")]) from None
    finally:
        logger.removeHandler(handler)
    shell_html = (site / SHELL_DIR / "index.html").read_text(encoding="utf-8")
    shell = parse_shell(shell_html)
    pieces, scripts = move_scripts(shell.pieces, ROOT)
    for path, text in scripts.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")
    return ThemeBuild(Shell(pieces, shell.markers), site)


def _forget_hooks(config_options: Any) -> None:
    """mkdocs loads each hook file once a process (an lru_cache of its own): `serve` runs mkdocs again after
    a hook's edit, which must run the hook as it is now."""
    forget = getattr(getattr(getattr(config_options, "Hooks", None), "_load_hook", None), "cache_clear", None)
    if forget is not None:
        forget()


def _add_packaged_theme(theme: Any) -> None:
    """Our theme pieces (shell page, search box) sit after the project's own `custom_dir`, before the theme's."""
    own = 1 if theme.custom_dir is not None else 0
    theme.dirs.insert(own, str(PACKAGE_TEMPLATES / "theme"))


def theme_workdir(cache_dir: Path) -> tempfile.TemporaryDirectory[str]:
    """A scratch folder for mkdocs inside the cache folder (nothing is written elsewhere), named after
    this process; those of processes that are gone (a build killed mid-way) are swept first."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for leftover in cache_dir.glob("theme-*-*"):
        if leftover.is_dir() and not _alive(leftover.name.split("-")[1]):
            shutil.rmtree(leftover, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"theme-{os.getpid()}-", dir=cache_dir)


def _alive(pid: str) -> bool:
    """Whether the process that made a scratch folder still runs (unparsable names count as alive)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
