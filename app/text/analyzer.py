"""The Whoosh analysers: one per content language, the same at index and query time.

Each token is replaced by its terms (:mod:`app.text.words`), stacked at the surface word's position,
so phrase positions advance by one per surface word and highlighting marks the word as written.
No stoplist in any language: phrase queries need every word at its position, BM25 gives "ja",
"och" and "the" almost no weight, and Finnish stoplists would drop real words ("olla", "voi", "tuli").

Highlighting: ``hit.highlights()`` re-tokenises the stored text in *index* mode, so a query
"tuki" marks "palkkatuella"; the standalone ``whoosh.highlight.highlight()`` defaults to query
mode: pass mode="index".
"""
from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Analyzer, Filter, Token

from ..names import LANGUAGES
from .tokens import WordTokenizer, surface_groups, token_text, token_texts
from .words import _CACHE, _STATS, surface_memo, word_terms


def check_lang(lang: str) -> None:
    """Raise ValueError for a language without an analyser."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")


class LemmaFilter(Filter):
    """Replaces each token by its terms for ``lang``, stacked at the token's position.

    Every emitted token keeps the surface word's pos/startchar/endchar, so
    phrase positions advance by one per surface word and highlighting marks
    the word as written.  Holds only the language code: pickles cleanly.
    """

    is_morph = True

    def __init__(self, lang: str, whole_words: bool = False) -> None:
        check_lang(lang)
        self.lang = lang
        self.whole_words = whole_words

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        lang, whole = self.lang, getattr(self, "whole_words", False)
        for t in tokens:
            # Inlined cache hit: this loop is the indexer's hot path.
            entry = _CACHE.get((lang, t.text))
            if entry is None:
                entry = word_terms(t.text, lang)
            else:
                _STATS["hits"] += 1
            for text in entry.query if whole or t.mode == "query" else entry.terms:
                t.text = text
                yield t


def analyzer_for(lang: str, whole_words: bool = False) -> Analyzer:
    """Return the analyser used at index and query time for text in ``lang``; with ``whole_words``,
    one that indexes whole-word terms only (no compound parts), as the metadata fields do: a
    query for "Pohjanmaa" must not find the "pohjanmaa" inside "Etelä-Pohjanmaa"."""
    return WordTokenizer() | LemmaFilter(lang, whole_words)


def index_postings(text: str, lang: str, whole_words: bool = False) -> dict[str, list[tuple[int, int, int]]]:
    """What :func:`analyzer_for` (``lang``, ``whole_words``) yields for ``text`` at index time,
    grouped by term: term → [(position, start character, end character), …] in text order.

    The build's writer calls this for every field of every document: the same tokens and terms as
    the analyser's chain of Token objects (tests hold them equal), at a fraction of its cost. The
    occurrences are grouped by surface string first, so a word is normalised and looked up once per
    text, not once per occurrence, and its terms share one list: the lists must not be changed (a
    caller encoding them can encode a shared list once). A surface's terms are remembered per
    process (:func:`app.text.words.surface_memo`), so a word seen before costs one lookup.
    """
    check_lang(lang)
    out: dict[str, list[tuple[int, int, int]]] = {}
    memo = surface_memo(lang, whole_words)
    for surface, postings in surface_groups(text).items():
        terms = memo.get(surface)
        if terms is None:
            form = token_text(surface)
            entry = _CACHE.get((lang, form)) or word_terms(form, lang)
            terms = memo[surface] = entry.query if whole_words else entry.terms
        for term in terms:
            found = out.get(term)
            # Two spellings of one term ("Koulutus", "koulutuksen"): their occurrences merged in text order.
            out[term] = postings if found is None else sorted(found + postings)
    return out


def lemmas(word: str, lang: str) -> list[str]:
    """Index terms that ``word`` produces as a query in ``lang``, de-duplicated, in order."""
    check_lang(lang)
    out: dict[str, None] = {}
    for text in token_texts(word):
        out.update(dict.fromkeys(word_terms(text, lang).query))
    return list(out)


def explain_terms(word: str, lang: str) -> list[tuple[str, str]]:
    """Every index term ``word`` produces in ``lang`` with its kind (base/compound/stem)."""
    check_lang(lang)
    out: dict[str, str] = {}
    for text in token_texts(word):
        entry = word_terms(text, lang)
        for term, kind in zip(entry.terms, entry.kinds):
            out.setdefault(term, kind)
    return list(out.items())


def compound_parts(word: str, lang: str) -> tuple[str, ...]:
    """The base forms of the parts of ``word`` as a compound in ``lang`` ("kotoutumiskoulutus" →
    ("kotoutua", "koulutus"), "Ohjaamo-toiminta" → ("ohjaamo", "toiminta")); empty when it is none."""
    check_lang(lang)
    texts = list(token_texts(word))
    return word_terms(texts[0], lang).parts if len(texts) == 1 else ()
