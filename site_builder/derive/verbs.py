"""What a tool's name and description say it does: their leading verbs.

A name is read as an imperative (`list_commits`: list), after namespaces
(`API-`, `browser_`, the server's own words); a description by its opening
verb, unless it only tells the agent when to call.  Where the two differ, the
name's word for the description's action wins (`monitor_create`).
"""

from __future__ import annotations

from typing import Callable

from ..content.models import CATEGORY_ORDER, Category
from . import lexicon as lx
from .words import first_sentence, name_words, text_words


def rank(category: Category) -> int:
    return CATEGORY_ORDER.index(category)


def verb_category(word: str) -> Category | None:
    """A word's category as a verb, allowing for third-person forms (`creates`, `searches`)."""
    for form in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if form and form in lx.VERBS:
            return lx.VERBS[form]
    return None


def _content_words(words: tuple[str, ...], skip: frozenset[str]) -> list[str]:
    index = 0
    while index < len(words) - 1 and words[index] in skip:
        index += 1
    return list(words[index:])


def name_verb(name: str, server_words: frozenset[str] = frozenset()) -> tuple[str, Category] | None:
    """The leading verb of a name and its category (`API-post-search` -> search, read).

    The first content word counts as a verb whatever it is; later words only
    when they are not also common nouns (`console_messages` has no verb)."""
    all_words = name_words(name)
    words = _content_words(all_words, lx.NAMESPACES | server_words)
    if words[-1:] and words[-1] in lx.AGENT_NOUNS:  # `deploy_services_reader` reads: the last noun is the head
        return words[-1], lx.AGENT_NOUNS[words[-1]]
    if all_words[:1] == ("api",) and len(words) > 1 and words[0] in lx.HTTP_METHODS:
        following = verb_category(words[1])
        return (words[1], following) if following else (words[0], lx.HTTP_METHODS[words[0]])
    for index, word in enumerate(words):
        category = lx.VERBS.get(word)  # names are imperatives: `pg_locks` names locks, it does not lock
        compound = tuple(words[index:index + 2]) in lx.COMPOUND_NOUNS \
            or (index > 0 and tuple(words[index - 1:index + 1]) in lx.COMPOUND_NOUNS)
        if category is not None and not compound and (index == 0 or word not in lx.NOUNLIKE):
            return _or_riskier(word, category, tuple(words[index + 1:index + 3]), ("or",), lx.VERBS.get)
    searches = [word for word in words if word in ("search", "lookup")]  # `web_search_exa`: a search tool
    return (searches[0], Category.READ) if searches else None


def _or_riskier(verb: str, category: Category, following: tuple[str, ...], joins: tuple[str, ...],
                read: Callable[[str], Category | None]) -> tuple[str, Category]:
    """`get_or_create`, "Validates and tests": the riskier of two joined verbs (it may do either); `read`
    tells a word's category as a verb (a name's exact imperative, or a description's `tests` too)."""
    other = read(following[1]) if len(following) == 2 and following[0] in joins else None
    return (following[1], other) if other is not None and rank(other) > rank(category) else (verb, category)


def description_verb(description: str | None) -> tuple[str, Category] | None:
    """The description's leading verb, unless it only tells the agent when to call the tool."""
    words = text_words(first_sentence(description))
    content = [index for index, word in enumerate(words) if word not in lx.DESCRIPTION_FILLER][:3]
    for index in content:
        category = verb_category(words[index])
        if category is not None and not (words[index] == "call" and words[index + 1:index + 2] and
                                         words[index + 1] in lx.WHEN_TO_CALL):
            return _or_riskier(words[index], category, tuple(words[index + 1:index + 3]), ("and", "or"), verb_category)
    return None


def opening_word(description: str | None) -> str | None:
    """The description's first word after filler and adverbs (`Permanently delete ...` -> delete)."""
    for word in text_words(first_sentence(description))[:8]:
        adverb = word.endswith("ly") and verb_category(word) is None
        if word not in lx.DESCRIPTION_FILLER and not adverb:
            return word
    return None


def action_in_name(words: tuple[str, ...], found: tuple[str, Category] | None,
                    described: tuple[str, Category] | None, description: str | None) -> tuple[str, Category] | None:
    """The name's word for the action the description opens with, where the name's own leading verb
    (if any) says otherwise: `monitor_create` / "Create a monitor", `monitor_run` / "Trigger a check"
    (the first verb was the object), `brave_news_search` / "Searches for news" (no verb before it)."""
    if not described or (found and (described[1] is found[1] or described[0] in words[:1])) \
            or described[0] != opening_word(description):
        return None
    later = words[words.index(found[0]) + 1:] if found and found[0] in words else words
    repeated = [word for word in later if described[0] in (word, word + "s", word + "es")]
    synonyms = [word for word in later if lx.VERBS.get(word) is described[1] and word not in lx.LANGUAGE_WORDS]
    chosen = repeated or (synonyms if found else [])
    return (chosen[0], described[1]) if chosen else None
