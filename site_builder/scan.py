"""`build-site scan`: list a live MCP server's tools and import them.

Starts the server over stdio, or connects to it over streamable HTTP, with the
official MCP Python SDK client: `initialize`, then `tools/list` (following
pagination cursors), then the same merge as the tools/list importer.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from .errors import ScanError
from .importers import imported_from_tools_list, write_imported

MAX_PAGES = 100


async def _capture(transport: Any, label: str, timeout: float, errlog: Any) -> dict[str, Any]:
    """initialize + tools/list (all pages) over an open MCP transport."""
    from mcp import ClientSession
    from mcp.types import PaginatedRequestParams

    try:
        async with asyncio.timeout(timeout):
            async with transport as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    tools: list[dict[str, Any]] = []
                    cursor: str | None = None
                    for _ in range(MAX_PAGES):
                        page = await session.list_tools(
                            params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                        tools.extend(t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in page.tools)
                        cursor = page.next_cursor
                        if not cursor:
                            break
    except TimeoutError:
        raise ScanError(f"the server did not answer within {timeout:g} s: {label}" + _tail(errlog)) from None
    except Exception as exc:  # the SDK raises many kinds; report them as one user error
        raise ScanError(f"could not scan {label}: {exc}" + _tail(errlog)) from None
    server_info = init.server_info.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"serverInfo": server_info, "protocolVersion": init.protocol_version, "tools": tools}


async def _capture_stdio(command: Sequence[str], timeout: float) -> dict[str, Any]:
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=command[0], args=list(command[1:]), env=dict(os.environ))
    with tempfile.TemporaryFile(mode="w+") as errlog:
        return await _capture(stdio_client(params, errlog=errlog), " ".join(command), timeout, errlog)


async def _capture_http(url: str, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as client:
        return await _capture(streamable_http_client(url, http_client=client), url, timeout, None)


def _tail(errlog: Any) -> str:
    if errlog is None:
        return ""
    errlog.seek(0)
    lines = errlog.read().strip().splitlines()[-5:]
    return ("\nserver stderr:\n  " + "\n  ".join(lines)) if lines else ""


def capture_tools_list(command: Sequence[str] = (), timeout: float = 60.0, url: str | None = None,
                       headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The server's `tools/list` as a capture dict (serverInfo, protocolVersion, tools).

    Starts `command` over stdio, or connects to `url` (streamable HTTP)."""
    if url:
        if not url.startswith(("http://", "https://")):
            raise ScanError(f"--url must be an http(s) URL, got {url!r}")
        return asyncio.run(_capture_http(url, headers or {}, timeout))
    if not command:
        raise ScanError("give the server command after --, or --url")
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        raise ScanError(f"command not found: {command[0]}")
    return asyncio.run(_capture_stdio(command, timeout))


def scan_into(command: Sequence[str], into: Path, server_id: str | None = None, install: str | None = None,
              timeout: float = 60.0, slug: str | None = None, name: str | None = None, url: str | None = None,
              headers: dict[str, str] | None = None) -> Path:
    capture = capture_tools_list(command, timeout, url, headers)
    label = url or " ".join(command)
    registry: dict[str, Any] = {}
    if server_id:
        registry["name"] = server_id
    imported = imported_from_tools_list(capture, label, registry or None)
    overrides = {"install": install, "slug": slug, "name": name}
    imported.server.update({key: value for key, value in overrides.items() if value})
    if slug:
        imported = replace(imported, slug=slug)
    [(path, _changed)] = write_imported([imported], into)
    return path

