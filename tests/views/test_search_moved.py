"""The search index patched for an edit that adds or removes tools (views/search_moved.py) equals the index
made from scratch."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from site_builder.views.parts import RawDoc, raw_doc
from site_builder.views.search import CHUNK
from site_builder.views.search_moved import ServerDocs, patch_moved_index
from site_builder.views.search_patch import PatchedIndex, Postings, StalePostings
from tests.views.test_search import doc
from tests.views.test_search_patch import _index, _raw, _tree, _written, adopted


def _patched(docs: list[RawDoc], servers: list[ServerDocs], tmp_path: Path) -> Path:
    """The index of `docs` written as the live site, then patched with `servers` into another folder."""
    live = tmp_path / "live"
    old = _index(docs)
    postings = Postings(old.name_postings, old.text_postings, len(old.docs), _written(old, live))
    patched: PatchedIndex = patch_moved_index(Postings.decode(postings.encode()) or postings, servers, live)
    return adopted(patched, live, tmp_path)


def _edited(docs: list[RawDoc], servers: list[ServerDocs]) -> list[RawDoc]:
    edited, place = [], 0
    for server in servers:
        edited += docs[place:server.start] + list(server.new)
        place = server.start + len(server.old)
    return edited + docs[place:]


@pytest.mark.parametrize("seed", range(16))
def test_documents_added_and_removed_give_the_index_made_from_scratch(tmp_path: Path, seed: int) -> None:
    """Servers (runs of documents) gain and lose documents, one or several, at the start, in the middle, at
    the end, down to none: every later document moves, and the patched index is the one made from scratch."""
    rng = random.Random(seed)
    sizes = [rng.randint(0, 9) for _ in range(rng.choice([6, 40]))]
    starts = [sum(sizes[:number]) for number in range(len(sizes))]
    docs = [_raw(number, rng) for number in range(sum(sizes))]
    chosen = sorted(rng.sample(range(len(sizes)), rng.randint(1, 3)))
    if seed % 4 == 0:
        chosen = [len(sizes) - 1]  # the last server: no document after it moves
    servers = []
    for number in chosen:
        old = tuple(docs[starts[number]:starts[number] + sizes[number]])
        new = [*old]
        for _ in range(rng.randint(1, 3)):
            if new and rng.random() < 0.5:
                del new[rng.randrange(len(new))]
            else:
                added = _raw(rng.randrange(1000), rng)
                if rng.random() < 0.3:
                    added[2] += " brandnewword" + str(seed)  # a word no document had
                new.insert(rng.randint(0, len(new)), added)
        servers.append(ServerDocs(starts[number], old, tuple(new)))
    patched = _patched(docs, servers, tmp_path)
    clean = tmp_path / "clean"
    _written(_index(_edited(docs, servers)), clean)
    assert _tree(patched) == _tree(clean)


def test_a_word_turns_common_or_back_as_the_count_of_documents_moves(tmp_path: Path) -> None:
    """Past 20,000 documents a word is common in more than 5% of them: in 2,001 of 40,000 it is, and 20
    documents more (none of them with it) make it a word to index again, its shard and vocabulary with it."""
    docs = [raw_doc(doc(f"tool_{n}", "usual words" if n < 2001 else "words", n)) for n in range(40_000)]
    added = tuple(raw_doc(doc(f"added_{n}", "other", 40_000 + n)) for n in range(20))
    servers = [ServerDocs(39_990, tuple(docs[39_990:]), tuple(docs[39_990:]) + added)]
    patched = _patched(docs, servers, tmp_path)
    clean = tmp_path / "clean"
    _written(_index(_edited(docs, servers)), clean)
    assert b'"usual"' in (tmp_path / "live" / "search" / "manifest.json").read_bytes()
    assert b'"usual"' not in (clean / "search" / "manifest.json").read_bytes()
    assert _tree(patched) == _tree(clean)


def test_records_that_are_not_the_live_sites_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    rng = random.Random(3)
    docs = [_raw(number, rng) for number in range(3 * CHUNK)]
    live = tmp_path / "live"
    old = _index(docs)
    files = _written(old, live)
    other = _raw(5, random.Random(99))
    with pytest.raises(StalePostings):  # the server's old document is not the one indexed
        patch_moved_index(Postings(old.name_postings, old.text_postings, len(docs), files),
                          [ServerDocs(4, (docs[4], other), (docs[4],))], live)
    chunk = live / "search" / "docs" / "2.json"  # a live record after the change, changed by hand
    chunk.write_bytes(chunk.read_bytes().replace(b"Server", b"Sorver", 1))
    old = _index(docs)
    with pytest.raises(StalePostings):
        patch_moved_index(Postings(old.name_postings, old.text_postings, len(docs), files),
                          [ServerDocs(4, (docs[4], docs[5]), (docs[4],))], live)
