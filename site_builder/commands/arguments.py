"""`build-site`'s arguments: one parser for every command (cli.py runs them)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from .scan_limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, DEFAULT_MAX_TOOLS, DEFAULT_TIMEOUT, parse_size, size_text

COMMANDS = ("build", "check", "import", "scan", "validate-policy", "try-policy", "serve")


def _catalogue_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="site config (default: mkdocs.yml)")
    parser.add_argument("--catalogue", type=Path, metavar="DIR", help="catalogue folder (default: from the config)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mcp-policy-site")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def _positive(kind: Callable[[str], Any], label: str = "") -> Callable[[str], Any]:
    """An argparse type for a number above zero (argparse's error names it: "invalid positive int value")."""
    def convert(text: str) -> Any:
        value = kind(text)
        if not value > 0:
            raise ValueError(text)
        return value
    convert.__name__ = label or f"positive {kind.__name__}"
    return convert


def parser() -> argparse.ArgumentParser:
    """The parser of every command's arguments."""
    parser = argparse.ArgumentParser(prog="build-site", description="Build the MCP policy site.")
    parser.add_argument("--version", action="version", version=f"build-site {_version()}")
    sub = parser.add_subparsers(dest="command")

    build = sub.add_parser("build", help="build the site (the default command)")
    _catalogue_option(build)
    build.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: site_dir of the config)")
    build.add_argument("--strict", action="store_true", help="fail on lint findings and warnings")
    build.add_argument("--jobs", type=_positive(int), default=0, metavar="N", help="worker processes (default: cores)")
    build.add_argument("--clean", action="store_true", help="ignore the build cache")
    verbosity = build.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", "-q", action="store_true")
    verbosity.add_argument("--verbose", "-v", action="store_true")

    check = sub.add_parser("check", help="load, derive and lint the catalogue; write nothing")
    _catalogue_option(check)
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--strict", action="store_true", help="findings make the check fail")

    imp = sub.add_parser("import", help="write catalogue files from other formats")
    imp_sub = imp.add_subparsers(dest="format", required=True)
    intercept = imp_sub.add_parser("intercept", help="Intercept policy scaffolds (YAML)")
    intercept.add_argument("files", nargs="+", type=Path)
    intercept.add_argument("--into", type=Path, required=True, metavar="DIR")
    tools_list = imp_sub.add_parser("tools-list", help="captured MCP tools/list results (JSON)")
    tools_list.add_argument("files", nargs="+", type=Path)
    tools_list.add_argument("--server-json", type=Path, metavar="FILE", help="registry server.json (one input file)")
    tools_list.add_argument("--into", type=Path, required=True, metavar="DIR")

    scan = sub.add_parser("scan", help="list a live MCP server's tools (stdio or HTTP) and import them")
    scan.add_argument("--into", type=Path, required=True, metavar="DIR")
    scan.add_argument("--id", help="server id (default: from the server's initialize answer)")
    scan.add_argument("--install", help="install command to record in the catalogue")
    scan.add_argument("--slug", help="URL slug and file name for the server")
    scan.add_argument("--name", help="display name for the server")
    scan.add_argument("--url", help="connect to a remote server over streamable HTTP instead of starting one")
    scan.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                      help="HTTP header for --url (repeatable), e.g. 'Authorization: Bearer ...'")
    scan.add_argument("--timeout", type=_positive(float), default=DEFAULT_TIMEOUT, metavar="SECONDS",
                      help=f"time for the whole scan: start, handshake and every page (default: {DEFAULT_TIMEOUT:g})")
    scan.add_argument("--max-tools", type=_positive(int), default=DEFAULT_MAX_TOOLS, metavar="N",
                      help=f"stop when the server lists more tools (default: {DEFAULT_MAX_TOOLS:,})")
    scan.add_argument("--max-pages", type=_positive(int), default=DEFAULT_MAX_PAGES, metavar="N",
                      help=f"stop when the listing has more pages (default: {DEFAULT_MAX_PAGES:,})")
    scan.add_argument("--max-bytes", type=_positive(parse_size, "size"), default=DEFAULT_MAX_BYTES, metavar="SIZE",
                      help=f"stop when the listing is larger, e.g. 16M (default: {size_text(DEFAULT_MAX_BYTES)})")
    scan.add_argument("server_command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")

    validate = sub.add_parser("validate-policy", help="check Intercept YAML or policy.json files")
    validate.add_argument("files", nargs="+", type=Path)

    trial = sub.add_parser("try-policy", help="decide tool calls against an Intercept policy as Intercept would")
    trial.add_argument("file", type=Path, metavar="FILE")
    mode = trial.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tool", metavar="NAME", help="the tool called")
    mode.add_argument("--batch", metavar="JSONL", help='a file (or - for stdin) of {"tool": ..., "arguments": {...}} lines')
    trial.add_argument("--args", metavar="JSON", help="the call's arguments, a JSON object (default: {})")

    serve = sub.add_parser("serve", help="build, serve on localhost and rebuild on changes")
    _catalogue_option(serve)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--out", type=Path, metavar="DIR")
    return parser
