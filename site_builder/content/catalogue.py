"""Stage 1: load and validate the whole catalogue into frozen models.

Every problem of every file is collected; the run fails once, with all of them.
"""

from __future__ import annotations

import difflib
import os
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from pydantic import ValidationError

from ..errors import CATALOGUE_DOC, CatalogueError, Problem, display_path
from .limits import env_size
from .models import ServerFile, Tool
from .slugs import server_slug, slugify
from .yaml_document import FieldPath, YamlDocument, format_path
from .yaml_files import yaml_files
from .yaml_limits import YamlLimits
from .yamlio import load_yaml


@dataclass(frozen=True)
class LoadedTool:
    tool: Tool
    slug: str
    line: int


@dataclass(frozen=True)
class LoadedServer:
    """One validated server file, with where it came from and its URL slugs."""

    file: str
    line: int
    data: ServerFile
    slug: str
    tools: tuple[LoadedTool, ...]


@dataclass(frozen=True)
class Catalogue:
    folder: str
    servers: tuple[LoadedServer, ...]

    @property
    def tool_count(self) -> int:
        return sum(len(server.tools) for server in self.servers)


def _allowed_keys(model: Any, loc: Sequence[str | int]) -> list[str]:
    """The field names of the model at `loc` (for 'unknown key' hints)."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        for candidate in getattr(annotation, "__args__", ()) + (annotation,):
            if hasattr(candidate, "model_fields"):
                current = candidate
                break
            for inner in getattr(candidate, "__args__", ()):
                if hasattr(inner, "model_fields"):
                    current = inner
                    break
    return list(getattr(current, "model_fields", {}))


def _problem_from_error(error: Any, doc: YamlDocument, file: str) -> Problem:
    loc: FieldPath = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    kind = error["type"]
    field = format_path(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(ServerFile, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "allowed keys: " + ", ".join(allowed)
        hint += f" (see {CATALOGUE_DOC})"
        return Problem(file, doc.line_of(loc), field, f"unknown key '{loc[-1]}'", hint)
    if kind == "missing":
        return Problem(file, doc.line_of(loc), field, "required field is missing",
                       f"add `{loc[-1]}:` here (see {CATALOGUE_DOC})")
    if kind == "enum":
        allowed = error.get("ctx", {}).get("expected", "").replace("'", "").replace(" or ", ", ")
        return Problem(file, doc.line_of(loc), field, f"{value!r} is not one of {allowed}", f"see {CATALOGUE_DOC}")
    if kind in ("string_type",):
        return Problem(file, doc.line_of(loc), field, f"expected text, found {type(value).__name__} {value!r}",
                       "quote the value: YAML reads yes/no/on/off, numbers and dates as non-text")
    message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(file, doc.line_of(loc), field, message, f"see {CATALOGUE_DOC}")


def _duplicate_names(raw_tools: Any, doc: YamlDocument, file: str) -> list[Problem]:
    """Duplicate names and slug clashes, checked on the raw data so they show
    up together with every other error of the file."""
    if not isinstance(raw_tools, list):
        return []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    slugs: dict[str, tuple[str, int]] = {}
    for index, entry in enumerate(raw_tools):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        line = doc.line_of(("tools", index, "name"))
        if name in first:
            problems.append(Problem(file, line, f"tools[{index}].name",
                                    f"duplicate tool name {name!r} (first at line {first[name]})",
                                    "a server lists each tool once; merge the two entries"))
            continue
        first[name] = line
        slug = slugify(name)
        if slug in slugs:
            other, other_line = slugs[slug]
            problems.append(Problem(file, line, f"tools[{index}].name",
                                    f"tool {name!r} gets the URL slug {slug!r}, as does {other!r} at line {other_line}",
                                    "two names must not map to one page; rename one of them"))
        slugs[slug] = (name, line)
    return problems


MAX_TOOLS_VARIABLE = "BUILD_SITE_MAX_TOOLS_PER_SERVER"
MAX_TOOLS_PER_SERVER = 2_000  # 20 times the largest real server; a build spends about 2 ms a tool


def _too_many_tools(raw_tools: Any, doc: YamlDocument, file: str) -> list[Problem]:
    """A bound on one file's tools, so that no small file makes a long build (a tool costs a page and policies)."""
    limit = env_size(MAX_TOOLS_VARIABLE, MAX_TOOLS_PER_SERVER)
    if not isinstance(raw_tools, list) or len(raw_tools) <= limit:
        return []
    return [Problem(file, doc.line_of(("tools",)), "tools", f"{len(raw_tools):,} tools; the bound is {limit:,} a server",
                    f"split the server into several files, or raise the bound: {MAX_TOOLS_VARIABLE}={len(raw_tools)}")]


