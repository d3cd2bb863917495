"""OpenAPI 3 description of the JSON API (``/api/openapi.json``).

Derived from the same definitions as the responses: the facet table for parameters, filters and
facet counts, :func:`app.search.response.result_schema` for results. Schemas forbid undeclared
properties, so a field added to the API without being described fails the Schemathesis run.
"""
from __future__ import annotations

from typing import Any

from ..content.facts import SECTION_HEADINGS
from ..content.vocabularies import Vocabularies
from ..names import FACETS, LANGUAGES, SLUG_PATTERN, facet_names
from ..search.request import DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_VALUES_PER_FACET, SORTS
from ..search.response import result_schema
from .service_info import LICENCE_NAME, LICENCE_URL

LANGS = LANGUAGES
SLUG = f"^{SLUG_PATTERN}$"


def _obj(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object: every listed property (except ``optional``) required, nothing else allowed."""
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": [k for k in properties if k not in optional]}


STR = {"type": "string"}
STRS = {"type": "array", "items": STR}
COUNT = {"type": "integer", "minimum": 0}
LANG = {"type": "string", "enum": list(LANGS)}
NULLABLE_STR = {"type": "string", "nullable": True}
LICENCE = {"type": "object", "description": "the licence of the texts; facts come from the sources named in 'source'",
           "properties": {"name": {"type": "string", "enum": [LICENCE_NAME]},
                          "url": {"type": "string", "format": "uri", "enum": [LICENCE_URL]}, "notice": STR},
           "required": ["name", "url", "notice"], "additionalProperties": False}


FACT_FIELDS = ("eura_code", "eura_url", "started", "ended", "funding", "published", "updated", "aliases", "sections")


def practice_fields() -> tuple[str, ...]:
    """The record fields the practice endpoint gives, facet fields from the facet table."""
    return ("title", "project", "summary", "body_html", *(f.field for f in FACETS), "organisations", "source", "lang",
            *FACT_FIELDS)


def _fact_properties() -> dict[str, Any]:
    """The practice's facts, dates, old slugs and sections (null when a practice does not give one)."""
    date = {"type": "string", "format": "date", "nullable": True}
    euros = {"type": "number", "minimum": 0, "nullable": True}
    return {
        "eura_code": {**NULLABLE_STR, "description": "EURA project code, e.g. S21468"},
        "eura_url": {"type": "string", "format": "uri", "nullable": True,
                     "description": "the project's public record (known for 2014–2020 codes)"},
        "started": {**date, "description": "the project's first day"},
        "ended": {**date, "description": "the project's last day"},
        "funding": {"type": "object", "nullable": True, "additionalProperties": False,
                    "required": ["total", "esf", "source"], "description": "the project's funding in euros",
                    "properties": {"total": {**euros, "description": "total budget"},
                                   "esf": {**euros, "description": "the ESF (EU) share"},
                                   "source": {"type": "string", "description": "where the numbers come from"}}},
        "published": {"type": "string", "format": "date", "description": "when this version was first published"},
        "updated": {"type": "string", "format": "date", "description": "when this version last changed"},
        "aliases": {"type": "array", "items": {"type": "string", "pattern": SLUG},
                    "description": "old slugs: /practice/<old> and /api/practice/<old> redirect (301) here"},
        "sections": {"type": "array", "description": "the description's sections, in order",
                     "items": _obj({"key": {"type": "string", "nullable": True, "enum": [*SECTION_HEADINGS, None],
                                            "description": "a standard section, or null for a heading of its own"},
                                    "title": STR, "anchor": {"type": "string", "description": "id of its heading "
                                                                                              "in body_html"}})},
    }


def _components() -> dict[str, Any]:
    match = _obj({"query": STR, "term": STR, "forms": STRS, "kind": {
        "type": "string", "description": "base, compound, stem, synonym or corrected"}})
    result = result_schema()
    facet_value = _obj({"value": STR, "label": STR, "count": COUNT, "selected": {"type": "boolean"}})
    search = _obj({
        "query": STR,
        "filters": {"type": "object", "properties": {f: STRS for f in facet_names()}, "additionalProperties": False},
        "ignored": {"type": "array", "description": "facet values that are not known and were not used",
                    "items": _obj({"facet": {"type": "string", "enum": list(facet_names())}, "value": STR})},
        "total": COUNT,
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "sort": {"type": "string", "enum": list(SORTS)},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "facets": _obj({f: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}} for f in facet_names()}),
        "corrected": {"type": "array", "description": "misspelt words and the words searched instead",
                      "items": _obj({"typed": STR, "searched": STR})},
        "suggestion": {"type": "object", "nullable": True, "description": "a better-spelled query with more results",
                       "properties": {"q": STR, "total": COUNT}, "required": ["q", "total"],
                       "additionalProperties": False},
        "relaxations": {"type": "array", "description": "for no results: counts with one filter value less",
                        "items": _obj({"facet": {"type": "string", "enum": list(facet_names())}, "value": STR,
                                       "total": COUNT})},
        "match": {"type": "string", "enum": ["every", "all", "partial", "none"],
                  "description": "every: no words (every practice); all: the results hold every word; partial: no "
                                 "practice holds every word, the results hold some, most first; none: nothing matches"},
        "missing": {"type": "array", "items": STR, "description": "words of the query no practice holds"},
        "excluded": {"type": "array", "items": STR, "description": "words excluded with '-' or NOT"},
        "recognised": {"type": "array", "description": "facet values the query names, offered as filters (not applied)",
                       "items": _obj({"facet": {"type": "string", "enum": list(facet_names())}, "value": STR,
                                      "label": STR, "count": COUNT, "words": STRS, "via": STR,
                                      "periods": STRS})},
        "index_version": STR,
        "licence": LICENCE,
    })
    practice = _obj({
        "slug": {"type": "string", "pattern": SLUG},
        "id": {"type": "string", "pattern": SLUG, "deprecated": True, "description": "the slug (kept for clients "
                                                                                     "written before 'slug')"},
        "title": STR, "project": STR, "summary": STR,
        "body_html": {"type": "string", "description": "sanitised HTML of the description"},
        **{f.field: ({"type": "array", "items": LANG} if f.name == "lang" else STRS) if f.multi else STR
           for f in FACETS},
        "organisations": STRS, "source": STR, "lang": LANG, "priority": STR,
        "url": {"type": "string", "format": "uri"},
        "licence": LICENCE,
        **_fact_properties(),
    })
    health = _obj({"status": {"type": "string", "enum": ["ok"]}, "version": STR, "documents": COUNT,
                   "practices": COUNT, "built_at": {"type": "string", "format": "date-time"}})
    error = _obj({"error": {"type": "integer"}, "message": STR})
    return {"schemas": {"Match": match, "Result": result, "FacetValue": facet_value, "SearchResponse": search,
                        "Practice": practice, "Health": health, "Error": error}}


