"""The Whoosh schema of an index version: what search and highlighting read, and nothing more.

One text field per kind (title, project, summary, body, and the metadata as text) and language,
each with its language's analyser (:func:`app.text.analyzer_for`), positions for phrases and character offsets for
highlighting; ``slug`` (a column: document number → practice, and the term an update deletes by)
and ``lang``. Facets are not Whoosh fields: they are counted from bitsets (:mod:`.browse`).
"""
from __future__ import annotations

from whoosh import fields

from ..names import LANGUAGES
from ..text import analyzer_for

META = "meta"  # the kind of the fields holding a practice's metadata as text (app/indexing/documents.py)
# BM25F weight of each text field kind.
TEXT_BOOSTS = {"title": 4.0, "project": 3.0, "summary": 2.0, "body": 1.0, META: 2.0}


def text_field(kind: str, lang: str) -> str:
    """The name of a text field: ``text_field("body", "fi") == "body_fi"``."""
    return f"{kind}_{lang}"


def text_fields(lang: str) -> list[str]:
    """The text fields of one language, in ``TEXT_BOOSTS`` order."""
    return [text_field(kind, lang) for kind in TEXT_BOOSTS]


def field_language(fieldname: str) -> str:
    """The language of a text field: ``field_language("body_fi") == "fi"``."""
    return fieldname.rsplit("_", 1)[-1]


def text_analysis(fieldname: str) -> tuple[str, bool] | None:
    """(language, whole words only) of a text field's analyser, None for another field."""
    kind, _, lang = fieldname.rpartition("_")
    if kind not in TEXT_BOOSTS or lang not in LANGUAGES:
        return None
    return lang, kind == META


def make_schema() -> fields.Schema:
    """The schema of every index version."""
    spec: dict[str, fields.FieldType] = {
        "slug": fields.ID(stored=True, sortable=True),
        "lang": fields.ID(stored=True),
    }
    for lang in LANGUAGES:
        for kind, boost in TEXT_BOOSTS.items():
            spec[text_field(kind, lang)] = fields.TEXT(
                analyzer=analyzer_for(lang, whole_words=kind == META), stored=True, chars=True, phrase=True,
                field_boost=boost, multitoken_query="or",
            )
    return fields.Schema(**spec)
