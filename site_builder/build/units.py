"""Output units: each group of output files is rendered from one frozen inputs value, whose digest decides
whether the group is rendered again.

A unit has a key (the group name: a server's slug, or a listing page's
group), an inputs value (a frozen dataclass of plain data: file hashes,
the index rows and attack patterns it shows) and a render function that is
given that value and nothing else but the build's renderer and writer, which
are made from the build context (templates, config, policy defaults, the
builder's own code and library versions).  The unit's digest is a SHA-256 of
the build context and the canonical text (`repr`) of the inputs value, so
whatever a renderer reads is in its digest by construction: a renderer that
needs something more needs a field more.  Other tools are held as links
(views.index.ToolLink: what a row shows, no score, no exposure), so that a
page showing more of them must widen ToolLink, and its digest with it; a
link's repr is a digest of all its fields (ToolLink.__repr__), made once
however many units hold the link.

The theme's unit is made of the context alone; each listing page and the
servers page are units of the site-wide pages (views.listings.SitePage),
and the sitemaps one of their own (views.sitemaps.SitemapInputs: every url);
the other pages made from the index alone (home, browse and attack pages,
llms.txt) are one unit (IndexPagesInputs: the index's digest and
the attack patterns).  The feed and the files made from the parts
(catalogue.json, llms-full.txt, the search index) are written by every build.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

from ..content.attacks import AttackLink, AttackPattern, attack_links
from ..views.index import SiteIndex, ToolLink
from ..views.parts import PART_FORMAT
from .store import CACHE_FORMAT

if TYPE_CHECKING:  # load.py imports the workers, which render units
    from .load import Catalogue


def canonical(inputs: object) -> str:
    """The text a unit's digest is made of: the `repr` of frozen dataclasses, tuples, enums and pydantic
    models is stable across processes and builds; an object without a stable repr is refused."""
    text = repr(inputs)
    if " object at 0x" in text:
        raise TypeError(f"{type(inputs).__name__} holds a value without a stable repr: not a unit's inputs")
    return text


def unit_digest(context: str, inputs: object) -> str:
    """The digest of a unit rendered from `inputs` under the build context `context`."""
    text = f"{type(inputs).__name__}\n{context}\n{canonical(inputs)}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ServerInputs:
    """Everything a server's pages, policy files and part are rendered from (with the build context)."""

    file: str  # the catalogue file name: the worker loads the server entry from it
    file_hash: str  # its content: the entry (and so every page of the server) is made from it alone
    related: tuple[tuple[ToolLink, ...], ...]  # per tool: the related tools on other servers its page lists
    attacks: tuple[tuple[AttackLink, ...], ...]  # per tool: the attack patterns its page links


@dataclass(frozen=True)
class IndexPagesInputs:
    """What the site-wide files made from the index alone (views.site_files.INDEX_PAGES_GROUP) are made of."""

    index: str  # the digest of the site index (load.Catalogue.index_digest)
    patterns: tuple[AttackPattern, ...]  # the attack patterns, whose pages are among them


Attacks = tuple[tuple[AttackLink, ...], ...]  # per tool of a server: the attack patterns it is exposed to


@dataclass(frozen=True)
class PartInputs:
    """What each server's part (views/parts.py) is made of besides its file, and the part's key: known as
    soon as the catalogue is loaded, so the site-wide files made from the parts can start before the plan."""

    attacks: Mapping[str, Attacks]  # by catalogue file name
    keys: dict[str, str]  # by catalogue file name: the key of the server's part in the cache (part_store.py)


def part_key(context: str, file_hash: str, attacks_text: str) -> str:
    """The key of a server's part: made of the file and the patterns (`attacks_text`, the canonical text of
    its tools' attack links), not the related links."""
    text = f"{CACHE_FORMAT}.{PART_FORMAT}\n{context}\n{file_hash}\n{attacks_text}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


class AttacksByFile(Mapping[str, Attacks]):
    """The attack links of every server's tools, by catalogue file name, each server's made when first asked
    for (an edit whose index is unchanged asks for those of the few servers it renders), each
    exposure's once (many tools share one; most reach no pattern), with its canonical text."""

    def __init__(self, catalogue: Catalogue, patterns: Iterable[AttackPattern]) -> None:
        self.catalogue, self.patterns = catalogue, tuple(patterns)
        self.made: dict[str, Attacks] = {}
        self.links = functools.cache(functools.partial(attack_links, self.patterns))  # of an exposure, made once
        self.texts = functools.cache(lambda exposure: canonical(self.links(exposure)))  # their canonical text

    def __getitem__(self, name: str) -> Attacks:
        if name not in self.made:
            self.made[name] = tuple(map(self.links, self.catalogue.summaries[name].exposures))
        return self.made[name]

    def text(self, name: str) -> str:
        """canonical(self[name]), from each exposure's text, made once (looked up in C, by functools.cache:
        100k tools' took 0.05 s of an edit one by one)."""
        texts = list(map(self.texts, self.catalogue.summaries[name].exposures))
        return f"({texts[0]},)" if len(texts) == 1 else f"({', '.join(texts)})"

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalogue.summaries)

    def __len__(self) -> int:
        return len(self.catalogue.summaries)


def part_inputs(context: str, catalogue: Catalogue, patterns: Iterable[AttackPattern]) -> PartInputs:
    """The attack links of every server's tools (made when asked for), and its part's key."""
    attacks = AttacksByFile(catalogue, patterns)
    return PartInputs(attacks, {name: part_key(context, catalogue.file_hashes[name], attacks.text(name))
                                for name in catalogue.summaries})


class ServerInputsBySlug(Mapping[str, ServerInputs]):
    """The inputs of every server's unit, by slug, each made when first asked for: an edit whose index is
    unchanged needs those of the few servers it renders (build/rows.py keeps the others' digests)."""

    def __init__(self, catalogue: Catalogue, index: SiteIndex, parts: PartInputs) -> None:
        self.catalogue, self.index, self.parts = catalogue, index, parts
        self.made: dict[str, ServerInputs] = {}

    def __getitem__(self, slug: str) -> ServerInputs:
        if slug not in self.made:
            name = self.catalogue.files_by_slug[slug]
            self.made[slug] = ServerInputs(name, self.catalogue.file_hashes[name],
                                           self.index.related_of(self.catalogue.summaries[name]),
                                           self.parts.attacks[name])
        return self.made[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalogue.files_by_slug)

    def __len__(self) -> int:
        return len(self.catalogue.files_by_slug)
