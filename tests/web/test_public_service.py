"""A public service's information (issue 12): who publishes it, a demonstration installation saying
so, the privacy statement, a cookie only when the visitor acts, the content licence on pages, in the
API and in exports, a report-an-error link on every practice, and a shortlist that can be cited."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import io
import json
import logging
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, unquote

import pytest

from app import create_app
from app.indexing import build
from app.web import service_info
from app.web import shortlist_session as sl
from conftest import TINY, make_content

CONTACT = {"PUBLISHER": "Esimerkkivirasto <ESR>", "CONTACT_EMAIL": "palaute@esimerkki.fi"}
SOURCES = {"kielikoulutus": "Hyvät käytännöt 2019, s. 12", "polkuja-toihin": "Loppuraportti 2024. https://example.org/r"}
ATOM = "{http://www.w3.org/2005/Atom}"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def cited(tmp_path_factory):
    """The tiny content with sources for two practices, built once: (index dir, content dir)."""
    practices = copy.deepcopy(TINY)
    for slug, source in SOURCES.items():
        practices[(slug, "fi")][0]["source"] = source
    root = tmp_path_factory.mktemp("cited")
    content = make_content(root / "content", practices)
    assert build(content, root / "index").ok
    return root / "index", content


def _app(cited, **config):
    index, content = cited
    return create_app({"TESTING": True, "INDEX_DIR": str(index), "CONTENT_DIR": str(content), **config})


@pytest.fixture(scope="module")
def demo(cited):
    return _app(cited)


@pytest.fixture(scope="module")
def public(cited):
    return _app(cited, **CONTACT)


PAGES = ["/", "/?q=nuoret&region=Pohjois-Karjala", "/practice/kielikoulutus", "/practice/nuorten-uravalmennus?lang=sv",
         "/shortlist", "/shortlist?ids=kielikoulutus", "/accessibility", "/privacy", "/nope"]


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


# --- settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, words", [("fi", "esittelyasennus"), ("sv", "demonstrationsinstallation"),
                                         ("en", "demonstration installation")])
def test_an_installation_without_publisher_says_on_every_page_that_it_is_a_demonstration(demo, lang, words):
    client = demo.test_client()
    for path in PAGES:
        page = client.get(path + ("&" if "?" in path else "?") + f"ui={lang}").get_data(as_text=True)
        header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
        footer = page.split('<footer class="site-footer">', 1)[1]
        assert words in header.lower() and 'id="demo-notice"' in header, path
        assert words in footer.lower(), path
        assert "mailto:" not in page.replace("mailto:saavutettavuus@traficom.fi", ""), "no invented contact"
        for placeholder in ("TÄYDENTÄÄ", "TO BE FILLED", "FYLLER I", "example.fi"):
            assert placeholder not in page, (path, placeholder)


def test_the_log_warns_once_at_start(cited, caplog):
    with caplog.at_level(logging.WARNING):
        app = _app(cited)
        app.test_client().get("/")
        app.test_client().get("/practice/kielikoulutus")
    warnings = [r.getMessage() for r in caplog.records if "demonstration installation" in r.getMessage()]
    assert len(warnings) == 1 and "FLASK_PUBLISHER" in warnings[0] and "FLASK_CONTACT_EMAIL" in warnings[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _app(cited, **CONTACT)
    assert not [r for r in caplog.records if "demonstration" in r.getMessage()]


def test_a_public_installation_names_its_publisher_and_contact(public):
    page = public.test_client().get("/?ui=fi").get_data(as_text=True)
    assert 'id="demo-notice"' not in page and "esittelyasennus" not in page.lower()
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert "Julkaisija: Esimerkkivirasto &lt;ESR&gt;." in footer, "the setting is shown, escaped"
    assert 'href="mailto:palaute@esimerkki.fi"' in footer
    assert "<ESR>" not in page


def test_settings_come_from_the_environment(cited, monkeypatch):
    monkeypatch.setenv("FLASK_PUBLISHER", "Ympäristön julkaisija")
    monkeypatch.setenv("FLASK_CONTACT_EMAIL", "kp@example.org")
    monkeypatch.setenv("FLASK_FEEDBACK_URL", "https://palaute.example.org/lomake?sivu={url}")
    info = _app(cited).extensions["service_info"]
    assert (info.publisher, info.contact_email, info.demonstration) == ("Ympäristön julkaisija", "kp@example.org", False)
    assert info.feedback_url.endswith("{url}")


@pytest.mark.parametrize("config, setting", [
    ({"CONTACT_EMAIL": "not an address"}, "FLASK_CONTACT_EMAIL"),
    ({"CONTACT_EMAIL": "a@b.fi\r\nBcc: c@d.fi"}, "FLASK_CONTACT_EMAIL"),
    ({"FEEDBACK_URL": "javascript:alert(1)"}, "FLASK_FEEDBACK_URL"),
    ({"FEEDBACK_URL": "palaute.example.fi"}, "FLASK_FEEDBACK_URL"),
    ({"PUBLISHER": "x" * 300}, "FLASK_PUBLISHER"),
])
def test_a_malformed_setting_stops_the_start_with_its_name(cited, config, setting):
    with pytest.raises(RuntimeError, match=setting):
        _app(cited, **config)


# --- report an error ----------------------------------------------------------------------------

def _report_link(page: str) -> str | None:
    found = re.search(r'<p class="report-error"><a href="([^"]+)">', page)
    return html.unescape(found.group(1)) if found else None


def test_report_an_error_by_mail_names_the_practice_address_in_the_subject(public):
    page = public.test_client().get("/practice/nuorten-uravalmennus?lang=sv&ui=en").get_data(as_text=True)
    link = _report_link(page)
    assert link and link.startswith("mailto:palaute@esimerkki.fi?subject=")
    subject = unquote(link.split("subject=", 1)[1])
    assert subject == "Error on a page of Käytäntöpankki: http://localhost/practice/nuorten-uravalmennus?lang=sv"
    assert ">Report an error on this page</a>" in page


def test_report_an_error_through_a_feedback_form_fills_in_the_address(cited):
    with_url = _app(cited, **CONTACT, FEEDBACK_URL="https://palaute.example.org/f?page={url}&x=1")
    link = _report_link(with_url.test_client().get("/practice/kielikoulutus").get_data(as_text=True))
    assert link == "https://palaute.example.org/f?page=" + quote("http://localhost/practice/kielikoulutus?lang=fi",
                                                                  safe="") + "&x=1"
    plain = _app(cited, **CONTACT, FEEDBACK_URL="https://palaute.example.org/f")
    page = plain.test_client().get("/practice/kielikoulutus?ui=en").get_data(as_text=True)
    assert _report_link(page) == "https://palaute.example.org/f"
    assert "please mention the address of this page: http://localhost/practice/kielikoulutus?lang=fi" in page
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert 'href="https://palaute.example.org/f">Give feedback</a>' in footer


def test_without_a_feedback_address_the_page_says_so_instead_of_a_dead_link(demo):
    page = demo.test_client().get("/practice/kielikoulutus?ui=fi").get_data(as_text=True)
    assert _report_link(page) is None
    assert "Virheistä ei voi ilmoittaa tästä esittelyasennuksesta" in page


# --- privacy and the cookie ---------------------------------------------------------------------

@pytest.mark.parametrize("lang, heading, words", [
    ("fi", "Tietosuoja ja evästeet", ["session", "käyttöliittymän kieli", "muistilistasi", "lomaketunniste",
                                      "14 päivän", "192.0.2.0", "48", "tietosuojavaltuutetulle"]),
    ("sv", "Dataskydd och kakor", ["session", "gränssnittsspråk", "minneslistan", "formulärkod", "14 dagar",
                                   "192.0.2.0", "dataombudsmannen"]),
    ("en", "Privacy and cookies", ["session", "interface language", "shortlist", "form token", "14 days",
                                   "192.0.2.0", "Data Protection Ombudsman"]),
])
def test_the_privacy_statement_says_what_the_cookie_holds_and_the_logs_keep(demo, lang, heading, words):
    resp = demo.test_client().get(f"/privacy?ui={lang}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f'<h1 id="statement-title">{heading}</h1>' in page
    main = _main(page)
    for word in words:
        assert word in main, word
    assert "@" not in main, "a demonstration installation names no contact"
    assert f'href="/privacy">{heading}</a>' in page.split('<footer class="site-footer">', 1)[1]


def test_the_privacy_statement_of_a_public_installation_names_the_controller(public):
    main = _main(public.test_client().get("/privacy?ui=fi").get_data(as_text=True))
    assert "Esimerkkivirasto &lt;ESR&gt;, joka on tässä kuvattujen henkilötietojen rekisterinpitäjä" in main
    assert 'href="mailto:palaute@esimerkki.fi"' in main


def test_the_accessibility_statement_of_a_public_installation_gives_its_feedback_channel(public):
    main = _main(public.test_client().get("/accessibility?ui=en").get_data(as_text=True))
    assert "Maintainer of the service: Esimerkkivirasto &lt;ESR&gt;" in main
    assert 'href="mailto:palaute@esimerkki.fi"' in main and "demonstration" not in main


LOOKED_AT = PAGES + ["/sitemap.xml", "/robots.txt", "/api/search?q=nuoret", "/api/practice/kielikoulutus",
                     "/export.csv", "/export.json", "/feed.atom", "/shortlist.md?ids=kielikoulutus", "/healthz"]


@pytest.mark.parametrize("path", LOOKED_AT)
def test_looking_sets_no_cookie(demo, path):
    resp = demo.test_client().get(path)
    assert resp.status_code in (200, 404)
    assert "Set-Cookie" not in resp.headers, path


@pytest.mark.parametrize("path, swedish", [
    ("/api/search?q=nuoret&ui=sv", "Norra Karelen"), ("/api/practice/kielikoulutus?ui=sv", None),
    ("/export.csv?ui=sv", "Landskap"), ("/export.json?ui=sv", None), ("/feed.atom?ui=sv", "Norra Karelen"),
    ("/shortlist.md?ids=kielikoulutus&ui=sv", "Källhänvisningar"), ("/shortlist.csv?ids=kielikoulutus&ui=sv", "Källa")])
def test_a_language_asked_of_data_is_used_but_not_remembered(demo, path, swedish):
    resp = demo.test_client().get(path)
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    if swedish:
        assert swedish in resp.data.decode("utf-8-sig")


def test_choosing_a_language_or_using_the_shortlist_sets_the_cookie(demo):
    client = demo.test_client()
    assert "Set-Cookie" in client.get("/?ui=sv").headers
    other = demo.test_client()
    page = other.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    resp = other.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token})
    assert resp.status_code == 303 and "Set-Cookie" in resp.headers
    assert "HttpOnly" in resp.headers["Set-Cookie"] and "SameSite=Lax" in resp.headers["Set-Cookie"]


# --- the form token, made lazily ------------------------------------------------------------------

def _fresh(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf" value="([^"]+)"', page))
    assert len(tokens) == 1, "one token for all the forms of a page"
    return tokens.pop()


def test_a_fresh_token_is_adopted_by_the_first_form_and_then_required(demo):
    client = demo.test_client()
    token = _fresh(client, "/shortlist?ids=kielikoulutus")
    assert client.get_cookie("session") is None
    assert client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token}).status_code == 303
    with client.session_transaction() as session:
        assert session[sl.CSRF_KEY] == token and session[sl.SESSION_KEY] == ["kielikoulutus"]
    assert _fresh(client) == token, "pages now carry the session's token"
    other_fresh = _fresh(demo.test_client())
    resp = client.post("/shortlist/add", data={"slug": "polkuja-toihin", "csrf": other_fresh})
    assert resp.status_code == 400, "a session with a token takes another fresh one only from a page of this site"
    resp = client.post("/shortlist/add", data={"slug": "polkuja-toihin", "csrf": other_fresh},
                       headers={"Sec-Fetch-Site": "same-origin"})
    assert resp.status_code == 303, "a tab opened before the session got its token"
    with client.session_transaction() as session:
        assert session[sl.SESSION_KEY] == ["kielikoulutus", "polkuja-toihin"] and session[sl.CSRF_KEY] == token


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"},
                                     {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}])
def test_a_form_from_another_site_is_refused_even_with_a_fresh_token(demo, headers):
    client = demo.test_client()
    token = _fresh(client)
    resp = client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token}, headers=headers)
    assert resp.status_code == 400 and "Set-Cookie" not in resp.headers


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"},
                                     {"Origin": "http://localhost:8443"}])
def test_a_form_of_this_site_is_taken(demo, headers):
    client = demo.test_client()
    token = _fresh(client)
    resp = client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token}, headers=headers)
    assert resp.status_code == 303


def test_forged_expired_and_foreign_tokens_are_refused(demo, cited, monkeypatch):
    client = demo.test_client()
    for forged in ["x" * 30, _fresh(client)[:-2] + "AA", ""]:
        assert client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": forged}).status_code == 400
    foreign = _app(cited)  # another installation: another secret key
    assert client.post("/shortlist/add", data={"slug": "kielikoulutus",
                                               "csrf": _fresh(foreign.test_client())}).status_code == 400
    token = _fresh(client)
    monkeypatch.setattr(sl, "FRESH_MAX_AGE", -1)
    assert client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token}).status_code == 400
    assert client.get_cookie("session") is None


def test_the_script_keeps_working_after_the_first_change(demo):
    """site.js posts the page's form again and again: the first change adopts its token."""
    client = demo.test_client()
    token = _fresh(client, "/?q=nuoret")
    for n, slug in enumerate(["kielikoulutus", "polkuja-toihin", "nuorten-uravalmennus"], 1):
        resp = client.post("/shortlist/add", data={"slug": slug, "csrf": token},
                           headers={"Accept": "application/json", "Sec-Fetch-Site": "same-origin"})
        assert resp.get_json()["count"] == n


