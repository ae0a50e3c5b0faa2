"""catalogue.json, llms-full.txt and the search index patched from the live site's in an edit
(build/stream_patch.py, stream_state.py): the same files as a clean build, and made whole whenever the
state is not the live site's."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from site_builder.build import streams as streams_module
from site_builder.build.build import BuildRequest, run_build
from site_builder.build.stream_state import STATE, _name

from tests.helpers import edit_text
from tests.output.test_lock import small_project

PATCHED, WHOLE = "patched", "whole"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _flip_a_byte_of_the_postings(state: Path) -> None:
    """Damage the kept postings so that they still decode: a code changed (the state's digest is wrong)."""
    data = bytearray(state.read_bytes())
    data[-3] ^= 1
    state.write_bytes(bytes(data))


def _edit_live_search_file(site: Path) -> None:
    """A hand edit of the live site's index that keeps the file's size."""
    path = max((site / "search" / "docs").iterdir(), key=lambda p: int(p.stem))
    data = path.read_bytes()
    path.write_bytes(data[:-2] + (b"x" if data[-2:-1] != b"x" else b"y") + data[-1:])


@pytest.fixture()
def ways(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each build made the three files: PATCHED or WHOLE."""
    seen: list[str] = []
    real_patch, real_whole = streams_module.patch_part_files, streams_module.write_part_files

    def patch(*args: Any) -> Any:
        result = real_patch(*args)
        seen.append(PATCHED)
        return result

    def whole(*args: Any) -> Any:
        seen.append(WHOLE)
        return real_whole(*args)

    monkeypatch.setattr(streams_module, "patch_part_files", patch)
    monkeypatch.setattr(streams_module, "write_part_files", whole)
    return seen


ADDED_TOOL = """- name: added_tool
  description: Read one added thing, with brandnewword
  classification:
    category: read
    rationale: Reads one thing.
    evidence: Read one added thing
    confidence: high
  added: 2026-12-01
"""


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_edits_patch_the_files_and_equal_a_clean_build_and_any_doubt_makes_them_whole(
        tmp_path: Path, ways: list[str]) -> None:
    config = small_project(tmp_path / "project")
    catalogue = tmp_path / "project" / "catalogue"
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0)
    site = tmp_path / "site"
    memory, asana = catalogue / "memory.yaml", catalogue / "asana.yaml"
    state = tmp_path / "project" / ".build-cache" / _name(site, STATE)

    def rewrite_live_catalogue() -> None:  # the same bytes, another file: not the one the state describes
        data = (site / "catalogue.json").read_bytes()
        (site / "catalogue.json").unlink()
        (site / "catalogue.json").write_bytes(data)

    steps: list[tuple[Callable[[], object], str]] = [
        (lambda: None, WHOLE),  # the first build
        (lambda: edit_text(memory, "description: ", "description: Edited, with brandnewword. "), PATCHED),
        (lambda: edit_text(memory, "category: read", "category: destructive"), PATCHED),
        (lambda: edit_text(memory, "Edited, with brandnewword. ", ""), PATCHED),  # the word leaves the vocabulary
        (lambda: (rewrite_live_catalogue(), edit_text(memory, "description: ", "description: Again. ")), WHOLE),
        (lambda: (state.write_bytes(state.read_bytes()[:-9]), edit_text(memory, "Again. ", "")), WHOLE),  # damaged
        (lambda: edit_text(memory, "description: ", "description: Once more. "), PATCHED),
        (lambda: (_flip_a_byte_of_the_postings(state), edit_text(memory, "Once more. ", "")), WHOLE),  # damaged, parses
        (lambda: (_edit_live_search_file(site), edit_text(memory, "description: ", "description: Twice. ")), WHOLE),
        (lambda: edit_text(memory, "Twice. ", ""), PATCHED),
        (lambda: _append(asana, ADDED_TOOL), PATCHED),  # a tool more on the first server: memory's documents move
        (lambda: (_append(memory, ADDED_TOOL), edit_text(asana, ADDED_TOOL, "")), PATCHED),  # one more, one fewer
        (lambda: edit_text(memory, ADDED_TOOL, ""), PATCHED),
        (lambda: (catalogue / "memory-two.yaml").write_text(memory.read_text(encoding="utf-8").replace(  # added
            "slug: memory", "slug: memory-two").replace("server-memory", "server-memory-two"), encoding="utf-8"),
         PATCHED),  # a server added last
        (lambda: (catalogue / "asana-two.yaml").write_text(asana.read_text(encoding="utf-8").replace(
            "slug: asana", "slug: asana-two").replace("id: ", "id: two-", 1), encoding="utf-8"),
         PATCHED),  # a server added between two: every later document moves
        (lambda: ((catalogue / "memory-two.yaml").unlink(), edit_text(asana, "description: ", "description: Then. ")),
         PATCHED),  # a server removed and another changed
        (lambda: (catalogue / "asana-two.yaml").unlink(), PATCHED),
    ]
    for number, (step, way) in enumerate(steps):
        step()
        run_build(request)
        assert ways[-1] == way, (number, ways)
        run_build(BuildRequest(config_file=config, out=tmp_path / "clean", jobs=1, verbosity=0, clean=True))
        assert _tree(site) == _tree(tmp_path / "clean"), number
    assert state.is_file()
    run_build(BuildRequest(**{**request.__dict__, "clean": True}))
    assert ways[-1] == WHOLE, "a clean build makes them whole"


def test_on_a_filesystem_without_hard_links_the_unchanged_index_files_are_copied(
        tmp_path: Path, ways: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    config = small_project(tmp_path / "project")
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0)
    run_build(request)
    edit_text(tmp_path / "project" / "catalogue" / "memory.yaml", "description: ", "description: Edited. ")

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    run_build(request)
    assert ways == [WHOLE, PATCHED]
    monkeypatch.undo()
    run_build(BuildRequest(config_file=config, out=tmp_path / "clean", jobs=1, verbosity=0, clean=True))
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


@pytest.mark.parametrize("seed", range(20))
def test_a_file_of_one_text_per_server_patched_is_the_file_written_whole(tmp_path: Path, seed: int) -> None:
    """Servers changed, added (first, between two, last) and removed: the live file's runs of kept servers
    copied, the others written, give the file written whole, and each server's place in it."""
    import random

    from site_builder.build.stream_patch import _pieces, align
    from site_builder.build.stream_state import ServerSpan, StreamState
    from site_builder.build.rows import StreamInputs
    from site_builder.derive import Counts
    from site_builder.views.search_patch import Postings

    rng = random.Random(seed)
    old_slugs = sorted(rng.sample([f"s{n:02d}" for n in range(40)], rng.randint(1, 12)))
    new_slugs = sorted(set(rng.sample(old_slugs, max(0, len(old_slugs) - rng.randint(0, 2))))
                       | set(rng.sample([f"s{n:02d}" for n in range(40)], rng.randint(0, 3)))) or old_slugs[:1]
    keys = {slug: f"key-{slug}" for slug in old_slugs}
    new_keys = {slug: keys[slug] if slug in keys and rng.random() < 0.7 else f"new-{slug}" for slug in new_slugs}
    text = {key: f"<{key} {'x' * rng.randint(0, 20)}>".encode() for key in [*keys.values(), *new_keys.values()]}

    def whole(slugs: list[str], of: dict[str, str]) -> tuple[bytes, list[tuple[int, int]]]:
        data, spans = b"HEAD", []
        for number, slug in enumerate(slugs):
            data += b",\n" if number else b""
            spans.append((len(data), len(data) + len(text[of[slug]])))
            data += text[of[slug]]
        return data + b"TAIL", spans

    old_file, old_spans = whole(old_slugs, keys)
    (tmp_path / "live").write_bytes(old_file)
    state = StreamState(tuple(ServerSpan(slug, keys[slug], 1, span, span) for slug, span in zip(old_slugs, old_spans)),
                        {}, Postings({}, {}, len(old_slugs), {}))
    inputs = StreamInputs(tuple((f"{slug}.yaml", slug, new_keys[slug]) for slug in new_slugs), Counts(0, {}, {}))
    aligned = align(state, inputs)
    pieces, spans = _pieces(str(tmp_path / "live"), b"HEAD", b",\n", b"TAIL", list(old_spans), aligned.kept,
                            {number: text[new_keys[new_slugs[number]]] for number in aligned.changed})
    patched = b"".join(piece if isinstance(piece, bytes) else old_file[piece[1]:piece[1] + piece[2]]
                       for piece in pieces)
    assert (patched, spans) == whole(new_slugs, new_keys)
    kept = aligned.kept  # each run of servers next to each other in the live file and the new one: one copy
    runs = sum(1 for n, old in enumerate(kept) if old is not None and (n == 0 or kept[n - 1] != old - 1))
    assert sum(isinstance(piece, tuple) for piece in pieces) == runs
    removed = set(old_slugs) - set(new_slugs)
    assert {old_slugs[number] for number in aligned.replaced} == removed | {
        slug for slug in set(old_slugs) & set(new_slugs) if keys[slug] != new_keys[slug]}
