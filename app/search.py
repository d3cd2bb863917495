"""Search service: query + facet filters over the current index version → results, counts, snippets.

One service per process. It keeps one open searcher and the facet bitsets of the version being
served, and notices a new version (the ``CURRENT`` file changed) at the next request.
"""
from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight, index, sorting
from whoosh import query as wq

from . import query as q
from .analysis import LANGUAGES, analyzer_for
from .facets import FACETS, FacetCount, FacetIndex, bits_from_ordinals, ordinals_from_bits
from .indexing import CATALOG, CURRENT, META, TEXT_BOOSTS, current_version
from .vocabularies import Vocabularies, load_vocabularies

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "title")
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
    matched: list[str] = field(default_factory=list)


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


class MarkFormatter(highlight.HtmlFormatter):
    """``<mark>`` around matched words; every other character HTML-escaped."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token, replace: bool = False) -> str:  # noqa: ANN001
        return "<mark>%s</mark>" % highlight.htmlescape(highlight.get_text(text, token, replace))


# --- request parsing (framework-free: takes any mapping of lists) ------------------------------

def _to_int(values: Sequence[str], default: int, low: int, high: int) -> int:
    try:
        number = int(str(values[0]).strip()) if values else default
    except (ValueError, OverflowError):
        return default
    return max(low, min(high, number))


def parse_args(getlist: Callable[[str], list[str]], vocab: Vocabularies,
               display_lang: str = "fi") -> tuple[SearchRequest, list[tuple[str, str]]]:
    """Read a search request from query arguments; unknown facet values are returned, not used."""
    known: dict[str, set[str]] = {
        "region": set(vocab.regions), "large_area": set(vocab.large_areas), "theme": set(vocab.themes),
        "axis": {a for p in vocab.periods.values() for a in p.axes},
        "objective": {o for p in vocab.periods.values() for a in p.axes.values() for o in a.objectives},
        "target_group": set(vocab.target_groups), "period": set(vocab.periods), "lang": set(LANGUAGES),
    }
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

class IndexVersion:
    """One opened index version: searcher, practice catalogue and facet bitsets."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.meta = json.loads((path / META).read_text(encoding="utf-8"))
        with open(path / CATALOG, encoding="utf-8") as fh:
            self.catalog: dict[str, dict[str, dict]] = json.load(fh)
        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.slugs = sorted(self.catalog)
        self.ordinal = {s: i for i, s in enumerate(self.slugs)}
        self.facets = FacetIndex([self._facet_values(s) for s in self.slugs])
        self.title_order = sorted(range(len(self.slugs)), key=lambda i: title_key(self.primary(self.slugs[i])["title"]))
        slug_column = self.searcher.reader().column_reader("slug")
        self.doc_ordinal = [self.ordinal[s] for s in slug_column]

    def primary(self, slug: str) -> dict:
        versions = self.catalog[slug]
        return versions.get("fi") or next(iter(versions.values()))

    def version_for(self, slug: str, lang: str) -> dict:
        return self.catalog[slug].get(lang) or self.primary(slug)

    def _facet_values(self, slug: str) -> dict[str, list[str]]:
        p = self.primary(slug)
        return {
            "region": p["regions"], "large_area": p["large_areas"], "theme": p["themes"], "axis": [p["axis"]],
            "objective": [p["objective"]], "target_group": p["target_groups"], "period": [p["period"]],
            "lang": list(self.catalog[slug]),
        }

    def close(self) -> None:
        self.searcher.close()


