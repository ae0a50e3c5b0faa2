"""Quoted YAML scalars read back as exactly the text, with or without the shortcut for plain ASCII."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.policy.yamltext import _ESCAPE, _escape, quote

_ASCII = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=60)


@settings(max_examples=500)
@given(text=st.one_of(_ASCII, st.text(max_size=60)))
def test_a_quoted_text_reads_back_as_itself_and_as_the_escaping_writes_it(text: str) -> None:
    assert quote(text) == '"' + _ESCAPE.sub(_escape, text) + '"'
    assert yaml.safe_load(quote(text)) == text
