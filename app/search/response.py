"""What a search answers: the one result shape and the response around it.

A :class:`Result` is one practice in a list (search results, exports, the feed, the shortlist,
related practices). Its serialised form is defined once, by :func:`result_columns`: the JSON API,
the OpenAPI description, the CSV and Markdown exports and the Atom feed all read those columns,
and the facet columns follow the facet table (:data:`app.names.FACETS`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..names import FACETS, N_, LANGUAGES, SLUG_PATTERN, priority_text
from .request import SearchRequest


@dataclass
class Match:
    """Why a result matched: a term of the query and the word forms of the text it matched."""

    query: str  # the visitor's word (or the synonym / corrected word that was searched)
    term: str  # the base form, compound part or stem that matched
    kind: str  # "base", "compound", "stem", "synonym" or "corrected"
    forms: list[str] = field(default_factory=list)


@dataclass
class Result:
    """One practice in a list, in the version shown (the interface language's, else the original).

    Facet values are in ``values`` under each facet's field and can be read as attributes
    (``result.regions``, ``result.axis``).
    """

    slug: str
    lang: str  # language of the version shown
    title: str
    project: str
    summary: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    snippet_lang: str
    values: dict[str, Any]  # facet field → values (a list) or value (a string)
    matched: list[Match] = field(default_factory=list)
    published: str = ""  # ISO dates of the version shown: first published, last changed
    updated: str = ""

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def priority(self) -> str:
        return priority_text(self.values.get("axis", ""), self.values.get("objective", ""))


def result_from_record(slug: str, record: Mapping[str, Any], snippet: str, snippet_lang: str,
                       matched: list[Match] | None = None) -> Result:
    """A result of the record of the version shown (:meth:`app.content.Practice.record`)."""
    values = {f.field: record.get(f.field, [] if f.multi else "") for f in FACETS}
    return Result(slug=slug, lang=record["lang"], title=record["title"], project=record["project"],
                  summary=record["summary"], snippet=snippet, snippet_lang=snippet_lang, values=values,
                  matched=matched or [], published=record.get("published") or "",
                  updated=record.get("updated") or "")


# --- the serialised shape -----------------------------------------------------------------

STR: dict[str, Any] = {"type": "string"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
STRS: dict[str, Any] = {"type": "array", "items": STR}
LANG: dict[str, Any] = {"type": "string", "enum": list(LANGUAGES)}


@dataclass(frozen=True)
class Column:
    """One field of a serialised result: its key (JSON and CSV), label (CSV and Markdown headers,
    translated by the interface), JSON schema, and which facet's vocabulary labels its values."""

    key: str
    label: str
    schema: dict[str, Any]
    get: Callable[[Result], Any]
    facet: str | None = None


def result_columns() -> list[Column]:
    """The columns of a serialised result, in order (the facet table is read at each call)."""
    columns = [
        Column("slug", N_("Identifier"), {"type": "string", "pattern": f"^{SLUG_PATTERN}$"}, lambda r: r.slug),
        Column("title", N_("Practice"), STR, lambda r: r.title),
        Column("project", N_("Project"), STR, lambda r: r.project),
        Column("lang", N_("Language of the version"), LANG, lambda r: r.lang),
        Column("summary", N_("Summary"), STR, lambda r: r.summary),
        Column("priority", N_("Priority axis and objective (TL/et)"), STR, lambda r: r.priority),
    ]
    for f in FACETS:
        if f.in_results:
            schema = ({"type": "array", "items": LANG} if f.name == "lang" else STRS) if f.multi else STR
            columns.append(Column(f.field, f.label, schema, lambda r, key=f.field: r.values.get(key),
                                  facet=f.name))
    columns.append(Column("published", N_("First published"), DATE, lambda r: r.published))
    columns.append(Column("updated", N_("Last changed"), DATE, lambda r: r.updated))
    return columns


def result_json(r: Result, url: str) -> dict[str, Any]:
    """A result as the JSON API gives it (``id`` repeats ``slug``: the API's name for it before 2026-11)."""
    out: dict[str, Any] = {c.key: c.get(r) for c in result_columns()}
    out["id"] = r.slug
    out["url"] = url
    out["snippet"] = r.snippet
    out["snippet_lang"] = r.snippet_lang
    out["matched"] = [{"query": m.query, "term": m.term, "kind": m.kind, "forms": list(m.forms)} for m in r.matched]
    return out


def result_schema() -> dict[str, Any]:
    """The OpenAPI schema of :func:`result_json`."""
    properties: dict[str, Any] = {c.key: c.schema for c in result_columns()}
    properties["id"] = {"type": "string", "pattern": f"^{SLUG_PATTERN}$", "deprecated": True,
                        "description": "the slug (kept for clients written before 'slug')"}
    properties["url"] = {"type": "string", "format": "uri"}
    properties["snippet"] = {"type": "string", "description": "HTML: escaped text with <mark> around matched words"}
    properties["snippet_lang"] = LANG
    properties["matched"] = {"type": "array", "items": {"$ref": "#/components/schemas/Match"}}
    return {"type": "object", "properties": properties, "additionalProperties": False, "required": list(properties)}


# --- the response ---------------------------------------------------------------------------

@dataclass
class FacetValue:
    """One value of a facet as offered: Datasette's shape (value, label, count, selected)."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Offered:
    """A facet value the query names, offered as a filter: how many of the results it keeps."""

    facet: str
    value: str
    label: str
    count: int
    words: tuple[str, ...]  # the query's words that named it
    via: str = ""  # a municipality's name, when the region was recognised through it
    periods: tuple[str, ...] = ()  # the periods whose classification puts the municipality there


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
    matrix: dict[tuple[str, str], int] | None = None  # the overview's (theme, axis) → count, when asked
    match: str = "every"  # "every" (no query), "all" (every word), "partial" (some words), "none"
    missing: list[str] = field(default_factory=list)  # words no practice holds (partial and none)
    excluded: list[str] = field(default_factory=list)  # items excluded with "-"
    recognised: list[Offered] = field(default_factory=list)  # facet values the query names


def response_json(resp: SearchResponse, url_of: Callable[[Result], str]) -> dict[str, Any]:
    """The JSON API's search response (plain dicts: ``dataclasses.asdict``'s deep copies cost a tenth
    of a search)."""
    req = resp.request
    return {
        "query": req.q,
        "filters": {k: list(v) for k, v in req.filters.items()},
        "ignored": [{"facet": f, "value": v} for f, v in resp.ignored],
        "total": resp.total,
        "page": resp.page,
        "pages": resp.pages,
        "per_page": req.per_page,
        "sort": req.sort,
        "results": [result_json(r, url_of(r)) for r in resp.results],
        "facets": {f.name: [{"value": fv.value, "label": fv.label, "count": fv.count, "selected": fv.selected}
                            for fv in resp.facets.get(f.name, [])] for f in FACETS},
        "corrected": [{"typed": k, "searched": v} for k, v in resp.corrected.items()],
        "suggestion": resp.suggestion,
        "relaxations": resp.relaxations,
        "match": resp.match,
        "missing": list(resp.missing),
        "excluded": list(resp.excluded),
        "recognised": [{"facet": o.facet, "value": o.value, "label": o.label, "count": o.count,
                        "words": list(o.words), "via": o.via, "periods": list(o.periods)} for o in resp.recognised],
        "index_version": resp.version,
    }

