"""What Go's regexp parser refuses in a pattern that C++ RE2 accepts (see re2syntax.py).

`\\C`, capture names with other than `[A-Za-z0-9_]`, and a parse tree too
high (over MAX_HEIGHT levels) or a program too large (over MAX_SIZE
instructions): the pattern is walked as Go's parser builds its tree, with
each node's size and height as Go's calcSize and calcHeight count them.
"""

from __future__ import annotations

import re

MAX_HEIGHT = 1000  # Go's maxHeight
MAX_SIZE = (128 << 20) // 40  # Go's maxSize: 128 MB of 40-byte instructions
_REPEAT = re.compile(r"\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}")  # Go's parseRepeat; else `{` is literal
_CAPTURE_NAME = re.compile(r"[A-Za-z0-9_]+")

# The shape of a parse-tree node, as Go's parser builds it: (kind, size, height, count).
# kind: "lit" (count runes, merged as Go merges them), "char" (a class, `.` or one rune),
# "cat", "alt" (count alternatives), "emp" or "op"; size and height as Go's calcSize/calcHeight.
Node = tuple[str, int, int, int]
_EMPTY: Node = ("emp", 1, 1, 0)
_CHAR: Node = ("char", 1, 1, 0)
_RUNE: Node = ("lit", 1, 1, 1)
_OP: Node = ("op", 1, 1, 0)


def go_refusal(pattern: str) -> str | None:
    """Why Go refuses `pattern`, which C++ RE2 has parsed (None: Go accepts it too)."""
    try:
        _Shape(pattern).check()
    except _Refused as refused:
        return str(refused)
    except (IndexError, ValueError):  # pragma: no cover - RE2 accepted it, so the walk cannot fail
        pass
    return None


class _Refused(Exception):
    """What Go refuses in a pattern C++ RE2 accepts."""


def _concat(items: list[Node]) -> Node:
    if len(items) >= 2 and items[-1][0] == items[-2][0] == "lit":
        items[-2:] = [("lit", items[-2][1] + items[-1][1], 1, items[-2][3] + items[-1][3])]
    if len(items) <= 1:
        return items[0] if items else _EMPTY
    # (?:ab)c is one flat concatenation in Go: a "cat" item adds its children
    height = max(node[2] - 1 if node[0] == "cat" else node[2] for node in items)
    return ("cat", sum(node[1] for node in items), height + 1, 0)


def _alternate(alts: list[Node]) -> Node:
    if len(alts) == 1:
        return alts[0]
    size = height = count = 0
    last = ""
    for node in alts:
        kind = "char" if node[0] == "lit" and node[3] == 1 else node[0]
        if kind == last and kind in ("char", "emp"):
            continue  # Go merges neighbouring characters into one class, neighbouring empties into one
        last = kind
        if kind == "alt":  # (?:a|b)|c is flattened to a|b|c
            size, height, count = size + node[1] - node[3] + 1, max(height, node[2] - 1), count + node[3]
        else:
            size, height, count = size + node[1], max(height, node[2]), count + 1
    if count == 1:
        return _CHAR if last == "char" else _EMPTY
    return ("alt", size + count - 1, height + 1, count)


def _escape_end(s: str, i: int) -> int:
    """The index after the escape whose backslash is s[i] (a class like \\pL or one character)."""
    c = s[i + 1]
    if c in "pPx":  # \p{Greek} \pL \x{263a} \x41
        return s.index("}", i) + 1 if s[i + 2] == "{" else i + (4 if c == "x" else 3)
    end = i + 2
    if c in "01234567":  # up to three octal digits
        while end < min(i + 4, len(s)) and s[end] in "01234567":
            end += 1
    return end


def _class_end(s: str, i: int) -> int:
    """The index after the character class whose `[` is s[i] (as Go's parseClass reads it)."""
    i += 2 if s.startswith("^", i + 1) else 1
    first = True  # `]` first in a class is a literal
    while first or s[i] != "]":
        first = False
        if s.startswith("[:", i) and (end := s.find(":]", i + 2)) >= 0:
            i = end + 2
        elif s[i] == "\\":
            i = _escape_end(s, i)
        else:
            i += 1
    return i + 1


