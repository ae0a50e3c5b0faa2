"""The search index's typo tolerance (site_builder/search.py; search.js runs the same functions)."""

from __future__ import annotations

import itertools
import json

from site_builder.content.models import Category, Risk
from site_builder.views.index import SearchDoc
from site_builder.views.search import FORMAT, SearchIndex
from site_builder.views.search_typos import FUZZY_MIN, fuzzy_keys, fuzzy_match, within_one_edit


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, by the textbook dynamic programme."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def words(alphabet: str, lengths: range) -> list[str]:
    return ["".join(letters) for n in lengths for letters in itertools.product(alphabet, repeat=n)]


def one_edit(word: str, alphabet: str) -> set[str]:
    """Every string one insertion, deletion, substitution or adjacent swap away from `word`."""
    out = set()
    for i in range(len(word) + 1):
        out.update(word[:i] + letter + word[i:] for letter in alphabet)
        if i < len(word):
            out.add(word[:i] + word[i + 1:])
            out.update(word[:i] + letter + word[i + 1:] for letter in alphabet)
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return out


def test_within_one_edit_is_osa_distance_at_most_one() -> None:
    for alphabet, lengths in (("ab", range(0, 6)), ("abc", range(0, 4))):
        pool = words(alphabet, lengths)
        for a, b in itertools.product(pool, repeat=2):
            assert within_one_edit(a, b) == (osa_distance(a, b) <= 1), (a, b)


def test_fuzzy_match() -> None:
    assert fuzzy_match("refnd", "refund") == 2  # a letter missing
    assert fuzzy_match("rfund", "refund") == 2  # ... the second
    assert fuzzy_match("refudn", "refund") == 2  # two letters swapped
    assert fuzzy_match("refyne", "refund") == 0
    assert fuzzy_match("refnd", "refunded") == 1  # a prefix with a typo
    assert fuzzy_match("invoce", "invoices") == 1
    assert fuzzy_match("invoicce", "invoice") == 2  # an extra letter
    assert fuzzy_match("invoicce", "invoices") == 0  # an extra letter is forgiven in whole words only
    assert fuzzy_match("dat", "date") == 2 and fuzzy_match("data", "dxtabase") == 1
    assert fuzzy_match("data", "dat") == 2 and fuzzy_match("data", "da") == 0
    assert fuzzy_match("projects", "project") == 2
    assert fuzzy_match("prj", "project") == 1 and fuzzy_match("pjct", "project") == 0


def test_a_typo_anywhere_shares_a_vocabulary_file_with_the_word_meant() -> None:
    """Every query word and every word it fuzzy-matches are listed under a common key.

    Exhaustive over query words of FUZZY_MIN and FUZZY_MIN+1 letters from a
    four-letter alphabet (every pattern of equal and different letters at the
    start) and every word one edit away, as a whole word or as a prefix."""
    alphabet = "abcd"
    checked = 0
    for term in words(alphabet, range(FUZZY_MIN, FUZZY_MIN + 2)):
        for near in one_edit(term, alphabet):
            for word in (near, near + "a", near + "db", near + "dcba"):
                if fuzzy_match(term, word) and fuzzy_keys(word):
                    checked += 1
                    assert fuzzy_keys(term) & fuzzy_keys(word), (term, word)
    assert checked > 100_000


def test_fuzzy_keys() -> None:
    assert fuzzy_keys("refund") == {"re", "rf", "ef"}
    assert fuzzy_keys("aab") == {"aa", "ab"}
    for word in ("ab", "s3bucket", "oauth2", "ünïcode", "数据", "create_refund=", "naïve", "résumé"):
        assert fuzzy_keys(word) == set(), word  # too short, digits, not three ASCII letters first, a whole name
    assert fuzzy_keys("cafés") == {"ca", "cf", "af"}  # letters after the first three may be any


def doc(name: str, text: str, number: int) -> SearchDoc:
    from site_builder.views.search import exact_key, tokenize

    names = set(tokenize(name)) | {exact_key(name)}
    return SearchDoc(tuple(sorted(names)), tuple(sorted(set(tokenize(text)) - names)),
                     (name, "Server", f"tools/s/{number}/", "low", "read", text), Risk.LOW, Category.READ)


def test_the_index_writes_a_typo_vocabulary() -> None:
    index = SearchIndex()
    index.add(doc("create_refund", "Refund a charge for order 1234 on s3", 0))
    index.add(doc("get_invoice", "Fetch one invoice by id", 1))
    files = dict(index.files())
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == FORMAT == 2 and manifest["fuzzy_min"] == FUZZY_MIN
    vocabulary = {key: json.loads(files[f"fuzzy/{key}.json"]) for key in manifest["fuzzy"]}
    assert set(files) >= {f"fuzzy/{key}.json" for key in vocabulary}
    listed = set().union(*vocabulary.values())
    assert listed == {"create", "refund", "charge", "order", "get", "invoice", "fetch", "one"}  # no ids, numbers, names
    for key, words_ in vocabulary.items():
        assert words_ == sorted(words_) and all(key in fuzzy_keys(word) for word in words_)
    for word in listed:
        assert all(word in vocabulary[key] for key in fuzzy_keys(word))
    assert list(files)[-1] == "manifest.json"


def test_the_vocabulary_leaves_out_words_too_common_to_find_anything() -> None:
    index = SearchIndex()
    for number in range(2100):
        index.add(doc(f"tool_{number}", "returns items" if number % 10 == 0 else "returns", number))
    manifest = json.loads(dict(index.files())["manifest.json"])
    assert "returns" in manifest["common"] and "items" not in manifest["common"]
    files = dict(index.files())
    listed = set().union(*(json.loads(files[f"fuzzy/{key}.json"]) for key in manifest["fuzzy"]))
    assert "returns" not in listed and {"tool", "items"} <= listed


def test_documents_kept_in_parts_give_the_index_the_documents_give() -> None:
    from site_builder.views.parts import ServerPart
    from site_builder.views.search import search_docs
    from tests.derive.test_derive import site

    groups = [search_docs(server) for server in site().servers]
    groups.append((doc("Image to Video", "Make a  video\tfrom\u3000an image", 0), doc("Ünïcode tool = x", "é ü", 1),
                   doc("ab", "", 2)))  # names with spaces and "=", a name too short for an exact key
    direct, kept = SearchIndex(), SearchIndex()
    for docs in groups:
        for one in docs:
            direct.add(one)
        part = ServerPart.decode(ServerPart.of("{}", "", docs).encode())
        assert part is not None
        for raw in part.docs:
            kept.add_raw(raw)
    assert dict(kept.files()) == dict(direct.files())
    assert sum(len(docs) for docs in groups) == len(kept.docs) > 1400
