"""What the content stage produces: validated practices and the problems found on the way."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..names import FACETS, Facet, facet, facet_value_list, priority_text
from .facts import eura_url
from .messages import WARNING, Gettext, Text
from .vocabularies import Vocabularies


@dataclass(frozen=True)
class Problem:
    """One validation problem of one file: where (``path``, ``line``, ``field``: the front-matter key,
    ``body``, or empty for the file as a whole), what (a stable ``code`` of :data:`.messages.CODES`)
    and the message (a :class:`.messages.Text`, translated when shown).

    ``str(problem)`` is ``path:line: field: message [code]`` in English; :meth:`format` gives it in
    the editor's language.
    """

    path: str
    line: int
    field: str
    code: str
    text: Text
    severity: str = "error"  # "error": nothing is built; "warning": said, and the build goes on

    @property
    def message(self) -> str:
        """The message in English."""
        return self.text.render()

    def format(self, translate: Gettext | None = None) -> str:
        """``path:line: field: message [code]`` in the language of ``translate`` (English without one);
        a warning's code is followed by the word (``[KP501 warning]``, translated)."""
        message = self.text.render(translate)
        code = self.code if self.severity == "error" else f"{self.code} {(translate or str)(WARNING)}"
        return f"{self.path}:{self.line}: " + (f"{self.field}: " if self.field else "") + f"{message} [{code}]"

    def record(self, translate: Gettext | None = None) -> dict[str, Any]:
        """The problem as JSON-serialisable data (``check --format json``)."""
        return {"path": self.path, "line": self.line, "field": self.field, "code": self.code,
                "severity": self.severity, "message": self.text.render(translate)}

    def sort_key(self) -> tuple[str, int]:
        return self.path, self.line

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class Practice:
    """One language version of a practice, validated and rendered.

    ``facets`` holds the value of every facet of :data:`app.names.FACETS` under the facet's field:
    a tuple for a list facet (``"regions": ("Kainuu",)``), a string for a single one
    (``"axis": "TL 3"``), inherited from the Finnish original where a translation leaves them out,
    and the derived ones too (``large_areas``, ``languages``); they can be read as attributes.
    """

    slug: str
    lang: str
    path: str
    title: str
    project: str
    summary: str
    body_html: str
    body_text: str
    facets: Mapping[str, Any]
    organisations: tuple[str, ...] = ()
    source: str = ""
    # The optional facts (:mod:`.facts`): ISO dates as text, "" when not known.
    eura_code: str = ""
    started: str = ""
    ended: str = ""
    funding: Mapping[str, Any] | None = None  # {"total", "esf": euros or None, "source"}
    published: str = ""  # from the front matter; the build fills it in from git or its own record
    updated: str = ""
    aliases: tuple[str, ...] = ()  # old slugs that lead here
    sections: tuple[Mapping[str, Any], ...] = ()  # the description's level-2 headings: key, title, anchor

    def __getattr__(self, name: str) -> Any:
        """Facet values as attributes: ``practice.regions``, ``practice.axis``."""
        facets = self.__dict__.get("facets")
        if facets is not None and name in facets:
            return facets[name]
        raise AttributeError(name)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling (the content cache): the fields as they were. Without this method pickle asks
        for ``__setstate__`` through :meth:`__getattr__`, whose AttributeError cost about 10 µs a
        version (1.2 s of reading the cache at 100,000 practices)."""
        self.__dict__.update(state)

    def dated(self, published: str, updated: str) -> "Practice":
        """This version with ``published`` and ``updated`` (ISO dates) set: ``dataclasses.replace``
        without its call of ``__init__``, which cost the build 2.8 s at 100,000 practices (every
        version is dated at every build). The other fields are shared, as replace shares them."""
        if published == self.published and updated == self.updated:
            return self
        new = object.__new__(Practice)
        new.__dict__.update(self.__dict__, published=published, updated=updated)
        return new

    def values(self, f: Facet | str) -> tuple[str, ...]:
        """The values of facet ``f`` (a facet or its name) as a tuple."""
        return facet_value_list(self.facets, f if isinstance(f, Facet) else facet(f))

    @property
    def priority(self) -> str:
        return priority_text(self.facets["axis"], self.facets["objective"])

    def record(self) -> dict[str, Any]:
        """The JSON-serialisable record of this version (what the practice page and the API read):
        the fields, then every facet's values under its field."""
        record: dict[str, Any] = {"slug": self.slug, "lang": self.lang, "path": self.path, "title": self.title,
                                  "project": self.project, "summary": self.summary,
                                  "body_html": self.body_html, "body_text": self.body_text}
        for f in FACETS:
            value = self.facets.get(f.field, () if f.multi else "")
            record[f.field] = list(value) if f.multi else value
        record["organisations"], record["source"] = list(self.organisations), self.source
        record.update(self.facts_record())
        return record

    def facts_record(self) -> dict[str, Any]:
        """The facts, dates, old slugs and sections as the record holds them (None when not known)."""
        return {"eura_code": self.eura_code or None, "eura_url": eura_url(self.eura_code, self.facets.get("period", "")),
                "started": self.started or None, "ended": self.ended or None,
                "funding": dict(self.funding) if self.funding else None,
                "published": self.published or None, "updated": self.updated or None,
                "aliases": list(self.aliases), "sections": [dict(s) for s in self.sections]}


@dataclass
class LoadResult:
    practices: list[Practice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    vocab: Vocabularies | None = None
    warnings: list[Problem] = field(default_factory=list)  # said, but no obstacle to a build
    cache: Any = None  # the loader's ContentCache: per-slug keys, hit counts, ``save(path)``
    digests: dict[str, str] = field(default_factory=dict)  # file (as Practice.path names it) → SHA-256 of its bytes