class SearchService:
    """Search over the index version named by ``<index_root>/CURRENT``; reopens when it changes."""

    def __init__(self, index_root: str | Path, vocab: Vocabularies | str | Path):
        self.root = Path(index_root)
        self.vocab = vocab if isinstance(vocab, Vocabularies) else load_vocabularies(vocab)
        self._lock = threading.Lock()
        self._current: IndexVersion | None = None
        self._stamp: tuple[int, int] | None = None
        self.fields_by_lang = {lang: [f"{k}_{lang}" for k in TEXT_BOOSTS] for lang in LANGUAGES}
        self._synonym_items: list[list[q.Item]] | None = None

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

    def _synonyms(self) -> list[list[q.Item]]:
        if self._synonym_items is None:
            self._synonym_items = [[q.Item(tuple(t.split())) for t in group] for group in self.vocab.synonyms]
        return self._synonym_items

    def _terms_of(self, item: q.Item) -> set[str]:
        return {t for w in item.words for lang in LANGUAGES for pos in self._analyse(w, lang) for t in pos}

    def expand(self, item: q.Item) -> list[q.Item]:
        """Synonyms of an item from the vocabulary's synonym groups (matched by base form)."""
        mine = self._terms_of(item)
        out: list[q.Item] = []
        for group in self._synonyms():
            if any(len(g.words) == len(item.words) and self._terms_of(g) == mine for g in group) or \
               any(g.words == tuple(w.casefold() for w in item.words) for g in group):
                out.extend(g for g in group if g.words != tuple(w.casefold() for w in item.words))
        return out

    def build_query(self, text: str) -> tuple[wq.Query | None, q.ParsedQuery]:
        parsed = q.parse(text)
        return q.to_whoosh(parsed, self.fields_by_lang, self._analyse, self.expand), parsed

    # -- searching
    def search(self, req: SearchRequest) -> SearchResponse:
        """Run one search: results of the requested page, disjunctive facet counts, snippets."""
        v = self.version()
        wquery, parsed = self.build_query(req.q)
        notices = ["query_truncated"] if parsed.truncated else []
        selections = {f: list(vals) for f, vals in req.filters.items()}
        text_bits = v.facets.all if wquery is None else self._matching_bits(v, wquery)
        filtered = text_bits & v.facets.filter_bits(selections)
        total = filtered.bit_count()
        pages = max(1, math.ceil(total / req.per_page))
        page = min(req.page, pages)
        if wquery is None or req.sort == "title":
            results = self._by_title(v, filtered, page, req, wquery)
        else:
            results = self._by_relevance(v, wquery, selections, page, req)
        counts = v.facets.counts(text_bits, selections)
        return SearchResponse(request=req, total=total, page=page, pages=pages, results=results,
                              facets=self._labelled(counts, req.display_lang), notices=notices, version=v.name)

    def _matching_bits(self, v: IndexVersion, wquery: wq.Query) -> int:
        docnums = wquery.matcher(v.searcher).all_ids()
        return bits_from_ordinals((v.doc_ordinal[d] for d in docnums), v.facets.size)

    def _filter_query(self, selections: Mapping[str, list[str]]) -> wq.Query | None:
        parts = []
        for facet, values in selections.items():
            if values:
                name = "langs" if facet == "lang" else facet
                parts.append(wq.Or([wq.Term(name, val) for val in values]))
        return wq.And(parts) if parts else None

    def _by_relevance(self, v: IndexVersion, wquery: wq.Query, selections: Mapping[str, list[str]],
                      page: int, req: SearchRequest) -> list[Result]:
        hits = v.searcher.search(wquery, limit=page * req.per_page, filter=self._filter_query(selections),
                                 collapse=sorting.FieldFacet("slug"), collapse_limit=1, terms=True)
        hits.fragmenter = highlight.PinpointFragmenter(maxchars=240, surround=70, autotrim=True)
        hits.formatter = MarkFormatter()
        out = []
        for hit in hits[(page - 1) * req.per_page: page * req.per_page]:
            out.append(self._result(v, hit["slug"], req.display_lang, hit))
        return out

    def _by_title(self, v: IndexVersion, bits: int, page: int, req: SearchRequest,
                  wquery: wq.Query | None) -> list[Result]:
        start = (page - 1) * req.per_page
        chosen: list[int] = []
        skipped = 0
        for i in v.title_order:
            if bits >> i & 1:
                if skipped < start:
                    skipped += 1
                    continue
                chosen.append(i)
                if len(chosen) == req.per_page:
                    break
        slugs = [v.slugs[i] for i in chosen]
        if wquery is None:
            return [self._result(v, s, req.display_lang, None) for s in slugs]
        only = wq.Or([wq.Term("slug", s) for s in slugs]) if slugs else wq.NullQuery
        hits = v.searcher.search(wquery, limit=None, filter=only, collapse=sorting.FieldFacet("slug"), terms=True)
        hits.fragmenter = highlight.PinpointFragmenter(maxchars=240, surround=70, autotrim=True)
        hits.formatter = MarkFormatter()
        by_slug = {h["slug"]: h for h in hits}
        return [self._result(v, s, req.display_lang, by_slug.get(s)) for s in slugs]

    def _result(self, v: IndexVersion, slug: str, display_lang: str, hit) -> Result:  # noqa: ANN001
        shown = v.version_for(slug, display_lang)
        snippet, snippet_lang, matched = "", shown["lang"], []
        if hit is not None:
            lang = hit["lang"]
            for kind in ("body", "summary", "title"):
                snippet = hit.highlights(f"{kind}_{lang}", top=2)
                if snippet:
                    snippet_lang = lang
                    break
            matched = sorted({t.decode() if isinstance(t, bytes) else str(t) for _, t in hit.matched_terms()})
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


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
