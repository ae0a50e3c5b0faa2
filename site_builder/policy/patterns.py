"""RE2 patterns spelled out from word lists: "a word of these characters but none of those words".

Intercept's regexes are Go RE2: no look-ahead, so "no word from this list" is
spelled out as the language it is, one branch for each prefix of a listed
word.  No `(?i)`: under it RE2 folds the Kelvin sign into `k` and the long s
into `s`, so a character class meant to leave out `k` would let `kill`
through; letters are written in both cases instead.

Addresses: a URL's or host's top-level domain may not be one that resolves
locally by design (`localhost`, `.local`, `.internal`, `.svc`...).  Nothing
here resolves a name: a public name can still point at a private address.
"""

from __future__ import annotations

import string
from typing import Iterable, TypeAlias

NON_ASCII = r"\x{80}-\x{10FFFF}"
LETTERS_DIGITS = string.ascii_letters + string.digits + "_"  # RE2's \w
Tree: TypeAlias = "dict[str, Tree]"  # a prefix tree of words: "" marks a word's end


def char_class(characters: Iterable[str], non_ascii: bool, negate: bool = False) -> str:
    """A character class of ASCII `characters` as ranges (and every non-ASCII character when asked)."""
    points = sorted({ord(char) for char in characters})
    ranges: list[list[int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    body = "".join(_class_char(first) + (("-" if last > first + 1 else "") + _class_char(last) if last > first else "")
                   for first, last in ranges)
    return "[" + ("^" if negate else "") + body + (NON_ASCII if non_ascii else "") + "]"


def _class_char(point: int) -> str:
    char = chr(point)
    if not char.isprintable() or char == " ":
        return f"\\x{point:02X}"
    return "\\" + char if char in "\\]^-[" else char


def _cased(char: str, folded: bool = False) -> str:
    """A letter in either case (`[Aa]`); as it is under (?i), where RE2 folds cases itself."""
    return char if folded or char.lower() == char.upper() else "[" + char.upper() + char.lower() + "]"


def _tree(words: Iterable[str]) -> Tree:
    tree: Tree = {}
    for word in words:
        node = tree
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}
    return tree


def words_of(words: Iterable[str]) -> str:
    """An alternation matching exactly `words`, letters in either case, as a prefix tree."""
    return _alternation(_tree(words))


def _alternation(node: Tree) -> str:
    parts = [_cased(char) + _alternation(child) for char, child in sorted(node.items()) if char]
    if not parts:
        return ""
    group = "(?:" + "|".join(parts) + ")"
    if "" in node:
        return group + "?"
    return parts[0] if len(parts) == 1 else group


def words_except(excluded: Iterable[str], characters: str, non_ascii: bool, min_length: int = 1,
                 folded: bool = False) -> str:
    """A word of `characters` (at least `min_length` of them) that is none of `excluded`, in either case;
    `folded`: lower-case letters only, for use under (?i), with ASCII `characters`."""
    return _complement(_tree(excluded), characters, non_ascii, min_length, 0, folded)


def _complement(node: Tree, characters: str, non_ascii: bool, min_length: int, depth: int,
                folded: bool = False) -> str:
    any_char = _any(characters, non_ascii)
    parts = []
    if depth >= max(min_length, 1) and "" not in node:
        parts.append("")  # the word ends here: a prefix of an excluded word, not one itself
    children = {char for char in node if char}
    others = set(characters) - {case for char in children for case in (char.lower(), char.upper())}
    rest = max(min_length - depth - 1, 0)
    tail = "{%d,}" % rest if rest > 1 else "+" if rest == 1 else "*"
    if not children:
        parts.append(any_char + ("{%d,}" % (rest + 1) if rest else "+"))
    elif others or non_ascii:
        parts.append(char_class(others, non_ascii) + any_char + tail)
    for char in sorted(children):
        parts.append(_cased(char, folded) + _complement(node[char], characters, non_ascii, min_length, depth + 1,
                                                        folded))
    if parts[0] == "":
        return "(?:" + "|".join(parts[1:]) + ")?"
    return "(?:" + "|".join(parts) + ")" if len(parts) > 1 else parts[0]


def _any(characters: str, non_ascii: bool) -> str:
    return r"\w" if set(characters) == set(LETTERS_DIGITS) and not non_ascii else char_class(characters, non_ascii)


# Top-level domains that resolve locally by design: RFC 6761 (localhost, test, invalid), mDNS (local), ICANN's
# private-use `internal` (metadata.google.internal, host.docker.internal), RFC 8375 (home.arpa), Kubernetes
# (`kubernetes.default`, `kubernetes.default.svc`: a pod's resolver completes them), Consul, and the names
# routers and intranets use (fritz.box, speedport.ip).
LOCAL_TLDS = ("localhost", "local", "localdomain", "internal", "intranet", "private", "lan", "home", "corp",
              "arpa", "svc", "default", "cluster", "consul", "box", "ip", "test", "invalid")
# Under (?i) a class or letter stands for its case-fold equivalents (`s` for ſ too, `k` for the Kelvin sign),
# which is how IDNA maps a name: `svc` spelled with a long s is still refused.
_TLD = "(?i:" + words_except(LOCAL_TLDS, string.ascii_lowercase, non_ascii=False, min_length=2, folded=True) + ")"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = _LABEL + r"(?:\." + _LABEL + r")*\." + _TLD + r"(?::[0-9]{1,5})?"
# https to a DNS name with a public letter TLD: no IP literals, no local names, no userinfo.
URL_PATTERN = r"^https://" + _HOST + r"(?:[/?#][^\s]*)?$"
HOST_PATTERN = "^" + _HOST + "$"
