from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from site_builder.content.slugs import server_slug, slugify

SAFE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@given(st.text(min_size=1, max_size=300))
def test_any_name_gives_a_safe_stable_slug(name: str) -> None:
    slug = slugify(name)
    assert SAFE.match(slug) and len(slug) <= 80
    assert slugify(name) == slug


@given(st.text(min_size=1, max_size=40))
def test_case_variants_never_share_a_slug(name: str) -> None:
    variants = {name, name.upper(), name.lower(), name.swapcase()}
    assert len({slugify(v) for v in variants}) == len(variants)


def test_clean_names_keep_their_spelling() -> None:
    assert slugify("image_to_video") == "image_to_video"
    assert slugify("Image-to-Video").startswith("image-to-video-")
    assert slugify("..").startswith("t-") and slugify("con").startswith("con-")


def test_server_slugs_are_readable() -> None:
    assert server_slug("wwwzhouhui/jimeng-mcp-server") == "wwwzhouhui-jimeng-mcp-server"
    assert server_slug("MongoDB MCP Server") == "mongodb-mcp-server"
