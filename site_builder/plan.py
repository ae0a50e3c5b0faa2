"""Which servers a build renders, and which files of the reused previous site it keeps.

Every server's files form a group, keyed by the server's slug, with a digest
of everything its pages and policies are made from: the build context
(templates, config, code, library versions), the server file's content and
the related tools of other servers that its pages link to.  The theme and
each listing page are groups too, keyed by names no slug can take.  A group whose
digest is unchanged since the reused build is kept as it is; every other
group, and every site-wide file, is deleted and written again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Mapping

from .cache import OutputGroup
from .index import SiteIndex, ToolLink, related_digest
from .writer import MARKER

if TYPE_CHECKING:
    from .build import Catalogue

SITE_GROUP = ""  # the key of the site-wide files made from the whole catalogue, rewritten by every build
THEME_GROUP = "~theme"  # mkdocs' output (theme, hand-written pages) and our assets: made from the context alone


@dataclass
class OutputPlan:
    digests: dict[str, str]  # server slug -> digest of its inputs
    related: Mapping[str, tuple[tuple[ToolLink, ...], ...]]
    kept: dict[str, OutputGroup]  # groups of the reused build still valid
    stale_files: list[str]  # files of the reused build to delete before writing
    site_digests: dict[str, str] = field(default_factory=dict)  # site-wide group (THEME_GROUP) -> digest
    _rendered: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def render(self) -> list[str]:
        return [slug for slug in self.digests if slug not in self.kept]

    @property
    def kept_pages(self) -> int:
        return sum(path.endswith(".html") for group in self.kept.values() for path in group.files)

    def kept_files(self) -> Iterator[tuple[str, int]]:
        for group in self.kept.values():
            yield from group.files.items()

    def rendered(self, slug: str, files: dict[str, int]) -> None:
        self._rendered[slug] = files

    def is_kept(self, group: str) -> bool:
        return group in self.kept

    def groups(self, sizes: Mapping[str, int]) -> dict[str, OutputGroup]:
        """Every file of this build by group, for the next build to reuse."""
        groups = dict(self.kept)
        for slug, files in self._rendered.items():
            groups[slug] = OutputGroup(self.digests[slug] if slug in self.digests else self.site_digests[slug], files)
        in_servers = {path for group in groups.values() for path in group.files}
        groups[SITE_GROUP] = OutputGroup("", {path: size for path, size in sizes.items()
                                              if path not in in_servers and path != MARKER})
        return groups


def server_digests(context: str, catalogue: Catalogue, related: Mapping[str, tuple[tuple[ToolLink, ...], ...]]
                   ) -> dict[str, str]:
    digests = {}
    for name, summary in catalogue.summaries.items():
        inputs = f"{context}\n{catalogue.file_hashes[name]}\n{related_digest(related[summary.slug])}"
        digests[summary.slug] = hashlib.sha256(inputs.encode()).hexdigest()
    return digests


def plan_output(previous: dict[str, OutputGroup] | None, context: str, catalogue: Catalogue,
                index: SiteIndex, theme_cached: bool, page_digests: Mapping[str, str]) -> OutputPlan:
    """What to keep of the reused build described by `previous` (None: nothing to reuse).

    The theme group is kept when the context is unchanged and the chrome it
    was cut from is still cached (`theme_cached`); a site-wide page group
    (`page_digests`: group -> digest, see site_files.listing_pages) when its
    digest is unchanged."""
    related = index.related()
    digests = server_digests(context, catalogue, related)
    site_digests = {THEME_GROUP: context, **page_digests}
    previous = previous or {}
    kept = {slug: previous[slug] for slug, digest in [*digests.items(), *page_digests.items()]
            if slug in previous and previous[slug].digest == digest}
    theme = previous.get(THEME_GROUP)
    if theme_cached and theme is not None and theme.digest == context:
        kept[THEME_GROUP] = theme
    stale = [path for key, group in previous.items() if key not in kept for path in group.files]
    return OutputPlan(digests, related, kept, stale, site_digests)
