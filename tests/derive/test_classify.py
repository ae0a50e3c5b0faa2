"""The classifier on the real tools the issue names, and on the labelled set."""

from __future__ import annotations

from functools import lru_cache

import pytest
import yaml

from site_builder.content.catalogue import load_catalogue
from site_builder.content.models import Category, Classification, Confidence, Tool
from site_builder.derive import SiteData, ToolEntry, derive
from site_builder.derive.assessment import Effect
from site_builder.derive.classify import classify
from site_builder.derive.verbs import description_verb, name_verb
from site_builder.derive.siblings import reads_a_secret_object, secret_objects
from site_builder.derive.heuristics import HEURISTIC_MARK
from site_builder.derive.words import name_words
from site_builder.policy.generate import PolicyGenerator
from site_builder.policy.recommend import load_policy_defaults

from tests.derive.labelled import SETS, evaluate
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
    ("pull_request_read", "read", R),       # "pull request" is a thing, not a pull
    ("repo_pull_request", None, None),
    ("wit_work_item_link_write", "write", W),
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


# Unsafe tools still treated as harmless reads, listed so that any new one fails (none today).
KNOWN_UNSAFE: dict[str, set[str]] = {}


@pytest.mark.parametrize("which, floor", [("tuning", 0.97), ("heldout", 0.94), ("fresh", 0.93), ("fresh2", 0.96), ("catalogue", 0.94)])
def test_labelled_set_agreement_and_no_unsafe_read(which: str, floor: float) -> None:
    """Floors a little under today's figures (benchmarks/classify.py prints them): a change that loses
    agreement, or lets one more unsafe tool through as a harmless read, fails here."""
    report = evaluate(which)
    assert report.agreement >= floor, f"{report.agreement:.1%}"
    unsafe = {c.definition["name"] for c in report.unsafe_as_read}
    assert unsafe <= KNOWN_UNSAFE.get(which, set()), sorted(unsafe)


def test_the_whole_labelled_set_meets_the_target() -> None:
    """The issue's target: at least 95% category agreement on the whole labelled set, and no unsafe read."""
    cases = [case for which in SETS for case in evaluate(which).cases]
    assert sum(case.agrees for case in cases) / len(cases) >= 0.95
    assert not [case.definition["name"] for case in cases if case.unsafe_as_read]
    non_reads_read = {case.definition["name"] for case in cases
                      if case.label["category"] != "read" and case.assessment.category is R}
    assert non_reads_read <= {"analyze_issue_with_seer"}  # read with `spends` (never strict); adjudicated write


def _unreviewed(name: str, description: str) -> Tool:
    guess = Classification(category=R, confidence=Confidence.LOW, rationale=HEURISTIC_MARK)
    return Tool(name=name, description=description, classification=guess)


@pytest.mark.parametrize("name, description, server, category", [
    ("browser_file_upload", "Upload a file to a file input element", frozenset(), X),
    ("upload_file", "Handle file uploads", frozenset({"chrome", "devtools"}), X),  # a browser server
    ("upload_file", "Upload an attachment to a Confluence page", frozenset({"confluence"}), W),  # a wiki page
    ("simulate_route", "Simulates the route a request would take", frozenset(), R),
])
def test_uploading_in_a_page_drives_the_browser_and_simulating_computes(
        name: str, description: str, server: frozenset[str], category: Category) -> None:
    assert classify(_unreviewed(name, description), server).category is category


def test_the_details_of_an_object_a_sibling_reveals_secrets_from_reveal_them_too() -> None:
    alerts = _unreviewed("advsec_get_alerts", "Retrieve Advanced Security alerts, including secrets found in code.")
    details = _unreviewed("advsec_get_alert_details", "Get detailed information about a specific alert.")
    builds = _unreviewed("advsec_get_builds", "List builds.")
    objects = secret_objects([alerts, details, builds])
    assert objects == {("alert",)}
    assert reads_a_secret_object(details, frozenset(), objects) == "alert"
    assert reads_a_secret_object(builds, frozenset(), objects) is None
    assert Effect.REVEALS_SECRETS in classify(details, frozenset(), sibling_secrets=True).effects
    assert not classify(details, frozenset(), sibling_secrets=True).read_only_safe
    assert classify(details).effects == ()  # alone, its definition says nothing of secrets


CHROME = frozenset({"chrome", "devtools"})


