from __future__ import annotations

import random
import statistics

from site_builder.content.models import Category, Risk
from site_builder.views.index import ToolLink
from site_builder.views.listings import PAGE_MAX, PAGE_SIZE, Run, pages_of, server_place


def _runs(sizes: list[int]) -> list[Run]:
    """A listing's rows: `sizes[n]` tools of server n, servers in slug order."""
    return [(server_place(f"servers/s{number:05d}/"),
             [ToolLink(f"tool_{number}_{tool}", f"tools/s{number:05d}/tool_{tool}/", f"Server {number}",
                       f"servers/s{number:05d}/", Category.READ, Risk.LOW) for tool in range(size)])
            for number, size in enumerate(sizes) if size]


def _rows(runs: list[Run]) -> list[ToolLink]:
    return [row for _, rows in runs for row in rows]


def test_pages_hold_every_row_once_in_order_a_server_together_and_never_more_than_the_most() -> None:
    sizes = [random.Random(7).choice([1, 1, 2, 3, 5, 8, 40]) for _ in range(3000)] + [1900] + [3] * 200
    runs = _runs(sizes)
    pages = pages_of(runs)
    assert [row for page in pages for row in page] == _rows(runs)
    assert all(0 < len(page) <= PAGE_MAX for page in pages)
    cut = {page[-1].server_url for page, following in zip(pages, pages[1:])
           if page[-1].server_url == following[0].server_url}
    assert cut == {"servers/s03000/"}, "only a server of more rows than a page is cut"
    few = _runs([PAGE_MAX // 4] * 4)
    assert pages_of(few) == [_rows(few)] and pages_of([]) == [[]]


def test_pages_hold_about_page_size_rows_however_many_tools_a_server_has() -> None:
    for per_server in (1, 4, 10, 30):
        pages = pages_of(_runs([per_server] * (40 * PAGE_SIZE // per_server)))
        assert 0.5 * PAGE_SIZE <= statistics.mean(map(len, pages)) <= 1.5 * PAGE_SIZE, per_server


def test_a_tool_that_moves_changes_a_few_pages_not_every_later_one() -> None:
    """The pages before and after its server's stretch are the same pages (and, unless that stretch gained
    or lost a page, at the same numbers): an edit renders two or three listing pages, not every later one."""
    rng = random.Random(11)
    sizes = [rng.randint(1, 9) for _ in range(4000)]
    before = pages_of(_runs(sizes))
    for server in rng.sample(range(len(sizes)), 30):
        for change in (-1, 1):
            edited = list(sizes)
            edited[server] += change
            after = pages_of(_runs(edited))
            changed_before = [page for page in before if page not in after]
            changed_after = [page for page in after if page not in before]
            assert len(changed_before) <= 3 and len(changed_after) <= 3, (server, change)
            same_numbers = sum(a == b for a, b in zip(before, after))
            assert len(before) != len(after) or same_numbers >= len(before) - 3


def test_a_listings_first_page_counts_the_tools_of_its_servers_with_the_most_and_how_many_more_there_are() -> None:
    from site_builder.derive import Counts
    from site_builder.views.index import ServerSummary, SiteIndex
    from site_builder.views.listings import PER_SERVER, listing_pages

    sizes = [random.Random(3).randint(1, 9) for _ in range(PER_SERVER + 40)]
    servers = [ServerSummary(f"s{number}.yaml", 1, f"x/s{number}", f"s{number:05d}", f"Server {number}",
                             Counts.of(rows), tuple(rows), (1,) * len(rows), ((),) * len(rows), (), ())
               for number, (_, rows) in enumerate(_runs(sizes))]
    first, *others = [page for page in listing_pages(SiteIndex.of(servers)) if page.base == "risk/low/"]
    ranked = sorted(((f"Server {n}", f"servers/s{n:05d}/", size) for n, size in enumerate(sizes)),
                    key=lambda row: (-row[2], row[0]))
    assert first.per_server == tuple(ranked[:PER_SERVER]) and first.more_servers == 40
    assert others and all(page.per_server == () and page.more_servers == 0 for page in others)
