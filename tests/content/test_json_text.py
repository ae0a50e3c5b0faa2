from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.content.json_text import compact_json

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_compact_json_reads_back_as_json_dumps_does(value: object) -> None:
    text = compact_json(value)
    assert json.loads(text) == json.loads(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def test_compact_json_is_json_dumps_text_and_takes_what_orjson_refuses() -> None:
    value = {"name": "é 😀 <b>&", "n": [1, 2.5, None, True], "big": 2**70}
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert compact_json({1: "a"}) == '{"1":"a"}'
    assert compact_json({"x": 1e-07}) == '{"x":1e-7}'  # the one difference: the same number
