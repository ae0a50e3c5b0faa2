from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from site_builder.content.catalogue import load_catalogue
from site_builder.errors import CatalogueError

from tests.helpers import DEFAULT_CATALOGUE, server_yaml

SIX_MISTAKES = """\
server:
  id: acme/bad
  name: Bad server
  homepage: ftp://nope
tools:
  - name: a
    classification:
      category: writ
      rationale: r
  - name: b
    classification:
      category: read
  - name: c
    colour: blue
    classification:
      category: read
      rationale: r
      rationale: again
  - name: a
    classification: {category: read, rationale: r}
"""


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    return [p.format().splitlines()[0] for p in caught.value.problems]


def test_six_mistakes_give_six_errors_with_lines_and_paths(write, tmp_path: Path) -> None:
    write("bad.yaml", SIX_MISTAKES)
    assert errors_of(tmp_path) == [
        "bad.yaml:4 server.homepage: must be an http(s) URL such as https://example.com/project",
        "bad.yaml:8 tools[0].classification.category: 'writ' is not one of read, write, execute, destructive, financial",
        "bad.yaml:11 tools[1].classification.rationale: required field is missing",
        "bad.yaml:14 tools[2].colour: unknown key 'colour'",
        "bad.yaml:18 tools[2].classification.rationale: duplicate key 'rationale' (first at line 17)",
        "bad.yaml:19 tools[3].name: duplicate tool name 'a' (first at line 6)",
    ]


def test_errors_of_all_files_are_reported_together(write, tmp_path: Path) -> None:
    write("one.yaml", server_yaml().replace("category: read", "category: nope"))
    write("two.yaml", "server: {id: x, name: X}\ntools: [{name: t, classification: {category: read}}]\n")
    problems = errors_of(tmp_path)
    assert len(problems) == 2 and problems[0].startswith("one.yaml") and problems[1].startswith("two.yaml")


def test_unknown_key_suggests_the_close_one(write, tmp_path: Path) -> None:
    write("s.yaml", server_yaml(server_extra="  homepgae: https://x.org\n"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert caught.value.problems[0].hint.startswith("did you mean 'homepage'?")
    assert "docs/catalogue-format.md" in caught.value.problems[0].hint


def test_unquoted_yes_as_name_is_an_error_with_a_hint(write, tmp_path: Path) -> None:
    write("s.yaml", server_yaml("  - name: yes\n    classification: {category: read, rationale: r}\n"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert "expected text" in caught.value.problems[0].message and "quote" in caught.value.problems[0].hint


def test_names_differing_by_case_get_distinct_pages(write, tmp_path: Path) -> None:
    tools = "".join(f"  - name: {json}\n    classification: {{category: read, rationale: r}}\n"
                    for json in ('"GetUser"', '"getuser"', '"get.user"', '"get user"', '"../etc"'))
    write("s.yaml", server_yaml(tools))
    catalogue = load_catalogue(tmp_path)
    slugs = [tool.slug for tool in catalogue.servers[0].tools]
    assert len(set(slugs)) == 5 and len({s.lower() for s in slugs}) == 5
    assert slugs[1] == "getuser" and all("/" not in s and ".." not in s for s in slugs)


def test_duplicate_server_ids_and_slugs_across_files(write, tmp_path: Path) -> None:
    write("a.yaml", server_yaml())
    write("b.yaml", server_yaml())
    problems = errors_of(tmp_path)
    assert any("duplicate server id 'acme/demo', also in a.yaml:1" in p for p in problems)
    assert any("server slug 'acme-demo' is also used by a.yaml:1" in p for p in problems)


def test_default_catalogue_loads_and_counts_agree_with_the_files() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    files = sorted(DEFAULT_CATALOGUE.glob("*.yaml"))
    raw_tools = sum(len(yaml.safe_load(path.read_text(encoding="utf-8"))["tools"]) for path in files)
    assert len(catalogue.servers) == len(files) >= 50
    assert catalogue.tool_count == raw_tools >= 1000


def test_chinese_text_survives_loading() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    jimeng = next(s for s in catalogue.servers if s.slug == "jimeng-mcp-server")
    assert jimeng.data.tools[3].description == "使用即梦视频3.0从图像生成视频。"


def test_yml_and_upper_case_files_are_loaded_and_links_out_reported_with_every_other_problem(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "one.yml").write_text(server_yaml().replace("acme/demo", "acme/one"))
    (folder / "TWO.YAML").write_text(server_yaml().replace("acme/demo", "acme/two"))
    assert {server.data.server.id for server in load_catalogue(folder).servers} == {"acme/one", "acme/two"}
    (folder / "three.Yaml").symlink_to("TWO.YAML")  # inside the folder: followed, so a second acme/two
    with pytest.raises(CatalogueError, match=r"three\.Yaml:\d+ server\.id: duplicate server id 'acme/two'"):
        load_catalogue(folder)
    (folder / "three.Yaml").unlink()
    secret = tmp_path / "secret.yaml"
    secret.write_text(server_yaml().replace("acme/demo", "acme/secret"))
    (folder / "leak.yaml").symlink_to(secret)
    (folder / "bad.yaml").write_text(server_yaml().replace("read", "reed"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    report = caught.value.report()
    assert "leak.yaml: is a link to" in report and "outside the catalogue folder" in report
    assert "bad.yaml:6 tools[0].classification.category" in report


def test_a_server_with_more_tools_than_the_bound_is_refused_with_how_to_raise_it(
        write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = "".join(f"  - name: t{n}\n    classification: {{category: read, rationale: r}}\n" for n in range(3))
    write("s.yaml", server_yaml(tools))
    monkeypatch.setenv("BUILD_SITE_MAX_TOOLS_PER_SERVER", "2")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    report = caught.value.report()
    assert "s.yaml:4 tools: 3 tools; the bound is 2 a server" in report and "BUILD_SITE_MAX_TOOLS_PER_SERVER=3" in report
    monkeypatch.setenv("BUILD_SITE_MAX_TOOLS_PER_SERVER", "3")
    assert load_catalogue(tmp_path).tool_count == 3
