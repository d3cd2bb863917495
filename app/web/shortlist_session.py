"""The visitor's shortlist of practices and the per-session token that guards its forms.

Framework-free: the functions take any mutable mapping as the session (Flask's signed cookie
session in the site), so the list survives a reload with or without JavaScript.
"""
from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable, MutableMapping

MAX_ITEMS = 50  # the list lives in a cookie (about 4 kB), and 50 slugs of ~60 characters fit
SESSION_KEY = "shortlist"
CSRF_KEY = "csrf"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_CHARS = 120


def clean_ids(values: Iterable[str]) -> list[str]:
    """Valid slugs in their first order, without duplicates, at most ``MAX_ITEMS``."""
    out: list[str] = []
    for raw in values:
        slug = str(raw).strip()
        if slug and len(slug) <= MAX_SLUG_CHARS and SLUG.match(slug) and slug not in out:
            out.append(slug)
            if len(out) == MAX_ITEMS:
                break
    return out


def parse_ids(text: str | None) -> list[str]:
    """Read a shared list, ``?ids=a,b,c`` (spaces and empty items are tolerated)."""
    return clean_ids((text or "").split(",")[: MAX_ITEMS * 4])


def ids_of(session: MutableMapping) -> list[str]:
    stored = session.get(SESSION_KEY)
    return clean_ids(stored) if isinstance(stored, list) else []


def add(session: MutableMapping, slug: str) -> bool:
    """Add ``slug``; False when the list is already full."""
    ids = ids_of(session)
    if slug in ids:
        return True
    if len(ids) >= MAX_ITEMS:
        return False
    session[SESSION_KEY] = ids + [slug]
    return True


def remove(session: MutableMapping, slug: str) -> None:
    session[SESSION_KEY] = [s for s in ids_of(session) if s != slug]


def replace(session: MutableMapping, slugs: Iterable[str]) -> None:
    session[SESSION_KEY] = clean_ids(slugs)


def share_value(ids: Iterable[str]) -> str:
    """The ``ids`` parameter of a shared link."""
    return ",".join(ids)


# --- forms ------------------------------------------------------------------------------------

def csrf_token(session: MutableMapping) -> str:
    """This session's form token, created on first use."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(24)
        session[CSRF_KEY] = token
    return token


def csrf_ok(session: MutableMapping, submitted: str | None) -> bool:
    """True when the submitted token is this session's (compared in constant time)."""
    token = session.get(CSRF_KEY)
    return isinstance(token, str) and bool(submitted) and hmac.compare_digest(token, str(submitted))


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after a form; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
