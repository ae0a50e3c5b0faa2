"""What a tool's parameters take: a file path, a URL, a callback, a command, code, SQL, an amount, a flag.

One reading of a parameter's name words, type and description, shared by the
risk signals (derive) and the argument conditions (policy), so a page never
flags a parameter its policy ignores, or the other way round.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from . import lexicon as lx
from .words import name_words, says

NOT_A_PATH = frozenset("name names type types id ids count format formats mode size encoding pattern".split())
# A country's or an error's code, a function's name: not code to run (`embedding_function_name`).
NOT_CODE = frozenset("country language currency status error name names type types id ids".split())
# A link's or a webhook's id, token or type is not an address (`webhookId`, `linkType`, `url_key`): by the
# name's last word, as `token_url` and `api_key_url` are addresses; a host's name (`host_name`) is a host.
NOT_A_URL = frozenset("id ids token tokens type types name names key secret".split())
# A shell command by name; not one with an enum (a fixed choice, such as a rollout's `status` or `undo`: an
# action held to its declared values, policy/arguments.py).
COMMAND_WORDS = frozenset("command cmd shell argv".split())
CODE_WORDS = frozenset("script javascript js python code expression function".split())


def schema_properties(schema: dict[str, Any] | None) -> dict[str, Any]:
    """Top-level properties of a JSON Schema object, tolerating odd shapes."""
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def parameter_words(schema: dict[str, Any] | None) -> set[str]:
    """Every word of every parameter name (`dropTarget` -> drop, target), and each whole name in lower case."""
    names = [str(name) for name in schema_properties(schema)]
    return {word for name in names for word in name_words(name)} | {name.lower() for name in names}


def _type(spec: dict[str, Any]) -> str:
    """The parameter's JSON type; for `anyOf: [{type: integer}, {type: null}]` the type that is not null."""
    kind = spec.get("type")
    if isinstance(kind, str):
        return kind
    options = spec.get("anyOf") or spec.get("oneOf")
    types = [o.get("type") for o in options[:8] if isinstance(o, dict)] if isinstance(options, list) else []
    named = [t for t in types if isinstance(t, str) and t != "null"]
    return named[0] if named else ""


def _query_is_sql(spec: dict[str, Any], tool_text: str) -> bool:
    """A `query` is SQL when its own description says SQL ("MySQL query" too), or its tool does and its own
    description names no other query language ("The PromQL query to execute", whose tool points elsewhere
    for "Metrics Insights SQL")."""
    described = str(spec.get("description") or "")[:300].lower()
    if "sql" in described:  # its own words: "SQL query; you may use JSONPath operators" is SQL
        return True
    return not any(language in described for language in OTHER_QUERY_LANGUAGES) \
        and " sql" in f" {tool_text[:lx.MAX_SCAN].lower()}"


OTHER_QUERY_LANGUAGES = ("promql", "logql", "graphql", "kql", "jql", "lucene", "xpath", "jsonpath", "jmespath",
                         "query dsl", "opensearch dsl", "elasticsearch dsl")


def _described_as_sql(spec: dict[str, Any]) -> bool:
    """Its own description calls it SQL (`SQL command`), the word on its own: not MySQL, NoSQL or psql, and
    names no shell ("Bash command; use it for SQL migrations too" stays a command)."""
    described = str(spec.get("description") or "")[:300]
    return bool(_SQL_WORD.search(described)) and not any(word in described.lower() for word in SHELL_TEXT)


SHELL_TEXT = ("shell", "bash", "terminal", "command line", "command-line", "cli ", "zsh", "powershell")


_SQL_WORD = re.compile(r"(?<![A-Za-z])SQL(?![A-Za-z])", re.I)


def _names_no_address(last: Sequence[str], words: set[str]) -> bool:
    return bool(last) and last[0] in NOT_A_URL and not (last[0] in ("name", "names") and words & HOST_WORDS)


def _address_kind(name: str, words: set[str], spec: dict[str, Any], siblings: frozenset[str]) -> str | None:
    """A URL-named parameter: a `callback`, a `host` (a name to connect to, not a URL), a `url`; a `path`
    when its description says it is one ("Workspace root directory path"); None for a URI of another
    scheme than the web's (`s3://bucket/key`, a VSTFS URI), which no web address rule fits."""
    described = str(spec.get("description") or "")[:300].lower()
    if words & {"callback", "webhook"}:
        return "callback"
    if words & HOST_WORDS and not words & (lx.URL_PARAMS - HOST_WORDS):
        return "host"
    if _OTHER_SCHEME.search(described) and not _WEB_SCHEME.search(described):
        return None
    if any(phrase in described for phrase in ("directory path", "file path", "folder path")) \
            and _local_path(name, spec, siblings):
        return "path"
    return "url"


