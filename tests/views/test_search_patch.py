"""The search index patched for an edit (views/search_patch.py) equals the index made from scratch."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from site_builder.output.writer import OutputWriter
from site_builder.views.parts import RawDoc, raw_doc
from site_builder.views.search import SearchIndex
from site_builder.views.search_patch import DocChange, PatchedIndex, Postings, StalePostings, patch_index
from tests.views.test_search import doc

WORDS = ["alpha", "alps", "abacus", "abate", "beta", "bets", "gamma", "delta", "deltas", "zeta", "ünïcode", "x1",
         "fetch", "fetches", "file", "files", "record", "records", "order", "orders", "common"]


def _raw(number: int, rng: random.Random) -> RawDoc:
    name = "_".join(rng.sample(WORDS[:12], 2)) + f"_{number % 7}"
    return raw_doc(doc(name, " ".join(rng.sample(WORDS, rng.randint(0, 6))), number))


def _index(docs: list[RawDoc]) -> SearchIndex:
    index = SearchIndex()
    for one in docs:
        index.add_raw(one)
    return index


def _written(index: SearchIndex, root: Path) -> dict[str, list[int]]:
    root.mkdir(parents=True)
    writer = OutputWriter(root)
    for path, text in index.files():
        writer.write(f"search/{path}", text)
    return {path[len("search/"):]: writer.identity(path) for path in writer.sizes}


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _patched(docs: list[RawDoc], changes: list[DocChange], tmp_path: Path) -> Path:
    """The index of `docs` written as the live site, then patched with `changes` into another folder."""
    live = tmp_path / "live"
    old = _index(docs)
    postings = Postings(old.name_postings, old.text_postings, len(old.docs), _written(old, live))
    patched = patch_index(Postings.decode(postings.encode()) or postings, changes, live)
    return adopted(patched, live, tmp_path)


def adopted(patched: PatchedIndex, live: Path, tmp_path: Path) -> Path:
    """The patched index written beside, then adopted into a folder of its own as a build does."""
    side, new = tmp_path / "side", tmp_path / "new"
    side.mkdir()
    new.mkdir()
    writer = OutputWriter(side)
    written = patched.write(writer, live)
    site = OutputWriter(new)  # as the build adopts them: written beside, the others taken from the live site
    site.adopt(writer.sizes, side, (), writer.taken, live)
    assert written.files == {path[len("search/"):]: site.identity(path) for path in site.sizes}
    return new


@pytest.mark.parametrize("seed", range(12))
def test_a_patched_index_equals_the_index_made_from_scratch(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    docs = [_raw(number, rng) for number in range(rng.choice([40, 300]))]
    edited, changes = list(docs), []
    for doc_id in rng.sample(range(len(docs)), rng.randint(1, 5)):
        new = _raw(doc_id, rng)
        new[4], new[5] = rng.randrange(4), rng.randrange(5)  # another risk and category too
        if rng.random() < 0.3:
            new[2] += " brandnewword" + str(seed)  # a word no document had: a new vocabulary entry
        changes.append(DocChange(doc_id, docs[doc_id], new))
        edited[doc_id] = new
    patched = _patched(docs, changes, tmp_path)
    clean = tmp_path / "clean"
    _written(_index(edited), clean)
    assert _tree(patched) == _tree(clean)


def test_a_word_that_becomes_common_leaves_the_shards_and_the_vocabulary(tmp_path: Path) -> None:
    """1,000 of 2,100 documents hold "common": one more and it is too common to index (search.COMMON_SHARE)."""
    docs = [raw_doc(doc(f"tool_{n}", "common words" if n < 1000 else "words", n)) for n in range(2100)]
    new = raw_doc(doc("tool_2000", "common words", 2000))
    changes = [DocChange(2000, docs[2000], new)]
    patched = _patched(docs, changes, tmp_path)
    clean = tmp_path / "clean"
    _written(_index(docs[:2000] + [new] + docs[2001:]), clean)
    assert b'"common"' in (clean / "search" / "manifest.json").read_bytes()
    assert _tree(patched) == _tree(clean)
    back = _patched(docs[:2000] + [new] + docs[2001:], [DocChange(2000, new, docs[2000])], tmp_path / "back")
    assert _tree(back) == {path: text for path, text in _tree(tmp_path / "live").items()}


def test_postings_that_are_not_the_live_sites_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    rng = random.Random(1)
    docs = [_raw(number, rng) for number in range(50)]
    live = tmp_path / "live"
    old = _index(docs)
    files = _written(old, live)
    other = _raw(3, random.Random(99))
    with pytest.raises(StalePostings):  # the change's old document is not the one indexed
        patch_index(Postings(old.name_postings, old.text_postings, 50, files), [DocChange(3, other, docs[3])], live)
    chunk = live / "search" / "docs" / "1.json"  # a live file no change touches, changed by hand: same size
    chunk.write_bytes(chunk.read_bytes().replace(b"Server", b"Sorver", 1))
    old = _index(docs)
    with pytest.raises(StalePostings):
        patch_index(Postings(old.name_postings, old.text_postings, 50, files), [DocChange(3, docs[3], docs[3])], live)
    assert Postings.decode(b"[1, 2]\n") is None and Postings.decode(b"garbage") is None
