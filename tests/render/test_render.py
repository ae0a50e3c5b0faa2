from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from site_builder.content.catalogue import load_catalogue
from site_builder.content.models import Risk
from site_builder.errors import UserError
from site_builder.render.markdown_render import (_PLAIN_TEXT, MarkdownLimits, MarkdownRenderer, dedent, markdown_nesting,
                                                markdown_work, plain_paragraphs)
from site_builder.render.escaping import escape_text
from site_builder.render.render import json_for_script, make_environment, valid_characters, valid_utf8

from tests.helpers import DEFAULT_CATALOGUE
from tests.hostile.cases import MARKDOWN_BOMBS

RENDER = MarkdownRenderer()
SLOW = MarkdownRenderer()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200))
@example(text="0.")  # an empty list item in CommonMark
@example(text="12)")
def test_the_plain_text_shortcut_renders_exactly_like_markdown(text: str) -> None:
    if not _PLAIN_TEXT.match(text):
        return
    import nh3

    from site_builder.render.markdown_render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, markdown_html

    full = nh3.clean(markdown_html(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES)
    assert html.unescape(str(RENDER(text))) == html.unescape(full).strip()  # same text; quote escaping may differ


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


# the characters either side of every range valid_utf8 looks for in UTF-8, and some of the same lead bytes
_EDGES = "\x00\x08\x09\x0a\x0b\x0d\x0e\x1f\x20\x7e\x7f\x80\x9f\xa0\xb7\xbf\ufdcf\ufdd0\ufdef\ufdf0\ufefe\uff0c\ufffd\ufffe\uffff"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_EDGES), st.characters(blacklist_categories=("Cs",))), max_size=60))
def test_the_utf8_check_replaces_exactly_what_valid_characters_does(text: str) -> None:
    assert valid_utf8(text) == valid_characters(text).encode("utf-8")


def test_the_utf8_check_finds_each_forbidden_character_anywhere() -> None:
    for char in map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF]):
        for text in (char, f"·é{char}", f"{char}，x", f"abc{char}\ufffd"):
            assert valid_utf8(text) == valid_characters(text).encode("utf-8")


@pytest.mark.parametrize("text", MARKDOWN_BOMBS, ids=[f"bomb-{i}" for i in range(len(MARKDOWN_BOMBS))])
def test_markdown_that_would_take_seconds_or_fail_is_shown_as_escaped_text_at_once(text: str) -> None:
    out = str(RENDER(text))
    assert out == str(plain_paragraphs(dedent(text))), "shown as escaped text, not parsed (its cost is in benchmarks/)"
    assert "<a" not in out and "<ol" not in out and "<![CDATA[" not in out
    shown = html.unescape(out.replace("<p>", "").replace("</p>", ""))
    assert shown.split() == text.split()  # every character is on the page (blank lines separate paragraphs)


def test_lists_nested_past_the_bound_are_plain_text_and_ordinary_nesting_is_markdown() -> None:
    ordinary = "Options:\n\n- a\n  - b\n    - c\n\n> quoted\n\n1. one\n2. two"
    assert markdown_nesting(ordinary) == 3 and "<ul>" in str(RENDER(ordinary))
    assert markdown_nesting("1. " * 17) == 17 and markdown_nesting("> " * 40) == 40
    assert markdown_nesting("\n".join(" " * (2 * depth) + "- x" for depth in range(30))) == 30
    assert "<ol>" in str(RENDER("1. " * 16 + "x")) and "<ol>" not in str(RENDER("1. " * 17 + "x"))
    assert markdown_nesting("-- not a list\n2024-01-01 a date\n* * * a rule") == 3


def test_the_bound_leaves_ordinary_markdown_alone() -> None:
    text = "Reads a **file** from `disk`; see [the docs](https://example.org/a_(b)) and [x][y]. " * 200
    assert markdown_work(text) < 10_000 and RENDER.within_limits(text)
    assert '<a href="https://example.org/a_(b)"' in str(RENDER(text))
    servers = load_catalogue(DEFAULT_CATALOGUE).servers
    texts = [t for server in servers for tool in server.tools
             for t in (tool.tool.description, tool.tool.classification.rationale) if t]
    assert len(texts) > 1000 and all(RENDER.within_limits(t) for t in texts)


