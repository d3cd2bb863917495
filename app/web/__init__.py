"""The web layer (Flask): views read the request, call the search service and render.

- :mod:`.site` — the blueprint, the service, the interface language, template helpers
- :mod:`.pages`, :mod:`.api`, :mod:`.downloads`, :mod:`.shortlist`, :mod:`.compare` — the views
- :mod:`.urls` — links that carry the current search; :mod:`.errors` — errors and headers
- :mod:`.exports`, :mod:`.openapi` — serialisations of the one result shape
- ``templates/``, ``static/``, ``translations/`` — the interface in Finnish, Swedish and English
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel

from ..names import LANGUAGES
from . import service_info

ROOT = Path(__file__).resolve().parents[2]
# The interface languages with a translation catalogue (the messages are written in English).
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
# Keys that were once in the source: a deployment using one could have its sessions forged.
KNOWN_KEYS = frozenset({"dev-only-change-me", "dev", "change-me"})
SECRET_KEY_FILE = "secret_key"


# Answers that are data, not pages: ``?ui=`` labels them in a language but is not a visitor choosing the
# interface, so it is not remembered (no cookie for an API client, a feed reader or a download).
DATA_ENDPOINTS = frozenset({"site.api_search", "site.api_practice", "site.healthz", "site.openapi_json",
                            "site.export_csv", "site.export_json", "site.feed_atom", "site.shortlist_markdown",
                            "site.shortlist_csv", "site.sitemap", "site.sitemap_part", "site.robots"})


def browser_language(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The interface language a browser prefers: its languages by quality (ties in the order sent),
    each by its primary subtag, so ``sv-FI,fi;q=0.9`` is Swedish; None when it accepts none of ours.

    (Werkzeug's ``best_match`` tries every exact match before any primary subtag, so there the
    later ``fi`` would beat the first choice ``sv-FI``.)
    """
    ranked = sorted(((q, i, tag) for i, (tag, q) in enumerate(accepted)), key=lambda t: (-t[0], t[1]))
    for quality, _i, tag in ranked:
        primary = tag.strip().split("-", 1)[0].split("_", 1)[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return None


def select_locale() -> str:
    """Explicit choice (``?ui=`` or the session), else the browser's Accept-Language, else Finnish.

    A choice on a page is remembered in the session (which sets the cookie); on data it is not."""
    chosen = request.args.get("ui")
    if chosen in LANGUAGES:
        if request.endpoint not in DATA_ENDPOINTS:
            session["ui"] = chosen
        return chosen
    if session.get("ui") in LANGUAGES:
        return session["ui"]
    return browser_language(request.accept_languages) or LANGUAGES[0]


def check_catalogues(directories: str, languages: Iterable[str] = TRANSLATED) -> None:
    """Raise RuntimeError when a language's compiled catalogue (``messages.mo``) is missing or older
    than its ``messages.po``: Flask-Babel would show English inside ``lang="fi"`` pages without a word.
    ``directories`` as Flask-Babel reads them (separated by ``;``)."""
    stale: list[str] = []
    folders = [Path(d) for d in str(directories).split(";") if d]
    for lang in languages:
        pairs = [(f / lang / "LC_MESSAGES" / "messages.po", f / lang / "LC_MESSAGES" / "messages.mo") for f in folders]
        problems = [f"{mo} is missing" for po, mo in pairs if po.exists() and not mo.exists()]
        problems += [f"{mo} is older than {po.name}" for po, mo in pairs
                     if po.exists() and mo.exists() and mo.stat().st_mtime < po.stat().st_mtime]
        if not problems and not any(mo.exists() for _po, mo in pairs):
            problems.append(f"there is no catalogue for '{lang}' in {directories}")
        stale += problems
    if stale:
        raise RuntimeError("the interface's translations are not compiled (" + "; ".join(stale) + "): run "
                           f"'pybabel compile -d {folders[0] if folders else directories}' (make install does)")


def _instance_secret(instance: Path) -> str:
    """The key kept in the instance folder, created (randomly, readable by this user only) on first start.

    Several workers may start at once: the key is written to a private file and linked into place,
    so every worker reads the same complete key.
    """
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    tmp = instance / f".{SECRET_KEY_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # fails if another worker was first: then its key is the key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def _secret_key(app: Flask) -> str:
    key = app.config.get("SECRET_KEY")
    if key:
        if key in KNOWN_KEYS and not (app.debug or app.testing):
            raise RuntimeError("FLASK_SECRET_KEY is a key known from the source code: set a random one "
                               "(python -c 'import secrets; print(secrets.token_hex(32))'), or unset it to let "
                               f"the app keep one in {Path(app.instance_path) / SECRET_KEY_FILE}")
        return key
    if app.testing:
        return secrets.token_hex(32)  # tests write nothing into the instance folder
    return _instance_secret(Path(app.instance_path))


@lru_cache(maxsize=64)
def _content_hash(path: str, mtime_ns: int, size: int) -> str:  # noqa: ARG001 (they key the cache)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """A short hash of the static file's content, or None when there is no such file."""
    path = Path(app.static_folder or "", filename)
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return _content_hash(str(path), st.st_mtime_ns, st.st_size) if path.is_file() else None


def _versioned_static_links(app: Flask) -> None:
    """Links to static files carry ``?v=<content hash>``: a changed file gets a new address, so a
    front server may let browsers cache static files for a year (deploy/nginx/kaytantopankki.conf)."""

    @app.url_defaults
    def add_version(endpoint: str | None, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and isinstance(values.get("filename"), str):
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration from defaults, ``FLASK_*`` variables, then ``test_config``.

    Settings: ``INDEX_DIR`` (the index root), ``CONTENT_DIR`` (for the vocabularies),
    ``SECRET_KEY`` (signs the session cookie; kept in the instance folder when unset),
    ``INSTANCE_DIR`` (the instance folder, default ``instance/`` of the repository),
    ``PUBLISHER``, ``CONTACT_EMAIL`` and ``FEEDBACK_URL`` (who publishes the service; without a
    publisher and a contact address it is a demonstration installation: the log warns at start
    and every page says so).
    Raises RuntimeError for a secret key known from the source outside debug and testing, for
    a malformed contact or feedback address, and, outside testing, for a translation catalogue
    that is not compiled or older than its source.
    """
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.from_mapping(
        INDEX_DIR=str(ROOT / "index"),
        CONTENT_DIR=str(ROOT / "content"),
        SECRET_KEY=None,
        BABEL_DEFAULT_LOCALE=LANGUAGES[0],
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_SAMESITE="Lax",  # the shortlist forms also carry a per-session token
        PUBLISHER="",
        CONTACT_EMAIL="",
        FEEDBACK_URL="",
    )
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    if app.config.get("INSTANCE_DIR"):
        app.instance_path = str(app.config["INSTANCE_DIR"])
    app.config["SECRET_KEY"] = _secret_key(app)
    if not app.testing:
        check_catalogues(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    try:
        app.extensions["service_info"] = site_info = service_info.from_config(app.config)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    Babel(app, locale_selector=select_locale)

    from ..search import SearchService
    from . import api, compare, downloads, errors, findable, pages, shortlist  # noqa: F401 (they add their routes to the blueprint)
    from .site import bp

    app.extensions["search"] = SearchService(app.config["INDEX_DIR"], Path(app.config["CONTENT_DIR"]) / "vocabularies")
    app.register_blueprint(bp)
    _versioned_static_links(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    if site_info.demonstration:
        app.logger.warning("This is a demonstration installation: %s not set, so every page says so and "
                           "offers no contact (README, 'Settings')", " and ".join(site_info.missing()))
    return app
