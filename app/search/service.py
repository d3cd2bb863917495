"""The search service: what the web layer asks of an index version (one service per process).

A thin façade over the stages of a search: the version being served (:mod:`.version`), the
query's interpretation (:mod:`.interpret`), the ranking (:mod:`.ranking`), facet counts
(:mod:`.facets`), result lists with snippets (:mod:`.lists`, :mod:`.snippets`) and related
practices (:mod:`.related`).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import text
from ..content.vocabularies import Vocabularies, load_vocabularies
from ..indexing.layout import LEMMA_CACHE
from .facets import labelled
from .interpret import Interpretation, Interpreter
from .lists import all_in_order, known_results, page_by_relevance, page_by_title, result_of
from .matching import match
from .ranking import Blocks
from .related import related
from .request import SearchRequest
from .response import Offered, Result, SearchResponse
from .version import IndexVersion, VersionHolder

MATRIX = ("theme", "axis")  # the overview's facets: rows and columns


@dataclass
class Related:
    """A practice like the one shown: its result, whether its text is similar, the facet values shared."""

    result: Result
    similar_text: bool
    shared: dict[str, list[str]]


class SearchService:
    """Search over the index version named by ``<index_root>/CURRENT``; reopens when it changes."""

    def __init__(self, index_root: str | Path, vocab: Vocabularies | str | Path):
        self.root = Path(index_root)
        self.vocab = vocab if isinstance(vocab, Vocabularies) else load_vocabularies(vocab)
        self._versions = VersionHolder(self.root)
        self.interpreter = Interpreter(self.vocab)
        text.use_store(self.root / LEMMA_CACHE)  # the build's analyses: no dictionary load for known words

    def version(self) -> IndexVersion:
        """The open index version (NoIndex when there is none)."""
        return self._versions.get()

    def search(self, req: SearchRequest, matrix: bool = False) -> SearchResponse:
        """One page of results, disjunctive facet counts and snippets; with ``matrix``, also the
        overview's counts per theme × priority axis (``response.matrix``)."""
        v = self.version()
        meant = self.interpreter.interpret(v, req.q)
        selections = {f: list(vals) for f, vals in req.filters.items()}
        filters = v.facets.filter_bits(selections)
        blocks: Blocks = {}
        found = match(v, meant, filters, blocks)
        filtered = found.bits & filters
        total = filtered.bit_count()
        pages = max(1, math.ceil(total / req.per_page))
        page = min(req.page, pages)
        query = meant.positive_query()
        if found.best is None or req.sort != "relevance":
            results = page_by_title(v, filtered, page, req.per_page, req.ui_lang, query, found.best, blocks,
                                    meant.explain, v.newest_order if req.sort == "newest" else None)
        else:
            results = page_by_relevance(v, filtered, found.best, blocks, page, req.per_page, req.ui_lang, query,
                                        meant.explain)
        response = SearchResponse(
            request=req, total=total, page=page, pages=pages, results=results,
            facets=labelled(v.facets.counts(found.bits, selections), self.vocab, req.ui_lang),
            notices=["query_truncated"] if meant.truncated else [], version=v.name, corrected=meant.corrected,
            suggestion=self._suggestion(v, meant, filters, total) if meant.clauses and total < 3 else None,
            relaxations=self._relaxations(v, found.bits, selections) if total == 0 else [],
            match=found.kind, missing=found.missing if found.kind != "all" else [],
            excluded=[c.text for c in meant.excluded],
            recognised=self._offered(v, meant, filtered, selections, req.ui_lang),
        )
        if matrix:
            response.matrix = self._cross_counts(v, found.bits, req, *MATRIX)
        return response

    def _suggestion(self, v: IndexVersion, meant: Interpretation, filters: int, total: int) -> dict | None:
        def count(other: Interpretation) -> int:
            found = match(v, other, filters)
            return (found.bits & filters).bit_count() if found.kind == "all" else 0

        return self.interpreter.suggestion(v, meant, count, total)

    def _offered(self, v: IndexVersion, meant: Interpretation, results: int, selections: Mapping[str, list[str]],
                 ui_lang: str) -> list[Offered]:
        """The facet values the query names, as filters to choose: how many of the results each keeps."""
        out = []
        for r in meant.recognised:
            if r.value in selections.get(r.facet, ()):
                continue
            count = (results & v.facets.selection_bits(r.facet, [r.value])).bit_count()
            if count:
                out.append(Offered(r.facet, r.value, self.vocab.display_label(r.facet, r.value, ui_lang), count,
                                   r.words, r.via, r.periods))
        return out

    @staticmethod
    def _relaxations(v: IndexVersion, text_bits: int, selections: Mapping[str, list[str]]) -> list[dict]:
        """For zero results: each active filter value, and how many results there are without it."""
        out = []
        for facet, values in selections.items():
            for value in values:
                fewer = {f: [x for x in vals if not (f == facet and x == value)] for f, vals in selections.items()}
                count = (text_bits & v.facets.filter_bits(fewer)).bit_count()
                if count:
                    out.append({"facet": facet, "value": value, "total": count})
        return sorted(out, key=lambda r: -r["total"])

    @staticmethod
    def _cross_counts(v: IndexVersion, text_bits: int, req: SearchRequest, facet_a: str,
                      facet_b: str) -> dict[tuple[str, str], int]:
        """Counts per value pair of two facets under the query and every filter but those two facets'
        (like facet counts, so the matrix stays a map of where to go next)."""
        others = {f: list(vals) for f, vals in req.filters.items() if f not in (facet_a, facet_b)}
        return v.facets.cross_counts(text_bits & v.facets.filter_bits(others), facet_a, facet_b)

    # -- lists a person takes away: exports, feed, shortlist
    def all_matching(self, req: SearchRequest, limit: int | None = None) -> tuple[list[Result], int, str]:
        """The practices matching the request (not one page) in the order of the result list, at most
        ``limit`` of them, how many match in all, and the kind of match ("every", "all", "partial", "none")."""
        v = self.version()
        filters = v.facets.filter_bits({f: list(vals) for f, vals in req.filters.items()})
        found = match(v, self.interpreter.interpret(v, req.q), filters)
        matching = found.bits & filters
        results = all_in_order(v, matching, found.best, req.sort == "title", req.ui_lang, limit,
                               v.newest_order if req.sort == "newest" else None)
        return results, matching.bit_count(), found.kind

    def results_for(self, slugs: Sequence[str], ui_lang: str) -> list[Result]:
        """The known practices among ``slugs`` in the given order (a shortlist); an old slug counts as its
        practice's, unknown ones are left out."""
        v = self.version()
        current = [s if s in v.ordinal else (v.catalog.renamed(s) or s) for s in slugs]
        return known_results(v, list(dict.fromkeys(current)), ui_lang)

    def renamed(self, slug: str) -> str | None:
        """The slug of the practice ``slug`` is an old slug of (``aliases``), or None."""
        return self.version().catalog.renamed(slug)

    # -- practices
    def practice(self, slug: str) -> dict[str, dict] | None:
        """Every language version's record of a practice ({lang: record}), or None when the slug is unknown."""
        return self.version().catalog.get(slug)

    def related(self, slug: str, ui_lang: str, limit: int = 5) -> list[Related]:
        """Practices like this one, best first."""
        v = self.version()
        return [Related(result_of(v, other, ui_lang), similar, shared)
                for other, similar, shared in related(v, slug, ui_lang, limit)]

    def stats(self) -> dict:
        """The version served: ``{"version", "documents", "practices", "built_at"}``."""
        v = self.version()
        return {"version": v.name, "documents": v.meta["documents"], "practices": v.meta["practices"],
                "built_at": v.meta["built_at"]}
