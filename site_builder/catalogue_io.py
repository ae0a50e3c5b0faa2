"""Writing catalogue files: readable YAML that round-trips any text.

Used by the importers.  Multi-line text is written as block scalars; any
string PyYAML cannot write plainly (non-printable characters, `yes`, `1.0`,
leading `*`) is quoted by PyYAML's emitter, and unicode stays readable.
The writer re-reads what it wrote and refuses to keep a file that does not
load back to the same data.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, UserError, display_path
from .yamlio import load_yaml

SERVER_KEYS = ("id", "name", "slug", "description", "homepage", "repository", "tags", "install", "added")
TOOL_KEYS = ("name", "title", "description", "input_schema", "annotations", "classification", "policy", "added")
CLASSIFICATION_KEYS = ("category", "risk", "score", "rationale", "evidence", "confidence", "signals", "effects")


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # never write anchors: files are for people
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    multiline = "\n" in value.strip("\n") and len(value) < 20_000
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if multiline else None)


_Dumper.add_representer(str, _str)


def ordered(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The mapping with known keys first in the documented order, None values dropped."""
    out = {key: mapping[key] for key in keys if mapping.get(key) is not None}
    out.update({key: value for key, value in mapping.items() if key not in out and value is not None})
    return out


def dump_server_file(document: dict[str, Any]) -> str:
    return yaml.dump(_plain(document), Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)


def read_raw(path: Path) -> dict[str, Any] | None:
    """An existing catalogue file as plain data (for merging), or None if absent."""
    if not path.exists():
        return None
    doc, problems = load_yaml(path, display_path(path))
    if doc is None or problems or not isinstance(doc.data, dict):
        raise UserError(problems or [Problem(display_path(path), 1, "", "not a server file; fix or remove it")])
    return doc.data


def write_server_file(path: Path, document: dict[str, Any]) -> bool:
    """Write atomically; return False when the file already holds exactly this."""
    text = dump_server_file(document)
    if yaml.safe_load(text) != _plain(document):
        raise AssertionError(f"catalogue writer would change data in {path}")  # a bug of ours, not the user's
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
    return True


def _plain(document: dict[str, Any]) -> dict[str, Any]:
    """The document with keys in the documented order and empty values dropped."""
    server = ordered(document["server"], SERVER_KEYS)
    tools = []
    for tool in document.get("tools", []):
        tool = ordered(tool, TOOL_KEYS)
        tool["classification"] = ordered(tool["classification"], CLASSIFICATION_KEYS)
        tools.append(tool)
    return {"server": server, "tools": tools}


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()
