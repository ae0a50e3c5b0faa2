"""The generated RE2 patterns against plain Python statements of what they mean, on RE2 itself.

Each pattern is checked against a reference written the obvious way (split into
words, look up a set), exhaustively on a small alphabet or on strings made of
the words that matter, in every case and next to every kind of neighbour.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import re2  # type: ignore[import-untyped]
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.content.re2syntax import go_regexp_error
from site_builder.policy import patterns, sql
from site_builder.policy.arguments import ArgumentRule, argument_rules
from site_builder.policy.patterns import HOST_PATTERN, LOCAL_TLDS, URL_PATTERN, words_except, words_of
from site_builder.policy.sql import (FILE_WORDS, NAME_BEFORE_COLUMNS, SQL_CALLABLE_WORDS, SQL_CALLS_PATTERN,
                                     SQL_NO_COMMENT_PATTERN, SQL_NO_FILE_PATTERN, SQL_NO_WRITE_WORD_PATTERN,
                                     SQL_WRITE_WORDS, WRITE_CALLABLE, calls_pattern, no_write_words_pattern)

ATTACKS = Path(__file__).resolve().parents[2] / "content" / "attacks"
ASCII_WORD = re.compile(r"[0-9A-Za-z_]+")
BROAD_WORD = "[0-9A-Za-z_$.\"`\\[\\]\u0080-\U0010ffff]"
SPACES = "\t\n\v\f\r "


def _matches(pattern: str, text: str) -> bool:
    return re2.compile(pattern).search(text) is not None


def _passes(rules: tuple[ArgumentRule, ...], statement: str) -> bool:
    """Whether `statement` meets every rule (each a regex condition), as Intercept would decide."""
    return all(_matches(str(rule.condition.value), statement) for rule in rules)


def _no_comment(text: str) -> bool:
    return "--" not in text and "/*" not in text and "#" not in text


def _no_write_word(text: str, allowed: tuple[str, ...] = (), banned_too: tuple[str, ...] = ()) -> bool:
    banned = set(SQL_WRITE_WORDS + banned_too) - set(allowed)
    return not any(word.lower() in banned for word in ASCII_WORD.findall(text))


def _word_before(text: str, word_class: str) -> re.Match[str] | None:
    return re.search(word_class + "+$", text)


def _calls_listed(text: str, also: tuple[str, ...] = (), before_name: tuple[str, ...] = ()) -> bool:
    """Every `(` follows (spaces aside) a listed word, a name after a `before_name` word, punctuation other than
    `'`, `/` after `/` and control characters, or nothing."""
    callable_words = {word.lower() for word in SQL_CALLABLE_WORDS + also}
    for index, char in enumerate(text):
        if char != "(":
            continue
        before = text[:index].rstrip(SPACES)
        word = _word_before(before, BROAD_WORD)
        if word:
            if word.group().isascii() and word.group().lower() in callable_words:
                continue
            ahead = before[:word.start()]
            previous = _word_before(ahead.rstrip(SPACES), BROAD_WORD) if ahead[-1:] in SPACES and ahead else None
            if previous and previous.group().isascii() and previous.group().lower() in before_name:
                continue
            return False
        last = before[-1:]
        if last == "'" or (last and (ord(last) < 32 or last == "\x7f")) or (last == "/" and before[-2:] == "//"):
            return False
    return True


def _no_file(text: str) -> bool:
    """No `'` right after (spaces aside) the word FROM, JOIN, DESCRIBE or SUMMARIZE."""
    for index, char in enumerate(text):
        if char == "'":
            word = _word_before(text[:index].rstrip(SPACES), "[0-9A-Za-z_]")
            if word and word.group().lower() in FILE_WORDS:
                return False
    return True


def test_every_pattern_is_go_re2() -> None:
    for module in (patterns, sql):
        for name in dir(module):
            if name.endswith("_PATTERN"):
                assert go_regexp_error(getattr(module, name)) is None, name


def test_no_comment_is_exact_on_every_short_string() -> None:
    for length in range(8):
        for letters in itertools.product("-/*#a\n", repeat=length):
            text = "".join(letters)
            assert _matches(SQL_NO_COMMENT_PATTERN, text) == _no_comment(text), text


def _words(listed: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A listed word, a prefix or an extension of one, in any case, or a look-alike (Kelvin sign, long s)."""
    base = st.sampled_from(listed)
    cased = st.tuples(base, st.randoms()).map(lambda pair: "".join(
        char.upper() if pair[1].random() < 0.5 else char for char in pair[0]))
    prefix = base.map(lambda word: word[:-1])
    extended = st.tuples(base, st.sampled_from(["s", "_1", "x", "é", "$"])).map("".join)
    look_alike = base.map(lambda word: word.replace("k", "\u212a").replace("s", "\u017f"))
    other = st.sampled_from(["id", "name", "t", "pg_terminate_backend", "lo_export", "x.count", '"count"', "1"])
    return st.one_of(cased, prefix, extended, look_alike, other)


