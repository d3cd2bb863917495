"""What a visitor takes with them: CSV, JSON, Atom and Markdown built from search results.

Framework-free: the views pass rows (a result and its address) and a function giving a vocabulary
value's label in the interface language. Every format reads the columns of the one result shape
(:func:`app.search.response.result_columns`), so a facet added to the table is exported too.
"""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..search.response import Column, Result, result_columns, result_json
from .service_info import LICENCE_NAME, LICENCE_URL

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LIST_SEPARATOR = "; "
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Columns left out of tables: the address carries the slug and the version's language, the
# priority carries axis and objective, and a summary is too long for a cell.
NOT_TABULATED = ("slug", "lang", "summary", "axis", "objective")
URL = "url"
LICENCE = "licence"  # the licence of the text, in every row: a spreadsheet keeps it when rows are copied
SOURCE = "source"  # the practice's own source (a row's ``extra``)
ACCESSED = "accessed"  # the date the list was taken (a row's ``extra``), for a citation
LICENCE_CELL = f"{LICENCE_NAME} ({LICENCE_URL})"
# A shortlist is cited in a funding application as it is: what, when, where from, and when it was read.
SHORTLIST_COLUMNS = ("title", "project", "priority", "period", "regions", SOURCE, URL, ACCESSED, LICENCE)

Label = Callable[[str, str], str]  # (facet, value) → label in the interface language


@dataclass(frozen=True)
class Row:
    """One practice as exported: its result, its address and values that are not in the result
    (``extra``: column key → text, e.g. the practice's source and the date of access)."""

    result: Result
    url: str
    extra: Mapping[str, str] = field(default_factory=dict)


def rows_from(results: Iterable[Result], url_of: Callable[[Result], str]) -> list[Row]:
    """Rows of results; ``url_of(result)`` gives a practice's address."""
    return [Row(r, url_of(r)) for r in results]


def table_columns() -> tuple[str, ...]:
    """The keys of a table's columns (CSV): the tabulated result columns, the licence, then the address."""
    return (*(c.key for c in result_columns() if c.key not in NOT_TABULATED), LICENCE, URL)


def column_labels() -> dict[str, str]:
    """Column key → its label (an English message the interface translates)."""
    return {c.key: c.label for c in result_columns()}


def _columns() -> dict[str, Column]:
    return {c.key: c for c in result_columns()}


def cell(row: Row, key: str, label: Label, columns: dict[str, Column] | None = None) -> str:
    """The text of one column of a row: lists joined, vocabulary values labelled."""
    if key == URL:
        return row.url
    if key in row.extra:
        return row.extra[key]
    if key == LICENCE:
        return LICENCE_CELL
    column = (columns or _columns()).get(key)
    if column is None:
        return ""
    value = column.get(row.result)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(label(column.facet, v) if column.facet else v for v in value)
    return str(value if value is not None else "")


def _defuse(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Sequence[Row], headers: dict[str, str], label: Label,
           columns: Sequence[str] | None = None) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, so that Excel reads ä and ö right."""
    columns = columns or table_columns()
    known = _columns()
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers.get(c, c) for c in columns])
    for row in rows:
        writer.writerow([_defuse(cell(row, c, label, known)) for c in columns])
    return "\ufeff".encode("utf-8") + out.getvalue().encode("utf-8")


def to_json(rows: Sequence[Row], meta: dict, total: int | None = None) -> dict:
    """A JSON-ready document: ``meta`` (query, filters, …), how many match in all (``total``; more
    than the rows when the export was cut short) and the results as the search API gives them."""
    total = len(rows) if total is None else total
    return {**meta, "total": total, "returned": len(rows), "truncated": total > len(rows),
            "results": [result_json(row.result, row.url) for row in rows]}


@dataclass(frozen=True)
class Feed:
    """The feed's own data: title, addresses, time of the index build and interface language."""

    title: str
    self_url: str
    alternate_url: str
    updated: str  # RFC 3339: the build time, for a feed or entry without a date of its own
    author: str
    lang: str
    rights: str = f"{LICENCE_NAME}: {LICENCE_URL}"