# --- the licence ----------------------------------------------------------------------------------

def test_pages_state_the_licence(demo):
    client = demo.test_client()
    for path in ("/", "/practice/kielikoulutus", "/privacy"):
        footer = client.get(path).get_data(as_text=True).split('<footer class="site-footer">', 1)[1]
        assert f'<a href="{CC_BY}" rel="license" hreflang="en">CC BY 4.0</a>' in footer
    page = client.get("/practice/kielikoulutus?ui=en").get_data(as_text=True)
    terms = page.split('<div class="practice-terms"', 1)[1].split("</div>", 1)[0]
    assert 'rel="license"' in terms and "The facts come from the source named above." in terms
    untold = client.get("/practice/nuorten-uravalmennus?ui=en").get_data(as_text=True)
    assert "source named above" not in untold, "no source, no claim about one"


def test_the_footer_speaks_to_visitors(demo):
    page = demo.test_client().get("/?ui=fi").get_data(as_text=True)
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert "Hakuhakemisto" not in footer and "JSON-rajapinta<" not in footer
    assert "Tiedot päivitetty" in footer
    assert '<a href="/api/openapi.json" type="application/json">Avoin rajapinta (JSON) kehittäjille</a>' in footer


def test_the_api_states_the_licence(demo):
    client = demo.test_client()
    for path in ("/api/search?q=nuoret", "/api/practice/kielikoulutus"):
        resp = client.get(path)
        assert resp.headers["Link"] == f'<{CC_BY}>; rel="license"'
        assert resp.get_json()["licence"]["name"] == "CC BY 4.0" and resp.get_json()["licence"]["url"] == CC_BY
    info = client.get("/api/openapi.json").get_json()["info"]
    assert info["license"] == {"name": "CC BY 4.0", "url": CC_BY} and "GPL-3.0-or-later" in info["description"]
    assert "contact" not in info


