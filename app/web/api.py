"""The JSON API: search, one practice, health, and the OpenAPI description of them."""
from __future__ import annotations

from flask import jsonify

from ..names import priority_text
from ..search import NoIndex
from ..search.response import response_json
from . import openapi
from .pages import pick, versions_or_404
from .service_info import LICENCE_LINK_HEADER, licence_json
from .site import bp, run_search, service, site_info
from .urls import practice_url


def with_licence(response):  # noqa: ANN001, ANN201
    """The content licence as a Link header (rel="license", RFC 4946) on a response of data."""
    response.headers["Link"] = LICENCE_LINK_HEADER
    return response


@bp.route("/api/search")
def api_search():
    resp = run_search()
    return with_licence(jsonify({**response_json(resp, lambda r: practice_url(r.slug, r.lang)),
                                 "licence": licence_json()}))


@bp.route("/api/practice/<slug>")
def api_practice(slug: str):
    versions = versions_or_404(slug, "site.api_practice")
    shown, _ = pick(versions)
    data = {"slug": slug, "id": slug, **{k: shown[k] for k in openapi.practice_fields()},
            "priority": priority_text(shown["axis"], shown["objective"]), "url": practice_url(slug, shown["lang"]),
            "licence": licence_json()}
    return with_licence(jsonify(data))


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
    info = site_info()
    contact = {k: v for k, v in (("name", info.publisher), ("email", info.contact_email)) if v}
    return jsonify(openapi.describe(service().vocab, example_slug=example, contact=contact or None))
