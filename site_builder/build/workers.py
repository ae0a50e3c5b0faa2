"""Worker processes that each own a share of the catalogue, from loading to rendering.

The build is a map/reduce over server files:

1. *load*: each worker is handed a share of the server files to load,
   balanced by size.  It loads, validates and derives them, keeps them, and
   returns only their light summaries (index.py) and problems.  The parent
   never holds the parsed catalogue.
2. *render*: once the parent has the site index and the plan, it sends each
   worker a render job: the page chrome, and for each of its servers to
   render the related tools of other servers that the pages link to.  The
   worker writes the pages and policy files of those servers into the
   staging folder (through its own guarded writer) and their parts into the
   cache, and reports each server's files as it finishes it.

With one job, or for a few files, the same worker runs in the parent
process; worker processes start when a load or render is large enough
(a rebuild that loads one file may still render many servers).  Workers are
forked; nothing but summaries, jobs and results crosses between processes.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..content.catalogue import load_server_file
from ..content.config import SiteConfig
from ..content.attacks import load_attacks
from ..derive import ServerEntry, derive_server
from ..errors import BuildSiteError, Problem
from ..views.index import ServerSummary, ToolLink, summarize
from ..views.pages import first_links, server_context, tool_context, tool_rows
from .part_store import PartStore
from ..policy.generate import PolicyGenerator
from ..policy.recommend import PolicyDefaults
from ..render.render import Renderer
from ..views.site_files import server_part
from ..render.theme import Shell
from ..output.writer import OutputWriter

WORKERS_FROM_FILES = 16  # fewer changed files: render in the parent, forking costs more than it saves

Related = tuple[tuple[ToolLink, ...], ...]  # per tool of a server: related tools on other servers


@dataclass(frozen=True)
class LoadResult:
    name: str  # the catalogue file name
    summary: ServerSummary | None  # None: the file has problems
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RenderJob:
    """One worker's share of the rendering."""

    shell: Shell
    root: Path  # the staging folder
    servers: tuple[tuple[str, str], ...]  # (file name, part key) of each server to render
    related: Mapping[str, Related]  # by server slug, for those servers


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
        self.entries: dict[str, ServerEntry] = {}  # by file name

    def load(self, names: Sequence[str]) -> list[LoadResult]:
        results = []
        for name in names:
            loaded, problems = load_server_file(self.folder / name)
            if loaded is None:
                results.append(LoadResult(name, None, tuple(problems)))
                continue
            entry = derive_server(loaded)
            self.entries[name] = entry
            results.append(LoadResult(name, summarize(entry), ()))
            gc.freeze()  # what is loaded stays until the end: keep the collector off it
        return results

    def render(self, job: RenderJob) -> Iterator[RenderedServer]:
        renderer = Renderer(self.config, job.shell, self.config.template_dirs, {"tool_rows": tool_rows})
        store = PartStore(self.config.cache_dir)
        for name, key in job.servers:
            if name not in self.entries:  # kept pages whose related tools changed: load it now
                failed = [r for r in self.load([name]) if r.summary is None]
                if failed:
                    raise BuildSiteError(f"{name} no longer loads (changed during the build?): "
                                         + "; ".join(p.format() for p in failed[0].problems))
            server = self.entries.pop(name)  # rendered once a build: its memory goes with it
            rendered = render_server(server, job.related[server.slug], renderer, self.generator, job.root)
            if not store.has(key):
                store.write(key, server_part(server, self.config))
            yield rendered


def render_server(server: ServerEntry, related: Related, renderer: Renderer, generator: PolicyGenerator,
                  root: Path) -> RenderedServer:
    """Write one server's pages and policy files; return what was written."""
    writer = OutputWriter(root)
    attacks = load_attacks(renderer.config.attacks_dir)
    head = first_links(server)
    checks: dict[str, list[dict[str, Any]]] = {}
    for number, entry in enumerate(server.tools):
        policy = generator.for_tool(entry)
        if policy.examples:
            checks[entry.name] = [example.as_check() for example in policy.examples]
        page = renderer.page("tool.html", entry.url, **tool_context(server, number, policy, related[number], attacks,
                                                                    head))
        writer.write(page.path, page.html)
        if policy.intercept is not None:
            writer.write(entry.url + "intercept.yaml", policy.intercept)
        writer.write(entry.url + "policy.json", policy.gateway)
    bundles = generator.for_server(server)
    for bundle in bundles:
        writer.write(f"policies/{server.slug}/{bundle.profile}/intercept.yaml", bundle.intercept)
        writer.write(f"policies/{server.slug}/{bundle.profile}/policy.json", bundle.gateway)
    page = renderer.page("server.html", server.url, **server_context(server, bundles))
    writer.write(page.path, page.html)
    writer.write(server.url + "checks.json", json.dumps(checks, ensure_ascii=False, indent=1) + "\n")
    return RenderedServer(server.slug, len(server.tools), dict(sorted(writer.sizes.items())), len(server.tools) + 1)


# ---------------------------------------------------------------- processes

