"""The files for machines made of every server's part: catalogue.json,
llms-full.txt and the search index (search.py's); and llms.txt.

Each server's share (its part: parts.py) is made once by the worker that
renders the server; the files are streamed from the parts in the index's
order.  catalogue.json is compact JSON (no spaces), one server a line.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ..content.attacks import AttackLink, load_attacks
from ..content.config import SiteConfig
from ..content.json_text import compact_json
from ..content.models import Risk
from ..derive import Counts, ServerEntry, ToolEntry
from ..output.writer import OutputWriter
from ..policy.intercept import expressible
from ..render.render import plain
from .index import SiteIndex
from .parts import ServerPart
from .search import SearchIndex, search_docs, write_index
from .search_patch import Postings

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!])")


def checks_json(checks: dict[str, list[dict[str, Any]]]) -> str:
    """A server's checks.json: its tools by name, each with its example calls, one call a line (C-encoded:
    `json.dumps(indent=...)` takes the pure-Python encoder, a tenth of the speed, and spreads a call over
    dozens of lines)."""
    if not checks:
        return "{}\n"
    tools = (f" {json.dumps(name, ensure_ascii=False)}: [\n"
             + ",\n".join(f"  {json.dumps(check, ensure_ascii=False)}" for check in calls) + "\n ]"
             for name, calls in checks.items())
    return "{\n" + ",\n".join(tools) + "\n}\n"


def server_part(server: ServerEntry, config: SiteConfig, attacks: tuple[tuple[AttackLink, ...], ...]) -> ServerPart:
    """A server's share of catalogue.json, llms-full.txt and the search index; `attacks`: per tool, the
    attack patterns it is exposed to."""
    record = _server_record(server, config.site_url)
    record["tools"] = [_tool_record(entry, config.site_url, links) for entry, links in zip(server.tools, attacks,
                                                                                           strict=True)]
    return ServerPart.of(compact_json(record),
                         _llms_full_section(server, config, attacks), search_docs(server))


def write_part_files(writer: OutputWriter, counts: Counts, servers: int, parts: Iterable[ServerPart],
                     config: SiteConfig) -> tuple[list[tuple[int, int, int, int, int]], Postings]:
    """Write catalogue.json, llms-full.txt and the search index from `parts`: every server's (`servers` of
    them, with `counts` tools), in the index's order, each read once; the two texts are streamed, the
    search documents gathered.  Return each part's tools and where its record and section lie in the two
    files (start, end, start, end), and the index's postings (what build/stream_state.py keeps)."""
    index = SearchIndex()
    spans: list[tuple[int, int, int, int, int]] = []
    with writer.stream_bytes("catalogue.json") as catalogue, writer.stream_bytes("llms-full.txt") as full:
        record = catalogue.write(catalogue_json_head(counts, servers, config).encode("utf-8"))
        section = full.write(llms_full_head(config).encode("utf-8"))
        for number, part in enumerate(parts):
            if number:
                record += catalogue.write(b",\n")
            catalogue.write(part.catalogue_json)
            full.write(part.llms_full)
            spans.append((len(part.docs), record, record + len(part.catalogue_json), section,
                          section + len(part.llms_full)))
            record, section = spans[-1][2], spans[-1][4]
            for doc in part.docs:
                index.add_raw(doc)
        catalogue.write(b"\n]}\n")
    write_index(index, writer.write)
    files = {path[len("search/"):]: writer.identity(path) for path in writer.sizes if path.startswith("search/")}
    return spans, Postings(index.name_postings, index.text_postings, len(index.docs), files)


# ---------------------------------------------------------------- catalogue.json

def _tool_record(entry: ToolEntry, site_url: str, attacks: tuple[AttackLink, ...]) -> dict[str, Any]:
    tool = entry.tool
    assessment = entry.assessment
    return {
        "name": tool.name, "slug": entry.slug, "url": site_url + entry.url, "title": tool.title,
        "description": tool.description, "category": entry.category.value, "risk": entry.risk.value,
        "score": entry.score.value, "score_factors": [[what, points] for what, points in entry.score.factors],
        "confidence": entry.confidence.value, "reviewed": assessment.reviewed,
        "rationale": entry.rationale, "evidence": entry.quoted_evidence,
        "effects": [effect.value for effect in assessment.effects],
        "read_only_safe": assessment.read_only_safe,
        "attacks": [pattern.slug for pattern in attacks],  # the head's "attacks" describes each
        "classifier_evidence": [{"source": e.source, "says": e.says.value if e.says else None, "detail": e.detail}
                                for e in assessment.evidence],
        "signals": list(entry.signals), "derived_signals": list(entry.derived_signals),
        "findings": [{"code": f.code, "message": f.message} for f in entry.findings],
        "annotations": tool.annotations, "input_schema": tool.input_schema,
        "policy_override": tool.policy.model_dump(mode="json", exclude_none=True) if tool.policy else None,
        "policies": {"intercept": site_url + entry.url + "intercept.yaml" if expressible(entry.name) else None,
                     "policy_json": site_url + entry.url + "policy.json"},
        "added": tool.added.isoformat() if tool.added else None,
    }


