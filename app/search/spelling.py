"""Spelling: corrections you can trust, and "did you mean" for the rest.

A word of the query is **corrected** (searched as another word, and the page says so) only when
no dictionary knows it (not Voikko for Finnish, not simplemma's for Swedish or English, not the
index's own vocabulary) and it matches nothing — or matches only through the parts of a guessed
compound found apart, and restoring its ä and ö gives a real word ("yhteisollisia"). A word that is
a real word but finds nothing gets a **suggestion** instead ("did you mean …?", with the number of
results), never a silent change.

The correction is always a word form that occurs in the index (its base form when that occurs
too), never a stem. Candidates come from the version's spelling dictionary (every word form with
its document count) two ways: words whose first three letters match once ä, ö and å are read as
a, o and a (the commonest slip on a foreign keyboard, and where Finnish inflects: the end), and
words within one or two edits anywhere, first letters included (rapidfuzz over words of about the
same length). The closest wins (:func:`closeness`), then the most frequent.

(Slightly over 300 lines: finding candidates, corrections and suggestions share the closeness rule
and the version's dictionary, so they stay in one module.)
"""
from __future__ import annotations

import functools
import re
import threading
from bisect import bisect_left
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein
from whoosh import query as wq

from ..names import LANGUAGES
from ..text import lemmas
from ..text.finnish import is_word
from ..text.lexicon import known
from ..text.words import word_terms
from .expansion import Synonyms, item_query
from .query import Item, ParsedQuery

TYPO_MIN_LETTERS = 5  # shorter words are abbreviations and codes more often than slips
MAX_COST = 2.0  # a candidate further than this from the typed word is no correction or suggestion
VARIANT_COST = 0.9  # a word one edit away that a dictionary knows and that finds something
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöå"
MAX_RESTORED = 6  # a and o of one word read as ä and ö in every combination: at most 2**6 forms
MAX_SPELL_CANDIDATES = 20_000
KNOWN_WORD_DOCS = 3  # a word written so in this many documents is not offered another spelling
MAX_CHECKED_WORDS = 6  # words of one query looked up for spelling
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a"})


def fold(word: str) -> str:
    """``word`` with ä, ö and å read as a, o and a."""
    return word.translate(_FOLD)


class Candidates:
    """The spelling dictionary of a version arranged for finding candidates (built at the first typo)."""

    def __init__(self, words: list[str], counts) -> None:  # noqa: ANN001
        self.counts = dict(zip(words, counts))
        pairs = sorted((fold(w), w) for w in words)
        self.folded = [f for f, _ in pairs]
        self.words = [w for _, w in pairs]
        self.by_length: dict[int, list[str]] = {}
        for w in words:
            self.by_length.setdefault(len(w), []).append(w)

    def with_folded_prefix(self, word: str) -> list[str]:
        prefix = fold(word)[:3]
        out = []
        i = bisect_left(self.folded, prefix)
        while i < len(self.folded) and self.folded[i].startswith(prefix) and len(out) < MAX_SPELL_CANDIDATES:
            out.append(self.words[i])
            i += 1
        return out

    def within_edits(self, word: str) -> list[str]:
        edits = 1 if len(word) < 8 else 2
        choices = [w for n in range(len(word) - edits, len(word) + edits + 1) for w in self.by_length.get(n, ())]
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=50)
        return [w for w, _, _ in found]


