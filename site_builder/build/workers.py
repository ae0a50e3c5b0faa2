"""Worker processes that each own a share of the catalogue, from loading to rendering.

The build is a map/reduce over server files:

1. *load*: each worker is handed a share of the server files to load,
   balanced by size.  It loads, validates and derives them, keeps them, and
   returns only their light summaries (index.py) and problems.  The parent
   never holds the parsed catalogue.
2. *render*: once the parent has the site index and the plan, it sends each
   worker a render job: the page chrome, and for each of its servers to
   render the inputs of its output unit (units.py: the related tools of
   other servers and the attack patterns its pages link to).  The
   worker writes the pages and policy files of those servers into the
   staging folder (through its own guarded writer) and their parts into the
   cache, and reports each server's files as it finishes it.

With one job, or for a few files, the same worker runs in the parent
process; worker processes start when a load or render is large enough
(a rebuild that loads one file may still render many servers).  Workers are
forked; nothing but summaries, jobs and results crosses between processes.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ..errors import BuildSiteError
from ..render.theme import Shell
from .background import die_with_parent, portable
from .server_worker import LoadResult, RenderedServer, RenderJob, ServerWorker
from .units import Attacks, ServerInputs

# Below both bounds a load or render stays in the parent, where forking would cost more than it saves.
WORKERS_FROM_FILES = 16
WORKERS_FROM_WORK = 2_000  # tools to render, or kilobytes to load: a few large files are worth sharing too


def _serve(connection: Connection, worker: ServerWorker, parent: int, parent_ends: list[Connection]) -> None:
    """A worker process: run commands from the parent until told to stop (or the parent is gone)."""
    die_with_parent(parent, *parent_ends)
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
            elif command == "parts":
                connection.send(("result", worker.make_parts(argument)))
            elif command == "render":
                for rendered in worker.render(argument):
                    connection.send(("item", rendered))
                connection.send(("done", None))
        except BaseException as exc:  # reported to the parent, which raises it
            connection.send(("error", portable(exc)))
            return



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

    def _in_processes(self, count: int, work: int) -> bool:
        """Whether `work` on `count` files goes to worker processes, starting them if it is worth it."""
        worth_it = count >= WORKERS_FROM_FILES or (count > 1 and work >= WORKERS_FROM_WORK)
        if not self.connections and self.jobs > 1 and worth_it:
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
            process = context.Process(target=_serve, daemon=True, args=(
                child_end, self.make_worker(), os.getpid(), [*self.connections, parent_end]))
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
        if not self._in_processes(len(sizes), -(-sum(sizes.values()) // 1000)):  # kilobytes, rounded up
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

    @property
    def in_parent(self) -> bool:
        """Whether every server loaded so far was loaded in this process (no worker processes started)."""
        return not self.connections

    def make_parts(self, parts: Mapping[str, tuple[str, Attacks]]) -> None:
        """Write the parts of servers (file name -> (part key, attack links per tool)) into the cache, each
        by the worker that loaded the server; those no worker loaded are spread over the workers."""
        jobs = [(name, key, attacks) for name, (key, attacks) in sorted(parts.items())]
        if not jobs:
            return
        if not self.connections:
            self._in_parent().make_parts(jobs)
            return
        unowned = {name: 1 for name in parts if name not in self.owner}
        for number, share in enumerate(_balanced(unowned, len(self.connections), [0] * len(self.connections))):
            self.owner.update((name, number) for name in share)
        busy = []
        for number, connection in enumerate(self.connections):
            mine = [job for job in jobs if self.owner[job[0]] == number]
            if mine:
                connection.send(("parts", mine))
                busy.append(connection)
        for connection in busy:
            self._receive(connection, "result")

    def render(self, shell: Shell, root: Path, servers: Mapping[str, tuple[str, str, int]],
               inputs: Mapping[str, ServerInputs]) -> Iterator[RenderedServer]:
        """Render servers (file name -> (slug, part key, tools)) from their inputs (by slug), each in the
        worker that loaded it.

        Servers no worker loaded (kept pages whose related tools changed) are
        spread over the workers, which load them first."""
        if not self._in_processes(len(servers), sum(tools for _, _, tools in servers.values())):
            yield from self._in_parent().render(RenderJob(shell, root, _biggest_first(servers), inputs))
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
                                                 {slug: inputs[slug] for slug, _, _ in mine.values()})))
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
