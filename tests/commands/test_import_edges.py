"""`build-site import tools-list` with captures of every wrong shape: one error naming the file, exit 1,
no traceback, nothing written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from site_builder.commands.cli import main
from site_builder.commands.importers import import_intercept, import_tools_list
from site_builder.content.catalogue import load_catalogue

from tests.helpers import CAPTURES, SCAFFOLDS

SCHEMA = {"type": "object"}


def _capture(*tools: object, server: object = None) -> str:
    return json.dumps({"serverInfo": server or {"name": "acme/demo"}, "tools": list(tools)})


def _run(write, capsys: pytest.CaptureFixture[str], text: str, name: str = "capture.json") -> tuple[int, str]:
    write(name, text)
    code = main(["import", "tools-list", name, "--into", "catalogue"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.err


def _assert_refused(code: int, err: str, where: str, fragment: str) -> None:
    assert code == 1, err
    first = err.splitlines()[0]
    assert first.startswith(where) and fragment in first, err
    assert "\n    hint: " in err  # every error says how to fix it
    assert not Path("catalogue").exists()  # nothing written


def test_a_list_instead_of_an_object(write, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(write, capsys, "[1, 2, 3]")
    _assert_refused(code, err, "capture.json:1", "a tools/list capture is a JSON object, found a list")


def test_json_nested_100k_deep(write, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(write, capsys, "[" * 100_000 + "]" * 100_000)
    _assert_refused(code, err, "capture.json", "nested too deeply")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_in_a_schema_name_the_line(write, capsys: pytest.CaptureFixture[str], token: str) -> None:
    text = '{"serverInfo": {"name": "acme/demo"},\n "tools": [{"name": "a",\n  "inputSchema": {"maximum": %s}}]}'
    code, err = _run(write, capsys, text % token)
    _assert_refused(code, err, "capture.json:3", f"{token} is not a JSON number")


WRONG_SHAPES = {
    "tools is an object": (json.dumps({"serverInfo": {"name": "x"}, "tools": {"a": 1}}), "tools", "found an object"),
    "no tools": (json.dumps({"serverInfo": {"name": "x"}}), "tools", "has a `tools` list"),
    "a tool is a number": (_capture(5), "tools[0]", "a tool is a JSON object, found a number"),
    "empty name": (_capture({"name": ""}), "tools[0].name", "the tool name is empty"),
    "name is a number": (_capture({"name": 7}), "tools[0].name", "a tool name is text, found a number"),
    "long name": (_capture({"name": "n" * 129}), "tools[0].name", "129 characters; the catalogue allows 128"),
    "NUL in name": (_capture({"name": "a\x00b"}), "tools[0].name", "U+0000"),
    "unpaired surrogate": ('{"serverInfo": {"name": "x"}, "tools": [{"name": "a\\udc80"}]}', "tools[0].name",
                           "U+DC80"),
    "three of one name": (_capture({"name": "a"}, {"name": "a"}, {"name": "a"}), "tools[1].name",
                          "tool 'a' is listed 3 times"),
    "schema is a list": (_capture({"name": "a", "inputSchema": [1]}), "tools[0].inputSchema", "found a list"),
    "annotations are text": (_capture({"name": "a", "annotations": "ro"}), "tools[0].annotations", "found text"),
    "description is a number": (_capture({"name": "a", "description": 5}), "tools[0].description", "found a number"),
    "long description": (_capture({"name": "a", "description": "d" * 20_001}), "tools[0].description", "20000"),
    "schema too deep": (_capture({"name": "a", "inputSchema": json.loads('{"a":' * 70 + "1" + "}" * 70)}),
                        "tools[0].inputSchema", "nests 70 levels deep; the catalogue allows 61"),
    "serverInfo is a list": (json.dumps({"serverInfo": [1], "tools": []}), "serverInfo", "found a list"),
    "no server name": (json.dumps({"tools": []}), "serverInfo.name", "no server name"),
    "NUL in server name": (_capture(server={"name": "a\x00b"}), "server.id", "U+0000"),
    "empty file": ("", "", "not valid JSON"),
    "not JSON": ("{'tools': []}", "", "not valid JSON"),
    "huge integer": (_capture({"name": "a", "inputSchema": {"maximum": 0}}).replace('"maximum": 0', '"maximum": '
                     + "9" * 4400), "", "more than 4,300 digits"),
}


@pytest.mark.parametrize("case", WRONG_SHAPES, ids=list(WRONG_SHAPES))
def test_every_wrong_shape_is_one_error_naming_file_and_field(write, capsys: pytest.CaptureFixture[str],
                                                               case: str) -> None:
    text, field, fragment = WRONG_SHAPES[case]
    code, err = _run(write, capsys, text)
    _assert_refused(code, err, f"capture.json {field}:" if field else "capture.json", fragment)


def test_invalid_utf8_names_the_line(write, capsys: pytest.CaptureFixture[str]) -> None:
    Path(write("capture.json", "")).write_bytes(b'{"tools":\n ["\xff"]}')
    code = main(["import", "tools-list", "capture.json", "--into", "catalogue"])
    _assert_refused(code, capsys.readouterr().err, "capture.json:2", "invalid UTF-8")


def test_a_missing_file_and_a_server_json_of_the_wrong_shape(write, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "tools-list", "missing.json", "--into", "catalogue"]) == 1
    assert capsys.readouterr().err.startswith("missing.json: cannot read file")
    write("capture.json", _capture({"name": "a"}))
    write("server.json", "[1]")
    code = main(["import", "tools-list", "capture.json", "--server-json", "server.json", "--into", "catalogue"])
    _assert_refused(code, capsys.readouterr().err, "server.json:1", "a server.json is a JSON object, found a list")


def test_one_bad_capture_writes_nothing_at_all(write, tmp_path: Path) -> None:
    write("bad.json", _capture({"name": ""}))
    with pytest.raises(Exception, match="the tool name is empty"):
        import_tools_list([CAPTURES / "memory.json", tmp_path / "bad.json"], tmp_path / "catalogue")
    assert not (tmp_path / "catalogue").exists()


def test_a_broken_existing_file_is_reported_with_its_line(write, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    write("catalogue/memory-server.yaml", "server:\n  id: memory-server\n  name: X\ntools:\n- name: a\n"
          "  classification: {category: rread, rationale: r}\n")
    code = main(["import", "tools-list", str(CAPTURES / "memory.json"), "--into", "catalogue"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("catalogue/memory-server.yaml:6 tools[0].classification.category:"), err


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_imported_files_are_readable_by_everyone(tmp_path: Path, umask_022: None) -> None:
    [(path, _)] = import_tools_list([CAPTURES / "memory.json"], tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    [(scaffold, _)] = import_intercept([SCAFFOLDS / "git.yaml"], tmp_path)
    assert stat.S_IMODE(scaffold.stat().st_mode) == 0o644
    path.chmod(0o600)  # written by an older version
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    import_tools_list([CAPTURES / "memory.json"], tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o664)  # a group-writable catalogue stays so
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    import_tools_list([CAPTURES / "memory.json"], tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind
    assert len(load_catalogue(tmp_path).servers) == 2


def test_a_scaffold_tool_the_catalogue_cannot_hold_is_an_error_with_its_line(
        write, capsys: pytest.CaptureFixture[str]) -> None:
    write("policy.yaml", 'version: "1"\ntools:\n  ok_tool:\n    rules: []\n  "":\n    rules: []\n'
          f"  {'n' * 130}:\n    rules: []\n")
    assert main(["import", "intercept", "policy.yaml", "--into", "catalogue"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("policy.yaml:5 tools: the tool name is empty\n"), err
    assert "policy.yaml:7 tools: the tool name is 130 characters" in err and "Traceback" not in err
    assert not Path("catalogue").exists()


def test_a_file_the_loader_would_refuse_for_its_size_is_never_written(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.content import catalogue_io
    from site_builder.errors import UserError
    from site_builder.content.yaml_limits import YamlLimits

    monkeypatch.setattr(catalogue_io, "DEFAULT_LIMITS", YamlLimits(max_bytes=20_000))  # stands in for 16 MiB
    with pytest.raises(UserError, match=r"would be 2\d,\d\d\d bytes, over the catalogue's limit of 20,000"):
        import_tools_list([CAPTURES / "fal.json"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_every_bad_capture_is_reported_in_one_run(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("a.json", "[]")
    write("b.json", _capture({"name": ""}))
    assert main(["import", "tools-list", "a.json", "b.json", "--into", "catalogue"]) == 1
    err = capsys.readouterr().err
    assert "a.json:1: a tools/list capture" in err and "b.json tools[0].name" in err and err.endswith("2 errors\n")


def test_a_file_holding_another_server_is_never_merged_into(write, tmp_path: Path) -> None:
    from site_builder.errors import UserError

    write("catalogue/demo.yaml", "server:\n  id: other/demo\n  name: Other\ntools: []\n")
    before = (tmp_path / "catalogue" / "demo.yaml").read_text()
    write("capture.json", _capture({"name": "a"}, server={"name": "acme/demo"}))
    with pytest.raises(UserError, match="already holds server 'other/demo', not 'acme/demo'"):
        import_tools_list([tmp_path / "capture.json"], tmp_path / "catalogue")
    assert (tmp_path / "catalogue" / "demo.yaml").read_text() == before
