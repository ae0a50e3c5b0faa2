"""Functions run in a forked process while the parent goes on, and errors that cross processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable, Iterator

from ..errors import BuildSiteError


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it crosses processes intact, else a BuildSiteError with its traceback."""
    if isinstance(exc, BuildSiteError):
        return exc
    return BuildSiteError("a worker process failed:\n" + "".join(traceback.format_exception(exc)))


def die_with_parent(parent: int, *inherited: Connection) -> None:
    """In a forked process, first: be killed when the parent dies (Linux: PR_SET_PDEATHSIG), and close the
    parent's ends of pipes inherited in the fork.  A parent killed outright (SIGKILL, the OOM killer, a CI
    timeout) then leaves no process blocked writing to a pipe nobody reads, holding the output's lock."""
    for connection in inherited:
        connection.close()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl to call: a blocked write ends once no other process
            pass  # holds the parent's end (helpers forked later may hold it until they end)
    if os.getppid() != parent:  # it died before that was asked for
        os._exit(1)


_PR_SET_PDEATHSIG = 1


class Steps:
    """The values of `steps()` (a generator) made in a forked process while the parent goes on: `next()`
    waits for the next one, sent as soon as it is made.

    Not forked (each value made by `next()`, in the parent) when `fork` is false."""

    def __init__(self, steps: Callable[[], Iterator[Any]], fork: bool) -> None:
        self.steps = steps
        self.local: Iterator[Any] | None = None
        self.connection: Connection | None = None
        self.process: Any = None
        if fork:
            parent_end, child_end = multiprocessing.get_context("fork").Pipe(duplex=False)
            self.process = multiprocessing.get_context("fork").Process(
                target=_run_and_send, args=(steps, child_end, os.getpid(), parent_end), daemon=True)
            self.process.start()
            child_end.close()
            self.connection = parent_end

    def next(self) -> Any:
        """The next value; a failure of the process is raised here (and the process is gone)."""
        if self.process is None:
            if self.local is None:
                self.local = self.steps()
            return next(self.local)
        if self.connection is None:
            raise BuildSiteError("a worker process's results were asked for after it stopped")
        try:
            kind, value = self.connection.recv()
        except EOFError:
            kind, value = "error", BuildSiteError("a worker process died (out of memory? try fewer --jobs)")
        if kind == "error":
            self.close()
            raise value
        return value

    def cancel(self) -> None:
        """Stop the process at once, its results no longer wanted (a build that failed meanwhile)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()


class Background(Steps):
    """`function()` run in a forked process while the parent goes on; `result()` waits for its value.

    Not forked (run by `result()` in the parent) when `fork` is false."""

    def __init__(self, function: Callable[[], Any], fork: bool) -> None:
        super().__init__(lambda: iter((function(),)), fork)

    def result(self) -> Any:
        try:
            return self.next()
        finally:
            self.close()


def _run_and_send(steps: Callable[[], Iterator[Any]], connection: Connection, parent: int,
                  parent_end: Connection) -> None:
    die_with_parent(parent, parent_end)
    try:
        for value in steps():
            connection.send(("result", value))
    except BaseException as exc:  # reported to the parent, which raises it
        connection.send(("error", portable(exc)))
