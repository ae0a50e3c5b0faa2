"""Merging an import into the catalogue and writing it, checked as the loader checks.

Importing is idempotent and never loses review work: when a server file
already exists, its server fields and every tool's classification, policy and
`added` date are kept; only the server's own definitions (description, title,
schema, annotations) are refreshed.  Tools missing from a new import are kept.
Values given on the command line (`scan --install`, `--name`, `--slug`)
replace what the file says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from ..content.catalogue_io import StagedFile, commit, discard, read_raw, stage_server_file, today
from ..content.models import ServerFile
from ..content.slugs import server_slug
from ..content.yaml_files import iter_yaml_files
from ..content.yamlio import load_yaml
from ..derive.heuristics import HEURISTIC_MARK, classify
from ..errors import Problem, UserError, display_path

DEFINITION_KEYS = ("title", "description", "input_schema", "annotations")


@dataclass(frozen=True)
class ImportedServer:
    """What an import found, before it is merged with an existing file."""

    source: str
    slug: str
    server: dict[str, Any]
    tools: tuple[dict[str, Any], ...]
    authoritative: bool  # the server's own answer (tools/list) rather than a summary of it
    hint: str = "fix the source file"  # how to fix a problem in the server fields
    overrides: dict[str, Any] = field(default_factory=dict)  # given on the command line: replace the file's values


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


def merge(existing: dict[str, Any] | None, imported: ImportedServer, added: dt.date) -> dict[str, Any]:
    """Existing review work wins; new tools get `added`; nothing is dropped.

    Definitions from the server's own answer replace older ones; a summary
    (an Intercept scaffold comment) only fills what is missing.  Values the
    user gave on the command line (`overrides`) replace what the file says.
    """
    old_server = (existing or {}).get("server") or {}
    server = {**{k: v for k, v in imported.server.items() if v is not None}, **old_server,
              **{k: v for k, v in imported.overrides.items() if v is not None}}
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


def _catalogue_index(into: Path) -> dict[str, tuple[str, Path]]:
    """Every server file of the folder by server id: (its slug, its path)."""
    index: dict[str, tuple[str, Path]] = {}
    for path in iter_yaml_files(into) if into.is_dir() else ():
        doc, _ = load_yaml(path, display_path(path))
        server = doc.data.get("server") if doc and isinstance(doc.data, dict) else None
        if isinstance(server, dict) and isinstance(server.get("id"), str):
            slug = server.get("slug")
            index.setdefault(server["id"], (slug if isinstance(slug, str) else server_slug(server["id"]), path))
    return index


def _plan(server: ImportedServer, into: Path, index: dict[str, tuple[str, Path]], added: dt.date,
          taken: dict[Path, str]) -> tuple[Path, dict[str, Any], list[Problem]]:
    server_id = str(server.server["id"])
    target = index[server_id][1] if server_id in index else into / f"{server.slug}.yaml"
    holder = next((other for other, (_, path) in index.items() if path == target and other != server_id), None)
    if holder is not None:  # never merge two servers into one file
        return target, {}, [Problem(server.source, 0, "server.slug", f"{display_path(target)} already holds server "
                                    f"{holder!r}, not {server_id!r}", "give this server another slug (scan: --slug)")]
    if target in taken:
        return target, {}, [Problem(server.source, 0, "server.id", f"server {server_id!r} is also imported from "
                                    f"{taken[target]} in this run", "import each server once")]
    taken[target] = server.source
    document = merge(read_raw(target), server, added)
    try:
        ServerFile.model_validate(document)
    except ValidationError as exc:
        return target, document, [Problem(server.source, 0, ".".join(map(str, e["loc"])),
                                          str(e["msg"]).removeprefix("Value error, "), server.hint)
                                  for e in exc.errors()]
    slug = document["server"].get("slug") or server_slug(server_id)
    clash = [path for other, (other_slug, path) in index.items() if other != server_id and other_slug == slug]
    if clash:
        return target, document, [Problem(server.source, 0, "server.slug", f"slug {slug!r} is already used by "
                                          f"{display_path(clash[0])}", "give this server another slug (scan: --slug)")]
    return target, document, []


def write_imported(imported: Iterable[ImportedServer], into: Path,
                   added: dt.date | None = None) -> list[tuple[Path, bool]]:
    """Merge each import into its file; check everything (as the loader would) before writing anything."""
    index = _catalogue_index(into)
    staged: list[StagedFile] = []
    problems: list[Problem] = []
    taken: dict[Path, str] = {}
    try:
        for server in imported:
            target, document, found = _plan(server, into, index, added or today(), taken)
            if not found:
                item, found = stage_server_file(target, document, server.source)
                staged.extend([item] if item else [])
            problems.extend(found)
        if problems:
            raise UserError(problems)
    except BaseException:
        discard(staged)
        raise
    return [(item.target, commit(item)) for item in staged]


