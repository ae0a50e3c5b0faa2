from __future__ import annotations

from site_builder.views.pages import _sentence, faq_jsonld


def test_json_ld_text_is_plain_text_not_html() -> None:
    data = faq_jsonld([("What does <b>x</b> do?", 'It runs <script>alert(1)</script> & "more"')])
    question = data["mainEntity"][0]
    assert question["name"] == "What does &lt;b&gt;x&lt;/b&gt; do?"
    assert question["acceptedAnswer"]["text"] == 'It runs &lt;script&gt;alert(1)&lt;/script&gt; &amp; "more"'


def test_a_description_always_ends_its_sentence() -> None:
    assert _sentence("Search for users by provided name") == "Search for users by provided name."
    assert _sentence("Done!") == "Done!" and _sentence("完成。") == "完成。" and _sentence("") == ""
