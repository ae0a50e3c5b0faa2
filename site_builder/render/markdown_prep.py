"""Tool descriptions written the way chat tools read Markdown, made readable by Python-Markdown.

Descriptions are written for language models and GitHub, which start a list
right after a line of text ("Requirements:\n- Show output").  Python-Markdown
needs a blank line there, or the items run into the paragraph as "- a - b".
The text is otherwise left exactly as written (fenced code untouched).
"""

from __future__ import annotations

import re

_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,3}[.)]) \S")
_FENCE = re.compile(r" {0,3}(?:```|~~~)")


def loose_lists(text: str) -> str:
    """A blank line before each list that follows a line of text, outside fenced code."""
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _ITEM.match(line) and out and out[-1].strip() and not _ITEM.match(out[-1]) \
                and not out[-1].startswith((" ", "\t")):
            out.append("")
        out.append(line)
    return "\n".join(out)
