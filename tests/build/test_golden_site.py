"""Golden outputs of a small fixture site: the content of each kind of page, and the machine files.

Pages are compared by their <title> and <article> (what we render), not the
theme's chrome (mkdocs-material's, which changes with its version).  After a
deliberate change: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_site.py, and review the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.build.build import BuildRequest, run_build

from tests.helpers import FIXTURES, ROOT, check_golden

PAGES = ("tools/demo-files/read_file/index.html", "tools/demo-files/run_command/index.html",
         "tools/demo-files/create_refund/index.html", "servers/demo-files/index.html", "index.html",
         "risk/critical/index.html", "categories/read/index.html", "attacks/path-traversal/index.html")
FILES = ("catalogue.json", "llms-full.txt", "llms.txt", "feed.xml", "sitemap.xml", "servers/demo-files/checks.json",
         "tools/demo-files/run_command/intercept.yaml", "tools/demo-files/run_command/policy.json",
         "policies/demo-files/recommended/intercept.yaml", "policies/demo-files/strict/intercept.yaml")
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "site"
    run_build(BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=FIXTURES / "golden-catalogue", out=out,
                           jobs=1, verbosity=0))
    return out


def _golden_name(path: str) -> str:
    return "site/" + path.replace("/index.html", ".html").replace("/", "__")


@pytest.mark.parametrize("page", PAGES)
def test_page_content_matches_its_golden_file(site: Path, page: str) -> None:
    html = (site / page).read_text(encoding="utf-8")
    title, article = _TITLE.search(html), _ARTICLE.search(html)
    assert title and article, page
    check_golden(_golden_name(page), f"<title>{title.group(1)}</title>\n{article.group(1).strip()}\n")


@pytest.mark.parametrize("file", FILES)
def test_machine_file_matches_its_golden_file(site: Path, file: str) -> None:
    check_golden(_golden_name(file), (site / file).read_text(encoding="utf-8"))
