"""Related practices: similar description (Whoosh's more-like-this) and shared facet values.

A practice is related when its body text is like this one's, or when it shares a theme or a
specific objective (a shared region or axis alone is not enough). Shared facets are scored in
quarters (``WEIGHTS``) with bit-sliced sums over all practices at once, so a page at 100 000
practices does not loop over them.
"""
from __future__ import annotations

from whoosh import classify
from whoosh import query as wq

from ..indexing.schema import text_field
from ..names import shown_language
from .facets import ordinals_from_bits, top_k, weighted_slices

WEIGHTS = {"theme": 4, "objective": 4, "axis": 2, "target_group": 2, "region": 1}  # quarters


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


def similar_text(v, slug: str, ui_lang: str, top: int) -> dict[str, float]:  # noqa: ANN001
    """Practices whose body text is like this one's (in the language shown, else the original): slug → score."""
    lang = shown_language(v.languages(slug), ui_lang)
    docnum = v.searcher.document_number(slug=slug, lang=lang)
    if docnum is None:
        return {}
    # Whoosh's more_like(), with the collection frequency of every word of the text remembered
    # (a page asks for hundreds, each a lookup per segment) and eight key terms, not twelve
    # (their posting lists are searched: twelve took twice as long at 10k practices).
    field = text_field("body", lang)
    expander = classify.Expander(_RememberedFrequencies(v.searcher.reader(), v.frequencies), field)
    expander.add_document(docnum)
    like = wq.Or([wq.Term(field, word, boost=weight) for word, weight in expander.expanded_terms(8, normalize=False)])
    return {hit["slug"]: hit.score for hit in v.searcher.search(like, limit=top, mask={docnum}) if hit["slug"] != slug}


def related(v, slug: str, ui_lang: str, limit: int = 5) -> list[tuple[str, bool, dict[str, list[str]]]]:  # noqa: ANN001
    """(slug, similar text?, shared facet values {facet: [values]}) of the practices most like ``slug``, best first."""
    if slug not in v.ordinal:
        return []
    text_score = similar_text(v, slug, ui_lang, limit * 4)
    top = max(text_score.values(), default=0.0) or 1.0
    me = v.ordinal[slug]
    mine = v.facet_values(slug)
    bits = v.facets.bits
    eligible = (v.facets.selection_bits("theme", mine["theme"])
                | v.facets.selection_bits("objective", mine["objective"])) & ~(1 << me)
    slices = weighted_slices((bits[f][x], w) for f, w in WEIGHTS.items() for x in mine[f])
    # Only the best by shared facets can beat them without similar text; those with similar text are scored anyway.
    sure, tied = top_k(slices, eligible, limit)
    ranks = v.title_rank()
    chosen = ordinals_from_bits(sure) + sorted(ordinals_from_bits(tied), key=ranks.__getitem__)[:limit]
    candidates = {v.slugs[i] for i in chosen} | (set(text_score) - {slug})
    scored = []
    for other in candidates:
        i = v.ordinal[other]
        shared = {f: [x for x in mine[f] if bits[f][x] >> i & 1] for f in WEIGHTS}
        shared = {f: xs for f, xs in shared.items() if xs}
        similar = text_score.get(other, 0.0) / top
        if not similar and not eligible >> i & 1:
            continue
        score = 2.0 * similar + sum(WEIGHTS[f] * len(xs) for f, xs in shared.items()) / 4
        scored.append((-score, ranks[i], other, similar >= 0.25, shared))
    scored.sort()
    return [(other, similar, shared) for _, _, other, similar, shared in scored[:limit]]
