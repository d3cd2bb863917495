"""A parsed query's words → analysed terms in every language, synonyms added → the Whoosh query.

Each item is searched in every text field of every language, analysed by that language's analyser
(:func:`app.text.analyzer_for`, query mode: whole-word base forms and stems). An item's synonyms
(the vocabulary's synonym groups, matched by base form in any language) are ORed with it.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from whoosh import query as wq

from ..content.vocabularies import Vocabularies
from ..indexing.schema import text_fields
from ..names import LANGUAGES
from ..text import analyzer_for
from .query import Item, ParsedQuery

MAX_PHRASE_VARIANTS = 16


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

    def __init__(self, vocab: Vocabularies):
        self._groups = [[Item(tuple(t.split())) for t in group] for group in vocab.synonyms]
        self._members: list[list[dict[str, frozenset[str]]]] | None = None
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
        return [other for g in sorted(member_of) for k, other in enumerate(self._groups[g]) if k != member_of[g]]


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


def item_query(item: Item, alternatives: Sequence[Item] = ()) -> wq.Query | None:
    """One item (and its alternatives) searched in every field of every language, each language
    with its own analysis; None when no word of it yields a term."""
    clauses = []
    for variant in (item, *alternatives):
        for lang in LANGUAGES:
            positions = [p for w in variant.words for p in analyse(w, lang)]
            for name in text_fields(lang):
                q = _positions_query(name, positions)
                if q is not None:
                    clauses.append(q)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def whoosh_query(parsed: ParsedQuery, synonyms: Synonyms) -> wq.Query | None:
    """The Whoosh query of a parsed query with synonyms, or None when it has no searchable word."""
    musts = []
    for group in parsed.must:
        ors = [q for q in (item_query(i, synonyms.expand(i)) for i in group) if q is not None]
        if ors:
            musts.append(ors[0] if len(ors) == 1 else wq.Or(ors))
    nots = [q for q in (item_query(i) for i in parsed.must_not) if q is not None]
    if not musts and not nots:
        return None
    positive = wq.And(musts) if len(musts) > 1 else (musts[0] if musts else wq.Every())
    return wq.AndNot(positive, wq.Or(nots)) if nots else positive
