"""The built site in headless Chromium (Debian's `chromium`, driven by Playwright)."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urlsplit

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


def _results(page, base: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The tool names the search page lists for `query`, best first."""
    page.goto(base + "search/?q=" + quote(query))
    page.wait_for_function("!['', 'Searching…'].includes(document.getElementById('sb-status').textContent)")
    return [text.strip() for text in page.locator("#sb-results li a code").all_inner_texts()]


def test_search_forgives_a_typo_and_keeps_exact_names_first(page, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    assert _results(page, base, "refnd")[0] == "create_refund"  # a letter missing
    assert "create_refund" in _results(page, base, "rfund")  # ... near the start: found through the typo vocabulary
    assert _results(page, base, "craete_refund")[:2] == ["create_refund", "create_refund"]  # two letters swapped
    assert _results(page, base, "generate_vidoe_from_image")[0] == "generate_video_from_image"
    # exact words and names rank first; a correction is only tried for a word that matches nothing as typed
    assert _results(page, base, "create_refund")[:2] == ["create_refund", "create_refund"]
    assert _results(page, base, "get")[0] == "get"
    assert _results(page, base, "delete")[0] == "delete"
    assert _results(page, base, "zzqqxx") == [] and page.locator("#sb-status").inner_text() == "No tools match."


def test_show_more_only_when_there_are_more_results(page, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    more = page.get_by_role("button", name="Show more")
    page.goto(base + "search/")
    page.wait_for_load_state("load")
    assert more.count() == 0 or not more.is_visible()
    assert _results(page, base, "zzqqxx") == []
    assert more.count() == 0 or not more.is_visible()
    assert _results(page, base, "give_feedback_to_desktop_commander") == ["give_feedback_to_desktop_commander"]
    assert page.locator("#sb-status").inner_text() == "1 tool."
    assert more.count() == 0 or not more.is_visible()
    assert len(_results(page, base, "get")) == 20
    assert more.is_visible()
    more.click()
    page.wait_for_function("document.querySelectorAll('#sb-results li').length === 40")
    # a button the script hides stays hidden, whatever the theme's display rule for .md-button says
    assert page.evaluate("""() => { const b = document.querySelector('.sb-more'); b.hidden = true;
                                    return getComputedStyle(b).display; }""") == "none"


def _suggest(page, text: str):  # type: ignore[no-untyped-def]
    """Type `text` into the header box; the options once they answer all of it."""
    box = page.locator("header input.md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(text, delay=20)
    page.locator(f'#sb-suggest-list[data-query="{text}"]').wait_for(state="attached")
    page.locator(".sb-suggest").wait_for()
    return box, page.locator("#sb-suggest-list [role=option]")


def test_header_search_shows_matches_as_you_type(page, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    page.goto(base + "tools/memory/delete_entities/")
    box, options = _suggest(page, "refnd")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "true"
    assert options.first.locator("code").inner_text() == "create_refund"
    assert re.fullmatch(r"\d+ tools match", page.locator(".sb-suggest .md-search-result__meta").inner_text())
    assert page.url.endswith("/tools/memory/delete_entities/")  # nothing was submitted
    # keyboard: the arrows move the active option, Escape closes the list, Enter opens the active tool
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Escape")
    assert not page.locator(".sb-suggest").is_visible() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")
    assert page.locator(".sb-suggest").is_visible()
    box.press("Enter")
    page.wait_for_url("**/tools/paypal/create_refund/")
    # mouse: click a match
    box, options = _suggest(page, "list_projects")
    assert 2 <= options.count() <= 9
    options.locator("code", has_text="core_list_projects").click()
    page.wait_for_url("**/tools/*/core_list_projects/")
    # past the top 8, the last option opens the search page with every match
    box, options = _suggest(page, "get")
    assert options.count() == 9
    total = re.fullmatch(r"See all (\d+) tools on the search page", options.last.inner_text().strip())
    assert total and int(total.group(1)) > 8
    box.press("ArrowUp")
    box.press("Enter")
    page.wait_for_url("**/search/?q=get")
    page.locator("#sb-results li").first.wait_for()
    # Enter with no option active still submits the form to the search page
    box, options = _suggest(page, "refnd")
    box.press("Enter")
    page.wait_for_url("**/search/?q=refnd")
    assert page.locator("#sb-results li a code").first.inner_text() == "create_refund"


def test_header_search_on_a_phone(browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(base + "servers/")
    tab.locator("label.md-header__button[for=__search]").click()  # the magnifier opens the search and focuses the box
    tab.wait_for_function("document.activeElement && document.activeElement.matches('header input.md-search__input')")
    tab.keyboard.type("refnd", delay=20)
    option = tab.locator("#sb-suggest-list [role=option]").first
    option.wait_for()
    tab.wait_for_function("document.getAnimations().length === 0")  # Material's overlay grows while it opens
    box = option.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 390
    option.tap()
    tab.wait_for_url("**/tools/paypal/create_refund/")
    context.close()


PHONE_PAGES = ("", "risk/critical/", "categories/destructive/", "servers/memory/", "servers/aws-eks/")


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_risk_badges_in_tables_are_whole_on_a_phone(browser, served, path: str) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(base + path)
    tab.wait_for_load_state("load")
    problems = tab.evaluate("""() => {
      const out = [];
      const badges = Array.from(document.querySelectorAll('td .sb-badge[class*=sb-risk-]'));
      badges.forEach((badge, index) => {
        const cell = badge.closest('td');
        const wrap = badge.closest('.md-typeset__scrollwrap, .md-typeset__table, table');
        badge.scrollIntoView({block: 'center', inline: 'nearest'});
        const b = badge.getBoundingClientRect(), c = cell.getBoundingClientRect();
        const w = wrap.getBoundingClientRect();
        const visibleRight = w.left + wrap.clientWidth;
        const lineHeight = parseFloat(getComputedStyle(badge).fontSize) * 2.2;
        const where = index + ' ' + badge.textContent;
        if (badge.getClientRects().length !== 1 || b.height > lineHeight) { out.push(where + ': wraps'); }
        if (b.left < c.left - 0.5 || b.right > c.right + 0.5 || b.top < c.top - 0.5 || b.bottom > c.bottom + 0.5) {
          out.push(where + ': outside its cell'); }
        if (b.left < w.left - 0.5 || b.right > visibleRight + 0.5 || b.right > window.innerWidth + 0.5) {
          out.push(where + ': clipped by its table'); }
      });
      return badges.length ? out : ['no risk badges in tables'];
    }""")
    context.close()
    assert problems == []


def test_risk_table_fits_a_phone(browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(base + "risk/critical/")
    tab.wait_for_load_state("load")
    # catalogue pages do not load the theme's script, so a table is not wrapped: it scrolls itself
    widths = tab.evaluate("""() => Array.from(document.querySelectorAll('.sb-tools table'))
                               .map(w => [w.scrollWidth, w.clientWidth])""")
    context.close()
    assert widths and all(scroll <= client for scroll, client in widths)  # no sideways scroll: the badge column shows


CONTRAST = """(selector) => {
  const parse = (text) => { const v = text.match(/[\\d.]+/g).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (node) => {
    const layers = [];
    for (let e = node; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } }
    }
    let color = [255, 255, 255, 1];
    layers.reverse().forEach(c => { color = over(c, color); });
    return color;
  };
  const luminance = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  return Array.from(document.querySelectorAll(selector)).filter(e => e.offsetParent !== null).map(e => {
    const bg = background(e), fg = over(parse(getComputedStyle(e).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return [e.textContent.trim(), Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100];
  });
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_copy_and_download_buttons_have_enough_contrast(browser, served, scheme: str) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto(base + "tools/memory/delete_entities/")
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == ("slate" if scheme == "dark" else "default")
    buttons = ".sb-actions .md-button"
    ratios = tab.evaluate(CONTRAST, buttons)
    assert {name for name, _ in ratios} == {"Copy", "Download intercept.yaml"}
    assert all(ratio >= 4.5 for _, ratio in ratios), ratios
    for index in range(len(ratios)):  # hovered (and focused) too
        tab.locator(buttons).locator("visible=true").nth(index).hover()
        tab.wait_for_function("document.getAnimations().length === 0")  # the theme's colour transitions
        hovered = tab.evaluate(CONTRAST, buttons + ":hover")
        assert len(hovered) == 1 and hovered[0][1] >= 4.5, hovered
    context.close()


def test_the_palette_toggle_works_on_catalogue_pages_and_carries_over(browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _site = served
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="light")
    tab = context.new_page()

    def scheme() -> str:
        return str(tab.evaluate("document.body.getAttribute('data-md-color-scheme')"))

    def toggle() -> None:
        tab.locator("form[data-md-component=palette] label:not([hidden])").click()
        tab.wait_for_function("document.getAnimations().length === 0")

    tab.goto(base + "tools/memory/delete_entities/")  # a catalogue page: site.js, not the theme's script
    tab.wait_for_load_state("load")
    assert scheme() == "default"
    toggle()
    assert scheme() == "slate"
    tab.goto(base + "about/")  # a hand-written page: the theme's script reads the same kept choice
    tab.wait_for_load_state("load")
    assert scheme() == "slate"
    toggle()
    tab.goto(base + "servers/")
    tab.wait_for_load_state("load")
    assert scheme() == "default"
    context.close()
