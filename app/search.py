"""Search service: query + facet filters over the current index version → results, counts, snippets.

One service per process. It keeps one open searcher and the facet bitsets of the version being
served, and notices a new version (the ``CURRENT`` file changed) at the next request.
"""
from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import os
import re
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import classify, highlight, index
from whoosh import query as wq
from whoosh.analysis import Token

from . import analysis
from . import query as q
from .analysis import LANGUAGES, analyzer_for, lemmas
from .facets import (FACETS, FacetCount, FacetIndex, ordinals_from_bits, top_k,
                     weighted_slices)
from .ranking import Blocks, Ranker, kept_value, posting_values
from .catalog import BROWSE, Browse, PrimaryRecord, gc_paused, open_catalog
from .layout import CURRENT, LEMMA_CACHE, META, TEXT_BOOSTS, current_version
from .spelling import SpellingDictionary
from .vocabularies import Vocabularies, load_vocabularies

log = logging.getLogger(__name__)  # "app.search": which index version each worker serves

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "title")
TYPO_MIN_LETTERS = 5
MAX_SPELL_CANDIDATES = 20_000
KNOWN_WORD_DOCS = 3  # a word written so in this many documents is not offered another spelling
MAX_SUGGESTED_WORDS = 4  # words of one query looked up for spelling (each scans the term list)
# The finnish alphabet ends in å, ä, ö; code points would put ä before å.
_TITLE_KEY = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y", "é": "e"})


class NoIndex(RuntimeError):
    """There is no built index to serve yet."""


def title_key(title: str) -> str:
    return title.casefold().translate(_TITLE_KEY)


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    display_lang: str = "fi"


@dataclass
class Result:
    id: str
    lang: str  # language of the version shown
    title: str
    project: str
    summary: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    snippet_lang: str
    regions: list[str]
    themes: list[str]
    axis: str
    objective: str
    period: str
    target_groups: list[str]
    languages: list[str]
    matched: list["Match"] = field(default_factory=list)


@dataclass
class Match:
    """Why a result matched: a term of the query and the word forms of the text it matched."""

    query: str  # the visitor's word (or the synonym / corrected word that was searched)
    term: str  # the base form, compound part or stem that matched
    kind: str  # "base", "compound", "stem", "synonym" or "corrected"
    forms: list[str] = field(default_factory=list)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    page: int
    pages: int
    results: list[Result]
    facets: dict[str, list[FacetValue]]
    ignored: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    version: str = ""
    corrected: dict[str, str] = field(default_factory=dict)  # typo → word searched instead
    suggestion: dict | None = None  # {"q": better-spelled query, "total": its result count}
    relaxations: list[dict] = field(default_factory=list)  # zero results: one filter less


class MarkFormatter(highlight.HtmlFormatter):
    """``<mark>`` around matched words; every other character HTML-escaped."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token, replace: bool = False) -> str:  # noqa: ANN001
        return "<mark>%s</mark>" % highlight.htmlescape(highlight.get_text(text, token, replace))


@dataclass(frozen=True)
class Best:
    """Practices matching a query (ordinals, ascending) with the score and number of their best document."""

    ordinals: np.ndarray
    scores: np.ndarray
    docs: np.ndarray

    def bits(self, size: int) -> int:
        """The practices as a bitset."""
        mask = np.zeros(size, dtype=bool)
        mask[self.ordinals] = True
        return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")

    def doc_of(self, ordinal: int) -> int:
        return int(self.docs[np.searchsorted(self.ordinals, ordinal)])

    def ranked(self, allowed: np.ndarray, count: int | None = None) -> list[tuple[int, int]]:
        """(ordinal, document) of the best ``count`` allowed practices, best first (ties: lower document)."""
        keep = allowed[self.ordinals]
        ordinals, scores, docs = self.ordinals[keep], self.scores[keep], self.docs[keep]
        if count is not None and count < len(scores):
            threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
            near = scores >= threshold  # the best ``count`` and whatever ties with the last of them
            ordinals, scores, docs = ordinals[near], scores[near], docs[near]
        order = np.lexsort((docs, -scores))[:count]
        return [(int(o), int(d)) for o, d in zip(ordinals[order], docs[order])]


def as_mask(bits: int, size: int) -> np.ndarray:
    """A bitset as a boolean array of ``size``."""
    return np.unpackbits(np.frombuffer(as_bytes(bits, size), dtype=np.uint8), bitorder="little")[:size].astype(bool)


def as_bytes(bits: int, size: int) -> bytes:
    """A bitset as little-endian bytes (bit ``i`` is ``b[i >> 3] >> (i & 7) & 1``)."""
    return bits.to_bytes((size + 8) // 8, "little")


@dataclass
class ShownHit:
    """A document on the page: its stored fields and where each matched term occurs in them."""

    docnum: int
    stored: dict
    chars: dict[tuple[str, str], list[tuple[int, int, int]]] = field(default_factory=dict)  # (field, term) → (pos, start, end)

    def snippet(self, fieldname: str, top: int = 2) -> str:
        """Whoosh's pinpoint highlighting of the best fragments of ``fieldname`` ("" without a match there)."""
        text = self.stored.get(fieldname) or ""
        fragmenter = highlight.PinpointFragmenter(maxchars=240, surround=70, autotrim=True)
        tokens = [Token(text=term, pos=pos, startchar=start, endchar=end)
                  for (name, term), chars in self.chars.items() if name == fieldname
                  for pos, start, end in chars if not fragmenter.charlimit or end <= fragmenter.charlimit]
        if not text or not tokens:
            return ""
        tokens.sort(key=lambda t: t.startchar)
        tokens = [max(group, key=lambda t: t.endchar - t.startchar)
                  for _, group in itertools.groupby(tokens, lambda t: t.startchar)]
        fragments = highlight.top_fragments(fragmenter.fragment_matches(text, tokens), top,
                                            highlight.BasicFragmentScorer(), highlight.FIRST)
        return MarkFormatter().format(fragments)