def _server_record(server: ServerEntry, site_url: str) -> dict[str, Any]:
    meta = server.loaded.data.server
    return {
        "id": meta.id, "name": meta.name, "slug": server.slug, "url": site_url + server.url,
        "description": meta.description, "homepage": meta.homepage, "repository": meta.repository,
        "tags": list(meta.tags), "install": meta.install, "added": meta.added.isoformat() if meta.added else None,
        "counts": server.counts.as_dict(),
        "bundles": {profile: {"intercept": f"{site_url}policies/{server.slug}/{profile}/intercept.yaml",
                              "policy_json": f"{site_url}policies/{server.slug}/{profile}/policy.json"}
                    for profile in ("recommended", "strict", "permissive")},
    }


CATALOGUE_FORMAT = 2  # 2: a tool's attack patterns by slug, each described once in the head (docs/catalogue-json.md)


def catalogue_json_head(counts: Counts, servers: int, config: SiteConfig) -> str:
    """catalogue.json up to its list of servers (each a part's record, comma-separated, then `]}`)."""
    head = {"format": CATALOGUE_FORMAT, "site": config.site_url, "servers_count": servers, **counts.as_dict(),
            "attacks": [{"slug": p.slug, "title": p.title, "summary": p.summary, "url": config.site_url + p.url}
                        for p in load_attacks(config.attacks_dir)]}
    return compact_json(head)[:-1] + ',"servers":[\n'


# ---------------------------------------------------------------- llms.txt

def md_text(text: str | None, limit: int = 0) -> str:
    """Plain one-line text with Markdown syntax escaped (for llms.txt links)."""
    return _MD_SPECIAL.sub(r"\\\1", plain(text, limit))


def llms_txt(data: SiteIndex, config: SiteConfig) -> str:
    lines = [f"# {md_text(config.site_name)}", "", f"> {md_text(config.site_description)}", "",
             f"{len(data.servers)} MCP servers and {data.counts.tools} tools, each with a risk classification "
             "and a recommended policy in Intercept YAML and the gateway's policy.json.", "",
             "## Guides", "",
             f"- [Methodology]({config.site_url}methodology/): how categories and risk levels are decided",
             f"- [Using a policy with Intercept]({config.site_url}using-intercept/)",
             f"- [Using a policy with the hosted gateway]({config.site_url}using-gateway/)",
             f"- [Glossary]({config.site_url}glossary/)", "", "## Servers", ""]
    for server in data.servers:
        counts = server.counts.by_risk
        lines.append(f"- [{md_text(server.name)}]({config.site_url}{server.url}): {server.counts.tools} tools "
                     f"({counts[Risk.CRITICAL]} critical, {counts[Risk.HIGH]} high)")
    lines += ["", "## Optional", "",
              f"- [Full catalogue as text]({config.site_url}llms-full.txt)",
              f"- [Full catalogue as JSON]({config.site_url}catalogue.json)", ""]
    return "\n".join(lines)


def llms_full_head(config: SiteConfig) -> str:
    """The title of llms-full.txt, and the attack patterns its tools refer to (`[title][slug]`)."""
    patterns = load_attacks(config.attacks_dir)
    links = "".join(f"[{p.slug}]: {config.site_url}{p.url}\n" for p in patterns)
    return (f"# {md_text(config.site_name)}: full catalogue\n\n> {md_text(config.site_description)}\n"
            + (f"\nThe attack patterns that tools below refer to (`[title][slug]`):\n\n{links}" if links else ""))


def _llms_full_section(server: ServerEntry, config: SiteConfig, attacks: tuple[tuple[AttackLink, ...], ...]
                       ) -> str:
    meta = server.loaded.data.server
    parts = [f"\n## {md_text(server.name)} ({md_text(meta.id)})\n\n{config.site_url}{server.url}\n"]
    for entry, links in zip(server.tools, attacks, strict=True):
        effects = ", ".join(effect.value for effect in entry.assessment.effects) or "none"
        listed = ", ".join(f"[{md_text(p.title)}][{p.slug}]" for p in links) or "none listed"
        parts.append(f"\n### {md_text(entry.name)}\n\n- Category: {entry.category.value}; risk: "
                     f"{entry.risk.value}; confidence: {entry.confidence.value}; effects: {effects}\n"
                     f"- Page: {config.site_url}{entry.url}\n"
                     f"- Description: {md_text(entry.tool.description, 600) or '(none)'}\n"
                     f"- Why: {md_text(entry.rationale, 600)}\n- Attack patterns: {listed}\n")
    return "".join(parts)
