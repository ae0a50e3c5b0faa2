"""What a SQL argument must be, as RE2 patterns: a read-only statement, or the writes its tool is for.

Read-only SQL (the strict profile, and the recommended one unless the tool is
for writing) is five conditions, each a pattern the statement must match:

- one SELECT, SHOW or DESCRIBE statement (no `;` inside it);
- no comment (`--`, `/*`, `#`): a comment can stand between a function's
  name and its parenthesis, where the function check would not see it;
- no word that writes, locks, loops or starts another statement: `INTO`
  (`SELECT ... INTO new_table`, `INTO OUTFILE`), `UPDATE` and `SHARE` (row
  locks), `UESCAPE` (`U&"f" UESCAPE '!'` is the name f), and the statements
  T-SQL runs back to back without a `;` (`SELECT 1 EXEC ...`);
- a parenthesis only after a listed function, keyword or type, or after
  punctuation other than `'`, a `//` comment or a control character:
  `count(`, `in (`, `numeric(10,2)`, `a / (b)`, but not
  `pg_terminate_backend(`, `lo_export(`, `load_file(`, `dblink_exec(` or any
  user-defined function.  A qualified name (`myschema.count(`) or a quoted
  one (`"count"(`) is one word, not listed;
- no string literal after FROM, JOIN, DESCRIBE or SUMMARIZE (DuckDB reads a
  file so named).

A tool whose own words name only the writes it runs ("Execute an INSERT,
UPDATE, or DELETE query", "CREATE TABLE SQL statement") gets, in the
recommended profile, one statement of those kinds but the destructive ones
(DELETE, DROP, TRUNCATE, ALTER), with no comment, no other statement's words
nor REPLACE, and the function check (a column list after a table's name
allowed): a read-only rule would refuse every call it is for.  The
permissive profile asks for one statement.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from .patterns import LETTERS_DIGITS, char_class, words_except, words_of

# Characters SQL reads as part of a word: letters, digits, `_`, `$`, `.` (a qualified name is one word here),
# quotes and brackets (a quoted name is one word), and every non-ASCII character (PostgreSQL's lexer and
# MySQL's read them as letters).
SQL_WORD_ASCII = string.ascii_letters + string.digits + "_$.\"`[]"
SQL_WRITE_WORDS = (  # words that write, lock, loop or start another statement (T-SQL runs them without a `;`)
    "into", "update", "share", "insert", "delete", "merge", "drop", "create", "alter", "truncate", "grant", "revoke",
    "deny", "exec", "execute", "call", "backup", "restore", "bulk", "dbcc", "kill", "shutdown", "waitfor",
    "reconfigure", "begin", "commit", "rollback", "use", "set", "while", "declare", "next", "nextval",
    "recursive", "uescape",  # NEXT VALUE FOR, seq.nextval; a recursive CTE need not end; U&"f" UESCAPE '!' is f
)
# Words a `(` may follow: read-only functions common to PostgreSQL, MySQL and SQLite, and keywords.
SQL_CALLABLE_WORDS = (
    # aggregates and window functions
    "count", "sum", "avg", "min", "max", "total", "array_agg", "string_agg", "group_concat", "json_agg",
    "jsonb_agg", "json_object_agg", "bool_and", "bool_or", "every", "stddev", "stddev_pop", "stddev_samp",
    "variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc", "mode", "median", "row_number",
    "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value",
    "nth_value",
    # scalar functions
    "coalesce", "nullif", "ifnull", "isnull", "nvl", "if", "iif", "greatest", "least", "cast", "convert",
    "extract", "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length",
    "substr", "substring", "trim", "ltrim", "rtrim", "btrim", "replace", "concat", "concat_ws", "left",
    "right", "lpad", "rpad", "position", "strpos", "instr", "locate", "split_part", "reverse", "repeat",
    "format", "printf", "quote", "hex", "abs", "round", "ceil", "ceiling", "floor", "trunc", "mod", "power",
    "pow", "sqrt", "exp", "ln", "log", "log10", "sign", "now", "date", "time", "datetime", "julianday",
    "strftime", "unixepoch", "date_trunc", "date_part", "date_format", "to_char", "to_date", "to_timestamp",
    "to_number", "age", "year", "month", "day", "hour", "minute", "second", "timestamp", "typeof",
    "json_extract", "json_array_length", "jsonb_array_length", "json_build_object", "jsonb_build_object",
    "json_object", "json_array", "to_json", "to_jsonb", "jsonb_extract_path", "jsonb_extract_path_text",
    "array_length", "cardinality", "unnest", "regexp_replace", "regexp_like", "regexp_substr", "md5",
    "date_add", "date_sub", "datediff", "date_diff", "dateadd", "getdate", "curdate", "str_to_date", "last_day",
    # types a cast takes with a size: numeric(10,2)
    "numeric", "decimal", "varchar", "char", "character", "varying", "nvarchar", "float",
    # keywords a parenthesis follows
    "select", "from", "join", "on", "using", "where", "and", "or", "not", "in", "exists", "any", "all", "some",
    "as", "over", "by", "filter", "within", "having", "union", "intersect", "except", "lateral", "values",
    "case", "when", "then", "else", "between", "like", "ilike", "is", "distinct", "array", "row", "limit",
    "offset", "interval", "with", "partition", "order", "group", "escape", "top",
)


_NOT_WORD_OR_PAREN = char_class(SQL_WORD_ASCII + "(", non_ascii=True, negate=True)
# Punctuation a `(` may follow: not a word character, space, `(`, control character (SQL Server may read one as a
# space), `'` (PostgreSQL's `U&"f" UESCAPE '!'` names f) or `/` (a `//` comment in Snowflake), which has its own rule.
_PUNCTUATION = char_class(SQL_WORD_ASCII + "('/ \x7f" + "".join(map(chr, range(32))), non_ascii=True, negate=True)
_SPACE_CHARS = r"\t\n\v\f\r "  # what SQL reads as space (RE2's \s leaves out \v)
_SPACE = "[" + _SPACE_CHARS + "]"
_SPACES = _SPACE + "*"


def one_statement(shapes: str) -> str:
    """One statement that starts with one of `shapes` (an alternation), with no `;` but at its end."""
    return r"(?is)^\s*(?:" + shapes + r")\s[^;]*;?\s*$"


READ_SQL_PATTERN = one_statement("select|show|describe")  # no EXPLAIN: EXPLAIN ANALYZE runs it
SINGLE_SQL_PATTERN = r"(?s)^[^;]*;?\s*$"
# A run of `-` and `/` never holds `--`; after a `/` no `*`; no `#` anywhere.
SQL_NO_COMMENT_PATTERN = r"^(?:[^-/#]|(?:-?/)+[^-/*#]|(?:-?/)*-[^-/#])*(?:-?/)*-?$"


@lru_cache(maxsize=None)
def no_write_words_pattern(allowed: tuple[str, ...] = (), banned_too: tuple[str, ...] = ()) -> str:
    """No word of SQL_WRITE_WORDS but `allowed`, nor of `banned_too`.  A word here is letters, digits and `_`
    (`\\w`): shorter than the database's words (`t.update` is two), so it finds more of them, never fewer."""
    banned = [word for word in SQL_WRITE_WORDS + banned_too if word not in allowed]
    return r"^\W*(?:" + words_except(banned, LETTERS_DIGITS, non_ascii=False) + r"(?:\W+|$))*$"