def test_the_api_description_names_the_publisher_when_there_is_one(public):
    assert public.test_client().get("/api/openapi.json").get_json()["info"]["contact"] == {
        "name": "Esimerkkivirasto <ESR>", "email": "palaute@esimerkki.fi"}


def test_exports_state_the_licence(demo):
    client = demo.test_client()
    resp = client.get("/export.csv?ui=en")
    header, *rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"), newline="")))
    assert header[-2:] == ["Licence of the text", "Link"] and rows
    assert all(row[-2] == f"CC BY 4.0 ({CC_BY})" for row in rows)
    assert resp.headers["Link"] == f'<{CC_BY}>; rel="license"'
    assert json.loads(client.get("/export.json").data)["licence"]["url"] == CC_BY
    feed = client.get("/feed.atom?ui=en")
    root = ET.fromstring(feed.data)
    assert root.find(f"{ATOM}link[@rel='license']").get("href") == CC_BY
    assert "CC BY 4.0" in root.find(f"{ATOM}rights").text and feed.headers["Link"]


# --- the citable shortlist ------------------------------------------------------------------------

def test_the_shortlist_csv_can_be_cited_as_it_is(demo):
    data = demo.test_client().get("/shortlist.csv?ids=kielikoulutus,polkuja-toihin&ui=fi").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(data, newline="")))
    assert header == ["Käytäntö", "Hanke", "Toimintalinja ja erityistavoite (TL/et)", "Ohjelmakausi", "Maakunta",
                      "Lähde", "Linkki", "Viitattu", "Tekstin lisenssi"]
    by_slug = {row[6].split("/practice/")[1].split("?")[0]: dict(zip(header, row)) for row in rows}
    assert by_slug["kielikoulutus"]["Lähde"] == SOURCES["kielikoulutus"]
    assert by_slug["polkuja-toihin"]["Ohjelmakausi"] == "2021–2027"
    assert by_slug["kielikoulutus"]["Ohjelmakausi"] == "2014–2020"
    accessed = dt.date.fromisoformat(by_slug["kielikoulutus"]["Viitattu"])
    assert abs((accessed - dt.date.today()).days) <= 1
    assert by_slug["kielikoulutus"]["Linkki"] == "http://localhost/practice/kielikoulutus?lang=fi"


