"""The site's blueprint and what every view and template shares: the search service, the
interface language, the search request of this page, labels."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import URLSafeTimedSerializer

from ..names import FACETS, LANGUAGES, facet
from ..search import NoIndex, SearchRequest, SearchResponse, SearchService, parse_args
from . import service_info as info
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


OG_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}  # Open Graph's language_TERRITORY


def og_locale(lang: str) -> str:
    return OG_LOCALES.get(lang, OG_LOCALES["fi"])


def site_info() -> info.ServiceInfo:
    """The publisher, contact and feedback settings of this installation."""
    return current_app.extensions["service_info"]


def form_signer() -> URLSafeTimedSerializer:
    """Signs the fresh form tokens of pages seen without a session (:mod:`.shortlist_session`)."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="shortlist-form")


def form_token() -> str:
    """The token of this page's forms: the session's, else one fresh token for the whole page
    (rendering a form never creates a session, so a page view sets no cookie)."""
    token = sl.session_token(session)
    if token:
        return token
    if "fresh_form_token" not in g:
        g.fresh_form_token = sl.fresh_token(form_signer())
    return g.fresh_form_token


def from_this_site() -> bool | None:
    """Where the browser says this request comes from: True (a page of this site), False (another
    site, or a hidden origin) or None (no Sec-Fetch-Site and no Origin: not a browser, or an old one)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    try:
        theirs, ours = urlsplit(origin).hostname, urlsplit("//" + request.host).hostname
    except ValueError:
        return False
    return bool(theirs) and theirs == ours  # the host alone: a front server may drop the port from Host


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    from .urls import back_here, practice_url, search_url, toggle_url

    return {"search_url": search_url, "toggle_url": toggle_url, "back_here": back_here, "ui_lang": ui_lang, "vocab": service().vocab,
            "facets": FACETS, "facet_name": facet_name, "facet_label": facet_label, "label": label,
            "csrf_token": form_token, "shortlist_ids": lambda: sl.ids_of(session),
            "share_value": sl.share_value, "index_built": _index_built, "site_info": site_info(),
            "licence_name": info.LICENCE_NAME, "licence_url": info.LICENCE_URL, "practice_url": practice_url,
            "og_locale": og_locale}