NEIGHBOURS = st.sampled_from([" ", "  ", "\n", "\t", "(", ")", ",", ".", "'", '"', "`", "[", "]", "*", "=", "é",
                              "\u00a0", "$", "-", "/", "//", ";", " (", "\u212a", "\x01", "' (", "\x7f"])


def _statements(listed: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(_words(listed), NEIGHBOURS), max_size=12).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_statements(SQL_WRITE_WORDS))
def test_no_write_word_is_exact(text: str) -> None:
    assert _matches(SQL_NO_WRITE_WORD_PATTERN, text) == _no_write_word(text)


@settings(max_examples=1000, deadline=None)
@given(_statements(SQL_WRITE_WORDS))
def test_no_write_word_but_the_tools_own_is_exact(text: str) -> None:
    own = ("insert", "into")
    assert _matches(no_write_words_pattern(own, ("replace",)), text) == _no_write_word(text, own, ("replace",))


@settings(max_examples=3000, deadline=None)
@given(_statements(SQL_CALLABLE_WORDS))
def test_calls_pattern_is_exact(text: str) -> None:
    assert _matches(SQL_CALLS_PATTERN, text) == _calls_listed(text)


@settings(max_examples=2000, deadline=None)
@given(_statements(SQL_CALLABLE_WORDS[-20:] + WRITE_CALLABLE + NAME_BEFORE_COLUMNS))
def test_the_write_tools_calls_pattern_is_exact(text: str) -> None:
    pattern = calls_pattern(WRITE_CALLABLE, NAME_BEFORE_COLUMNS)
    assert _matches(pattern, text) == _calls_listed(text, WRITE_CALLABLE, NAME_BEFORE_COLUMNS)


@settings(max_examples=2000, deadline=None)
@given(_statements(FILE_WORDS))
def test_no_file_pattern_is_exact(text: str) -> None:
    assert _matches(SQL_NO_FILE_PATTERN, text) == _no_file(text)


def test_the_generators_on_words() -> None:
    listed = re2.compile("^" + words_of(["in", "int", "into", "x"]) + "$")
    assert [word for word in ["in", "IN", "Int", "into", "x", "X", "i", "inx", "intoo", ""] if listed.search(word)] \
        == ["in", "IN", "Int", "into", "x", "X"]
    unlisted = re2.compile("^" + words_except(["ab", "abc"], "abcAB", non_ascii=False, min_length=2) + "$")
    assert [word for word in ["a", "ab", "AB", "abc", "aBc", "abca", "ba", "b", "aa", "ac"] if unlisted.search(word)] \
        == ["abca", "ba", "aa", "ac"]


FOLDS = str.maketrans({"\u017f": "s", "\u212a": "k"})  # what RE2's (?i) and IDNA make of the long s and Kelvin sign


def _host_allowed(host: str) -> bool:
    labels = host.split(":")[0].split(".")
    top = labels[-1].translate(FOLDS)
    return len(labels) > 1 and len(top) > 1 and top.isascii() and top.isalpha() and top.lower() not in LOCAL_TLDS


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LOCAL_TLDS), st.sampled_from(["example", "com", "google", "metadata",
                                                                       "io", "a", "co", "1", "kube", "sk"])),
                min_size=1, max_size=4),
       st.randoms())
def test_url_and_host_refuse_local_top_level_domains(labels: list[str], random: object) -> None:
    def spelled(label: str) -> str:
        return "".join(char.upper() if random.random() < 0.3 else char for char in label)  # type: ignore[attr-defined]

    top = spelled(labels[-1])
    if random.random() < 0.3:  # type: ignore[attr-defined]
        top = top.replace("s", "\u017f").replace("k", "\u212a")
    host = ".".join([spelled(label) for label in labels[:-1]] + [top])
    assert _matches(HOST_PATTERN, host) == _host_allowed(host)
    assert _matches(URL_PATTERN, f"https://{host}/path?q=1") == _host_allowed(host)


