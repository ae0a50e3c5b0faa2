"""What words say about a tool: verbs by category, and the objects and
parameters that raise a category or add an effect.

Plain data, reviewed like code.  A verb's category is what the verb does on
its own (`list` reads, `create` writes); objects can raise it (`create` +
`refund` moves money), never lower it.
"""

from __future__ import annotations

import functools
import re

from ..content.models import Category

R, W, X, D, F = Category.READ, Category.WRITE, Category.EXECUTE, Category.DESTRUCTIVE, Category.FINANCIAL


def _words(category: Category, text: str) -> dict[str, Category]:
    return {word: category for word in text.split()}


VERBS: dict[str, Category] = {
    **_words(R, """decompile disassemble transcribe research paginate open take return returns provide provides get gets list lists read reads search searches find finds fetch fetches describe describes show
        shows query queries view views lookup look count counts diff log logs status inspect inspects
        analyze analyse analyzes check checks browse retrieve retrieves info about ping health version
        snapshot screenshot explain summarize summarise compare validate validates verify preview tail peek
        stat estimate calculate compute convert geocode directions distance elevation autocomplete suggest
        resolve audit monitor echo think sample inspect discover detect identify recognize extract parse
        scan await wait print display render measure lint format translate tell which whoami current
        now time see simulate simulates learn"""),
    **_words(W, """pull finalize rebase create creates add adds update updates set sets put post posts edit edits modify modifies write
        writes upload uploads insert inserts save saves rename renames move moves commit commits push pushes
        merge merges checkout clone init initialize tag assign assigns comment comments reply replies react
        star fork enable disable import copy upsert patch store link label mark append attach register
        subscribe invite share schedule stage connect disconnect replace lock unlock restore reopen complete
        approve reject transition annotate change configure duplicate send sends notify email message
        publish request submit record track note remember download  make new close pin unpin
        follow unfollow watch unwatch rate vote like give  toggle associate dismiss claim accept decline
        confirm resume pause rerank index reindex sync refresh collect generate generates login logout signin
        export exports reorder manage manages mute unmute
        signout"""),
    **_words(X, """test select run runs exec execute executes eval evaluate invoke invokes trigger triggers deploy deploys start
        starts stop stops restart restarts launch launches build builds call calls spawn apply rollback
        rerun retry scale interact navigate navigates click clicks type types press presses fill hover drag
        scroll resize reload goto go emulate install installs upgrade upgrades compile perform process aggregate script shell
        bash cmd command sql cypher graphql tap swipe keyboard mouse focus dialog handle"""),
    **_words(D, """delete deletes remove removes drop drops destroy destroys purge purges truncate wipe revoke revokes
        terminate terminates erase uninstall kill kills clear flush evict prune overwrite trash discard
        unpublish ban cancel cancels forget reset rewrite unlink detach deprovision decommission"""),
    **_words(F, """refund refunds pay pays payout payouts purchase purchases buy buys charge charges transfer withdraw
        deposit tip donate"""),
}

# Words that are verbs only when they open a name (`messages` in `console_messages` is a noun).
NOUNLIKE = frozenset("""message messages request requests index indexes log logs comment comments tag tags label
    labels record records note notes status info version snapshot screenshot schedule link links share post
    posts email emails test tests trace record stage star watch drop set patch order charge transfer export
    import print display format sample scan process call type view check search query count branch commit
    commits diff merge fork lock review reviews reply replies event events change changes state build builds
    run runs job jobs deploy release""".split())

# Two words that name a thing, not an action (`repo_pull_request` gets a pull request).
COMPOUND_NOUNS = frozenset(tuple(pair.split()) for pair in (
    "pull request", "pull requests", "merge request", "merge requests", "check run", "check runs",
    "work item", "work items", "test run", "test runs", "build log", "build logs", "change set", "change sets"))

# Objects after a money word that make it not about money (`send_invoice_reminder`, `invoice_qr_code`).
NOT_MONEY_HEADS = frozenset("reminder reminders note notes qr code comment comments attachment status".split())
# ... and words before one (`test_plan`, `query_plan`).
NOT_MONEY_BEFORE = frozenset("test query execution migration project work release deployment".split())

# What `generate` makes when it only computes text from what exists (read); anything else,
# an image, a video, a 3D model, is rendered on a hosted model (execute).
GENERATED_TEXT = frozenset("""type types test tests code qr summary report schema docs documentation sql query
    uuid id slug name description title markdown diff link links deeplink deeplinks url urls""".split())