@pytest.mark.parametrize("name, description, server, category", [
    ("select_page", "Switch between pages", CHROME, W),              # chooses the page later calls act on
    ("resize_page", "Adjust viewport dimensions", CHROME, W),        # a browser setting
    ("emulate", "Simulate devices/conditions", CHROME, W),
    ("performance_start_trace", "Start recording a trace", CHROME, W),
    ("browser_select_option", "Select an option in a dropdown", frozenset(), X),  # acts in the page
    ("browser_click", "Perform click on a web page", frozenset(), X),
    ("close_page", "Closes the page by its index", CHROME, X),
    ("pause_project", "Pauses a project", frozenset(), X),            # stops a running workload
    ("restore_file", "Restores a file from the trash", frozenset(), W),
    ("start_search", "Start a streaming search that returns results progressively", frozenset(), R),
    ("stop_search", "Stop an active search", frozenset(), W),
    ("merge_branch", "Merges migrations from dev branch to production", frozenset(), X),  # runs SQL
    ("merge_pull_request", "Merge a pull request", frozenset(), W),
    ("write_pdf", "Create a new PDF file. NEVER overwrite the original file.", frozenset(), W),
    ("write_file", "Create a new file or completely overwrite an existing file", frozenset(), D),
    ("give_feedback", "Open the feedback form", frozenset(), W),
])
def test_what_the_object_and_context_make_of_a_verb(
        name: str, description: str, server: frozenset[str], category: Category) -> None:
    assert classify(_unreviewed(name, description), server).category is category


def _with_schema(name: str, description: str, properties: dict[str, dict[str, str]]) -> Tool:
    guess = Classification(category=R, confidence=Confidence.LOW, rationale=HEURISTIC_MARK)
    return Tool(name=name, description=description, input_schema={"type": "object", "properties": properties},
                classification=guess)


def test_a_read_that_saves_its_output_where_told_is_a_write() -> None:
    by_name = _with_schema("get_logs", "Get the logs of a build", {"outputDir": {"type": "string"}})
    by_text = _with_schema("compute_costs", "Calculate monthly costs", {"workspace_dir": {
        "type": "string", "description": "Absolute path; the report will be appended to model.md"}})
    plain = _with_schema("get_logs", "Get the logs of a build", {"output": {"type": "string"}})  # a format
    assert classify(by_name).category is W and Effect.CHANGES_STATE in classify(by_name).effects
    assert classify(by_text).category is W
    assert classify(plain).category is R


def test_a_paid_search_spends_and_an_upload_of_a_local_file_sends_it_out() -> None:
    search = _unreviewed("web_search", "Search the web. Returns { data, creditsUsed }.")
    parse = _with_schema("parse_file", "Parse a file: the server uploads it to the parse API.",
                         {"filePath": {"type": "string"}})
    assert Effect.SPENDS in classify(search).effects and not classify(search).read_only_safe
    assert Effect.SENDS_OUT in classify(parse).effects and not classify(parse).read_only_safe


@pytest.mark.parametrize("name, description, category", [
    ("monitor_create", "Create a monitor that checks a page on a schedule", W),  # 'monitor' is the object
    ("monitor_delete", "Delete a monitor", D),
    ("monitor_status", "Monitor the status of a job", R),
])
def test_the_name_repeating_the_description_verb_is_the_action(name: str, description: str,
                                                               category: Category) -> None:
    assert classify(_unreviewed(name, description)).category is category


def _with(name: str, description: str, schema: dict[str, object] | None = None,
          annotations: dict[str, object] | None = None) -> Tool:
    guess = Classification(category=R, confidence=Confidence.LOW, rationale=HEURISTIC_MARK)
    return Tool(name=name, description=description, input_schema=schema, annotations=annotations, classification=guess)


KUBE_GET = {"properties": {"resourceType": {"type": "string"}, "name": {"type": "string"}}}


@pytest.mark.parametrize("name, description, category", [
    ("firecrawl_monitor_delete", "Permanently delete a monitor and stop its schedule.", D),  # an adverb first
    ("get_build_failure_logs", "This tool helps debug CircleCI build failures by retrieving logs", R),  # not 'build'
    ("pg_locks", "Analyze locks: blocked queries, deadlocks, concurrency", R),  # a plural noun, not 'lock'
    ("kubectl_create", "Create Kubernetes resources using various methods", X),  # the cluster runs them
    ("resources_create_or_update", "Create or update a Kubernetes resource via Server-Side Apply", X),
    ("create_issue", "Create an issue in a repository", W),
    ("upgrade_helm_chart", "Upgrade an existing Helm chart release", X),
    ("generate_resources", "Generates resources from a data model JSON file", W),  # files, not a run
    ("generate_deeplinks", "Create accurate Grafana resource URLs", R),  # a link is computed
    ("firecrawl_monitor_run", "Trigger a monitor check immediately", X),  # the name's action agrees
    ("read-cypher", "Execute arbitrary Cypher queries in read mode", R),  # 'cypher' is the object here
    ("get_or_create_label", "Gets an existing label by name or creates it if it doesn't exist", W),  # may create
    ("netlify-deploy-services-reader", "Select and run one of the following read operations", R),  # a reader
    ("project-services-updater", "Select and run one of the following write operations", W),
    ("discord_login", "Logs in to Discord using the configured token", W),  # a session changes
    ("browserbase_session_create", "Create or reuse a Browserbase browser session", X),  # a running browser
    ("data_model_validation", "Validates and tests data models against a local database.", X),  # the riskier
    ("export", "Export a query or aggregation results in EJSON format.", W),  # an export is written
    ("Run-Funnels-Query", "Run a funnels query", R),  # a query or an audit only reads
    ("runSEOAudit", "Run SEO audit", R),
    ("run_query", "Run a SQL query against the database", X),  # unless its language writes
    ("write-cypher", "Execute Cypher with write capabilities", X),  # the name's verb was a mode
    ("query_clickhouse", "Execute SQL with macro substitution", X),
    ("read-cypher", "Execute arbitrary Cypher queries in read mode", R),
    ("check_verification", "Check a verification code", W),  # approves or spends the code
    ("create_deployment", "Create a deployment", X),  # starts it
    ("web_search_exa", "Real-time semantic web search with clean content", R),  # a search tool
    ("firecrawl_agent", "Autonomous web research agent.", X),  # an agent runs on its own
    ("mute_host", "Mute a host", W),
    ("decompile_function", "Decompile a function by name", R),
])

