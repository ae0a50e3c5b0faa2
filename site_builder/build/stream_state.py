"""What the files made from the parts were made of in the live site, kept so that an edit patches them.

catalogue.json, llms-full.txt and the search index are made from every
server's part (streams.py).  Remade whole, they cost an edit at 100k tools
a second of a core: 400 MB written and 2.8M postings gathered.  An edit
that changes a few servers (the same slugs, so the same order of servers)
needs only those servers' bytes replaced and those documents' postings
patched, and the later documents' moved if the servers gained or lost
tools (views/search_moved.py).

So the stream keeps, per output: each server's slug, part key, tools, and
where its record and its section lie in the live catalogue.json and
llms-full.txt; the identity (size, time, inode) of those two files and of
every search file; and the search index's postings (search_patch.Postings),
after a digest of it all.  The next edit copies
the unchanged ranges from the live files (the kernel copies them), writes
the changed servers' bytes, and patches the index.  The stream writes the
state as `stream-state.next`; the build makes it the state only once the
site it describes is live (commit).  A state that does not match the live
site (another build, a hand edit, a damaged cache: one byte of it) is not
used: the files are made whole, as without one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..output.files import file_identity
from ..views.search_patch import Postings
from .manifest import STREAM_STATE_FILES, outputs_folder
from .store import CACHE_FORMAT, CacheStore

STATE, NEXT = STREAM_STATE_FILES
IDENTIFIED = ("catalogue.json", "llms-full.txt")  # the files whose identity the state keeps
PATCH_MAX_SERVERS = 32  # more servers changed than this, and the files are made whole


@dataclass(frozen=True)
class ServerSpan:
    """A server in the live catalogue.json and llms-full.txt: its slug, part key and tools, and where its
    record and its section lie (start, end)."""

    slug: str
    part_key: str
    tools: int
    record: tuple[int, int]
    section: tuple[int, int]


@dataclass(frozen=True)
class StreamState:
    servers: tuple[ServerSpan, ...]  # in the files' order
    identities: dict[str, list[int]]  # catalogue.json and llms-full.txt: [size, mtime_ns, inode]
    postings: Postings

    def encode(self) -> bytes:
        """The state after a digest of it, which decode checks: a damaged state that still parses would
        patch the files wrong, and every later one with them."""
        servers = [[s.slug, s.part_key, s.tools, *s.record, *s.section] for s in self.servers]
        body = orjson.dumps([CACHE_FORMAT, servers, self.identities]) + b"\n" + self.postings.encode()
        return _digest(body) + b"\n" + body

    @classmethod
    def decode(cls, raw: bytes) -> StreamState | None:
        """The state in `raw`, or None if it is not a whole state of this format, as encode made it."""
        start = raw.find(b"\n") + 1
        end = raw.find(b"\n", start)
        try:
            if start == 0 or end < 0 or raw[:start - 1] != _digest(memoryview(raw)[start:]):
                return None
            version, servers, identities = orjson.loads(raw[start:end])
            postings = Postings.decode(raw[end + 1:]) if version == CACHE_FORMAT else None
            if postings is None or not isinstance(identities, dict) or sorted(identities) != sorted(IDENTIFIED):
                return None
            return cls(tuple(_span(*server) for server in servers), identities, postings)
        except (ValueError, TypeError):
            return None


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=16).hexdigest().encode()


def _span(slug: str, part_key: str, tools: int, *offsets: int) -> ServerSpan:
    if not (isinstance(slug, str) and isinstance(part_key, str) and isinstance(tools, int) and len(offsets) == 4
            and set(map(type, offsets)) <= {int}):
        raise ValueError("not a server's span")
    return ServerSpan(slug, part_key, tools, (offsets[0], offsets[1]), (offsets[2], offsets[3]))


def _name(out: Path, name: str) -> str:
    return f"{outputs_folder(out)}/{name}"


def load_state(cache_dir: Path, out: Path) -> StreamState | None:
    """The state of the live site `out`, if the cache has it and the live files are those it describes."""
    raw = CacheStore(cache_dir).read_bytes(_name(out, STATE))
    state = StreamState.decode(raw) if raw is not None else None
    try:
        if state is None or any(file_identity(out / name) != value for name, value in state.identities.items()):
            return None
    except OSError:
        return None
    return state


def save_next_state(cache_dir: Path, out: Path, state: StreamState | None) -> None:
    """Keep the state of the files this build made (None: forget any), for commit_state."""
    if state is None:
        CacheStore(cache_dir).remove(_name(out, NEXT))
    else:
        CacheStore(cache_dir).write_bytes(_name(out, NEXT), state.encode())


def commit_state(cache_dir: Path, out: Path) -> None:
    """The build's site is live: its state (if its stream kept one) is the state; else there is none."""
    CacheStore(cache_dir).promote(_name(out, NEXT), _name(out, STATE))
