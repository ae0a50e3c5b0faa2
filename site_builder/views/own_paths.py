"""The paths of the site that build-site writes itself, which no hand-written page may take.

mkdocs renders the hand-written pages (docs_dir) into the same site: a page
whose URL is one of these would be written twice, which the writer refuses
mid-build.  Checked before anything is built, naming the page and the fix.
tests/views/test_own_paths.py holds the list to what a build writes.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, display_path

OWN_FOLDERS = ("tools", "servers", "policies", "categories", "risk", "attacks", "search")
OWN_FILES = ("index.html", "catalogue.json", "llms.txt", "llms-full.txt", "feed.xml", "sitemap.xml", "robots.txt")


def clashing_pages(docs_dir: Path) -> list[Problem]:
    """A problem for each hand-written page (a Markdown file of `docs_dir`) whose URL is build-site's."""
    if not docs_dir.is_dir():
        return []
    problems = []
    for page in sorted(docs_dir.rglob("*.md")):
        parts = page.relative_to(docs_dir).parts
        if any(part.startswith(".") for part in parts):  # mkdocs leaves these out
            continue
        url = _page_url(parts)
        if url.split("/", 1)[0] in OWN_FOLDERS or url.removesuffix("/index.html") in OWN_FILES:  # index.html too
            problems.append(Problem(display_path(page), 0, "", f"this page's URL ({url}) is build-site's: "
                                    "the home page and the catalogue's pages and files are made from the catalogue",
                                    "rename or move the page; link to it from mkdocs.yml's nav"))
    return problems


def _page_url(parts: tuple[str, ...]) -> str:
    """Where mkdocs writes a page (directory URLs): a/b.md -> a/b/index.html, a/index.md (or README.md) ->
    a/index.html."""
    *folders, name = parts
    stem = name.removesuffix(".md")
    if stem.lower() not in ("index", "readme"):
        folders.append(stem)
    return "/".join([*folders, "index.html"])
