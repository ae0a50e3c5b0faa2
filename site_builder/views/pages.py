"""Page contexts: what each template is given.  Pure functions of derived data."""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup, escape

from ..content.attacks import AttackLink
from ..derive import ServerEntry, ToolEntry
from ..derive.rationale import CATEGORY_MEANING, effect_words
from .index import ToolLink, tool_link
from ..content.models import CATEGORY_ORDER, RISK_ORDER, Category
from ..policy.generate import Bundle, ToolPolicy
from ..render.render import NO_INSTALL, plain
from ..derive.parameters import schema_properties

MAX_PARAMETERS = 100
SAME_SERVER_LIMIT = 5  # then the server page lists them all
BUNDLE_INLINE_LIMIT = 32_000  # characters of the recommended bundle (both formats) a server page shows inline


@functools.lru_cache(maxsize=4096)  # rows repeat within a server and its neighbours: a small cache, flat memory
def _row(link: ToolLink, root: str, show_server: bool, show_category: bool, show_risk: bool) -> str:
    url = root + link.url
    server = (f'<td><a href="{root}{link.server_url}">{escape(link.server_name)}</a></td>' if show_server else "")
    category = f"<td>{link.category.label}</td>" if show_category else ""
    risk = (f'<td><span class="sb-badge sb-risk-{link.risk.value}">{link.risk.label} risk</span></td>'
            if show_risk else "")
    return f'<tr><td><a href="{url}"><code>{escape(link.name)}</code></a></td>{server}{category}{risk}</tr>'


@functools.lru_cache(maxsize=4096)
def _item(link: ToolLink, root: str, sibling: bool) -> str:
    url = "../" + link.url.rstrip("/").rsplit("/", 1)[-1] + "/" if sibling else root + link.url
    what = link.category.label.lower() if sibling else f"on {escape(link.server_name)}"
    return (f'<li><a href="{url}"><code>{escape(link.name)}</code></a> {what} '
            f'<span class="sb-badge sb-risk-{link.risk.value}">{link.risk.label} risk</span></li>')


def tool_items(links: Iterable[ToolLink], root: str, sibling: bool = False) -> Markup:
    """A compact list of related tools (a tool page's): name, risk, and the category of a tool of the same
    server (`sibling`) or the server of one of the same category."""
    return Markup(f'<ul class="sb-related">{"".join(_item(link, root, sibling) for link in links)}</ul>')


def tool_rows(links: Iterable[ToolLink], root: str, show_server: bool = True, show_category: bool = True,
              show_risk: bool = True) -> Markup:
    """Table rows for tool listings; each row is rendered once per process and reused."""
    return Markup("\n".join(_row(link, root, show_server, show_category, show_risk) for link in links))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    description: str


def _type_of(spec: Any) -> str:
    if not isinstance(spec, dict):
        return "any"
    kind = spec.get("type")
    if isinstance(kind, list):
        return " | ".join(map(str, kind))
    if kind == "array" and isinstance(spec.get("items"), dict) and spec["items"].get("type"):
        return f"array of {spec['items']['type']}"
    if kind:
        return str(kind)
    for union in ("anyOf", "oneOf"):
        options = spec.get(union)
        if isinstance(options, list):
            return " | ".join(_type_of(option) for option in options[:5])
    return "enum" if "enum" in spec else "any"


def parameters(entry: ToolEntry) -> tuple[list[Parameter], int]:
    """The parameter table (at most MAX_PARAMETERS rows) and how many were left out."""
    properties = schema_properties(entry.tool.input_schema)
    required = (entry.tool.input_schema or {}).get("required")
    required_names = set(required) if isinstance(required, list) else set()
    rows = [Parameter(str(name), _type_of(spec), name in required_names,
                      plain(spec.get("description") if isinstance(spec, dict) else None, 500))
            for name, spec in list(properties.items())[:MAX_PARAMETERS]]
    return rows, max(0, len(properties) - MAX_PARAMETERS)


def _sentence(text: str) -> str:
    """Text that ends a sentence, so the next one never runs into it."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…。！？" else text + "."


def faq(entry: ToolEntry, policy: ToolPolicy) -> list[tuple[str, str]]:
    """Questions and plain-text answers; the same list feeds the page and the JSON-LD.

    Only questions whose answers carry this tool's facts: how to rate-limit or
    block any tool is on the guides (using-intercept.md, using-gateway.md)."""
    name, server = entry.name, entry.server.data.server
    category = entry.category
    article = "an" if category.value[0] in "aeiou" else "a"
    description = _sentence(plain(entry.tool.description, 400)) or "The server gives no description."
    install = server.install or NO_INSTALL
    return [
        (f"What does {name} do?",
         f"{description} It is classified as {article} {category.value} tool: {CATEGORY_MEANING[category]}."),
        (f"How do I enforce a policy on {name}?",
         f"Run {server.name} behind Intercept with the policy on this page "
         f"(npx -y @policylayer/intercept -c intercept.yaml -- {install}), "
         "or paste the policy.json into the hosted gateway. Every call is then checked before it reaches the server."),
        (f"What risk level is {name}?",
         f"{entry.risk.label} risk: {article} {category.value} tool"
         + f", scored {entry.score.value} of 5 ({entry.score.explanation})"
         + f". The recommended policy: {name} {policy.recommendation.summary}"),
        (f"Which MCP server provides {name}?",
         f"{server.name} ({server.id}), with {len(entry.server.tools)} tools in this catalogue."),
    ]


def faq_jsonld(questions: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        # search engines read Answer.text as HTML: catalogue text goes in as escaped plain text
        "mainEntity": [{"@type": "Question", "name": html.escape(question, quote=False),
                        "acceptedAnswer": {"@type": "Answer", "text": html.escape(answer, quote=False)}}
                       for question, answer in questions],
    }


def first_links(server: ServerEntry) -> tuple[ToolLink, ...]:
    """The links a tool page may show of its own server's other tools (made once per server)."""
    return tuple(tool_link(server, other) for other in range(min(len(server.tools), SAME_SERVER_LIMIT + 1)))