class _Shape:
    """Walks a pattern RE2 accepted as Go's parser does, for the checks RE2 does not make."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0
        self.frames: list[tuple[bool, list[Node], list[Node]]] = [(False, [], [])]  # (capturing, alts, items)
        self.allocated = 0  # Go's numRegexp, roughly: nodes the parser allocates
        self.repeats = 1  # Go's product of counted repeats, capped at MAX_SIZE

    def push(self, node: Node) -> None:
        items = self.frames[-1][2]
        if len(items) >= 2 and items[-1][0] == items[-2][0] == "lit":  # Go merges literals one push late
            items[-2:] = [("lit", items[-2][1] + items[-1][1], 1, items[-2][3] + items[-1][3])]
        else:
            self.allocated += 1
        items.append(node)

    def repeat(self, op: str, low: int = 0, high: int = 0) -> None:
        items = self.frames[-1][2]
        sub = items.pop()
        if op in "*+?":
            size = sub[1] + (2 if op == "*" else 1)
        else:
            count = high if high >= 0 else low
            self.repeats = MAX_SIZE if max(count, 1) > MAX_SIZE // self.repeats else self.repeats * max(count, 1)
            if high < 0:
                size = 2 + sub[1] if low == 0 else 1 + low * sub[1]
            else:
                size = high * sub[1] + high - low
        items.append(("op", max(size, 1), sub[2] + 1, 0))
        self.allocated += 1
        if self.s.startswith("?", self.i):  # non-greedy
            self.i += 1

    def open_group(self) -> None:
        s, i = self.s, self.i
        if not s.startswith("(?", i):
            self.frames.append((True, [], []))
            self.i += 1
        elif s.startswith("(?P<", i) or s.startswith("(?<", i):
            end = s.index(">", i)
            start = i + (4 if s[i + 2] == "P" else 3)
            if not _CAPTURE_NAME.fullmatch(s[start:end]):  # C++ RE2 also takes non-ASCII letters
                raise _Refused(f"invalid named capture: {s[i:end + 1]} (Go allows only A-Z, a-z, 0-9 and _ in names)")
            self.frames.append((True, [], []))
            self.i = end + 1
        else:  # flags: (?i) changes the group it is in, (?i: opens a group
            end = min(pos for pos in (s.find(":", i), s.find(")", i)) if pos >= 0)
            if s[end] == ":":
                self.frames.append((False, [], []))
            self.i = end + 1
        self.allocated += 1

    def close_group(self) -> None:
        capturing, alts, items = self.frames.pop()
        node = _alternate([*alts, _concat(items)])
        self.push(("op", node[1] + 2, node[2] + 1, 0) if capturing else node)

    def escape(self) -> None:
        s, i = self.s, self.i
        c = s[i + 1]
        if c == "C":  # C++ RE2 accepts \C (any byte); Go's regexp/syntax refuses it
            raise _Refused("invalid escape sequence: \\C (Go has no any-byte escape)")
        if c == "Q":  # \Q...\E: literal text, pushed rune by rune
            end = s.find("\\E", i + 2)
            for _ in range(i + 2, len(s) if end < 0 else end):
                self.push(_RUNE)
            self.i = len(s) if end < 0 else end + 2
            return
        self.i = i + 2 if c in "AbBzdDsSwW" else _escape_end(s, i)
        self.push(_OP if c in "AbBz" else _CHAR if c in "dDsSwWpP" else _RUNE)

    def check(self) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                self.escape()
            elif c == "(":
                self.open_group()
            elif c == ")":
                self.i += 1
                self.close_group()
            elif c == "|":
                self.i += 1
                _capturing, alts, items = self.frames[-1]
                alts.append(_concat(items))
                items.clear()
                self.allocated += 1
            elif c in "*+?":
                self.i += 1
                self.repeat(c)
            elif c == "{" and (match := _REPEAT.match(s, self.i)):
                self.i = match.end()
                low = int(match[1])
                self.repeat("{", low, -1 if match[2] and match[3] is None else int(match[3] or low))
            elif c == "[":
                self.i = _class_end(s, self.i)
                self.push(_CHAR)
            else:
                self.i += 1
                self.push(_OP if c in "^$" else _CHAR if c == "." else _RUNE)
        _capturing, alts, items = self.frames[0]
        root = _alternate([*alts, _concat(items)])
        if root[2] > MAX_HEIGHT:
            raise _Refused(f"expression nests too deeply (Go's limit is {MAX_HEIGHT} levels)")
        if root[1] > MAX_SIZE and self.allocated >= MAX_SIZE // self.repeats:
            raise _Refused("expression too large (Go's limit is about 3.3 million instructions)")
