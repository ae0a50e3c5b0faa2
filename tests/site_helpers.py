"""Building the default site once per test session, and reading what it wrote."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.build.build import BuildRequest, BuildResult, run_build

from tests.helpers import ROOT


def build_default(out: Path, jobs: int = 2) -> BuildResult:
    return run_build(BuildRequest(config_file=ROOT / "mkdocs.yml", out=out, jobs=jobs, verbosity=0))


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action"):
            if values.get(name):
                self.links.append(values[name] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")


def resolve(site: Path, page: Path, link: str) -> Path | None:
    """The file a relative link of `page` points at; None for external links."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "javascript:", "data:")):
        return None
    if parts.path.startswith("/"):  # root-absolute (mkdocs' 404.html): the site is served from its root here
        target = site / unquote(parts.path).lstrip("/")
    else:
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


PAGE_URL = re.compile(r"<loc>([^<]+)</loc>")