def test_the_markdown_bounds_can_be_raised_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "[" * 1200
    assert not RENDER.within_limits(text)
    monkeypatch.setenv("BUILD_SITE_MARKDOWN_MAX_WORK", "1M")
    monkeypatch.setenv("BUILD_SITE_MARKDOWN_MAX_CHARS", "64k")
    renderer = MarkdownRenderer()
    assert renderer.limits == MarkdownLimits(max_chars=64_000, max_work=1_000_000) and renderer.within_limits(text)
    monkeypatch.setenv("BUILD_SITE_MARKDOWN_MAX_WORK", "much")
    with pytest.raises(UserError, match="BUILD_SITE_MARKDOWN_MAX_WORK"):
        MarkdownRenderer()


def test_text_past_the_length_bound_is_plain_text() -> None:
    out = str(MarkdownRenderer(MarkdownLimits(max_chars=20))("**bold** and a [link](https://example.org)"))
    assert out == "<p>**bold** and a [link](https://example.org)</p>"


def test_descriptions_indented_like_docstrings_are_not_code_blocks() -> None:
    text = "\n    Read a file from the workspace.\n\n    Args:\n        path: the **file** to read\n    "
    out = str(RENDER(text))
    assert "<pre>" not in out and "<code>" not in out
    assert out.startswith("<p>Read a file from the workspace.</p>") and "<strong>file</strong>" in out
    assert str(RENDER("    just one indented line")) == "<p>just one indented line</p>"
    # a flush first line and an indented rest is a Python docstring (inspect.cleandoc): not code
    luma = "Generate AI video.\n\n    This allows you to control the video.\n\n    Returns:\n        Task ID\n    "
    assert "<pre>" not in str(RENDER(luma)) and "<p>This allows you to control the video.</p>" in str(RENDER(luma))
    fenced = str(RENDER("Example:\n\n```\ncall(x)\n```\n"))  # a fenced block is code
    assert "<pre><code>call(x)" in fenced
    appended = ("\n            Read a file.\n            \n            - offset\n"
                "                * negative: from the end\n\nA note appended without indent.\n            Last line.")
    out = str(RENDER(appended))  # a docstring with an unindented tail (as desktop-commander's read_file)
    assert "<pre>" not in out and out.startswith("<p>Read a file.</p>") and "<li>negative: from the end</li>" in out


class _HasHtml:
    def __html__(self) -> str:
        return "<b>kept</b>"


_OUTPUT_VALUES = st.one_of(st.text(), st.text().map(Markup), st.integers(), st.floats(allow_nan=False),
                           st.sampled_from([None, True, _HasHtml(), Risk.CRITICAL, ("<", "&")]))


@settings(max_examples=300)
@given(value=_OUTPUT_VALUES)
def test_a_templates_output_is_escaped_exactly_as_markupsafe_escapes_it(value: object) -> None:
    assert escape_text(value) == str(escape(value))
    env = make_environment([])
    assert env.from_string("[{{ value }}]").render(value=value) == f"[{escape(value)}]"


def test_autoescaped_output_goes_through_escape_text_and_the_rest_is_jinjas(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ a }}{% autoescape false %}{{ b }}{% endautoescape %}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("{{ a }}", encoding="utf-8")
    env = make_environment([tmp_path])
    source = env.loader.get_source(env, "page.html")[0]  # type: ignore[union-attr]
    code = env.compile(source, "page.html", raw=True)
    assert "environment.escape_text(" in code and "str(" in code and "escape(" not in code.replace("escape_text(", "")
    assert env.get_template("page.html").render(a="<a>", b="<b>") == "&lt;a&gt;<b>"
    assert env.get_template("notes.txt").render(a="<a>") == "&lt;a&gt;"  # autoescaping's default is on


