"""Safe YAML reading: line numbers for every field, duplicate keys, resource limits.

PyYAML keeps the last of two duplicate keys silently and expands aliases without
bound; this module refuses both.  It reads in three steps:

1. a streaming pass over the parser's events (no recursion) that enforces the
   nesting depth and the size of the document *after* alias expansion, so that
   alias bombs and deep nesting fail in milliseconds;
2. composition into nodes, walked once to record the line of every field path
   and to report duplicate keys;
3. construction with the *safe* constructor only (no Python tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from .errors import Problem

try:  # libyaml is several times faster; fall back to pure Python where absent
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that keep a hostile file from exhausting time or memory."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 2_000_000  # counted after alias expansion


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the line (1-based) where each field path starts."""

    data: Any
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def format_path(path: FieldPath) -> str:
    """`('tools', 6, 'classification')` -> `tools[6].classification`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Limit(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _check_events(text: str, limits: YamlLimits) -> None:
    """Enforce depth and expanded size on the event stream, without recursion."""
    anchor_sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, size] per open collection
    total = 0

    def add(size: int, line: int) -> None:
        nonlocal total
        total += size
        if total > limits.max_nodes:
            raise _Limit(
                f"document expands to more than {limits.max_nodes:,} nodes (alias bomb?)", line
            )
        if stack:
            stack[-1][1] += size

    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > limits.max_depth:
                raise _Limit(f"nesting deeper than {limits.max_depth} levels", line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            if anchor:
                anchor_sizes[anchor] = size
            total -= size - 1  # children were already counted one by one
            add(size, line)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                anchor_sizes[event.anchor] = 1
            add(1, line)
        elif isinstance(event, yaml.AliasEvent):
            add(anchor_sizes.get(event.anchor or "", 1), line)


def _walk(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int], problems: list[Problem], file: str) -> None:
    """Record lines of every path and report duplicate mapping keys."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                _walk(value_node, path, lines, problems, file)
                continue
            if key in seen:
                problems.append(Problem(
                    file, key_line, format_path(path + (key,)),
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    "YAML keeps only the last value; remove or rename one of them",
                ))
                continue
            seen[key] = key_line
            lines.setdefault(path + (key,), key_line)
            _walk(value_node, path + (key,), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(path + (index,), item.start_mark.line + 1)
            _walk(item, path + (index,), lines, problems, file)


def _decode(raw: bytes, file: str, limits: YamlLimits) -> tuple[str | None, list[Problem]]:
    if len(raw) > limits.max_bytes:
        return None, [Problem(file, 0, "", f"file is {len(raw):,} bytes; the limit is {limits.max_bytes:,}",
                              "split the server into smaller files or shorten its texts")]
    if not raw.strip():
        return None, [Problem(file, 1, "", "file is empty", "a server file needs `server:` and `tools:`")]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, [Problem(file, line, "", "file contains a NUL byte (binary file?)",
                              "catalogue files are UTF-8 YAML text")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, "", f"invalid UTF-8 at byte {exc.start}",
                              "save the file as UTF-8")]


def load_yaml(path: Path, file: str, limits: YamlLimits = YamlLimits()) -> tuple[YamlDocument | None, list[Problem]]:
    """Read one YAML file safely.

    Returns the document (None when it cannot be read at all) and the problems
    found; duplicate keys are problems that still leave a document, so that the
    rest of the file is checked in the same run.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, 0, "", f"cannot read file: {exc.strerror}")]
    text, problems = _decode(raw, file, limits)
    if text is None:
        return None, problems
    return parse_yaml(text, file, limits)


def parse_yaml(text: str, file: str, limits: YamlLimits = YamlLimits()) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text safely (see module doc)."""
    try:
        _check_events(text, limits)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, [Problem(file, 1, "", "file is empty", "a server file needs `server:` and `tools:`")]
            lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
            problems: list[Problem] = []
            _walk(node, (), lines, problems, file)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _Limit as exc:
        return None, [Problem(file, exc.line, "", str(exc), "this is not a plausible catalogue file")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        hint = "only plain YAML is accepted (no !!python tags)" if "tag" in message else "fix the YAML syntax"
        return None, [Problem(file, line, "", f"YAML error: {message}", hint)]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, "", f"YAML error: {exc}", "fix the YAML syntax")]
    return YamlDocument(data, lines), problems


def iter_yaml_files(folder: Path) -> Iterator[Path]:
    """The catalogue files of a folder, in a stable order; never follows links out."""
    for path in sorted(folder.glob("*.yaml")):
        if path.is_file() and not path.is_symlink():
            yield path
