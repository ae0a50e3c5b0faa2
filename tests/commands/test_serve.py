from __future__ import annotations

import functools
import http.client
import http.server
import io
import os
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from site_builder.build.build import BuildResult
from site_builder.commands import serve as serve_module
from site_builder.commands.cli import main
from site_builder.commands.serve import RELOAD_SCRIPT, Rebuilder, _Handler, _snapshot
from site_builder.errors import UserError, Problem

from tests.helpers import ROOT


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[str]:
    """A preview server over a small site in tmp_path; yields its base URL."""
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<html><body>hi</body></html>")
    (tmp_path / "404.html").write_text("<html><body>our own not-found page</body></html>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_preview_injects_live_reload_only_when_serving(tmp_path: Path, preview: str) -> None:
    body = urllib.request.urlopen(preview + "/page/").read()
    version = urllib.request.urlopen(preview + "/__build_version").read()
    assert RELOAD_SCRIPT in body and version == b"0"
    assert RELOAD_SCRIPT.decode() not in (tmp_path / "page" / "index.html").read_text()  # never in the site


def test_a_missing_page_gets_the_sites_own_404_page(preview: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(preview + "/tools/no-such-server/no-such-tool/")
    assert caught.value.code == 404
    assert b"our own not-found page" in caught.value.read()


def _status(base: str, path: str, method: str = "GET") -> int:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path)  # sent as is: no client-side quoting
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/%00", "/page/%00index.html", "/%ff", "/%ed%a0%80", "/%C0%AF"])
def test_paths_that_cannot_name_a_file_get_an_answer_not_a_dropped_connection(preview: str, path: str) -> None:
    assert _status(preview, path) in (400, 404)
    assert _status(preview, path, "HEAD") in (400, 404)
    assert _status(preview, "/page/") == 200  # the server is still up


def test_changes_are_noticed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    before = _snapshot([tmp_path])
    (tmp_path / "b.yaml").write_text("y")
    assert _snapshot([tmp_path]) != before


def test_a_file_that_vanishes_between_listing_and_stat_is_skipped(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kept.yaml").write_text("x")
    listed = [(str(tmp_path), [], ["kept.yaml", ".#kept.yaml", "kept.yaml~"])]  # an editor's temporary files, gone
    monkeypatch.setattr(serve_module.os, "walk", lambda root: iter(listed))
    assert list(_snapshot([tmp_path])) == [os.path.join(tmp_path, "kept.yaml")]
    assert _snapshot([tmp_path / "gone.yaml"]) == {}  # a watched file that is gone is no error either


def test_after_a_failed_rebuild_the_next_good_one_says_the_site_is_up_to_date_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[Exception | None] = [None, UserError([Problem("c.yaml", 3, "tools", "broken")]), None, None]

    def fake_build(_request: object) -> BuildResult:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome
        return BuildResult(Path("site"), 1, 1, 1, 0, 0.2)

    monkeypatch.setattr(serve_module, "run_build", fake_build)
    out, err = io.StringIO(), io.StringIO()
    rebuilder = Rebuilder(serve_module.BuildRequest(), out, err)
    assert [rebuilder.rebuild() for _ in range(4)] == [True, False, True, True]
    assert "c.yaml:3 tools: broken" in err.getvalue() and "still serving the last good site" in err.getvalue()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "up to date again" not in lines[0]
    assert lines[1].endswith("the site is up to date again") and "up to date again" not in lines[2]


def test_a_busy_port_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--config", str(ROOT / "mkdocs.yml"), "--port", str(port)])
    captured = capsys.readouterr()
    assert code == 1 and captured.err == f"build-site: port {port} is in use; pass --port N\n"
    assert "Traceback" not in captured.out + captured.err
