"""The Whoosh schema of an index version: what search and highlighting read, and nothing more.

One text field per kind (title, project, summary, body, and the metadata as text) and language,
each with its language's analyser (:func:`app.text.analyzer_for`), positions for phrases and character offsets for
highlighting; ``slug`` (a column: document number → practice, and the term an update deletes by)
and ``lang``. Facets are not Whoosh fields: they are counted from bitsets (:mod:`.browse`).
"""
from __future__ import annotations

import functools
import struct
import sys
from array import array
from itertools import chain

from whoosh import fields, formats
from whoosh.system import pack_uint

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


@functools.cache  # asked for every field of every document the build indexes
def text_analysis(fieldname: str) -> tuple[str, bool] | None:
    """(language, whole words only) of a text field's analyser, None for another field."""
    kind, _, lang = fieldname.rpartition("_")
    if kind not in TEXT_BOOSTS or lang not in LANGUAGES:
        return None
    return lang, kind == META


class Occurrences(formats.Characters):
    """The postings' values of the text fields: a word's occurrences in a field, each its position and
    start and end character, as Whoosh's ``Characters`` has them, stored as one array of unsigned
    32-bit integers (little-endian) after the count instead of a pickle of differences.

    The build encodes a value per term and document (about a million per 3,000 practices): the
    array takes 0.7 µs where Whoosh's loop and pickle take 1.8, and a snippet's offsets are read
    back without a Python loop. A value of three occurrences is 40 bytes instead of 41."""

    def encode(self, poslist: list[tuple[int, int, int]]) -> bytes:
        """``pack_uint(n)`` and the ``n`` (position, start, end) triples, flattened."""
        if len(poslist) == 1:  # most words occur once in a field: a struct packs them 3× as fast as the array
            return _ONE + _TRIPLE.pack(*poslist[0])
        values = array("I", chain.from_iterable(poslist))
        if _BIG_ENDIAN:
            values.byteswap()
        return pack_uint(len(poslist)) + values.tobytes()

    @staticmethod
    def _values(valuestring: bytes) -> array:
        values = array("I")
        values.frombytes(valuestring[4:])
        if _BIG_ENDIAN:
            values.byteswap()
        return values

    def decode_characters(self, valuestring: bytes) -> list[tuple[int, int, int]]:
        """[(position, start character, end character), …] in text order."""
        values = iter(self._values(valuestring))
        return list(zip(values, values, values))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """[position, …] in text order."""
        return self._values(valuestring)[0::3].tolist()


_BIG_ENDIAN = sys.byteorder == "big"  # the stored arrays are little-endian, whatever machine wrote them
_ONE, _TRIPLE = pack_uint(1), struct.Struct("<3I")


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
            spec[text_field(kind, lang)].format = Occurrences(field_boost=boost)
    return fields.Schema(**spec)
