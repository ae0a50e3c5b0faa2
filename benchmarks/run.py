"""Benchmark build-site: cold build, no-op rebuild and one-tool edit, per catalogue size.

Prints one JSON object per measurement.  Figures only: nothing here asserts.

    python benchmarks/run.py                         # 1k, 10k and 100k tools
    python benchmarks/run.py --sizes 1000 10000 --naive 2000 --hugo 10000

Per size: a cold build (--clean), a no-op rebuild, a rebuild after editing
one tool (right after the fresh build: the new site hard-links its unchanged
files from the live one), then three times each: after editing another (the
steady state: the previous site kept beside the output is updated in place),
after moving a tool to another category, and after editing a description
right after such a move.  Rebuilds are timed without reading their memory
(which slows them: see timed()); each kind of edit is built once more with
its peak memory read ("measured": "memory").

Before the first size and after each, a fixed piece of work (JSON, a Python
loop, hashing: like a build's, in one process) is timed ("calibration"):
this VM's speed moves from hour to hour, and the figures of a run are read
against it.

The output folder defaults to tmpfs (/dev/shm) so that the figures measure
the builder, not this machine's disk (see README: on this VM, ext4's online
discard makes file creation several times slower right after large deletes).
Pass --out-root to measure on another filesystem.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import write_catalogue  # noqa: E402

MKDOCS_CONFIG = """site_name: Benchmark
site_url: https://bench.example.org/
docs_dir: {docs}
theme:
  name: material
  font: false
plugins:
  - search
validation:
  nav: {{not_found: info}}
  links: {{not_found: info}}
extra:
  builder:
    catalogue: {catalogue}
    cache: {cache}
    attacks: {attacks}
"""


def _memory_tree(pid: int) -> tuple[int, int]:
    """(RSS sum, PSS sum) in bytes of a process and all its descendants.

    PSS counts a page shared by n processes as 1/n in each: forked workers share
    the parsed catalogue copy-on-write, so the RSS sum counts it once per process."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


LAST_CPU_SECONDS = [0.0]  # user + system seconds of the last timed command and all its processes


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path | None = None, watch_memory: bool = True
          ) -> tuple[float, tuple[int, int], str]:
    """Wall seconds, peak (RSS sum, PSS sum) of the process tree if `watch_memory` (else zeros), and stdout
    (CPU seconds: LAST_CPU_SECONDS; they hold on a busy machine, where wall times do not).

    Watching the memory slows what it watches: each read of smaps_rollup walks a process's page tables under
    its memory lock, which stalls the allocations of a build that makes objects fast.  A category edit at
    100k tools on 2 cores took 1.84-2.12 s watched and 1.69-1.77 s not (three runs each, read every 0.05 s
    or 0.25 s alike); a cold build of 80 s is slowed by about as much, in proportion nothing."""
    cpu_before = _children_cpu()
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = (0, 0)

    def watch() -> None:
        nonlocal peak
        while watch_memory and process.poll() is None:
            rss, pss = _memory_tree(process.pid)
            peak = (max(peak[0], rss), max(peak[1], pss))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    out, err = process.communicate()
    watcher.join()
    seconds = time.monotonic() - started
    LAST_CPU_SECONDS[0] = _children_cpu() - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err[-3000:]}")
    return seconds, peak, out


def tree_size(folder: Path) -> tuple[int, int, int]:
    files = pages = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
            pages += path.name.endswith(".html")
    return files, pages, size


def report(**figures: object) -> None:
    print(json.dumps(figures), flush=True)


