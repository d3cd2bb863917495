"""Web views: read request arguments, call the search service, render HTML or JSON."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote_from_bytes

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from . import UI_LANGUAGES, exports, openapi
from . import shortlist as sl
from .search import NoIndex, SearchRequest, SearchResponse, SearchService, parse_args

bp = Blueprint("site", __name__)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
API_FACETS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang")
SEARCH_ARGS = ("q", *API_FACETS, "page", "per_page", "sort", "ui")


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
    # Only the search's own arguments are carried: url_for reads "endpoint", "_method", "_scheme"… itself,
    # so a visitor's ?endpoint=x or ?_method=POST would otherwise break every link on the page (a 500).
    merged = MultiDict((k, v) for k, v in args.items(multi=True) if k in SEARCH_ARGS)
    merged.pop("page", None)
    for key, value in changes.items():
        merged.pop(key, None)
        if value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            merged.add(key, v)
    return url_for(endpoint, **_link_params(merged))


def _link_params(merged: MultiDict) -> dict[str, Any]:
    """What a link repeats: the bounded query, known filter values and valid settings, never a visitor's junk.

    Without this, every one of a page's ~100 links would copy megabytes of unknown, ignored values.
    """
    req, _ignored = parse_args(merged.getlist, service().vocab)
    params: dict[str, Any] = {k: list(v) for k, v in req.filters.items()}
    for key, values in merged.to_dict(flat=False).items():
        if key in API_FACETS or key == "endpoint" or key.startswith("_"):
            continue
        if key == "q":
            params[key] = req.q if req.q.strip() else None
        elif key in ("page", "per_page", "sort"):
            params[key] = getattr(req, key)
        elif key == "ui":
            params[key] = values[0] if values[0] in UI_LANGUAGES else None
        else:  # arguments the template chose itself, such as a practice's slug
            params[key] = values[0] if len(values) == 1 else values
    return {k: v for k, v in params.items() if v is not None}


def toggle_url(args: MultiDict, facet: str, value: str) -> str:
    """URL with ``value`` added to or removed from ``facet``'s selection."""
    current = args.getlist(facet)
    values = [v for v in current if v != value] if value in current else current + [value]
    return search_url(args, **{facet: values or None})


@bp.before_app_request
def tolerate_raw_bytes() -> None:
    """Read raw non-ASCII bytes in the query string as if percent-encoded (invalid UTF-8 becomes U+FFFD).

    Werkzeug decodes a query string strictly: one raw 0xFF byte would make every ``request.args`` a 500.
    """
    if not request.query_string.isascii():
        request.query_string = quote_from_bytes(request.query_string, safe="/?:@!$&'()*+,;=%~").encode("ascii")


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"search_url": search_url, "toggle_url": toggle_url, "ui_lang": ui_lang,
            "vocab": service().vocab, "facet_names": API_FACETS}


@bp.route("/")
def index():
    resp, ignored = _search()
    return render_template("search.html", resp=resp, ignored=ignored, args=request.args, overview=overview(resp),
                           export_limit=EXPORT_LIMIT)


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
                "matched": [{"query": m.query, "term": m.term, "kind": m.kind, "forms": list(m.forms)}
                            for m in r.matched],
            }
            for r in resp.results
        ],
        # Plain dicts, not dataclasses.asdict: its deep copies were a tenth of a search's time.
        "facets": {f: [{"value": fv.value, "label": fv.label, "count": fv.count, "selected": fv.selected}
                       for fv in resp.facets.get(f, [])] for f in API_FACETS},
        "corrected": [{"typed": k, "searched": v} for k, v in resp.corrected.items()],
        "suggestion": resp.suggestion,
        "relaxations": resp.relaxations,
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
    return render_template("practice.html", p=shown, versions=versions, fell_back=fell_back,
                           related=service().related(slug, ui_lang()))


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


