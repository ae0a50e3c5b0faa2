"""What a tool's parameters take: a file path, a URL, a callback, a command, code, SQL, an amount, a flag.

One reading of a parameter's name words, type and description, shared by the
risk signals (derive) and the argument conditions (policy), so a page never
flags a parameter its policy ignores, or the other way round.
"""

from __future__ import annotations

from typing import Any

from . import lexicon as lx
from .words import name_words

NOT_A_PATH = frozenset("name names type types id ids count format formats mode size encoding pattern".split())
CODE_WORDS = frozenset("script javascript js python code expression function".split())


def _type(spec: dict[str, Any]) -> str:
    kind = spec.get("type")
    return kind if isinstance(kind, str) else ""


def _mentions_sql(spec: dict[str, Any], tool_text: str) -> bool:
    described = str(spec.get("description") or "")[:300].lower()
    return "sql" in described or " sql" in f" {tool_text[:lx.MAX_SCAN].lower()}"


def parameter_kind(name: str, spec: Any, tool_text: str = "") -> str | None:
    """`path`, `url`, `callback`, `command`, `code`, `sql`, `amount`, `flag`, or None for anything else."""
    if not isinstance(spec, dict):
        return None
    words = set(name_words(name))
    kind = _type(spec)
    text_like = kind in ("string", "")
    if text_like and (words & lx.SQL_PARAMS or ("query" in words and _mentions_sql(spec, tool_text))):
        return "sql"
    if text_like and words & {"command", "cmd", "shell"}:
        return "command"
    if text_like and words & lx.URL_PARAMS or spec.get("format") in ("uri", "url"):
        return "callback" if words & {"callback", "webhook"} else "url"
    if text_like and words & (lx.PATH_PARAMS | {"output"}) and not words & NOT_A_PATH:
        return "path"
    if text_like and words & CODE_WORDS and not words & {"country", "language", "currency", "status", "error"}:
        return "code"
    if kind in ("number", "integer") and words & lx.AMOUNT_PARAMS:
        return "amount"
    if kind == "boolean" and words & lx.FORCE_PARAMS:
        return "flag"
    return None