class Speller:
    """Corrections and suggestions over an index version (memoised per version and word)."""

    def __init__(self, synonyms: Synonyms):
        self.synonyms = synonyms
        self._memo: dict[tuple[str, str], str | None] = {}
        self._candidates: dict[str, Candidates] = {}
        self._lock = threading.Lock()

    def _arranged(self, v) -> Candidates:  # noqa: ANN001
        with self._lock:
            found = self._candidates.get(v.name)
            if found is None:
                words, counts = v.spelling._data()
                self._candidates = {v.name: Candidates(words, counts)}  # only the version being served
                found = self._candidates[v.name]
            return found

    def matches_anything(self, v, item: Item) -> bool:  # noqa: ANN001
        """Whether the item (with its synonyms, and its compound parts found apart) finds any live document."""
        query = item_query(item, self.synonyms.expand(item))
        if query is None:
            return False
        reader = v.searcher.reader()
        present = [term for term in query.iter_all_terms() if term in reader]
        if not present:
            return False
        if not any(isinstance(node, (wq.Phrase, wq.And)) for node in _nodes(query)):
            # One live posting of any term will do; building the whole tree's matcher costs ~10 ms.
            return any(reader.postings(*term).is_active() for term in present)
        return query.matcher(v.searcher).is_active()

    @staticmethod
    def in_dictionary(word: str) -> bool:
        """A word Voikko or simplemma's Swedish or English dictionary knows."""
        folded = word.casefold()
        return word_terms(folded, "fi").kinds[:1] == ("base",) or known(folded, "sv") or known(folded, "en")

    def is_known(self, v, word: str) -> bool:  # noqa: ANN001
        """A word a dictionary or the index's vocabulary knows."""
        return bool(v.spelling.doc_frequency(word.casefold())) or self.in_dictionary(word)

    def neighbour(self, v, word: str) -> str | None:  # noqa: ANN001
        """The closest word form of the index to ``word`` (memoised), or None."""
        key = (v.name, word.casefold())
        if key not in self._memo:
            if len(self._memo) >= 10_000:
                self._memo.clear()
            self._memo[key] = self._find_neighbour(v, word.casefold())
        return self._memo[key]

    def _find_neighbour(self, v, word: str) -> str | None:  # noqa: ANN001
        restored = self._restored(v, word)
        if restored:
            return restored
        arranged = self._arranged(v)
        best: tuple | None = None
        for cand in {*arranged.with_folded_prefix(word), *arranged.within_edits(word)}:
            if cand == word:
                continue
            cost = closeness(word, cand)
            if cost is None or cost > MAX_COST:
                continue
            key = (-cost, arranged.counts.get(cand, 0), cand)
            if best is None or key > best:
                best = key
        pool = [(VARIANT_COST, form) for form in self._known_variants(v, word)]
        if best is not None:
            pool.append((-best[0], self._shown_form(arranged, word, best[-1])))
        if any(cost <= 1.0 for cost, _ in pool):
            pool = [(cost, form) for cost, form in pool if cost <= 1.0]
        if not pool:
            return None
        # The candidate that finds the most (the one that finds more of what the query asked), then the closest.
        return max(pool, key=lambda c: (self._found(v, c[1]), -c[0], c[1]))[1]

    @staticmethod
    def _shown_form(arranged: Candidates, word: str, form: str) -> str:
        """The base form of ``form`` when it is a word of its own: in the index, or a Finnish base form
        Voikko gives ("maahanmuuttaja" rather than "maahanmuuttajille": it finds every form); else ``form``."""
        finnish = [b for b in lemmas(form, "fi") if b != word and b.isalpha() and is_word(b)]
        others = [b for lang in LANGUAGES for b in lemmas(form, lang) if b != word and b in arranged.counts]
        return next(iter(finnish or others), form)

    def _found(self, v, form: str) -> int:  # noqa: ANN001
        """How many live documents ``form`` (with its expansion) matches."""
        query = item_query(Item((form,)), self.synonyms.expand(Item((form,))))
        return 0 if query is None else int(((v.ranker.scores(query) > 0) & v.live_mask()).sum())

    def _restored(self, v, word: str) -> str | None:  # noqa: ANN001
        """``word`` with some a and o read as ä and ö, when Voikko knows that form and it finds something
        ("tyopaikkoihin" → "työpaikkoihin", "tyoton" → "työtön"); the fewest changes first."""
        spots = [i for i, ch in enumerate(word) if ch in "ao"]
        if not spots or len(spots) > MAX_RESTORED:
            return None
        forms = []
        for mask in range(1, 1 << len(spots)):
            chars = list(word)
            for bit, i in enumerate(spots):
                if mask >> bit & 1:
                    chars[i] = "ä" if chars[i] == "a" else "ö"
            forms.append((bin(mask).count("1"), "".join(chars)))
        for _, form in sorted(forms):
            entry = word_terms(form, "fi")
            if entry.kinds[:1] == ("base",) and self.matches_anything(v, Item((form,))):
                return form
        return None

    def _known_variants(self, v, word: str) -> list[str]:  # noqa: ANN001
        """Words one edit from ``word`` (a letter added, dropped, changed or two swapped) that Voikko or
        simplemma's dictionaries know and that find something: "rmaninuoret" → "romaninuoret" when
        the index holds only "romaninuorten". Norvig's candidates, checked against dictionaries."""
        if len(word) > 20:
            return []
        variants = {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _LETTERS}
        variants |= {word[:i] + word[i + 1:] for i in range(len(word))}
        variants |= {word[:i] + c + word[i + 1:] for i in range(len(word)) for c in _LETTERS}
        variants |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
        variants.discard(word)
        return [form for form in sorted(variants) if len(form) >= TYPO_MIN_LETTERS
                and (is_word(form) or known(form, "sv") or known(form, "en"))
                and self.matches_anything(v, Item((form,)))]

    def corrections(self, v, parsed: ParsedQuery) -> dict[str, str]:  # noqa: ANN001
        """Words that no dictionary knows and that match nothing (or only through guesses — a guessed
        compound's parts, a stem — when restoring ä and ö gives a real word), each with the word to
        search instead."""
        fixes = {}
        for word in _checked_words(parsed):
            # The dictionary and the index's word counts are looked up first: they answer for most
            # words at a fraction of the cost of building the word's query (about 7 ms at 10k).
            if self.is_known(v, word):
                continue
            if not self.matches_anything(v, Item((word,))):
                better = self.neighbour(v, word)
            else:
                # Found, but only through guesses, the word being in no dictionary and in no practice:
                # a guessed split's parts apart in other words ("yhteis" and "olli" for "yhteisollisia")
                # or a stem ("lahti", the town, for "lahtivat"). The word with ä and ö restored, when
                # that is a real word that finds something, is what was meant ("yhteisöllisiä",
                # "lähtivät"); no looser guess is trusted.
                better = self._restored(v, word.casefold())
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
            if self.in_dictionary(word) and self.matches_anything(v, Item((word,))):
                continue  # a real word that finds practices: too few results is not a spelling matter
            better = self.neighbour(v, word)
            if better:
                replace[word] = better
        if not replace:
            return None
        alternative = parsed.with_words(replace)
        found = count(alternative)
        return {"q": str(alternative), "total": found} if found > total else None


