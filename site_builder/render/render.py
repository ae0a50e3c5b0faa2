"""Stage 4: HTML and text from templates compiled once.

* Autoescaping is on for every template; undefined names are errors.
* Catalogue text is data: it is passed to templates as values, never as
  template source.  Markdown from the catalogue (descriptions, rationales) is
  rendered and then cleaned by nh3 (the ammonia HTML sanitizer): no scripts,
  no event handlers, no `javascript:`/`data:` links, no styles.
* JSON inside `<script>` (JSON-LD, inline data) escapes `<`, `>`, `&` and the
  JavaScript line separators, so no text can close the script element.
* Python-Markdown is quadratic on some shapes of text (its issues #798 and
  #161: unclosed `[` each scan to the end of the paragraph; unclosed `<` make
  the HTML scanner re-read the text; the block parser splits long paragraphs
  line by line) and recursion fails on deeply nested lists.  Text whose
  estimated cost is past MarkdownLimits, or that Markdown fails on, is shown
  as escaped plain text instead.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import markdown
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..content.config import SiteConfig
from ..content.limits import env_size
from .markdown_prep import loose_lists
from .theme import Shell

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4", "h5", "h6",
    "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}, "code": set()}
URL_SCHEMES = {"http", "https", "mailto"}
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JSON_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
MAX_DEPTH = 6
# Text that Markdown would render as a single paragraph of itself: no line breaks, no
# characters with Markdown or HTML meaning, no block marker at the start.
_PLAIN_TEXT = re.compile(r"^(?![\s>#=+*-]|\d+[.)]\s)[^\n\r*_`\[\]<>#!|\\~{}&]*(?<!\s)$")


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

    @classmethod
    def from_environment(cls) -> MarkdownLimits:
        return cls(env_size("BUILD_SITE_MARKDOWN_MAX_CHARS", cls.max_chars),
                   env_size("BUILD_SITE_MARKDOWN_MAX_WORK", cls.max_work))


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
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
    indent), then, if the first line is still indented as code (a docstring
    with unindented lines appended), up to that indent is taken off every
    line; then stripped."""
    text = inspect.cleandoc(text.expandtabs(4)) if "\n" in text else text
    first = next((line for line in text.splitlines() if line.strip()), "")
    indent = len(first) - len(first.lstrip(" "))
    return (re.sub(f"(?m)^ {{1,{indent}}}", "", text) if indent >= 4 else text).strip()


def plain_paragraphs(text: str) -> Markup:
    """Text shown as it is: escaped, one paragraph per blank-line-separated block."""
    return Markup("\n").join(Markup("<p>") + escape(block.strip()) + Markup("</p>")
                             for block in _BLANK_LINE.split(text) if block.strip())


class MarkdownRenderer:
    """Markdown -> sanitized HTML; one converter per process, reset between uses.

    Text is dedented first (descriptions copied from indented docstrings are
    not code blocks); text past `limits` is shown as plain text (see module doc)."""

    def __init__(self, limits: MarkdownLimits | None = None) -> None:
        self.limits = limits or MarkdownLimits.from_environment()
        self._converter = self._new_converter()

    @staticmethod
    def _new_converter() -> markdown.Markdown:
        converter = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
        # descriptions fence their code; an indented block is a docstring's paragraph, never code
        converter.parser.blockprocessors.deregister("code")
        return converter

    def within_limits(self, text: str) -> bool:
        return len(text) <= self.limits.max_chars and markdown_work(text, self.limits.max_work) <= self.limits.max_work

    def __call__(self, text: str | None) -> Markup:
        text = dedent(text or "")
        if not text:
            return Markup("")
        if _PLAIN_TEXT.match(text):  # no Markdown syntax at all: one escaped paragraph
            return Markup("<p>") + escape(text) + Markup("</p>")
        if not self.within_limits(text):
            return plain_paragraphs(text)
        try:
            html = self._converter.reset().convert(loose_lists(text))
        except Exception:  # noqa: BLE001 - Python-Markdown fails on some input (RecursionError on deep lists)
            self._converter = self._new_converter()
            return plain_paragraphs(text)
        cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel="nofollow noopener noreferrer ugc", strip_comments=True,
                            attribute_filter=_absolute_links_only)
        return Markup(cleaned)


def json_for_script(value: Any) -> Markup:
    """JSON safe inside <script> (JSON-LD, inline data)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return Markup(text)


def xml_text(value: Any) -> str:
    """Text without the characters XML 1.0 forbids (even escaped); escaping is autoescape's."""
    return _XML_INVALID.sub("\ufffd", str(value))


def plain(text: str | None, limit: int = 0) -> str:
    """One line of text (for meta descriptions, titles, llms.txt)."""
    flat = " ".join(_XML_INVALID.sub(" ", text or "").split())
    if limit and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


@dataclass(frozen=True)
class RenderedPage:
    path: str  # output path relative to the site root, e.g. tools/x/y/index.html
    html: str


_HTML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def valid_characters(text: str) -> str:
    """Characters HTML and XML forbid (controls, non-characters) become U+FFFD.

    Applied to every finished page and XML file: the chrome and the templates
    never contain such characters, so only catalogue text is changed."""
    return _HTML_INVALID.sub("\ufffd", text) if _HTML_INVALID.search(text) else text


def make_environment(templates: Sequence[Path]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(folder) for folder in templates]),
        autoescape=select_autoescape(enabled_extensions=("html", "xml", "svg"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(md=MarkdownRenderer(), json_script=json_for_script, xml_text=xml_text, plain=plain)
    return env


NO_INSTALL = "<command that starts the server: none is published; see its homepage>"


class Renderer:
    """Renders catalogue pages into the mkdocs-material chrome."""

    def __init__(self, config: SiteConfig, shell: Shell, templates: Sequence[Path], globals_: dict[str, Any]) -> None:
        self.config = config
        self.env = make_environment(templates)
        self.env.globals.update(globals_)
        self.env.globals.update(no_install=NO_INSTALL)
        self.env.globals.update(site_name=config.site_name, site_url=config.site_url,
                                site_description=config.site_description)
        macros = self.env.get_template("macros.html").make_module()
        self.env.globals.update({name: getattr(macros, name) for name in dir(macros) if not name.startswith("_")})
        self.shells = [shell.for_depth(depth) for depth in range(MAX_DEPTH + 1)]

    def text(self, template: str, **context: Any) -> str:
        """A non-HTML file (XML, text) from a template."""
        return valid_characters(self.env.get_template(template).render(**context))

    def page(self, template: str, url: str, **context: Any) -> RenderedPage:
        """An HTML page at `url` ('' for the home page, 'tools/a/b/' ...)."""
        depth = url.count("/")
        compiled = self.env.get_template(template)
        values = {"root": "../" * depth or "./", "url": url, "canonical": self.config.site_url + url, **context}
        ctx = compiled.new_context(values)
        # only the blocks carry catalogue text: the chrome never holds a forbidden character (site_name is
        # checked below), so the check runs on the blocks, not on the whole page
        blocks = {name: valid_characters("".join(compiled.blocks[name](ctx)))
                  for name in ("title", "meta", "content", "scripts") if name in compiled.blocks}
        title = blocks.get("title", "").strip()
        rendered = self.shells[depth].render({
            "META": blocks.get("meta", ""),
            "TITLE": f"<title>{title} - {valid_characters(str(escape(self.config.site_name)))}</title>" if url
                     else f"<title>{title}</title>",
            "HEADER_TITLE": title,
            "CONTENT": blocks.get("content", ""),
            "SCRIPTS": blocks.get("scripts", ""),
        })
        return RenderedPage(url + "index.html", rendered)
