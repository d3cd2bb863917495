"""The site's blueprint and what every view and template shares: the search service, the
interface language, the search request of this page, labels."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, request, session
from flask_babel import get_locale
from flask_babel import gettext as _

from ..names import FACETS, LANGUAGES, facet
from ..search import NoIndex, SearchRequest, SearchResponse, SearchService, parse_args
from . import shortlist_session as sl

bp = Blueprint("site", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


def ui_lang() -> str:
    return str(get_locale() or LANGUAGES[0])


def search_request() -> tuple[SearchRequest, list[tuple[str, str]]]:
    """This page's search request and the filter values it ignored."""
    return parse_args(request.args.getlist, service().vocab, ui_lang())


def run_search(matrix: bool = False) -> SearchResponse:
    """This page's search (``response.ignored`` holds what was ignored)."""
    req, ignored = search_request()
    resp = service().search(req, matrix=matrix)
    resp.ignored = ignored
    return resp


def facet_name(name: str) -> str:
    """A facet's name in the interface language ("Alue")."""
    return _(facet(name).label)


def facet_label(name: str, value: str) -> str:
    """A facet value's label in the interface language, codes first for axes and objectives."""
    return service().vocab.display_label(name, value, ui_lang())


def label(name: str, value: str) -> str:
    """A facet value's name in the interface language (no code)."""
    return service().vocab.label(name, value, ui_lang())


def _index_built() -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(service().stats()["built_at"])
    except (NoIndex, KeyError, ValueError, TypeError):
        return None


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    from .urls import back_here, search_url, toggle_url

    return {"search_url": search_url, "toggle_url": toggle_url, "back_here": back_here, "ui_lang": ui_lang, "vocab": service().vocab,
            "facets": FACETS, "facet_name": facet_name, "facet_label": facet_label, "label": label,
            "csrf_token": lambda: sl.csrf_token(session), "shortlist_ids": lambda: sl.ids_of(session),
            "share_value": sl.share_value, "index_built": _index_built,
            "has_endpoint": lambda name: name in current_app.view_functions}