def bench_size(tools: int, work: Path, out_root: Path, jobs: int) -> float:
    catalogue = work / f"catalogue-{tools}"
    if not catalogue.exists():
        write_catalogue(catalogue, max(1, tools // 10), min(10, tools))
    config = work / f"mkdocs-{tools}.yml"
    config.write_text(MKDOCS_CONFIG.format(docs=ROOT / "content" / "pages", root=ROOT, catalogue=catalogue,
                                           cache=work / f"cache-{tools}", attacks=ROOT / "content" / "attacks"),
                      encoding="utf-8")  # the default attack patterns, as the default site has them
    out = out_root / f"site-{tools}"
    kept = out_root / f".site-{tools}.previous"  # the previous site a rebuild keeps beside the output
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(kept, ignore_errors=True)
    build = [sys.executable, "-m", "site_builder.commands.cli", "--config", str(config), "--out", str(out), "--jobs", str(jobs)]
    pages_per_second = 0.0
    files_in_order = sorted(catalogue.glob("*.yaml"))
    edits = {"edit one tool": files_in_order[0], "edit another tool": files_in_order[-1],
             "edit a tool's category": files_in_order[len(files_in_order) // 2],
             "edit a description after a category edit": files_in_order[len(files_in_order) // 3],
             "add a tool": files_in_order[len(files_in_order) // 4],
             "remove the added tool": files_in_order[len(files_in_order) // 4],
             "add a server": files_in_order[len(files_in_order) // 5],
             "remove the added server": files_in_order[len(files_in_order) // 5]}
    # the first edit follows a fresh build: unchanged files are hard-linked from the live site; the
    # next ones update the previous site kept beside the output in place (the steady state), three times
    # each, as one run of a few seconds moves with this machine's load: a category edit (listings, counts
    # and related tools change), then a description, whose build also renders again what the category
    # edit changed (the kept site is one build behind)
    # each of the rebuilds is timed unwatched (see timed()); then each kind once more with its memory read
    # ("memory": its time is not comparable), the cold build watched as it is timed
    # adding a tool or a server (and removing it) moves every later search document
    kinds = ("edit another tool", "edit a tool's category", "edit a description after a category edit",
             "add a tool", "remove the added tool", "add a server", "remove the added server")
    steps = [("cold", 0), ("no-op", 0), ("edit one tool", 0), *[("edit another tool", run) for run in (1, 2, 3)],
             *[(kind, run) for run in (1, 2, 3) for kind in kinds[1:]], *[(kind, -1) for kind in kinds]]
    for kind, run in steps:
        if kind in edits:
            EDITS.get(kind, _edit_one_description)(edits[kind])
        watched = kind == "cold" or run < 0
        seconds, peak, _ = timed(build + (["--clean"] if kind == "cold" else []), watch_memory=watched)
        files, pages, size = tree_size(out)
        rate = pages / seconds if kind == "cold" else None
        if kind == "cold":
            pages_per_second = pages / seconds
        memory = {"peak_pss_mb": round(peak[1] / 1e6), "peak_rss_sum_mb": round(peak[0] / 1e6)} if watched else {}
        report(build=kind, **({"run": run} if run > 0 else {"measured": "memory"} if run < 0 else {}),
               tools=tools, pages=pages, files=files, wall_seconds=round(seconds, 2),
               cpu_seconds=round(LAST_CPU_SECONDS[0], 1), pages_per_second=round(rate) if rate else None,
               **memory, output_mb=round(size / 1e6, 1), jobs=jobs)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(kept, ignore_errors=True)
    return pages_per_second


def _edit_one_description(path: Path) -> None:
    """Change the description of the file's first tool (the file is written again as plain YAML)."""
    import yaml

    server = yaml.safe_load(path.read_text(encoding="utf-8"))
    server["tools"][0]["description"] = "Edited. " + str(server["tools"][0].get("description") or "")
    path.write_text(yaml.safe_dump(server, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit_category(path: Path) -> None:
    """Move the file's first tool to the next category (its classification is written again)."""
    import yaml

    server = yaml.safe_load(path.read_text(encoding="utf-8"))
    classification = server["tools"][0].setdefault("classification", {})
    order = ["read", "write", "execute", "destructive", "financial"]
    category = classification.get("category", "read")
    classification["category"] = order[(order.index(category) + 1) % len(order)] if category in order else "write"
    path.write_text(yaml.safe_dump(server, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _add_tool(path: Path) -> None:
    """Add a copy of the file's first tool, named apart, at the end of its tools."""
    import copy

    import yaml

    server = yaml.safe_load(path.read_text(encoding="utf-8"))
    tool = copy.deepcopy(server["tools"][0])
    tool["name"] = f"{tool['name']}_added"
    server["tools"].append(tool)
    path.write_text(yaml.safe_dump(server, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _remove_added_tool(path: Path) -> None:
    """Remove the tools _add_tool added."""
    import yaml

    server = yaml.safe_load(path.read_text(encoding="utf-8"))
    server["tools"] = [tool for tool in server["tools"] if not str(tool["name"]).endswith("_added")]
    path.write_text(yaml.safe_dump(server, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _add_server(path: Path) -> None:
    """Add a copy of the file's server beside it, of another id, slug and name (sorted right after it)."""
    import yaml

    server = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("id", "slug", "name"):
        server["server"][key] = f"{server['server'][key]}-added"
    _added_server(path).write_text(yaml.safe_dump(server, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _remove_added_server(path: Path) -> None:
    _added_server(path).unlink()


def _added_server(path: Path) -> Path:
    return path.with_name(f"{path.stem}-added{path.suffix}")


EDITS = {"edit a tool's category": _edit_category, "add a tool": _add_tool, "remove the added tool": _remove_added_tool,
         "add a server": _add_server, "remove the added server": _remove_added_server}


NAIVE_PAGE = """# {name}

{description}

| Name | Type | Required | Description |
|---|---|---|---|
{rows}

## Recommended policy

```yaml
version: "1"
default: "deny"
tools:
  "{name}":
    rules:
      - name: "{name} rate limit"
        rate_limit: "30/minute"
```

```json
{{"version": "1", "default": "deny", "tools": {{"{name}": {{"limits": [{{"counter": "{name}_rate", "window": "minute", "max": 30, "scope": "grant"}}]}}}}}}
```

## FAQ

??? question "What does {name} do?"
    {description}

??? question "How do I block {name}?"
    Add a deny rule.
"""


def bench_naive(tools: int, work: Path, out_root: Path, ours_per_second: float | None) -> None:
    """Every tool page as a Markdown page through `mkdocs build` with Material (out of the nav)."""
    import yaml

    catalogue = work / f"catalogue-{tools}"
    if not catalogue.exists():
        write_catalogue(catalogue, max(1, tools // 10), min(10, tools))
    docs = work / f"naive-docs-{tools}"
    shutil.rmtree(docs, ignore_errors=True)
    (docs / "tools").mkdir(parents=True)
    (docs / "index.md").write_text("# Naive\n", encoding="utf-8")
    count = 0
    for path in sorted(catalogue.glob("*.yaml")):
        server = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for tool in server["tools"]:
            rows = "\n".join(f"| {n} | {s.get('type')} | no | {s.get('description', '')} |"
                             for n, s in (tool.get("input_schema") or {}).get("properties", {}).items())
            (docs / "tools" / f"{server['server']['slug']}-{tool['name']}.md").write_text(
                NAIVE_PAGE.format(name=tool["name"], description=tool["description"].replace("\n", " "), rows=rows),
                encoding="utf-8")
            count += 1
    config = work / "naive-mkdocs.yml"
    config.write_text(f"site_name: Naive\ndocs_dir: {docs}\nsite_dir: {out_root / 'naive-site'}\n"
                      "theme:\n  name: material\n  font: false\nnav:\n  - index.md\n"
                      "not_in_nav: |\n  /tools/\nmarkdown_extensions:\n  - tables\n  - admonition\n"
                      "  - pymdownx.details\n  - pymdownx.superfences\n", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True, env=env,
                   capture_output=True)
    seconds = time.monotonic() - started
    rate = count / seconds
    report(build="naive mkdocs (tool pages as Markdown, out of the nav)", tools=count, wall_seconds=round(seconds, 2),
           pages_per_second=round(rate), ours_pages_per_second=round(ours_per_second) if ours_per_second else None,
           speed_ratio=round(ours_per_second / rate, 1) if ours_per_second else None)
    shutil.rmtree(out_root / "naive-site", ignore_errors=True)


HUGO_LAYOUT = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header>{{ .Site.Title }}</header><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""


def bench_hugo(tools: int, work: Path, out_root: Path, ours_per_second: float | None) -> None:
    """Hugo on pages of the same shape (the naive page's Markdown), minimal layout."""
    hugo = shutil.which("hugo")
    if hugo is None:
        report(build="hugo", skipped="hugo is not installed (apt-get install hugo)")
        return
    bench_naive_docs = work / f"naive-docs-{tools}"
    if not bench_naive_docs.exists():
        bench_naive(tools, work, out_root, None)
    site = work / f"hugo-{tools}"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content").mkdir()
    (site / "hugo.toml").write_text('baseURL = "https://bench.example.org/"\ntitle = "Hugo"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS"]\n', encoding="utf-8")
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(HUGO_LAYOUT, encoding="utf-8")
    count = 0
    for page in (bench_naive_docs / "tools").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        title = text.splitlines()[0][2:]
        (site / "content" / page.name).write_text(f'---\ntitle: "{title}"\n---\n' + text, encoding="utf-8")
        count += 1
    seconds, peak, _ = timed([hugo, "--quiet", "-s", str(site), "-d", str(out_root / "hugo-site")])
    rate = count / seconds
    report(build="hugo (same page shape, minimal layout)", tools=count, wall_seconds=round(seconds, 2),
           cpu_seconds=round(LAST_CPU_SECONDS[0], 1),
           pages_per_second=round(rate), peak_pss_mb=round(peak[1] / 1e6),
           ours_pages_per_second=round(ours_per_second) if ours_per_second else None,
           ratio_ours_to_hugo=round(ours_per_second / rate, 2) if ours_per_second else None)
    shutil.rmtree(out_root / "hugo-site", ignore_errors=True)


def _byte_compiled() -> None:
    """Byte-compile the builder the benchmark runs, as pip does when it installs it: with
    PYTHONDONTWRITEBYTECODE set (this machine sets it), a build run from a source tree would compile every
    module of it again (0.09 s of a 1.6 s edit at 100k tools)."""
    import site_builder

    compileall.compile_dir(Path(site_builder.__file__).parent, quiet=1)


CALIBRATION = """
import hashlib, json, statistics, time


def work():
    data = [{"name": f"tool_{i}", "number": i, "tags": ["read", "write", str(i)]} for i in range(50000)]
    text = json.dumps(data)
    json.loads(text)
    total = 0
    for i in range(1000000):
        total += i % 7
    hashlib.sha256(text.encode() * 10).hexdigest()


def timed():
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


times = [timed() for _ in range(7)]
print(min(times), statistics.median(times))
"""


def calibrate(when: str) -> None:
    """Time the fixed CALIBRATION work (7 times, in a fresh process) and report its best and median."""
    run = subprocess.run([sys.executable, "-c", CALIBRATION], capture_output=True, text=True, check=True)
    best, median = map(float, run.stdout.split())
    report(calibration=when, best_seconds=round(best, 3), median_seconds=round(median, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--naive", type=int, default=2000, help="tools for the naive mkdocs comparison (0: skip)")
    parser.add_argument("--hugo", type=int, default=10000, help="tools for the Hugo comparison (0: skip)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "build-site-bench")
    parser.add_argument("--out-root", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    _byte_compiled()
    out_root = args.out_root or args.work
    report(machine={"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform,
                    "out_root": str(out_root)})
    rates: dict[int, float] = {}
    calibrate("start")
    for tools in sorted(set(args.sizes + [n for n in (args.naive, args.hugo) if n])):
        rates[tools] = bench_size(tools, args.work, out_root, args.jobs)
        calibrate(f"after {tools} tools")
    if args.naive:
        bench_naive(args.naive, args.work, out_root, rates.get(args.naive))
    if args.hugo:
        bench_hugo(args.hugo, args.work, out_root, rates.get(args.hugo))


if __name__ == "__main__":
    main()
