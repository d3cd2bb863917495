"""Errors and headers: every error page in the visitor's language (JSON under /api/), security
headers on every response, and query strings with raw bytes read instead of failing."""
from __future__ import annotations

from urllib.parse import quote_from_bytes

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..search import NoIndex
from .site import bp

ERROR_MESSAGES = {400: "bad request", 404: "not found", 405: "method not allowed", 500: "internal error",
                  503: "the search index is not available yet"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "X-Frame-Options": "DENY",
}


@bp.before_app_request
def tolerate_raw_bytes() -> None:
    """Read raw non-ASCII bytes in the query string as if percent-encoded (invalid UTF-8 becomes U+FFFD).

    Werkzeug decodes a query string strictly: one raw 0xFF byte would make every ``request.args`` a 500.
    """
    if not request.query_string.isascii():
        request.query_string = quote_from_bytes(request.query_string, safe="/?:@!$&'()*+,;=%~").encode("ascii")


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


@bp.after_app_request
def security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
