"""Markdown from the catalogue (descriptions, rationales) as sanitized HTML, bounded in cost.

Rendered by cmark-gfm (GitHub's CommonMark implementation, through cmarkgfm,
which PyPI uses for READMEs): descriptions are written for GitHub and for
models that read GitHub Markdown, so they render as their authors saw them
(a list right after a line of text, two-space nested lists, `Map<K, V>` kept
as text), with GitHub's tables and strikethrough; bare URLs are not made into
links.  It is linear in its input but for tables, and nine times faster than
Python-Markdown was on real descriptions (0.05 against 0.45 ms).  Then nh3
(the ammonia HTML sanitizer) cleans the HTML: no scripts, no event handlers,
no `javascript:`/`data:` links, no styles.  Text past MarkdownLimits (the
bounds once set for Python-Markdown's quadratic shapes, kept as they cost
nothing, and a bound on tables' cells) or that cannot be UTF-8 (a lone
surrogate) is shown as escaped plain text instead.
"""

from __future__ import annotations

import html as html_lib
import inspect
import re
from dataclasses import dataclass

import cmarkgfm  # type: ignore[import-untyped]
import nh3
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from ..content.limits import env_size
from .escaping import escape_specials

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4", "h5", "h6",
    "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}, "code": set()}
URL_SCHEMES = {"http", "https", "mailto"}
# Text that Markdown would render as a single paragraph of itself: no line breaks, no
# characters with Markdown or HTML meaning, no block marker at the start ("0." alone is a list).
_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SOURCEPOS  # raw HTML goes to nh3, which keeps what is allowed
# GitHub's tagfilter shows <style>, <script>, <textarea>, <title> and the like as text (an element nh3 drops
# would take the rest of a description with it)
_EXTENSIONS = ["table", "strikethrough", "tagfilter"]
_PLAIN_TEXT = re.compile(r"^(?![\s>#=+*-]|\d+[.)](?:\s|$))[^\n\r*_`\[\]<>#!|\\~{}&]*(?<!\s)$")


def _absolute_links_only(element: str, attribute: str, value: str) -> str | None:
    """Untrusted text may link out (http, https, mailto), never into our own site."""
    if attribute == "href" and not value.lower().startswith(("https://", "http://", "mailto:")):
        return None
    return value


@dataclass(frozen=True)
class MarkdownLimits:
    """Past these, text is not parsed as Markdown but shown as escaped plain text.

    `max_work` bounds markdown_work(): about 0.1 s of Python-Markdown at most."""

    max_chars: int = 20_000  # the catalogue's longest text field
    max_work: int = 500_000
    max_nesting: int = 16  # lists and quotes inside each other (real descriptions nest 3 deep at most)
    max_table_cells: int = 10_000  # GitHub tables fill every row to the header's width (table_cells)

    @classmethod
    def from_environment(cls) -> MarkdownLimits:
        return cls(env_size("BUILD_SITE_MARKDOWN_MAX_CHARS", cls.max_chars),
                   env_size("BUILD_SITE_MARKDOWN_MAX_WORK", cls.max_work))


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# a line's indent and the list items and quotes it opens ("1. 1. - x" opens three)
_NESTING = re.compile(r"^([ \t]*)((?:(?:[-*+>]|\d{1,9}[.)])(?:[ \t]+|$))+)", re.MULTILINE)
_MARKER = re.compile(r"[-*+>]|\d{1,9}[.)]")


# a GitHub table's delimiter row: cells of dashes (colons for alignment), split by pipes
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$", re.MULTILINE)


def table_cells(text: str) -> int:
    """How many cells the tables in `text` can make, at most: each delimiter row's columns times the lines
    up to the next blank line (cmark-gfm fills every row of a table out to its header's width, so 17 KB of
    a wide header over short rows made 20 MB of cells in 3 s)."""
    cells = 0
    for row in _TABLE_DELIMITER.finditer(text):
        blank = _BLANK_LINE.search(text, row.end())
        rows = text.count("\n", row.end(), blank.start() if blank else len(text)) + 1
        cells += (row.group().count("|") + 1) * rows
    return cells


def markdown_nesting(text: str) -> int:
    """How deep lists and block quotes nest in `text`, at most: the markers a line opens, plus its indent
    in steps of two spaces (the least a nested list needs)."""
    deepest = 0
    for match in _NESTING.finditer(text):
        indent = len(match.group(1).expandtabs(4)) // 2
        deepest = max(deepest, indent + len(_MARKER.findall(match.group(2))))
    return deepest
_BRACKETS = re.compile(r"[\[\]()]")
_ANGLES = re.compile(r"[<>]")


