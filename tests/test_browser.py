"""The built site in headless Chromium (Debian's `chromium`, driven by Playwright)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from tests.helpers import ROOT
from tests.site_helpers import build_default

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    site = tmp_path_factory.mktemp("browser") / "site"
    build_default(site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup-tests.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, served):  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    outside: list[str] = []
    tab = context.new_page()
    tab.on("request", lambda request: outside.append(request.url)
           if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
    tab.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError(f"unexpected dialog: {dialog.message}")))
    yield tab
    context.close()
    assert outside == [], f"requests left the site: {outside}"


def test_tool_page_switch_tab_and_copy_policy(page, served) -> None:  # type: ignore[no-untyped-def]
    base, site = served
    page.goto(base + "tools/fal-mcp-server/upload_file/")
    gateway = page.locator('[data-format="gateway"] pre code')
    assert not gateway.is_visible()
    page.get_by_text("policy.json", exact=True).first.click()
    assert gateway.is_visible()
    page.locator('[data-format="gateway"] button.sb-copy').click()
    page.wait_for_function("document.querySelector('[data-format=gateway] button.sb-copy').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (site / "tools/fal-mcp-server/upload_file/policy.json").read_text(encoding="utf-8")


def test_search_for_a_tool_by_name_and_land_on_its_page(page, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    page.goto(base)
    box = page.locator("header input.md-search__input")
    box.fill("generate_video_from_image")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator("#sb-results li a").first
    first.wait_for()
    assert first.inner_text() == "generate_video_from_image"
    assert page.locator("#sb-results li").count() >= 3  # Luma and Sora have look-alikes
    first.click()
    page.wait_for_url("**/tools/fal-mcp-server/generate_video_from_image/")
    assert page.locator("h1").inner_text() == "generate_video_from_image"


def test_search_filters_by_risk_and_category(page, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    page.goto(base + "search/?q=delete&risk=critical&category=destructive")
    page.locator("#sb-results li").first.wait_for()
    metas = page.locator("#sb-results .sb-result-meta").all_inner_texts()
    assert metas and all("destructive" in text and "critical risk" in text for text in metas)


def test_pages_read_well_without_javascript(browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base + "tools/memory/delete_entities/")
    assert "blocked" in tab.locator(".sb-summary").inner_text()
    tab.get_by_text("policy.json", exact=True).first.click()  # CSS-only tabs
    assert tab.locator('[data-format="gateway"] pre code').is_visible()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(browser, served, scheme: str) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, color_scheme=scheme)
    tab = context.new_page()
    for name, url in (("tool", "tools/mcp-luma/luma_generate_video/"), ("server", "servers/fal-mcp-server/")):
        tab.goto(base + url)
        expected = "slate" if scheme == "dark" else "default"
        assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        path = SCREENSHOTS / f"{name}-{scheme}.png"
        tab.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    context.close()