def shown_file(shown_folder: str, name: str) -> str:
    """How messages name the catalogue file `name` of the folder shown as `shown_folder` (display_path)."""
    return name if shown_folder == "." else os.path.join(shown_folder, name)


def load_server_file(path: Path, limits: YamlLimits | None = None) -> tuple[LoadedServer | None, list[Problem]]:
    """Load and validate one server file (a pure function: safe to run in a worker).

    `limits`: the YAML bounds; by default the environment's (see YamlLimits).  The file is shown as its
    folder and its name (a link is shown as the link, as `ls` shows it): shown_file."""
    file = shown_file(display_path(path.parent), path.name)
    doc, problems = load_yaml(path, file, limits)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, problems + [Problem(file, 1, "", "a server file is a mapping with `server:` and `tools:`")]
    problems += _duplicate_names(doc.data.get("tools"), doc, file)
    too_many = _too_many_tools(doc.data.get("tools"), doc, file)
    if too_many:
        return None, problems + too_many
    try:
        server_file = ServerFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + [_problem_from_error(error, doc, file) for error in exc.errors()]
    if problems:
        return None, problems
    loaded_tools = tuple(
        LoadedTool(tool, slugify(tool.name), doc.line_of(("tools", index)))
        for index, tool in enumerate(server_file.tools)
    )
    slug = server_file.server.slug or server_slug(server_file.server.id)
    return LoadedServer(file, doc.line_of(("server",)), server_file, slug, loaded_tools), []


def cross_file_problems(servers: Iterable[tuple[str, str, str, int]]) -> list[Problem]:
    """Server ids and slugs used twice, given (id, slug, file, line) of every server."""
    problems: list[Problem] = []
    by_id: dict[str, tuple[str, int]] = {}
    by_slug: dict[str, tuple[str, int]] = {}
    for server_id, slug, file, line in servers:
        if server_id in by_id:
            other_file, other_line = by_id[server_id]
            problems.append(Problem(file, line, "server.id",
                                    f"duplicate server id {server_id!r}, also in {other_file}:{other_line}",
                                    "each server appears in one file only"))
        by_id.setdefault(server_id, (file, line))
        if slug in by_slug:
            other_file, other_line = by_slug[slug]
            problems.append(Problem(file, line, "server.slug",
                                    f"server slug {slug!r} is also used by {other_file}:{other_line}",
                                    "set a distinct `slug:` on one of them"))
        by_slug.setdefault(slug, (file, line))
    return problems


def server_key(server: LoadedServer) -> tuple[str, str, str, int]:
    return server.data.server.id, server.slug, server.file, server.line


PARALLEL_FROM_FILES = 64  # below this, starting workers costs more than it saves


def _load_all(paths: list[Path], limits: YamlLimits | None, jobs: int) -> Iterator[tuple[LoadedServer | None, list[Problem]]]:
    if jobs <= 1 or len(paths) < PARALLEL_FROM_FILES:
        return (load_server_file(path, limits) for path in paths)
    pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        return iter(pool.starmap(load_server_file, [(path, limits) for path in paths],
                                 chunksize=max(1, len(paths) // (jobs * 8))))
    finally:
        pool.close()
        pool.join()


def load_server_files(paths: list[Path], limits: YamlLimits | None = None,
                      jobs: int = 1) -> tuple[list[LoadedServer], list[Problem]]:
    """Load and validate some server files (in `jobs` processes): the servers and every problem found."""
    servers: list[LoadedServer] = []
    problems: list[Problem] = []
    for loaded, file_problems in _load_all(paths, limits, jobs):
        problems.extend(file_problems)
        if loaded:
            servers.append(loaded)
    return servers, problems


def missing_folder_problem(folder: Path) -> CatalogueError:
    return CatalogueError([Problem(display_path(folder), 0, "", "catalogue folder not found",
                                   f"pass --catalogue DIR or create content/catalogue/ (see {CATALOGUE_DOC})")])


def load_catalogue(folder: Path, limits: YamlLimits | None = None, jobs: int = 1) -> Catalogue:
    """Load every `*.yaml` and `*.yml` file of `folder` (any case; links only to files inside it), in `jobs`
    processes; raise CatalogueError with all problems."""
    if not folder.is_dir():
        raise missing_folder_problem(folder)
    paths, refused = yaml_files(folder)
    servers, problems = load_server_files(paths, limits, jobs)
    problems.extend(refused)
    problems.extend(cross_file_problems(server_key(server) for server in servers))
    if problems:
        raise CatalogueError(problems)
    servers.sort(key=lambda server: server.slug)
    return Catalogue(display_path(folder), tuple(servers))
