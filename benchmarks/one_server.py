"""Prints how long one server with many tools takes to build (no quadratic step in a large server).

    .venv/bin/python benchmarks/one_server.py [TOOLS ...]     # default: 2000 8000
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.build.build import BuildRequest, run_build  # noqa: E402

VERBS = ("get", "list", "create", "update", "delete", "run", "search", "send")


def server_file(tools: int) -> str:
    entries = [{"name": f"{VERBS[n % len(VERBS)]}_item_{n}", "description": f"Does thing {n} to an item.",
                "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "id": {"type": "integer"}},
                                 "required": ["id"]},
                "classification": {"category": "read", "rationale": "Heuristic classification (not reviewed): bench",
                                   "confidence": "low"}} for n in range(tools)]
    return json.dumps({"server": {"id": "bench/large", "name": "Large"}, "tools": entries})


def main() -> None:
    os.environ.setdefault("BUILD_SITE_MAX_TOOLS_PER_SERVER", "1000000")  # past the catalogue's bound on purpose
    for tools in [int(a) for a in sys.argv[1:]] or [2000, 8000]:
        with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as temporary:
            catalogue = Path(temporary) / "catalogue"
            catalogue.mkdir()
            (catalogue / "large.yaml").write_text(server_file(tools), encoding="utf-8")
            started = time.monotonic()
            run_build(BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=catalogue, out=Path(temporary) / "site",
                                   clean=True, verbosity=0))
            print(json.dumps({"build": "one server, cold", "tools": tools,
                              "wall_seconds": round(time.monotonic() - started, 2)}))


if __name__ == "__main__":
    main()
