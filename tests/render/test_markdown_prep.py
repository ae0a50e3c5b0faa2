"""Lists written straight after a line of text, as tool descriptions do, render as lists."""

from __future__ import annotations

from site_builder.render.markdown_prep import loose_lists
from site_builder.render.markdown_render import MarkdownRenderer


def test_a_list_after_a_line_of_text_gets_its_blank_line() -> None:
    assert loose_lists("Requirements:\n- a\n- b") == "Requirements:\n\n- a\n- b"
    assert loose_lists("Steps:\n1. a\n2) b") == "Steps:\n\n1. a\n2) b"
    assert loose_lists("Intro\n  - indented, as GitHub shows a list") == "Intro\n\n  - indented, as GitHub shows a list"


def test_text_already_loose_fenced_code_and_indented_lines_are_left_as_written() -> None:
    for text in ("Intro\n\n- a\n- b", "```\nx\n- not a list\n```", "    code\n    - item", "- a\n- b",
                 "a - b - c", "-1 is negative"):
        assert loose_lists(text) == text


def test_the_rendered_description_shows_the_items_as_a_list() -> None:
    html = MarkdownRenderer()("Run code in a dyno.\n\nRequirements:\n- Show command output\n- Use stdout")
    assert "<ul>\n<li>Show command output</li>\n<li>Use stdout</li>\n</ul>" in html


def test_an_indented_paragraph_after_a_flush_one_is_text_not_code() -> None:
    """Shopify's `validate`: flush paragraphs, then docstring paragraphs indented four spaces."""
    html = MarkdownRenderer()("Validate code.\n\n\n    It returns a result for each block.\n    Use it.")
    assert "<pre" not in html and "It returns a result for each block." in html
    assert "<pre><code>x = 1\n</code></pre>" in MarkdownRenderer()("Example:\n\n```\nx = 1\n```")
