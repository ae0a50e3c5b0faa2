"""One-line text: the same line as cleaning and flattening the whole text, read only as far as the cut needs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.content.one_line import ELLIPSIS, OneLine
from site_builder.policy.yamltext import _COMMENT_UNSAFE
from site_builder.render.render import _XML_INVALID


def whole_text_line(unsafe: re.Pattern[str], text: str, limit: int) -> str:
    """The definition: clean and flatten all of the text, then cut."""
    flat = " ".join(unsafe.sub(" ", text).split())
    return flat[: limit - 1].rstrip() + ELLIPSIS if limit and len(flat) > limit else flat


# words, whitespace runs of every kind, and characters each pattern replaces, long enough to pass the first read
_PIECES = st.sampled_from(["word", "é", "😀", " ", "   ", "\n", "\t", "\r\n", "\x00", "\x07", "\x1f", "\x7f", "\x85",
                           "\u2028", "\u200b", "\ufeff", "\ufffe", "\ud800", "\xa0", "x" * 40, " " * 300])
_TEXTS = st.lists(_PIECES, max_size=120).map("".join) | st.text(max_size=400)


@pytest.mark.parametrize("unsafe", [_XML_INVALID, _COMMENT_UNSAFE], ids=["plain", "comment"])
@settings(max_examples=400, deadline=None)
@given(text=_TEXTS, limit=st.sampled_from([0, 1, 2, 10, 60, 100, 150, 400]))
def test_the_line_is_the_whole_texts(unsafe: re.Pattern[str], text: str, limit: int) -> None:
    assert OneLine(unsafe)(text, limit) == whole_text_line(unsafe, text, limit)
    kept = _KEEPING[unsafe.pattern]  # one that has made lines before, this text's among them at other cuts
    for cut in (limit, 60, 0, limit):
        assert kept(text, cut) == whole_text_line(unsafe, text, cut)


_KEEPING = {pattern.pattern: OneLine(pattern) for pattern in (_XML_INVALID, _COMMENT_UNSAFE)}


def test_a_long_text_is_read_only_as_far_as_the_cut() -> None:
    line = OneLine(_XML_INVALID)
    read: list[int] = []
    flat = line.flat
    line.flat = lambda text: read.append(len(text)) or flat(text)  # type: ignore[method-assign]
    assert line("word " * 100_000, 150) == ("word " * 30)[:149].rstrip() + ELLIPSIS
    assert read == [OneLine.read_at_first(150)]


def test_a_long_text_whose_start_is_blank_is_read_whole() -> None:
    text = " " * 1000 + "the description"
    assert OneLine(_XML_INVALID)(text, 150) == "the description"


def test_a_pattern_that_would_replace_printable_ascii_is_refused() -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        OneLine(re.compile("[a-z]"))
