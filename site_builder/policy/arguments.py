"""Argument conditions from a tool's input schema: the part of a policy that knows the tool.

Each parameter that carries risk gets a condition every call must meet, as
tight as the profile asks:

- a file path stays under a root the user sets (`/workspace`), with no `..`;
- a URL is `https://` to a named host (no IP literal, no name that resolves
  locally by design: `localhost`, `.internal`, `.local`...), and a host
  name is such a host;
  a callback or webhook is not given at all;
- a command is one of a short allow-list of read-only commands, with no
  shell operators, run by the server's own shell (a `shell` beside it is
  not given); SQL is one read-only statement that writes nothing and calls
  only common functions, or one of the writes its tool is for (:mod:`.sql`);
- an action or HTTP method is one of its safer values;
- an amount is positive and capped per call;
- a `force`/`recursive` flag is not given.

Intercept's regexes are RE2 (no look-ahead), matched anywhere: every pattern
here is anchored.  A condition on a missing argument fails in Intercept, so
a condition on an optional parameter makes it required; the on_deny message
says what to pass.  Pure functions of one tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..content.models import CATEGORY_ORDER, Category
from ..content.overrides import ArgCondition
from ..derive import lexicon as lx
from ..derive.verbs import verb_category
from ..derive.parameters import COMMAND_WORDS, is_list, parameter_kinds
from ..derive.words import name_words
from .optional import keeps_condition
from .patterns import HOST_PATTERN, URL_PATTERN
from .sql import sql_checks

ROOT_PLACEHOLDER = "/workspace"
# A path under the root whose segments are never `.` or `..` (RE2 has no look-ahead: spelled out).
_SEGMENT = r"(?:[^/.\\][^/\\]*|\.[^/.\\][^/\\]*|\.\.[^/\\]+)"  # no backslash: Windows reads it as a separator
PATH_PATTERN = "^" + re.escape(ROOT_PLACEHOLDER) + "(?:/" + _SEGMENT + ")*/?$"
# Relative: no leading `/`, `~` (a home folder to a shell) or drive (`C:`), and no `.` or `..` segment.
_FIRST = r"(?:[^/.\\~:][^/\\:]*|\.[^/.\\:][^/\\:]*|\.\.[^/\\:]+)"
RELATIVE_PATH_PATTERN = "^" + _FIRST + "(?:/" + _SEGMENT + ")*/?$"
NOT_LOCAL = "no IP address, no local name such as localhost or metadata.google.internal"
LOOSE_URL_PATTERN = r"^https?://[^\s@]+$"
LOOSE_HOST_PATTERN = r"^[^\s/@]+$"
# No find (-delete, -exec), no date (`date -s` sets the clock), no git diff, log or show (`--output FILE` writes).
READ_ONLY_COMMANDS = ("ls", "pwd", "cat", "head", "tail", "wc", "grep", "echo", "whoami", "git status")
# An argument: relative (no leading `/`, no `~`), `/`-separated segments that are never `.` or `..`, none of
# the characters a shell or an option would act on ($ ` ; & | < > = quotes backslash newline).
_ARG_CHAR = r"[A-Za-z0-9_.,:@%+-]"
_ARG_START = r"[A-Za-z0-9_,:@%+-]"
_ARG_SEGMENT = r"(?:" + _ARG_START + _ARG_CHAR + r"*|\." + _ARG_START + _ARG_CHAR + r"*|\.\." + _ARG_CHAR + r"+)"
_ARG = _ARG_SEGMENT + r"(?:/" + _ARG_SEGMENT + r")*"
COMMAND_PATTERN = r"^(?:" + "|".join(READ_ONLY_COMMANDS) + r")(?: " + _ARG + r")*$"  # plain words: nothing to escape
SINGLE_COMMAND_PATTERN = r"^[^;&|`$<>\\\n\r]+$"
AMOUNT_CAP = 10_000
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SAFE_METHODS = {"strict": ("GET", "HEAD", "OPTIONS"), "recommended": ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH")}


@dataclass(frozen=True)
class ArgumentRule:
    """One argument condition with the words that explain it."""

    condition: ArgCondition
    kind: str  # path | url | host | paths | urls | commands | callback | command | shell | sql | action | amount | flag
    parameter: str
    explanation: str
    check: str = ""  # which of several rules on one argument, in the rule's name


def _condition(parameter: str, op: str, value: Any) -> ArgCondition:
    return ArgCondition(path=f"args.{parameter}", op=op, value=value)


def _allowed_values(values: list[Any], profile: str, method: bool) -> list[Any] | None:
    """The enum values a profile allows, or None when every value is allowed."""
    if method:
        safe = SAFE_METHODS["strict" if profile == "strict" else "recommended"]
        kept = [value for value in values if str(value).upper() in safe]
    else:
        ceiling = Category.READ if profile == "strict" else Category.EXECUTE
        kept = [value for value in values
                if (verb_category(name_words(str(value))[0]) if name_words(str(value)) else None)
                in (None, *CATEGORY_ORDER[:CATEGORY_ORDER.index(ceiling) + 1])]
    return kept if kept and len(kept) < len(values) else None


def _list_rules(parameter: str, kind: str, profile: str, required: bool) -> list[ArgumentRule]:
    """A list of paths, URLs or a command's words (an argv): Intercept's regex fails on a list, so no item
    can be confined, and the list is not given at all (but in the permissive profile). Where the tool
    requires it, that refuses the tool: otherwise it would open every file or address the single-item tools
    beside it are confined from, or run any command (`find . -delete`) of those its server allows."""
    if profile == "permissive":
        return []
    what = {"path": "any file, a private key included, could be read or sent",
            "url": "any address, a local or metadata one included, could be reached",
            "command": "any command its server allows could run with any arguments (find -delete, find -exec)"}[kind]
    instead = {"path": "a tool that takes one path", "url": "a tool that takes one URL",
               "command": "a tool that takes its command as one string"}[kind]
    refused = (f"; {parameter} is required, so the tool is refused: use {instead}, which the policy can confine"
               if required else "")
    return [ArgumentRule(_condition(parameter, "exists", False), kind + "s", parameter,
                         f"{parameter} must not be given: Intercept cannot check each item of a list, so {what}"
                         + refused)]


def _rules_for(parameter: str, spec: dict[str, Any], profile: str, kind: str | None,
               required: bool = False, tool_text: str = "") -> list[ArgumentRule]:
    words = set(name_words(parameter))
    if kind in ("path", "url", "command") and is_list(spec):
        return _list_rules(parameter, kind, profile, required)
    if kind == "sql":
        text = f"{tool_text}\n{spec.get('description') or ''}"
        return [ArgumentRule(_condition(parameter, "regex", pattern), "sql", parameter, f"{parameter} {what}", check)
                for pattern, what, check in sql_checks(profile, text)]
    if kind == "command":
        tight = profile in ("strict", "recommended")
        pattern = COMMAND_PATTERN if tight else SINGLE_COMMAND_PATTERN
        what = ("one of the read-only commands " + ", ".join(READ_ONLY_COMMANDS) + " with relative arguments and "
                "no shell operators"
                if tight else "a single command without shell operators (; & | ` $ < >)")
        return [ArgumentRule(_condition(parameter, "regex", pattern), "command", parameter, f"{parameter} must be {what}")]
    if kind == "host":
        strict_host = profile != "permissive"
        return [ArgumentRule(_condition(parameter, "regex", HOST_PATTERN if strict_host else LOOSE_HOST_PATTERN),
                             "host", parameter, f"{parameter} must be "
                             + (f"a named host ({NOT_LOCAL})" if strict_host else "a host name"))]
    if kind == "shell":
        return [ArgumentRule(_condition(parameter, "exists", False), "shell", parameter,
                             f"{parameter} must not be given: the server's own shell runs the command, where one the "
                             "agent names could be any program")]
    if kind in ("url", "callback"):
        if kind == "callback":
            return [ArgumentRule(_condition(parameter, "exists", False), "callback", parameter,
                                 f"{parameter} must not be given: the server would send results to an address the agent chose")]
        strict_url = profile != "permissive"
        pattern = URL_PATTERN if strict_url else LOOSE_URL_PATTERN
        what = f"an https URL to a named host ({NOT_LOCAL})" if strict_url else "an http(s) URL"
        return [ArgumentRule(_condition(parameter, "regex", pattern), "url", parameter, f"{parameter} must be {what}")]
    if kind == "path":
        described = str(spec.get("description") or "").lower()[:2000]
        if re.search(r"\bmust be (?:a )?relative\b", described) or ("relative" in described
                                                                     and "absolute" not in described):
            return [ArgumentRule(_condition(parameter, "regex", RELATIVE_PATH_PATTERN), "path", parameter,
                                 f"{parameter} must be a relative path with no .. segment")]
        return [ArgumentRule(_condition(parameter, "regex", PATH_PATTERN), "path", parameter,
                             f"{parameter} must be a path under {ROOT_PLACEHOLDER} (replace it with your root) "
                             "with no .. segment")]
    if kind == "amount":
        return [ArgumentRule(_condition(parameter, "gt", 0), "amount", parameter, f"{parameter} must be positive",
                             "positive"),
                ArgumentRule(_condition(parameter, "lte", AMOUNT_CAP), "amount", parameter,
                             f"{parameter} may be at most {AMOUNT_CAP:,} per call (in the tool's own unit; set yours)",
                             "cap")]
    if kind == "flag":
        return [ArgumentRule(_condition(parameter, "exists", False), "flag", parameter,
                             f"{parameter} must not be given: it forces past the tool's own safeguards")]
    enum = spec.get("enum")
    if isinstance(enum, list) and 1 < len(enum) <= 50 and words & (lx.ACTION_PARAMS | {"method"}):
        allowed = _allowed_values(enum, profile, "method" in words)
        if allowed is None and words & COMMAND_WORDS:  # a command's choices: only those
            allowed = list(enum)  # declared (Intercept does not hold a call to the schema; servers may not)
        if allowed is not None:
            shown = ", ".join(str(value) for value in allowed)
            return [ArgumentRule(_condition(parameter, "in", allowed), "action", parameter,
                                 f"{parameter} must be one of {shown}")]
    return []


def _held_absent(found: list[ArgumentRule]) -> list[ArgumentRule]:
    """The rules on an optional argument, replaced by `exists: false` (see :mod:`.optional`)."""
    first = found[0]
    return [ArgumentRule(_condition(first.parameter, "exists", False), first.kind, first.parameter,
                         f"{first.parameter} must not be given: the tool works without it, and a check on its value "
                         "would make it required (Intercept fails a condition on a missing argument)", "absent")]


def argument_rules(schema: dict[str, Any] | None, profile: str, tool_text: str = "",
                   tool_name: str = "") -> tuple[ArgumentRule, ...]:
    """Every argument condition for a tool in a profile, in the schema's parameter order."""
    properties = (schema or {}).get("properties")
    if not isinstance(properties, dict):
        return ()
    listed = (schema or {}).get("required")
    required = {str(name) for name in listed} if isinstance(listed, list) else set()
    kinds = parameter_kinds(schema, tool_text)
    rules: list[ArgumentRule] = []
    for parameter, spec in list(properties.items())[:200]:
        if isinstance(spec, dict) and _NAME.match(str(parameter)):
            found = _rules_for(str(parameter), spec, profile, kinds.get(str(parameter)),
                               str(parameter) in required, tool_text)
            checked = [rule for rule in found if rule.condition.op != "exists"]
            allowed = next((rule.condition.value for rule in checked if rule.condition.op == "in"), None)
            if checked and str(parameter) not in required and not keeps_condition(
                    str(parameter), spec, checked[0].kind, allowed, properties, tool_name, tool_text):
                found = _held_absent(found)
            rules.extend(found)
    return tuple(rules)