# --- request parsing (framework-free: takes any mapping of lists) ------------------------------

def _to_int(values: Sequence[str], default: int, low: int, high: int) -> int:
    try:
        number = int(str(values[0]).strip()) if values else default
    except (ValueError, OverflowError):
        return default
    return max(low, min(high, number))


_KNOWN_VALUES: dict[int, tuple[Vocabularies, dict[str, set[str]]]] = {}


def parse_args(getlist: Callable[[str], list[str]], vocab: Vocabularies,
               display_lang: str = "fi") -> tuple[SearchRequest, list[tuple[str, str]]]:
    """Read a search request from query arguments; unknown facet values are returned, not used."""
    # Every link of a results page is parsed too, so the known values are computed once per vocabulary.
    cached = _KNOWN_VALUES.get(id(vocab))
    if cached is None or cached[0] is not vocab:
        cached = _KNOWN_VALUES[id(vocab)] = (vocab, {
            "region": set(vocab.regions), "large_area": set(vocab.large_areas), "theme": set(vocab.themes),
            "axis": {a for p in vocab.periods.values() for a in p.axes},
            "objective": {o for p in vocab.periods.values() for a in p.axes.values() for o in a.objectives},
            "target_group": set(vocab.target_groups), "period": set(vocab.periods), "lang": set(LANGUAGES),
        })
    known = cached[1]
    filters: dict[str, tuple[str, ...]] = {}
    ignored: list[tuple[str, str]] = []
    for facet in FACETS:
        chosen: list[str] = []
        for raw in getlist(facet)[:50]:
            value = raw.strip()
            if not value:
                continue
            if value in known[facet]:
                if value not in chosen:
                    chosen.append(value)
            else:
                ignored.append((facet, value[:100]))
        if chosen:
            filters[facet] = tuple(chosen)
    qs = getlist("q")
    sort = (getlist("sort") or ["relevance"])[0]
    request = SearchRequest(
        q=(qs[0] if qs else "")[: q.MAX_QUERY_CHARS * 2],
        filters=filters,
        page=_to_int(getlist("page"), 1, 1, 10**6),
        per_page=_to_int(getlist("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        sort=sort if sort in SORTS else "relevance",
        display_lang=display_lang,
    )
    return request, ignored


# --- the open index -----------------------------------------------------------------------

class _RememberedFrequencies:
    """A reader that remembers the collection frequencies asked of it (in ``memo``, kept per version)."""

    def __init__(self, reader, memo: dict[tuple[str, bytes], int]) -> None:  # noqa: ANN001
        self._reader, self._memo = reader, memo

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._reader, name)

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.frequency(*term) > 0

    def frequency(self, fieldname: str, text: bytes) -> int:
        key = (fieldname, text)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 500_000:  # a bound on memory; the common words come back soon
                self._memo.clear()
            found = self._memo[key] = self._reader.frequency(fieldname, text) if key in self._reader else 0
        return found


class IndexVersion:
    """One opened index version: searcher, practice catalogue and facet bitsets."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.meta = json.loads((path / META).read_text(encoding="utf-8"))
        # Records are fetched per practice when shown; what every request needs (titles, facet values,
        # orders) was computed by the build, so opening a version reads no practice record.
        self.catalog = open_catalog(path)
        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.browse = Browse.load(path / BROWSE) or Browse.from_records(  # a version built before browse.pickle
            self.catalog, title_key, self.searcher.reader().column_reader("slug"))
        self.slugs = self.browse.slugs
        with gc_paused():
            self.ordinal = {s: i for i, s in enumerate(self.slugs)}
            self.facets = (FacetIndex.from_bits(len(self.slugs), self.browse.facet_bits)
                           if self.browse.facet_bits is not None
                           else FacetIndex([self.browse.facet_values(i) for i in range(len(self.slugs))]))
        self.title_order = self.browse.title_order
        self.doc_ordinal = self.browse.doc_ordinal
        self._live_mask: np.ndarray | None = None
        self._doc_ordinals: np.ndarray | None = None
        self._title_rank: array | None = None
        self.frequencies: dict[tuple[str, bytes], int] = {}  # (field, term) → collection frequency, as asked
        self.spelling = SpellingDictionary.open(path)  # read at the first spelling lookup, not here
        self.ranker = Ranker(self.searcher)

    def title_rank(self) -> array:
        """Position of every ordinal in the title order (ties between equally related practices go by title)."""
        if self._title_rank is None:
            ranks = array("I", bytes(4 * len(self.slugs)))
            for rank, i in enumerate(self.title_order):
                ranks[i] = rank
            self._title_rank = ranks
        return self._title_rank

    def live_mask(self) -> np.ndarray:
        """Which document numbers are not deleted (an updated version keeps deleted ones in old segments)."""
        if self._live_mask is None:
            reader = self.searcher.reader()
            mask = np.zeros(reader.doc_count_all(), dtype=bool)
            mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            self._live_mask = mask
        return self._live_mask

    def doc_ordinals(self) -> np.ndarray:
        """The practice ordinal of every document number, as an array."""
        if self._doc_ordinals is None:
            self._doc_ordinals = np.asarray(self.doc_ordinal, dtype=np.int64)
        return self._doc_ordinals

    def primary(self, slug: str) -> Mapping:
        """Record of the version a practice is listed by, without the body (``catalog`` has the full one)."""
        i = self.ordinal[slug]
        return PrimaryRecord(self.catalog, slug, self.browse.titles[i])

    def version_for(self, slug: str, lang: str) -> Mapping:
        langs = self.browse.langs[self.ordinal[slug]]
        if lang not in langs or lang == ("fi" if "fi" in langs else langs[0]):
            return self.primary(slug)
        return self.catalog[slug][lang]

    def _facet_values(self, slug: str) -> dict[str, tuple[str, ...]]:
        return self.browse.facet_values(self.ordinal[slug])

    def close(self) -> None:
        self.searcher.close()
        if hasattr(self.catalog, "close"):
            self.catalog.close()


class SearchService:
    """Search over the index version named by ``<index_root>/CURRENT``; reopens when it changes."""

    def __init__(self, index_root: str | Path, vocab: Vocabularies | str | Path):
        self.root = Path(index_root)
        self.vocab = vocab if isinstance(vocab, Vocabularies) else load_vocabularies(vocab)
        self._lock = threading.Lock()
        self._current: IndexVersion | None = None
        self._stamp: tuple[int, int] | None = None
        self.fields_by_lang = {lang: [f"{k}_{lang}" for k in TEXT_BOOSTS] for lang in LANGUAGES}
        self._synonym_items: list[list[tuple[q.Item, dict[str, frozenset[str]]]]] | None = None
        self._synonym_lookup: dict[tuple[str, frozenset[str]], list[tuple[int, int]]] | None = None
        self._spell_memo: dict[tuple[str, str], str | None] = {}
        analysis.use_store(self.root / LEMMA_CACHE)  # the build's analyses: no dictionary load for known words

    # -- version handling
    def version(self) -> IndexVersion:
        """The open index version, switching to a newer one if ``CURRENT`` changed."""
        try:
            st = os.stat(self.root / CURRENT)
            stamp = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp is not None and stamp == self._stamp and self._current is not None:
            return self._current
        with self._lock:
            if stamp is not None and stamp == self._stamp and self._current is not None:
                return self._current
            name = current_version(self.root)
            if name is None:
                raise NoIndex(f"no index in {self.root}: run 'python build.py' first")
            if self._current is None or self._current.name != name:
                # Open the new directory; never refresh the old searcher (stale documents after a rebuild).
                self._current = IndexVersion(self.root / name)
                log.info("process %d now serves index version %s (%d documents)", os.getpid(), name,
                         self._current.meta.get("documents", 0))
            self._stamp = stamp
            return self._current

    # -- analysis helpers
    def _analyse(self, word: str, lang: str) -> list[list[str]]:
        positions: dict[int, list[str]] = {}
        for token in analyzer_for(lang)(word, mode="query", positions=True):
            alts = positions.setdefault(token.pos, [])
            if token.text not in alts:
                alts.append(token.text)
        return [positions[p] for p in sorted(positions)]

    def _lang_terms(self, item: q.Item) -> dict[str, frozenset[str]]:
        return {lang: frozenset(t for w in item.words for pos in self._analyse(w, lang) for t in pos)
                for lang in LANGUAGES}

    def _synonyms(self) -> list[list[tuple[q.Item, dict[str, frozenset[str]]]]]:
        if self._synonym_items is None:
            self._synonym_items = [[(g, self._lang_terms(g)) for g in (q.Item(tuple(t.split())) for t in group)]
                                   for group in self.vocab.synonyms]
        return self._synonym_items

    def _synonym_index(self) -> dict[tuple[str, frozenset[str]], list[tuple[int, int]]]:
        """(language, base forms) → (group, member) of every synonym, so expanding is a lookup per language."""
        if self._synonym_lookup is None:
            lookup: dict[tuple[str, frozenset[str]], list[tuple[int, int]]] = {}
            for g, group in enumerate(self._synonyms()):
                for m, (_, terms) in enumerate(group):
                    for lang in LANGUAGES:
                        if terms[lang]:
                            lookup.setdefault((lang, terms[lang]), []).append((g, m))
            self._synonym_lookup = lookup
        return self._synonym_lookup

    def expand(self, item: q.Item) -> list[q.Item]:
        """Synonyms of an item from the vocabulary's synonym groups, matched by base form in any language."""
        mine = self._lang_terms(item)
        index = self._synonym_index()
        member_of: dict[int, int] = {}  # group → the first member matching, as the groups' order had it
        for lang in LANGUAGES:
            for g, m in index.get((lang, mine[lang]), ()) if mine[lang] else ():
                member_of[g] = min(member_of.get(g, m), m)
        groups = self._synonyms()
        return [other for g in sorted(member_of) for k, (other, _) in enumerate(groups[g]) if k != member_of[g]]

    def build_query(self, text: str) -> tuple[wq.Query | None, q.ParsedQuery]:
        parsed = q.parse(text)
        return self.to_whoosh(parsed), parsed

    def to_whoosh(self, parsed: q.ParsedQuery) -> wq.Query | None:
        return q.to_whoosh(parsed, self.fields_by_lang, self._analyse, self.expand)

    # -- spelling
    def _matches_anything(self, v: IndexVersion, item: q.Item) -> bool:
        wquery = q.item_query(item, self.fields_by_lang, self._analyse, self.expand(item))
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

    def _neighbour(self, v: IndexVersion, word: str) -> str | None:
        """Memoised :meth:`_find_neighbour` (a typo is usually retyped, and suggestions ask again)."""
        key = (v.name, word.casefold())
        if key not in self._spell_memo:
            if len(self._spell_memo) >= 10_000:
                self._spell_memo.clear()
            self._spell_memo[key] = self._find_neighbour(v, word)
        return self._spell_memo[key]

    def _find_neighbour(self, v: IndexVersion, word: str) -> str | None:
        """A known word one edit away from ``word``, or from the stem of an indexed inflected form.

        Finnish inflects at the end, so "maahanmuutaja" is corrected through "maahanmuuttajille":
        the typed word is one edit from that form's beginning. The base form is returned.
        """
        word = word.casefold()
        best: tuple | None = None
        for n, (cand, doc_frequency) in enumerate(v.spelling.with_prefix(word[:3])):
            if n >= MAX_SPELL_CANDIDATES:
                break
            if cand == word:
                continue
            cost = _closeness(word, cand)
            if cost is None:
                continue
            key = (-cost, doc_frequency, cand)
            if best is None or key > best:
                best = key
        if best is None:
            return None
        base = lemmas(best[-1], "fi")
        return base[0] if base and base[0] != word else best[-1]

    def _corrections(self, v: IndexVersion, parsed: q.ParsedQuery) -> dict[str, str]:
        """Words of 5+ letters that match nothing, each with the word searched instead."""
        fixes = {}
        for item in parsed.items()[:MAX_SUGGESTED_WORDS]:
            word = item.words[0]
            if item.is_phrase or len(word) < TYPO_MIN_LETTERS or not word.isalpha():
                continue
            if not self._matches_anything(v, item):
                better = self._neighbour(v, word)
                if better:
                    fixes[word] = better
        return fixes

    def _suggest(self, v: IndexVersion, parsed: q.ParsedQuery, selections: Mapping[str, list[str]],
                 total: int) -> dict | None:
        """A better-spelled query with more results, for "did you mean …?"."""
        replace = {}
        for item in parsed.items()[:MAX_SUGGESTED_WORDS]:
            word = item.words[0]
            if item.is_phrase or len(word) < TYPO_MIN_LETTERS or not word.isalpha():
                continue
            if v.spelling.doc_frequency(word.casefold()) >= KNOWN_WORD_DOCS:
                continue  # spelled as several practices spell it: too few results is not a spelling matter
            better = self._neighbour(v, word)
            if better:
                replace[word] = better
        if not replace:
            return None
        alternative = parsed.with_words(replace)
        wquery = self.to_whoosh(alternative)
        if wquery is None:
            return None
        count = (self._matching_bits(v, wquery) & v.facets.filter_bits(selections)).bit_count()
        return {"q": str(alternative), "total": count} if count > total else None

    def _relaxations(self, v: IndexVersion, text_bits: int, selections: Mapping[str, list[str]]) -> list[dict]:
        """For zero results: each active filter value, and how many results there are without it."""
        out = []
        for facet, values in selections.items():
            for value in values:
                fewer = {f: [x for x in vals if not (f == facet and x == value)] for f, vals in selections.items()}
                count = (text_bits & v.facets.filter_bits(fewer)).bit_count()
                if count:
                    out.append({"facet": facet, "value": value, "total": count})
        return sorted(out, key=lambda r: -r["total"])

    # -- searching
    def search(self, req: SearchRequest) -> SearchResponse:
        """Run one search: results of the requested page, disjunctive facet counts, snippets."""
        v = self.version()
        parsed, corrected, wquery = self._corrected_query(v, req.q)
        notices = ["query_truncated"] if parsed.truncated else []
        selections = {f: list(vals) for f, vals in req.filters.items()}
        blocks: Blocks = {}
        best = self._best_documents(v, wquery, blocks) if wquery is not None else None
        text_bits = v.facets.all if best is None else best.bits(v.facets.size)
        filtered = text_bits & v.facets.filter_bits(selections)
        total = filtered.bit_count()
        pages = max(1, math.ceil(total / req.per_page))
        page = min(req.page, pages)
        explain = self._explainer(parsed, corrected)
        if wquery is None or req.sort == "title":
            results = self._by_title(v, filtered, page, req, wquery, best, blocks, explain)
        else:
            results = self._by_relevance(v, filtered, best, blocks, page, req, wquery, explain)
        counts = v.facets.counts(text_bits, selections)
        return SearchResponse(
            request=req, total=total, page=page, pages=pages, results=results,
            facets=self._labelled(counts, req.display_lang), notices=notices, version=v.name,
            corrected=corrected,
            suggestion=self._suggest(v, parsed, selections, total) if wquery is not None and total < 3 else None,
            relaxations=self._relaxations(v, text_bits, selections) if total == 0 else [],
        )

    # -- why this matched
    def _explainer(self, parsed: q.ParsedQuery, corrected: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Index term → (the visitor's word, kind) for every word of the query and its synonyms."""
        typo_of = {v: k for k, v in corrected.items()}
        terms: dict[str, tuple[str, str]] = {}
        for item in parsed.items():
            for synonym in self.expand(item):
                for w in synonym.words:
                    for lang in LANGUAGES:
                        for t in lemmas(w, lang):
                            terms.setdefault(t, (w, "synonym"))
            for w in item.words:
                for lang in LANGUAGES:
                    for t in lemmas(w, lang):
                        terms[t] = (typo_of.get(w, w), "corrected" if w in typo_of else "")
        return terms

    @staticmethod
    def _matches(hit: ShownHit, explain: dict[str, tuple[str, str]]) -> list[Match]:
        """The query terms a hit matched, each with the surface forms it matched in the text."""
        found: dict[str, Match] = {}
        for (fieldname, term), chars in sorted(hit.chars.items()):
            word, kind = explain.get(term, (term, ""))
            lang = fieldname.rsplit("_", 1)[-1]
            match = found.setdefault(term, Match(query=word, term=term, kind=kind))
            text = hit.stored.get(fieldname) or ""
            for form in (text[start:end].casefold() for _, start, end in chars[:5]):
                if form not in match.forms and len(match.forms) < 3:
                    match.forms.append(form)
            if not match.kind:
                whole = {t for f in match.forms for t in lemmas(f, lang)}
                match.kind = "base" if term in whole or not match.forms else "compound"
        for m in found.values():
            m.kind = m.kind or "base"
        return list(found.values())

    def _best_documents(self, v: IndexVersion, wquery: wq.Query, blocks: Blocks | None = None) -> Best:
        """The best-scoring live document of every practice matching ``wquery``.

        Ties go to the lower document number, as in Whoosh's collapsed results. ``blocks`` keeps
        the decoded postings for :meth:`_shown_hits`.
        """
        scores = v.ranker.scores(wquery, blocks)
        docs = np.flatnonzero((scores > 0) & v.live_mask())
        ordinals, docs_scores = v.doc_ordinals()[docs], scores[docs]
        order = np.lexsort((docs, -docs_scores, ordinals))  # by practice, best first
        ordinals, docs, docs_scores = ordinals[order], docs[order], docs_scores[order]
        first = np.ones(len(ordinals), dtype=bool)
        first[1:] = ordinals[1:] != ordinals[:-1]
        return Best(ordinals[first], docs_scores[first], docs[first])

    @staticmethod
    def _shown_hits(v: IndexVersion, docnums: Sequence[int], wquery: wq.Query,
                    blocks: Blocks) -> dict[int, ShownHit]:
        """The stored fields of the documents shown and where each query term occurs in them.

        Positions come from the posting blocks the ranking decoded; for terms it did not decode (it
        remembered their scores, or they are inside phrases) only the blocks holding shown documents are read.
        """
        docs = sorted(set(docnums))
        hits = {d: ShownHit(d, v.searcher.stored_fields(d)) for d in docs}
        positive = wquery.a if isinstance(wquery, wq.AndNot) else wquery  # excluded words are not shown
        reader = v.searcher.reader()
        for fieldname, text in sorted(set(positive.iter_all_terms())):
            lang = fieldname.rsplit("_", 1)[-1]
            wanted = [d for d in docs if hits[d].stored.get("lang") == lang]
            if not wanted:
                continue
            term = text.decode("utf-8") if isinstance(text, bytes) else text
            key = (fieldname, text)
            if key in blocks:
                values = {d: value for d in wanted if (value := kept_value(blocks, key, d)) is not None}
            elif key in reader:
                values = posting_values(v.searcher, fieldname, text, wanted)
            else:
                continue
            if values is None:  # not Whoosh's W3 postings: walk a matcher
                postings, values = v.searcher.postings(fieldname, text), {}
                for d in wanted:
                    if postings.is_active():
                        postings.skip_to(d)
                        if postings.is_active() and postings.id() == d:
                            values[d] = postings.value()
            decode = v.searcher.schema[fieldname].format.decoder("characters")
            for d, value in values.items():
                hits[d].chars[(fieldname, term)] = decode(value)
        return hits

    def _matching_bits(self, v: IndexVersion, wquery: wq.Query) -> int:
        """Practices with a live document matching ``wquery`` (the documents its Whoosh matcher finds)."""
        return self._best_documents(v, wquery).bits(v.facets.size)

    def _by_relevance(self, v: IndexVersion, bits: int, best: Best, blocks: Blocks, page: int,
                      req: SearchRequest, wquery: wq.Query, explain: dict[str, tuple[str, str]]) -> list[Result]:
        ranked = best.ranked(as_mask(bits, v.facets.size), page * req.per_page)
        shown = ranked[(page - 1) * req.per_page:]
        hits = self._shown_hits(v, [d for _, d in shown], wquery, blocks)
        return [self._result(v, v.slugs[o], req.display_lang, hits[d], explain) for o, d in shown]

    def _by_title(self, v: IndexVersion, bits: int, page: int, req: SearchRequest, wquery: wq.Query | None,
                  best: Best | None, blocks: Blocks,
                  explain: dict[str, tuple[str, str]]) -> list[Result]:
        start = (page - 1) * req.per_page
        chosen: list[int] = []
        skipped = 0
        allowed = as_bytes(bits, v.facets.size)
        for i in v.title_order:
            if allowed[i >> 3] >> (i & 7) & 1:
                if skipped < start:
                    skipped += 1
                    continue
                chosen.append(i)
                if len(chosen) == req.per_page:
                    break
        if wquery is None:
            return [self._result(v, v.slugs[i], req.display_lang, None, {}) for i in chosen]
        docs = [best.doc_of(i) for i in chosen]
        hits = self._shown_hits(v, docs, wquery, blocks)
        return [self._result(v, v.slugs[i], req.display_lang, hits[d], explain) for i, d in zip(chosen, docs)]

    def _result(self, v: IndexVersion, slug: str, display_lang: str, hit: ShownHit | None,
                explain: dict[str, tuple[str, str]]) -> Result:
        shown = v.version_for(slug, display_lang)
        snippet, snippet_lang, matched = "", shown["lang"], []
        if hit is not None:
            lang = hit.stored["lang"]
            for kind in ("body", "summary", "title"):
                snippet = hit.snippet(f"{kind}_{lang}")
                if snippet:
                    snippet_lang = lang
                    break
            matched = self._matches(hit, explain)
        if not snippet:
            snippet = highlight.htmlescape(_shorten(shown["summary"], 240))
            snippet_lang = shown["lang"]
        return Result(
            id=slug, lang=shown["lang"], title=shown["title"], project=shown["project"], summary=shown["summary"],
            snippet=snippet, snippet_lang=snippet_lang, regions=shown["regions"], themes=shown["themes"],
            axis=shown["axis"], objective=shown["objective"], period=shown["period"],
            target_groups=shown["target_groups"], languages=sorted(v.catalog[slug]), matched=matched,
        )

    def _labelled(self, counts: Mapping[str, list[FacetCount]], lang: str) -> dict[str, list[FacetValue]]:
        out = {}
        for facet, rows in counts.items():
            values = [FacetValue(r.value, self.vocab.label(facet, r.value, lang) if facet != "lang" else r.value,
                                 r.count, r.selected) for r in rows]
            values.sort(key=lambda fv: (not fv.selected, -fv.count, title_key(fv.label)))
            out[facet] = values
        return out

    # -- practices
    def practice(self, slug: str) -> dict[str, dict] | None:
        """Every language version of a practice, or None when the slug is unknown."""
        return self.version().catalog.get(slug)

    def stats(self) -> dict:
        v = self.version()
        return {"version": v.name, "documents": v.meta["documents"], "practices": v.meta["practices"],
                "built_at": v.meta["built_at"]}

    # -- overview, exports and related practices (the pages a person meets)
    def _corrected_query(self, v: IndexVersion, text: str) -> tuple[q.ParsedQuery, dict[str, str], wq.Query | None]:
        """The parsed free text with its typos corrected, the corrections, and its Whoosh query."""
        parsed = q.parse(text)
        corrected = self._corrections(v, parsed)
        if corrected:
            parsed = parsed.with_words(corrected)
        return parsed, corrected, self.to_whoosh(parsed)

    def _query_best(self, v: IndexVersion, text: str) -> tuple[int, Best | None]:
        """Practices matching the free text (corrected as ``search`` corrects it) and their best documents."""
        wquery = self._corrected_query(v, text)[2]
        if wquery is None:
            return v.facets.all, None
        best = self._best_documents(v, wquery)
        return best.bits(v.facets.size), best

    def cross_counts(self, req: SearchRequest, facet_a: str, facet_b: str) -> dict[tuple[str, str], int]:
        """Counts per value pair of two facets under the query and every filter but those two facets'.

        Like the facet counts, the pair's own facets are not applied, so the matrix stays a map of
        where to go next; the view marks the selected rows and columns.
        """
        v = self.version()
        bits, _ = self._query_best(v, req.q)
        others = {f: list(vals) for f, vals in req.filters.items() if f not in (facet_a, facet_b)}
        return v.facets.cross_counts(bits & v.facets.filter_bits(others), facet_a, facet_b)

    def all_matching(self, req: SearchRequest, limit: int | None = None) -> tuple[list[Result], int]:
        """The practices matching the request (not one page) in the order of the result list, at most
        ``limit`` of them, and how many match in all."""
        v = self.version()
        bits, best = self._query_best(v, req.q)
        selections = {f: list(vals) for f, vals in req.filters.items()}
        matching = bits & v.facets.filter_bits(selections)
        total = matching.bit_count()
        if best is None or req.sort == "title":
            allowed = as_bytes(matching, v.facets.size)
            ordinals = itertools.islice((i for i in v.title_order if allowed[i >> 3] >> (i & 7) & 1), limit)
        else:
            ordinals = (o for o, _ in best.ranked(as_mask(matching, v.facets.size), limit))
        return [self._plain_result(v, v.slugs[i], req.display_lang) for i in ordinals], total

    def results_for(self, slugs: Sequence[str], display_lang: str) -> list[Result]:
        """The known practices among ``slugs`` in the given order (a shortlist); unknown ones are left out."""
        v = self.version()
        return [self._plain_result(v, s, display_lang) for s in slugs if s in v.catalog]

    RELATED_WEIGHTS = {"theme": 4, "objective": 4, "axis": 2, "target_group": 2, "region": 1}  # quarters

    def related(self, slug: str, display_lang: str, limit: int = 5) -> list[dict]:
        """Practices like this one: similar body text (Whoosh more-like-this) and shared facets.

        Returns dicts ``{"result": Result, "similar_text": bool, "shared": {facet: [values]}}``, best first.
        """
        v = self.version()
        if slug not in v.ordinal:
            return []
        text_score = self._similar_text(v, slug, display_lang, limit * 4)
        top = max(text_score.values(), default=0.0) or 1.0
        me = v.ordinal[slug]
        mine = v._facet_values(slug)
        bits = v.facets.bits
        # A shared region or axis alone does not make a practice related: a theme or objective must be shared.
        eligible = (v.facets.selection_bits("theme", mine["theme"])
                    | v.facets.selection_bits("objective", mine["objective"])) & ~(1 << me)
        slices = weighted_slices((bits[f][x], w) for f, w in self.RELATED_WEIGHTS.items() for x in mine[f])
        # Only the best by shared facets can beat them without similar text; those with similar text are scored anyway.
        sure, tied = top_k(slices, eligible, limit)
        ranks = v.title_rank()
        chosen = ordinals_from_bits(sure) + sorted(ordinals_from_bits(tied), key=ranks.__getitem__)[:limit]
        candidates = {v.slugs[i] for i in chosen} | (set(text_score) - {slug})
        scored = []
        for other in candidates:
            i = v.ordinal[other]
            shared = {f: [x for x in mine[f] if bits[f][x] >> i & 1] for f in self.RELATED_WEIGHTS}
            shared = {f: xs for f, xs in shared.items() if xs}
            similar = text_score.get(other, 0.0) / top
            if not similar and not eligible >> i & 1:
                continue
            score = 2.0 * similar + sum(self.RELATED_WEIGHTS[f] * len(xs) for f, xs in shared.items()) / 4
            scored.append((-score, ranks[i], other, similar >= 0.25, shared))
        scored.sort()
        return [{"result": self._plain_result(v, other, display_lang), "similar_text": similar, "shared": shared}
                for _, _, other, similar, shared in scored[:limit]]

    @staticmethod
    def _similar_text(v: IndexVersion, slug: str, display_lang: str, top: int) -> dict[str, float]:
        """Practices whose body text is like this one's (in the language shown, else the original): slug → score."""
        langs = v.browse.langs[v.ordinal[slug]]
        lang = display_lang if display_lang in langs else ("fi" if "fi" in langs else langs[0])
        docnum = v.searcher.document_number(doc_id=f"{slug}:{lang}")
        if docnum is None:
            return {}
        # Whoosh's more_like(), with the collection frequency of every word of the text remembered
        # (a page asks for hundreds, each a lookup per segment) and eight key terms, not twelve
        # (their posting lists are searched: twelve took twice as long at 10k practices).
        field = f"body_{lang}"
        expander = classify.Expander(_RememberedFrequencies(v.searcher.reader(), v.frequencies), field)
        expander.add_document(docnum)
        like = wq.Or([wq.Term(field, word, boost=weight) for word, weight in expander.expanded_terms(8, normalize=False)])
        return {hit["slug"]: hit.score for hit in v.searcher.search(like, limit=top, mask={docnum}) if hit["slug"] != slug}

    @staticmethod
    def _plain_result(v: IndexVersion, slug: str, display_lang: str) -> Result:
        """A result without a query: the version in the display language (else the original), its summary."""
        shown = v.version_for(slug, display_lang)
        return Result(
            id=slug, lang=shown["lang"], title=shown["title"], project=shown["project"], summary=shown["summary"],
            snippet=highlight.htmlescape(_shorten(shown["summary"], 240)), snippet_lang=shown["lang"],
            regions=shown["regions"], themes=shown["themes"], axis=shown["axis"], objective=shown["objective"],
            period=shown["period"], target_groups=shown["target_groups"], languages=sorted(v.catalog[slug]),
        )


@functools.lru_cache(maxsize=65_536)  # the same candidate words are compared again and again
def _squeeze(word: str) -> str:
    """The word with doubled letters single: Finnish typos often drop or double one."""
    return re.sub(r"(.)\1+", r"\1", word)


def _closeness(word: str, cand: str) -> float | None:
    """Cost of reading ``cand`` as an inflected form of ``word`` typed with one slip (lower is closer).

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


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
