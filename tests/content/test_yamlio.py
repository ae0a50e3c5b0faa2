from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from site_builder.content.yaml_files import iter_yaml_files, yaml_files
from site_builder.content.yaml_limits import YamlLimits
from site_builder.content.yamlio import load_yaml, parse_yaml
from site_builder.errors import CatalogueError, UserError


def test_records_line_of_every_field() -> None:
    doc, problems = parse_yaml("a: 1\nb:\n  - x: 1\n  - y:\n      z: 2\n", "f.yaml")
    assert not problems and doc is not None
    assert doc.lines[("b", 1, "y", "z")] == 5
    assert doc.line_of(("b", 1, "y", "missing")) == 4


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    doc, problems = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [p.format() for p in problems] == [
        "f.yaml:3 a: duplicate key 'a' (first at line 1)\n"
        "    hint: YAML keeps only the last value; remove or rename one of them"
    ]


def test_python_tags_are_refused() -> None:
    doc, problems = parse_yaml("a: !!python/object/apply:os.system ['echo hi']\n", "f.yaml")
    assert doc is None and "python/object" in problems[0].message and problems[0].line == 1


def test_alias_bomb_fails_fast() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]")
    doc, problems = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert doc is None and "alias bomb" in problems[0].message


def test_deep_nesting_fails_with_a_message() -> None:
    doc, problems = parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    assert doc is None and "nesting deeper than" in problems[0].message


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    doc, problems = load_yaml(path, "big.yaml", YamlLimits(max_bytes=1000))
    assert doc is None and "limit" in problems[0].message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    doc, problems = load_yaml(path, "bad.yaml")
    assert doc is None and problems[0].line == 2 and "UTF-8" in problems[0].message


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"a: 1\n\x00\x01\x02")
    assert "empty" in load_yaml(empty, "empty.yaml")[1][0].message
    assert "NUL" in load_yaml(binary, "bin.yaml")[1][0].message


def _string_bomb(copies: int = 1000, length: int = 200_000) -> str:
    """A server file of about `length` bytes whose schema enum repeats one string `copies` times."""
    return ("server:\n  id: acme/demo\n  name: Demo\ntools:\n  - name: t\n"
            "    classification: {category: read, rationale: r}\n    input_schema:\n      type: object\n"
            "      properties:\n        p:\n          type: string\n"
            f"          description: &big \"{'x' * length}\"\n"
            "          enum: [" + ", ".join(["*big"] * copies) + "]\n")


def test_one_large_string_repeated_through_aliases_is_refused_naming_the_bound_and_how_to_raise_it() -> None:
    text = _string_bomb()
    assert len(text) < 210_000  # 200 KB that would expand to 200 MB of text
    doc, problems = parse_yaml(text, "bomb.yaml")
    assert doc is None and len(problems) == 1
    problem = problems[0]
    assert problem.file == "bomb.yaml" and problem.line == 13
    assert "more than 16MiB (16,777,216 bytes) of text once its aliases are expanded" in problem.message
    assert "BUILD_SITE_YAML_MAX_EXPANDED_BYTES=64MiB" in problem.hint


def test_the_expanded_size_bound_counts_utf8_bytes_and_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'a: &a "' + "é" * 600 + '"\nb: [' + ", ".join(["*a"] * 10) + "]\n"  # keys a, b + 11 x 1,200 bytes
    assert parse_yaml(text, "f.yaml", YamlLimits(max_expanded_bytes=13_201))[0] is None
    assert parse_yaml(text, "f.yaml", YamlLimits(max_expanded_bytes=13_202))[0] is not None
    monkeypatch.setenv("BUILD_SITE_YAML_MAX_EXPANDED_BYTES", "1GiB")
    assert YamlLimits.from_environment().max_expanded_bytes == 1024**3
    assert parse_yaml(_string_bomb(), "bomb.yaml")[0] is not None


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1.5M"])
def test_a_bad_limit_in_the_environment_is_a_user_error_naming_it(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILD_SITE_YAML_MAX_NODES", value)
    with pytest.raises(UserError) as caught:
        parse_yaml("a: 1\n", "f.yaml")
    assert caught.value.problems[0].file == "BUILD_SITE_YAML_MAX_NODES" and "\n" not in caught.value.problems[0].message


# ------------------------------------------------------------------ which files are catalogue files

def test_yml_and_every_case_of_the_extension_are_catalogue_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml", "UPPER.YAML", "c.Yml", "notes.md", "d.yaml.bak", ".hidden.yaml", ".import-x.yaml"):
        (tmp_path / name).write_text("x: 1\n")
    assert [p.name for p in iter_yaml_files(tmp_path)] == ["UPPER.YAML", "a.yaml", "b.yml", "c.Yml"]


def test_links_are_followed_only_inside_the_folder_and_every_other_is_an_error_naming_it(tmp_path: Path) -> None:
    folder, outside = tmp_path / "catalogue", tmp_path / "outside.yaml"
    folder.mkdir()
    outside.write_text("x: 1\n")
    (folder / "real.yaml").write_text("x: 1\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.yaml").write_text("x: 1\n")
    (folder / "inside.yaml").symlink_to("sub/nested.yaml")
    assert [p.name for p in iter_yaml_files(folder)] == ["inside.yaml", "real.yaml"]
    (folder / "escape.yaml").symlink_to(outside)
    (folder / "dangling.yml").symlink_to(folder / "missing.yaml")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "folder.yaml").mkdir()
    paths, problems = yaml_files(folder)
    assert [p.name for p in paths] == ["inside.yaml", "real.yaml"]
    report = {Path(p.file).name: p.message for p in problems}
    assert report.keys() == {"escape.yaml", "dangling.yml", "loop.yaml", "folder.yaml"}
    assert "outside the catalogue folder" in report["escape.yaml"] and str(outside) in report["escape.yaml"]
    assert "does not resolve to a file" in report["dangling.yml"] and "does not resolve" in report["loop.yaml"]
    assert "not a regular file" in report["folder.yaml"]
    with pytest.raises(CatalogueError) as caught:
        list(iter_yaml_files(folder))
    assert len(caught.value.problems) == 4


def test_plain_scalars_are_typed_as_pyyamls_safe_loader_types_them_every_time() -> None:
    text = ("a: [yes, no, on, off, true, null, ~, 12, 0x1f, 1_000, 1.5, .inf, -.nan, 2026-11-20, 2026-11-20 10:00:00,"
            " name, type, yes please, '12', 012, 0o17, +1, -2, 1e3]\n")
    for _ in range(2):  # the second time, from the types kept for short texts
        document, problems = parse_yaml(text, "f.yaml")
        assert not problems and document is not None
        expected = yaml.safe_load(text)["a"]
        got = document.data["a"]
        assert [repr(v) for v in got] == [repr(v) for v in expected]