HOST_WORDS = frozenset("host hostname domain".split())
# Storage or artifact URIs whose target the agent does not pick as a network host (s3://bucket/key, VSTFS):
# no web rule fits them. Any other scheme (ws://, redis://, file://) keeps the URL rule, which refuses it,
# and so does a description that names a web scheme too ("http://, https:// and s3://").
_OTHER_SCHEME = re.compile(r"\b(?:s3a?|gs)://|\bvstfs\b")
_WEB_SCHEME = re.compile(r"\b(?:https?|wss?)://|\bhttps?\b")


def _fixed_choice(spec: dict[str, Any]) -> bool:
    enum = spec.get("enum")
    return isinstance(enum, list) and len(enum) > 1


def is_list(spec: Any) -> bool:
    return isinstance(spec, dict) and _type(spec) == "array"


def _item_kind(name: str, spec: dict[str, Any], siblings: frozenset[str]) -> str | None:
    """`path` or `url` for a list of file paths or URLs (`paths`, "List of file paths to attach"), `command`
    for a command given as its words."""
    items = spec.get("items")
    if not isinstance(items, dict) or _type(items) not in ("string", ""):
        return None
    inner = parameter_kind(name, {**items, "description": spec.get("description")}, "", siblings)
    if inner in ("path", "url") or (inner == "command" and set(name_words(name)) & (COMMAND_WORDS - {"shell"})):
        return inner  # a command as its words (argv): `["find", ".", "-delete"]`
    described = str(spec.get("description") or "")[:300].lower()
    if any(phrase in described for phrase in ("file path", "paths of", "paths to", "local file")):
        return "path"
    return "url" if any(phrase in described for phrase in ("urls", "list of url")) else None


# A path that is not on this machine: inside a repository, a wiki or an API the server talks to.
REMOTE_PATH_WORDS = frozenset("area iteration page wiki endpoint api route include exclude".split())
REMOTE_PATH_TEXT = ("repository", "in the repo", "wiki", "endpoint", "filter", "url path", "base64", "format")
LOCAL_PATH_TEXT = ("local", "absolute", "filesystem", "file system", "on the machine", "on disk", "working directory",
                   "save", "written", "download", "relative path")
REMOTE_SIBLINGS = frozenset("owner repo repository repositoryid repository_id project projectid project_id "
                            "wikiidentifier bucket".split())


def _local_path(name: str, spec: dict[str, Any], siblings: frozenset[str]) -> bool:
    """Whether a path-named parameter is a file on the machine the server runs on, not a path inside a
    repository (GitHub's `path` beside `owner` and `repo`), a wiki page, an API route or a filter, nor a bare
    file name or an output format."""
    words = set(name_words(name))
    described = str(spec.get("description") or "")[:300].lower()
    if words & REMOTE_PATH_WORDS:
        return False
    if words & {"repo", "repository"}:
        return True  # a path to a repository (`repo_path`) is where it is checked out
    if any(phrase in described for phrase in LOCAL_PATH_TEXT):
        return True
    if any(phrase in described for phrase in REMOTE_PATH_TEXT):
        return False
    if name.lower() == "filename" and not any(word in described for word in ("path", "dir")):
        return False  # a name for the file ("Filename for the attachment"), not where it is
    return not {sibling.lower() for sibling in siblings} & REMOTE_SIBLINGS


