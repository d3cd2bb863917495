"""The pages a person reads: search with facets and overview, a practice, the accessibility and privacy statements."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from flask import Response, abort, jsonify, redirect, render_template, request, url_for

from ..content.vocabularies import qualified_value
from ..names import SLUG, shown_language
from ..search import SearchResponse
from . import downloads, facts  # noqa: F401 (facts: the practice page's template helpers)
from .facet_trees import plain_axes, priority_tree, region_tree
from .site import bp, run_search, service, ui_lang
from .urls import back_link

STATEMENT_DATE = dt.date(2026, 11, 28)  # when the accessibility statement was written
STATEMENT_UPDATED = dt.date(2026, 11, 29)  # when it was last checked and updated (supervisory authority, contact)
PRIVACY_DATE = dt.date(2026, 11, 29)  # when the privacy statement was written


def overview(resp: SearchResponse) -> dict[str, Any]:
    """Theme × priority-axis counts (each period's axes apart) and per-region counts of the current
    search, for the front page."""
    vocab = service().vocab
    return {
        "themes": list(vocab.themes),
        "axes": [qualified_value(p, code) for p, period in vocab.periods.items() for code in period.axes],
        "matrix": resp.matrix or {},
        "regions": {fv.value: fv.count for fv in resp.facets.get("region", [])},
    }


def trees(resp: SearchResponse) -> dict[str, list]:
    """The facets the page shows as trees."""
    vocab, lang = service().vocab, ui_lang()
    return {"priority": priority_tree(resp.facets, vocab, lang), "plain_axes": plain_axes(resp.facets, vocab, lang),
            "region": region_tree(resp.facets, vocab, lang)}


@bp.route("/")
def index():
    resp = run_search(matrix=True)
    return render_template("search.html", resp=resp, ignored=resp.ignored, args=request.args, overview=overview(resp),
                           trees=trees(resp), export_limit=downloads.EXPORT_LIMIT)


def versions_or_404(slug: str, endpoint: str = "site.practice") -> dict[str, dict]:
    """Every language version's record of a practice; a permanent redirect (301) from an old slug
    (``aliases``) to ``endpoint`` of the practice, with the same query; 404 for a malformed or unknown slug."""
    versions = service().practice(slug) if SLUG.match(slug) else None
    if not versions:
        renamed = service().renamed(slug) if SLUG.match(slug) else None
        if renamed:
            abort(moved(url_for(endpoint, slug=renamed), endpoint != "site.practice"))
        abort(404)
    return versions


def moved(path: str, as_json: bool) -> Response:
    """A 301 to ``path`` with this request's query string (a JSON body for the API)."""
    query = quote(request.query_string, safe="=&%+/;:,@")  # as sent; anything else escaped
    location = path + ("?" + query if query else "")
    if not as_json:
        return redirect(location, 301)
    response = jsonify({"error": 301, "message": f"This practice has a new address: {location}"})
    response.status_code = 301
    response.headers["Location"] = location
    return response


def pick(versions: dict[str, dict]) -> tuple[dict, bool]:
    """The version to show: ``?lang=``, else the interface language, else the original; and whether
    the wanted language was missing."""
    wanted = request.args.get("lang") or ui_lang()
    shown = versions[shown_language(versions, wanted)]
    return shown, shown["lang"] != wanted


@bp.route("/practice/<slug>")
def practice(slug: str):
    versions = versions_or_404(slug)
    shown, fell_back = pick(versions)
    return render_template("practice.html", p=shown, versions=versions, fell_back=fell_back,
                           related=service().related(slug, ui_lang()), back=back_link(request.args.get("back")))


@bp.route("/accessibility")
def accessibility():
    return render_template("accessibility.html", prepared=STATEMENT_DATE, updated=STATEMENT_UPDATED)


@bp.route("/privacy")
def privacy():
    """What the session cookie holds and what the server logs keep (tietosuojaseloste)."""
    return render_template("privacy.html", prepared=PRIVACY_DATE)