SQL_NO_WRITE_WORD_PATTERN = no_write_words_pattern()


@lru_cache(maxsize=None)
def calls_pattern(also: tuple[str, ...] = (), before_name: tuple[str, ...] = ()) -> str:
    """A `(` only where each stretch before it ends, spaces aside: in punctuation; in one `/` (a division, not
    `//`); in a listed word standing alone (SQL_CALLABLE_WORDS and `also`); or in a name right after one of
    `before_name` (`INTO notes (`, `TABLE notes (`)."""
    ends = ["(?:[^(]*" + _PUNCTUATION + ")?", "(?:[^(]*[^/(])?/",
            "(?:[^(]*" + _NOT_WORD_OR_PAREN + ")?" + words_of(SQL_CALLABLE_WORDS + also)]
    if before_name:
        ends.append("(?:[^(]*" + _NOT_WORD_OR_PAREN + ")?" + words_of(before_name) + _SPACE + "+"
                    + char_class(SQL_WORD_ASCII, non_ascii=True) + "+")
    return "^(?:(?:" + "|".join(ends) + ")" + _SPACES + r"\()*[^(]*$"


SQL_CALLS_PATTERN = calls_pattern()
# DuckDB reads a file named as a table (`FROM '/root/.aws/credentials'`, `DESCRIBE 'x.csv'`): no string literal
# right after FROM, JOIN, DESCRIBE or SUMMARIZE.  A stretch before each `'` ends, spaces aside, in punctuation or
# in another word.
FILE_WORDS = ("from", "join", "describe", "summarize")
_BEFORE_QUOTE = (r"(?:(?:[^']*[^\w" + _SPACE_CHARS + r"'])?|(?:[^']*[^\w'])?"
                 + words_except(FILE_WORDS, LETTERS_DIGITS, non_ascii=False) + ")" + _SPACES)