def markdown_work(text: str, budget: int = 0) -> int:
    """An estimate of Python-Markdown's work on `text`, in characters re-read (stops once past `budget`).

    Each `[` scans to its matching `]` (or the end of its paragraph), a link's
    `(` to its `)`; each `<` to the next `>` (or the end of the text), at a
    quarter of the cost; and a paragraph of n lines costs n*n/10."""
    work = 0
    if "<" in text:
        count = total = 0  # the unclosed `<`: how many, and the sum of their positions
        for match in _ANGLES.finditer(text):
            if match.group() == "<":
                count, total = count + 1, total + match.start()
            else:
                work += (count * match.start() - total) // 4
                count = total = 0
        work += (count * len(text) - total) // 4
    for block in _BLANK_LINE.split(text):
        lines = block.count("\n") + 1
        work += lines * lines // 10 + (_link_work(block) if "[" in block else 0)
        if budget and work > budget:
            break
    return work


def _link_work(block: str) -> int:
    work, opens, parens = 0, [], []  # open `[`; open `(` with whether it follows a `]` (a link's target)
    for match in _BRACKETS.finditer(block):
        char, at = match.group(), match.start()
        if char == "[":
            opens.append(at)
        elif char == "]" and opens:
            work += at - opens.pop()
        elif char == "(":
            parens.append((at, at > 0 and block[at - 1] == "]"))
        elif char == ")" and parens:
            start, link = parens.pop()
            work += at - start if link else 0
    return work + sum(len(block) - at for at in opens) + sum(len(block) - at for at, link in parens if link)


def dedent(text: str) -> str:
    """Text copied from an indented docstring, as its author meant it: not a code block.

    inspect.cleandoc (a docstring's first line is flush, the rest share an
    indent of 4 or more: less is a list item's continuation), then, if the
    first line is still indented as code (a docstring with unindented lines
    appended), up to that indent is taken off every line; then stripped."""
    if "\n" in text:
        text = text.expandtabs(4)
        text = inspect.cleandoc(text) if _later_indent(text) >= 4 else text
    first = next((line for line in text.splitlines() if line.strip()), "")
    indent = len(first) - len(first.lstrip(" "))
    return (re.sub(f"(?m)^ {{1,{indent}}}", "", text) if indent >= 4 else text).strip()


def _later_indent(text: str) -> int:
    """The indent the lines after the first share (blank lines aside): 4 or more is a docstring's, less a
    list item's continuation, which Markdown needs as it is."""
    return min((len(line) - len(line.lstrip(" ")) for line in text.split("\n")[1:] if line.strip()), default=0)


def plain_paragraphs(text: str) -> Markup:
    """Text shown as it is: escaped, one paragraph per blank-line-separated block."""
    return Markup("\n").join(Markup("<p>") + escape(block.strip()) + Markup("</p>")
                             for block in _BLANK_LINE.split(text) if block.strip())


class MarkdownRenderer:
    """Markdown -> sanitized HTML.

    Text is dedented first (descriptions copied from indented docstrings are
    not code blocks); text past `limits` is shown as plain text (see module doc)."""

    def __init__(self, limits: MarkdownLimits | None = None) -> None:
        self.limits = limits or MarkdownLimits.from_environment()

    def within_limits(self, text: str) -> bool:
        return (len(text) <= self.limits.max_chars and markdown_work(text, self.limits.max_work) <= self.limits.max_work
                and markdown_nesting(text) <= self.limits.max_nesting
                and ("-" not in text or table_cells(text) <= self.limits.max_table_cells))

    def __call__(self, text: str | None) -> Markup:
        text = dedent(text or "")
        if not text:
            return Markup("")
        if _PLAIN_TEXT.match(text):  # no Markdown syntax at all: one escaped paragraph
            return Markup(f"<p>{escape_specials(text)}</p>")
        if not self.within_limits(text):
            return plain_paragraphs(text)
        try:
            html = markdown_html(text)
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, which cmark reads
            return plain_paragraphs(text)
        cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel="nofollow noopener noreferrer ugc", strip_comments=True,
                            attribute_filter=_absolute_links_only)
        return Markup(cleaned)


_CODE_BLOCK = re.compile(r'<pre data-sourcepos="(\d+):(\d+)-\d+:\d+"><code>(.*?)</code></pre>', re.S)
_FENCES = (b"```", b"~~~")


def markdown_html(text: str) -> str:
    """cmark-gfm's HTML of `text`, before it is sanitized (which drops the `data-sourcepos` attributes).

    Code blocks only where the author fenced them (```): a block indented
    four spaces is a docstring's paragraph, so it is shown as one (its text
    as cmark escaped it; cmark's source positions tell it from a fenced
    block without a language)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    html: str = cmarkgfm.markdown_to_html_with_extensions(text, options=_OPTIONS, extensions=_EXTENSIONS)
    if "<pre" not in html:
        return html
    lines = text.split("\n")

    def unfenced_as_paragraph(block: re.Match[str]) -> str:
        first, column = int(block[1]), int(block[2])
        line = lines[first - 1].encode("utf-8", "surrogatepass") if first <= len(lines) else b""
        rest = line[column - 1:]  # a fence, or an indented block's first line (which can start as a fence)
        fenced = rest.startswith(_FENCES) and html_lib.unescape(block[3]).split("\n", 1)[0].encode(
            "utf-8", "surrogatepass") != rest
        return block[0] if fenced else f"<p>{block[3].rstrip()}</p>"

    return _CODE_BLOCK.sub(unfenced_as_paragraph, html)
