"""Prints what inputs of at most 1 MB, built to be costly, cost a build (issue: bounded cost for any input).

    .venv/bin/python benchmarks/hostile_cost.py [--out-root DIR]   # default: /dev/shm (tmpfs)

Each case is one catalogue file of at most 1 MB in a catalogue of its own,
built cold into a temporary folder. Printed: the file's size, whether the
build refused it, wall seconds, and bytes written per tool (the whole output
less an empty catalogue's, over the number of tools).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.build.build import BuildRequest, run_build  # noqa: E402
from site_builder.errors import BuildSiteError  # noqa: E402

LIMIT = 1_000_000
CLASSIFIED = {"category": "write", "rationale": "Heuristic classification (not reviewed): benchmark", "confidence": "low"}


def _server(tools: list[dict[str, Any]]) -> str:
    return json.dumps({"server": {"id": "bench/hostile", "name": "Hostile"}, "tools": tools})  # JSON is YAML


def _fill(make: Callable[[int], dict[str, Any]]) -> str:
    """As many tools from `make` as fit in 1 MB."""
    tools: list[dict[str, Any]] = []
    while True:
        tools.append(make(len(tools)))
        if len(_server(tools)) > LIMIT:
            return _server(tools[:-1])


def _markdown_bomb(n: int) -> dict[str, Any]:
    return {"name": f"t{n}", "description": ("[" * 6000 + "](" * 3000 + "x" + ")" * 3000)[:19_999],
            "classification": CLASSIFIED}


def _wide_schema(n: int) -> dict[str, Any]:
    properties = {f"path_{i}": {"type": "string", "description": "d" * 200} for i in range(200)}
    return {"name": f"write_{n}", "input_schema": {"type": "object", "properties": properties,
                                                   "required": list(properties)}, "classification": CLASSIFIED}


def _big_enum(n: int) -> dict[str, Any]:
    values = [f"delete_{i}" for i in range(5000)]
    return {"name": f"manage_{n}", "input_schema": {"properties": {"action": {"type": "string", "enum": values}}},
            "classification": CLASSIFIED}


def _long_names(n: int) -> dict[str, Any]:
    return {"name": f"{n:08d}." + "x" * 119, "description": "<script>x</script>" * 10, "classification": CLASSIFIED}


def _densest_catalogue() -> list[str]:
    """1 MB of the smallest tools a reviewer could write, in files at the per-server bound (2,000 tools)."""
    files: list[str] = []
    total = 0
    while total < LIMIT - 100:
        lines = [f"server: {{id: bench/s{len(files)}, name: S{len(files)}}}", "tools:"]
        size = sum(len(line) + 1 for line in lines)
        for n in range(2000):
            line = f"- {{name: a{n}, classification: {{category: read, rationale: r}}}}"
            if total + size + len(line) + 1 > LIMIT:
                break
            lines.append(line)
            size += len(line) + 1
        files.append("\n".join(lines) + "\n")
        total += size
    return files


def _minimal(n: int) -> dict[str, Any]:
    return {"name": f"t{n}", "classification": CLASSIFIED}


def _alias_bomb() -> str:
    text = "x" * 200_000
    enum = ", ".join(["*s"] * 1000)
    return (f"big: &s {json.dumps(text)}\nserver: {{id: bench/hostile, name: Hostile}}\n"
            f"tools:\n  - name: t\n    input_schema: {{properties: {{a: {{enum: [{enum}]}}}}}}\n"
            f"    classification: {json.dumps(CLASSIFIED)}\n")


CASES: dict[str, Callable[[], str | list[str]]] = {
    "1 MB of the smallest tools, in files of 2,000": _densest_catalogue,
    "markdown bombs in descriptions": lambda: _fill(_markdown_bomb),
    "200 path parameters per tool": lambda: _fill(_wide_schema),
    "5,000-value action enums": lambda: _fill(_big_enum),
    "128-character dotted names": lambda: _fill(_long_names),
    "as many minimal tools as fit": lambda: _fill(_minimal),
    "a 200 KB string through 1,000 aliases": _alias_bomb,
}


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _build(work: Path, text: str | list[str] | None) -> tuple[float, int, str]:
    """Build `text` into `work`, a folder not used before: deleting an earlier case's output first would
    time the disk's discards of it (on this VM's ext4, mounted `discard`, they slow the next writes
    several times over), not the build."""
    catalogue = work / "catalogue"
    catalogue.mkdir(parents=True)
    for number, part in enumerate([text] if isinstance(text, str) else text or []):
        (catalogue / f"hostile{number}.yaml").write_text(part, encoding="utf-8")
    request = BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=catalogue, out=work / "site", clean=True,
                           verbosity=0)
    started = time.monotonic()
    try:
        run_build(request)
        outcome = "built"
    except BuildSiteError as exc:
        outcome = "refused: " + str(exc).splitlines()[0][:100]
    return time.monotonic() - started, _size(work / "site") if (work / "site").exists() else 0, outcome


def main() -> None:
    default = "/dev/shm" if Path("/dev/shm").is_dir() else None
    root = sys.argv[sys.argv.index("--out-root") + 1] if "--out-root" in sys.argv else default
    with tempfile.TemporaryDirectory(dir=root) as temporary:
        work = Path(temporary)
        _, empty, _ = _build(work / "empty", None)
        for number, (label, make) in enumerate(CASES.items()):
            text = make()
            joined = text if isinstance(text, str) else "".join(text)
            tools = max(1, joined.count('"name": ') - 1 + joined.count("- {name: "))
            seconds, size, outcome = _build(work / f"case{number}", text)
            per_tool = max(0, size - empty) / tools
            print(json.dumps({"case": label, "input_bytes": len(joined.encode()), "tools": tools, "outcome": outcome,
                              "wall_seconds": round(seconds, 2), "output_bytes_per_tool": round(per_tool)}))


if __name__ == "__main__":
    main()