def atom_time(date: str, fallback: str) -> str:
    """An ISO date as an Atom date-time (``2026-11-29`` → ``2026-11-29T00:00:00Z``); ``fallback`` for none."""
    return f"{date}T00:00:00Z" if date else fallback


def to_atom(rows: Sequence[Row], feed: Feed, label: Label) -> bytes:
    """An Atom 1.0 feed (RFC 4287): each entry's ``updated`` and ``published`` are its version's dates
    (the build time for a version without), and the feed's ``updated`` is its newest entry's (the
    build time when it has none), so a rebuild changes only the entries whose practices changed."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    root = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: feed.lang})
    sub(root, "title", feed.title)
    sub(root, "id", feed.self_url)
    sub(root, "updated", max((atom_time(row.result.updated, feed.updated) for row in rows), default=feed.updated))
    sub(sub(root, "author"), "name", feed.author)
    sub(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    sub(root, "link", rel="alternate", type="text/html", href=feed.alternate_url)
    sub(root, "link", rel="license", type="text/html", href=LICENCE_URL)  # RFC 4946
    sub(root, "rights", feed.rights)
    for row in rows:
        r = row.result
        entry = sub(root, "entry", **{XML_LANG: r.lang})
        sub(entry, "title", r.title)
        sub(entry, "id", row.url)
        sub(entry, "link", rel="alternate", type="text/html", href=row.url, hreflang=r.lang)
        sub(entry, "updated", atom_time(r.updated, feed.updated))
        if r.published:
            sub(entry, "published", atom_time(r.published, feed.updated))
        sub(entry, "summary", f"{r.project} · {r.priority} · {cell(row, 'regions', label)}. {r.summary}".strip())
        for theme in r.values.get("themes", ()):
            sub(entry, "category", term=theme, label=label("theme", theme))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#~"})


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: no links, emphasis, HTML or table breaks."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _sentence(text: str) -> str:
    """``text`` ending in a full stop (unless it ends in one, or in ? or !)."""
    return text if text.endswith((".", "?", "!")) else text + "."


def to_markdown(rows: Sequence[Row], title: str, headers: dict[str, str], label: Label,
                share_url: str, share_text: str, *, texts: Mapping[str, str] | None = None) -> str:
    """A Markdown list for a funding application, to paste as it is: a table (practice linked,
    project, TL/et, regions, period), then one citation per practice (its address, the date it was
    read and its source) and the terms of the text.

    ``texts`` holds the words in the interface language: ``references`` (heading), ``accessed``
    ("accessed"), ``date`` (the date of access), ``source`` ("source"), ``site`` (the service's
    name) and ``terms`` (the licence line); without them only the table is written.
    """
    cols = ("title", "project", "priority", "regions", "period")
    known = _columns()
    lines = [f"# {md_escape(title)}", "", f"{md_escape(share_text)} <{share_url}>", "",
             "| " + " | ".join(md_escape(headers.get(c, c)) for c in cols) + " |",
             "|" + "---|" * len(cols)]
    for row in rows:
        linked = f"[{md_escape(row.result.title)}](<{row.url}>)"
        rest = [md_escape(cell(row, c, label, known)) for c in cols[1:]]
        lines.append("| " + " | ".join([linked, *rest]) + " |")
    if texts and rows:
        lines += ["", f"## {md_escape(texts['references'])}", ""]
        for n, row in enumerate(rows, 1):
            r = row.result
            what = ", ".join(md_escape(x) for x in (r.project, cell(row, "period", label, known), r.priority) if x)
            citation = (f"{n}. {_sentence(md_escape(r.title))} {_sentence(what)} {md_escape(texts['site'])}, "
                        f"<{row.url}> ({md_escape(texts['accessed'])} {md_escape(texts['date'])}).")
            source = row.extra.get(SOURCE, "")
            if source:
                citation += f" {_sentence(md_escape(texts['source']) + ': ' + md_escape(source))}"
            lines.append(citation)
        lines += ["", md_escape(texts["terms"]) + f" <{LICENCE_URL}>"]
    return "\n".join(lines) + "\n"
