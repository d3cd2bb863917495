"""The pages a person reads: search with facets and overview, a practice, the accessibility and privacy statements."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, render_template, request

from ..content.vocabularies import qualified_value
from ..names import SLUG, shown_language
from ..search import SearchResponse
from . import downloads
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


def versions_or_404(slug: str) -> dict[str, dict]:
    """Every language version's record of a practice; 404 for a malformed or unknown slug."""
    versions = service().practice(slug) if SLUG.match(slug) else None
    if not versions:
        abort(404)
    return versions


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
