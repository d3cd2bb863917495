"""Findable from the open web: /sitemap.xml, /robots.txt, and what a practice page tells a search
engine or a shared link (description, canonical address, language versions, schema.org JSON-LD).

The sitemap follows the sitemap protocol (https://www.sitemaps.org/protocol.html): absolute URLs,
at most ``URLS_PER_FILE`` (≤ 50,000) per file; beyond that /sitemap.xml is a sitemap index of
/sitemap-<n>.xml files. Every practice's every language version is listed with its language
alternates and its last-changed date: the version's ``updated`` (else ``published``) when the
record has one, else the build time of the index version. (Slightly over 300 lines: the sitemap
and the page metadata share the dates and addresses, so they stay in one module.)
"""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response, abort, current_app, request, url_for

from ..names import primary_language
from .service_info import LICENCE_URL
from .site import bp, service, site_info
from .urls import practice_url

if TYPE_CHECKING:
    from ..search.version import IndexVersion

log = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
URLS_PER_FILE = 10_000  # the protocol allows 50,000 (and 50 MB); 10,000 keeps a file small and quick
DATE_FIELDS = ("updated", "published")  # a version's last-changed date, when the content gives one
DESCRIPTION_CHARS = 160


# --- dates -------------------------------------------------------------------------------------

def w3c_date(value: object) -> str | None:
    """A date or date-time as the sitemap protocol's W3C Datetime (``2026-03-01`` or
    ``2026-03-01T12:00:00+00:00``); None for anything else. A date-time without a zone keeps its date."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") if value.tzinfo else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return w3c_date(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def last_changed(record: Mapping[str, Any], fallback: str | None) -> str | None:
    """A version's last-changed date: its ``updated``, else ``published``, else ``fallback``."""
    for name in DATE_FIELDS:
        date = w3c_date(record.get(name))
        if date:
            return date
    return fallback


# --- the sitemap -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One practice version of the sitemap: slug, language, last-changed date, all the practice's languages."""

    slug: str
    lang: str
    lastmod: str | None
    languages: tuple[str, ...]


def _version_dates(v: IndexVersion) -> dict[tuple[str, str], tuple]:
    """(slug, lang) → the values of ``DATE_FIELDS`` of every version (read by SQLite, not here)."""
    return {(slug, lang): tuple(values) for slug, lang, *values in v.catalog.version_values(DATE_FIELDS)}


def entries(v: IndexVersion) -> list[Entry]:
    """Every practice version of the index version, in slug and language order."""
    built = w3c_date(v.meta.get("built_at"))
    try:
        dates = _version_dates(v)
    except sqlite3.Error as exc:  # an SQLite without JSON functions: the build time for all
        log.warning("sitemap: practice dates not read (%s); every version gets the build time", exc)
        dates = {}
    out = []
    for slug in sorted(v.slugs):
        languages = tuple(sorted(v.languages(slug)))
        for lang in languages:
            record = dict(zip(DATE_FIELDS, dates.get((slug, lang), ())))
            out.append(Entry(slug, lang, last_changed(record, built), languages))
    return out


class SitemapCache:
    """The entries of the version served and its rendered files, made once per version and process."""

    def __init__(self, keep_files: int = 8):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[Entry] = []
        self._files: OrderedDict[tuple[str, int, str, int], bytes] = OrderedDict()
        self._keep = keep_files

    def entries(self, v: IndexVersion) -> list[Entry]:
        with self._lock:
            if self._version != v.name:
                self._entries, self._version = entries(v), v.name
                self._files.clear()
            return self._entries

    def file(self, v: IndexVersion, part: int, base: str, make) -> bytes:  # noqa: ANN001
        key = (v.name, part, base, URLS_PER_FILE)
        with self._lock:
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]
        data = make()
        with self._lock:
            self._files[key] = data
            while len(self._files) > self._keep:
                self._files.popitem(last=False)
        return data


