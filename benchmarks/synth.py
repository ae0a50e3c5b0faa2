"""Write a synthetic catalogue: N servers x M tools, deterministic for a seed.

Realistic shapes: descriptions of 80-700 characters (some Markdown, some
unicode), JSON Schemas of 0-14 parameters of mixed types, every category,
annotations on a third of the tools, a few tool-specific policies.

    python benchmarks/synth.py --servers 1000 --tools 10 --out /tmp/cat
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

VERBS = {
    "read": ["get", "list", "search", "describe", "fetch", "read", "query", "show"],
    "write": ["create", "update", "add", "set", "upload", "rename", "tag", "assign"],
    "execute": ["run", "trigger", "deploy", "send", "generate", "start", "invoke", "render"],
    "destructive": ["delete", "remove", "drop", "purge", "revoke", "truncate"],
    "financial": ["charge", "refund", "pay", "transfer", "purchase"],
}
NOUNS = ["issue", "project", "file", "page", "record", "user", "invoice", "message", "report", "dataset", "model",
         "pipeline", "bucket", "branch", "ticket", "order", "customer", "event", "image", "video", "query", "table",
         "webhook", "secret", "document", "comment", "label", "workspace", "node", "job"]
WORDS = ("the a tool returns data for given id and with optional filters from your account using the api "
         "results are paginated call this to find items before updating them note that requires permission "
         "scope access token limit offset cursor status created updated owner team region json markdown").split()
UNICODE = ["数据", "ファイル", "café", "naïve", "Ünïcödé", "😀", "résumé", "Δοκιμή", "проект", "مستند"]
WEIGHTS = [("read", 45), ("write", 25), ("execute", 15), ("destructive", 10), ("financial", 5)]
TYPES = ["string", "integer", "boolean", "number", "array", "object"]


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    if rng.random() < 0.15:
        text += " " + rng.choice(UNICODE)
    return text.capitalize() + "."


def _description(rng: random.Random) -> str:
    parts = [_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.2:
        parts.append("\n\n- `" + rng.choice(NOUNS) + "_id`: the id\n- **limit**: at most 100")
    return " ".join(parts)


def _schema(rng: random.Random) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for index in range(rng.choice([0, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 14])):
        kind = rng.choice(TYPES)
        name = rng.choice(["id", "name", "query", "path", "url", "limit", "ids", "callback_url", "body", "title"])
        spec: dict[str, Any] = {"type": kind, "description": _sentence(rng, rng.randint(4, 12))}
        if kind == "array":
            spec["items"] = {"type": "string"}
        properties[f"{name}_{index}" if name in properties else name] = spec
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if properties:
        schema["required"] = sorted(properties)[: max(1, len(properties) // 2)]
    return schema


def _tool(rng: random.Random, used: set[str]) -> dict[str, Any]:
    category = rng.choices([c for c, _ in WEIGHTS], [w for _, w in WEIGHTS])[0]
    while True:
        name = f"{rng.choice(VERBS[category])}_{rng.choice(NOUNS)}"
        if rng.random() < 0.4:
            name += f"_{rng.choice(NOUNS)}"
        if name not in used:
            used.add(name)
            break
        name += f"_{len(used)}"
        if name not in used:
            used.add(name)
            break
    tool: dict[str, Any] = {
        "name": name,
        "description": _description(rng),
        "input_schema": _schema(rng),
        "classification": {"category": category, "rationale": _sentence(rng, 25), "confidence": rng.choice(["high", "medium", "low"]),
                           "evidence": _sentence(rng, 8)},
        "added": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320)),
    }
    if rng.random() < 0.33:
        tool["annotations"] = {"readOnlyHint": category == "read", "destructiveHint": category == "destructive"}
    if category == "write" and rng.random() < 0.05:
        tool["policy"] = {"rate_limit": f"{rng.randint(1, 60)}/hour"}
    return tool


def write_catalogue(out: Path, servers: int, tools: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    count = 0
    for number in range(servers):
        used: set[str] = set()
        slug = f"synthetic-{number:05d}"
        document = {
            "server": {"id": f"bench/{slug}", "name": f"Synthetic server {number}", "slug": slug,
                       "description": _description(rng), "homepage": f"https://example.org/{slug}",
                       "tags": rng.sample(NOUNS, 3), "install": f"npx -y @bench/{slug}"},
            "tools": [_tool(rng, used) for _ in range(tools)],
        }
        (out / f"{slug}.yaml").write_text(yaml.dump(document, Dumper=dumper, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
        count += tools
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, required=True)
    parser.add_argument("--tools", type=int, default=10, help="tools per server")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(write_catalogue(args.out, args.servers, args.tools, args.seed), "tools written to", args.out)


if __name__ == "__main__":
    main()
