"""A query's words → Whoosh queries: analysed in every language, with their alternatives.

Each item of a query (a word or a phrase) becomes one clause, an OR of:

- the item itself in every text field of every language, analysed by that language's analyser
  (:func:`app.text.analyzer_for`, query mode: whole-word base forms and stems);
- its synonyms (the vocabulary's groups, matched by base form in any language; a multi-word
  synonym is a phrase, a stop word is never a synonym);
- for a compound ("kotoutumiskoulutus", "Ohjaamo-toiminta", "lärlingsutbildning"), all of its parts
  in the same document, worth less than the compound itself (``PARTS_BOOST``): so a closed, a
  hyphenated and a spaced spelling find the same practices;
- the metadata terms of a facet value the item names indirectly (a municipality's region, an
  objective's code for its official name), in the metadata fields only, worth ``META_BOOST``.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from whoosh import query as wq

from ..content.vocabularies import Vocabularies
from ..indexing.schema import META, text_field, text_fields
from ..names import LANGUAGES
from ..text import analyzer_for, compound_parts
from .query import Item

MAX_PHRASE_VARIANTS = 16
PARTS_BOOST = 0.5
META_BOOST = 0.5


def analyse(word: str, lang: str) -> list[list[str]]:
    """The query terms of ``word`` in ``lang``, grouped by position (alternatives of one word together)."""
    positions: dict[int, list[str]] = {}
    for token in analyzer_for(lang)(word, mode="query", positions=True):
        alts = positions.setdefault(token.pos, [])
        if token.text not in alts:
            alts.append(token.text)
    return [positions[p] for p in sorted(positions)]


def item_terms(item: Item) -> dict[str, frozenset[str]]:
    """language → every query term of the item's words in that language."""
    return {lang: frozenset(t for w in item.words for pos in analyse(w, lang) for t in pos) for lang in LANGUAGES}


class Synonyms:
    """The vocabulary's synonym groups, looked up by an item's base forms in any language."""

    def __init__(self, vocab: Vocabularies, is_stop_word: Callable[[str], bool] = lambda w: False):
        self._groups = [[Item(tuple(t.split())) for t in group] for group in vocab.synonyms]
        self._is_stop_word = is_stop_word
        self._lookup: dict[tuple[str, frozenset[str]], list[tuple[int, int]]] | None = None

    def _index(self) -> dict[tuple[str, frozenset[str]], list[tuple[int, int]]]:
        """(language, base forms) → (group, member) of every synonym, so expanding is a lookup per language."""
        if self._lookup is None:
            lookup: dict[tuple[str, frozenset[str]], list[tuple[int, int]]] = {}
            for g, group in enumerate(self._groups):
                for m, member in enumerate(group):
                    terms = item_terms(member)
                    for lang in LANGUAGES:
                        if terms[lang]:
                            lookup.setdefault((lang, terms[lang]), []).append((g, m))
            self._lookup = lookup
        return self._lookup

    def expand(self, item: Item) -> list[Item]:
        """The other members of every group that ``item`` belongs to (by base form, in any language)."""
        mine = item_terms(item)
        index = self._index()
        member_of: dict[int, int] = {}  # group → the first member matching, as the groups' order had it
        for lang in LANGUAGES:
            for g, m in index.get((lang, mine[lang]), ()) if mine[lang] else ():
                member_of[g] = min(member_of.get(g, m), m)
        return [other for g in sorted(member_of) for k, other in enumerate(self._groups[g])
                if k != member_of[g] and not (len(other.words) == 1 and self._is_stop_word(other.words[0]))]


def _positions_query(fieldname: str, positions: Sequence[Sequence[str]]) -> wq.Query | None:
    """Adjacent positions, each with alternative terms, as an OR of phrases (bounded)."""
    positions = [p for p in positions if p]
    if not positions:
        return None
    if len(positions) == 1:
        alts = positions[0]
        return wq.Term(fieldname, alts[0]) if len(alts) == 1 else wq.Or([wq.Term(fieldname, a) for a in alts])
    # Whoosh's parser treats stacked tokens as consecutive words, and SpanNear2 fails inside Or:
    # so a phrase over a lemmatising analyser is expanded into plain phrases explicitly.
    variants = list(itertools.islice(itertools.product(*positions), MAX_PHRASE_VARIANTS))
    phrases = [wq.Phrase(fieldname, list(v)) for v in variants]
    return phrases[0] if len(phrases) == 1 else wq.Or(phrases)


def _or(clauses: list[wq.Query], boost: float = 1.0) -> wq.Query | None:
    if not clauses:
        return None
    node = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
    if boost != 1.0:
        node.boost = boost
    return node


def _variant_clauses(item: Item, kinds: Sequence[str] | None = None) -> list[wq.Query]:
    clauses = []
    for lang in LANGUAGES:
        positions = [p for w in item.words for p in analyse(w, lang)]
        for name in ([text_field(k, lang) for k in kinds] if kinds else text_fields(lang)):
            q = _positions_query(name, positions)
            if q is not None:
                clauses.append(q)
    return clauses


def part_queries(word: str) -> list[wq.Query]:
    """One query per part of a compound ``word`` (the first language that splits it): the part in any
    field of the text (not the metadata: "Keski-Suomi" is not "keski" of one label and "suomi" of another)."""
    closed = word.replace("-", "") if "-" in word.strip("-") else None
    for lang in LANGUAGES:
        # A hyphenated word is read as its closed spelling where that splits: Voikko reads
        # "koulutuspaikkojen" as koulutus + paikka but the part after a hyphen only by its stem.
        parts = compound_parts(closed, lang) if closed else ()
        if len(parts) <= 1:
            parts = compound_parts(word, lang)
        if len(parts) > 1:
            fields = [f for f in text_fields(lang) if f != text_field(META, lang)]
            return [wq.Or([wq.Term(f, part) for f in fields]) for part in dict.fromkeys(parts)]
    return []


def _parts_clause(word: str) -> wq.Query | None:
    """All parts of a compound ``word`` in one document (any field)."""
    parts = part_queries(word)
    return _or([wq.And(parts)], PARTS_BOOST) if len(parts) > 1 else None


def item_query(item: Item, synonyms: Sequence[Item] = (), meta: Sequence[str] = (),
               parts: bool = True) -> wq.Query | None:
    """The clause of one item: itself and its synonyms in every field of every language, its
    compound parts, and ``meta`` (labels or codes searched in the metadata fields); None when no
    word of it yields a term."""
    clauses = [c for variant in (item, *synonyms) for c in _variant_clauses(variant)]
    if parts and not item.is_phrase:
        clauses.extend(filter(None, [_parts_clause(item.words[0])]))
    for label in meta:
        clauses.extend(filter(None, [_or(_variant_clauses(Item(tuple(label.split())), [META]), META_BOOST)]))
    return _or(clauses)
