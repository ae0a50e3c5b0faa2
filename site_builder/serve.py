"""`build-site serve`: preview on localhost with live reload.

Builds the site, serves it on 127.0.0.1, polls the catalogue, the pages, the
templates and mkdocs.yml for changes, rebuilds, and reloads open pages.  The
reload script is injected by the preview server only: it is never written
into the built site.  A build error is printed and the last good site stays up.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path

from .build import BuildRequest, run_build
from .config import load_config
from .errors import BuildSiteError, UserError

POLL_SECONDS = 1.0
RELOAD_SCRIPT = (b"<script>(function(){var v=null;setInterval(function(){fetch('/__build_version').then(function(r)"
                 b"{return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},"
                 b"1000)})();</script>")


def _snapshot(paths: list[Path]) -> dict[str, float]:
    state: dict[str, float] = {}
    for root in paths:
        if root.is_file():
            state[str(root)] = root.stat().st_mtime
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    state[str(path)] = path.stat().st_mtime
    return state


class _Handler(http.server.SimpleHTTPRequestHandler):
    version = ["0"]

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/__build_version":
            self._send(self.version[0].encode(), "text/plain")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send(path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(config_file: Path, catalogue: Path | None, out: Path | None, port: int) -> int:
    config = load_config(config_file)
    watched = [config_file, catalogue or config.catalogue_dir, config.docs_dir, config.templates_dir]
    with tempfile.TemporaryDirectory(prefix="build-site-serve-") as temporary:
        site = out or Path(temporary) / "site"
        request = BuildRequest(config_file=config_file, catalogue=catalogue, out=site, verbosity=1)
        run_build(request)
        handler = functools.partial(_Handler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop); watching for changes")
        seen = _snapshot(watched)
        try:
            while True:
                time.sleep(POLL_SECONDS)
                now = _snapshot(watched)
                if now == seen:
                    continue
                seen = now
                try:
                    run_build(request)
                    _Handler.version[0] = str(int(_Handler.version[0]) + 1)
                except UserError as exc:
                    print(exc.report(), file=sys.stderr)
                except BuildSiteError as exc:
                    print(f"build-site: {exc}", file=sys.stderr)
        except KeyboardInterrupt:
            server.shutdown()
    return 0