def cache() -> SitemapCache:
    """This app's sitemap cache (one per app: two apps in a process may serve different indexes)."""
    return current_app.extensions.setdefault("sitemap", SitemapCache())


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def urlset(chunk: list[Entry], url_of, home: tuple[str, str | None] | None = None) -> bytes:  # noqa: ANN001
    """A <urlset> of practice versions, each with its language alternates (and the front page first)."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")

    def add(loc: str, lastmod: str | None) -> ET.Element:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
        return url

    if home:
        add(*home)
    for e in chunk:
        url = add(url_of(e.slug, e.lang), e.lastmod)
        if len(e.languages) > 1:
            for lang in e.languages:
                ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=lang, href=url_of(e.slug, lang))
            ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang="x-default",
                          href=url_of(e.slug, primary_language(e.languages)))
    return _xml(root)


def sitemap_index(parts: list[tuple[str, str | None]]) -> bytes:
    """A <sitemapindex> of the sitemap files (address, newest date in it)."""
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}sitemapindex")
    for loc, lastmod in parts:
        sitemap = ET.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod:
            ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
    return _xml(root)


def _newest(chunk: list[Entry]) -> str | None:
    dates = [e.lastmod for e in chunk if e.lastmod]
    return max(dates, key=lambda d: d[:10]) if dates else None


def _xml_response(data: bytes) -> Response:
    return Response(data, mimetype="application/xml", headers={"Cache-Control": "public, max-age=3600"})


def _chunks(all_entries: list[Entry]) -> list[list[Entry]]:
    # The front page takes one place in the first file.
    first = URLS_PER_FILE - 1
    chunks = [all_entries[:first]]
    chunks += [all_entries[i:i + URLS_PER_FILE] for i in range(first, len(all_entries), URLS_PER_FILE)]
    return chunks


@bp.route("/sitemap.xml")
def sitemap():
    v = service().version()
    chunks = _chunks(cache().entries(v))
    base = request.host_url
    if len(chunks) == 1:
        home = (url_for("site.index", _external=True), w3c_date(v.meta.get("built_at")))
        return _xml_response(cache().file(v, 0, base, lambda: urlset(chunks[0], practice_url, home)))
    parts = [(url_for("site.sitemap_part", part=n, _external=True), _newest(chunk))
             for n, chunk in enumerate(chunks, 1)]
    return _xml_response(cache().file(v, 0, base, lambda: sitemap_index(parts)))


@bp.route("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    v = service().version()
    chunks = _chunks(cache().entries(v))
    if len(chunks) == 1 or not 1 <= part <= len(chunks):
        abort(404)
    home = (url_for("site.index", _external=True), w3c_date(v.meta.get("built_at"))) if part == 1 else None
    return _xml_response(cache().file(v, part, request.host_url,
                                      lambda: urlset(chunks[part - 1], practice_url, home)))


# Addresses a crawler need not fetch: searches (endless combinations of filters, the same practices
# again), downloads and the API (the same data as files), the shortlist (a visitor's own list).
ROBOTS_DISALLOW = ("/?", "/api/", "/healthz", "/export.csv", "/export.json", "/feed.atom", "/shortlist")


@bp.route("/robots.txt")
def robots():
    lines = ["# Käytäntöpankki: the practices are listed in the sitemap.", "User-agent: *",
             *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", "",
             f"Sitemap: {url_for('site.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain", headers={"Cache-Control": "public, max-age=3600"})


# --- a practice page's description, language versions and structured data ---------------------

def short_description(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with "…")."""
    words = " ".join(str(text or "").split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def _period_interval(period: str) -> str | None:
    """``2014–2020`` as an ISO 8601 interval of years (``2014/2020``)."""
    parts = [p.strip() for p in period.replace("—", "–").replace("-", "–").split("–")]
    return "/".join(parts) if len(parts) == 2 and all(p.isdigit() for p in parts) else None


def practice_jsonld(p: Mapping[str, Any], versions: Mapping[str, Any]) -> dict[str, Any]:
    """schema.org JSON-LD of a practice version: an Article about the project, with its regions,
    themes, period, dates (when the content gives them), licence and language versions."""
    vocab = service().vocab
    lang, slug = p["lang"], p["slug"]
    url = practice_url(slug, lang)
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Article", "@id": url, "url": url, "mainEntityOfPage": url,
        "headline": short_description(p["title"], 110), "name": p["title"], "inLanguage": lang,
        "isAccessibleForFree": True, "license": LICENCE_URL,
        "isPartOf": {"@type": "WebSite", "name": "Käytäntöpankki", "url": url_for("site.index", _external=True)},
        "about": {"@type": "Project", "name": p.get("project", "")},
    }
    if p.get("summary"):
        data["description"] = short_description(p["summary"], 300)
    keywords = [vocab.label("theme", t, lang) for t in p.get("themes", [])]
    keywords += [vocab.label("target_group", g, lang) for g in p.get("target_groups", [])]
    if keywords:
        data["keywords"] = keywords
    regions = [{"@type": "AdministrativeArea", "name": vocab.label("region", r, lang)} for r in p.get("regions", [])]
    if regions:
        data["spatialCoverage"] = regions
    interval = _period_interval(str(p.get("period") or ""))
    if interval:
        data["temporalCoverage"] = interval
    if p.get("organisations"):
        data["mentions"] = [{"@type": "Organization", "name": org} for org in p["organisations"]]
    if p.get("source"):
        data["citation"] = p["source"]
    for name, key in (("published", "datePublished"), ("updated", "dateModified")):
        date = w3c_date(p.get(name))
        if date:
            data[key] = date
    info = site_info()
    if info.publisher:
        data["publisher"] = {"@type": "Organization", "name": info.publisher}
    primary = primary_language(versions)
    if lang == primary:
        others = [{"@id": practice_url(slug, code), "inLanguage": code} for code in sorted(versions) if code != lang]
        if others:
            data["workTranslation"] = others
    else:
        data["translationOfWork"] = {"@id": practice_url(slug, primary), "inLanguage": primary}
    return data


@bp.app_context_processor
def findable_helpers() -> dict[str, Any]:
    return {"practice_jsonld": practice_jsonld, "short_description": short_description,
            "primary_language": primary_language}
