"""`build-site`: the command line.

    build-site [build options]                 build the site (default command)
    build-site check [--json] [--strict]       load, derive, lint; write nothing
    build-site import intercept FILE... --into DIR
    build-site import tools-list FILE... [--server-json F] --into DIR
    build-site scan --into DIR -- COMMAND [ARGS...]
    build-site validate-policy FILE...
    build-site try-policy FILE --tool NAME [--args JSON] | --batch JSONL
    build-site serve                           preview with live reload
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
import signal
import sys
from typing import Callable, Sequence

from ..errors import BuildSiteError, UserError
from .arguments import COMMANDS, parser
from .scan_limits import ScanLimits

def _check(args: argparse.Namespace) -> int:
    from ..build.pipeline import load_site_data

    data, _config = load_site_data(args.config, args.catalogue)
    findings = data.findings
    if args.json:
        report = {"servers": len(data.servers), **data.counts.as_dict(),
                  "findings": [f.as_dict() for f in findings]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        counts = data.counts
        print(f"{len(data.servers)} servers, {counts.tools} tools")
        print("by category: " + ", ".join(f"{c.value} {n}" for c, n in counts.by_category.items()))
        print("by risk:     " + ", ".join(f"{r.value} {n}" for r, n in counts.by_risk.items()))
        for finding in findings:
            print(finding.format())
        kinds = Counter(finding.code for finding in findings)
        summary = ", ".join(f"{code} {count}" for code, count in kinds.most_common())
        print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" + (f" ({summary})" if summary else ""))
    return 1 if args.strict and findings else 0


def _import(args: argparse.Namespace) -> int:
    from . import importers

    if args.format == "intercept":
        written = importers.import_intercept(args.files, args.into)
    else:
        written = importers.import_tools_list(args.files, args.into, args.server_json)
    for path, changed in written:
        print(f"{'wrote' if changed else 'unchanged'} {path}")
    return 0


def _scan(args: argparse.Namespace) -> int:
    from . import scan

    command = [part for part in args.server_command if part != "--"] if args.server_command else []
    if not command and not args.url:
        print("build-site scan: give the server command after --, e.g. -- uvx mcp-server-time, or --url",
              file=sys.stderr)
        return 2
    bad_headers = [part for part in args.header if ":" not in part]
    if bad_headers:
        print(f"build-site scan: --header {bad_headers[0]!r} has no ':'; write it as 'NAME: VALUE'", file=sys.stderr)
        return 2
    headers = dict(part.split(":", 1) for part in args.header)
    limits = ScanLimits(max_pages=args.max_pages, max_tools=args.max_tools, max_bytes=args.max_bytes,
                        timeout=args.timeout)
    result = scan.scan_into(command, args.into, server_id=args.id, install=args.install, slug=args.slug,
                            name=args.name, url=args.url, limits=limits,
                            headers={key.strip(): value.strip() for key, value in headers.items()})
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    skipped = f"; {len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}" if result.warnings else ""
    print(f"{'wrote' if result.changed else 'unchanged'} {result.path} ({result.tools:,} tools imported{skipped})")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..policy.validate_files import validate_files

    return validate_files(args.files)


def _try_policy(args: argparse.Namespace) -> int:
    from ..policy.try_policy import try_policy

    return try_policy(args.file, args.tool, args.args, args.batch)


def _build(args: argparse.Namespace) -> int:
    from ..build.build import BuildRequest, build_site

    request = BuildRequest(config_file=args.config, catalogue=args.catalogue, out=args.out, strict=args.strict,
                           jobs=args.jobs, clean=args.clean,
                           verbosity=0 if args.quiet else (2 if args.verbose else 1), ends_process=args.ends_process)
    return build_site(request)


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(args.config, args.catalogue, args.out, args.port)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": _build, "check": _check, "import": _import, "scan": _scan,
    "validate-policy": _validate, "try-policy": _try_policy, "serve": _serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """The command line, with `argv` (a caller's process: the code is returned) or the process's own
    arguments (the `build-site` command: a build ends the process, see _exit_at_once)."""
    if argv is None and hasattr(signal, "SIGPIPE"):  # the command (not a caller's process): `check | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in COMMANDS + ("-h", "--help", "--version"):
        arguments.insert(0, "build")
    args = parser().parse_args(arguments)
    args.ends_process = argv is None  # the command: a build ends the process (_exit_at_once)
    code = _run(args)
    if argv is None and args.command == "build":
        _exit_at_once(code)
    return code


def _exit_at_once(code: int) -> None:
    """End the process without tearing down its objects one by one: a build of 100k tools holds millions
    (its site index), whose freeing took 0.08 s of a 2.5 s edit, and what the build leaves for it
    (BuildRequest.ends_process) 0.075 s more.  Every file is closed and every process
    joined by then; only the standard streams are buffered (None when the command was started with one
    closed)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.flush()
            except OSError:  # a full disk or a closed pipe: what is lost is lost, the build is done
                pass
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        return HANDLERS[args.command](args)
    except UserError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except BuildSiteError as exc:
        print(f"build-site: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build-site: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
