"""The search index's tolerance of typos (search.js has the same functions).

A query word with no exact or prefix match in its shard (and at
least FUZZY_MIN letters) matches the words within one edit of it instead
(`fuzzy_match`: a letter missing, extra, wrong, or two letters swapped),
ranked below exact and prefix matches.  Its own shard holds the candidates
that share its first two letters; a typo in the first letters is found
through the vocabulary: every word of 3+ letters (ASCII letters first, no
digits) is listed under the three pairs of its first three letters
(`fuzzy_keys`), and one edit always leaves the query word and the word it
meant sharing one of those pairs (tested exhaustively in
tests/views/test_search.py).  So a typo costs at most three small vocabulary files
and the shards of the best candidates, and a query without typos costs
nothing more.
"""

from __future__ import annotations

import re

FUZZY_MIN = 4  # query words shorter than this are never corrected
_FUZZY_WORD = re.compile(r"[a-z]{3}[^\W\d_]*")  # what the typo vocabulary lists


def fuzzy_keys(word: str) -> set[str]:
    """The vocabulary files a word is listed in: the pairs of its first three letters.

    Empty for words the vocabulary leaves out (shorter than 3, not starting
    with three ASCII letters, or with a digit: ids and numbers are not
    corrected)."""
    if not _fuzzy_word(word):
        return set()
    a, b, c = word[0], word[1], word[2]
    return {a + b, a + c, b + c}


def _fuzzy_word(word: str) -> bool:
    return _FUZZY_WORD.fullmatch(word) is not None


def within_one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance of at most 1: equal, or one letter inserted,
    deleted, replaced, or two adjacent letters swapped."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < la and i < lb and a[i] == b[i]:
        i += 1
    if i == la and i == lb:
        return True
    if la == lb:
        return a[i + 1:] == b[i + 1:] or (i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i]
                                           and a[i + 2:] == b[i + 2:])
    if la < lb:
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i:]


def fuzzy_match(term: str, word: str) -> int:
    """How `word` answers a mistyped query word: 2 within one edit of the whole
    word, 1 within one edit of a prefix at least as long as `term` (a prefix
    search with a typo), 0 not at all.  search.js has the same function."""
    if within_one_edit(term, word):
        return 2
    for length in (len(term), len(term) + 1):
        if length < len(word) and within_one_edit(term, word[:length]):
            return 1
    return 0
