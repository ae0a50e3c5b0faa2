"""`build-site serve`: preview on localhost with live reload.

Builds the site, serves it on 127.0.0.1, polls the catalogue, the pages, the
templates and mkdocs.yml for changes, rebuilds, and reloads open pages.  The
reload script is injected by the preview server only: it is never written
into the built site.  A build error is printed and the last good site stays
up; the next good build says so.  Missing pages get the site's own 404.html
(status 404); a path that cannot name a file (`%00`, `%ff`) gets a 400.
"""

from __future__ import annotations

import errno
import functools
import http.server
import os
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from pathlib import Path
from typing import TextIO

from ..build.build import BuildRequest, run_build
from ..content.config import load_config
from ..errors import BuildSiteError, UserError

POLL_SECONDS = 1.0
RELOAD_SCRIPT = (b"<script>(function(){var v=null;setInterval(function(){fetch('/__build_version').then(function(r)"
                 b"{return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},"
                 b"1000)})();</script>")


class ServeError(BuildSiteError):
    """The preview server cannot start (port in use, not allowed, not a port)."""


def _snapshot(paths: list[Path]) -> dict[str, int]:
    """Modification times of every file under `paths`; files that vanish while listed are left out."""
    state: dict[str, int] = {}
    for root in paths:
        walked = os.walk(root) if root.is_dir() else [(str(root.parent), [], [root.name])]
        for folder, _dirs, names in walked:  # os.walk skips folders that vanish or cannot be read
            for name in names:
                path = os.path.join(folder, name)
                try:
                    state[path] = os.stat(path).st_mtime_ns
                except (OSError, ValueError):  # an editor's temporary file, gone between listing and stat
                    continue
    return state


def _with_reload(page: bytes) -> bytes:
    return page.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)


class _Handler(http.server.SimpleHTTPRequestHandler):
    version = ["0"]

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self._refused():
            return
        if self.path == "/__build_version":
            self._send(200, self.version[0].encode(), "text/plain")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            try:
                page = path.read_bytes()
            except OSError:  # gone in a rebuild's swap, or unreadable
                self.send_error(404)
                return
            self._send(200, _with_reload(page), "text/html; charset=utf-8")
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if not self._refused():
            super().do_HEAD()

    def _refused(self) -> bool:
        """Answer 400 for a path that cannot name a file: undecodable escapes, NUL, unpaired surrogates."""
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            text = urllib.parse.unquote(path, errors="strict")
        except UnicodeDecodeError:
            self.send_error(400, "the path is not UTF-8")
            return True
        if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text):
            self.send_error(400, "the path holds a character no file name can")
            return True
        return False

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            try:
                page = (Path(self.directory) / "404.html").read_bytes()
            except OSError:  # a site without one (or mid-swap): the plain answer below
                pass
            else:
                self._send(404, _with_reload(page), "text/html; charset=utf-8")
                return
        super().send_error(code, message, explain)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def listen(port: int, site: Path) -> http.server.ThreadingHTTPServer:
    """The preview server on 127.0.0.1:port (not yet serving); a ServeError says why it cannot be."""
    handler = functools.partial(_Handler, directory=str(site))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OverflowError:
        raise ServeError(f"{port} is not a port number (0-65535); pass --port N") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is in use; pass --port N") from None
        raise ServeError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; pass --port N") from None


class Rebuilder:
    """Rebuilds after a change; a failure is printed, the last good site stays, and the next good build says so."""

    def __init__(self, request: BuildRequest, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.request, self.out, self.err = request, out or sys.stdout, err or sys.stderr
        self.failed = False

    def rebuild(self) -> bool:
        try:
            result = run_build(self.request)
        except UserError as exc:
            print(exc.report(), file=self.err)
        except (BuildSiteError, OSError) as exc:
            print(f"build-site: {exc}", file=self.err)
        except Exception:  # a bug of ours: show it, and keep serving the last good site
            traceback.print_exc(file=self.err)
        else:
            _Handler.version[0] = str(int(_Handler.version[0]) + 1)
            again = "; the site is up to date again" if self.failed else ""
            print(f"rebuilt in {result.seconds:.1f} s{again}", file=self.out, flush=True)
            self.failed = False
            return True
        print("build-site: the build failed; still serving the last good site", file=self.err, flush=True)
        self.failed = True
        return False


def serve(config_file: Path, catalogue: Path | None, out: Path | None, port: int) -> int:
    config = load_config(config_file)
    watched = [catalogue or config.catalogue_dir, config.attacks_dir, *config.inputs]
    with tempfile.TemporaryDirectory(prefix="build-site-serve-") as temporary:
        site = out or Path(temporary) / "site"
        server = listen(port, site)  # before the first build: a busy port is reported at once
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        try:
            request = BuildRequest(config_file=config_file, catalogue=catalogue, out=site, verbosity=1)
            run_build(request)
            serving.start()
            print(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop); watching for changes")
            rebuilder, seen = Rebuilder(request), _snapshot(watched)
            while True:
                time.sleep(POLL_SECONDS)
                now = _snapshot(watched)
                if now != seen:
                    seen = now
                    rebuilder.rebuild()
        except KeyboardInterrupt:
            pass
        finally:
            if serving.is_alive():
                server.shutdown()
            server.server_close()
    return 0
