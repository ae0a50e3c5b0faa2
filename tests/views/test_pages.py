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


def test_a_server_page_shows_its_bundle_inline_only_when_it_is_short(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from site_builder.content.catalogue import load_catalogue
    from site_builder.derive import derive
    from site_builder.policy.generate import PolicyGenerator
    from site_builder.policy.recommend import load_policy_defaults
    from site_builder.views import pages
    from tests.helpers import DEFAULT_CATALOGUE

    site = derive(load_catalogue(DEFAULT_CATALOGUE))
    generator = PolicyGenerator(load_policy_defaults())
    sizes = {}
    for server in site.servers:
        bundles = generator.for_server(server)
        sizes[server.slug] = (server, bundles, len(bundles[0].intercept) + len(bundles[0].gateway))
    small = min(sizes.values(), key=lambda item: item[2])
    large = max(sizes.values(), key=lambda item: item[2])
    monkeypatch.setattr(pages, "BUNDLE_INLINE_LIMIT", small[2])
    assert pages.server_context(small[0], small[1])["bundle_inline"]
    shown = pages.server_context(large[0], large[1])
    assert not shown["bundle_inline"] and shown["bundle_size"] == f"{large[2]:,}"
