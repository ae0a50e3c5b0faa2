"""Which servers a build renders, and which files of the reused previous site it keeps.

Every server's files form a group (an output unit, units.py), keyed by the
server's slug, with the digest of the inputs its pages and policies are
rendered from (ServerInputs) and the build context (templates, config,
code, library versions).  The theme and each listing page are groups too,
keyed by names no slug can take.  A group whose
digest is unchanged since the reused build is kept as it is; every other
group, and every site-wide file, is deleted and written again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import methodcaller
from typing import Iterable, Mapping

from ..errors import OutputError
from ..output.swap import MARKER
from ..views.index import SiteIndex
from .cache import OutputGroup
from .load import Catalogue
from .units import PartInputs, ServerInputs, server_inputs, unit_digest

_is_page = methodcaller("endswith", ".html")
SITE_GROUP = ""  # the key of the site-wide files made from the whole catalogue, rewritten by every build
THEME_GROUP = "~theme"  # mkdocs' output (theme, hand-written pages) and our assets: made from the context alone


@dataclass
class OutputPlan:
    digests: dict[str, str]  # server slug -> digest of its inputs
    inputs: Mapping[str, ServerInputs]  # by server slug
    kept: dict[str, OutputGroup]  # groups of the reused build still valid
    stale_files: list[str]  # files of the reused build to delete before writing
    site_digests: dict[str, str] = field(default_factory=dict)  # site-wide group (THEME_GROUP) -> digest
    _rendered: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def render(self) -> list[str]:
        return [slug for slug in self.digests if slug not in self.kept]

    @property
    def kept_pages(self) -> int:
        return sum(sum(map(_is_page, group.files)) for group in self.kept.values())

    def kept_files(self) -> dict[str, int]:
        files: dict[str, int] = {}
        for group in self.kept.values():
            files.update(group.files)
        if len(files) != sum(len(group.files) for group in self.kept.values()):  # a damaged manifest
            raise OutputError("the kept site's manifest lists a file in two groups")
        return files

    def rendered(self, slug: str, files: dict[str, int]) -> None:
        self._rendered[slug] = files

    def is_kept(self, group: str) -> bool:
        return group in self.kept

    def groups(self, sizes: Mapping[str, int], written: Iterable[str]) -> dict[str, OutputGroup]:
        """Every file of this build by group, for the next build to reuse: the kept groups, the rendered ones,
        and the site-wide group of every other file `written` by this build (not kept: the kept files, 384k
        at 100k tools, are not looked at one by one)."""
        groups = dict(self.kept)
        rendered: set[str] = set()
        for slug, files in self._rendered.items():
            groups[slug] = OutputGroup(self.digests[slug] if slug in self.digests else self.site_digests[slug], files)
            rendered.update(files)
        groups[SITE_GROUP] = OutputGroup("", {path: sizes[path] for path in written
                                              if path not in rendered and path != MARKER})
        return groups


@dataclass(frozen=True)
class Wanted:
    """The digest of every file group this build makes."""

    context: str
    digests: dict[str, str]  # server slug -> digest of its inputs
    inputs: Mapping[str, ServerInputs]  # by server slug
    site_digests: dict[str, str]  # site-wide groups (theme, listing pages) -> digest

    def stale_servers(self, previous: Mapping[str, OutputGroup]) -> int:
        """How many servers a build reusing `previous` would render."""
        return sum(1 for slug, digest in self.digests.items()
                   if slug not in previous or previous[slug].digest != digest)


def wanted_groups(context: str, catalogue: Catalogue, index: SiteIndex, parts: PartInputs,
                  page_digests: Mapping[str, str]) -> Wanted:
    """`page_digests`: site-wide page groups -> digest (see site_files.listing_pages)."""
    inputs = server_inputs(catalogue, index, parts)
    return Wanted(context, {slug: unit_digest(context, unit) for slug, unit in inputs.items()}, inputs,
                  {THEME_GROUP: context, **page_digests})


def plan_output(previous: dict[str, OutputGroup] | None, wanted: Wanted, theme_cached: bool) -> OutputPlan:
    """What to keep of the reused build described by `previous` (None: nothing to reuse).

    A group is kept when its digest is unchanged; the theme group only if
    the chrome it was cut from is still cached (`theme_cached`)."""
    previous = previous or {}
    kept = {key: previous[key] for key, digest in [*wanted.digests.items(), *wanted.site_digests.items()]
            if key in previous and previous[key].digest == digest and (key != THEME_GROUP or theme_cached)}
    stale = [path for key, group in previous.items() if key not in kept for path in group.files]
    return OutputPlan(wanted.digests, wanted.inputs, kept, stale, wanted.site_digests)
