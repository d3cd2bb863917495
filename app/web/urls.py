"""Links of a search page: the current search with some arguments changed, and facet toggles."""
from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from ..names import LANGUAGES, facet_names
from ..search import parse_args
from .shortlist_session import safe_next
from .site import service

# The pages a practice page leads back to ("back="): path → what the link says it returns to.
BACK_PAGES = {"/": "search", "/shortlist": "shortlist", "/compare": "compare"}
MAX_BACK_CHARS = 2000


def search_args() -> tuple[str, ...]:
    """The query arguments a search page carries in its links."""
    return ("q", *facet_names(), "page", "per_page", "sort", "ui")


def search_url(args: MultiDict, endpoint: str = "site.index", **changes: Any) -> str:
    """URL of the current search with some arguments replaced (a value of None removes it)."""
    # Only the search's own arguments are carried: url_for reads "endpoint", "_method", "_scheme"… itself,
    # so a visitor's ?endpoint=x or ?_method=POST would otherwise break every link on the page (a 500).
    carried = search_args() + (("back",) if endpoint == "site.practice" else ())
    merged = MultiDict((k, v) for k, v in args.items(multi=True) if k in carried)
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
    names = facet_names()
    for key, values in merged.to_dict(flat=False).items():
        if key in names or key == "endpoint" or key.startswith("_"):
            continue
        if key == "q":
            params[key] = req.q if req.q.strip() else None
        elif key in ("page", "per_page", "sort"):
            params[key] = getattr(req, key)
        elif key == "ui":
            params[key] = values[0] if values[0] in LANGUAGES else None
        elif key == "back":
            back = back_link(values[0])
            params[key] = back.url if back.kind else None
        else:  # arguments the template chose itself, such as a practice's slug
            params[key] = values[0] if len(values) == 1 else values
    return {k: v for k, v in params.items() if v is not None}


def toggle_url(args: MultiDict, facet: str, value: str) -> str:
    """URL with ``value`` added to or removed from ``facet``'s selection (compared as known values, so
    a selection spelt ``?region=pohjois-karjala`` is removed by the toggle of "Pohjois-Karjala")."""
    req, _ignored = parse_args(args.getlist, service().vocab)
    current = list(req.filters.get(facet, ()))
    values = [v for v in current if v != value] if value in current else current + [value]
    return search_url(args, **{facet: values or None})


def practice_url(slug: str, lang: str) -> str:
    """The absolute address of a practice's version."""
    return url_for("site.practice", slug=slug, lang=lang, _external=True)


# --- the way back from a practice ---------------------------------------------------------------

class Back(NamedTuple):
    """Where a practice page's "back" link leads: a local address and which page it is ("search",
    "shortlist", "compare"; "" for the search page's default address)."""

    url: str
    kind: str


def back_link(target: str | None) -> Back:
    """The page a practice was opened from (``?back=``), when it is one of :data:`BACK_PAGES` on this
    site, without its interface language (the visitor may have switched since); else the search page."""
    target = safe_next(target, "")
    if not target or len(target) > MAX_BACK_CHARS:
        return Back(url_for("site.index"), "")
    parts = urlsplit(target)
    kind = BACK_PAGES.get(parts.path, "")
    if not kind or parts.scheme or parts.netloc:
        return Back(url_for("site.index"), "")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("ui", "back")])
    return Back(parts.path + (f"?{query}" if query else ""), kind)


def back_here() -> str:
    """This page's local address, for the ``back=`` of the practice links it shows."""
    return back_link(request.full_path).url
