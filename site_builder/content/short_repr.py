"""Tuples whose repr is short, exact and made once: what a unit's digest is made of (build/units.py)."""

from __future__ import annotations

import hashlib
from typing import TypeVar

_Item = TypeVar("_Item")


class ShortReprTuple(tuple[_Item, ...]):
    """A tuple whose repr is `<class name>#<digest of its items' reprs>`, made once: a value held by many
    units (a tool's attack links, a run's related tools) is hashed once, however many reprs hold it."""

    def __repr__(self) -> str:
        text = self.__dict__.get("text")
        if text is None:
            digest = hashlib.blake2b(repr(tuple(self)).encode("utf-8", "surrogatepass"), digest_size=16)
            text = self.__dict__["text"] = f"{type(self).__name__}#{digest.hexdigest()}"
        return str(text)
