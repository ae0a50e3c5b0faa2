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

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping

from ..content.attacks import AttackPattern
from ..errors import OutputError
from ..output.swap import MARKER
from ..views.index import SiteIndex
from ..views.listings import LISTING_GROUP_PREFIX, SitePage, listing_pages, servers_page
from ..views.site_files import INDEX_PAGES_GROUP
from ..views.sitemaps import SITEMAPS_GROUP, SitemapInputs, sitemap_inputs
from .manifest import OutputGroup
from .load import Catalogue
from .units import IndexPagesInputs, PartInputs, ServerInputs, ServerInputsBySlug, unit_digest

WALKED_AT_MOST = 64  # servers whose related tools are found alone (views/related.py); more: the rings of all
SITE_GROUP = ""  # the key of the site-wide files made from the whole catalogue, rewritten by every build
THEME_GROUP = "~theme"  # mkdocs' output (theme, hand-written pages) and our assets: made from the context alone


@dataclass
class OutputPlan:
    digests: dict[str, str]  # server slug -> digest of its inputs
    inputs: Mapping[str, ServerInputs]  # by server slug
    kept: dict[str, OutputGroup]  # groups of the reused build still valid
    stale_files: list[str]  # files of the reused build to delete before writing
    stale_site_files: list[str]  # those of its SITE_GROUP: the files made from the parts, and the feed
    site_digests: dict[str, str] = field(default_factory=dict)  # site-wide group (THEME_GROUP) -> digest
    linked: dict[str, OutputGroup] = field(default_factory=dict)  # groups taken from the live site as they are
    _rendered: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def render(self) -> list[str]:
        return [slug for slug in self.digests if slug not in self.kept and slug not in self.linked]

    @property
    def kept_pages(self) -> int:
        return sum(group.pages for group in (*self.kept.values(), *self.linked.values()))

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
        """Whether the group's files are in the output without being made again (kept or linked)."""
        return group in self.kept or group in self.linked

    def groups(self, sizes: Mapping[str, int], written: Iterable[str]) -> dict[str, OutputGroup]:
        """Every file of this build by group, for the next build to reuse: the kept and linked groups, the
        rendered ones, and the site-wide group of every other file `written` by this build (not kept: the
        kept files, 384k at 100k tools, are not looked at one by one)."""
        groups = {**self.kept, **self.linked}
        rendered: set[str] = {path for group in self.linked.values() for path in group.files}
        for slug, files in self._rendered.items():
            groups[slug] = OutputGroup.of(self.digests[slug] if slug in self.digests else self.site_digests[slug],
                                          files)
            rendered.update(files)
        groups[SITE_GROUP] = OutputGroup.of("", {path: sizes[path] for path in written
                                                 if path not in rendered and path != MARKER})
        return groups

    def changes(self, groups: Mapping[str, OutputGroup]) -> dict[str, OutputGroup]:
        """Of this build's `groups` (groups()), those the next build may take from it once it is live
        (manifest.load_live_changes): all but the servers', which are few and small (the theme's, the
        listings', the sitemaps'...), and the servers it rendered.  Each is as this build wrote it, so a
        build may take any of them whose digest it wants, and the site-wide ones as one set: whether the index's
        pages are this build's tells those of the listings and sitemaps (with_site_pages)."""
        return {key: group for key, group in groups.items()
                if key != SITE_GROUP and (key not in self.digests or key in self._rendered)}


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
                  patterns: tuple[AttackPattern, ...], digests: Mapping[str, str]) -> Wanted:
    """The groups of the theme, of every server and of the pages made from the index alone (but not yet of
    the site-wide pages that are units of their own: with_site_pages).  `digests`: server_digests()."""
    index_pages = unit_digest(context, IndexPagesInputs(catalogue.index_digest, patterns))
    return Wanted(context, dict(digests), ServerInputsBySlug(catalogue, index, parts),
                  {THEME_GROUP: context, INDEX_PAGES_GROUP: index_pages})


