"""Python data from PyYAML's parser events, in one pass (no recursion, no node tree).

The document's nesting depth and its size after alias expansion are checked
as the events come, so alias bombs and deep nesting fail in milliseconds;
duplicate keys are reported; the line of every field path is recorded; and
scalars are typed by the *safe* constructor only (no Python tags).
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import Problem
from .yaml_document import FieldPath, format_path
from .yaml_limits import DEPTH_HINT, YamlLimits, raise_hint, size_text


class Refused(Exception):
    """Why a file is refused as it is read (a bound passed, a tag, a complex key, a second document)."""

    def __init__(self, message: str, line: int, hint: str = "this is not a plausible catalogue file") -> None:
        super().__init__(message)
        self.line, self.hint = line, hint


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
        tag = _implicit_tag(value, event.implicit)
    else:
        tag = event.tag
    if tag == _STR:
        return event.value
    if tag == _MERGE_TAG:
        return MERGE_KEY
    if tag not in _SAFE_SCALAR_TAGS:
        raise Refused(f"YAML tag {tag!r} is not allowed (only plain YAML data)", event.start_mark.line + 1)
    return _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))


_IMPLICIT_TAGS: dict[str, str] = {}  # a plain scalar's implicit type, by its text: keys repeat in every file
_KEPT_TAGS, _KEPT_LENGTH = 4096, 64


def _implicit_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The YAML 1.1 type of a plain scalar (the resolver's answer depends on its text alone); those of short
    texts ("name", "type", "true", "2026-11-20") are kept, as the resolver tries several patterns each time."""
    tag = _IMPLICIT_TAGS.get(value)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
        if len(value) <= _KEPT_LENGTH:
            if len(_IMPLICIT_TAGS) >= _KEPT_TAGS:
                _IMPLICIT_TAGS.clear()
            _IMPLICIT_TAGS[value] = tag
    return tag


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


class EventBuilder:
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
            raise Refused(f"document expands to more than {self.limits.max_nodes:,} nodes (alias bomb?)", line,
                         raise_hint("max_nodes", self.limits.max_nodes))

    def _count_bytes(self, size: int, line: int) -> None:
        self.total_bytes += size
        if self.total_bytes > self.limits.max_expanded_bytes:
            bound = self.limits.max_expanded_bytes
            raise Refused(f"document expands to more than {size_text(bound)} ({bound:,} bytes) of text once its "
                         "aliases are expanded", line, raise_hint("max_expanded_bytes", bound))

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
            raise Refused("complex (mapping or list) keys are not supported", line)
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
            raise Refused(f"YAML tag {event.tag!r} is not allowed (only plain YAML data)", line)
        if len(self.stack) >= self.limits.max_depth:
            raise Refused(f"nesting deeper than {self.limits.max_depth} levels", line, DEPTH_HINT)
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
                raise Refused(f"alias *{event.anchor} refers to no anchor", line)
            value, size, size_bytes = self.anchors[event.anchor]
            self._count(size, line)
            self._count_bytes(size_bytes, line)
            self._add(value, size, line, size_bytes)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise Refused("a catalogue file holds one YAML document (found a second '---')",
                             event.start_mark.line + 1)