# Browser windows: opening, closing or choosing one drives the browser (execute).
BROWSER_OBJECTS = frozenset("page pages tab tabs browser window windows".split())
BROWSER_VERBS = frozenset("new open close select switch".split())
# ... but resizing, emulating or choosing the page later calls act on changes a setting (write; objects.py).
BROWSER_CONTEXT_WORDS = frozenset("viewport browser tab tabs".split())
# Pausing, resuming or restoring a project, instance or VM stops or starts a workload (execute).
# A name that ends in what the tool is (`project_services_reader`) says what it does.
AGENT_NOUNS: dict[str, Category] = {**_words(R, "reader getter fetcher viewer"),
                                    **_words(W, "writer updater creator setter uploader editor"),
                                    **_words(X, "runner executor launcher agent"), **_words(D, "deleter remover")}
# "Call when ...", "call this first": the description tells the agent when to call, not what the tool does.
WHEN_TO_CALL = frozenset("when this before after first it once only whenever".split())

# `run_audit`, "Run a frequency query": running a query or an audit only reads, unless its language writes.
READ_RUN_OBJECTS = frozenset("query queries audit audits report reports".split())
WRITING_LANGUAGES = frozenset("sql cypher graphql mutation mutations script scripts code command js javascript".split())

# Words that name a language or an input device: verbs alone (`sql`, `cypher`), objects after one (`read-cypher`).
LANGUAGE_WORDS = frozenset("sql cypher graphql script shell bash cmd command keyboard mouse".split())

# Writing a cluster's resources is running them: the cluster starts what the manifest describes.
MANIFEST_VERBS = frozenset("create creates update updates patch patches replace".split())
CLUSTER_WORDS = frozenset("kubernetes kubectl k8s helm openshift".split())
MANIFEST_OBJECTS = frozenset("resource resources manifest manifests".split())

# A parameter naming the kind of object to get (`resourceType`, `kind`): any kind, Secrets included.
OBJECT_KIND_WORDS = frozenset("resource type kind".split())
# An app's config on a hosting platform is its environment, where its credentials live ("app details: config").
APP_CONFIG = re.compile(r"\bapp(?:lication)?s?\b[^.:\n]{0,30}[:,]?[^.\n]{0,10}\bconfig\b", re.IGNORECASE)

LIFECYCLE_VERBS = frozenset("pause resume suspend unpause hibernate restore".split())
WORKLOAD_OBJECTS = frozenset("""project projects instance instances cluster clusters vm vms server servers service
    services app apps database databases db workspace workspaces container containers node nodes machine
    machines compute""".split())
# Uploading into a page (a file input element) is browser automation, not storing a file (execute).
PAGE_UPLOAD_WORDS = frozenset("browser element".split())  # not "page": a wiki has pages
BROWSER_SERVER_WORDS = frozenset("browser chrome devtools playwright puppeteer browserbase".split())

# Parameters that say a change can destroy (`archived: true`, `force`, `dropTarget`).
# A boolean parameter named for a destructive verb (`reset: true`) lets any call destroy.
SWITCH_VERBS = frozenset("reset purge wipe delete drop remove".split())
DESTRUCTIVE_PARAMS = frozenset("archived archive trash force overwrite purge drop replace".split())

# Parameters whose enumerated values name the action (`action: [start, stop, delete]`).
ACTION_PARAMS = frozenset("action actions operation op method mode command verb".split())

# In names under an `API-` namespace the first word is an HTTP method (`API-post-search`).
HTTP_METHODS: dict[str, Category] = {"get": R, "head": R, "options": R, "post": W, "put": W, "patch": W,
                                     "delete": D}

# Objects that make a changing verb move money (`create_invoice`, `update_subscription`).
MONEY_OBJECTS = frozenset("""refund refunds payment payments payout payouts charge charges invoice invoices
    subscription subscriptions price prices coupon coupons dispute disputes transaction transactions
    transfer transfers order orders paymentlink balance wallet credit credits
    billing bill bills purchase purchases fund funds money capture authorization plan plans
    promotion promotions discount discounts tax taxes""".split())

# Objects that make a reading verb reveal secrets (`get_env`, `list_api_keys`).
SECRET_OBJECTS = frozenset("""env environment envs secret secrets credential credentials password passwords
    token tokens apikey apikeys kubeconfig keys key privatekey private_key""".split())
SECRET_NAME_PAIRS = (("api", "key"), ("api", "keys"), ("private", "key"), ("connection", "string"),
                     ("access", "key"), ("access", "token"), ("publishable", "keys"), ("service", "key"),
                     ("env", "var"), ("env", "vars"))
SECRET_TEXT = ("environment variable", "api key", "access token", "secret", "password", "credential",
               "private key", "connection string", "kubeconfig", "auth token", "bearer token")

