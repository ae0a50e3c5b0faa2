"""The second axis: what a call can do beyond its category.

Can it change state, send data out of the environment, spend money, or
reveal secrets?  Derived from the name, the description and the input
schema; a reviewed entry may state its effects instead.
"""

from __future__ import annotations

from ..content.models import Category, Tool
from . import lexicon as lx
from .assessment import Effect
from .parameters import parameter_kinds, parameter_words, schema_properties
from .words import name_words, opening_words

_CHANGING = (Category.WRITE, Category.EXECUTE, Category.DESTRUCTIVE, Category.FINANCIAL)


def url_parameters(tool: Tool) -> list[str]:
    """Parameters that take a URL or host, by name or by `format: uri` (whatever their type)."""
    return [str(name) for name, spec in schema_properties(tool.input_schema).items()
            if set(name_words(str(name))) & lx.URL_PARAMS
            or (isinstance(spec, dict) and spec.get("format") in ("uri", "url"))]


def _sends_out(tool: Tool, words: set[str]) -> bool:
    if words & lx.SEND_VERBS:
        return True
    if url_parameters(tool):  # any call that names a URL reaches a host the agent chose
        return True
    if words & lx.BROWSER_INPUT_VERBS \
            and {"browser", "page", "element", "input"} & (words | parameter_words(tool.input_schema)):
        return True
    return _uploads_a_local_file(tool)


def _uploads_a_local_file(tool: Tool) -> bool:
    """It takes a local file path and says it uploads: the file's content leaves the machine."""
    text = (tool.description or "")[:lx.MAX_SCAN].lower()
    return "upload" in text and "path" in parameter_kinds(tool.input_schema, tool.description or "").values()


def _gets_any_cluster_object(tool: Tool, words: tuple[str, ...]) -> bool:
    """A Kubernetes getter of whatever kind the caller names: Secrets are one (their values come back;
    `describe` shows only their sizes)."""
    if not set(words) & {"get", "list"} or not (set(words) | opening_words(tool.description)) & lx.CLUSTER_WORDS:
        return False
    return any(set(name_words(str(name))) <= lx.OBJECT_KIND_WORDS and isinstance(spec, dict)
               and spec.get("type", "string") == "string"
               and (not isinstance(spec.get("enum"), list) or {"secret", "secrets"} & set(map(str, spec["enum"])))
               for name, spec in schema_properties(tool.input_schema).items())


def reveals_secrets(tool: Tool) -> bool:
    """The tool's own name or description says its output holds secrets, or it gets any cluster object."""
    words = name_words(tool.name)
    if _gets_any_cluster_object(tool, words) or lx.APP_CONFIG.search((tool.description or "")[:300]):
        return True
    if any(pair[0] in words and pair[1] in words for pair in lx.SECRET_NAME_PAIRS):
        return True
    if set(words) & {"env", "environment", "envs", "secret", "secrets", "credential", "credentials",
                     "password", "passwords", "kubeconfig", "apikey", "apikeys", "dsn", "dsns"}:
        return True
    opening = (tool.description or "")[:300].lower()
    return any(phrase in opening for phrase in ("environment variables", "api keys", "kubeconfig", "secrets",
                                                "connection string", "access tokens", "credentials", "secret "))


def _spends(tool: Tool, category: Category) -> bool:
    if category is Category.FINANCIAL:
        return True
    text = (tool.description or "")[:lx.MAX_SCAN * 4].lower()
    if lx.CREDITS_USED.search(text) or any(service in text[:lx.MAX_SCAN] for service in lx.BILLED_SERVICES):
        return True  # a paid API says what a call costs, even for a search
    return category in _CHANGING and any(phrase in text[:lx.MAX_SCAN] for phrase in lx.SPEND_TEXT)


def derive_effects(tool: Tool, category: Category, sibling_secrets: bool = False) -> tuple[Effect, ...]:
    """The tool's effects; `sibling_secrets`: it reads an object a sibling reveals secrets from."""
    words = list(name_words(tool.name))
    effects = []
    if category in _CHANGING:
        effects.append(Effect.CHANGES_STATE)
    if _sends_out(tool, set(words)):
        effects.append(Effect.SENDS_OUT)
    if _spends(tool, category):
        effects.append(Effect.SPENDS)
    if sibling_secrets or reveals_secrets(tool):
        effects.append(Effect.REVEALS_SECRETS)
    return tuple(effects)
