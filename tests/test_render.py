from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.render import _PLAIN_TEXT, MarkdownRenderer, json_for_script, valid_characters

RENDER = MarkdownRenderer()
SLOW = MarkdownRenderer()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200))
def test_the_plain_text_shortcut_renders_exactly_like_markdown(text: str) -> None:
    if not _PLAIN_TEXT.match(text):
        return
    import markdown
    import nh3

    from site_builder.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

    full = nh3.clean(markdown.markdown(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES)
    assert html.unescape(str(RENDER(text))) == html.unescape(full)  # same text; quote escaping may differ


def test_markdown_is_sanitized() -> None:
    html = str(RENDER('hi <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) '
                      "[b](https://example.org) [c](relative/path)"))
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "<img" not in html
    assert 'href="https://example.org"' in html and "relative/path" not in html


@given(st.text())
def test_json_in_script_can_never_close_the_script(text: str) -> None:
    out = str(json_for_script({"t": text}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out


def test_characters_html_forbids_become_replacement_characters() -> None:
    assert valid_characters("a\x01b\x7f\ufffe") == "a\ufffdb\ufffd\ufffd"
    assert valid_characters("tab\tnew\nline") == "tab\tnew\nline"
