"""The page chrome in fewer bytes: it is repeated on every catalogue page.

Done once per build on the chrome mkdocs-material rendered (theme.py), never
on catalogue text:

* whitespace runs become one character (browsers show a run outside `<pre>`,
  `<textarea>` and `white-space: pre` as one); scripts, styles, comments and
  quoted attribute values are kept as they are, and a chrome that holds a
  `<pre>` or `<textarea>` is not changed at all;
* an inline icon drawn twice is drawn the second time from the first
  (`<use href="#...">`);
* inline scripts that are the same on every page (the palette and tab
  scripts) become files, loaded where they were (`<script src>`, not
  deferred: they run at the same point, and are cached after the first page).
"""

from __future__ import annotations

import hashlib
import re

_VERBATIM = re.compile(r"<(script|style|pre|textarea)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_IN_TAG = re.compile(r"""("[^"]*"|'[^']*')|\s+(/?>)?""")
_SPACE = re.compile(r"\s+")
_SVG = re.compile(r"(<svg\b[^>]*>)(.*?)(</svg>)", re.S)


def _collapse(text: str) -> str:
    """Each whitespace run of text outside tags as one character: a newline if it held one, else a space."""
    return _SPACE.sub(lambda m: "\n" if "\n" in m.group() else " ", text)


def _compact_markup(html: str) -> str:
    """Markup without scripts, styles or comments: text whitespace collapsed, tags' attribute spacing too."""
    out, at = [], 0
    for tag in _TAG.finditer(html):
        out.append(_collapse(html[at:tag.start()]))
        out.append(_IN_TAG.sub(lambda m: m.group(1) or m.group(2) or " ", tag.group()))
        at = tag.end()
    out.append(_collapse(html[at:]))
    return "".join(out)


def _shared_icons(html: str) -> str:
    """An inline SVG repeated in the chrome is drawn again from its first copy with `<use>`."""
    first: dict[str, str] = {}

    def once(match: re.Match[str]) -> str:
        whole, inner = match.group(), match.group(2)
        if whole not in first:
            first[whole] = f"sb-icon-{len(first) + 1}"
            if html.count(whole) == 1:
                return whole
            return f'{match.group(1)}<g id="{first[whole]}">{inner}</g>{match.group(3)}'
        return f'{match.group(1)}<use href="#{first[whole]}"/>{match.group(3)}'

    return _SVG.sub(once, html)


def compact(html: str) -> str:
    """The chrome as it renders, in fewer bytes.

    Browsers show a whitespace run outside `<pre>`, `<textarea>` and
    `white-space: pre` the same as one character, so such runs become one
    (scripts, styles and comments are kept as they are).  A chrome with a
    `<pre>` or `<textarea>` is returned unchanged: its whitespace may show."""
    if re.search(r"<(pre|textarea)\b", html, re.I):
        return html
    out, at = [], 0
    for kept in _VERBATIM.finditer(html):
        out.append(_compact_markup(html[at:kept.start()]))
        out.append(kept.group())
        at = kept.end()
    out.append(_compact_markup(html[at:]))
    return _shared_icons("".join(out))


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
SCRIPTS_FOLDER = "assets/build-site/"
MOVE_SCRIPTS_FROM = 300  # characters: shorter scripts cost less inline than a request


def move_scripts(pieces: tuple[str, ...], root: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """The pieces with their long inline scripts loaded from files, and those files (path -> text).

    A script that holds the `root` placeholder differs with the page's depth: it stays inline."""
    files: dict[str, str] = {}

    def move(match: re.Match[str]) -> str:
        body = match.group(1)
        if len(body) < MOVE_SCRIPTS_FROM or root in body:
            return match.group()
        path = f"{SCRIPTS_FOLDER}chrome-{hashlib.sha256(body.encode()).hexdigest()[:12]}.js"
        files[path] = body + "\n"
        return f'<script src="{root}{path}"></script>'

    return tuple(_INLINE_SCRIPT.sub(move, piece) for piece in pieces), files