SQL_NO_FILE_PATTERN = "^(?:" + _BEFORE_QUOTE + "')*[^']*$"
SqlCheck = tuple[str, str, str]  # (pattern, what the statement must be, the rule's name for it)
NO_COMMENT: SqlCheck = (SQL_NO_COMMENT_PATTERN, "may not hold a comment (--, /*, #)", "no comment")
READ_SQL_CHECKS: tuple[SqlCheck, ...] = (
    (READ_SQL_PATTERN, "must be one read-only statement (SELECT, SHOW, DESCRIBE)", ""),
    NO_COMMENT,
    (SQL_NO_WRITE_WORD_PATTERN, "may not use INTO, UPDATE, SHARE, NEXT, RECURSIVE or a word that starts a "
     "statement that writes, runs code, holds a transaction or loops (INSERT, DELETE, EXEC, BEGIN, WHILE...)",
     "no write"),
    (SQL_CALLS_PATTERN, "may call only common read-only functions (count, sum, lower, coalesce...), not one that "
     "writes, reads files or ends sessions", "functions"),
    (SQL_NO_FILE_PATTERN, "may not name a file as a table (FROM 'file.csv')", "no file"),
)
# The writes a tool may be for, as its own words name them (upper case, as SQL is written), with their words.
WRITE_STATEMENTS = {"INSERT": ("insert", "into"), "UPDATE": ("update", "set"), "CREATE TABLE": ("create",),
                    "CREATE INDEX": ("create",), "CREATE VIEW": ("create",)}
# What a write may put a `(` after besides a function: a column list after a table's name, a type's size, a key.
WRITE_CALLABLE = ("key", "unique", "check", "primary", "integer", "int", "bigint", "text", "boolean", "real")
NAME_BEFORE_COLUMNS = ("into", "table", "on", "references", "exists")
_NAMED = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE +(?:TABLE|INDEX|VIEW)|DROP|TRUNCATE|ALTER)\b")


def named_statements(text: str) -> frozenset[str]:
    """The SQL statements `text` names in upper case: "Execute an INSERT, UPDATE, or DELETE query"."""
    return frozenset(" ".join(found.split()) for found in _NAMED.findall(text[:4000]))


def sql_checks(profile: str, text: str) -> tuple[SqlCheck, ...]:
    """The conditions a SQL argument gets in `profile`; `text`: the tool's and the argument's descriptions."""
    if profile == "permissive":
        return ((SINGLE_SQL_PATTERN, "must hold no ; but at its end (one statement; SQL Server runs statements "
                 "written one after another, which this profile does not check)", ""),)
    named = named_statements(text)
    writes = [statement for statement in WRITE_STATEMENTS if statement in named]
    if profile != "recommended" or not writes or "SELECT" in named:
        return READ_SQL_CHECKS
    own_words = tuple(sorted({word for statement in writes for word in WRITE_STATEMENTS[statement]}))
    banned_too = ("replace",)  # SQLite's INSERT OR REPLACE deletes the row it replaces, cascades included
    shapes = "|".join(r"\s+".join(statement.lower().split()) for statement in writes)
    listed = " or ".join(writes)
    return ((one_statement(shapes), f"must be one {listed} statement (no DELETE, DROP "
             "or other destructive statement)", ""),
            NO_COMMENT,
            (no_write_words_pattern(own_words, banned_too), f"may not use a word of another statement than {listed} "
             "(DELETE, DROP, EXEC...) nor REPLACE", "no other statement"),
            (calls_pattern(WRITE_CALLABLE, NAME_BEFORE_COLUMNS), "may call only common read-only functions (count, "
             "lower, coalesce...), not one that writes elsewhere, reads files or ends sessions", "functions"))