def _json(description: str, ref: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


UI_PARAM = {"name": "ui", "in": "query", "required": False, "description": "Interface language (labels).",
            "schema": {"type": "string", "enum": list(LANGS)}}
NO_INDEX = _json("The search index has not been built yet.", "Error")


def _search_parameters(vocab: Vocabularies) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [{
        "name": "q", "in": "query", "required": False,
        "description": 'Free text: words, "quoted phrases", OR, NOT word / -word. Practices holding every word '
                       "come first; when none does, practices holding some of them (see 'match'). Regions, themes, "
                       "target groups, codes (TL 3, 6.1) and municipalities are understood and offered as filters "
                       "('recognised'). At most 500 characters and 24 words are read; any other syntax is read as "
                       "words.",
        "schema": {"type": "string"}, "example": "nuorten uravalmennus",
    }]
    for f in FACETS:
        known = list(vocab.terms(f.name))
        params.append({
            "name": f.name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": f"Filter by {f.label.lower()} (repeatable; values are OR-ed, facets AND-ed; the results "
                           f"give them in '{f.field}'). Unknown values are not used and are listed in 'ignored'. "
                           "Known values: " + ", ".join(known),
            "schema": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_VALUES_PER_FACET},
            "example": known[:1],
        })
    params += [
        {"name": "page", "in": "query", "required": False,
         "description": "Page number; a page past the last gives the last page.",
         "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"name": "per_page", "in": "query", "required": False,
         "description": f"Results per page, 1–{MAX_PER_PAGE} (values outside are clamped).",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
        {"name": "sort", "in": "query", "required": False,
         "description": "relevance (best first; title order without words), title, or newest (first published "
                        "newest, then last changed; the results give both dates). Another value means relevance.",
         "schema": {"type": "string", "enum": list(SORTS), "default": SORTS[0]}},
        UI_PARAM,
    ]
    return params


def describe(vocab: Vocabularies, version: str = "1.0", example_slug: str | None = None,
             contact: dict[str, str] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the API; facet descriptions list the known values of ``vocab``;
    ``contact`` (name, email) is the publisher's, when the installation names one."""
    slug_param: dict[str, Any] = {"name": "slug", "in": "path", "required": True,
                                  "schema": {"type": "string", "pattern": SLUG, "maxLength": 200}}
    if example_slug:
        slug_param["example"] = example_slug
    info: dict[str, Any] = {
        "title": "Käytäntöpankki API", "version": version,
        "description": "Good practices of Finnish ESF projects: faceted search and practice records. The texts "
                       f"are licensed under {LICENCE_NAME} (search and practice responses say so in 'licence' "
                       "and in a Link header with rel=\"license\"); the facts come from the public sources named "
                       "in each practice's 'source'. The software is GPL-3.0-or-later.",
        "license": {"name": LICENCE_NAME, "url": LICENCE_URL}}
    if contact:
        info["contact"] = contact
    return {
        "openapi": "3.0.3",
        "info": info,
        "paths": {
            "/api/search": {"get": {
                "operationId": "search", "summary": "Search practices with facet filters and live facet counts",
                "parameters": _search_parameters(vocab),
                "responses": {"200": _json("One page of results, facet counts and what was ignored.",
                                           "SearchResponse"), "503": NO_INDEX},
            }},
            "/api/practice/{slug}": {"get": {
                "operationId": "practice", "summary": "One practice in one language",
                "parameters": [slug_param, {
                    "name": "lang", "in": "query", "required": False,
                    "description": "Language version; a missing translation gives the Finnish original.",
                    "schema": {"type": "string", "enum": list(LANGS)}}, UI_PARAM],
                "responses": {"200": _json("The practice.", "Practice"),
                              "301": {**_json("The practice was renamed: this is an old slug of it, and Location "
                                              "gives its address (the same query).", "Error"),
                                      "headers": {"Location": {"schema": {"type": "string"},
                                                               "description": "the practice's address"}}},
                              "404": _json("No practice with this slug.", "Error"), "503": NO_INDEX},
            }},
            "/healthz": {"get": {
                "operationId": "health", "summary": "Index version, document count and build time",
                "responses": {"200": _json("The index being served.", "Health"), "503": NO_INDEX},
            }},
        },
        "components": _components(),
    }
