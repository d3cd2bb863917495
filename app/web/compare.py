"""Practices side by side: ``/compare?ids=a,b,c`` (or ``ids=a&ids=b``, as the results' checkboxes send).

Two to four practices in aligned columns: their facets, organisations, the sections of their
descriptions (the body's ``h2`` headings; the recognised standard headings align across languages)
and sources. The page's address is the comparison's shareable link; it works without JavaScript.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request, session, url_for
from flask_babel import gettext as _

from ..names import N_, shown_language
from . import shortlist_session as sl
from .site import bp, service, ui_lang

MIN_COMPARED, MAX_COMPARED = 2, 4
MAX_IDS = sl.MAX_ITEMS  # more than a shortlist holds is not read

# The standard headings of a description (after Innokylä's template) in each content language: a
# section under one of them is shown in that row whatever the practice's language.
STANDARD_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "idea": (N_("Basic idea"), ("perusajatus", "grundidé", "grundidén", "basic idea")),
    # (named apart from the target group facet's row, which lists the classification's values)
    "target_group": (N_("About the target group"), ("kohderyhmä", "kohderyhmät", "målgrupp", "målgrupper", "target group",
                                          "target groups")),
    "implementation": (N_("Implementation"), ("toteutus", "genomförande", "implementation", "how it was done")),
    "results": (N_("Results and evaluation"), ("tulokset ja arviointi", "resultat och utvärdering",
                                               "results and evaluation")),
    "resources": (N_("Resources"), ("resurssit", "resurser", "resources")),
    "contact": (N_("Contact organisation"), ("yhteystaho", "kontaktorganisation", "kontakt", "contact organisation",
                                             "contact")),
}
_STANDARD = {name: key for key, (_label, names) in STANDARD_SECTIONS.items() for name in names}
_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)
_TAG = re.compile(r"<[^>]+>")
INTRO = "__intro__"


def requested_ids(values: Iterable[str]) -> list[str]:
    """The slugs of ``ids`` parameters, each ``a,b,c`` or one slug (the shortlist's parsing), in order."""
    items: list[str] = []
    for value in values:
        items.extend((value or "").split(","))
        if len(items) > MAX_IDS * 4:
            break
    return sl.clean_ids(items[: MAX_IDS * 4])


def _heading_key(heading_html: str) -> tuple[str, str]:
    """A section heading's row key (a standard section's key, else its folded text) and its text."""
    text = " ".join(html.unescape(_TAG.sub("", heading_html)).split())
    folded = text.casefold().rstrip(":")
    return _STANDARD.get(folded, "h:" + folded), text


def sections(body_html: str) -> dict[str, tuple[str, str]]:
    """The description's sections: row key → (heading as written, safe HTML of its text). Text before
    the first ``h2`` (a whole body without headings) is the section :data:`INTRO`."""
    parts = _H2.split(body_html)
    out: dict[str, tuple[str, str]] = {}
    if parts[0].strip():
        out[INTRO] = ("", parts[0].strip())
    for i in range(1, len(parts) - 1, 2):
        key, text = _heading_key(parts[i])
        if key in out:  # the same heading twice: one cell
            out[key] = (out[key][0], out[key][1] + "\n" + parts[i + 1].strip())
        else:
            out[key] = (text, parts[i + 1].strip())
    return out


@dataclass
class Compared:
    """One column: the version shown (the interface language's, else the original) and its sections."""

    slug: str
    record: dict[str, Any]
    fell_back: bool
    sections: dict[str, tuple[str, str]]
    axis_label: str = ""
    objective_label: str = ""
    period_label: str = ""


@dataclass
class SectionRow:
    key: str
    heading: str  # in the interface language for a standard section, else as the first practice wrote it
    heading_lang: str | None = None  # the heading's language when it is not the interface's


@dataclass
class Comparison:
    columns: list[Compared] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # well-formed slugs the index does not have
    left_out: list[Compared] = field(default_factory=list)  # beyond the first four
    rows: list[SectionRow] = field(default_factory=list)


def _column(slug: str, versions: dict[str, dict], lang: str) -> Compared:
    record = versions[shown_language(versions, lang)]
    column = Compared(slug, record, record["lang"] != lang, sections(record.get("body_html", "")))
    period = service().vocab.periods.get(record.get("period", ""))
    if period:  # the names of the practice's own period (a code may name another axis in another period)
        column.period_label = period.term.label(lang)
        axis = period.axes.get(record.get("axis", ""))
        if axis:
            column.axis_label = axis.term.label(lang)
            objective = axis.objectives.get(record.get("objective", ""))
            column.objective_label = objective.label(lang) if objective else ""
    return column


def section_rows(columns: Sequence[Compared], lang: str) -> list[SectionRow]:
    """Rows of the descriptions: the text before any heading, the standard sections in their order,
    then other headings in the order the practices have them."""
    present = {key for c in columns for key in c.sections}
    rows = [SectionRow(INTRO, _("Description"))] if INTRO in present else []
    rows += [SectionRow(key, _(label)) for key, (label, _names) in STANDARD_SECTIONS.items() if key in present]
    seen = {r.key for r in rows}
    for c in columns:
        for key, (heading, _text) in c.sections.items():
            if key not in seen:
                seen.add(key)
                rows.append(SectionRow(key, heading, None if c.record["lang"] == lang else c.record["lang"]))
    return rows


def comparison(slugs: Sequence[str], lang: str) -> Comparison:
    """The comparison of the known practices among ``slugs``: the first four, the rest left out."""
    result = Comparison()
    known: list[Compared] = []
    for slug in slugs:
        versions = service().practice(slug)
        if versions:
            known.append(_column(slug, versions, lang))
        else:
            result.unknown.append(slug)
    result.columns, result.left_out = known[:MAX_COMPARED], known[MAX_COMPARED:]
    result.rows = section_rows(result.columns, lang)
    return result


def compare_url(slugs: Sequence[str], **extra: Any) -> str:
    """The address of a comparison (its shareable form, ``ids=a,b,c``)."""
    return url_for("site.compare", ids=sl.share_value(slugs) or None, **extra)


@bp.route("/compare")
def compare():
    lang = ui_lang()
    result = comparison(requested_ids(request.args.getlist("ids")), lang)
    slugs = [c.slug for c in result.columns]
    return render_template("compare.html", cmp=result, slugs=slugs, enough=len(slugs) >= MIN_COMPARED,
                           own=sl.ids_of(session),
                           min_compared=MIN_COMPARED, max_compared=MAX_COMPARED, compare_url=compare_url)
