from __future__ import annotations

import hashlib
import re
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import pytest
import yaml

from site_builder.build import load as load_module
from site_builder.content.catalogue import load_catalogue
from site_builder.content.intercept_validate import validate_intercept
from site_builder.errors import CatalogueError
from site_builder.output.swap import MARKER, marker_identity
from site_builder.policy.gateway import GatewayPolicy

from tests.helpers import DEFAULT_CATALOGUE
from tests.site_helpers import PAGE_URL, LinkCollector, build_default, resolve

SITE_URL = "https://mcp-policies.example.org/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "site"
    build_default(out)
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_one_page_and_two_policies_per_tool_and_server(site: Path) -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    for server in catalogue.servers:
        assert (site / "servers" / server.slug / "index.html").is_file()
        for profile in ("recommended", "strict", "permissive"):
            assert (site / "policies" / server.slug / profile / "intercept.yaml").is_file()
            assert (site / "policies" / server.slug / profile / "policy.json").is_file()
        for tool in server.tools:
            folder = site / "tools" / server.slug / tool.slug
            assert {p.name for p in folder.iterdir()} == {"index.html", "intercept.yaml", "policy.json"}
    tool_pages = list((site / "tools").glob("*/*/index.html"))
    assert len(tool_pages) == catalogue.tool_count


