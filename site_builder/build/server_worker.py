"""A server worker: a share of the catalogue, loaded once and rendered once (see workers.py).

It loads, validates and derives its server files, keeps them (pickled: a
derived tool held as objects takes about five times the memory of its
pickle, which is read back in about 1% of the time loading it took), and
returns only their light summaries (index.py) and problems; later it writes the
pages and policy files of the servers it is asked to render into the
staging folder (through its own guarded writer), and their parts into the
cache, reporting each server's files as it finishes it.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..content.catalogue import load_server_file
from ..content.config import SiteConfig
from ..derive import ServerEntry, derive_server
from ..errors import BuildSiteError, Problem
from ..output.lock import disk_errors
from ..output.writer import OutputWriter
from ..policy.generate import PolicyGenerator
from ..policy.recommend import PolicyDefaults
from ..render.render import Renderer
from ..render.theme import Shell
from ..views.index import ServerSummary, summarize
from ..views.summary_json import summary_digest
from ..views.pages import PAGE_HELPERS, first_links, server_context, tool_context
from ..views.machine_files import checks_json
from ..views.site_files import server_part
from .part_store import PartStore
from .units import Attacks, ServerInputs


@dataclass(frozen=True)
class LoadResult:
    name: str  # the catalogue file name
    summary: ServerSummary | None  # None: the file has problems
    summary_digest: str | None  # summary_json.summary_digest of the summary, made here beside it
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RenderJob:
    """One worker's share of the rendering."""

    shell: Shell
    root: Path  # the staging folder
    servers: tuple[tuple[str, str], ...]  # (file name, part key) of each server to render
    inputs: Mapping[str, ServerInputs]  # by server slug, for those servers


@dataclass(frozen=True)
class RenderedServer:
    slug: str
    tools: int
    files: dict[str, int]  # path -> size
    pages: int


class ServerWorker:
    """A share of the catalogue: loads its server files, keeps them, renders them."""

    def __init__(self, config: SiteConfig, folder: Path, defaults: PolicyDefaults) -> None:
        self.config, self.folder = config, folder
        self.generator = PolicyGenerator(defaults)
        self.entries: dict[str, bytes] = {}  # by file name: the derived entry, pickled

    def load(self, names: Sequence[str]) -> list[LoadResult]:
        results = []
        for name in names:
            loaded, problems = load_server_file(self.folder / name)
            if loaded is None:
                results.append(LoadResult(name, None, None, tuple(problems)))
                continue
            entry = derive_server(loaded)
            self.entries[name] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            summary = summarize(entry)
            results.append(LoadResult(name, summary, summary_digest(summary), ()))
        return results

    def _load_again(self, name: str) -> None:
        """Load a server this worker was not given to load (its pages were kept until now)."""
        failed = [result for result in self.load([name]) if result.summary is None]
        if failed:
            raise BuildSiteError(f"{name} no longer loads (changed during the build?): "
                                 + "; ".join(p.format() for p in failed[0].problems))

    def make_parts(self, jobs: Sequence[tuple[str, str, Attacks]]) -> int:
        """Write the parts of servers (file name, part key, attack links per tool) into the cache; a server
        this worker has not loaded is loaded for it and dropped again."""
        with PartStore(self.config.cache_dir).writer() as parts:
            for name, key, attacks in jobs:
                loaded = name in self.entries
                if not loaded:
                    self._load_again(name)
                server: ServerEntry = pickle.loads(self.entries[name] if loaded else self.entries.pop(name))
                parts.add(key, server_part(server, self.config, attacks))
        return len(jobs)

    def render(self, job: RenderJob) -> Iterator[RenderedServer]:
        renderer = Renderer(self.config, job.shell, self.config.template_dirs, PAGE_HELPERS)
        with PartStore(self.config.cache_dir).writer() as parts:  # packs written as they fill, the rest at the end
            for name, key in job.servers:
                if name not in self.entries:  # kept pages whose related tools changed: load it now
                    self._load_again(name)
                server: ServerEntry = pickle.loads(self.entries.pop(name))  # rendered once a build
                inputs = job.inputs[server.slug]
                rendered = render_server(server, inputs, renderer, self.generator, job.root)
                if key not in parts:
                    parts.add(key, server_part(server, self.config, inputs.attacks))
                yield rendered


class GuardedWorker(ServerWorker):
    """A worker whose refused writes reach the parent as one line, not a traceback (its writer names the
    pages it could not write; what else it writes is the cache's parts)."""

    def render(self, job: RenderJob) -> Iterator[RenderedServer]:
        with disk_errors(self.config.cache_dir, self.config.cache_dir):
            yield from super().render(job)

    def make_parts(self, jobs: Sequence[tuple[str, str, Attacks]]) -> int:
        with disk_errors(self.config.cache_dir, self.config.cache_dir):
            return super().make_parts(jobs)


def render_server(server: ServerEntry, inputs: ServerInputs, renderer: Renderer, generator: PolicyGenerator,
                  root: Path) -> RenderedServer:
    """Write one server's pages and policy files; return what was written.

    `server` is the entry loaded from `inputs.file` (whose content `inputs.file_hash` is); nothing else
    but the inputs and the context-made renderer and generator is read."""
    writer = OutputWriter(root)
    related, attacks = inputs.related, inputs.attacks
    head = first_links(server)
    checks: dict[str, list[dict[str, Any]]] = {}
    recommended = []
    for number, entry in enumerate(server.tools):
        policy = generator.for_tool(entry)
        recommended.append(policy.recommendation)
        if policy.examples:
            checks[entry.name] = [example.as_check() for example in policy.examples]
        context = tool_context(server, number, policy, related[number], attacks[number], head)
        page = renderer.page("tool.html", entry.url, **context)
        writer.write(page.path, page.html)
        if policy.intercept is not None:
            writer.write(entry.url + "intercept.yaml", policy.intercept)
        writer.write(entry.url + "policy.json", policy.gateway)
    bundles = generator.for_server(server, recommended)
    for bundle in bundles:
        writer.write(f"policies/{server.slug}/{bundle.profile}/intercept.yaml", bundle.intercept)
        writer.write(f"policies/{server.slug}/{bundle.profile}/policy.json", bundle.gateway)
    page = renderer.page("server.html", server.url, **server_context(server, bundles))
    writer.write(page.path, page.html)
    writer.write(server.url + "checks.json", checks_json(checks))
    return RenderedServer(server.slug, len(server.tools), dict(sorted(writer.sizes.items())), len(server.tools) + 1)
