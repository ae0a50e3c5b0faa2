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

The pass over the events is yaml_events.py; the bounds are yaml_limits.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from .yaml_document import YamlDocument
from .yaml_events import EventBuilder, Refused
from .yaml_limits import DEPTH_HINT, LIMIT_VARIABLES, YamlLimits, size_text

try:  # libyaml is several times faster; fall back to pure Python where absent
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def _decode(raw: bytes, file: str, limits: YamlLimits) -> tuple[str | None, list[Problem]]:
    if len(raw) > limits.max_bytes:
        return None, [Problem(file, 0, "", f"file is {len(raw):,} bytes; the limit is {limits.max_bytes:,}",
                              "split the server into smaller files or shorten its texts (or raise the bound: "
                              f"{LIMIT_VARIABLES['max_bytes']}={size_text(limits.max_bytes * 2)})")]
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
    builder = EventBuilder(file, limits)
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
    except Refused as exc:
        return None, [Problem(file, exc.line, "", str(exc), exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if "nesting depth" in message:  # libyaml (PyYAML >= 6.0.3) has a depth limit of its own
            return None, [Problem(file, line, "", f"nesting deeper than {limits.max_depth} levels", DEPTH_HINT)]
        return None, [Problem(file, line, "", f"YAML error: {message}", "fix the YAML syntax")]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, [Problem(file, 1, "", f"YAML error: {exc}", "fix the YAML syntax")]
    if builder.documents == 0:
        return None, [Problem(file, 1, "", "file is empty", "a server file needs `server:` and `tools:`")]
    builder.lines.setdefault((), 1)
    return YamlDocument(builder.root, builder.lines), builder.problems
