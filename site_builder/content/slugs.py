"""URL slugs: stable, URL-safe, unique, and safe as file names on any filesystem.

A name that is already a clean lowercase slug keeps its spelling
(`image_to_video`).  Any other name (capitals, dots, spaces, unicode, `..`)
gets a readable ASCII part plus a short hash of the exact name, so that
`GetUser`, `getuser` and `get.user` never share a URL, the URL never changes
when other tools are added, and case-insensitive filesystems cannot merge two
pages.  Nothing of the original name reaches a path unfiltered.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_CLEAN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_NOT_SLUG = re.compile(r"[^a-z0-9_]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
     "index", "assets", "search"}
)
MAX_READABLE = 60


def name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def readable_slug(text: str) -> str:
    """Lowercase ASCII letters, digits, `_` and `-` only; may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    readable = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-_")[:MAX_READABLE].strip("-_")
    return re.sub(r"-{2,}", "-", readable)


def slugify(name: str) -> str:
    """A stable, unique slug for a tool name; see the module doc."""
    if _CLEAN.match(name) and name not in _RESERVED:
        return name
    readable = readable_slug(name)
    suffix = name_hash(name)
    return f"{readable}-{suffix}" if readable else f"t-{suffix}"


def server_slug(server_id: str) -> str:
    """A readable slug from a server id; clashes between servers are reported
    by the loader and fixed with an explicit `slug:`."""
    readable = readable_slug(server_id.replace("/", "-"))
    return readable if readable and readable not in _RESERVED else f"s-{name_hash(server_id)}"