def parameter_kind(name: str, spec: Any, tool_text: str = "", siblings: frozenset[str] = frozenset()) -> str | None:
    """`path`, `url`, `callback`, `host`, `command`, `shell`, `code`, `sql`, `amount`, `flag`, or None for
    anything else; a list of file paths or URLs is `path` or `url` too (is_list tells them apart). `siblings`: the
    tool's other parameter names (a `path` beside `owner` and `repo` is inside a repository, not on this
    machine; a `shell` beside a `command` is the program that runs it)."""
    if not isinstance(spec, dict):
        return None
    words = set(name_words(name))
    kind = _type(spec)
    if kind == "array":
        return _item_kind(name, spec, siblings)
    text_like = kind in ("string", "")
    last = name_words(name)[-1:]
    if text_like and last and last[0] in lx.PATH_PARAMS and not words & NOT_A_PATH:
        return "path" if _local_path(name, spec, siblings) else None  # `query_result_file_path` names a file
    if text_like and (words & lx.SQL_PARAMS or ("query" in words and _query_is_sql(spec, tool_text))
                      or (words & COMMAND_WORDS and _described_as_sql(spec))):  # "SQL command. Single line."
        return "sql"
    if text_like and words & COMMAND_WORDS and not _fixed_choice(spec):
        if words == {"shell"} and any(set(name_words(sibling)) & {"command", "cmd"} for sibling in siblings):
            return "shell"
        return "command"
    if text_like and words & lx.URL_PARAMS and not _names_no_address(last, words) or spec.get("format") in ("uri", "url"):
        return _address_kind(name, words, spec, siblings)
    if text_like and words & (lx.PATH_PARAMS | {"output"}) and not words & NOT_A_PATH:
        return "path" if _local_path(name, spec, siblings) else None
    if text_like and words & CODE_WORDS and not words & NOT_CODE:
        return "code"
    if kind in ("number", "integer") and words & lx.AMOUNT_PARAMS:
        return "amount"
    if kind == "boolean" and words & lx.FORCE_PARAMS:
        return "flag"
    return None


_KINDS_MEMO: dict[tuple[int, str], tuple[object, dict[str, str | None]]] = {}
_MEMO_SIZE = 64  # a tool's kinds are asked for by the classifier, the score, the signals and the exposure


def parameter_kinds(schema: dict[str, Any] | None, tool_text: str = "") -> dict[str, str | None]:
    """Every parameter's kind (parameter_kind), in the schema's order (a fresh dict; memoized by the
    schema object's identity, which the memo keeps alive, so an id is never mistaken for another's)."""
    key = (id(schema), tool_text)
    hit = _KINDS_MEMO.get(key)
    if hit is not None and hit[0] is schema:
        return dict(hit[1])
    properties = schema_properties(schema)
    names = frozenset(str(name) for name in properties)
    kinds = {str(name): parameter_kind(str(name), spec, tool_text, names - {str(name)})
             for name, spec in properties.items()}
    if len(_KINDS_MEMO) >= _MEMO_SIZE:
        del _KINDS_MEMO[next(iter(_KINDS_MEMO))]
    _KINDS_MEMO[key] = (schema, kinds)
    return dict(kinds)


OUTPUT_WORDS = frozenset("output out save destination dest".split())
WRITTEN_THERE = ("appended to", "will be appended", "written to", "will be written", "saved to", "will be saved")


def _names_an_output(name: str, spec: dict[str, Any]) -> bool:
    words = set(name_words(name))
    if words & OUTPUT_WORDS and words & (lx.PATH_PARAMS | {"dir", "to"}):
        return True
    described = str(spec.get("description") or "")[:300].lower()
    return bool(words & (lx.PATH_PARAMS | {"dir"})) and any(phrase in described for phrase in WRITTEN_THERE)


def _unwrapped(schema: dict[str, Any] | None) -> dict[str, Any]:
    """The properties of a schema whose only parameter wraps all the others (`{params: {...}}`)."""
    properties = schema_properties(schema)
    if len(properties) == 1:
        inner = next(iter(properties.values()))
        return schema_properties(inner) or properties
    return properties


def output_locations(schema: dict[str, Any] | None) -> list[str]:
    """Parameters that name where the tool writes its output: by name (`output_dir`, `outputPath`,
    `save_to_file`), or a path whose description says the result is written or appended there; also
    inside a single parameter that wraps all the others."""
    return [str(name) for name, spec in _unwrapped(schema).items()
            if isinstance(spec, dict) and _names_an_output(str(name), spec)]


RUNS_IT = ("actually runs", "actually execute", "runs the query", "executes the query", "run the query")


def switches(schema: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Boolean parameters that make a call do more than its name says, as (name, `destroys` | `runs`):
    `reset` ("Reset pg_stat_statements stats"), or `analyze` ("actually runs the query")."""
    found = []
    for name, spec in schema_properties(schema).items():
        if not isinstance(spec, dict) or spec.get("type") != "boolean":
            continue
        described = str(spec.get("description") or "")[:300].lower()
        if str(name).lower() in lx.SWITCH_VERBS:
            found.append((str(name), "destroys"))
        elif any(says(described, phrase) for phrase in RUNS_IT):
            found.append((str(name), "runs"))
    return sorted(found, key=lambda pair: pair[1])  # `destroys` first