def _serve(connection: Connection, worker: ServerWorker) -> None:
    """A worker process: run commands from the parent until told to stop."""
    while True:
        try:
            command, argument = connection.recv()
        except EOFError:  # the parent is gone
            return
        try:
            if command == "stop":
                return
            if command == "load":
                connection.send(("result", worker.load(argument)))
            elif command == "render":
                for rendered in worker.render(argument):
                    connection.send(("item", rendered))
                connection.send(("done", None))
        except BaseException as exc:  # reported to the parent, which raises it
            connection.send(("error", _portable(exc)))
            return


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it crosses processes intact, else a BuildSiteError with its traceback."""
    if isinstance(exc, BuildSiteError):
        return exc
    return BuildSiteError("a worker process failed:\n" + "".join(traceback.format_exception(exc)))


def _balanced(weights: Mapping[str, int], bins: int, loads: list[int]) -> list[list[str]]:
    """Names spread over `bins` (heaviest first, each to the lightest bin); `loads` is updated."""
    shares: list[list[str]] = [[] for _ in range(bins)]
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        lightest = loads.index(min(loads))
        shares[lightest].append(name)
        loads[lightest] += weights[name]
    return shares


class WorkerPool:
    """Up to `jobs` server workers: forked processes once a load or render is large enough, else the parent."""

    def __init__(self, jobs: int, make_worker: Callable[[], ServerWorker]) -> None:
        self.jobs, self.make_worker = jobs, make_worker
        self.local: ServerWorker | None = None
        self.connections: list[Connection] = []
        self.processes: list[Any] = []
        self.owner: dict[str, int] = {}  # file name -> worker process that loaded it
        self.loads = [0] * max(1, jobs)  # bytes loaded by each worker process

    def _in_processes(self, count: int) -> bool:
        """Whether work on `count` files goes to worker processes, starting them if it is worth it."""
        if not self.connections and self.jobs > 1 and count >= WORKERS_FROM_FILES:
            self._start()
        return bool(self.connections)

    def _in_parent(self) -> ServerWorker:
        if self.local is None:
            self.local = self.make_worker()
        return self.local

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        for _ in range(self.jobs):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_serve, args=(child_end, self.make_worker()), daemon=True)
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, sizes: Mapping[str, int]) -> dict[str, LoadResult]:
        """Load the named files (name -> size in bytes), spread by size; results by name."""
        if not self._in_processes(len(sizes)):
            return {result.name: result for result in self._in_parent().load(sorted(sizes))}
        shares = _balanced(sizes, len(self.connections), self.loads)
        for number, (connection, share) in enumerate(zip(self.connections, shares)):
            connection.send(("load", share))
            self.owner.update((name, number) for name in share)
        results: dict[str, LoadResult] = {}
        for connection in self.connections:
            for result in self._receive(connection, "result"):
                results[result.name] = result
        return results

    def render(self, shell: Shell, root: Path, servers: Mapping[str, tuple[str, str, int]],
               related: Mapping[str, Related]) -> Iterator[RenderedServer]:
        """Render servers (file name -> (slug, part key, tools)), each in the worker that loaded it.

        Servers no worker loaded (kept pages whose related tools changed) are
        spread over the workers, which load them first."""
        if not self._in_processes(len(servers)):
            yield from self._in_parent().render(RenderJob(shell, root, _biggest_first(servers), related))
            return
        loads = [0] * len(self.connections)  # tools already owned by each worker in this render
        for name, (_, _, tools) in servers.items():
            if name in self.owner:
                loads[self.owner[name]] += tools
        unowned = {name: tools for name, (_, _, tools) in servers.items() if name not in self.owner}
        for number, share in enumerate(_balanced(unowned, len(self.connections), loads)):
            self.owner.update((name, number) for name in share)
        for number, connection in enumerate(self.connections):
            mine = {name: value for name, value in servers.items() if self.owner[name] == number}
            connection.send(("render", RenderJob(shell, root, _biggest_first(mine),
                                                 {slug: related[slug] for slug, _, _ in mine.values()})))
        pending = set(self.connections)
        while pending:
            for ready in wait(list(pending)):
                assert isinstance(ready, Connection)
                kind, value = self._recv(ready)
                if kind == "item":
                    yield value
                elif kind == "done":
                    pending.discard(ready)
                else:
                    self._fail(value)

    def _recv(self, connection: Connection) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = connection.recv()
        except EOFError:
            message = ("error", BuildSiteError("a worker process died (out of memory? try fewer --jobs)"))
        return message

    def _receive(self, connection: Connection, expected: str) -> Any:
        kind, value = self._recv(connection)
        if kind != expected:
            self._fail(value)
        return value

    def _fail(self, error: Any) -> None:
        self.close()
        raise error if isinstance(error, BaseException) else BuildSiteError(f"a worker process failed: {error!r}")

    def close(self) -> None:
        for connection in self.connections:
            try:
                connection.send(("stop", None))
            except (OSError, ValueError):
                pass
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        for connection in self.connections:
            connection.close()
        self.connections, self.processes = [], []
        self.local = None  # its loaded servers go too


def _biggest_first(servers: Mapping[str, tuple[str, str, int]]) -> tuple[tuple[str, str], ...]:
    ordered = sorted(servers.items(), key=lambda item: (-item[1][2], item[0]))
    return tuple((name, key) for name, (_, key, _) in ordered)


class Background:
    """`function()` run in a forked process while the parent goes on; `result()` waits for its value.

    Not forked (run by `result()` in the parent) when `fork` is false."""

    def __init__(self, function: Callable[[], Any], fork: bool) -> None:
        self.function = function
        self.connection: Connection | None = None
        self.process: Any = None
        if fork:
            parent_end, child_end = multiprocessing.get_context("fork").Pipe(duplex=False)
            self.process = multiprocessing.get_context("fork").Process(
                target=_run_and_send, args=(function, child_end), daemon=True)
            self.process.start()
            child_end.close()
            self.connection = parent_end

    def result(self) -> Any:
        if self.connection is None:
            return self.function()
        try:
            kind, value = self.connection.recv()
        except EOFError:
            kind, value = "error", BuildSiteError("a worker process died (out of memory? try fewer --jobs)")
        finally:
            self.close()
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()
            self.process = None


def _run_and_send(function: Callable[[], Any], connection: Connection) -> None:
    try:
        connection.send(("result", function()))
    except BaseException as exc:  # reported to the parent, which raises it
        connection.send(("error", _portable(exc)))
