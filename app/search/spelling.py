"""Spelling: words that match nothing are corrected, and a better-spelled query is suggested.

Candidates come from the index version's spelling dictionary (:mod:`app.indexing.spelling`: every
word form with its document count) that share the typed word's first three letters; the closest
(:func:`closeness`) wins, then the most frequent. Finnish inflects at the end, so a typed word
may match the beginning of an indexed form after a slip ("maahanmuutaja" → "maahanmuuttajille");
the correction is that form's base form.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

from whoosh import query as wq

from ..text import lemmas
from .expansion import Synonyms, item_query
from .query import Item, ParsedQuery

TYPO_MIN_LETTERS = 5
MAX_SPELL_CANDIDATES = 20_000
KNOWN_WORD_DOCS = 3  # a word written so in this many documents is not offered another spelling
MAX_SUGGESTED_WORDS = 4  # words of one query looked up for spelling (each scans the term list)


class Speller:
    """Corrections and suggestions over an index version (memoised per version and word)."""

    def __init__(self, synonyms: Synonyms):
        self.synonyms = synonyms
        self._memo: dict[tuple[str, str], str | None] = {}

    def _matches_anything(self, v, item: Item) -> bool:  # noqa: ANN001
        wquery = item_query(item, self.synonyms.expand(item))
        if wquery is None:
            return False
        reader = v.searcher.reader()
        present = [term for term in wquery.iter_all_terms() if term in reader]
        if not present:
            return False
        if not any(isinstance(node, wq.Phrase) for node in wquery.leaves()):
            # One live posting of any term will do; building the whole tree's matcher costs ~10 ms.
            return any(reader.postings(*term).is_active() for term in present)
        return wquery.matcher(v.searcher).is_active()

    def neighbour(self, v, word: str) -> str | None:  # noqa: ANN001
        """Memoised :meth:`_find_neighbour` (a typo is usually retyped, and suggestions ask again)."""
        key = (v.name, word.casefold())
        if key not in self._memo:
            if len(self._memo) >= 10_000:
                self._memo.clear()
            self._memo[key] = self._find_neighbour(v, word)
        return self._memo[key]

    @staticmethod
    def _find_neighbour(v, word: str) -> str | None:  # noqa: ANN001
        """A known word one slip away from ``word``, or from the stem of an indexed inflected form."""
        word = word.casefold()
        best: tuple | None = None
        for n, (cand, doc_frequency) in enumerate(v.spelling.with_prefix(word[:3])):
            if n >= MAX_SPELL_CANDIDATES:
                break
            if cand == word:
                continue
            cost = closeness(word, cand)
            if cost is None:
                continue
            key = (-cost, doc_frequency, cand)
            if best is None or key > best:
                best = key
        if best is None:
            return None
        base = lemmas(best[-1], "fi")
        return base[0] if base and base[0] != word else best[-1]

    def corrections(self, v, parsed: ParsedQuery) -> dict[str, str]:  # noqa: ANN001
        """Words of 5+ letters that match nothing, each with the word to search instead."""
        fixes = {}
        for word in _checked_words(parsed):
            if not self._matches_anything(v, Item((word,))):
                better = self.neighbour(v, word)
                if better:
                    fixes[word] = better
        return fixes

    def suggestion(self, v, parsed: ParsedQuery, count: Callable[[ParsedQuery], int],  # noqa: ANN001
                   total: int) -> dict | None:
        """A better-spelled query with more results than ``total`` (``count`` counts a query's results),
        for "did you mean …?": ``{"q": query, "total": its count}``, or None."""
        replace = {}
        for word in _checked_words(parsed):
            if v.spelling.doc_frequency(word.casefold()) >= KNOWN_WORD_DOCS:
                continue  # spelled as several practices spell it: too few results is not a spelling matter
            better = self.neighbour(v, word)
            if better:
                replace[word] = better
        if not replace:
            return None
        alternative = parsed.with_words(replace)
        found = count(alternative)
        return {"q": str(alternative), "total": found} if found > total else None


def _checked_words(parsed: ParsedQuery) -> list[str]:
    """The single words of a query that spelling looks at (letters only, 5 or more, at most four)."""
    return [item.words[0] for item in parsed.items()[:MAX_SUGGESTED_WORDS]
            if not item.is_phrase and len(item.words[0]) >= TYPO_MIN_LETTERS and item.words[0].isalpha()]


@functools.lru_cache(maxsize=65_536)  # the same candidate words are compared again and again
def _squeeze(word: str) -> str:
    """The word with doubled letters single: Finnish typos often drop or double one."""
    return re.sub(r"(.)\1+", r"\1", word)


def closeness(word: str, cand: str) -> float | None:
    """Cost of reading ``cand`` as an inflected form of ``word`` typed with one slip (lower is closer;
    None when it is not one).

    A slip is one edit, or a doubled or undoubled letter. Finnish inflects at the end, so the
    typed word may also match the beginning of the form after dropping its own last one or two
    letters (maahanmuuttaja → maahanmuuttajia); each dropped letter and each letter of the
    remaining ending adds to the cost, so the plainest inflection of the intended word wins.
    """
    if _squeeze(word) == _squeeze(cand):
        return 0.4
    if within_one_edit(word, cand):
        return 0.9
    best = None
    for drop in (0, 1, 2):
        stem = word[: len(word) - drop]
        if len(stem) < 4:
            break
        for k in (len(stem) - 1, len(stem), len(stem) + 1):
            if len(cand) <= k:
                continue
            head = cand[:k]
            slip = 0.5 if _squeeze(stem) == _squeeze(head) else 1.0 if within_one_edit(stem, head) else None
            if slip is not None:
                cost = slip + 0.5 * drop + 0.1 * (len(cand) - k)
                best = cost if best is None else min(best, cost)
    return best


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return shorter[i:] == longer[i + 1:]
