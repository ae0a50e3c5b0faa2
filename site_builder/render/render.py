"""Stage 4: HTML and text from templates compiled once.

* Autoescaping is on for every template; undefined names are errors.
* Catalogue text is data: it is passed to templates as values, never as
  template source.  Markdown from the catalogue (descriptions, rationales) is
  rendered and then cleaned by nh3 (the ammonia HTML sanitizer): no scripts,
  no event handlers, no `javascript:`/`data:` links, no styles.
* JSON inside `<script>` (JSON-LD, inline data) escapes `<`, `>`, `&` and the
  JavaScript line separators, so no text can close the script element.
* Markdown, bounded in cost: markdown_render.py.
* Templates are compiled once per template source: Jinja keeps them in the
  build cache (`templates/`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr
from markupsafe import Markup, escape

from ..content.config import SiteConfig
from ..content.json_text import compact_json
from ..content.one_line import OneLine
from .escaping import escape_text
from .markdown_render import MarkdownRenderer
from .theme import Shell

_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JSON_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
MAX_DEPTH = 6


def json_for_script(value: Any) -> Markup:
    """JSON safe inside <script> (JSON-LD, inline data)."""
    text = compact_json(value)
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return Markup(text)


def element_text(value: Any) -> Markup:
    """Text for an element's content (a `<pre>` of policy): `&`, `<` and `>` escaped, quotes kept as they are
    (they need escaping only in attribute values, where this filter must not be used)."""
    return Markup(html.escape(str(value), quote=False))


def xml_text(value: Any) -> str:
    """Text without the characters XML 1.0 forbids (even escaped); escaping is autoescape's."""
    return _XML_INVALID.sub("\ufffd", str(value))


def xml_escape(text: str) -> str:
    """&, < and > escaped, as XML text needs (what xml.sax.saxutils.escape does, without importing urllib)."""
    return html.escape(text, quote=False)


_PLAIN = OneLine(_XML_INVALID)


def plain(text: str | None, limit: int = 0) -> str:
    """One line of text (for meta descriptions, titles, llms.txt); past `limit` characters (0: none), cut
    with "…"."""
    return _PLAIN(text or "", limit)


@dataclass(frozen=True)
class RenderedPage:
    path: str  # output path relative to the site root, e.g. tools/x/y/index.html
    html: bytes  # UTF-8


_HTML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def valid_characters(text: str) -> str:
    """Characters HTML and XML forbid (controls, non-characters) become U+FFFD.

    Applied to every finished page and XML file: the chrome and the templates
    never contain such characters, so only catalogue text is changed."""
    return _HTML_INVALID.sub("\ufffd", text) if _HTML_INVALID.search(text) else text


# the ASCII characters of _HTML_INVALID; the others are C2 80-9F (U+0080-U+009F), EF B7 90-AF (U+FDD0-U+FDEF)
# and EF BF BE-BF (U+FFFE, U+FFFF) in UTF-8
_ASCII_INVALID = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def valid_utf8(text: str) -> bytes:
    """valid_characters(text) in UTF-8: the same bytes, found on the encoded text (a seventh of the time of
    the regular expression on a page, which is encoded to be written anyway)."""
    data = text.encode("utf-8")
    if len(data.translate(None, _ASCII_INVALID)) == len(data) and not _invalid_multibyte(data):
        return data
    return valid_characters(text).encode("utf-8")


def _invalid_multibyte(data: bytes) -> bool:
    """Whether UTF-8 `data` holds U+0080-U+009F or a non-character of _HTML_INVALID."""
    at = data.find(b"\xc2")
    while at >= 0:
        if data[at + 1] <= 0x9F:  # a continuation byte: 0x80 at least
            return True
        at = data.find(b"\xc2", at + 2)
    at = data.find(b"\xef")
    while at >= 0:
        second, third = data[at + 1], data[at + 2]
        if (second == 0xB7 and 0x90 <= third <= 0xAF) or (second == 0xBF and third >= 0xBE):
            return True
        at = data.find(b"\xef", at + 3)
    return False


class _OutputCodeGenerator(CodeGenerator):
    """Jinja's code generator, but for the values a template outputs where autoescaping is on: escaped by
    escape_text, not markupsafe.escape (see there).  Everything else is Jinja's."""

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class TemplateEnvironment(Environment):
    code_generator_class = _OutputCodeGenerator
    escape_text = staticmethod(escape_text)


# the file names of templates compiled by this code generator (Jinja's bytecode cache knows only their
# source and Jinja's version): code compiled by another build-site never runs here, nor this code there
_COMPILED_PATTERN = "build-site-1-%s.cache"


def make_environment(templates: Sequence[Path], compiled: Path | None = None) -> Environment:
    """The one Jinja environment; `compiled`: a folder where Jinja keeps templates it compiled (its own
    FileSystemBytecodeCache, keyed by each template's source, written atomically), so a build does not
    compile them again."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = TemplateEnvironment(
        loader=FileSystemLoader([str(folder) for folder in templates]),
        bytecode_cache=FileSystemBytecodeCache(str(compiled), _COMPILED_PATTERN) if compiled is not None else None,
        autoescape=select_autoescape(enabled_extensions=("html", "xml", "svg"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(md=MarkdownRenderer(), json_script=json_for_script, xml_text=xml_text,
                       element_text=element_text, plain=plain)
    return env


NO_INSTALL = "<command that starts the server: none is published; see its homepage>"


class Renderer:
    """Renders catalogue pages into the mkdocs-material chrome."""

    def __init__(self, config: SiteConfig, shell: Shell, templates: Sequence[Path], globals_: dict[str, Any]) -> None:
        self.config = config
        self.env = make_environment(templates, config.cache_dir / "templates")
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
        blocks = {name: "".join(compiled.blocks[name](ctx))
                  for name in ("title", "meta", "content", "scripts") if name in compiled.blocks}
        title = blocks.get("title", "").strip()
        rendered = self.shells[depth].render({
            "META": blocks.get("meta", ""),
            "TITLE": f"<title>{title} - {escape(self.config.site_name)}</title>" if url
                     else f"<title>{title}</title>",
            "HEADER_TITLE": title,
            "CONTENT": blocks.get("content", ""),
            "SCRIPTS": blocks.get("scripts", ""),
        })
        return RenderedPage(url + "index.html", valid_utf8(rendered))  # catalogue text may hold any character
