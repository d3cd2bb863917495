"""Käytäntöpankki: a searchable knowledge base of good practices from Finnish ESR projects."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel

ROOT = Path(__file__).resolve().parent.parent
UI_LANGUAGES = ("fi", "sv", "en")


def select_locale() -> str:
    """Explicit choice (``?ui=`` or the session), else the browser's Accept-Language, else Finnish."""
    chosen = request.args.get("ui")
    if chosen in UI_LANGUAGES:
        session["ui"] = chosen
        return chosen
    if session.get("ui") in UI_LANGUAGES:
        return session["ui"]
    return request.accept_languages.best_match(UI_LANGUAGES) or "fi"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration from defaults, ``FLASK_*`` variables, then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(ROOT / "index"),
        CONTENT_DIR=str(ROOT / "content"),
        SECRET_KEY="dev-only-change-me",
        BABEL_DEFAULT_LOCALE="fi",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_SAMESITE="Lax",  # the shortlist forms also carry a per-session token
    )
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    Babel(app, locale_selector=select_locale)

    from .search import SearchService
    from .views import bp

    app.extensions["search"] = SearchService(app.config["INDEX_DIR"], Path(app.config["CONTENT_DIR"]) / "vocabularies")
    app.register_blueprint(bp)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app
