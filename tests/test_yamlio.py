from __future__ import annotations

from pathlib import Path

from site_builder.yamlio import YamlLimits, load_yaml, parse_yaml


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
