"""MCP `tools/list` captures: read the JSON safely, check its shape, turn each tool into a catalogue entry.

A capture is third-party data.  Whatever its shape (a list instead of an
object, 100,000 levels of nesting, NaN in a schema, an empty or NUL-bearing
tool name, the same tool three times), the result is a :class:`Problem` that
names the file and the field, never a traceback.  `build-site import` refuses
a capture with problems; `build-site scan` (lenient) skips the tools the
catalogue cannot hold, reports each one, and imports the rest.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..content.models import Tool
from ..content.slugs import slugify
from ..content.yaml_limits import DEFAULT_LIMITS
from ..errors import CATALOGUE_DOC, Problem, UserError, display_path
from .import_merge import heuristic_classification

MAX_CAPTURE_BYTES = 64 * 1024 * 1024  # four times what one catalogue file may hold
MAX_NAME = 128
# A schema sits under server file > tools > tool > input_schema: it may nest three levels less than a file.
MAX_NESTING = DEFAULT_LIMITS.max_depth - 3
CAPTURE_HINT = 'a capture is the `result` of a tools/list response: {"tools": [{"name": ...}, ...]}'
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:NaN|Infinity)|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?')
_PLACEHOLDER = {"category": "read", "rationale": "placeholder", "confidence": "low"}
_CAPTURE_KEYS = {"input_schema": "inputSchema"}
_SHAPES = (("title", "text", str), ("description", "text", str), ("inputSchema", "a JSON object", dict),
           ("annotations", "a JSON object", dict))


def kind(value: Any) -> str:
    """A JSON value's kind, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


class _NonFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _constant(token: str) -> float:
    raise _NonFinite(token)


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NonFinite(token)
    return value


def _line_of_non_finite(text: str) -> int:
    """The line of the first NaN, Infinity or overflowing number outside a string."""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token[0] != '"' and ("N" in token or "I" in token or not math.isfinite(float(token))):
            return text.count("\n", 0, match.start()) + 1
    return 0


def read_json(path: Path, hint: str = CAPTURE_HINT) -> Any:
    """A JSON file as data; every way it can fail is a UserError naming the file (and line)."""
    file = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CAPTURE_BYTES:
            raise UserError([Problem(file, 0, "", f"file is {size:,} bytes; the limit is {MAX_CAPTURE_BYTES:,}",
                                     "a listing this large cannot fit in one catalogue file; import fewer tools")])
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError([Problem(file, 0, "", f"cannot read file: {exc.strerror or exc}",
                                 "check the path")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = Problem(file, line, "", f"invalid UTF-8 at byte {exc.start}", "save the file as UTF-8 JSON")
        raise UserError([problem]) from None
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except _NonFinite as exc:
        problem = Problem(file, _line_of_non_finite(text), "",
                          f"{exc.token[:24]} is not a JSON number (JSON has no NaN or Infinity)",
                          "replace it with a finite number, or with null")
    except json.JSONDecodeError as exc:
        problem = Problem(file, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})",
                          f"fix the JSON syntax; {hint}")
    except RecursionError:
        problem = Problem(file, 0, "", "JSON nested too deeply to read (about 1,000 levels or more)", hint)
    except ValueError as exc:  # an integer of more than 4,300 digits: Python refuses to convert it
        message = "a number has more than 4,300 digits" if "digits" in str(exc) else f"not readable JSON: {exc}"
        problem = Problem(file, 0, "", message, "no schema needs such a number; shorten it")
    raise UserError([problem])


