"""`build-site scan`: list a live MCP server's tools and import them.

Starts the server over stdio, or connects to it over streamable HTTP, with the
official MCP Python SDK client: `initialize`, then `tools/list` (following
pagination cursors), then the same merge as the tools/list importer.

The whole run is bounded (:mod:`site_builder.scan_limits`: pages, tools, bytes
of the listing, time).  Unlike `build-site import`, a scan is lenient with
what the server sends: a tool the catalogue cannot hold (an empty name, a
name over 128 characters, NUL in it, a schema nested too deeply) is reported
and skipped, a name listed twice is reported and its first entry kept, and
the rest is imported.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from pydantic import ValidationError

from ..errors import ScanError
from .import_merge import write_imported
from .importers import tools_list_import
from .scan_limits import Listing, ScanLimits
from .scan_transport import RepairingStream, quiet_sdk_logs

ID_HINT = "pass --id OWNER/NAME (and --name, --slug) to set the server's identity"


@dataclass(frozen=True)
class ScanResult:
    path: Path
    changed: bool
    tools: int  # tools imported from this listing
    warnings: tuple[str, ...]  # one line each: tools skipped, names listed more than once


async def _capture(transport: Any, label: str, limits: ScanLimits, errlog: Any) -> dict[str, Any]:
    """initialize + tools/list (all pages, within the limits) over an open MCP transport."""
    from mcp import ClientSession
    from mcp.types import PaginatedRequestParams

    listing = Listing(limits)
    with quiet_sdk_logs() as sdk_log:
        try:
            async with asyncio.timeout(limits.timeout):
                async with transport as streams:
                    read, write = RepairingStream(streams[0], sdk_log), streams[1]
                    async with ClientSession(read, write) as session:
                        init = await session.initialize()
                        cursor: str | None = None
                        more = True
                        while more:
                            page = await session.list_tools(
                                params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                            cursor = page.next_cursor
                            more = listing.add_page([t.model_dump(mode="json", by_alias=True, exclude_none=True)
                                                     for t in page.tools], cursor)
        except TimeoutError:
            said = f"; the MCP client last reported: {sdk_log.last}" if sdk_log.last else ""
            raise ScanError(f"scan of {label} stopped: it did not finish within {limits.timeout:g} s "
                            f"({listing.progress()} so far{said}); pass --timeout SECONDS to allow more"
                            + _tail(errlog)) from None
        except Exception as exc:  # the SDK raises many kinds; report them as one user error
            raise ScanError(f"could not scan {label}: {_reason(exc)}" + _tail(errlog)) from None
    if listing.exceeded:
        raise ScanError(f"scan of {label} stopped: {listing.exceeded}")
    server_info = init.server_info.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"serverInfo": server_info, "protocolVersion": init.protocol_version, "tools": listing.tools}


async def _capture_stdio(command: Sequence[str], limits: ScanLimits) -> dict[str, Any]:
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=command[0], args=list(command[1:]), env=dict(os.environ))
    with tempfile.TemporaryFile(mode="w+") as errlog:
        return await _capture(stdio_client(params, errlog=errlog), " ".join(command), limits, errlog)


async def _capture_http(url: str, headers: dict[str, str], limits: ScanLimits) -> dict[str, Any]:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    async with httpx2.AsyncClient(headers=headers, timeout=limits.timeout) as client:
        return await _capture(streamable_http_client(url, http_client=client), url, limits, None)


def _reason(exc: BaseException) -> str:
    """The first line of the innermost error (task groups wrap what the SDK raises)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"]))
        return f"the server's answer is not valid MCP: {where + ': ' if where else ''}{error['msg']}"
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _tail(errlog: Any) -> str:
    if errlog is None:
        return ""
    errlog.seek(0)
    lines = errlog.read().strip().splitlines()[-5:]
    return ("\nserver stderr:\n  " + "\n  ".join(lines)) if lines else ""


def capture_tools_list(command: Sequence[str] = (), timeout: float | None = None, url: str | None = None,
                       headers: dict[str, str] | None = None, limits: ScanLimits | None = None) -> dict[str, Any]:
    """The server's `tools/list` as a capture dict (serverInfo, protocolVersion, tools).

    Starts `command` over stdio, or connects to `url` (streamable HTTP)."""
    limits = limits or ScanLimits()
    if timeout is not None:
        limits = replace(limits, timeout=timeout)
    if url:
        if not url.startswith(("http://", "https://")):
            raise ScanError(f"--url must be an http(s) URL, got {url!r}")
        return asyncio.run(_capture_http(url, headers or {}, limits))
    if not command:
        raise ScanError("give the server command after --, or --url")
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        raise ScanError(f"command not found: {command[0]}")
    return asyncio.run(_capture_stdio(command, limits))


def scan_into(command: Sequence[str], into: Path, server_id: str | None = None, install: str | None = None,
              timeout: float | None = None, slug: str | None = None, name: str | None = None,
              url: str | None = None, headers: dict[str, str] | None = None,
              limits: ScanLimits | None = None) -> ScanResult:
    """Scan a server and merge its tools into the catalogue folder `into`.

    `install`, `name` and `slug` replace what an existing file says (they were given on purpose)."""
    capture = capture_tools_list(command, timeout, url, headers, limits)
    label = url or " ".join(command)
    registry = {"name": server_id} if server_id else None
    imported, skipped = tools_list_import(capture, label, registry, lenient=True, id_hint=ID_HINT)
    overrides = {key: value for key, value in {"install": install, "slug": slug, "name": name}.items() if value}
    imported.server.update(overrides)
    imported = replace(imported, slug=slug or imported.slug, overrides=overrides)
    [(path, changed)] = write_imported([imported], into)
    warnings = tuple(f"warning: {problem.field}: {problem.message}" for problem in skipped)
    return ScanResult(path, changed, len(imported.tools), warnings)
