"""Tuples whose repr is a digest of their items' (content/short_repr.py)."""

from __future__ import annotations

import pickle

from site_builder.content.short_repr import ShortReprTuple


class Links(ShortReprTuple[str]):
    pass


def test_the_repr_is_short_the_same_for_the_same_items_and_differs_for_any_other() -> None:
    long = Links(["a" * 1000, "b"])
    assert repr(long).startswith("Links#") and len(repr(long)) == len("Links#") + 32
    assert repr(Links(["a" * 1000, "b"])) == repr(long) == repr(pickle.loads(pickle.dumps(long)))
    variants = [Links(["a" * 1000]), Links(["b", "a" * 1000]), Links(["a" * 999, "b"]), Links([])]
    assert len({repr(long), *map(repr, variants)}) == 1 + len(variants)
    assert long == ("a" * 1000, "b")  # still the tuple it holds
