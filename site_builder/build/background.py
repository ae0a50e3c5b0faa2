"""A function run in a forked process while the parent goes on, and errors that cross processes."""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable

from ..errors import BuildSiteError


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it crosses processes intact, else a BuildSiteError with its traceback."""
    if isinstance(exc, BuildSiteError):
        return exc
    return BuildSiteError("a worker process failed:\n" + "".join(traceback.format_exception(exc)))


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

    def cancel(self) -> None:
        """Stop the process at once, its result no longer wanted (a build that failed meanwhile)."""
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
            self.process = None


def _run_and_send(function: Callable[[], Any], connection: Connection) -> None:
    try:
        connection.send(("result", function()))
    except BaseException as exc:  # reported to the parent, which raises it
        connection.send(("error", portable(exc)))