def tool_context(server: ServerEntry, index: int, policy: ToolPolicy, elsewhere: tuple[ToolLink, ...],
                 attacks: tuple[AttackLink, ...] = (), head: tuple[ToolLink, ...] | None = None) -> dict[str, Any]:
    """The tool page of `server.tools[index]`; `elsewhere`: related tools on other servers; `attacks`: the
    attack patterns the tool is exposed to;
    `head`: first_links(server), when the caller renders many pages of one server."""
    entry = server.tools[index]
    rows, truncated = parameters(entry)
    questions = faq(entry, policy)
    head = first_links(server) if head is None else head
    others = [link for number, link in enumerate(head) if number != index][:SAME_SERVER_LIMIT]  # no quadratic step
    description = plain(entry.tool.description, 150) or f"{entry.name} on {server.name}."
    return {
        "entry": entry,
        "server": server,
        "policy": policy,
        "parameters": rows,
        "parameters_truncated": truncated,
        "faq": questions,
        "faq_jsonld": faq_jsonld(questions),
        "effects": effect_words(entry.assessment.effects),
        "attacks": attacks,
        "meta_description": f"{entry.risk.label} risk ({entry.category.value}). {description} "
                            "Recommended Intercept and gateway policy.",
        "same_server": others,
        "elsewhere": elsewhere,
    }


def _groups(server: ServerEntry) -> list[tuple[Category, list[ToolLink]]]:
    groups: dict[Category, list[ToolLink]] = {}
    for index, entry in enumerate(server.tools):
        groups.setdefault(entry.category, []).append(tool_link(server, index))
    return [(category, groups[category]) for category in CATEGORY_ORDER if category in groups]


def server_context(server: ServerEntry, bundles: list[Bundle]) -> dict[str, Any]:
    counts = server.counts
    worst = ", ".join(f"{n} {r.value}" for r, n in counts.by_risk.items() if n)
    bundle_size = len(bundles[0].intercept) + len(bundles[0].gateway)
    return {
        "server": server,
        "bundles": bundles,
        "bundle_inline": bundle_size <= BUNDLE_INLINE_LIMIT,
        "bundle_size": f"{bundle_size:,}",
        "bundle_inline_limit": f"{BUNDLE_INLINE_LIMIT:,}",
        "groups": _groups(server),
        "risk_groups": [(risk, [tool_link(server, i) for i, t in enumerate(server.tools) if t.risk is risk])
                        for risk in reversed(RISK_ORDER) if counts.by_risk[risk]],
        "meta_description": plain(f"{server.name}: {counts.tools} MCP tools ({worst}), each with a risk "
                                  "classification and a recommended Intercept and gateway policy.", 300),
    }


def server_count_rows(rows: Iterable[tuple[str, str, int]], root: str, anchor: str) -> Markup:
    """The rows of a listing's table of servers (name, url, tools in the listing), each linking the
    server page's section `anchor`: made here, as the table has a row per server (9k at 100k tools)."""
    prefix, suffix = escape(root), f"#{escape(anchor)}"
    return Markup("".join(f'<tr><td><a href="{prefix}{escape(url)}{suffix}">{escape(name)}</a></td>'
                          f"<td>{count}</td></tr>" for name, url, count in rows))


def server_table_rows(rows: Iterable[tuple[str, str, int, tuple[int, ...]]], root: str) -> Markup:
    """The rows of the servers page's table (name, url, tools, tools by risk): one per server (10k at 100k
    tools), rendered again on any change of counts."""
    prefix = escape(root)
    return Markup("\n".join(f'  <tr><td><a href="{prefix}{escape(url)}">{escape(name)}</a></td><td>{tools}</td>\n'
                             + "".join(f"<td>{count}</td>" for count in by_risk) + "</tr>"
                             for name, url, tools, by_risk in rows))


PAGE_HELPERS = {"tool_rows": tool_rows, "tool_items": tool_items,  # the templates' helpers made in Python
                "server_count_rows": server_count_rows, "server_table_rows": server_table_rows}
