"""What a verb's object and context make of it: `create` + `refund` moves
money, `select` + `page` only chooses a browser page, `pause` + `project`
stops a running workload.

Each rule is a pure function of the name's words, the description and the
server's words, and says in a few words why it applies.  Rules only move a
verb to the category its object calls for; the order below is the order
they are tried.
"""

from __future__ import annotations

from ..content.models import Category
from . import lexicon as lx
from .words import opening_words, text_words

R, W, X, F = Category.READ, Category.WRITE, Category.EXECUTE, Category.FINANCIAL


def _money_object(words: tuple[str, ...]) -> str | None:
    """The money word a name acts on, unless what follows makes it about something else."""
    for index, word in enumerate(words[1:], start=1):
        if word in lx.MONEY_OBJECTS and not set(words[index + 1:]) & lx.NOT_MONEY_HEADS \
                and words[index - 1] not in lx.NOT_MONEY_BEFORE:
            return word
    return None


def _in_a_browser(words: set[str], description: str | None, server_words: frozenset[str]) -> bool:
    return bool(words & lx.BROWSER_OBJECTS or server_words & lx.BROWSER_SERVER_WORDS
                or opening_words(description) & lx.BROWSER_CONTEXT_WORDS)


def _after(words: tuple[str, ...], verb: str) -> tuple[str, ...]:
    return words[words.index(verb) + 1:] if verb in words else ()


def refine(verb: str, category: Category, words: tuple[str, ...], description: str | None,
           server_words: frozenset[str]) -> tuple[Category, str] | None:
    """The category the verb's object or context calls for, and why; None: the verb's own category."""
    names = set(words)
    money = _money_object(words)
    if money and category in (Category.WRITE, Category.DESTRUCTIVE):
        return F, f"'{verb}' acts on '{money}', which moves money"
    chooses_a_page = verb in ("select", "switch") and (names - {"browser"}) & lx.BROWSER_OBJECTS
    records = verb in ("start", "stop") and names & {"trace", "recording"}
    if (verb in ("resize", "emulate") or chooses_a_page or records) and _in_a_browser(names, description,
                                                                                       server_words):
        return W, f"'{verb}' changes a browser setting or recording, not the page"
    if verb in ("create", "close", "end") and "session" in names and _in_a_browser(names, description, server_words):
        return X, f"'{verb}' starts or ends a browser session, a running browser"
    if verb in lx.BROWSER_VERBS and names & lx.BROWSER_OBJECTS:
        return X, f"'{verb}' drives the browser"
    if verb == "upload" and ((names | opening_words(description)) & lx.PAGE_UPLOAD_WORDS
                             or server_words & lx.BROWSER_SERVER_WORDS):
        return X, "'upload' fills a file input in a browser page"
    if verb == "generate" and names & lx.GENERATED_TEXT:
        return R, f"'{verb}' computes {sorted(names & lx.GENERATED_TEXT)[0]} from what exists"
    context = names | opening_words(description)
    if verb in lx.MANIFEST_VERBS and context & lx.CLUSTER_WORDS and context & lx.MANIFEST_OBJECTS:
        return X, f"'{verb}' writes cluster resources, which the cluster then runs"
    if verb in ("run", "execute") and set(_after(words, verb)) & lx.READ_RUN_OBJECTS \
            and (not context & lx.WRITING_LANGUAGES or "read-only" in (description or "")[:200].lower()):
        return R, f"'{verb}' runs a query or an audit, which only reads"
    if verb in ("create", "trigger") and names & {"deployment", "deployments", "execution", "executions"}:
        return X, f"'{verb}' starts a {'deployment' if names & {'deployment', 'deployments'} else 'run'}"
    if verb in ("check", "verify") and names & {"verification", "otp"}:
        return W, f"'{verb}' a verification code approves or spends it"
    if verb in lx.LIFECYCLE_VERBS and set(_after(words, verb)) & lx.WORKLOAD_OBJECTS:
        return X, f"'{verb}' stops or starts a running workload"
    if _after(words, verb)[:1] == ("search",) and verb in ("start", "begin", "stop", "cancel"):
        return (R, f"'{verb}' starts a search, which only reads") if verb in ("start", "begin") \
            else (W, f"'{verb}' ends a running search")
    if category is Category.WRITE and (names | set(text_words(description)[:4])) & {"migration", "migrations"}:
        return X, f"'{verb}' applies schema migrations, which run SQL"
    return None
