from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from site_builder.catalogue import load_catalogue
from site_builder.errors import ScanError
from site_builder.scan import scan_into

SERVER = shutil.which("mcp-server-time") or str(Path(sys.executable).with_name("mcp-server-time"))


def test_scans_the_real_time_server_over_stdio(tmp_path: Path) -> None:
    if not Path(SERVER).exists():
        pytest.fail("mcp-server-time is not installed; the test extra installs it")
    path = scan_into([SERVER], tmp_path, server_id="modelcontextprotocol/server-time", install="uvx mcp-server-time")
    [server] = load_catalogue(tmp_path).servers
    names = sorted(t.tool.name for t in server.tools)
    assert names == ["convert_time", "get_current_time"]
    assert server.data.server.install == "uvx mcp-server-time" and path.name == "server-time.yaml"
    assert all(t.tool.input_schema and t.tool.input_schema["type"] == "object" for t in server.tools)


def test_a_command_that_is_not_a_server_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="could not scan|did not answer"):
        scan_into([sys.executable, "-c", "print('not mcp')"], tmp_path, timeout=20)
    with pytest.raises(ScanError, match="command not found"):
        scan_into(["definitely-not-a-command-xyz"], tmp_path)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_scans_a_server_over_streamable_http(tmp_path: Path) -> None:
    import subprocess
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    fixture = Path(__file__).parent / "fixtures" / "http_mcp_server.py"
    server = subprocess.Popen([sys.executable, str(fixture), str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # wait until it listens (bounded: 10 s)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/mcp", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (a GET without a session is refused): ready
            except OSError:
                time.sleep(0.1)
        scan_into([], tmp_path, server_id="example/http-fixture", url=f"http://127.0.0.1:{port}/mcp", timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=10)
    [loaded] = load_catalogue(tmp_path).servers
    tools = {t.tool.name: t.tool for t in loaded.tools}
    assert set(tools) == {"echo_text", "delete_note"}
    assert tools["delete_note"].classification.category.value == "destructive"
    assert tools["echo_text"].input_schema and "text" in tools["echo_text"].input_schema["properties"]
