"""Where a built site's bytes go: by kind of file, and a tool page by section.

    python benchmarks/output_size.py SITE [--target-mb 1000]

Prints one JSON line per kind of file (files, MB, bytes per tool), one per
part of a tool page (the page before its first section, each `<h2 id>`
section, the page after the article: bytes per page on average), and the
average a tool page may weigh for the site to fit `--target-mb` (apparent
size) with every other file as it is.  The figures behind the 1 GB question
of the build-model issue: run it on the 100k site `benchmarks/run.py` builds
(keep it with `--sizes 100000` and a copy of `/dev/shm/site-100000` before
the run removes it), or on any site.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections import Counter
from pathlib import Path

KINDS = (  # (name, pattern of the path relative to the site), the first that matches
    ("tool pages", r"tools/[^/]+/[^/]+/index\.html"),
    ("tool policy files", r"tools/[^/]+/[^/]+/[^/]+"),
    ("server pages", r"servers/[^/]+/index\.html"),
    ("server checks", r"servers/[^/]+/checks\.json"),
    ("server policy bundles", r"policies/.+"),
    ("listing pages", r"(risk|categories)/.+|servers/index\.html"),
    ("search index", r"search/.+"),
    ("catalogue.json", r"catalogue\.json"),
    ("llms-full.txt", r"llms-full\.txt"),
    ("llms.txt", r"llms\.txt"),
    ("sitemaps", r"sitemap.*\.xml|sitemaps/.+"),
    ("theme, hand-written and attack pages", r".+"),
)
SECTION = re.compile(rb'<h2 id="([^"]+)"')
ARTICLE_END = b"</article>"


def kind_of(relative: str) -> str:
    return next(name for name, pattern in KINDS if re.fullmatch(pattern, relative))


def page_parts(html: bytes) -> list[tuple[str, int]]:
    """A tool page's bytes by part: before its first section, each section, after the article."""
    end = html.rfind(ARTICLE_END)
    end = len(html) if end < 0 else end
    starts = [(match.start(), match.group(1).decode("utf-8", "replace")) for match in SECTION.finditer(html, 0, end)]
    if not starts:
        return [("whole page", len(html))]
    parts = [("before the first section (head, JSON-LD, header, tabs, title)", starts[0][0])]
    for (start, name), following in zip(starts, [start for start, _ in starts[1:]] + [end]):
        parts.append((f"section #{name}", following - start))
    parts.append(("after the article (footer, scripts)", len(html) - end))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--target-mb", type=float, default=1000.0)
    args = parser.parse_args()
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for folder, _, names in os.walk(args.site):
        for name in names:
            path = Path(folder) / name
            kind = kind_of(path.relative_to(args.site).as_posix())
            sizes[kind] += path.stat().st_size
            counts[kind] += 1
            if kind == "tool pages":
                parts.update(dict(page_parts(path.read_bytes())))
    tools = counts["tool pages"] or 1
    total = sum(sizes.values())
    for kind, _ in KINDS:
        print(json.dumps({"kind": kind, "files": counts[kind], "mb": round(sizes[kind] / 1e6, 1),
                          "bytes_per_tool": round(sizes[kind] / tools)}))
    for part, size in sorted(parts.items(), key=lambda item: -item[1]):
        print(json.dumps({"tool page part": part, "bytes_per_page": round(size / tools)}))
    others = total - sizes["tool pages"]
    print(json.dumps({"tools": counts["tool pages"], "site_mb": round(total / 1e6, 1), "target_mb": args.target_mb,
                      "other_files_mb": round(others / 1e6, 1),
                      "tool_page_bytes_to_fit": round((args.target_mb * 1e6 - others) / tools),
                      "tool_page_bytes_now": round(sizes["tool pages"] / tools)}))


if __name__ == "__main__":
    main()
