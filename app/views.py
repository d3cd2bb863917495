"""Web views: read request arguments, call the search service, render HTML or JSON."""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .search import NoIndex, SearchResponse, SearchService, parse_args

bp = Blueprint("site", __name__)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
API_FACETS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang")


def service() -> SearchService:
    return current_app.extensions["search"]


def ui_lang() -> str:
    return str(get_locale() or "fi")


def _search() -> tuple[SearchResponse, list[tuple[str, str]]]:
    req, ignored = parse_args(request.args.getlist, service().vocab, ui_lang())
    resp = service().search(req)
    resp.ignored = ignored
    return resp, ignored


def search_url(args: MultiDict, endpoint: str = "site.index", **changes: Any) -> str:
    """URL of the current search with some arguments replaced (a value of None removes it)."""
    merged = MultiDict(args)
    merged.pop("page", None)
    for key, value in changes.items():
        merged.pop(key, None)
        if value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            merged.add(key, v)
    params = {k: (v[0] if len(v) == 1 else v) for k, v in merged.to_dict(flat=False).items()}
    return url_for(endpoint, **params)


def toggle_url(args: MultiDict, facet: str, value: str) -> str:
    """URL with ``value`` added to or removed from ``facet``'s selection."""
    current = args.getlist(facet)
    values = [v for v in current if v != value] if value in current else current + [value]
    return search_url(args, **{facet: values or None})


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"search_url": search_url, "toggle_url": toggle_url, "ui_lang": ui_lang,
            "vocab": service().vocab, "facet_names": API_FACETS}


@bp.route("/")
def index():
    resp, ignored = _search()
    return render_template("search.html", resp=resp, ignored=ignored, args=request.args)


@bp.route("/api/search")
def api_search():
    resp, ignored = _search()
    return jsonify(search_json(resp, ignored))


def search_json(resp: SearchResponse, ignored: list[tuple[str, str]]) -> dict[str, Any]:
    req = resp.request
    return {
        "query": req.q,
        "filters": {k: list(v) for k, v in req.filters.items()},
        "ignored": [{"facet": f, "value": v} for f, v in ignored],
        "total": resp.total,
        "page": resp.page,
        "pages": resp.pages,
        "per_page": req.per_page,
        "sort": req.sort,
        "results": [
            {
                "id": r.id, "title": r.title, "project": r.project,
                "url": url_for("site.practice", slug=r.id, lang=r.lang, _external=True),
                "lang": r.lang, "snippet": r.snippet, "regions": r.regions, "themes": r.themes,
                "axis": r.axis, "objective": r.objective, "priority": f"{r.axis} et {r.objective}",
                "period": r.period, "target_groups": r.target_groups, "languages": r.languages,
                "matched": r.matched,
            }
            for r in resp.results
        ],
        "facets": {f: [asdict(fv) for fv in resp.facets.get(f, [])] for f in API_FACETS},
        "index_version": resp.version,
    }


def _versions_or_404(slug: str) -> dict[str, dict]:
    versions = service().practice(slug) if SLUG.match(slug) else None
    if not versions:
        abort(404)
    return versions


def _pick(versions: dict[str, dict]) -> tuple[dict, bool]:
    """The version to show: ``?lang=``, else the interface language, else the Finnish original."""
    wanted = request.args.get("lang") or ui_lang()
    if wanted in versions:
        return versions[wanted], False
    fallback = versions.get("fi") or next(iter(versions.values()))
    return fallback, wanted != fallback["lang"]


@bp.route("/practice/<slug>")
def practice(slug: str):
    versions = _versions_or_404(slug)
    shown, fell_back = _pick(versions)
    return render_template("practice.html", p=shown, versions=versions, fell_back=fell_back)


@bp.route("/api/practice/<slug>")
def api_practice(slug: str):
    versions = _versions_or_404(slug)
    shown, _ = _pick(versions)
    keys = ("title", "project", "summary", "body_html", "regions", "large_areas", "themes", "period", "axis",
            "objective", "target_groups", "organisations", "source", "lang")
    data = {"id": slug, **{k: shown[k] for k in keys}, "priority": f"{shown['axis']} et {shown['objective']}",
            "languages": sorted(versions),
            "url": url_for("site.practice", slug=slug, lang=shown["lang"], _external=True)}
    return jsonify(data)


@bp.route("/healthz")
def healthz():
    return jsonify({"status": "ok", **service().stats()})


# --- errors -------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


@bp.app_errorhandler(NoIndex)
def no_index(exc: NoIndex):
    current_app.logger.error("%s", exc)
    return _error(503)


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return _error(exc.code or 500)


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unhandled error on %s", request.path)
    return _error(500)


def _error(code: int):
    if _wants_json():
        return jsonify({"error": code, "message": ERROR_MESSAGES.get(code, "error")}), code
    return render_template("error.html", code=code), code


ERROR_MESSAGES = {400: "bad request", 404: "not found", 405: "method not allowed", 500: "internal error",
                  503: "the search index is not available yet"}


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
