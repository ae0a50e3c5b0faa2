"""Importers: write catalogue files from Intercept scaffolds and MCP `tools/list` captures.

Importing is idempotent and never loses review work (see
:mod:`site_builder.import_merge`).  An import is all or nothing: a file of the
wrong shape, or a tool the catalogue cannot hold, is an error naming the file
and the field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Sequence

from ..content.slugs import server_slug
from ..content.yamlio import load_yaml
from ..errors import Problem, UserError, display_path
from .capture import capture_parts, check_tools, kind, read_json, tool_problems
from .import_merge import ImportedServer, heuristic_classification, merge, write_imported

_SCAFFOLD_HEADER = re.compile(r"^#\s+(Policy|Server|Homepage|Tags):\s*(.*?)\s*$")
_SCAFFOLD_GROUP = re.compile(r"^\s*#\s+──\s+(\w+)\s+Tools\s+─")
_SCAFFOLD_TOOL_COMMENT = re.compile(r"^\s*#\s{1,3}(.*)$")
_SCAFFOLD_CATEGORIES = {"read": "read", "write": "write", "execute": "execute",
                        "destructive": "destructive", "financial": "financial"}
ID_HINT = "fix serverInfo in the capture, or pass --server-json with the registry entry"
__all__ = ["ImportedServer", "import_intercept", "import_tools_list", "imported_from_tools_list", "merge",
           "parse_intercept_scaffold", "tools_list_import", "write_imported"]


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
    tools, problems = [], []
    for name in data["tools"]:
        if not isinstance(name, str) or name == "*":
            continue
        group, comment = notes.get(doc.line_of(("tools", name)), (None, None))
        description = comment.split(": ", 1)[1] if comment and comment.startswith(f"{name}: ") else None
        found = tool_problems({"name": name, "description": description}, "tools")  # the line names the tool
        problems += [Problem(file, doc.line_of(("tools", name)), "tools", message, "rename or remove this tool")
                     for _where, message in found]
        if not found:
            tools.append({"name": name, "description": description,
                          "classification": _scaffold_classification(name, group, server_name, description)})
    if problems:
        raise UserError(problems)
    slug = server_slug(path.stem)
    server = {"id": server_id, "name": server_name, "slug": slug,
              "homepage": header.get("Homepage") or None,
              "tags": [t.strip() for t in header.get("Tags", "").split(",") if t.strip()] or None}
    return ImportedServer(file, slug, server, tuple(tools), authoritative=False)


# ---------------------------------------------------------------- tools/list captures

def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _server_from_registry(meta: dict[str, Any]) -> dict[str, Any]:
    repository = meta.get("repository")
    packages = meta.get("packages")
    install = None
    if isinstance(packages, list) and packages and isinstance(packages[0], dict):
        package = packages[0]
        runner = {"pypi": "uvx", "npm": "npx -y"}.get(str(package.get("registryType") or package.get("registry_name")))
        if runner and _text(package.get("identifier")):
            install = f"{runner} {package['identifier']}"
    return {
        "id": _text(meta.get("name")),
        "name": _text(meta.get("title")) or _text(meta.get("name")),
        "description": _text(meta.get("description")),
        "homepage": _text(meta.get("websiteUrl")),
        "repository": _text(repository.get("url")) if isinstance(repository, dict) else None,
        "install": install,
    }


def tools_list_import(capture: Any, source: str, registry: dict[str, Any] | None = None, lenient: bool = False,
                      id_hint: str = ID_HINT) -> tuple[ImportedServer, tuple[Problem, ...]]:
    """A capture as an import, and the problems of the tools it leaves out.

    Strict (`build-site import`): any problem is an error.  Lenient (`scan`):
    tools the catalogue cannot hold are left out and returned as problems."""
    info, raw_tools = capture_parts(capture, source)
    name = _text(info.get("name"))
    server: dict[str, Any] = {"id": name, "name": _text(info.get("title")) or name}
    if registry:
        server.update({k: v for k, v in _server_from_registry(registry).items() if v})
    if not server.get("id"):
        raise UserError([Problem(source, 0, "serverInfo.name", "no server name in the capture", id_hint)])
    checked = check_tools(raw_tools, source, lenient)
    if checked.problems and not lenient:
        raise UserError(checked.problems)
    slug = server_slug(str(server["id"]).rsplit("/", 1)[-1])
    server["slug"] = slug
    imported = ImportedServer(source, slug, server, checked.tools, authoritative=True, hint=id_hint)
    return imported, checked.problems


def imported_from_tools_list(capture: Any, source: str, registry: dict[str, Any] | None = None) -> ImportedServer:
    return tools_list_import(capture, source, registry)[0]


def import_intercept(files: Sequence[Path], into: Path, added: dt.date | None = None) -> list[tuple[Path, bool]]:
    return write_imported((parse_intercept_scaffold(path) for path in files), into, added)


def import_tools_list(files: Sequence[Path], into: Path, server_json: Path | None = None,
                      added: dt.date | None = None) -> list[tuple[Path, bool]]:
    if server_json and len(files) != 1:
        raise UserError([Problem(display_path(server_json), 0, "", "--server-json goes with exactly one capture",
                                 "import the other captures in runs of their own")])
    registry = read_json(server_json, "a server.json is the registry's entry for one server") if server_json else None
    if server_json and not isinstance(registry, dict):
        raise UserError([Problem(display_path(server_json), 1, "", f"a server.json is a JSON object, found "
                                 f"{kind(registry)}", 'e.g. {"name": "acme/demo", "title": "Demo"}')])
    hint = f"fix it in {display_path(server_json)} or in the capture's serverInfo" if server_json else ID_HINT
    imported: list[ImportedServer] = []
    problems: list[Problem] = []
    for path in files:  # every file's problems in one report
        try:
            imported.append(tools_list_import(read_json(path), display_path(path), registry, id_hint=hint)[0])
        except UserError as exc:
            problems += exc.problems
    if problems:
        raise UserError(problems)
    return write_imported(imported, into, added)
