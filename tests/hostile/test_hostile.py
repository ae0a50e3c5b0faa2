"""Hostile catalogue text: clear errors, or pages where the text is only text."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import html5lib
import pytest
import yaml

from site_builder.build.build import BuildRequest, run_build
from site_builder.content.catalogue import load_catalogue
from site_builder.content.intercept_validate import validate_intercept
from site_builder.errors import CatalogueError

from tests.helpers import project_config
from tests.hostile.cases import (MARKDOWN_BOMBS, PAYLOADS, SPECIAL_NAMES, ErrorCase, error_cases, render_cases,
                                 write_render_catalogue)

CASES = error_cases()
ALLOWED_SCRIPT_SOURCES = ("assets/javascripts/bundle.", "assets/build-site/site.js", "assets/build-site/search.js")
ALLOWED_INLINE_SCRIPTS = ("__md_scope=new URL(", "var tabs=__md_get(", "var target=document.getElementById(",
                          'var palette=__md_get("__palette")', '(function(){var saved=__md_get("__palette")')
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "style", "svg", "math", "img"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


def test_the_corpus_is_large_enough() -> None:
    assert len(render_cases()) + len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_error_cases_fail_clearly_naming_file_and_entry(case: ErrorCase, tmp_path: Path) -> None:
    (tmp_path / f"{case.id}.yaml").write_bytes(case.content)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    report = caught.value.report()
    assert f"{case.id}.yaml" in report
    assert case.expected in report, report
    if case.entry:
        assert any(p.field == case.entry for p in caught.value.problems), report


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    catalogue = work / "catalogue"
    write_render_catalogue(catalogue)
    config = project_config(work, catalogue)
    before = {p.name for p in work.iterdir()}
    run_build(BuildRequest(config_file=config, out=work / "site", jobs=2, verbosity=0))
    after = {p.name for p in work.iterdir()}
    assert after - before == {"site", ".site.previous", ".build-cache"}, (  # .site.previous: the twin, kept
        "the build wrote outside its output, kept site and cache folders")
    assert not list((work / ".build-cache").glob("theme-*")), "scratch folders are removed"
    return work / "site"


def _check_page(page: Path, site: Path) -> list[str]:
    problems = []
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.read_text(encoding="utf-8"))
    parents = {child: parent for parent in tree.iter() for child in parent}
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        where = f"{page.relative_to(site)} <{tag}>"
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{where} has event handler {name}")
            cleaned = "".join(ch for ch in value if ch > " ").lower()
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and cleaned.startswith(BAD_SCHEMES):
                problems.append(f"{where} {name}={value!r}")
        if tag == "script":
            source = element.attrib.get("src", "")
            kind = element.attrib.get("type", "")
            body = element.text or ""
            if source:
                if "assets/build-site/chrome-" in source:  # the theme's inline scripts, as files (chrome.py)
                    text = (page.parent / source).resolve().read_text(encoding="utf-8")
                    if not text.startswith(ALLOWED_INLINE_SCRIPTS):
                        problems.append(f"{where} loads {source}, which runs {text[:60]!r}")
                elif not any(allowed in source for allowed in ALLOWED_SCRIPT_SOURCES):
                    problems.append(f"{where} loads {source}")
            elif kind == "application/ld+json":
                json.loads(body)
            elif kind == "application/json" and element.attrib.get("id") == "__config":
                json.loads(body)
            elif not body.startswith(ALLOWED_INLINE_SCRIPTS):
                problems.append(f"{where} runs inline script {body[:60]!r}")
        elif tag in FORBIDDEN_ELEMENTS and "md-" not in element.attrib.get("class", "") \
                and not (tag == "svg" and "sb-chart" in element.attrib.get("class", "")):
            if not _inside_material_chrome(element, parents):
                problems.append(f"{where} is not allowed in catalogue text")
        elif tag == "meta" and element.attrib.get("http-equiv", "").lower() == "refresh":
            problems.append(f"{where} refreshes")
        elif tag == "form" and element.attrib.get("data-md-component") != "palette":
            action = element.attrib.get("action", "")
            if not (action.endswith("search/") or action == "./"):
                problems.append(f"{where} posts to {action}")
    return problems


def _inside_material_chrome(element, parents) -> bool:  # type: ignore[no-untyped-def]
    """Material's inline SVG icons (header, palette toggle, search) are part of the chrome."""
    node = element
    while node in parents:
        node = parents[node]
        classes = node.attrib.get("class", "")
        if any(part in classes for part in ("md-icon", "md-header", "md-logo", "md-nav", "md-search", "md-option",
                                             "md-footer", "md-source", "md-tabs", "md-typeset__table")):
            return True
    return False


