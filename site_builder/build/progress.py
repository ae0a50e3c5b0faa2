"""What a build tells while it runs: tools rendered so far, and wall time per stage (--verbose)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, verbosity: int) -> None:
        self.total, self.done, self.last = total, 0, 0.0
        self.enabled = verbosity >= 1 and sys.stderr.isatty() and total >= 2000
        self.verbose = verbosity >= 2

    def advance(self, tools: int, label: str) -> None:
        self.done += tools
        if self.verbose:
            print(f"  {label}: {tools} tools", file=sys.stderr)
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.5 or self.done == self.total):
            self.last = now
            print(f"\r  rendering tools {self.done:,}/{self.total:,}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print(file=sys.stderr)



class Stages:
    """Wall time per stage, printed with --verbose."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity, self.verbose, self.last = verbosity, verbosity >= 2, time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        if self.verbose:
            print(f"  {name}: {now - self.last:.2f} s", file=sys.stderr)
        self.last = now
