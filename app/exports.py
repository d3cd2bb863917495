"""What a visitor takes with them: CSV, JSON, Atom and Markdown built from search results.

Framework-free: the views pass the results, a function giving each practice's address and a
function giving a vocabulary value's label in the interface language.
"""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LIST_SEPARATOR = "; "
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("title", "project", "priority", "period", "regions", "themes", "target_groups", "languages", "url")
SHORTLIST_COLUMNS = ("title", "project", "priority", "regions", "url")
LABELLED = {"regions": "region", "themes": "theme", "target_groups": "target_group"}

Label = Callable[[str, str], str]  # (facet, value) → label in the interface language


@dataclass(frozen=True)
class Row:
    """One practice as exported: canonical vocabulary values, its address and its summary."""

    id: str
    lang: str
    title: str
    project: str
    summary: str
    axis: str
    objective: str
    period: str
    regions: tuple[str, ...]
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    url: str

    @property
    def priority(self) -> str:
        return f"{self.axis} et {self.objective}"


def rows_from(results: Iterable, url_of: Callable[[str, str], str]) -> list[Row]:
    """Rows of search results (``app.search.Result``); ``url_of(slug, lang)`` gives a practice's address."""
    return [
        Row(id=r.id, lang=r.lang, title=r.title, project=r.project, summary=r.summary, axis=r.axis,
            objective=r.objective, period=r.period, regions=tuple(r.regions), themes=tuple(r.themes),
            target_groups=tuple(r.target_groups), languages=tuple(r.languages), url=url_of(r.id, r.lang))
        for r in results
    ]


def cell(row: Row, column: str, label: Label) -> str:
    """The text of one column of a row, lists joined and vocabulary values labelled."""
    value = row.priority if column == "priority" else getattr(row, column)
    if isinstance(value, tuple):
        facet = LABELLED.get(column)
        return LIST_SEPARATOR.join(label(facet, v) if facet else v for v in value)
    return str(value)


def _defuse(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Sequence[Row], headers: dict[str, str], label: Label,
           columns: Sequence[str] = CSV_COLUMNS) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, so that Excel reads ä and ö right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers.get(c, c) for c in columns])
    for row in rows:
        writer.writerow([_defuse(cell(row, c, label)) for c in columns])
    return "\ufeff".encode("utf-8") + out.getvalue().encode("utf-8")


def to_json(rows: Sequence[Row], meta: dict, total: int | None = None) -> dict:
    """A JSON-ready document: ``meta`` (query, filters, …), how many match in all (``total``; more
    than the rows when the export was cut short) and the rows with canonical values."""
    total = len(rows) if total is None else total
    return {
        **meta,
        "total": total,
        "returned": len(rows),
        "truncated": total > len(rows),
        "results": [
            {"id": r.id, "title": r.title, "project": r.project, "lang": r.lang, "url": r.url,
             "priority": r.priority, "axis": r.axis, "objective": r.objective, "period": r.period,
             "regions": list(r.regions), "themes": list(r.themes), "target_groups": list(r.target_groups),
             "languages": list(r.languages), "summary": r.summary}
            for r in rows
        ],
    }


@dataclass(frozen=True)
class Feed:
    """The feed's own data: title, addresses, time of the index build and interface language."""

    title: str
    self_url: str
    alternate_url: str
    updated: str  # RFC 3339
    author: str
    lang: str


def to_atom(rows: Sequence[Row], feed: Feed, label: Label) -> bytes:
    """An Atom 1.0 feed (RFC 4287); practices carry no dates of their own, so entries take the build time."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    root = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: feed.lang})
    sub(root, "title", feed.title)
    sub(root, "id", feed.self_url)
    sub(root, "updated", feed.updated)
    sub(sub(root, "author"), "name", feed.author)
    sub(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    sub(root, "link", rel="alternate", type="text/html", href=feed.alternate_url)
    for row in rows:
        entry = sub(root, "entry", **{XML_LANG: row.lang})
        sub(entry, "title", row.title)
        sub(entry, "id", row.url)
        sub(entry, "link", rel="alternate", type="text/html", href=row.url, hreflang=row.lang)
        sub(entry, "updated", feed.updated)
        sub(entry, "summary", f"{row.project} · {row.priority} · {cell(row, 'regions', label)}. {row.summary}".strip())
        for theme in row.themes:
            sub(entry, "category", term=theme, label=label("theme", theme))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#~"})


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: no links, emphasis, HTML or table breaks."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def to_markdown(rows: Sequence[Row], title: str, headers: dict[str, str], label: Label,
                share_url: str, share_text: str) -> str:
    """A Markdown table for a funding application: practice (linked), project, TL/et, regions."""
    cols = ("title", "project", "priority", "regions")
    lines = [f"# {md_escape(title)}", "", f"{md_escape(share_text)} <{share_url}>", "",
             "| " + " | ".join(md_escape(headers.get(c, c)) for c in cols) + " |",
             "|" + "---|" * len(cols)]
    for row in rows:
        linked = f"[{md_escape(row.title)}](<{row.url}>)"
        rest = [md_escape(cell(row, c, label)) for c in cols[1:]]
        lines.append("| " + " | ".join([linked, *rest]) + " |")
    return "\n".join(lines) + "\n"
