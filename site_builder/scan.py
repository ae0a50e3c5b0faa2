"""`build-site scan`: start a live MCP server over stdio and import its tools.

Uses the official MCP Python SDK client: `initialize`, then `tools/list`
(following pagination cursors), then the same merge as the tools/list importer.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from .errors import ScanError
from .importers import imported_from_tools_list, write_imported

MAX_PAGES = 100


async def _capture(command: Sequence[str], timeout: float) -> dict[str, Any]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.types import PaginatedRequestParams

    params = StdioServerParameters(command=command[0], args=list(command[1:]), env=dict(os.environ))
    with tempfile.TemporaryFile(mode="w+") as errlog:
        try:
            async with asyncio.timeout(timeout):
                async with stdio_client(params, errlog=errlog) as (read, write):
                    async with ClientSession(read, write) as session:
                        init = await session.initialize()
                        tools: list[dict[str, Any]] = []
                        cursor: str | None = None
                        for _ in range(MAX_PAGES):
                            page = await session.list_tools(
                                params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                            tools.extend(t.model_dump(mode="json", by_alias=True, exclude_none=True)
                                         for t in page.tools)
                            cursor = page.next_cursor
                            if not cursor:
                                break
        except TimeoutError:
            raise ScanError(f"the server did not answer within {timeout:g} s: {' '.join(command)}"
                            + _tail(errlog)) from None
        except Exception as exc:  # the SDK raises many kinds; report them as one user error
            if isinstance(exc, ScanError):
                raise
            raise ScanError(f"could not scan {' '.join(command)}: {exc}" + _tail(errlog)) from None
    server_info = init.server_info.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"serverInfo": server_info, "protocolVersion": init.protocol_version, "tools": tools}


def _tail(errlog: Any) -> str:
    errlog.seek(0)
    lines = errlog.read().strip().splitlines()[-5:]
    return ("\nserver stderr:\n  " + "\n  ".join(lines)) if lines else ""


def capture_tools_list(command: Sequence[str], timeout: float = 60.0) -> dict[str, Any]:
    """The server's `tools/list` as a capture dict (serverInfo, protocolVersion, tools)."""
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        raise ScanError(f"command not found: {command[0]}")
    return asyncio.run(_capture(command, timeout))


def scan_into(command: Sequence[str], into: Path, server_id: str | None = None, install: str | None = None,
              timeout: float = 60.0, slug: str | None = None, name: str | None = None) -> Path:
    capture = capture_tools_list(command, timeout)
    registry: dict[str, Any] = {}
    if server_id:
        registry["name"] = server_id
    imported = imported_from_tools_list(capture, " ".join(command), registry or None)
    overrides = {"install": install, "slug": slug, "name": name}
    imported.server.update({key: value for key, value in overrides.items() if value})
    if slug:
        imported = replace(imported, slug=slug)
    [(path, _changed)] = write_imported([imported], into)
    return path


if __name__ == "__main__":  # pragma: no cover - manual use
    print(capture_tools_list(sys.argv[1:]))