@bp.route("/api/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of the JSON API; an example slug is taken from the served index."""
    try:
        example = next(iter(service().version().catalog), None)
    except NoIndex:
        example = None
    return jsonify(openapi.describe(service().vocab, example_slug=example))


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


# --- what a person meets: overview, exports, feed, shortlist, accessibility statement -----------

STATEMENT_DATE = dt.date(2026, 11, 28)  # when the accessibility statement was written and last checked
FEED_LIMIT = 100
# Rows of one export: enough for any region or theme, and bounded at national scale (a 100k export
# would hold a worker for many seconds); the page says when a download holds only the first ones.
EXPORT_LIMIT = 10_000
SHORTLIST_ACTIONS = ("add", "remove", "save", "clear")


def _axis_order(code: str) -> tuple[int, str]:
    digits = "".join(c for c in code if c.isdigit())
    return (int(digits) if digits else 10**6, code)


def overview(resp: SearchResponse) -> dict[str, Any]:
    """Theme × priority-axis counts and per-region counts of the current search, for the front page."""
    vocab = service().vocab
    return {
        "themes": list(vocab.themes),
        "axes": sorted({a for p in vocab.periods.values() for a in p.axes}, key=_axis_order),
        "matrix": service().cross_counts(resp.request, "theme", "axis"),
        "regions": {fv.value: fv.count for fv in resp.facets.get("region", [])},
    }


def _index_built() -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(service().stats()["built_at"])
    except (NoIndex, KeyError, ValueError, TypeError):
        return None


@bp.app_context_processor
def page_helpers() -> dict[str, Any]:
    return {"csrf_token": lambda: sl.csrf_token(session), "shortlist_ids": lambda: sl.ids_of(session),
            "share_value": sl.share_value, "index_built": _index_built}


def _label(facet: str, value: str) -> str:
    return service().vocab.label(facet, value, ui_lang())


def _practice_url(slug: str, lang: str) -> str:
    return url_for("site.practice", slug=slug, lang=lang, _external=True)


def _request() -> tuple[SearchRequest, list[tuple[str, str]]]:
    return parse_args(request.args.getlist, service().vocab, ui_lang())


def _headers() -> dict[str, str]:
    return {"title": _("Practice"), "project": _("Project"), "priority": _("Priority axis and objective (TL/et)"),
            "period": _("Programme period"), "regions": _("Region"), "themes": _("Theme"),
            "target_groups": _("Target group"), "languages": _("Languages"), "url": _("Link")}


def _download(data: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _describe(req: SearchRequest) -> str:
    """The search in words, for a feed title: the query and the labels of the filters."""
    parts = [f"“{req.q}”"] if req.q.strip() else []
    for facet, values in req.filters.items():
        parts.extend(v if facet == "lang" else _label(facet, v) for v in values)
    return ", ".join(parts) or _("all practices")


@bp.route("/export.csv")
def export_csv():
    req, _ignored = _request()
    results, total = service().all_matching(req, EXPORT_LIMIT)
    response = _download(exports.to_csv(exports.rows_from(results, _practice_url), _headers(), _label), "text/csv",
                         "kaytantopankki.csv" if total <= EXPORT_LIMIT else f"kaytantopankki-first-{EXPORT_LIMIT}.csv")
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.route("/export.json")
def export_json():
    req, ignored = _request()
    results, total = service().all_matching(req, EXPORT_LIMIT)
    meta = {"query": req.q, "filters": {k: list(v) for k, v in req.filters.items()},
            "ignored": [{"facet": f, "value": v} for f, v in ignored], "sort": req.sort,
            "index_version": service().stats()["version"]}
    return jsonify(exports.to_json(exports.rows_from(results, _practice_url), meta, total))


@bp.route("/feed.atom")
def feed_atom():
    req, _ignored = _request()
    rows = exports.rows_from(service().all_matching(req, FEED_LIMIT)[0], _practice_url)
    feed = exports.Feed(title=f"{_('Käytäntöpankki')}: {_describe(req)}", self_url=request.url,
                        alternate_url=request.host_url.rstrip("/") + search_url(request.args),
                        updated=service().stats()["built_at"], author=_("Käytäntöpankki"), lang=ui_lang())
    return Response(exports.to_atom(rows, feed, _label), mimetype="application/atom+xml")


@bp.route("/accessibility")
def accessibility():
    return render_template("accessibility.html", prepared=STATEMENT_DATE)


def _listed() -> tuple[list[str], bool]:
    """A shared list (``?ids=a,b``) or the visitor's own; the flag tells which."""
    if "ids" in request.args:
        return sl.parse_ids(request.args.get("ids")), True
    return sl.ids_of(session), False


@bp.route("/shortlist")
def shortlist_page():
    ids, shared = _listed()
    results = service().results_for(ids, ui_lang())
    return render_template("shortlist.html", results=results, shared=shared, own=sl.ids_of(session),
                           ids=[r.id for r in results])


@bp.route("/shortlist.md")
def shortlist_markdown():
    ids, _shared = _listed()
    rows = exports.rows_from(service().results_for(ids, ui_lang()), _practice_url)
    share = url_for("site.shortlist_page", ids=sl.share_value(r.id for r in rows) or None, _external=True)
    text = exports.to_markdown(rows, _("Shortlist of good practices"), _headers(), _label, share,
                               _("Shared list in Käytäntöpankki:"))
    return _download(text, "text/markdown", "shortlist.md")


@bp.route("/shortlist.csv")
def shortlist_csv():
    ids, _shared = _listed()
    rows = exports.rows_from(service().results_for(ids, ui_lang()), _practice_url)
    return _download(exports.to_csv(rows, _headers(), _label, exports.SHORTLIST_COLUMNS), "text/csv", "shortlist.csv")


@bp.route("/shortlist/<action>", methods=["POST"])
def shortlist_change(action: str):
    """Add, remove, save a shared list as one's own, or clear; JSON for the script, else a redirect."""
    if action not in SHORTLIST_ACTIONS:
        abort(404)
    if not sl.csrf_ok(session, request.form.get("csrf")):
        return render_template("error.html", code=400, reason="token"), 400
    slug = request.form.get("slug", "")
    message = ""
    if action == "add":
        if not SLUG.match(slug) or service().practice(slug) is None:
            abort(400)
        if not sl.add(session, slug):
            message = _("Your shortlist is full (%(num)d practices). Remove some to add more.", num=sl.MAX_ITEMS)
    elif action == "remove":
        sl.remove(session, slug)
    elif action == "save":
        sl.replace(session, sl.parse_ids(request.form.get("ids")))
    else:
        sl.replace(session, [])
    ids = sl.ids_of(session)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ids": ids, "count": len(ids), "listed": slug in ids, "message": message})
    if message:
        flash(message)
    target = sl.safe_next(request.form.get("next"), url_for("site.shortlist_page"))
    if slug and "#" not in target and SLUG.match(slug):
        target += f"#r-{slug}"  # back to the same result, not the top of the page
    return redirect(target, 303)
