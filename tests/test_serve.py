from __future__ import annotations

import functools
import http.server
import threading
import urllib.request
from pathlib import Path

from site_builder.serve import RELOAD_SCRIPT, _Handler, _snapshot


def test_preview_injects_live_reload_only_when_serving(tmp_path: Path) -> None:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<html><body>hi</body></html>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        body = urllib.request.urlopen(base + "/page/").read()
        version = urllib.request.urlopen(base + "/__build_version").read()
    finally:
        server.shutdown()
    assert RELOAD_SCRIPT in body and version == b"0"
    assert RELOAD_SCRIPT.decode() not in (tmp_path / "page" / "index.html").read_text()  # never in the site


def test_changes_are_noticed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    before = _snapshot([tmp_path])
    (tmp_path / "b.yaml").write_text("y")
    assert _snapshot([tmp_path]) != before
