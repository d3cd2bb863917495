"""Käytäntöpankki: a searchable knowledge base of good practices from Finnish ESR projects.

The pipeline, one way (ARCHITECTURE.md draws it)::

    content/*.md → app.content → app.text → app.indexing → index version → app.search → app.web

``app:create_app()`` is the WSGI application factory (gunicorn, ``flask --app app``); importing
this package imports neither Flask nor the build.
"""
from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None):  # noqa: ANN201
    """The Flask application (see :func:`app.web.create_app`)."""
    from .web import create_app as create

    return create(test_config)