def _nodes(query: wq.Query):  # noqa: ANN202
    yield query
    for child in query.children():
        yield from _nodes(child)


def _checked_words(parsed: ParsedQuery) -> list[str]:
    """The single words of a query that spelling looks at (letters only, 4 or more)."""
    return [item.words[0] for item in parsed.items()[:MAX_CHECKED_WORDS]
            if not item.is_phrase and len(item.words[0]) >= TYPO_MIN_LETTERS and item.words[0].isalpha()]


@functools.lru_cache(maxsize=65_536)  # the same candidate words are compared again and again
def _squeeze(word: str) -> str:
    """The word with doubled letters single: Finnish typos often drop or double one."""
    return re.sub(r"(.)\1+", r"\1", word)


def closeness(word: str, cand: str) -> float | None:
    """Cost of reading ``cand`` as ``word`` typed with a slip (lower is closer; None when it is not one).

    ä, ö and å typed as a, o and a cost least; then a doubled or undoubled letter; then one edit
    anywhere; then two edits in a long word. Finnish inflects at the end, so the typed word may
    also match the beginning of the form after dropping its own last one or two letters
    (maahanmuuttaja → maahanmuuttajia); each dropped letter and each letter of the remaining
    ending adds to the cost, so the plainest inflection of the intended word wins.
    """
    if fold(word) == fold(cand):
        return 0.2
    word, cand_f = fold(word), fold(cand)
    extra = 0.0 if cand_f == cand else 0.05  # a slip of ä/ö/å besides
    if _squeeze(word) == _squeeze(cand_f):
        return 0.4 + extra
    if within_one_edit(word, cand_f):
        return 0.9 + extra
    best = None
    for drop in (0, 1, 2):
        stem = word[: len(word) - drop]
        if len(stem) < 4:
            break
        for k in (len(stem) - 1, len(stem), len(stem) + 1):
            if len(cand_f) <= k:
                continue
            head = cand_f[:k]
            slip = 0.5 if _squeeze(stem) == _squeeze(head) else 1.0 if within_one_edit(stem, head) else None
            if slip is not None:
                cost = slip + 0.5 * drop + 0.1 * (len(cand_f) - k) + extra
                best = cost if best is None else min(best, cost)
    if best is None and len(word) >= 8 and Levenshtein.distance(word, cand_f, score_cutoff=2) <= 2:
        best = 1.6 + extra
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
