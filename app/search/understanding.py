"""What the words of a query are: facet values it names, words that need not match, name heads.

- **Recognised facet values.** A run of query words that reads as a vocabulary label in any
  language, in any inflected form ("Pohjois-Karjalassa", "Itä-Suomessa", "maahanmuuttajien",
  "kohti työtä", the official name of an objective), an alias ("alle 30-vuotiaat"), a code
  ("TL3", "6.1", "2014–2020") or a municipality ("Joensuussa" → Pohjois-Karjala, classified per
  programme period by Statistics Finland's key in ``municipalities.yaml``). The page offers each
  as a filter; nothing is applied silently.
- **Optional words.** Fillers of the domain ("miten", "hyvä käytäntö", "keinoja", "kokemuksia",
  "hanke") and function words, from ``query_words.yaml``, by base form: they add to a practice's
  score but never have to match (unless the query has no other word).
- **Name heads.** "hanke", "malli", "toiminta" … written " -hankkeen" after a name are words of
  the name, not exclusions.

A municipality whose name is also a common Finnish word ("Lahti" is also a bay, "Salo" a
backwood, "Koski" rapids: ``municipalities.yaml`` lists them under ``common_words``) is
recognised only when the query writes it with a capital letter.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..content.vocabularies import Vocabularies
from ..names import FACETS, LANGUAGES
from ..text import lemmas, prefetch, token_texts
from .query import ParsedQuery

MAX_LABEL_WORDS = 12


@dataclass(frozen=True)
class Recognised:
    """A facet value the query names: which words, and through what (a municipality's name)."""

    facet: str
    value: str
    words: tuple[str, ...]
    via: str = ""  # the municipality named, when a region was recognised through it
    periods: tuple[str, ...] = ()  # the programme periods whose classification puts the municipality there


def word_lemmas(word: str) -> frozenset[str]:
    """Every query term of ``word`` in every language (base forms, stems)."""
    return frozenset(t for lang in LANGUAGES for t in lemmas(word, lang))


@functools.lru_cache(maxsize=20_000)
def _lemmas_cached(word: str) -> frozenset[str]:
    return word_lemmas(word.casefold())


def _prefetch(words: Iterable[str]) -> None:
    """Read the stored analyses of ``words`` (as :func:`word_lemmas` asks for them) in a few queries
    before the label and municipality indexes ask for them one at a time."""
    texts = {t for w in words for t in token_texts(w.casefold())}
    prefetch((lang, t) for t in texts for lang in LANGUAGES)


class Understanding:
    """Recognises facet values and the role of words in queries under one vocabulary."""

    def __init__(self, vocab: Vocabularies):
        self.vocab = vocab
        self._labels: dict[str, list[tuple[tuple[frozenset[str], ...], str, str]]] | None = None
        self._municipalities: dict[str, list[tuple[str, str, str]]] | None = None
        words = vocab.query_words
        self._optional = {lang: words.get("fillers", {}).get(lang, frozenset()) |
                          words.get("stop_words", {}).get(lang, frozenset()) for lang in LANGUAGES}
        self._stop = {lang: words.get("stop_words", {}).get(lang, frozenset()) for lang in LANGUAGES}
        self._name_heads = words.get("name_heads", {}).get("fi", frozenset())

    # -- roles of words
    def is_optional(self, word: str) -> bool:
        """A filler or function word (by base form, in any language)."""
        return self._in(word, self._optional)

    def is_stop_word(self, word: str) -> bool:
        """A function word ("ja", "och", "the") in any language."""
        return self._in(word, self._stop)

    @staticmethod
    def _in(word: str, sets: dict[str, frozenset[str]]) -> bool:
        folded = word.casefold()
        return any(folded in sets[lang] or any(t in sets[lang] for t in lemmas(folded, lang)) for lang in LANGUAGES)

    def is_name_head(self, word: str) -> bool:
        """A Finnish word written after a name with a space and a hyphen ("-hankkeen")."""
        return bool(set(lemmas(word.casefold(), "fi")) & self._name_heads)

    # -- facet values
    def _label_index(self) -> dict[str, list[tuple[tuple[frozenset[str], ...], str, str]]]:
        """First word's term → (every word's terms, facet, value) of every label and alias."""
        if self._labels is None:
            labels: list[tuple[str, str, list[str]]] = []  # (facet, value, the words of a label)
            for f in FACETS:
                if f.name == "lang":
                    continue
                for value, term in self.vocab.terms(f.name).items():
                    names = {value, *term.labels.values(), *(a for a, v in self.vocab.aliases(f.name).items()
                                                            if v == value)}
                    if f.name == "axis":
                        names.add(value.replace(" ", ""))  # "TL3", as the query reads "TL 3"
                    for name in names:
                        words = list(token_texts(name))
                        if words and len(words) <= MAX_LABEL_WORDS:
                            labels.append((f.name, value, words))
            _prefetch(w for _, _, words in labels for w in words)
            index: dict[str, list[tuple[tuple[frozenset[str], ...], str, str]]] = {}
            for facet_name, value, words in labels:
                key = tuple(_lemmas_cached(w) for w in words)
                for t in key[0]:
                    index.setdefault(t, []).append((key, facet_name, value))
            self._labels = index
        return self._labels

    def _municipality_index(self) -> dict[str, list[tuple[str, str, str]]]:
        """A municipality's name (casefolded base form) → (name, period, region)."""
        if self._municipalities is None:
            _prefetch(name for names in self.vocab.municipalities.values() for name in names)
            index: dict[str, list[tuple[str, str, str]]] = {}
            for period, names in self.vocab.municipalities.items():
                for name, region in names.items():
                    for t in _lemmas_cached(name) | {name.casefold()}:
                        index.setdefault(t, []).append((name, period, region))
            self._municipalities = index
        return self._municipalities

    def recognise(self, parsed: ParsedQuery) -> list[Recognised]:
        """The facet values the query's words name, longest label first, each value once."""
        words = [i.words[0] for i in parsed.items() if not i.is_phrase]
        if not words:  # browsing: no need to build the label and municipality indexes (seconds at start)
            return []
        terms = [_lemmas_cached(w) for w in words]
        found: dict[tuple[str, str], Recognised] = {}
        index = self._label_index()
        for start, first in enumerate(terms):
            candidates = {c for t in first for c in index.get(t, ())}
            for key, facet, value in sorted(candidates, key=lambda c: -len(c[0])):
                span = terms[start:start + len(key)]
                if len(span) == len(key) and all(k & q for k, q in zip(key, span)):
                    if all(self.is_stop_word(w) for w in words[start:start + len(key)]):
                        continue  # "ja" alone names nothing
                    found.setdefault((facet, value), Recognised(facet, value, tuple(words[start:start + len(key)])))
        self._recognise_municipalities(words, terms, found)
        return list(found.values())

    def _recognise_municipalities(self, words: Sequence[str], terms: Sequence[frozenset[str]],
                                  found: dict[tuple[str, str], Recognised]) -> None:
        common = self.vocab.municipality_common_words
        index = self._municipality_index()
        for word, word_terms in zip(words, terms):
            hits = {hit for t in word_terms | {word.casefold()} for hit in index.get(t, ())}
            by_region: dict[str, list[tuple[str, str]]] = {}
            for name, period, region in hits:
                if name in common and not word[:1].isupper():
                    continue  # "lahdessa" is in a bay; "Lahdessa" is in Lahti
                by_region.setdefault(region, []).append((name, period))
            for region, named in sorted(by_region.items()):
                if ("region", region) in found:
                    continue
                periods = tuple(sorted({p for _, p in named}))
                found[("region", region)] = Recognised("region", region, (word,), via=named[0][0],
                                                       periods=periods if len(periods) < len(
                                                           self.vocab.municipalities) else ())

