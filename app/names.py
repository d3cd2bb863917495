"""The shared names of the pipeline: facets, languages, slugs, priorities, the primary version.

Every stage (content, indexing, search, web) reads these instead of writing its own copy, so a
concept has one name from the YAML key to the API and the templates:

- A **facet** has a *name* (singular: the URL parameter, the API's ``filters`` and ``facets`` key)
  and a *field* (the front-matter key and the record/result key, plural for lists): the URL
  ``?region=Kainuu`` filters practices whose ``regions`` hold ``Kainuu``.
- A **practice** is identified by its **slug**; it has one **version** per language (``lang``);
  the practice's languages are its ``languages``. Inside an index version a practice also has an
  *ordinal* (its place among the sorted slugs) and each language version a Whoosh *docnum*.
- The **priority** is the pair priority axis (``axis``, "TL 3") + specific objective
  (``objective``, "6.1"), written "TL 3 et 6.1".
- The interface language is ``ui_lang`` (URL parameter ``ui``).

Adding a facet: append a :class:`Facet` to :data:`FACETS` and give its vocabulary file
(``content/vocabularies/<vocabulary>``: a list of ``{value, fi, sv, en, aliases}`` under the
key ``values``) and the translations of its label; schema, validation, API, OpenAPI, templates
and exports follow from the table (``tests/test_facet_table.py`` shows it end to end).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

LANGUAGES = ("fi", "sv", "en")  # content languages and interface languages alike, Finnish first
PRIMARY_LANGUAGE = "fi"  # the original a practice is listed by, when it has it
# The languages' names in each interface language (the value of the ``lang`` facet is the code).
LANGUAGE_NAMES = {
    "fi": {"fi": "suomi", "sv": "finska", "en": "Finnish"},
    "sv": {"fi": "ruotsi", "sv": "svenska", "en": "Swedish"},
    "en": {"fi": "englanti", "sv": "engelska", "en": "English"},
}
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG = re.compile(rf"^{SLUG_PATTERN}$")


def N_(message: str) -> str:
    """Mark an interface message for extraction (``babel.cfg``) without translating it here."""
    return message


@dataclass(frozen=True)
class Facet:
    """One facet: how practices are filtered and counted.

    ``source`` says where the values come from: ``"list"`` a front-matter list checked against
    the vocabulary (``vocabulary`` names its file when it is not one of the built-in ones),
    ``"priority"`` the front matter's ``priority``, ``"period"`` its ``period``, ``"derived"``
    computed by the build (large areas from regions, languages from the files).
    """

    name: str
    field: str
    multi: bool
    label: str
    source: str = "list"
    required: bool = False
    vocabulary: str | None = None
    in_results: bool = True  # shown on result rows and exported
    qualified_by: str | None = None  # a record field whose value qualifies each value too ("2021–2027 TL 4")


FACETS: list[Facet] = [
    Facet("region", "regions", True, N_("Region"), required=True),
    Facet("large_area", "large_areas", True, N_("Large area"), source="derived", in_results=False),
    Facet("theme", "themes", True, N_("Theme"), required=True),
    Facet("axis", "axis", False, N_("Priority axis"), source="priority", qualified_by="period"),
    Facet("objective", "objective", False, N_("Specific objective"), source="priority"),
    Facet("target_group", "target_groups", True, N_("Target group")),
    Facet("period", "period", False, N_("Programme period"), source="period"),
    Facet("lang", "languages", True, N_("Language"), source="derived"),
]
"""The facet table, in display order. A list, so that a deployment or a test can extend it."""


def facet(name: str) -> Facet:
    """The facet called ``name`` (KeyError when there is none)."""
    for f in FACETS:
        if f.name == name:
            return f
    raise KeyError(name)


def facet_names() -> tuple[str, ...]:
    return tuple(f.name for f in FACETS)


def list_facets() -> list[Facet]:
    """Facets whose values an editor lists in the front matter (checked against a vocabulary)."""
    return [f for f in FACETS if f.source == "list"]


def front_matter_keys() -> tuple[str, ...]:
    """Front-matter keys of facet values (the keys a translation may leave to its Finnish original)."""
    return (*(f.field for f in list_facets()), "priority", "period")


def facet_value_list(record: Mapping, f: Facet) -> tuple[str, ...]:
    """The values of facet ``f`` in a record (a single value as a one-tuple, none as empty); a
    qualified facet gives each value also qualified ("TL 4" and "2021–2027 TL 4")."""
    value = record.get(f.field)
    if value is None or value == "":
        return ()
    values = tuple(value) if f.multi else (value,)
    if f.qualified_by and record.get(f.qualified_by):
        values += tuple(f"{record[f.qualified_by]} {v}" for v in values)
    return values


# --- priority ---------------------------------------------------------------------------------

def priority_text(axis: str, objective: str) -> str:
    """The priority as written: ``priority_text("TL 3", "6.1") == "TL 3 et 6.1"``."""
    return f"{axis} et {objective}"


# --- languages and versions -------------------------------------------------------------------

V = TypeVar("V")


def primary_language(languages: Iterable[str]) -> str:
    """The language a practice is listed by: Finnish when it has it, else its first language."""
    languages = list(languages)
    return PRIMARY_LANGUAGE if PRIMARY_LANGUAGE in languages else languages[0]


def primary_version(versions: Mapping[str, V]) -> V:
    """The version (of a lang → version mapping) a practice is listed by."""
    return versions[primary_language(versions)]


def shown_language(languages: Iterable[str], wanted: str) -> str:
    """The version to show a visitor who wants ``wanted``: that one, else the primary one."""
    languages = list(languages)
    return wanted if wanted in languages else primary_language(languages)


# --- alphabetical order -------------------------------------------------------------------------

# The Finnish and Swedish alphabets end in å, ä, ö; code points would put ä before å.
_TITLE_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y", "é": "e"})
_NUMBER = re.compile(r"([0-9]+)")


def title_key(title: str) -> tuple[tuple[str | tuple[int, str], ...], str]:
    """Sort key of a title in natural Finnish alphabetical order: case-insensitive, å ä ö after z,
    and numbers by their value ("Käytäntö 2" before "Käytäntö 10"; digits before letters)."""
    folded = title.casefold().translate(_TITLE_ORDER)
    # Text and numbers alternate (text at even places), so two keys compare like with like; a number
    # compares by its length without leading zeros, then its digits (its value, however long).
    parts = tuple((len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p for i, p in enumerate(_NUMBER.split(folded)))
    return parts, folded
