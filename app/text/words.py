"""The analysis of one word form, cached per process: index terms with their kinds, and query terms.

Term kinds: ``base`` (a base form, the joined form of a hyphenated word, a number or code),
``compound`` (a part of a compound) and ``stem`` (a Snowball stem: unknown Finnish words, every
Swedish and English word). Index time emits all kinds; query time only the whole-word terms
(:attr:`WordTerms.query`), so a query for "tuki" finds "palkkatuella" while a query for
"palkkatuki" does not match every "tuki".

Word forms are looked up in this process's memory, then in the build's lemma store
(:mod:`app.text.lemma_store`), and only then analysed (Voikko for Finnish: :mod:`app.text.finnish`).
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from . import finnish, lemma_store, lexicon


class WordTerms(NamedTuple):
    """The analysis of one word form: index terms with kinds, query terms, and the base forms of its
    compound parts (empty for a word that is not a compound)."""

    terms: tuple[str, ...]
    kinds: tuple[str, ...]
    query: tuple[str, ...]
    parts: tuple[str, ...] = ()


class TermList:
    """Ordered, de-duplicated collector of (term, kind); the first kind wins; the first parts set win."""

    def __init__(self) -> None:
        self._kinds: dict[str, str] = {}
        self._query: dict[str, None] = {}
        self._parts: tuple[str, ...] = ()

    def add(self, term: str, kind: str, query: bool = False) -> None:
        if not term:
            return
        self._kinds.setdefault(term, kind)
        if query:
            self._query[term] = None

    def set_parts(self, parts: list[str] | tuple[str, ...]) -> None:
        """The compound's parts (base forms), if none were set yet and there are at least two."""
        parts = tuple(p for p in parts if p)
        if not self._parts and len(parts) > 1:
            self._parts = parts

    def freeze(self) -> WordTerms:
        return WordTerms(tuple(self._kinds), tuple(self._kinds.values()), tuple(self._query), self._parts)


# Word form -> WordTerms, shared by every analyser in the process.  Plain dict
# reads/writes are atomic under the GIL; a race only computes a word twice.
_CACHE: dict[tuple[str, str], WordTerms] = {}
_CACHE_MAX = 500_000  # distinct forms; cleared wholesale when exceeded
_STATS = {"hits": 0, "misses": 0}
# (lang, whole words only) → surface as matched → its index terms: the build's writer looks up every
# distinct surface of every field (2.5 million times at 10k practices) without normalising it again.
_SURFACE_TERMS: dict[tuple[str, bool], dict[str, tuple[str, ...]]] = {}


def surface_memo(lang: str, whole_words: bool) -> dict[str, tuple[str, ...]]:
    """The remembered terms of surfaces in ``lang`` (whole-word terms only with ``whole_words``), for
    :func:`app.text.analyzer.index_postings` to read and fill; emptied with the cache, and when it
    holds as many surfaces as the cache may hold forms."""
    memo = _SURFACE_TERMS.get((lang, whole_words))
    if memo is None or len(memo) >= _CACHE_MAX:
        memo = _SURFACE_TERMS[(lang, whole_words)] = {}
    return memo


def word_terms(word: str, lang: str) -> WordTerms:
    """Return the (cached) analysis of a lowercased token text."""
    key = (lang, word)
    entry = _CACHE.get(key)
    if entry is not None:
        _STATS["hits"] += 1
        return entry
    _STATS["misses"] += 1
    entry = lemma_store.lookup(key) or _compute_terms(word, lang)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = entry
    return entry


def _compute_terms(word: str, lang: str) -> WordTerms:
    """Dispatch a token to the hyphen, number, Finnish or Snowball analysis."""
    if "-" in word.strip("-"):
        return _hyphenated_terms(word, lang)
    word = word.strip("-")
    terms = TermList()
    if not word.isalpha() and any(ch.isdigit() for ch in word):  # (isalpha: most words, at C speed)
        # Numbers and codes ("2017", "6.1", "tl3") are matched literally.
        terms.add(word, "base", query=True)
    elif lang == "fi":
        finnish.add_finnish(terms, word)
    else:
        _add_lexicon(terms, word, lang)
    return terms.freeze()


def _add_lexicon(terms: TermList, word: str, lang: str) -> None:
    """A Swedish or English word: its lemma and Snowball stem; a Swedish compound's parts and runs."""
    terms.add(lexicon.lemma(word, lang), "base", query=True)
    terms.add(lexicon.snowball(lang)(word), "stem", query=True)
    parts = lexicon.swedish_parts(word) if lang == "sv" else None
    if not parts:
        return
    lemmas = [lexicon.lemma(p, "sv") for p in parts]
    terms.set_parts(lemmas)
    for part, base in zip(parts, lemmas):
        terms.add(base, "compound")
        terms.add(lexicon.snowball("sv")(part), "compound")
    for cut in range(2, len(parts)):  # runs from either end: modifiers as written, the last one's lemma
        terms.add("".join(parts[:cut - 1]) + lemmas[cut - 1], "compound")
        terms.add("".join(parts[-cut:-1]) + lemmas[-1], "compound")


