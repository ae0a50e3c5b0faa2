"""Output units: a unit's digest is made of exactly the inputs it is rendered from, and an edit re-renders
exactly the units whose inputs show it."""

from __future__ import annotations

import dataclasses
import enum
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from site_builder.build import load as load_module
from site_builder.build import plan as plan_module
from site_builder.build.build import BuildRequest, run_build
from site_builder.build.manifest import load_output_manifest
from site_builder.build.plan import SITE_GROUP
from site_builder.build.load import Catalogue
from site_builder.build.units import AttacksByFile, ServerInputs, canonical, unit_digest
from site_builder.content.attacks import AttackLink, attack_links, load_attacks
from site_builder.content.catalogue import load_catalogue
from site_builder.content.models import Category, Risk
from site_builder.derive import derive_server
from site_builder.output.swap import marker_identity
from site_builder.views.index import SiteIndex, ToolLink, summarize
from site_builder.views.listings import ListingInputs, listing_pages, servers_page
from site_builder.views.site_files import INDEX_PAGES_GROUP
from site_builder.views.sitemaps import SITEMAPS_GROUP

from tests.helpers import DEFAULT_CATALOGUE, ROOT, edit_text, project_config


def _variants(value: Any) -> Iterator[Any]:
    """Every value that differs from `value` in one leaf (a string, a number, an enum member)."""
    if isinstance(value, enum.Enum):
        yield next(member for member in type(value) if member is not value)
    elif isinstance(value, str):
        yield value + "!"
    elif isinstance(value, int):
        yield value + 1
    elif isinstance(value, tuple):
        for number, item in enumerate(value):
            for variant in _variants(item):
                yield value[:number] + (variant,) + value[number + 1:]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.init:
                for variant in _variants(getattr(value, field.name)):
                    yield dataclasses.replace(value, **{field.name: variant})  # type: ignore[type-var]
    else:
        raise AssertionError(f"no variants of {value!r}")


LINK = ToolLink("read", "tools/b/read/", "B", "servers/b/", Category.READ, Risk.LOW)
SERVER = ServerInputs("a.yaml", "hash", ((LINK,), ()), ((AttackLink("ssrf", "SSRF"),), ()))
LISTING = ListingInputs("risk/low/", "Low risk tools", "Risk levels", "risk/", "risk-low", "Tools classified low.",
                        (("B", "servers/b/", 1),), 0, (LINK,), 1, 1, "risk/low/", 1, ("B", "B"))


@pytest.mark.parametrize("inputs, leaves", [(SERVER, 2 + 6 + 2), (LISTING, 6 + 3 + 1 + 6 + 6)])
def test_a_change_to_any_field_of_a_units_inputs_changes_its_digest(inputs: object, leaves: int) -> None:
    base = unit_digest("context", inputs)
    assert unit_digest("context", dataclasses.replace(inputs)) == base  # type: ignore[type-var]
    assert unit_digest("another context", inputs) != base
    digests = [unit_digest("context", variant) for variant in _variants(inputs)]
    assert len(digests) == leaves  # every field, and every field of the links and rows it holds
    assert base not in digests and len(set(digests)) == len(digests)


def test_an_inputs_value_without_a_stable_text_is_refused() -> None:
    with pytest.raises(TypeError, match="stable repr"):
        canonical(ServerInputs("a.yaml", "hash", ((), ), ((object(),),)))  # type: ignore[arg-type]