def test_read_only_sql_is_five_conditions_on_the_tool_page() -> None:
    schema = {"type": "object", "properties": {"sql": {"type": "string", "description": "SQL query"}}}
    rules = argument_rules(schema, "recommended", "Run a read-only SQL query")
    assert [(rule.condition.op, rule.check) for rule in rules] == [
        ("regex", ""), ("regex", "no comment"), ("regex", "no write"), ("regex", "functions"), ("regex", "no file")]
    statements = {"SELECT id, name FROM customers WHERE id IN (1, 2) LIMIT 10": True,
                  "SELECT count(*), max(total) FROM orders GROUP BY customer_id": True,
                  "SELECT * INTO customers_copy FROM customers": False,
                  "SELECT * FROM customers INTO OUTFILE '/tmp/x'": False,
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity": False,
                  "SELECT pg_read_file('/etc/passwd')": False,
                  "SELECT lo_export(16401, '/tmp/x')": False,
                  "SELECT pg_terminate_backend/**/(1)": False,
                  'SELECT "pg_terminate_backend"(1)': False,
                  "SELECT id FROM accounts FOR UPDATE": False,
                  "SELECT 1 EXEC xp_cmdshell 'dir'": False,
                  "SELECT 1 DELETE FROM customers": False,
                  # a review's bypasses of the first version (2026-12-08), each tried on a real database or by
                  # its documentation: PostgreSQL's U&"f" UESCAPE '!' names f; T-SQL's second statements; a
                  # Snowflake // comment before the parenthesis; DuckDB reading a file named as a table; sequences;
                  # a recursive CTE that need not end; row locks
                  "SELECT U&\"pg_terminate_backend\" UESCAPE '!' (pid) FROM pg_stat_activity": False,
                  "SELECT 1 BEGIN TRAN SELECT count(*) FROM accounts WITH (TABLOCKX, HOLDLOCK)": False,
                  "SELECT 1 WHILE 1=1 SELECT 1": False,
                  "SELECT SYSTEM$WAIT //\n(3600)": False,
                  "SELECT * FROM '/root/.config/gcloud/application_default_credentials.json'": False,
                  "DESCRIBE 'orders.csv'": False,
                  "SELECT NEXT VALUE FOR dbo.order_seq": False,
                  "SELECT order_seq.nextval": False,
                  "SELECT count(*) FROM (WITH RECURSIVE r AS (SELECT 1 AS n) SELECT n FROM r) s": False,
                  "SELECT * FROM accounts FOR SHARE": False,
                  "SELECT lower(name) FROM users WHERE id IN (1, 2)": True,
                  "SELECT CAST(price AS numeric(10,2)), price / (qty + 1) FROM orders": True,
                  "SELECT * FROM links WHERE url LIKE 'https://example.com/%'": True}
    assert {statement: _passes(rules, statement) for statement in statements} == statements
    permissive = argument_rules(schema, "permissive", "Run a read-only SQL query")
    assert len(permissive) == 1


def test_a_tool_for_writes_gets_its_writes_but_no_destructive_one() -> None:
    schema = {"type": "object", "properties": {"query": {"type": "string", "description": "SQL query to execute"}},
              "required": ["query"]}
    rules = argument_rules(schema, "recommended", "Execute an INSERT, UPDATE, or DELETE query on the SQLite database")
    statements = {"INSERT INTO notes (title) VALUES ('a')": True,
                  "UPDATE notes SET title = 'b' WHERE id = 1 ": True,
                  "INSERT INTO notes (title) VALUES ('a') ON CONFLICT (id) DO UPDATE SET title = 'a'": True,
                  "DELETE FROM notes": False, "DROP TABLE notes": False, "SELECT * FROM notes": False,
                  "INSERT INTO notes VALUES (1) DELETE FROM notes": False,
                  "UPDATE notes SET title = 'b'; DROP TABLE notes": False,
                  "INSERT INTO notes VALUES (1) -- x": False,
                  "INSERT INTO notes SELECT 1 FROM dblink_exec('db', 'DR' || 'OP TABLE notes CASCADE')": False,
                  "INSERT OR REPLACE INTO users (id, email) VALUES (99, 'admin@example.com')": False,
                  "INSERT INTO notes VALUES (1) WHILE 1=1 INSERT INTO notes VALUES (1)": False}
    assert {statement: _passes(rules, statement) for statement in statements} == statements
    table = {"type": "object", "properties": {"query": {"type": "string", "description": "CREATE TABLE SQL statement"}}}
    create = argument_rules(table, "recommended", "Create a new table in the SQLite database")
    assert _passes(create, "CREATE TABLE notes (id INTEGER, title TEXT)")
    assert _passes(create, "CREATE TABLE IF NOT EXISTS notes (id int, title varchar(20), PRIMARY KEY (id))")
    assert not _passes(create, "CREATE TABLE x AS SELECT pg_read_file('/etc/passwd')")
    assert not _matches(str(create[0].condition.value), "DROP TABLE notes")
    for profile in ("strict", "recommended"):  # a tool that reads as well as writes: read-only
        both = argument_rules(schema, profile, "Run a SELECT, INSERT or UPDATE query")
        assert [rule.check for rule in both] == ["", "no comment", "no write", "functions", "no file"]


def _snippet_patterns(slug: str, tool: str) -> list[str]:
    snippet = yaml.safe_load(yaml.safe_load((ATTACKS / f"{slug}.yaml").read_text(encoding="utf-8"))["intercept"])
    return [str(condition["value"]) for rule in snippet["tools"][tool]["rules"]
            for condition in rule.get("conditions", ()) if condition["op"] == "regex"]


def test_the_attack_pages_print_the_patterns_the_tool_pages_do() -> None:
    assert _snippet_patterns("sql-injection", "read_query") == [pattern for pattern, _, _ in sql.READ_SQL_CHECKS]
    assert _snippet_patterns("ssrf", "fetch") == [URL_PATTERN]
    assert _snippet_patterns("ssrf", "take_screenshot") == [URL_PATTERN]
