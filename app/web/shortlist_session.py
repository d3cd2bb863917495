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
# A page must not set a cookie by being looked at, yet its forms need a token. So a visitor without
# a session token gets a *fresh* token in the page: random, signed by the site, not stored. The first
# form sent with a valid fresh token, from this site, stores that token in the session ("adopts"
# it); from then on the session's token is the one the pages carry and the forms must send.
# "From this site" is read from the browser's Sec-Fetch-Site or Origin header: every current
# browser sends one of them with a cross-site POST, so a forged form from elsewhere is refused even
# though fresh tokens are public. A client that sends neither (not a browser) is believed.

FRESH_MAX_AGE = 7 * 24 * 3600  # seconds a page's fresh token stays valid (a tab left open for days)


def csrf_token(session: MutableMapping) -> str:
    """This session's form token, created on first use."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(24)
        session[CSRF_KEY] = token
    return token


def session_token(session: MutableMapping) -> str | None:
    """The session's form token, or None when it has none (nothing is created)."""
    token = session.get(CSRF_KEY)
    return token if isinstance(token, str) and len(token) >= 20 else None


def fresh_token(signer) -> str:  # noqa: ANN001 (an itsdangerous serializer)
    """A signed token for the forms of a visitor who has no session token yet (not stored anywhere)."""
    return signer.dumps(secrets.token_urlsafe(18))


def is_fresh_token(signer, token: str | None) -> bool:  # noqa: ANN001
    """True for a token this site signed within ``FRESH_MAX_AGE``."""
    if not token or len(token) > 200:
        return False
    try:
        signer.loads(token, max_age=FRESH_MAX_AGE)
    except Exception:  # noqa: BLE001 (itsdangerous: bad signature, expired, malformed)
        return False
    return True


def form_token(session: MutableMapping, signer) -> str:  # noqa: ANN001
    """The token a page puts into its forms: the session's, else a fresh one (the session is not touched)."""
    return session_token(session) or fresh_token(signer)


def csrf_ok(session: MutableMapping, submitted: str | None) -> bool:
    """True when the submitted token is this session's (compared in constant time)."""
    token = session.get(CSRF_KEY)
    return isinstance(token, str) and bool(submitted) and hmac.compare_digest(token, str(submitted))


def accept_form(session: MutableMapping, submitted: str | None, signer, same_origin: bool | None) -> bool:  # noqa: ANN001
    """Whether a shortlist form may change the list; adopts a fresh token into a session that has none.

    ``same_origin`` says where the browser says the form came from: True (this site), False (another
    site) or None (the client did not say). The session's own token is always accepted; a fresh
    token of this site is accepted when nothing says the form came from elsewhere and the session
    has no token yet (it becomes the session's), or when the browser confirms this site (a page
    loaded before the session got its token, e.g. in another tab).
    """
    if csrf_ok(session, submitted):
        return True
    if same_origin is False or not is_fresh_token(signer, submitted):
        return False
    if session_token(session) is None:
        session[CSRF_KEY] = str(submitted)
        return True
    return same_origin is True


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after a form; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