def value_problem(value: Any) -> str | None:
    """Why a schema or annotations value cannot go into a server file: nested too deeply, NaN or Infinity."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return "holds NaN or Infinity, which JSON cannot carry"
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return f"nests {deepest:,} levels deep; the catalogue allows {MAX_NESTING}" if deepest > MAX_NESTING else None


def _name_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return f"a tool name is text, found {kind(name)}"
    if not name:
        return "the tool name is empty"
    if len(name) > MAX_NAME:
        return f"the tool name is {len(name):,} characters; the catalogue allows {MAX_NAME}"
    found = _UNSTORABLE.search(name)
    if found:
        return f"the tool name contains U+{ord(found.group(0)):04X}, which cannot be published"
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _entry(raw: dict[str, Any]) -> dict[str, Any]:
    """One MCP Tool object -> our tool entry, before classification."""
    annotations = raw.get("annotations") or None
    if isinstance(annotations, dict):
        annotations = {key: value for key, value in annotations.items() if value is not None}
    title = raw.get("title") or _text((annotations or {}).get("title"))
    return {"name": raw.get("name"), "title": title or None, "description": raw.get("description") or None,
            "input_schema": raw.get("inputSchema") or None, "annotations": annotations or None}


def tool_problems(raw: Any, where: str) -> list[tuple[str, str]]:
    """(field, message) for each reason the catalogue cannot hold this tool (`where`: its field path)."""
    if not isinstance(raw, dict):
        return [(where, f"a tool is a JSON object, found {kind(raw)}")]
    named = _name_problem(raw.get("name"))
    if named:
        return [(f"{where}.name", named)]
    shapes = [(f"{where}.{key}", f"is {want}, found {kind(raw[key])}") for key, want, types in _SHAPES
              if raw.get(key) is not None and not isinstance(raw[key], types)]
    if shapes:
        return shapes
    entry = _entry(raw)
    for key in ("input_schema", "annotations"):
        refused = value_problem(entry[key])
        if refused:
            return [(f"{where}.{_CAPTURE_KEYS.get(key, key)}", refused)]
    try:
        Tool.model_validate({**entry, "classification": _PLACEHOLDER})
    except ValidationError as exc:
        return [(".".join([where] + [_CAPTURE_KEYS.get(str(p), str(p)) for p in error["loc"]]),
                 str(error["msg"]).removeprefix("Value error, ")) for error in exc.errors()]
    return []


@dataclass(frozen=True)
class CheckedTools:
    tools: tuple[dict[str, Any], ...]  # catalogue entries, with a heuristic classification
    problems: tuple[Problem, ...]  # strict: errors; lenient: warnings about what was skipped


def check_tools(raw_tools: list[Any], source: str, lenient: bool) -> CheckedTools:
    """The tools a catalogue can hold, and a problem for every other one (and for repeated names)."""
    problems: list[Problem] = []
    kept: dict[str, dict[str, Any]] = {}
    slugs: dict[str, str] = {}
    counts = Counter(t.get("name") for t in raw_tools if isinstance(t, dict) and isinstance(t.get("name"), str))
    for index, raw in enumerate(raw_tools):
        found = tool_problems(raw, f"tools[{index}]")
        valid = found and isinstance(raw, dict) and not _name_problem(raw.get("name"))
        named = f" (tool {raw['name']!r})" if valid else ""
        for field, message in found:
            problems.append(Problem(source, 0, field, message + named + ("; skipped this tool" if lenient else ""),
                                    "" if lenient else f"fix or remove this tool in the capture (see {CATALOGUE_DOC})"))
        if found:
            continue
        name = raw["name"]
        if name in kept:
            if counts[name] > 0:  # report each repeated name once
                problems.append(Problem(source, 0, f"tools[{index}].name", f"tool {name!r} is listed {counts[name]} "
                                        "times" + ("; kept the first" if lenient else ""),
                                        "" if lenient else "a server lists each tool once; keep one of them"))
                counts[name] = 0
            continue
        slug = slugify(name)
        if slug in slugs:
            problems.append(Problem(source, 0, f"tools[{index}].name", f"tool {name!r} gets the URL slug {slug!r}, "
                                    f"as does {slugs[slug]!r}" + ("; skipped this tool" if lenient else ""),
                                    "" if lenient else "two names must not map to one page; rename one of them"))
            continue
        slugs[slug] = name
        entry = _entry(raw)
        kept[name] = {**entry, "classification": heuristic_classification(name, entry["annotations"],
                                                                          entry["description"])}
    return CheckedTools(tuple(kept.values()), tuple(problems))


def capture_parts(capture: Any, source: str) -> tuple[Any, Any]:
    """The serverInfo object and the tools list of a capture (checked), or a UserError on its shape."""
    if not isinstance(capture, dict):
        raise UserError([Problem(source, 1, "", f"a tools/list capture is a JSON object, found {kind(capture)}",
                                 CAPTURE_HINT)])
    info, tools = capture.get("serverInfo") or {}, capture.get("tools")
    problems = []
    if not isinstance(info, dict):
        problems.append(Problem(source, 0, "serverInfo", f"serverInfo is a JSON object, found {kind(info)}",
                                'e.g. "serverInfo": {"name": "acme/demo"}; or pass --server-json'))
    for key in ("name", "title"):
        if isinstance(info, dict) and info.get(key) is not None and not isinstance(info.get(key), str):
            problems.append(Problem(source, 0, f"serverInfo.{key}", f"is text, found {kind(info.get(key))}",
                                    "fix it in the capture"))
    if not isinstance(tools, list):
        problems.append(Problem(source, 0, "tools", "a tools/list capture has a `tools` list" +
                                (f", found {kind(tools)}" if tools is not None else ""), CAPTURE_HINT))
    if problems:
        raise UserError(problems)
    return info, tools