def test_compiled_templates_are_kept_under_a_name_of_this_code_generator(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ a }}", encoding="utf-8")
    make_environment([tmp_path / "templates"], tmp_path / "compiled").get_template("page.html")
    assert [path.name.startswith("build-site-1-") for path in (tmp_path / "compiled").iterdir()] == [True]


@pytest.mark.parametrize(("text", "shown"), [
    ("Requirements:\n- a\n- b", "<p>Requirements:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),  # as GitHub shows it
    ("Returns `Map<String, String>` or Map<K, V>.", "<p>Returns <code>Map&lt;String, String&gt;</code> or "
                                                     "Map&lt;K, V&gt;.</p>"),
    ("See https://example.com for more.", "<p>See https://example.com for more.</p>"),  # bare URLs stay text
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
                                        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"),
    ("~~old~~ new", "<p><del>old</del> new</p>"),
])
def test_markdown_renders_as_github_shows_it(text: str, shown: str) -> None:
    assert str(RENDER(text)).strip() == shown


@pytest.mark.parametrize("text", [
    "Usage:\n\n    It returns a result.\n    And more.",
    "Usage:\r\n\r\n    It returns a result.\r\n    And more.",
    "Returns:\n--------\n    A dict\n        - status: x\n\n        - y",
    "- é item\n\n  a paragraph\n\n      indented in the item",
])
def test_code_blocks_only_where_fenced_and_indented_text_is_kept(text: str) -> None:
    shown = str(RENDER(text))
    assert "<pre" not in shown
    assert all(word in html.unescape(shown) for word in ("result", "dict", "indented", "item") if word in text)
    fenced = str(RENDER(f"{text}\n\n- é\n\n  ```\n  kept as code\n  ```"))
    assert fenced.count("<pre>") == 1 and "kept as code" in fenced


@settings(max_examples=300)
@given(text=st.text())
def test_the_python_escaping_is_markupsafes_without_its_speedups(text: str) -> None:
    from site_builder.render.escaping import _replace_specials

    assert _replace_specials(text) == str(escape(text))


_MARKDOWN_PIECES = st.sampled_from(["word", " ", "    ", "\t", "\n", "\n\n", "\r", "\r\n", "- ", "1. ", "> ", "# ",
                                    "```", "~~~", "`", "*", "_", "[", "](", ")", "<b>", "</b>", "|", "---", "é", "😀",
                                    "\x00", "\x0b", "\x0c", "\u2028", "\u0085"])


@settings(max_examples=500, deadline=None)
@given(text=st.lists(_MARKDOWN_PIECES, max_size=60).map("".join))
def test_any_markdown_renders_and_shows_code_only_where_fenced(text: str) -> None:
    shown = str(RENDER(text))
    assert "<pre" not in shown or "```" in text or "~~~" in text
    assert "sourcepos" not in shown


@pytest.mark.parametrize(("text", "shown"), [
    ("Wraps the <style> element.\n\nSecond *paragraph* here.",
     "<p>Wraps the &lt;style&gt; element.</p>\n<p>Second <em>paragraph</em> here.</p>"),  # not the rest dropped
    ("Use the <textarea> element.\n\nThen **bold** text.",
     "<p>Use the &lt;textarea&gt; element.</p>\n<p>Then <strong>bold</strong> text.</p>"),  # nor shown as markup
    ("x\ny\n\n    ```", "<p>x\ny</p>\n<p>```</p>"),  # an indented block that starts like a fence
    ("- ```\n  abc\n  ```", "<ul>\n<li>\n<pre><code>abc\n</code></pre>\n</li>\n</ul>"),  # a list item's fence
    ("1. Install it:\n\n   ```\n   pip install x\n   ```",
     "<ol>\n<li>\n<p>Install it:</p>\n<pre><code>pip install x\n</code></pre>\n</li>\n</ol>"),
])
def test_what_a_review_found_renders_as_github_shows_it(text: str, shown: str) -> None:
    assert str(RENDER(text)).strip() == shown
