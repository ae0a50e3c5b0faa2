"""Safe YAML reading: line numbers for every field, duplicate keys, resource limits.

PyYAML keeps the last of two duplicate keys silently and expands aliases without
bound; this module refuses both.  It reads in three steps:

1. a streaming pass over the parser's events (no recursion) that enforces the
   nesting depth and the size of the document *after* alias expansion, in
   nodes and in bytes of scalar text, so that alias bombs (many small nodes,
   or one large string repeated) and deep nesting fail in milliseconds;
2. composition into nodes, walked once to record the line of every field path
   and to report duplicate keys;
3. construction with the *safe* constructor only (no Python tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import Problem
from .limits import env_size

try:  # libyaml is several times faster; fall back to pure Python where absent
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that keep a hostile file from exhausting time or memory.

    Each can be raised for a run with an environment variable (LIMIT_VARIABLES)."""

    max_bytes: int = 16 * 1024 * 1024  # the file itself
    max_depth: int = 64
    max_nodes: int = 2_000_000  # counted after alias expansion
    max_expanded_bytes: int = 16 * 1024 * 1024  # scalar text, counted after alias expansion

    @classmethod
    def from_environment(cls) -> YamlLimits:
        """The defaults, with any bound the environment raises (or lowers)."""
        return cls(**{name: env_size(variable, getattr(DEFAULT_LIMITS, name))
                      for name, variable in LIMIT_VARIABLES.items()})


DEFAULT_LIMITS = YamlLimits()  # the compiled-in bounds; a run uses YamlLimits.from_environment()
LIMIT_VARIABLES = {bound.name: "BUILD_SITE_YAML_" + bound.name.upper() for bound in fields(YamlLimits)}
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
    def __init__(self, message: str, line: int, hint: str = "this is not a plausible catalogue file") -> None:
        super().__init__(message)
        self.line, self.hint = line, hint


def _size_text(value: int) -> str:
    return f"{value // 1024**2}MiB" if value % 1024**2 == 0 else str(value)


def _raise_hint(name: str, value: int) -> str:
    return ("anchors (&) and aliases (*) repeat what they name; if the file is meant to be this large, "
            f"raise the bound: {LIMIT_VARIABLES[name]}={_size_text(value * 4)}")


_DEPTH_HINT = f"this is not a plausible catalogue file (the bound is set by {LIMIT_VARIABLES['max_depth']})"
_STR = "tag:yaml.org,2002:str"
_SAFE_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                              ("str", "int", "float", "bool", "null", "timestamp", "binary"))
_SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
MERGE_KEY = object()  # the `<<` merge key
_RESOLVER = yaml.resolver.Resolver()
# First characters for which YAML 1.1 has an implicit type (int, float, bool, null, timestamp, merge);
# a plain scalar starting with any other character is a string without asking the resolver.
_TYPED_FIRST = frozenset(key for key in yaml.resolver.Resolver.yaml_implicit_resolvers if key)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(event: Any) -> Any:  # libyaml's events are untyped
    """A scalar's Python value with YAML 1.1 safe typing (as PyYAML's safe loader)."""
    if event.tag is None or event.tag == "!":
        value = event.value
        if not event.implicit[0] or (value and value[0] not in _TYPED_FIRST):
            return value  # quoted, or plain with no possible implicit type
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
    else:
        tag = event.tag
    if tag == _STR:
        return event.value
    if tag == _MERGE_TAG:
        return MERGE_KEY
    if tag not in _SAFE_SCALAR_TAGS:
        raise _Limit(f"YAML tag {tag!r} is not allowed (only plain YAML data)", event.start_mark.line + 1)
    return _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))


