"""The bounds of one `build-site scan` run, and the running count of a tool listing.

A server decides how many pages it sends and how large they are; these bounds
keep a scan from running for minutes or writing a file the catalogue loader
would refuse (16 MiB).  The defaults are far above any real server's listing.
Each bound, when hit, stops the scan with a message that names it and the
option that raises it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_TOOLS = 5_000
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # half of what one catalogue file may hold: YAML is larger than compact JSON
DEFAULT_TIMEOUT = 120.0  # the whole run: start (e.g. uvx installing the server), handshake and every page
_SIZE = re.compile(r"^\s*([0-9]+)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """`8388608`, `8M`, `512K`, `1G` (binary units) -> bytes; ValueError otherwise."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size; write e.g. 8M, 512K or 1000000")
    value: int = int(match.group(1)) * 1024 ** " kmg".index(match.group(2).lower() or " ")
    if value <= 0:
        raise ValueError("a size is above zero")
    return value


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def size_text(value: int) -> str:
    """Bytes in the units people type back: `8 MiB`, `512 KiB`, or a plain count."""
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if value % factor == 0:
            return f"{value // factor} {unit}"
    return f"{value:,} bytes"


@dataclass(frozen=True)
class ScanLimits:
    max_pages: int = DEFAULT_MAX_PAGES
    max_tools: int = DEFAULT_MAX_TOOLS
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("max_pages", "max_tools", "max_bytes", "timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be above zero")


@dataclass
class Listing:
    """The tools received so far, checked against the limits after every page."""

    limits: ScanLimits
    tools: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    size: int = 0
    cursors: set[str] = field(default_factory=set)
    exceeded: str | None = None  # why the listing stopped early

    def add_page(self, tools: list[dict[str, Any]], next_cursor: str | None) -> bool:
        """Take one page; True when another page should be asked for."""
        self.pages += 1
        self.tools.extend(tools)
        self.size += sum(len(json.dumps(tool, ensure_ascii=False).encode("utf-8", "surrogatepass")) for tool in tools)
        limits = self.limits
        if len(self.tools) > limits.max_tools:
            self.exceeded = (f"the server listed more than {limits.max_tools:,} tools "
                             f"(in {_count(self.pages, 'page')}); pass --max-tools N to allow more")
        elif self.size > limits.max_bytes:
            self.exceeded = (f"the tool listing passed {size_text(limits.max_bytes)} ({self.progress()}); "
                             "pass --max-bytes SIZE (e.g. 16M) to allow more")
        elif next_cursor and self.pages >= limits.max_pages:
            self.exceeded = (f"the server was still paging after {_count(limits.max_pages, 'page')} "
                             f"({_count(len(self.tools), 'tool')}); pass --max-pages N to allow more")
        elif next_cursor and next_cursor in self.cursors:
            self.exceeded = (f"the server sent the page cursor {next_cursor[:40]!r} a second time (after "
                             f"{_count(self.pages, 'page')}): its pagination loops; report it to its authors")
        if self.exceeded or not next_cursor:
            return False
        self.cursors.add(next_cursor)
        return True

    def progress(self) -> str:
        return f"{_count(len(self.tools), 'tool')} in {_count(self.pages, 'page')}"
