"""Importers: write catalogue files from Intercept scaffolds and MCP `tools/list` captures.

Importing is idempotent and never loses review work: when a server file
already exists, its server fields and every tool's classification, policy and
`added` date are kept; only the server's own definitions (description, title,
schema, annotations) are refreshed.  Tools missing from a new import are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import ValidationError

from .catalogue_io import read_raw, today, write_server_file
from .errors import Problem, UserError, display_path
from .heuristics import HEURISTIC_MARK, classify
from .models import ServerFile
from .slugs import server_slug
from .yamlio import iter_yaml_files, load_yaml

_SCAFFOLD_HEADER = re.compile(r"^#\s+(Policy|Server|Homepage|Tags):\s*(.*?)\s*$")
_SCAFFOLD_GROUP = re.compile(r"^\s*#\s+──\s+(\w+)\s+Tools\s+─")
_SCAFFOLD_TOOL_COMMENT = re.compile(r"^\s*#\s{1,3}(.*)$")
_SCAFFOLD_CATEGORIES = {"read": "read", "write": "write", "execute": "execute",
                        "destructive": "destructive", "financial": "financial"}
DEFINITION_KEYS = ("title", "description", "input_schema", "annotations")


@dataclass(frozen=True)
class ImportedServer:
    """What an import found, before it is merged with an existing file."""

    source: str
    slug: str
    server: dict[str, Any]
    tools: tuple[dict[str, Any], ...]
    authoritative: bool  # the server's own answer (tools/list) rather than a summary of it


def heuristic_classification(name: str, annotations: dict[str, Any] | None,
                             description: str | None = None) -> dict[str, Any]:
    category, rationale = classify(name, annotations, description)
    return {"category": category.value, "rationale": rationale, "confidence": "low"}


def is_heuristic(classification: Any) -> bool:
    """True for a guess an importer wrote and nobody has reviewed (safe to redo)."""
    return (isinstance(classification, dict) and classification.get("confidence") == "low"
            and HEURISTIC_MARK in str(classification.get("rationale", "")))


def _reguess(old: dict[str, Any], name: str, annotations: dict[str, Any] | None) -> dict[str, Any]:
    """A heuristic redone with what is known now (e.g. annotations from a capture)."""
    guess = heuristic_classification(name, annotations)
    prefix = str(old.get("rationale", "")).split(HEURISTIC_MARK, 1)[0]
    return {**old, "category": guess["category"], "rationale": prefix + guess["rationale"]}


# ---------------------------------------------------------------- Intercept scaffolds

def _scaffold_tool_notes(lines: Sequence[str]) -> dict[int, tuple[str | None, str | None]]:
    """For each line number (1-based): the group header and comment just above it."""
    notes: dict[int, tuple[str | None, str | None]] = {}
    group: str | None = None
    comment: str | None = None
    for number, line in enumerate(lines, start=1):
        group_match = _SCAFFOLD_GROUP.match(line)
        if group_match:
            group, comment = group_match.group(1), None
            continue
        comment_match = _SCAFFOLD_TOOL_COMMENT.match(line)
        if comment_match and line.lstrip().startswith("#"):
            comment = comment_match.group(1)
            continue
        notes[number] = (group, comment)
        if line.strip():
            comment = None
    return notes


def _scaffold_classification(name: str, group: str | None, server_name: str, description: str | None) -> dict[str, Any]:
    category = _SCAFFOLD_CATEGORIES.get((group or "").lower())
    if category is None:
        guessed = heuristic_classification(name, None)
        guessed["rationale"] = (f"Unclassified: the Intercept scaffold groups this tool under "
                                f"'{group or 'no'} Tools'. " + guessed["rationale"])
        return guessed
    return {
        "category": category,
        "rationale": (f"Grouped under '{group} Tools' in the Intercept project's policy scaffold for "
                      f"{server_name}; not yet reviewed here."),
        "evidence": description or None,
        "confidence": "medium",
    }


def parse_intercept_scaffold(path: Path) -> ImportedServer:
    file = display_path(path)
    doc, problems = load_yaml(path, file)
    if doc is None or problems:
        raise UserError(problems)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("tools"), dict):
        raise UserError([Problem(file, 1, "tools", "not an Intercept policy: no `tools:` mapping")])
    lines = path.read_text(encoding="utf-8").splitlines()
    header = {m.group(1): m.group(2) for m in map(_SCAFFOLD_HEADER.match, lines[:20]) if m}
    server_id = header.get("Server") or str(data.get("description", "")).removeprefix("Policy for ") or path.stem
    server_name = header.get("Policy") or server_id
    notes = _scaffold_tool_notes(lines)
    tools = []
    for name in data["tools"]:
        if not isinstance(name, str) or name == "*":
            continue
        group, comment = notes.get(doc.line_of(("tools", name)), (None, None))
        description = comment.split(": ", 1)[1] if comment and comment.startswith(f"{name}: ") else None
        tools.append({"name": name, "description": description,
                      "classification": _scaffold_classification(name, group, server_name, description)})
    slug = server_slug(path.stem)
    server = {"id": server_id, "name": server_name, "slug": slug,
              "homepage": header.get("Homepage") or None,
              "tags": [t.strip() for t in header.get("Tags", "").split(",") if t.strip()] or None}
    return ImportedServer(file, slug, server, tuple(tools), authoritative=False)


# ---------------------------------------------------------------- tools/list captures

def _tool_from_mcp(raw: dict[str, Any]) -> dict[str, Any]:
    """One MCP Tool object -> our tool entry (classification heuristic)."""
    name = raw.get("name")
    annotations = raw.get("annotations") or None
    title = raw.get("title") or (annotations or {}).get("title")
    if annotations:
        annotations = {key: value for key, value in annotations.items() if value is not None}
    return {
        "name": name,
        "title": title or None,
        "description": raw.get("description") or None,
        "input_schema": raw.get("inputSchema") or None,
        "annotations": annotations or None,
        "classification": heuristic_classification(str(name), annotations,
                                                   str(raw.get("description") or "") or None),
    }


def _server_from_registry(meta: dict[str, Any]) -> dict[str, Any]:
    repository = meta.get("repository")
    packages = meta.get("packages") or []
    install = None
    if packages and isinstance(packages[0], dict):
        package = packages[0]
        runner = {"pypi": "uvx", "npm": "npx -y"}.get(str(package.get("registryType") or package.get("registry_name")))
        if runner and package.get("identifier"):
            install = f"{runner} {package['identifier']}"
    return {
        "id": meta.get("name"),
        "name": meta.get("title") or meta.get("name"),
        "description": meta.get("description"),
        "homepage": meta.get("websiteUrl"),
        "repository": repository.get("url") if isinstance(repository, dict) else None,
        "install": install,
    }


def imported_from_tools_list(capture: dict[str, Any], source: str, registry: dict[str, Any] | None = None) -> ImportedServer:
    info = capture.get("serverInfo") or {}
    server = {"id": info.get("name"), "name": info.get("title") or info.get("name")}
    if registry:
        server.update({k: v for k, v in _server_from_registry(registry).items() if v})
    if not server.get("id"):
        raise UserError([Problem(source, 1, "serverInfo.name", "no server name in the capture",
                                 "pass --server-json with the registry entry")])
    slug = server_slug(str(server["id"]).rsplit("/", 1)[-1])
    server["slug"] = slug
    tools = capture.get("tools")
    if not isinstance(tools, list):
        raise UserError([Problem(source, 1, "tools", "a tools/list capture has a `tools` list")])
    return ImportedServer(source, slug, server, tuple(_tool_from_mcp(t) for t in tools if isinstance(t, dict)),
                          authoritative=True)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError([Problem(display_path(path), 1, "", f"not readable JSON: {exc}")]) from None


# ---------------------------------------------------------------- merge and write

def merge(existing: dict[str, Any] | None, imported: ImportedServer, added: dt.date) -> dict[str, Any]:
    """Existing review work wins; new tools get `added`; nothing is dropped.

    Definitions from the server's own answer replace older ones; a summary
    (an Intercept scaffold comment) only fills what is missing.
    """
    old_server = (existing or {}).get("server") or {}
    server = {**{k: v for k, v in imported.server.items() if v is not None}, **old_server}
    imported_tools = {tool["name"]: tool for tool in imported.tools}
    tools: list[dict[str, Any]] = []
    for old in (existing or {}).get("tools") or []:  # existing order is kept: stable diffs
        new = imported_tools.pop(old.get("name"), None) if isinstance(old, dict) else None
        tools.append(old if new is None else _refreshed(old, new, imported.authoritative))
    tools.extend({**new, "added": added} for new in imported_tools.values())
    if existing is None:
        server.setdefault("added", added)
    return {"server": server, "tools": tools}


def _refreshed(old: dict[str, Any], new: dict[str, Any], authoritative: bool) -> dict[str, Any]:
    refreshed = dict(old)
    for key in DEFINITION_KEYS:  # a summary (scaffold) only fills gaps; the server's answer wins
        if new.get(key) is not None and (authoritative or refreshed.get(key) is None):
            refreshed[key] = new[key]
    if is_heuristic(old.get("classification")):
        refreshed["classification"] = _reguess(old["classification"], new["name"], refreshed.get("annotations"))
    return refreshed


def _existing_file(into: Path, server_id: str, slug: str) -> Path:
    """The file already holding this server id, else `<slug>.yaml`."""
    for path in iter_yaml_files(into) if into.is_dir() else ():
        doc, _ = load_yaml(path, display_path(path))
        if doc and isinstance(doc.data, dict) and (doc.data.get("server") or {}).get("id") == server_id:
            return path
    return into / f"{slug}.yaml"


def write_imported(imported: Iterable[ImportedServer], into: Path,
                   added: dt.date | None = None) -> list[tuple[Path, bool]]:
    """Merge each import into its file; validate everything before writing anything."""
    planned: list[tuple[Path, dict[str, Any]]] = []
    problems: list[Problem] = []
    for server in imported:
        target = _existing_file(into, str(server.server["id"]), server.slug)
        document = merge(read_raw(target), server, added or today())
        try:
            ServerFile.model_validate(document)
        except ValidationError as exc:
            problems.extend(Problem(server.source, 0, ".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors())
            continue
        planned.append((target, document))
    if problems:
        raise UserError(problems)
    return [(target, write_server_file(target, document)) for target, document in planned]


def import_intercept(files: Sequence[Path], into: Path, added: dt.date | None = None) -> list[tuple[Path, bool]]:
    return write_imported((parse_intercept_scaffold(path) for path in files), into, added)


def import_tools_list(files: Sequence[Path], into: Path, server_json: Path | None = None,
                      added: dt.date | None = None) -> list[tuple[Path, bool]]:
    if server_json and len(files) != 1:
        raise UserError([Problem(display_path(server_json), 0, "", "--server-json goes with exactly one capture")])
    registry = _read_json(server_json) if server_json else None
    imported = [imported_from_tools_list(_read_json(path), display_path(path), registry) for path in files]
    return write_imported(imported, into, added)