class _Frame:
    """One open mapping or sequence while the event stream is read."""

    __slots__ = ("container", "path", "anchor", "size", "bytes", "key", "key_line", "merges")

    def __init__(self, container: Any, path: FieldPath, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.size = 1
        self.bytes = 0  # scalar text inside, aliases expanded
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.merges: list[Any] = []


_NO_KEY = object()


class _Builder:
    """Builds Python data from parser events in one pass (no recursion, no node tree).

    It enforces the nesting depth and the document size *after* alias
    expansion as it goes, reports duplicate keys, and records the line of
    every field path.
    """

    def __init__(self, file: str, limits: YamlLimits) -> None:
        self.file, self.limits = file, limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, bytes
        self.lines: dict[FieldPath, int] = {}
        self.problems: list[Problem] = []
        self.total = 0
        self.total_bytes = 0
        self.root: Any = None
        self.documents = 0

    def _count(self, size: int, line: int) -> None:
        self.total += size
        if self.total > self.limits.max_nodes:
            raise _Limit(f"document expands to more than {self.limits.max_nodes:,} nodes (alias bomb?)", line,
                         _raise_hint("max_nodes", self.limits.max_nodes))

    def _count_bytes(self, size: int, line: int) -> None:
        self.total_bytes += size
        if self.total_bytes > self.limits.max_expanded_bytes:
            bound = self.limits.max_expanded_bytes
            raise _Limit(f"document expands to more than {_size_text(bound)} ({bound:,} bytes) of text once its "
                         "aliases are expanded", line, _raise_hint("max_expanded_bytes", bound))

    def _add(self, value: Any, size: int, line: int, size_bytes: int = 0) -> None:
        """Place a finished value into the open collection (or as the document)."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        frame.bytes += size_bytes
        if isinstance(frame.container, list):
            path = frame.path + (len(frame.container),)
            self.lines.setdefault(path, line)
            frame.container.append(value)
            return
        if frame.key is _NO_KEY:
            self._take_key(frame, value, line)
            return
        key, frame.key = frame.key, _NO_KEY
        if key is MERGE_KEY:
            frame.merges.append(value)
        elif key in frame.container:
            self.problems.append(Problem(
                self.file, frame.key_line, format_path(frame.path + (key,)),
                f"duplicate key {key!r} (first at line {self.lines.get(frame.path + (key,), '?')})",
                "YAML keeps only the last value; remove or rename one of them"))
        else:
            frame.container[key] = value

    def _take_key(self, frame: _Frame, key: Any, line: int) -> None:
        if isinstance(key, (dict, list)):
            raise _Limit("complex (mapping or list) keys are not supported", line)
        frame.key, frame.key_line = key, line
        if key is not MERGE_KEY:
            self.lines.setdefault(frame.path + (key,), line)

    def _child_path(self) -> FieldPath:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return frame.path + (len(frame.container),)
        return frame.path + (frame.key,) if frame.key not in (_NO_KEY, MERGE_KEY) else frame.path

    def _open(self, event: Any, container: Any) -> None:
        line = event.start_mark.line + 1
        if event.tag not in (None, "!", _SEQ_TAG, _MAP_TAG):
            raise _Limit(f"YAML tag {event.tag!r} is not allowed (only plain YAML data)", line)
        if len(self.stack) >= self.limits.max_depth:
            raise _Limit(f"nesting deeper than {self.limits.max_depth} levels", line, _DEPTH_HINT)
        path = self._child_path()
        self.lines.setdefault(path, line)
        self.stack.append(_Frame(container, path, event.anchor))

    def _close(self, line: int) -> None:
        frame = self.stack.pop()
        for merged in frame.merges:  # explicit keys win over merged ones
            for item in merged if isinstance(merged, list) else [merged]:
                if isinstance(item, dict):
                    for key, value in item.items():
                        frame.container.setdefault(key, value)
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.size, frame.bytes)
        self.total -= frame.size - 1
        self._count(frame.size, line)  # (its text was counted as it came)
        self._add(frame.container, frame.size, line, frame.bytes)

    def feed(self, event: Any) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            line = event.start_mark.line + 1
            value = _scalar(event)
            text: str = event.value
            size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
            if event.anchor:
                self.anchors[event.anchor] = (value, 1, size)
            self._count(1, line)
            self._count_bytes(size, line)
            self._add(value, 1, line, size)
        elif kind is yaml.MappingStartEvent:
            self._open(event, {})
        elif kind is yaml.SequenceStartEvent:
            self._open(event, [])
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            self._close(event.start_mark.line + 1)
        elif kind is yaml.AliasEvent:
            line = event.start_mark.line + 1
            if event.anchor not in self.anchors:
                raise _Limit(f"alias *{event.anchor} refers to no anchor", line)
            value, size, size_bytes = self.anchors[event.anchor]
            self._count(size, line)
            self._count_bytes(size_bytes, line)
            self._add(value, size, line, size_bytes)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise _Limit("a catalogue file holds one YAML document (found a second '---')",
                             event.start_mark.line + 1)


def _decode(raw: bytes, file: str, limits: YamlLimits) -> tuple[str | None, list[Problem]]:
    if len(raw) > limits.max_bytes:
        return None, [Problem(file, 0, "", f"file is {len(raw):,} bytes; the limit is {limits.max_bytes:,}",
                              "split the server into smaller files or shorten its texts (or raise the bound: "
                              f"{LIMIT_VARIABLES['max_bytes']}={_size_text(limits.max_bytes * 2)})")]
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


def load_yaml(path: Path, file: str, limits: YamlLimits | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Read one YAML file safely (within `limits`, by default those of the environment).

    Returns the document (None when it cannot be read at all) and the problems
    found; duplicate keys are problems that still leave a document, so that the
    rest of the file is checked in the same run.
    """
    limits = limits or YamlLimits.from_environment()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, 0, "", f"cannot read file: {exc.strerror}")]
    text, problems = _decode(raw, file, limits)
    if text is None:
        return None, problems
    return parse_yaml(text, file, limits)


def parse_yaml(text: str, file: str, limits: YamlLimits | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text safely (see module doc)."""
    limits = limits or YamlLimits.from_environment()
    builder = _Builder(file, limits)
    try:
        loader: Any = _Loader(text)
        try:
            while True:
                event = loader.get_event()
                if event is None or isinstance(event, yaml.StreamEndEvent):
                    break
                builder.feed(event)
        finally:
            loader.dispose()
    except _Limit as exc:
        return None, [Problem(file, exc.line, "", str(exc), exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if "nesting depth" in message:  # libyaml (PyYAML >= 6.0.3) has a depth limit of its own
            return None, [Problem(file, line, "", f"nesting deeper than {limits.max_depth} levels", _DEPTH_HINT)]
        return None, [Problem(file, line, "", f"YAML error: {message}", "fix the YAML syntax")]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, [Problem(file, 1, "", f"YAML error: {exc}", "fix the YAML syntax")]
    if builder.documents == 0:
        return None, [Problem(file, 1, "", "file is empty", "a server file needs `server:` and `tools:`")]
    builder.lines.setdefault((), 1)
    return YamlDocument(builder.root, builder.lines), builder.problems