def server_digests(context: str, catalogue: Catalogue, index: SiteIndex, parts: PartInputs,
                   known: Mapping[str, str]) -> dict[str, str]:
    """The digest of every server's unit, by slug.  `known`: the digests still valid, by file name
    (rows.SavedRows.unit_digests), which are not made again."""
    if len(catalogue.summaries) - len(known) > WALKED_AT_MOST:
        index.make_rings()  # the related tools of every server at once, rather than walked for each
    inputs = ServerInputsBySlug(catalogue, index, parts)
    return {summary.slug: known[name] if name in known else unit_digest(context, inputs[summary.slug])
            for name, summary in catalogue.summaries.items()}


@dataclass(frozen=True)
class SiteUnits:
    """The site-wide units made from the index (listings, the servers page, the sitemaps) and their digests."""

    pages: list[SitePage]
    sitemap: SitemapInputs
    digests: dict[str, str]  # by group


def site_units(context: str, index: SiteIndex, patterns: tuple[AttackPattern, ...]) -> SiteUnits:
    pages: list[SitePage] = [servers_page(index), *listing_pages(index)]
    sitemap = sitemap_inputs(index, [page.url for page in pages], patterns)
    return SiteUnits(pages, sitemap, {unit.group: unit_digest(context, unit) for unit in (*pages, sitemap)})


def with_site_pages(wanted: Wanted, previous: Mapping[str, OutputGroup] | None, make_units: Callable[[], SiteUnits],
                    live: Mapping[str, OutputGroup] | None = None) -> tuple[Wanted, list[SitePage], SitemapInputs | None]:
    """`wanted` with the digests of the site-wide units, and the pages and sitemaps' inputs to write, made by
    `make_units` (none when not made).

    When the reused build's group of pages made from the index alone has this
    build's digest, the index is that build's, and so is every such unit:
    their digests are that build's, and none is made (an edit that changes no
    tool's row, count or date, at 100k tools, skips 0.4 s of listings).  The
    same holds of the live build's, whose site-wide groups `live` are
    (manifest.load_live_changes), all of them."""
    index_pages = wanted.site_digests[INDEX_PAGES_GROUP]
    for built in (previous, live):
        if (built is not None and INDEX_PAGES_GROUP in built and SITEMAPS_GROUP in built
                and built[INDEX_PAGES_GROUP].digest == index_pages):
            kept = {key: group.digest for key, group in built.items()
                    if key.startswith(LISTING_GROUP_PREFIX) or key == SITEMAPS_GROUP}
            return replace(wanted, site_digests={**wanted.site_digests, **kept}), [], None
    units = make_units()
    return replace(wanted, site_digests={**wanted.site_digests, **units.digests}), units.pages, units.sitemap


def plan_output(previous: dict[str, OutputGroup] | None, wanted: Wanted, theme_cached: bool,
                live: Mapping[str, OutputGroup] | None = None) -> OutputPlan:
    """What to keep of the reused build described by `previous` (None: nothing to reuse), and what to take
    from the live site, a build ahead of it (`live`: manifest.load_live_changes; None: nothing).

    A group is kept when its digest is unchanged, or else linked from the live
    site when it has the group with that digest; the theme group only if the
    chrome it was cut from is still cached (`theme_cached`)."""
    previous, live = previous or {}, live or {}
    usable = [(key, digest) for key, digest in [*wanted.digests.items(), *wanted.site_digests.items()]
              if key != SITE_GROUP and (key != THEME_GROUP or theme_cached)]
    kept = {key: previous[key] for key, digest in usable if key in previous and previous[key].digest == digest}
    linked = {key: live[key] for key, digest in usable
              if key not in kept and key in live and live[key].digest == digest}
    stale = [path for key, group in previous.items() if key not in kept and key != SITE_GROUP for path in group.files]
    site = list(previous[SITE_GROUP].files) if SITE_GROUP in previous else []
    return OutputPlan(wanted.digests, wanted.inputs, kept, stale, site, wanted.site_digests, linked)


def site_units_maker(context: str, index: SiteIndex, patterns: tuple[AttackPattern, ...], eager: bool
                     ) -> Callable[[], SiteUnits]:
    """What makes the site-wide units (site_units): made now if `eager`."""
    if not eager:
        return lambda: site_units(context, index, patterns)
    made = site_units(context, index, patterns)
    return lambda: made