def test_no_page_of_the_hostile_site_carries_active_content(hostile_site: Path) -> None:
    problems = []
    for page in sorted(hostile_site.rglob("*.html")):
        if "/tools/" in f"/{page.relative_to(hostile_site)}" or "servers/" in str(page.relative_to(hostile_site)):
            problems += _check_page(page, hostile_site)
    assert problems == []


def test_every_hostile_name_gets_its_own_page_and_valid_policies(hostile_site: Path) -> None:
    names_dir = hostile_site / "tools" / "hostile-names"
    pages = list(names_dir.glob("*/index.html"))
    assert len(pages) == len(PAYLOADS) + len(SPECIAL_NAMES)
    for folder in names_dir.iterdir():
        assert folder.resolve().parent == names_dir.resolve()  # no name became a path
        if (folder / "intercept.yaml").exists():
            assert validate_intercept(yaml.safe_load((folder / "intercept.yaml").read_text(encoding="utf-8"))) == []
        json.loads((folder / "policy.json").read_text(encoding="utf-8"))
    files = [p for p in hostile_site.rglob("*") if p.is_file()]
    assert all(hostile_site.resolve() in p.resolve().parents for p in files)
    assert not any(p.is_symlink() for p in hostile_site.rglob("*"))


def test_template_syntax_is_shown_not_evaluated(hostile_site: Path) -> None:
    page = (hostile_site / "tools" / "hostile-description").glob("*/index.html")
    text = "".join(p.read_text(encoding="utf-8") for p in page)
    assert "{{ 7*7 }}" in text and "${7*7}" in text and "{% for x in range(3) %}" in text
    assert "looploooploop" not in text.replace(" ", "")


def test_markdown_that_would_take_seconds_is_shown_as_text(hostile_site: Path) -> None:
    pages = sorted((hostile_site / "tools" / "hostile-markdown-bombs").glob("*/index.html"))
    assert len(pages) == len(MARKDOWN_BOMBS)
    text = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "[" * 1000 in text and "&lt;![CDATA[&lt;![CDATA[" in text and "1. 1. 1. 1." in text and "+ + + +" in text


# ------------------------------------------------------------------ in a real browser

@pytest.fixture(scope="module")
def served_hostile(hostile_site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(hostile_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.browser
def test_no_catalogue_text_runs_in_chromium(hostile_site: Path, served_hostile: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup-tests.sh installs it)")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS

    pages = sorted(str(p.relative_to(hostile_site).parent) + "/" for p in hostile_site.glob("tools/*/*/index.html"))
    pages += sorted(str(p.relative_to(hostile_site).parent) + "/" for p in hostile_site.glob("servers/*/index.html"))
    pages += ["", "servers/", "risk/medium/", "categories/write/"]
    pages += [f"search/?q={word}" for word in ("script", "pwned", "onerror", "evil", "click", "ignore")]
    events: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        tab.on("request", lambda request: events.append(f"request left the site: {request.url}")
               if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
        for path in pages:
            target = served_hostile + path
            tab.goto(target)
            tab.wait_for_load_state("load")
            if path.startswith("search/"):
                tab.wait_for_function("document.getElementById('sb-status').textContent !== 'Searching…'")
            if tab.evaluate("window.__pwned !== undefined"):
                events.append(f"script ran on {path}")
            if tab.url.split("#")[0] != target.split("#")[0]:
                events.append(f"{path} navigated to {tab.url}")
        browser.close()
    assert events == []
