"""CPU per tool of each stage of a cold build, in one process: the figures a change to one stage moves.

A whole build's time on this VM moves by 10-20% from hour to hour, more
than most changes to one stage; this measures each stage alone, several
times, and prints the fastest run of each (milliseconds per tool):

* load: read, parse and validate the catalogue files (content/);
* derive: classify, signals, lint (derive/);
* render: a server's pages and policy files written (build.server_worker.render_server), as a cold build
  renders them, with the same inputs, timed again into fresh folders; split into the tool page, the
  policies (a tool's own and its share of the bundles) and the writes.

    python benchmarks/stages.py [--tools 1000] [--runs 7] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import site_builder.build.server_worker as server_worker  # noqa: E402
from run import MKDOCS_CONFIG, ROOT  # noqa: E402
from site_builder.commands.cli import main as cli  # noqa: E402
from site_builder.content.catalogue import load_server_files  # noqa: E402
from site_builder.derive import derive_server  # noqa: E402
from site_builder.output.writer import OutputWriter  # noqa: E402
from site_builder.policy.generate import PolicyGenerator  # noqa: E402
from site_builder.render.render import Renderer  # noqa: E402
from synth import write_catalogue  # noqa: E402

_SPENT: Counter[str] = Counter()


def _timed(owner: Any, name: str, stage: str) -> None:
    """Count the time of owner.name under `stage` (the benchmark's own wrapper, never the package's)."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _SPENT[stage] += time.perf_counter() - started
    setattr(owner, name, wrapper)


def _fastest(runs: int, work: Callable[[int], None]) -> float:
    best = float("inf")
    for number in range(runs):
        started = time.perf_counter()
        work(number)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="build-site-stages-", dir=args.work) as scratch:
        work = Path(scratch)
        catalogue = work / "catalogue"
        tools = write_catalogue(catalogue, max(1, args.tools // 10), 10)  # 10 tools a server, as run.py writes
        config = work / "mkdocs.yml"
        config.write_text(MKDOCS_CONFIG.format(docs=ROOT / "content" / "pages", root=ROOT, catalogue=catalogue,
                                               cache=work / "cache", attacks=ROOT / "content" / "attacks"),
                          encoding="utf-8")
        files = sorted(catalogue.glob("*.yaml"))
        load = _fastest(args.runs, lambda _: load_server_files(files, jobs=1))
        loaded, _ = load_server_files(files, jobs=1)
        derive = _fastest(args.runs, lambda _: [derive_server(server) for server in loaded])
        captured: list[tuple[bytes, Any, Any, Any]] = []
        original = server_worker.render_server

        def capture(server: Any, inputs: Any, renderer: Any, generator: Any, root: Path) -> Any:
            captured.append((pickle.dumps(server), inputs, renderer, generator))
            return original(server, inputs, renderer, generator, root)
        server_worker.render_server = capture
        cli(["build", "--config", str(config), "--out", str(work / "site"), "--jobs", "1", "--quiet"])
        server_worker.render_server = original
        servers = [(pickle.loads(server), inputs, renderer, generator)
                   for server, inputs, renderer, generator in captured]

        def render(number: int) -> None:
            root = work / f"render-{number}"
            root.mkdir()
            for server, inputs, renderer, generator in servers:
                original(server, inputs, renderer, generator, root)
            shutil.rmtree(root)
        render_seconds = _fastest(args.runs, render)
        _timed(Renderer, "page", "page")
        for method in ("for_tool", "for_server"):
            _timed(PolicyGenerator, method, "policies")
        _timed(OutputWriter, "write", "writes")
        _SPENT.clear()
        render(args.runs)
    per_tool = {"load": load, "derive": derive, "render": render_seconds,
                **{f"render: {stage}": seconds for stage, seconds in _SPENT.items()}}
    print(json.dumps({"tools": tools, "runs": args.runs,
                      "ms_per_tool": {stage: round(1000 * seconds / tools, 3) for stage, seconds in per_tool.items()}}))


if __name__ == "__main__":
    main()
