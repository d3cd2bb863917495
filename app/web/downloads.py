"""Downloads: the search's practices as CSV, JSON and an Atom feed; the shortlist as Markdown and CSV."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Response, jsonify, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from ..search import SearchRequest
from . import exports
from . import shortlist_session as sl
from .service_info import LICENCE_LINK_HEADER, LICENCE_NAME, licence_json
from .shortlist import listed
from .site import bp, facet_name, label, search_request, service, site_info, ui_lang
from .urls import practice_url, search_url

FEED_LIMIT = 100
# Rows of one export: enough for any region or theme, and bounded at national scale (a 100k export
# would hold a worker for many seconds); the page says when a download holds only the first ones.
EXPORT_LIMIT = 10_000


def _url_of(result) -> str:  # noqa: ANN001
    return practice_url(result.slug, result.lang)


def headers() -> dict[str, str]:
    """Column key → header in the interface language."""
    return {**{key: _(text) for key, text in exports.column_labels().items()}, exports.URL: _("Link"),
            exports.LICENCE: _("Licence of the text"), exports.SOURCE: _("Source"), exports.ACCESSED: _("Accessed")}


def _download(data: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Link": LICENCE_LINK_HEADER})


def today() -> dt.date:
    """Today in Finland: the date a list is taken, for its citations."""
    try:
        return dt.datetime.now(ZoneInfo("Europe/Helsinki")).date()
    except ZoneInfoNotFoundError:  # a system without time zone data
        return dt.datetime.now(dt.timezone.utc).date()


def _source_of(slug: str, lang: str) -> str:
    """The source a practice's version names (else its original's)."""
    versions = service().practice(slug) or {}
    for record in (versions.get(lang), *versions.values()):
        if record and record.get("source"):
            return str(record["source"])
    return ""


def _shortlist_rows() -> list[exports.Row]:
    """The listed practices, each with its source and the date of access (citable as they are)."""
    ids, _shared = listed()
    accessed = today().isoformat()
    return [exports.Row(r, _url_of(r), {exports.SOURCE: _source_of(r.slug, r.lang), exports.ACCESSED: accessed})
            for r in service().results_for(ids, ui_lang())]


def _describe(req: SearchRequest) -> str:
    """The search in words, for a feed title: the query and the labels of the filters."""
    parts = [f"“{req.q}”"] if req.q.strip() else []
    for name, values in req.filters.items():
        parts.extend(label(name, v) for v in values)
    return ", ".join(parts) or _("all practices")


def _file_name(total: int, kind: str, ignored: Sequence[tuple[str, str]] = ()) -> str:
    """kaytantopankki.csv, or a name saying that the file holds partial matches, only the first rows,
    or practices of a search some of whose filters were not known and so not applied."""
    name = "kaytantopankki" + ("-partial-matches" if kind == "partial" else "")
    name += "-unknown-filters-ignored" if ignored else ""
    return f"{name}.csv" if total <= EXPORT_LIMIT else f"{name}-first-{EXPORT_LIMIT}.csv"


def _say_ignored(response: Response, ignored: Sequence[tuple[str, str]]) -> Response:
    """An export never drops a filter silently: ``X-Ignored-Filters: region=Atlantis&theme=x``
    (URL-encoded, as they would be written in the address)."""
    if ignored:
        response.headers["X-Ignored-Filters"] = urlencode(ignored)
    return response


@bp.route("/export.csv")
def export_csv():
    req, ignored = search_request()
    results, total, kind = service().all_matching(req, EXPORT_LIMIT)
    response = _download(exports.to_csv(exports.rows_from(results, _url_of), headers(), label), "text/csv",
                         _file_name(total, kind, ignored))
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Match"] = kind
    return _say_ignored(response, ignored)


@bp.route("/export.json")
def export_json():
    req, ignored = search_request()
    results, total, kind = service().all_matching(req, EXPORT_LIMIT)
    meta = {"query": req.q, "match": kind, "filters": {k: list(v) for k, v in req.filters.items()},
            "ignored": [{"facet": f, "value": v} for f, v in ignored], "sort": req.sort,
            "index_version": service().stats()["version"], "licence": licence_json()}
    response = jsonify(exports.to_json(exports.rows_from(results, _url_of), meta, total))
    response.headers["Link"] = LICENCE_LINK_HEADER
    return _say_ignored(response, ignored)


@bp.route("/feed.atom")
def feed_atom():
    req, ignored = search_request()
    results, _total, kind = service().all_matching(req, FEED_LIMIT)
    rows = exports.rows_from(results, _url_of)
    partial = " (" + _("some of the words") + ")" if kind == "partial" else ""
    if ignored:
        unknown = ", ".join(f"{facet_name(f)}: “{v}”" for f, v in ignored)
        partial += " (" + _("unknown filters ignored: %(filters)s", filters=unknown) + ")"
    feed = exports.Feed(title=f"{_('Käytäntöpankki')}: {_describe(req)}{partial}", self_url=request.url,
                        alternate_url=request.host_url.rstrip("/") + search_url(request.args),
                        updated=service().stats()["built_at"], author=site_info().publisher or _("Käytäntöpankki"),
                        lang=ui_lang(), rights=_licence_terms())
    return _say_ignored(Response(exports.to_atom(rows, feed, label), mimetype="application/atom+xml",
                                 headers={"Link": LICENCE_LINK_HEADER}), ignored)


def _licence_terms() -> str:
    """The terms of the texts, in the interface language (one line)."""
    return _("Texts of Käytäntöpankki: %(licence)s. The facts come from the sources named for each practice.",
             licence=LICENCE_NAME)


@bp.route("/shortlist.md")
def shortlist_markdown():
    rows = _shortlist_rows()
    share = url_for("site.shortlist_page", ids=sl.share_value(row.result.slug for row in rows) or None, _external=True)
    info = site_info()
    terms = _licence_terms()
    if info.publisher:
        terms += " " + _("Published by %(publisher)s.", publisher=info.publisher)
    texts = {"references": _("Sources for citing"), "accessed": _("accessed"), "date": format_date(today(), "medium"),
             "source": _("Original source"), "site": _("Käytäntöpankki"), "terms": terms}
    text = exports.to_markdown(rows, _("Shortlist of good practices"), headers(), label, share,
                               _("Shared list in Käytäntöpankki:"), texts=texts)
    return _download(text, "text/markdown", "shortlist.md")


@bp.route("/shortlist.csv")
def shortlist_csv():
    rows = _shortlist_rows()
    return _download(exports.to_csv(rows, headers(), label, exports.SHORTLIST_COLUMNS), "text/csv", "shortlist.csv")
