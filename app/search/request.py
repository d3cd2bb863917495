"""A search request, read from query arguments (framework-free: any ``getlist`` function will do).

Facet parameters are the facet names of :data:`app.names.FACETS` (``?region=Kainuu&region=Kajaani``
is OR within a facet; facets are ANDed); a value may be written in any spelling the content accepts
(:meth:`~app.content.vocabularies.Vocabularies.canonical_value`). Unknown values are returned as ignored, never used;
numbers out of range are clamped; nothing a visitor sends can fail.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..content.vocabularies import Vocabularies, nfc
from ..names import FACETS
from .query import MAX_QUERY_CHARS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "title", "newest")  # newest: by first publication, then last change
MAX_VALUES_PER_FACET = 50


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name → values
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    ui_lang: str = "fi"  # the interface language: which version of a practice is shown, and labels


def _to_int(values: Sequence[str], default: int, low: int, high: int) -> int:
    try:
        number = int(str(values[0]).strip()) if values else default
    except (ValueError, OverflowError):
        return default
    return max(low, min(high, number))


def parse_args(getlist: Callable[[str], list[str]], vocab: Vocabularies,
               ui_lang: str = "fi") -> tuple[SearchRequest, list[tuple[str, str]]]:
    """Read a search request from query arguments; unknown facet values are returned (facet, value), not used."""
    filters: dict[str, tuple[str, ...]] = {}
    ignored: list[tuple[str, str]] = []
    for f in FACETS:
        chosen: list[str] = []
        for raw in getlist(f.name)[:MAX_VALUES_PER_FACET]:
            value = nfc(raw.strip())
            if not value:
                continue
            # Any spelling the content accepts ("pohjois-karjala", an alias, "TL3") means the known value.
            known = vocab.canonical_value(f.name, value[:200])
            if known is not None:
                if known not in chosen:
                    chosen.append(known)
            else:
                ignored.append((f.name, value[:100]))
        if chosen:
            filters[f.name] = tuple(chosen)
    qs = getlist("q")
    sort = (getlist("sort") or ["relevance"])[0]
    request = SearchRequest(
        q=(qs[0] if qs else "")[: MAX_QUERY_CHARS * 2],
        filters=filters,
        page=_to_int(getlist("page"), 1, 1, 10**6),
        per_page=_to_int(getlist("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        sort=sort if sort in SORTS else "relevance",
        ui_lang=ui_lang,
    )
    return request, ignored
