"""The classifier on the real tools the issue names, and on the labelled set."""

from __future__ import annotations

from functools import lru_cache

import pytest
import yaml

from site_builder.content.catalogue import load_catalogue
from site_builder.content.models import Category
from site_builder.derive import SiteData, ToolEntry, derive
from site_builder.derive.classify import Effect, name_verb
from site_builder.derive.words import name_words
from site_builder.policy.generate import PolicyGenerator
from site_builder.policy.recommend import load_policy_defaults

from tests.derive.labelled import evaluate
from tests.helpers import DEFAULT_CATALOGUE

R, W, X, D, F = Category.READ, Category.WRITE, Category.EXECUTE, Category.DESTRUCTIVE, Category.FINANCIAL


@lru_cache(maxsize=1)
def site() -> SiteData:
    return derive(load_catalogue(DEFAULT_CATALOGUE))


def tool(server: str, name: str) -> ToolEntry:
    return next(t for s in site().servers if s.slug == server for t in s.tools if t.name == name)


def strict_bundle(server: str) -> set[str]:
    """The tools the strict bundle of `server` lets through (its rule keys, the wildcard aside)."""
    entry = next(s for s in site().servers if s.slug == server)
    text = next(b for b in PolicyGenerator(load_policy_defaults()).for_server(entry) if b.profile == "strict").intercept
    return set(yaml.safe_load(text)["tools"]) - {"*"}


@pytest.mark.parametrize("name, words", [
    ("slack_reply_to_thread", ("slack", "reply", "to", "thread")),
    ("browserNavigate", ("browser", "navigate")),
    ("API-post-search", ("api", "post", "search")),
    ("files.write", ("files", "write")),
    ("HTTPRequest", ("http", "request")),
    ("getURLForPage", ("get", "url", "for", "page")),
])
def test_names_split_into_whole_words(name: str, words: tuple[str, ...]) -> None:
    assert name_words(name) == words


@pytest.mark.parametrize("name, verb, category", [
    ("slack_reply_to_thread", "reply", W),  # "thread" holds "read": not a word of it
    ("browser_click", "click", X),          # "browser" holds "browse"
    ("list_commits", "list", R),            # the leading verb wins over "commit"
    ("get_pull_request_comments", "get", R),
    ("API-post-search", "search", R),       # an HTTP method, then the verb
    ("API-patch-page", "patch", W),
    ("browser_console_messages", None, None),  # "messages" is a noun here
])
def test_the_leading_verb(name: str, verb: str | None, category: Category | None) -> None:
    found = name_verb(name, frozenset({"slack"}))
    assert (found or (None, None)) == (verb, category)


@pytest.mark.parametrize("server, name, category", [
    ("slack", "slack_reply_to_thread", W),
    ("paypal", "accept_dispute_claim", F),
    ("git", "git_checkout", W),
    ("github", "list_commits", R),
    ("github", "get_pull_request_comments", R),
    ("notion", "API-post-search", R),
    ("notion", "API-query-data-source", R),
    ("google-maps", "maps_geocode", R),
    ("stripe", "list_charges", R),
    ("stripe", "list_invoices", R),
    ("stripe", "create_refund", F),
])
def test_the_issue_examples_get_the_right_category(server: str, name: str, category: Category) -> None:
    assert tool(server, name).category is category


def test_no_writing_or_acting_tool_in_a_strict_bundle() -> None:
    slack = strict_bundle("slack")
    assert slack and "slack_reply_to_thread" not in slack and "slack_post_message" not in slack
    playwright = [t for s in site().servers if s.slug == "playwright" for t in s.tools]
    actions = {t.name for t in playwright if t.category is not R}
    assert len(actions) >= 13 and not actions & strict_bundle("playwright")


def test_a_tool_that_returns_secrets_is_not_a_harmless_read() -> None:
    get_env = tool("everything", "get-env")
    assert Effect.REVEALS_SECRETS in get_env.assessment.effects and not get_env.assessment.read_only_safe
    assert "get-env" not in strict_bundle("everything")
    recommended = PolicyGenerator(load_policy_defaults()).recommendation(get_env)
    assert recommended.action == "deny" and "secrets" in recommended.on_deny
    assert "not in the strict" not in (get_env.strict_exclusion or "") and "reveal secrets" in (get_env.strict_exclusion or "")


def test_listing_money_is_not_moving_money() -> None:
    for name in ("list_charges", "list_invoices"):
        recommended = PolicyGenerator(load_policy_defaults()).recommendation(tool("stripe", name))
        assert "moves money" not in recommended.on_deny and recommended.action != "deny"


def test_git_checkout_is_not_a_financial_tool_elsewhere() -> None:
    assert all(t.category is not F for s in site().servers if s.slug == "git" for t in s.tools)


def test_annotations_are_hints_not_truth() -> None:
    search = tool("notion", "API-post-search")
    assert search.tool.annotations and search.category is R
    assert any(e.source == "annotations" for e in search.assessment.evidence)


def test_a_low_confidence_read_never_lands_in_a_strict_bundle() -> None:
    for server in site().servers:
        unsafe = {entry.name for entry in server.tools if not entry.assessment.read_only_safe}
        assert not unsafe & strict_bundle(server.slug), server.slug


def test_labelled_set_agreement_and_no_unsafe_read() -> None:
    report = evaluate("tuning")
    assert report.agreement >= 0.90, f"{report.agreement:.1%}"
    assert not report.unsafe_as_read, [c.definition["name"] for c in report.unsafe_as_read]