def test_the_action_is_the_verb_a_reader_would_take(name: str, description: str, category: Category) -> None:
    assert classify(_with(name, description)).category is category


@pytest.mark.parametrize("schema, category", [
    ({"reset": {"type": "boolean", "description": "Reset pg_stat_statements stats"}}, D),
    ({"analyze": {"type": "boolean", "description": "When True, actually runs the query"}}, X),
    ({"dryRun": {"type": "boolean", "description": "Only validate, don't actually run the query"}}, R),
    ({"truncate": {"type": "boolean", "description": "Truncate queries to 40 chars"}}, R),  # a display option
    ({"output_dir": {"type": "string", "description": "Absolute path for output folder"}}, W),
    ({"action": {"type": "string", "enum": ["list", "reorder"]}}, W),
])
def test_a_read_whose_parameters_destroy_run_or_write_is_not_a_read(schema: dict[str, object],
                                                                    category: Category) -> None:
    tool = _with("find_outliers", "Find resource-heavy queries", {"properties": schema})
    assert classify(tool).category is category


def test_a_read_is_read_only_safe_only_when_reviewed_or_the_servers_hint_agrees() -> None:
    thin = classify(_with("transcribe_audio", "Transcribe audio to text"))  # a paid API says nothing of it
    hinted = classify(_with("transcribe_audio", "Transcribe audio to text", annotations={"readOnlyHint": True}))
    assert (thin.category, thin.confidence, thin.read_only_safe) == (R, Confidence.MEDIUM, False)
    assert hinted.read_only_safe


def test_billed_services_and_dsns() -> None:
    assert Effect.SPENDS in classify(_with("analyze_issue", "Use Seer to analyse production errors")).effects
    assert Effect.REVEALS_SECRETS in classify(_with("find_dsns", "List all Sentry DSNs for a project")).effects


def test_a_description_that_says_when_to_call_names_no_action() -> None:
    assert description_verb("ALWAYS call when writing serverless code.") is None
    assert description_verb("Call this first, before any other tool") is None
    assert description_verb("Calls a phone number") == ("calls", X)


def test_a_name_that_repeats_the_descriptions_verb_confirms_it_without_a_verb_first() -> None:
    assessment = classify(_with("brave_news_search", "Searches for current news articles"))
    assert (assessment.category, assessment.confidence) == (R, Confidence.MEDIUM)


def test_a_read_name_loses_to_a_description_and_hints_that_say_it_changes_something() -> None:
    tool = _with("firecrawl_search_feedback", "Send structured feedback on a previous search result",
                 annotations={"readOnlyHint": False})
    assert classify(tool).category is W


def test_an_output_folder_inside_a_wrapping_parameter_makes_a_read_a_write() -> None:
    inner = {"outputDir": {"type": "string", "description": "The full logs are written to a file in this directory"}}
    tool = _with("get_job_logs", "Get the logs of a job", {"properties": {"params": {"type": "object",
                                                                                       "properties": inner}}})
    assert classify(tool).category is W


@pytest.mark.parametrize("name, description, schema, leaks", [
    ("kubectl_get", "Get or list Kubernetes resources by resource type", KUBE_GET, True),  # Secrets are a type
    ("kubectl_describe", "Describe Kubernetes resources by resource type", KUBE_GET, False),  # sizes only
    ("kubectl_get", "Get or list Kubernetes resources", {"properties": {"resourceType": {"enum": ["pods"]}}}, False),
    ("get_app_info", "Get app details: config, dynos, addons, access, domains", None, True),
    ("pg_info", "View database status: config, metrics, resources, health", None, False),
])
def test_generic_cluster_getters_and_app_config_reveal_secrets(name: str, description: str,
                                                               schema: dict[str, object] | None, leaks: bool) -> None:
    assessment = classify(_with(name, description, schema))
    assert (Effect.REVEALS_SECRETS in assessment.effects) is leaks
    assert not (leaks and assessment.read_only_safe)