def test_a_servers_attack_links_and_their_text_are_those_of_each_of_its_tools_exposures() -> None:
    summaries = {server.file: summarize(derive_server(server)) for server in load_catalogue(DEFAULT_CATALOGUE).servers}
    patterns = load_attacks(ROOT / "content" / "attacks")
    attacks = AttacksByFile(Catalogue(DEFAULT_CATALOGUE, {}, [], summaries, {}, {}), patterns)
    sizes = set()
    for name, summary in summaries.items():
        expected = tuple(attack_links(patterns, exposure) for exposure in summary.exposures)
        assert attacks[name] == expected and attacks.text(name) == canonical(expected), name
        sizes.add(min(len(expected), 2))
    assert sizes == {1, 2} and any(attacks[name] for name in summaries)  # one tool and more; some linked
    assert list(attacks) == list(summaries) and len(attacks) == len(summaries)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _config(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A site of the default catalogue and attack patterns, copied to be edited: (config, catalogue, attacks)."""
    catalogue, attacks = tmp_path / "catalogue", tmp_path / "attacks"
    shutil.copytree(DEFAULT_CATALOGUE, catalogue)
    shutil.copytree(ROOT / "content" / "attacks", attacks)
    config = project_config(tmp_path, catalogue, cache=tmp_path / "cache", attacks=attacks)
    return config, catalogue, attacks


def _index(catalogue: Path) -> SiteIndex:
    return SiteIndex.of(summarize(derive_server(server)) for server in load_catalogue(catalogue).servers)


def _units_changed(tmp_path: Path, build: BuildRequest) -> set[str]:
    """Build; the units (groups) whose digest differs from the one of the build before (the live one)."""
    out, cache = tmp_path / "site", tmp_path / "cache"
    before = load_output_manifest(cache, out, marker_identity(out)) or {}
    run_build(build)
    after = load_output_manifest(cache, out, marker_identity(out)) or {}
    return {key for key, group in after.items()
            if key != SITE_GROUP and (key not in before or before[key].digest != group.digest)}


def test_an_edit_that_leaves_the_index_as_it_was_renders_its_server_alone(tmp_path: Path) -> None:
    """A description is on its tool's page, the feed and the files made from the parts, not in the index:
    the listings, home, browse pages and sitemaps are kept, not even made."""
    config, catalogue, _ = _config(tmp_path)
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0)
    run_build(request)
    edit_text(catalogue / "memory.yaml", "  description: Create multiple", "  description: Edited. Create multiple")
    edit_text(catalogue / "fal-mcp-server.yaml", "\ntools:\n", "\ntools:\n# moves the lines of its lint findings\n")
    made: list[object] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_module, "listing_pages", lambda index: made.append(index) or listing_pages(index))
        assert _units_changed(tmp_path, request) == {"memory", "fal-mcp-server"}
    assert not made
    home = (tmp_path / "site" / "index.html").stat().st_ino
    clean = BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True})
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    # the next edit updates the site kept from before the last one: memory and fal are rendered again too,
    # from inputs made for them alone (the other servers' digests are the last build's)
    edit_text(catalogue / "heroku.yaml", "  description: 'List Heroku apps", "  description: 'Edited. List Heroku apps")
    assert _units_changed(tmp_path, request) == {"heroku"}
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    edit_text(catalogue / "memory.yaml", "category: read", "category: write")  # now the index changes
    changed = _units_changed(tmp_path, request)
    assert INDEX_PAGES_GROUP in changed and SITEMAPS_GROUP not in changed, "no page came or went"
    assert (tmp_path / "site" / "index.html").stat().st_ino != home
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    (catalogue / "server-time.yaml").unlink()  # a server and its tools' pages go: the sitemaps list them no more
    assert SITEMAPS_GROUP in _units_changed(tmp_path, request)
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_a_cross_server_edit_re_renders_exactly_the_pages_that_show_it(tmp_path: Path) -> None:
    config, catalogue, attacks = _config(tmp_path)
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0)
    clean = BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True})
    run_build(request)
    index = _index(catalogue)
    related = index.related()
    memory = next(server for server in index.servers if server.slug == "memory")
    # servers whose tool pages list one of memory's tools as related: its name is on them
    showing = {slug for slug, per_tool in related.items() if slug != "memory"
               and any(link.server_url == memory.url for links in per_tool for link in links)}
    assert 0 < len(showing) < len(index.servers) - 1
    listings = {listing.group for listing in listing_pages(index)
                if memory.url in {link.server_url for link in listing.entries} | {row[1] for row in listing.per_server}}
    assert 0 < len(listings) < len(list(listing_pages(index)))
    listings.add(servers_page(index).group)  # it lists every server by name
    edit_text(catalogue / "memory.yaml", "  name: Memory MCP Server", "  name: Memory Graph Server")
    assert _units_changed(tmp_path, request) == showing | {"memory"} | listings | {INDEX_PAGES_GROUP}
    for slug in showing:
        pages = (tmp_path / "site" / "tools" / slug).rglob("index.html")
        assert any("Memory Graph Server" in page.read_text(encoding="utf-8") for page in pages), slug
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")

    patterns = load_attacks(attacks)
    ssrf = next(pattern for pattern in patterns if pattern.slug == "ssrf")
    exposed = {server.slug for server in index.servers
               if any(ssrf.slug in {a.slug for a in attack_links(patterns, exposure)} for exposure in server.exposures)}
    assert 0 < len(exposed) < len(index.servers)
    edit_text(attacks / "ssrf.yaml", f"title: {ssrf.title}", "title: Server-side request forgery, edited")
    assert _units_changed(tmp_path, request) == exposed | {INDEX_PAGES_GROUP}  # their pages link it by its title
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    edit_text(attacks / "ssrf.yaml", "mitigation: |\n  ", "mitigation: |\n  Edited. ")  # on the pattern's page only
    assert _units_changed(tmp_path, request) == {INDEX_PAGES_GROUP}  # the attack pages are among them
    assert "Edited." in (tmp_path / "site" / "attacks" / "ssrf" / "index.html").read_text(encoding="utf-8")
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_rows_edited_by_hand_are_not_trusted_and_an_attack_edit_loads_no_catalogue_file(tmp_path: Path) -> None:
    """The stream started from the saved rows is started again when the summaries say otherwise (two
    servers' part keys swapped, a count changed): never a catalogue.json listing one server twice.  An
    attack pattern's edit makes the rows stale (their part keys), not the summaries: no file is loaded."""
    import json

    config, catalogue, attacks = _config(tmp_path)
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0)
    clean = BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True})
    run_build(request)
    rows_file = tmp_path / "cache" / "rows.json"
    saved = json.loads(rows_file.read_text())
    servers = saved["servers"]
    servers["airtable.yaml"][2], servers["asana.yaml"][2] = servers["asana.yaml"][2], servers["airtable.yaml"][2]
    servers["heroku.yaml"][3] += 5
    rows_file.write_text(json.dumps(saved))
    edit_text(catalogue / "heroku.yaml", "  description: 'List Heroku apps", "  description: 'Edited. List Heroku apps")
    run_build(request)
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")

    loaded: list[list[str]] = []
    real = load_module.load_changed

    def spy(*args: Any) -> Any:
        result = real(*args)
        loaded.append(list(result.changed))
        return result

    ssrf = next(pattern for pattern in load_attacks(attacks) if pattern.slug == "ssrf")
    edit_text(attacks / "ssrf.yaml", f"title: {ssrf.title}", "title: Server-side request forgery, edited again")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load_module, "load_changed", spy)
        run_build(request)
    assert loaded == [[]]
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
