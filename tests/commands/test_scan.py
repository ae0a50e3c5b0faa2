from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from site_builder.commands.cli import main
from site_builder.commands.scan import scan_into
from site_builder.content.catalogue import load_catalogue
from site_builder.errors import ScanError

from tests.helpers import FIXTURES

SERVER = shutil.which("mcp-server-time") or str(Path(sys.executable).with_name("mcp-server-time"))


def test_scans_the_real_time_server_over_stdio(tmp_path: Path) -> None:
    if not Path(SERVER).exists():
        pytest.fail("mcp-server-time is not installed; the test extra installs it")
    result = scan_into([SERVER], tmp_path, server_id="modelcontextprotocol/server-time", install="uvx mcp-server-time")
    path = result.path
    assert result.changed and result.tools == 2 and result.warnings == ()
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
    import urllib.error
    import urllib.request

    port = _free_port()
    fixture = FIXTURES / "http_mcp_server.py"
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


FIXTURE = [sys.executable, str(FIXTURES / "stdio_mcp_server.py")]


def _scan_cli(capsys: pytest.CaptureFixture[str], into: Path, *args: str) -> tuple[int, str, str]:
    code = main(["scan", "--into", str(into), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_a_server_paging_out_200k_tools_stops_at_the_bound_quickly(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _scan_cli(capsys, tmp_path, "--", *FIXTURE, "pages", "100", "2000")
    assert code == 1 and err.count("\n") == 1, err
    assert "stopped: the server listed more than 5,000 tools (in 3 pages); pass --max-tools N to allow more" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options, raised, server, message", [
    (["--max-tools", "30"], ["--max-tools", "100"], ["pages", "5", "20"],
     "more than 30 tools (in 2 pages); pass --max-tools N"),
    (["--max-bytes", "64K"], ["--max-bytes", "1M"], ["pages", "2", "500"],
     "the tool listing passed 64 KiB (500 tools in 1 page); pass --max-bytes SIZE"),
    (["--max-pages", "3"], ["--max-pages", "5"], ["pages", "5", "1"],
     "still paging after 3 pages (3 tools); pass --max-pages N"),
    ([], [], ["loop"], "sent the page cursor '0' a second time (after 2 pages): its pagination loops"),
    (["--timeout", "1.5"], [], ["slow", "30"], "did not finish within 1.5 s (0 tools in 0 pages so far); "
                                               "pass --timeout SECONDS"),
])
def test_each_bound_says_which_it_is_and_how_to_raise_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          options: list[str], raised: list[str], server: list[str],
                                                          message: str) -> None:
    code, _, err = _scan_cli(capsys, tmp_path, *options, "--", *FIXTURE, *server)
    assert code == 1 and err.count("\n") == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []
    if raised:  # the option the message names lets the same server through
        code, out, err = _scan_cli(capsys, tmp_path, *raised, "--", *FIXTURE, *server)
        assert code == 0 and out.startswith("wrote "), err


def test_repeated_and_unacceptable_tools_are_reported_and_the_rest_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = {"type": "object"}
    deep = json.loads('{"a":' * 70 + "1" + "}" * 70)
    tools = [{"name": "search", "inputSchema": schema}, {"name": "search", "description": "2", "inputSchema": schema},
             {"name": "search", "inputSchema": schema}, {"name": "", "inputSchema": schema},
             {"name": "n" * 129, "inputSchema": schema}, {"name": "nul\x00", "inputSchema": schema},
             {"name": "fine_tool", "inputSchema": schema},
             {"name": "deep", "inputSchema": {"type": "object", "properties": deep}}]
    listing = tmp_path / "tools.json"
    # a JavaScript server escapes an unpaired surrogate: "\udc80" (the SDK's own parser refuses the whole answer)
    listing.write_text(json.dumps(tools)[:-1] + ', {"name": "bad\\udc80", "inputSchema": {"type": "object"}}]')
    into = tmp_path / "catalogue"
    code, out, err = _scan_cli(capsys, into, "--", *FIXTURE, "tools", str(listing))
    assert code == 0, err
    warnings = err.splitlines()
    assert warnings == [
        "warning: tools[1].name: tool 'search' is listed 3 times; kept the first",
        "warning: tools[3].name: the tool name is empty; skipped this tool",
        "warning: tools[4].name: the tool name is 129 characters; the catalogue allows 128; skipped this tool",
        "warning: tools[5].name: the tool name contains U+0000, which cannot be published; skipped this tool",
        "warning: tools[7].inputSchema: nests 71 levels deep; the catalogue allows 61 (tool 'deep'); skipped this tool",
        "warning: tools[8].name: the tool name contains U+DC80, which cannot be published; skipped this tool",
    ]
    assert out.startswith("wrote ") and out.endswith("(2 tools imported; 6 warnings)\n")
    [server] = load_catalogue(into).servers
    assert sorted(t.tool.name for t in server.tools) == ["fine_tool", "search"]


def test_rescanning_updates_install_and_writes_readable_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        first = scan_into([*FIXTURE, "pages", "1", "2"], tmp_path, install="uvx demo==1")
        scan_into([*FIXTURE, "pages", "1", "2"], tmp_path, install="uvx demo==2", name="Demo")
        [server] = load_catalogue(tmp_path).servers
        assert server.data.server.install == "uvx demo==2" and server.data.server.name == "Demo"
        kept = scan_into([*FIXTURE, "pages", "1", "2"], tmp_path)  # no --install: the recorded one stays
        assert not kept.changed and load_catalogue(tmp_path).servers[0].data.server.install == "uvx demo==2"
    finally:
        os.umask(old)
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o644
