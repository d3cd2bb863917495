"""Findable from the open web (issue 12): /sitemap.xml by the sitemap protocol, /robots.txt, and
what a practice page tells a search engine or a shared link: description, canonical address,
language versions, preview card and schema.org JSON-LD."""
from __future__ import annotations

import copy
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app import create_app
from app.indexing import build
from app.web import findable
from conftest import TINY, make_content, write_practice

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# W3C Datetime as the protocol takes it: a date, or a date-time with a zone.
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
MAX_URLS, MAX_BYTES = 50_000, 50 * 1024 * 1024


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page's head."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.meta: dict[str, str] = {}
        self.jsonld: list[str] = []
        self._in_ld = False
        self.feed(page.split("</head>", 1)[0])

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = {k: v or "" for k, v in attrs}
        if tag == "link":
            self.links.append(a)
        elif tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], a.get("content", ""))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.jsonld.append("")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):  # noqa: ANN001
        if self._in_ld:
            self.jsonld[-1] += data

    def rel(self, rel: str) -> list[dict]:
        return [link for link in self.links if link.get("rel") == rel]


def _check_urlset(data: bytes, host: str = "localhost") -> list[ET.Element]:
    """A sitemap file as the protocol wants it; its <url> elements."""
    assert len(data) <= MAX_BYTES
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>") or data.startswith(b'<?xml version="1.0"')
    root = ET.fromstring(data)  # well-formed
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert 0 < len(urls) <= MAX_URLS
    for url in urls:
        loc = url.find(f"{SM}loc").text
        parts = urlsplit(loc)
        assert parts.scheme in ("http", "https") and parts.netloc == host and len(loc) < 2048, loc
        lastmod = url.find(f"{SM}lastmod")
        assert lastmod is not None and W3C.match(lastmod.text), loc
        assert {child.tag for child in url} <= {f"{SM}loc", f"{SM}lastmod", f"{XHTML}link"}
    return urls


def _versions(client) -> set[tuple[str, str]]:
    results = client.get("/api/search?per_page=100").get_json()["results"]
    return {(r["slug"], lang) for r in results for lang in r["languages"]}


def _slug_lang(loc: str) -> tuple[str, str]:
    found = re.fullmatch(r"http://localhost/practice/([a-z0-9-]+)\?lang=(fi|sv|en)", loc)
    assert found, loc
    return found.group(1), found.group(2)


def test_the_sitemap_lists_every_practice_version_by_the_protocol(client):
    resp = client.get("/sitemap.xml")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    urls = _check_urlset(resp.data)
    locs = [u.find(f"{SM}loc").text for u in urls]
    assert locs[0] == "http://localhost/"
    listed = {_slug_lang(loc) for loc in locs[1:]}
    assert listed == _versions(client) and len(locs) - 1 == len(listed)
    built = client.get("/healthz").get_json()["built_at"]
    lastmod = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod").text for u in urls}
    assert lastmod["http://localhost/"] == built, "the entry page changes with each build"
    for loc in locs[1:]:  # a version's last change (the build records one where git and front matter give none)
        slug, lang = _slug_lang(loc)
        assert lastmod[loc] == client.get(f"/api/practice/{slug}?lang={lang}").get_json()["updated"]
    for loc in locs:
        assert client.get(loc).status_code == 200, loc


def test_language_versions_are_alternates_of_each_other(client):
    urls = _check_urlset(client.get("/sitemap.xml").data)
    alternates = {u.find(f"{SM}loc").text: {(a.get("hreflang"), a.get("href")) for a in u.findall(f"{XHTML}link")}
                  for u in urls}
    coaching = {lang: f"http://localhost/practice/nuorten-uravalmennus?lang={lang}" for lang in ("fi", "sv", "en")}
    expected = {(lang, url) for lang, url in coaching.items()} | {("x-default", coaching["fi"])}
    for url in coaching.values():
        assert alternates[url] == expected, "every version names all, itself too, and the original as x-default"
    assert alternates["http://localhost/practice/kielikoulutus?lang=fi"] == set(), "one version: no alternates"


