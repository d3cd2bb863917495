"""Lists of results from an index version: a page by relevance, by title or newest first, everything
matching, a shortlist."""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from whoosh import query as wq

from .ranking import Best, Blocks, as_bytes, as_mask
from .response import Result, result_from_record
from .snippets import ShownHit, plain_snippet, shown_hits


def result_of(v, slug: str, ui_lang: str, hit: ShownHit | None = None,  # noqa: ANN001
              explain: dict[str, tuple[str, str]] | None = None) -> Result:
    """The result of practice ``slug`` in the version shown in ``ui_lang``; with a hit, its snippet
    and why it matched, else the beginning of its summary."""
    shown = v.shown(slug, ui_lang)
    snippet, snippet_lang, matched = "", shown["lang"], []
    if hit is not None:
        snippet, snippet_lang = hit.best_snippet()
        matched = hit.matches(explain or {})
    if not snippet:
        snippet, snippet_lang = plain_snippet(shown["summary"]), shown["lang"]
    return result_from_record(slug, shown, snippet, snippet_lang, matched)


def _in_title_order(v, bits: int, order: Sequence[int] | None = None) -> itertools.chain:  # noqa: ANN001
    allowed = as_bytes(bits, v.facets.size)
    return (i for i in (v.title_order if order is None else order) if allowed[i >> 3] >> (i & 7) & 1)


def page_by_relevance(v, bits: int, best: Best, blocks: Blocks, page: int, per_page: int, ui_lang: str,  # noqa: ANN001
                      wquery: wq.Query, explain: dict[str, tuple[str, str]]) -> list[Result]:
    """Page ``page`` of the practices in ``bits``, best first, with snippets."""
    ranked = best.ranked(as_mask(bits, v.facets.size), page * per_page)
    shown = ranked[(page - 1) * per_page:]
    hits = shown_hits(v, [d for _, d in shown], wquery, blocks)
    return [result_of(v, v.slugs[o], ui_lang, hits[d], explain) for o, d in shown]


def page_by_title(v, bits: int, page: int, per_page: int, ui_lang: str, wquery: wq.Query | None,  # noqa: ANN001
                  best: Best | None, blocks: Blocks, explain: dict[str, tuple[str, str]],
                  order: Sequence[int] | None = None) -> list[Result]:
    """Page ``page`` of the practices in ``bits`` in title order, or ``order`` (the version's
    ``newest_order``), with snippets when there is a query."""
    chosen = list(itertools.islice(_in_title_order(v, bits, order), (page - 1) * per_page, page * per_page))
    if wquery is None or best is None:
        return [result_of(v, v.slugs[i], ui_lang) for i in chosen]
    docs = [best.doc_of(i) for i in chosen]
    hits = shown_hits(v, docs, wquery, blocks)
    return [result_of(v, v.slugs[i], ui_lang, hits[d], explain) for i, d in zip(chosen, docs)]


def all_in_order(v, bits: int, best: Best | None, by_title: bool, ui_lang: str,  # noqa: ANN001
                 limit: int | None = None, order: Sequence[int] | None = None) -> list[Result]:
    """At most ``limit`` of the practices in ``bits`` in the order of the result list (no snippets);
    ``order`` as in :func:`page_by_title`."""
    if best is None or by_title or order is not None:
        ordinals = itertools.islice(_in_title_order(v, bits, order), limit)
    else:
        ordinals = (o for o, _ in best.ranked(as_mask(bits, v.facets.size), limit))
    return [result_of(v, v.slugs[i], ui_lang) for i in ordinals]


def known_results(v, slugs: Sequence[str], ui_lang: str) -> list[Result]:  # noqa: ANN001
    """The known practices among ``slugs`` in the given order (a shortlist); unknown ones are left out."""
    return [result_of(v, s, ui_lang) for s in slugs if s in v.ordinal]
