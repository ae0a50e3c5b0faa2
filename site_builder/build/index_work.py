"""The work a build makes from the site index alone, on the other core while the parent goes on.

When the index changed (a tool's category or risk, a count, a server added),
the pages made from the index alone are made again, and so is every
server's unit digest when too many files changed to tell whose related
tools they reach (rows.SavedRows.unit_digests; else the parent makes the
few it needs).  Both are pure functions of the index, the parts' inputs and
the build context, so a forked process makes them, in that order, while
the parent makes the listing pages, plans, and renders the servers that
changed: at 100k tools a category edit made 0.24 s of digests and 0.3 s of
pages in the parent before.  The pages need the chrome: without it cached
(a first build, a template change), the parent makes them as it renders the
theme.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from ..content.attacks import AttackPattern
from ..content.config import SiteConfig
from ..render.render import Renderer
from ..render.theme import Shell
from ..views.index import SiteIndex
from ..views.pages import PAGE_HELPERS
from ..views.site_files import IndexPages, index_pages
from .background import Steps
from .load import Catalogue
from .plan import server_digests
from .units import PartInputs


class IndexWork:
    """The unit digests of every server, then the index's pages (if `shell`), made by a forked process
    (in the parent, when asked for, if `fork` is false)."""

    def __init__(self, context: str, catalogue: Catalogue, index: SiteIndex, parts: PartInputs, config: SiteConfig,
                 patterns: tuple[AttackPattern, ...], shell: Shell | None, digests: bool, fork: bool) -> None:
        """`digests`: make every server's unit digest first (else the parent makes those it needs)."""
        self.makes_pages = shell is not None
        self.steps = Steps(partial(_work, context, catalogue, index, parts, config, patterns, shell, digests), fork)

    def digests(self) -> dict[str, str]:
        """Every server's unit digest, by slug (plan.server_digests), if it makes them."""
        digests: dict[str, str] = self.steps.next()
        return digests

    def pages(self) -> IndexPages:
        pages: IndexPages = self.steps.next()
        return pages

    @property
    def page_maker(self) -> Callable[[], IndexPages] | None:
        """What gives the index's pages made by this work (None: it makes none)."""
        return self.pages if self.makes_pages else None

    def close(self) -> None:
        """Stop the process, its work done or no longer wanted (the pages were kept); never raises."""
        self.steps.cancel()


def _work(context: str, catalogue: Catalogue, index: SiteIndex, parts: PartInputs, config: SiteConfig,
          patterns: tuple[AttackPattern, ...], shell: Shell | None, digests: bool) -> Iterator[object]:
    if digests:
        yield server_digests(context, catalogue, index, parts, {})
    if shell is not None:
        yield index_pages(Renderer(config, shell, config.template_dirs, PAGE_HELPERS), index, config, patterns)