def test_a_large_site_gets_a_sitemap_index(client, monkeypatch):
    monkeypatch.setattr(findable, "URLS_PER_FILE", 4)
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SM}sitemapindex"
    parts = [s.find(f"{SM}loc").text for s in root.findall(f"{SM}sitemap")]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) == 3
    assert all(W3C.match(s.find(f"{SM}lastmod").text) for s in root.findall(f"{SM}sitemap"))
    locs = []
    for part in parts:
        urls = _check_urlset(client.get(part).data)
        assert len(urls) <= 4
        locs += [u.find(f"{SM}loc").text for u in urls]
    assert len(locs) == len(set(locs)) and {_slug_lang(loc) for loc in locs[1:]} == _versions(client)
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_with_the_protocols_limit_one_file_would_hold_50000_urls():
    assert findable.URLS_PER_FILE <= MAX_URLS


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """An index whose records carry published/updated dates (as the content will give them)."""
    root = tmp_path_factory.mktemp("dated")
    content = make_content(root / "content")
    assert build(content, root / "index").ok
    version = (root / "index" / "CURRENT").read_text().strip()
    db = sqlite3.connect(root / "index" / version / "practices.sqlite")
    with db:
        db.execute("UPDATE practice SET versions = json_set(versions, '$.fi.updated', '2026-03-01', "
                   "'$.fi.published', '2025-01-15', '$.sv.published', '2025-02-01T10:00:00+02:00') "
                   "WHERE slug = 'nuorten-uravalmennus'")
        db.execute("UPDATE practice SET versions = json_set(versions, '$.fi.updated', 'not a date') "
                   "WHERE slug = 'kielikoulutus'")
        # An index from before the build recorded dates: a version without 'updated', one without either.
        db.execute("UPDATE practice SET versions = json_remove(versions, '$.sv.updated', '$.en.updated', "
                   "'$.en.published') WHERE slug = 'nuorten-uravalmennus'")
        db.execute("UPDATE practice SET versions = json_remove(versions, '$.fi.published') WHERE slug = 'kielikoulutus'")
    db.close()
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CONTENT_DIR": str(content)})


def test_the_last_changed_date_comes_from_the_practice_when_it_has_one(dated):
    client = dated.test_client()
    urls = _check_urlset(client.get("/sitemap.xml").data)
    lastmod = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod").text for u in urls}
    built = client.get("/healthz").get_json()["built_at"]
    base = "http://localhost/practice/"
    assert lastmod[base + "nuorten-uravalmennus?lang=fi"] == "2026-03-01", "updated first"
    assert lastmod[base + "nuorten-uravalmennus?lang=sv"] == "2025-02-01T10:00:00+02:00", "else published"
    assert lastmod[base + "nuorten-uravalmennus?lang=en"] == built, "else the build"
    assert lastmod[base + "kielikoulutus?lang=fi"] == built, "a malformed date is not passed on"
    page = client.get("/practice/nuorten-uravalmennus?lang=fi").get_data(as_text=True)
    data = json.loads(Head(page).jsonld[0])
    assert (data["datePublished"], data["dateModified"]) == ("2025-01-15", "2026-03-01")


@pytest.mark.parametrize("value, expected", [
    ("2026-03-01", "2026-03-01"), ("2026-03-01T12:30:00+02:00", "2026-03-01T12:30:00+02:00"),
    ("2026-03-01T12:30:00Z", "2026-03-01T12:30:00+00:00"), ("2026-03-01T12:30:00", "2026-03-01"),
    ("", None), ("1.3.2026", None), (None, None), (20260301, None),
])
def test_dates_are_written_as_w3c_datetime(value, expected):
    assert findable.w3c_date(value) == expected


def test_robots_allow_pages_and_point_to_the_sitemap(client):
    resp = client.get("/robots.txt")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    lines = resp.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines and "Sitemap: http://localhost/sitemap.xml" in lines
    disallowed = [line.split(": ", 1)[1] for line in lines if line.startswith("Disallow:")]
    for path in ("/api/", "/export.csv", "/export.json", "/feed.atom", "/shortlist"):
        assert path in disallowed
    for page in ("/", "/practice/kielikoulutus?lang=fi", "/sitemap.xml", "/accessibility", "/privacy"):
        # A robots.txt rule matches a path prefix ("/?" a query on the front page, the searches).
        assert not any(page.startswith(rule) for rule in disallowed), page
    assert "/?q=nuoret".startswith("/?")


def test_a_practice_page_has_its_canonical_address_and_language_versions(client):
    page = client.get("/practice/nuorten-uravalmennus?lang=sv&ui=en").get_data(as_text=True)
    head = Head(page)
    canonical = head.rel("canonical")
    assert [c["href"] for c in canonical] == ["http://localhost/practice/nuorten-uravalmennus?lang=sv"]
    alternates = {a["hreflang"]: a["href"] for a in head.rel("alternate") if a.get("hreflang")}
    assert alternates == {lang: f"http://localhost/practice/nuorten-uravalmennus?lang={lang}" for lang in ("fi", "sv", "en")} | {
        "x-default": "http://localhost/practice/nuorten-uravalmennus?lang=fi"}
    # Without ?lang= the interface language's version is shown: the canonical address says which.
    bare = Head(client.get("/practice/nuorten-uravalmennus?ui=fi").get_data(as_text=True))
    assert bare.rel("canonical")[0]["href"] == "http://localhost/practice/nuorten-uravalmennus?lang=fi"
    fallback = Head(client.get("/practice/kielikoulutus?lang=sv").get_data(as_text=True))
    assert fallback.rel("canonical")[0]["href"] == "http://localhost/practice/kielikoulutus?lang=fi"
    assert not [a for a in fallback.rel("alternate") if a.get("hreflang")], "one version: no alternates"