def test_every_policy_file_in_the_output_is_valid(site: Path) -> None:
    for path in site.rglob("intercept.yaml"):
        assert validate_intercept(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
    for path in site.rglob("policy.json"):
        GatewayPolicy.model_validate(json.loads(path.read_text(encoding="utf-8")))


def test_every_html_page_parses_strictly(site: Path) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in html_pages(site):
        parser.parse(page.read_text(encoding="utf-8"))


def test_every_internal_link_and_asset_resolves(site: Path) -> None:
    broken = []
    for page in html_pages(site):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        for link in collector.links:
            target = resolve(site, page, link)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
    assert broken == []


def test_no_page_refers_to_another_host_for_assets(site: Path) -> None:
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text
        assert 'src="http' not in text and "<link rel=\"stylesheet\" href=\"http" not in text


def test_sitemap_lists_every_page(site: Path) -> None:
    listed = set(PAGE_URL.findall((site / "sitemap.xml").read_text(encoding="utf-8")))
    ET.fromstring((site / "sitemap.xml").read_bytes())
    expected = {SITE_URL + str(p.relative_to(site).parent).replace(".", "") + "/" for p in site.rglob("index.html")}
    expected = {url.replace(SITE_URL + "/", SITE_URL) for url in expected}
    expected -= {SITE_URL + "search/"}  # noindex: results pages are not for search engines
    assert listed == expected


def test_machine_readable_files(site: Path) -> None:
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    tools = [tool for server in catalogue["servers"] for tool in server["tools"]]
    assert len(tools) == catalogue["tools"] == load_catalogue(DEFAULT_CATALOGUE).tool_count
    assert all(tool["url"].startswith(SITE_URL + "tools/") for tool in tools)
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 20
    llms = (site / "llms.txt").read_text(encoding="utf-8").splitlines()
    assert llms[0].startswith("# ") and llms[2].startswith("> ") and "## Servers" in llms
    assert "Sitemap: " + SITE_URL + "sitemap.xml" in (site / "robots.txt").read_text()
    assert (site / "404.html").is_file() and (site / MARKER).is_file()
    manifest = json.loads((site / "search" / "manifest.json").read_text())
    assert manifest["docs"] == len(tools)


def test_json_ld_is_a_faq_page(site: Path) -> None:
    page = (site / "tools" / "imagenx" / "analyze_query" / "index.html").read_text(encoding="utf-8")
    start = page.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    data = json.loads(page[start: page.index("</script>", start)])
    assert data["@type"] == "FAQPage" and len(data["mainEntity"]) == 4
    assert "分析用户需求" in data["mainEntity"][0]["acceptedAnswer"]["text"]


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_default(again, jobs=1)
    assert tree_digest(again) == tree_digest(site)


TEXT_FAULTS = (
    re.compile(r"[a-z]\.(Everything else|It is classified)"),  # a sentence run into the next
    re.compile(r"[a-z0-9] It is classified as"),  # a description without its full stop
)


def test_no_text_fault_on_any_page(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        for fault in TEXT_FAULTS:
            found = fault.search(text)
            assert found is None, f"{page.relative_to(site)}: {found.group(0) if found else ''}"


def test_every_tool_page_links_an_attack_pattern_and_every_pattern_page_links_back(site: Path) -> None:
    patterns = sorted(p.parent.name for p in (site / "attacks").glob("*/index.html"))
    assert len(patterns) >= 12 and (site / "attacks" / "index.html").is_file()
    for page in (site / "tools").glob("*/*/index.html"):
        assert 'href="../../../attacks/' in page.read_text(encoding="utf-8"), page
    for slug in patterns:
        text = (site / "attacks" / slug / "index.html").read_text(encoding="utf-8")
        assert 'href="../../tools/' in text or "No tool in this catalogue" in text, slug
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    assert all(tool["attacks"] for server in catalogue["servers"] for tool in server["tools"])
    described = {pattern["slug"]: pattern for pattern in catalogue["attacks"]}  # each once, in the head
    assert sorted(described) == patterns and catalogue["format"] == 2
    assert all(described[slug]["url"].endswith(f"/attacks/{slug}/") and described[slug]["title"]
               for server in catalogue["servers"] for tool in server["tools"] for slug in tool["attacks"])
    assert "Attack patterns: [" in (site / "llms-full.txt").read_text(encoding="utf-8")


def test_each_server_publishes_the_checks_of_its_tools(site: Path) -> None:
    for server in (site / "servers").glob("*/"):
        if not (server / "index.html").is_file():
            continue
        checks = json.loads((server / "checks.json").read_text(encoding="utf-8"))
        for name, examples in checks.items():
            assert len(examples) >= 3, (server.name, name)
            assert all(set(e) == {"arguments", "decision", "rule"} and e["decision"] in ("allow", "deny")
                       for e in examples)


def test_docstring_style_descriptions_are_not_code_blocks(site: Path) -> None:
    """A description shows a code block only where its author fenced one (```), never because it was
    copied from an indented docstring."""
    fenced = {(server.slug, loaded.slug) for server in load_catalogue(DEFAULT_CATALOGUE).servers
              for loaded in server.tools if "```" in (loaded.tool.description or "")}
    code_blocks = set()
    for page in (site / "tools").glob("*/*/index.html"):
        description = page.read_text(encoding="utf-8").split('<h2 id="description">')[1].split("<h2")[0]
        if "<pre" in description:
            code_blocks.add((page.parent.parent.name, page.parent.name))
    assert ("luma", "luma_generate_video_from_image") not in code_blocks
    assert {("heroku", "deploy_one_off_dyno"), ("mcp-atlassian", "jira_update_proforma_form_answers")} <= code_blocks
    assert code_blocks <= fenced, sorted(code_blocks - fenced)


def test_the_collector_is_off_during_a_build_and_back_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from site_builder.build import build as build_module
    seen: list[bool] = []
    real = build_module._run_locked

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_run_locked", spy)
    assert gc.isenabled()
    build_default(tmp_path / "site")
    assert seen == [False] and gc.isenabled() and gc.get_freeze_count() == 0
    monkeypatch.setattr(build_module, "_run_locked", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        build_default(tmp_path / "other")
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_edit_writes_the_part_files_beside_the_plan_and_a_failure_leaves_no_side_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In an edit (the changed server loaded in this process), catalogue.json, llms-full.txt and the search
    index are written by a process started before the plan, into a side folder moved into the site at the
    end: the site equals a clean build's, and a build that fails meanwhile leaves no folder behind."""
    from site_builder.build import streams as streams_module
    from site_builder.build.build import BuildRequest, run_build
    from tests.output.test_lock import small_project

    config = small_project(tmp_path / "project")
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=2, verbosity=0)
    run_build(request)
    started: list[bool] = []
    real_start, real_load = streams_module.SiteStreams._start, load_module.load_index_cache

    def spy(self: streams_module.SiteStreams, *args: object) -> None:
        started.append(self.side is None)
        real_start(self, *args)  # type: ignore[arg-type]

    def loading(*args: Any) -> Any:
        assert started == [True], "the stream starts before the cached summaries are read"
        return real_load(*args)

    monkeypatch.setattr(streams_module.SiteStreams, "_start", spy)
    monkeypatch.setattr(load_module, "load_index_cache", loading)
    memory = tmp_path / "project" / "catalogue" / "memory.yaml"
    memory.write_text(memory.read_text(encoding="utf-8").replace("description: ", "description: Edited. ", 1),
                      encoding="utf-8")
    from site_builder.views import site_files
    monkeypatch.setattr(site_files, "_feed_updated", lambda *args: 1 / 0)  # after the streams started, before the swap
    with pytest.raises(ZeroDivisionError):
        run_build(request)
    assert started == [True], "started once, before the plan"
    assert not [p.name for p in tmp_path.iterdir() if ".building-" in p.name], "no staging or side folder is left"
    assert (tmp_path / "site" / MARKER).is_file() and "Edited." not in (tmp_path / "site" / "catalogue.json").read_text(
        encoding="utf-8"), "the live site is the last good build"
    monkeypatch.undo()
    run_build(request)
    run_build(BuildRequest(config_file=config, out=tmp_path / "clean", jobs=2, verbosity=0, clean=True))
    assert "Edited." in (tmp_path / "site" / "catalogue.json").read_text(encoding="utf-8")
    for name in ("catalogue.json", "llms-full.txt", "search/manifest.json"):
        assert (tmp_path / "site" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name

    kept = marker_identity(tmp_path / ".site.previous")
    shutil.copy(memory, memory.with_name("memory-copy.yaml"))  # the same server twice: found after the stream began
    with pytest.raises(CatalogueError, match="memory"):
        run_build(request)
    assert not [p.name for p in tmp_path.iterdir() if ".building-" in p.name], "no side folder is left"
    assert marker_identity(tmp_path / ".site.previous") == kept, "the kept site is left for the next build"


def test_the_feed_reads_each_shown_servers_part_once_and_its_texts_are_the_descriptions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed's texts come from the parts of the servers it shows, each parsed once however many of its tools
    the feed shows (a server of 2,000 tools added the same day can fill the whole feed)."""
    from site_builder.build import streams as streams_module
    from site_builder.build.build import BuildRequest, run_build
    from site_builder.render.render import plain
    from tests.output.test_lock import small_project

    config = small_project(tmp_path / "project")
    parsed: list[int] = []
    real = streams_module.feed_texts

    def counting(part: object) -> object:
        parsed.append(1)
        return real(part)  # type: ignore[arg-type]

    monkeypatch.setattr(streams_module, "feed_texts", counting)
    run_build(BuildRequest(config_file=config, out=tmp_path / "site", jobs=1, verbosity=0))
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    servers = {entry.find(f"{atom}id").text.split("/tools/")[1].split("/")[0] for entry in entries}  # type: ignore[union-attr]
    assert len(entries) > len(servers) and len(parsed) == len(servers)
    catalogue = load_catalogue(tmp_path / "project" / "catalogue")
    descriptions = {f"{server.slug}/{tool.slug}/": plain(tool.tool.description, 300)
                    for server in catalogue.servers for tool in server.tools}
    for entry in entries:
        tool = entry.find(f"{atom}id").text.split("/tools/")[1]  # type: ignore[union-attr]
        assert entry.find(f"{atom}summary").text == descriptions[tool]  # type: ignore[union-attr]


def test_an_edit_that_fails_as_the_index_work_starts_leaves_no_staging_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked work on the index (build/index_work.py) starts inside the build's guard: a failure there
    (a fork refused, Ctrl-C) removes the staging folder like any other, and the next build is whole."""
    from site_builder.build import build as build_module
    from site_builder.build.build import BuildRequest, run_build
    from tests.output.test_lock import small_project

    config = small_project(tmp_path / "project")
    request = BuildRequest(config_file=config, out=tmp_path / "site", jobs=2, verbosity=0)
    run_build(request)
    memory = tmp_path / "project" / "catalogue" / "memory.yaml"
    memory.write_text(memory.read_text(encoding="utf-8").replace("category: read", "category: write", 1),
                      encoding="utf-8")

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("fork refused")

    monkeypatch.setattr(build_module, "IndexWork", refused)
    with pytest.raises(OSError, match="fork refused"):
        run_build(request)
    assert not [p.name for p in tmp_path.iterdir() if ".building-" in p.name]
    monkeypatch.undo()
    run_build(request)
    run_build(BuildRequest(config_file=config, out=tmp_path / "clean", jobs=2, verbosity=0, clean=True))
    for name in ("catalogue.json", "index.html", "categories/write/index.html"):
        assert (tmp_path / "site" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name
