"""Between the MCP SDK's transport and its session: what `scan` needs from a server's raw messages.

* :class:`RepairingStream` reads messages the SDK's JSON parser refuses but
  JSON allows.  A JavaScript server escapes an unpaired surrogate in a tool
  name as `"\\ud800"`; pydantic's parser refuses the whole message, so one bad
  tool name would lose the server's whole answer (and the session would wait
  for it until the time bound).  Python's parser reads it; the tool is then
  reported and skipped by :func:`site_builder.capture.check_tools`.
* :func:`quiet_sdk_logs` keeps the SDK's logged tracebacks (a line on stdout
  that is not JSON-RPC) off the terminal, and keeps the last one as a reason
  for the error message should the scan fail.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Iterator


def _repaired(item: Any) -> Any:
    """A message the SDK could not parse, parsed by Python's JSON reader; else the item unchanged."""
    from mcp.shared.message import SessionMessage
    from mcp.types import jsonrpc_message_adapter
    from pydantic import ValidationError

    if not isinstance(item, ValidationError):
        return item
    errors = item.errors()
    if not errors or errors[0]["type"] != "json_invalid" or not isinstance(errors[0].get("input"), str):
        return item
    try:
        return SessionMessage(jsonrpc_message_adapter.validate_python(json.loads(errors[0]["input"]), by_name=False))
    except (ValueError, RecursionError):  # not JSON for Python either; the session skips it as before
        return item


class RepairingStream:
    """A transport's read stream, with :func:`_repaired` applied to each item."""

    def __init__(self, inner: Any, log: SdkLog | None = None) -> None:
        self._inner, self._log = inner, log

    def _repaired(self, item: Any) -> Any:
        repaired = _repaired(item)
        if repaired is not item and self._log is not None:
            self._log.last = None  # the SDK logged a failure we have just mended
        return repaired

    async def receive(self) -> Any:
        return self._repaired(await self._inner.receive())

    def __aiter__(self) -> RepairingStream:
        return self

    async def __anext__(self) -> Any:
        return self._repaired(await self._inner.__anext__())

    async def __aenter__(self) -> RepairingStream:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> Any:
        return await self._inner.__aexit__(*exc)

    def __getattr__(self, name: str) -> Any:  # close(), aclose(), statistics(), last_context...
        return getattr(self._inner, name)


class SdkLog(logging.Handler):
    """Keeps the SDK's last warning or error, as one line."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip().split("\n", 1)[0]
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            errors = getattr(exc, "errors", None)
            detail = errors()[0]["msg"] if callable(errors) and errors() else str(exc).strip().split("\n", 1)[0]
            text = f"{text}: {detail}" if text else detail
        self.last = text or None


@contextlib.contextmanager
def quiet_sdk_logs() -> Iterator[SdkLog]:
    """The SDK's warnings and errors, kept (the last one) instead of printed with tracebacks."""
    logger = logging.getLogger("mcp")
    handler, propagate = SdkLog(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
