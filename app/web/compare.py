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

from ..content.facts import SECTION_HEADINGS
from ..names import N_, shown_language
from . import shortlist_session as sl
from .site import bp, service, ui_lang

MIN_COMPARED, MAX_COMPARED = 2, 4
MAX_IDS = sl.MAX_ITEMS  # more than a shortlist holds is not read

# A standard section's row is headed by its documented name in the interface language (the build's
# table, app/content/facts.py); the description's target group is named apart from the target group
# facet's row, which lists the classification's values.
_ROW_LABELS = {"target-group": N_("About the target group")}
_PART = re.compile(r'<div class="part part-([a-z-]+)">(.*?)</div>', re.S)  # render_body's wrappers: content has no div
_H2 = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
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


def sections(body_html: str) -> dict[str, tuple[str, str]]:
    """The description's sections as the build cut them (:func:`app.content.render.render_body`):
    row key (a standard section's key, else ``h:`` and the folded heading) → (heading as written,
    safe HTML of the section without its heading). Text before the first section (a whole body
    without headings) is the section :data:`INTRO`."""
    out: dict[str, tuple[str, str]] = {}
    first = _PART.search(body_html)
    intro = (body_html[:first.start()] if first else body_html).strip()
    if intro:
        out[INTRO] = ("", intro)
    for m in _PART.finditer(body_html):
        heading = _H2.search(m.group(2))
        text = " ".join(html.unescape(_TAG.sub("", heading.group(1))).split()) if heading else ""
        rest = (m.group(2)[heading.end():] if heading else m.group(2)).strip()
        key = m.group(1) if m.group(1) != "free" else "h:" + text.casefold().rstrip(":")
        if key in out:  # the same heading twice: one cell
            out[key] = (out[key][0], out[key][1] + "\n" + rest)
        else:
            out[key] = (text, rest)
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
    rows += [SectionRow(key, _(_ROW_LABELS[key]) if key in _ROW_LABELS else names[lang][0])
             for key, names in SECTION_HEADINGS.items() if key in present]
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