def test_the_shortlist_markdown_can_be_cited_as_it_is(public):
    text = public.test_client().get("/shortlist.md?ids=kielikoulutus,polkuja-toihin,nuorten-uravalmennus&ui=en"
                                    ).get_data(as_text=True)
    assert "## Sources for citing" in text
    citations = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert len(citations) == 3
    first = citations[0]
    assert first.startswith("1. Työelämälähtöinen suomen kielen koulutus. Kaiku, 2014–2020, TL 5 et 10.1. "
                            "Käytäntöpankki, <http://localhost/practice/kielikoulutus?lang=fi> (accessed ")
    assert first.endswith("). Original source: Hyvät käytännöt 2019, s. 12.")
    assert "Loppuraportti 2024. https://example.org/r." in citations[1] and "2021–2027" in citations[1]
    assert "Original source" not in citations[2], "no source given, none claimed"
    assert re.search(r"\(accessed [A-Z][a-z]{2} \d{1,2}, \d{4}\)", first)
    assert "Texts of Käytäntöpankki: CC BY 4.0." in text and f"<{CC_BY}>" in text
    assert "Published by Esimerkkivirasto \\<ESR\\>." in text, "escaped for Markdown"
    table = [line for line in text.splitlines() if line.startswith("| [")]
    assert len(table) == 3 and "| 2014–2020 |" in table[0]


def test_citations_in_finnish_date_the_access_in_finnish(demo):
    text = demo.test_client().get("/shortlist.md?ids=kielikoulutus&ui=fi").get_data(as_text=True)
    assert "## Lähdeviitteet" in text and re.search(r"\(viitattu \d{1,2}\.\d{1,2}\.\d{4}\)", text)
    assert "Alkuperäinen lähde: Hyvät käytännöt 2019, s. 12." in text


def test_service_info_is_checked_and_formats_links():
    info = service_info.from_config({"PUBLISHER": "  Virasto \n  X ", "CONTACT_EMAIL": "a@b.fi"})
    assert info.publisher == "Virasto X" and not info.demonstration and info.feedback_address == "mailto:a@b.fi"
    assert info.report_error_url("http://h/p?x=1&y=2", "Virhe:") == "mailto:a@b.fi?subject=Virhe%3A%20http%3A%2F%2Fh%2Fp%3Fx%3D1%26y%3D2"
    assert service_info.from_config({}).report_error_url("http://h/p", "x") == ""
    assert service_info.from_config({"CONTACT_EMAIL": "a@b.fi"}).demonstration, "a contact without a publisher"