def test_a_practice_page_describes_itself_for_search_engines_and_shared_links(client):
    page = client.get("/practice/nuorten-uravalmennus?lang=en").get_data(as_text=True)
    meta = Head(page).meta
    summary = "Young people get career coaching and personal guidance at the Ohjaamo centre."
    assert meta["description"] == summary and meta["og:description"] == summary
    assert meta["og:title"] == "Career coaching for young people" and meta["og:type"] == "article"
    assert meta["og:url"] == "http://localhost/practice/nuorten-uravalmennus?lang=en"
    assert meta["og:locale"] == "en_GB" and meta["og:site_name"] and meta["twitter:card"] == "summary"


def test_a_long_summary_is_cut_at_a_word():
    text = "sana " * 100
    cut = findable.short_description(text)
    assert len(cut) <= findable.DESCRIPTION_CHARS and cut.endswith("sana…")
    assert findable.short_description("  lyhyt \n teksti ") == "lyhyt teksti"


def test_a_practice_page_has_schema_org_structured_data(client, app):
    vocab = app.extensions["search"].vocab
    page = client.get("/practice/nuorten-uravalmennus?lang=fi&ui=sv").get_data(as_text=True)
    (block,) = Head(page).jsonld
    assert "<" not in block
    data = json.loads(block)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    url = "http://localhost/practice/nuorten-uravalmennus?lang=fi"
    assert data["url"] == data["@id"] == url and data["inLanguage"] == "fi"
    assert data["headline"] == data["name"] == "Uravalmennus nuorille"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["about"] == {"@type": "Project", "name": "Ohjaamo 2.0"}
    assert data["spatialCoverage"] == [{"@type": "AdministrativeArea", "name": vocab.label("region", "Pohjois-Karjala", "fi")}]
    assert data["temporalCoverage"] == "2014/2020"
    assert vocab.label("theme", "kohti työtä", "fi") in data["keywords"], "labels in the language of the text"
    assert {t["@id"] for t in data["workTranslation"]} == {url.replace("=fi", "=sv"), url.replace("=fi", "=en")}
    translation = json.loads(Head(client.get("/practice/nuorten-uravalmennus?lang=en").get_data(as_text=True)).jsonld[0])
    assert translation["translationOfWork"]["@id"] == url


def test_structured_data_cannot_be_broken_out_of(tmp_path):
    practices = copy.deepcopy(TINY)
    content = make_content(tmp_path / "content", practices)
    write_practice(content, "rikki", "fi", {
        "title": "</script><script>alert(1)</script> & \u2028 'x'", "project": "P </script>", "regions": ["Kainuu"],
        "themes": ["osallisuus"], "priority": "TL 5 et 10.1", "source": "<!-- -->"}, "Teksti.")
    assert build(content, tmp_path / "index").ok
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "CONTENT_DIR": str(content)})
    page = app.test_client().get("/practice/rikki").get_data(as_text=True)
    assert "<script>alert" not in page and page.count("<script") == 2  # the data block and site.js
    (block,) = Head(page).jsonld
    data = json.loads(block)
    assert data["name"] == "</script><script>alert(1)</script> & \u2028 'x'" and data["citation"] == "<!-- -->"


def test_the_front_page_has_a_canonical_address_and_a_description(client):
    head = Head(client.get("/?ui=fi").get_data(as_text=True))
    assert head.meta["description"].startswith("Euroopan sosiaalirahaston")
    assert not head.rel("canonical"), "with ?ui= it is not the canonical front page"
    plain = Head(client.get("/").get_data(as_text=True))
    assert plain.rel("canonical")[0]["href"] == "http://localhost/" and plain.meta["og:type"] == "website"
    assert not Head(client.get("/?q=nuoret").get_data(as_text=True)).rel("canonical")


def test_the_sitemap_follows_a_new_index_version(content_dir, tmp_path):
    root = tmp_path / "index"
    assert build(content_dir, root).ok
    client = create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content_dir)}).test_client()
    assert b"/practice/kvantti?" not in client.get("/sitemap.xml").data
    write_practice(content_dir, "kvantti", "fi", {"title": "Kvanttiohjaus", "project": "Kvantti", "regions": ["Kainuu"],
                                                  "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, "Teksti.")
    assert build(content_dir, root).ok
    locs = [u.find(f"{SM}loc").text for u in _check_urlset(client.get("/sitemap.xml").data)]
    assert "http://localhost/practice/kvantti?lang=fi" in locs


def test_without_an_index_the_sitemap_is_a_friendly_503(tmp_path, tiny_content):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none"), "CONTENT_DIR": str(tiny_content)}).test_client()
    assert client.get("/sitemap.xml").status_code == 503
    assert client.get("/robots.txt").status_code == 200