def _hyphenated_terms(word: str, lang: str) -> WordTerms:
    """Joined forms ("te-palvelu") plus every part's own terms, as compound parts.

    The modifiers keep their surface form in the joined term because in a
    hyphenated compound they are uninflected ("LEAN-", "TE-", "ESR-").
    """
    parts = [p for p in word.split("-") if p]
    prefix = "-".join(parts[:-1])
    last = word_terms(parts[-1], lang)
    terms = TermList()
    for term in last.query:
        kind = last.kinds[last.terms.index(term)]
        terms.add(f"{prefix}-{term}", "stem" if kind == "stem" else "base", query=True)
    for part in parts[:-1]:
        terms.add(part, "compound")
    bases = []
    for part in parts:
        entry = word_terms(part, lang)
        bases.append(part if part in entry.query or not entry.query else entry.query[0])
        for term, kind in zip(entry.terms, entry.kinds):
            terms.add(term, "stem" if kind == "stem" else "compound")
    # An ambiguous last part ("paikkojen": paikko or paikka) is read as in the closed compound, so that
    # "koulutus-paikkojen" has the parts of "koulutuspaikkojen" and both spellings find the same.
    closed = word_terms("".join(parts), lang).parts if all(p.isalpha() for p in parts) else ()
    if len(closed) == len(bases) and all(c in word_terms(p, lang).query or c == b
                                         for c, p, b in zip(closed, parts, bases)):
        bases = list(closed)
    terms.set_parts(bases)
    return terms.freeze()



_FI_VOWELS = frozenset("aeiouyäöå")


def finnish_stem(word: str) -> str:
    """Snowball Finnish stem made insensitive to consonant gradation.

    Snowball leaves "mentoroint" (mentorointi) and "mentoroin" (mentoroinnin);
    dropping the stem-final consonant cluster, where that leaves at least four
    letters, makes the strong and weak grades meet ("mentoroi").
    """
    stem = lexicon.snowball("fi")(word)
    end = len(stem)
    while end > 0 and stem[end - 1] not in _FI_VOWELS:
        end -= 1
    return stem[:end] if end >= 4 else stem



def cache_info() -> dict[str, int]:
    """Hits, misses and size of the per-process word-form cache."""
    return {"hits": _STATS["hits"], "misses": _STATS["misses"], "size": len(_CACHE)}


def cache_clear() -> None:
    """Empty the word-form cache and reset its counters (benchmarks, tests)."""
    _CACHE.clear()
    _SURFACE_TERMS.clear()
    _STATS["hits"] = _STATS["misses"] = 0



def reserve_cache(size: int) -> None:
    """Let the cache hold ``size`` forms before it clears itself (a build knows its vocabulary size)."""
    global _CACHE_MAX
    _CACHE_MAX = max(_CACHE_MAX, size)


def cache_update(entries: dict[tuple[str, str], WordTerms]) -> int:
    """Add analyses computed elsewhere (another process, a file), up to the cache limit; return how many."""
    room = _CACHE_MAX - len(_CACHE)
    if len(entries) > room:
        entries = dict(list(entries.items())[: max(room, 0)])
    _CACHE.update(entries)
    return len(entries)


def uncached_forms(forms: Sequence[tuple[str, str]] | set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(lang, word)`` token texts whose analysis is not cached yet."""
    return [f for f in forms if f not in _CACHE]


def analyse_forms(forms: Sequence[tuple[str, str]]) -> dict[tuple[str, str], WordTerms]:
    """Analyse ``(lang, word)`` token texts; return every entry this added to the cache (parts too)."""
    before = len(_CACHE)
    for lang, word in forms:
        word_terms(word, lang)
    if len(_CACHE) < before:  # the cache cleared itself on the way: recompute what was asked
        return {(lang, word): word_terms(word, lang) for lang, word in forms}
    # The new entries are the cache's last ones: read from its end (islice from ``before`` skipped
    # every older entry, and a build's worker calls this for each of hundreds of chunks: 8 % of its time).
    added = list(itertools.islice(reversed(_CACHE.items()), len(_CACHE) - before))
    added.reverse()
    return dict(added)


_FIELD_SEP, _TERM_SEP = "\x1e", "\x1f"  # never inside a token text