# Description phrases (lower case) and what they say.
DESTRUCTIVE_TEXT = ("permanently delete", "permanently remove", "irreversibl", "cannot be undone",
                    "can't be undone", "overwrite")
MONEY_TEXT = ("refund", "payment", "payout", "charge the", "charges the", "invoice", "subscription",
              "transfer money", "transfer funds", "send money", "purchase", "billing", "price for",
              "coupon", "dispute")
EXEC_TEXT = ("execute", "executes", "run a command", "runs a command", "shell command", "terminal command",
             "arbitrary code", "javascript", "sql quer", "run sql", "evaluate a", "evaluates ", "spawn",
             "process on", "start a process")
SPEND_TEXT = ("credits", "cost ", "costs ", "billing", "paid ", "charges your", "per call", "usage fee",
              "consumes credit", "spend")
# Services that bill each run, whatever the tool's own text says: Logs Insights per GB scanned, Seer per run.
BILLED_SERVICES = ("logs insights", "log insights", "seer")
CREDITS_USED = re.compile(r"credits?\s?used|\b(uses?|consumes?|costs?|spends?|deducts?)\s+(\d+\s+)?credits?\b")
SEND_VERBS = frozenset("""send sends email mail notify publish share invite reply replies post posts message
    tweet sms text forward broadcast webhook announce dm""".split())
FETCH_VERBS = frozenset("""fetch navigate goto go browse crawl scrape visit request http open download
    curl get_url load""".split())
BROWSER_INPUT_VERBS = frozenset("type fill press keyboard upload".split())

# Parameters (split into words) and what they say.
URL_PARAMS = frozenset("url urls uri uris endpoint webhook callback href link host hostname domain".split())
PATH_PARAMS = frozenset("path paths file files filename filepath dir directory folder".split())
CODE_PARAMS = frozenset("script command cmd shell javascript js python".split())  # "code" alone is too often a country code
SQL_PARAMS = frozenset("sql cypher statement".split())
AMOUNT_PARAMS = frozenset("amount amounts price cost total value_cents cents currency".split())
FORCE_PARAMS = frozenset("force recursive overwrite purge hard cascade".split())

# Words that open a name or description without saying anything (namespaces, filler).
NAMESPACES = frozenset("""api mcp tool tools the a an this my do please browser page tab git github gh slack
    stripe paypal notion k8s kube kubernetes mongo mongodb db docker pg postgres sql n8n jira confluence
    linear sentry grafana figma aws s3 ec2 chroma neo4j qdrant redis supabase neon vercel netlify
    cloudflare desktop commander playwright puppeteer chrome devtools maps google drive""".split())
DESCRIPTION_FILLER = frozenset("""use this tool to for when you want need can will allows lets helps
    used it a an the please""".split())

MAX_SCAN = 2_000  # characters of a description scanned for phrases: bounded cost for any input

# Descriptions that instruct the agent (tool-poisoning patterns): never a harmless read.
CALL_FIRST = re.compile(
    r"(call|use|invoke|run)\s+[`'\"]?[\w.-]+[`'\"]?\s+(tool\s+)?(first|before)"
    r"|before\s+(calling|using)\s+(this|any)"
    r"|must\s+(first\s+)?call|always\s+call"
    r"|先调用|首先调用|必须先|务必先",
    re.I,
)
IGNORE_INSTRUCTIONS = re.compile(
    r"ignore\s+(all\s+|any\s+)?(previous|prior|above|other|earlier)\s+(instructions|rules|prompts)"
    r"|disregard\s+(all\s+|any\s+)?(previous|prior|above|system)"
    r"|do\s+not\s+(tell|inform|mention\s+(this|it)\s+to)\s+the\s+user|don't\s+tell\s+the\s+user"
    r"|<\s*important\s*>|忽略(之前|以上|所有)",
    re.I,
)


@functools.lru_cache(maxsize=64)
def instructions_to_the_agent(title: str | None, description: str | None) -> tuple[bool, bool]:
    """Whether a tool's title and description (their first MAX_SCAN * 4 characters) tell the agent what to
    call first (CALL_FIRST), and whether they tell it to ignore instructions or keep things from the user
    (IGNORE_INSTRUCTIONS).  Both the classifier and the risk signals ask for every tool: the patterns cost
    40 us on a real description, so the answers for the last tools asked about are kept."""
    text = " ".join(part for part in (title, description) if part)[:MAX_SCAN * 4]
    return bool(CALL_FIRST.search(text)), bool(IGNORE_INSTRUCTIONS.search(text))
