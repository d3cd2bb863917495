"""Practices side by side: /compare?ids=a,b,c over real indexes (values, order, limits, sections,
escaping) and the shortlist's way to it."""
from __future__ import annotations

import html as htmllib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.indexing import build
from conftest import make_content


def _main(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _table(page: str) -> str:
    return page.split('<table class="compare', 1)[1].split("</table>", 1)[0]


def _text(fragment: str) -> str:
    inline = re.sub(r"</?(?:a|b|em|i|strong|span|code)\b[^>]*>", "", fragment)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _columns(page: str) -> list[str]:
    """The slugs of the columns, in order."""
    return re.findall(r'<th scope="col" id="col-([a-z0-9-]+)"', page)


def _row(page: str, header: str) -> list[str]:
    """The cells' text of the row whose header is ``header``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", _table(page), re.S):
        th = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if th and _text(th.group(1)) == header:
            return [_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {header!r}")


def _row_headers(page: str) -> list[str]:
    body = _table(page).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_text(h) for h in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', body, re.S)]


# --- over the tests' tiny index ------------------------------------------------------------------

def test_columns_hold_each_practices_values_in_the_interface_language(client):
    page = client.get("/compare?ids=polkuja-toihin,nuorten-uravalmennus&ui=en").get_data(as_text=True)
    assert _columns(page) == ["polkuja-toihin", "nuorten-uravalmennus"]
    assert "Polku työhön pitkäaikaistyöttömille" in page and "Career coaching for young people" in page
    assert _row(page, "Region") == ["Kainuu, Lapland", "North Karelia"]
    assert _row(page, "Programme period")[1] == "Sustainable growth and jobs 2014–2020"
    assert "2021–2027" in _row(page, "Programme period")[0]
    priority = _row(page, "Priority axis and specific objective")
    assert priority[1] == ("TL 3 Employment and labour mobility et 6.1 Promotion of employment among the young and "
                           "other groups that are in a weak position in the labour market")
    # A code names another axis in another period: the 2021–2027 practice has its own period's names.
    assert priority[0].startswith("TL 4 ") and "et 4.1" in priority[0]
    assert "Education, skills and lifelong learning" not in priority[0]
    assert _row(page, "Theme") == ["Towards employment", "Towards employment, Guidance of clients"]  # as the Finnish file lists them
    assert _row(page, "Target group") == ["long-term unemployed", "young people"]
    assert _row(page, "Organisations") == ["not given", "not given"]


def test_the_2021_2027_names_come_from_that_period(app):
    vocab = app.extensions["search"].vocab
    tl4_2021 = vocab.periods["2021–2027"].axes["TL 4"]
    page = app.test_client().get("/compare?ids=polkuja-toihin,kielikoulutus&ui=fi").get_data(as_text=True)
    cell = _row(page, "Toimintalinja ja erityistavoite")[0]
    assert cell == f"TL 4 {tl4_2021.term.label('fi')} et 4.1 {tl4_2021.objectives['4.1'].label('fi')}"
    assert _row(page, "Ohjelmakausi")[0] == vocab.periods["2021–2027"].term.label("fi")


def test_titles_link_to_the_version_shown_and_back_to_the_comparison(client):
    page = client.get("/compare?ids=kielikoulutus,nuorten-uravalmennus&ui=sv").get_data(as_text=True)
    links = [htmllib.unescape(h) for h in re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]+)"', page)]
    assert [urlsplit(link).path for link in links] == ["/practice/kielikoulutus", "/practice/nuorten-uravalmennus"]
    assert [parse_qs(urlsplit(link).query)["lang"] for link in links] == [["fi"], ["sv"]]
    assert all(parse_qs(urlsplit(link).query)["back"] == ["/compare?ids=kielikoulutus,nuorten-uravalmennus"]
               for link in links)
    # The untranslated practice keeps its language, said in the interface's.
    assert '<th scope="col" id="col-kielikoulutus" lang="fi">' in page and "Språk: finska" in page
    assert '<th scope="col" id="col-nuorten-uravalmennus">' in page and "Karriärcoachning för unga" in page
    practice = client.get(links[0]).get_data(as_text=True)
    assert 'href="/compare?ids=kielikoulutus%2Cnuorten-uravalmennus">Tillbaka till jämförelsen<' in practice


@pytest.mark.parametrize("query", ["ids=romanien-osallisuus,kielikoulutus,nuorten-uravalmennus",
                                   "ids=romanien-osallisuus&ids=kielikoulutus&ids=nuorten-uravalmennus",
                                   "ids=romanien-osallisuus,kielikoulutus&ids=nuorten-uravalmennus",
                                   "ids=+romanien-osallisuus+,,kielikoulutus,romanien-osallisuus,NOT_A_SLUG,nuorten-uravalmennus"])
def test_order_is_the_links_and_repeated_or_comma_separated_ids_are_the_same(client, query):
    page = client.get(f"/compare?{query}").get_data(as_text=True)
    assert _columns(page) == ["romanien-osallisuus", "kielikoulutus", "nuorten-uravalmennus"]
    share = re.search(r'id="share-url"[^>]*value="([^"]+)"', page).group(1)
    assert htmllib.unescape(share) == "http://localhost/compare?ids=romanien-osallisuus,kielikoulutus,nuorten-uravalmennus"
    assert 'class="compare cols-3"' in page


def test_more_than_four_shows_the_first_four_and_says_which_were_left_out(client):
    ids = ["kielikoulutus", "nuorten-uravalmennus", "romanien-osallisuus", "polkuja-toihin", "yrittajyyskasvatus",
           "hoivayritysten-digitaidot"]
    resp = client.get(f"/compare?ids={','.join(ids)}&ui=en")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _columns(page) == ids[:4]
    notice = _text(page.split('<div class="notice" role="status">', 1)[1].split("</div>", 1)[0])
    assert notice.startswith("At most 4 practices can be compared at once, so the first 4 are shown. Left out:")
    assert "Yrittäjyysvalmiuksia ryhmissä" in notice and "Digiosaamista hoivayrityksiin" in notice


@pytest.mark.parametrize("query, found", [("", None), ("ids=", None), ("ids=kielikoulutus", "kielikoulutus"),
                                          ("ids=kielikoulutus,ei-ole-olemassa", "kielikoulutus"),
                                          ("ids=kielikoulutus,kielikoulutus", "kielikoulutus"),
                                          ("ids=%3Cscript%3E,..%2Fetc", None)])
def test_fewer_than_two_known_practices_give_a_helpful_page(client, query, found):
    resp = client.get(f"/compare?{query}&ui=en")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<table" not in _main(page)
    assert "Choose two to four practices to see them side by side" in page
    assert '<a href="/">Go to the search page</a>' in page
    if found:
        assert "this link names only one that is in the knowledge base:" in page
        assert f'href="/practice/{found}?lang=fi"' in page
    if "ei-ole-olemassa" in query:
        assert "This practice is not in the knowledge base now:" in page and "“ei-ole-olemassa”" in page
    assert "<script>" not in _main(page)


def test_unknown_practices_among_known_ones_are_named(client):
    page = client.get("/compare?ids=kielikoulutus,poistettu-kaytanto,toinen-poistettu,nuorten-uravalmennus&ui=en")
    page = page.get_data(as_text=True)
    assert _columns(page) == ["kielikoulutus", "nuorten-uravalmennus"]
    assert "These practices are not in the knowledge base now:" in page
    assert "“poistettu-kaytanto”" in page and "“toinen-poistettu”" in page


def test_a_body_without_headings_is_shown_whole_in_the_description_row(client):
    page = client.get("/compare?ids=nuorten-uravalmennus,kielikoulutus&ui=fi").get_data(as_text=True)
    assert _row_headers(page)[6:] == ["Kuvaus", "Lähde"]
    assert _row(page, "Kuvaus") == ["Ohjaamossa nuorille tarjotaan uravalmennusta ja henkilökohtaista ohjausta. "
                                    "Toinen kappale työnhausta.",
                                    "Maahanmuuttajille järjestetään suomen kielen koulutusta työpaikoilla."]


@pytest.mark.parametrize("ids", ["a" * 5000, ",".join(["kielikoulutus"] * 5000), "%00,%ff,\u202e", "x," * 3000])
def test_hostile_ids_never_fail(client, ids):
    resp = client.get("/compare", query_string={"ids": ids})
    assert resp.status_code == 200 and "Traceback" not in resp.get_data(as_text=True)


# --- sections, languages and escaping over an index of their own ---------------------------------

SECTIONED = {
    ("jasennelty", "fi"): (
        {"title": "Jäsennelty <b>käytäntö</b> & muut", "project": "Hanke <script>alert(1)</script>",
         "regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 5 et 10.1",
         "organisations": ["Kainuun <ELY>", "Kajaanin kaupunki"], "source": "Loppuraportti https://example.org/raportti"},
        "Johdanto ennen otsikoita.\n\n## Perusajatus\n\nYhteinen **ohjaus**.\n\n## Kohderyhmä\n\nNuoret aikuiset.\n\n"
        "## Toteutus\n\nRyhmissä.\n\n"
        "## Oma otsikko & muuta\n\nLisätietoa.\n\n## Tulokset ja arviointi\n\n- 40 osallistujaa\n- 12 töissä",
    ),
    ("rakenteinen", "fi"): (
        {"title": "Rakenteinen käytäntö", "project": "Toinen hanke", "regions": ["Lappi"], "themes": ["osallisuus"],
         "priority": "TL 5 et 10.1"},
        "## Perusajatus\n\nSuomeksi.\n",
    ),
    ("rakenteinen", "sv"): (
        {"title": "Strukturerad praxis", "project": "Toinen hanke"},
        "## Grundidé\n\nPå svenska.\n\n## Resultat och utvärdering\n\nBra resultat.\n\n## Kontaktorganisation\n\nKommunen.",
    ),
    ("vapaa", "fi"): (
        {"title": "Vapaa teksti", "project": "Kolmas", "regions": ["Uusimaa"], "themes": ["osallisuus"],
         "priority": "TL 5 et 10.1"},
        "Pelkkää tekstiä ilman otsikoita.\n\nToinen kappale.",
    ),
}


@pytest.fixture(scope="module")
def sectioned(tmp_path_factory):
    root = tmp_path_factory.mktemp("sectioned")
    content = make_content(root / "content", SECTIONED)
    assert build(content, root / "index").ok
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CONTENT_DIR": str(content),
                      "SECRET_KEY": secrets.token_hex(16)})
    return app.test_client()


def test_sections_align_by_their_headings_across_languages(sectioned):
    page = sectioned.get("/compare?ids=jasennelty,rakenteinen,vapaa&ui=sv").get_data(as_text=True)
    assert _columns(page) == ["jasennelty", "rakenteinen", "vapaa"]
    headers = _row_headers(page)
    # Text before any heading, the standard sections in their order (in the interface language), then others.
    assert headers[6:] == ["Beskrivning", "Grundidé", "Om målgruppen", "Genomförande", "Resultat och utvärdering",
                           "Kontaktorganisation", "Oma otsikko & muuta", "Källa"]
    assert len(set(headers)) == len(headers), "no two rows with the same header (the target group facet's row too)"
    assert _row(page, "Målgrupp") == ["inte angivet", "inte angivet", "inte angivet"]
    assert _row(page, "Om målgruppen") == ["Nuoret aikuiset.", "inte beskrivet", "inte beskrivet"]
    assert _row(page, "Beskrivning") == ["Johdanto ennen otsikoita.", "inte beskrivet",
                                         "Pelkkää tekstiä ilman otsikoita. Toinen kappale."]
    assert _row(page, "Grundidé") == ["Yhteinen ohjaus.", "På svenska.", "inte beskrivet"]
    assert _row(page, "Resultat och utvärdering") == ["40 osallistujaa 12 töissä", "Bra resultat.", "inte beskrivet"]
    assert _row(page, "Oma otsikko & muuta") == ["Lisätietoa.", "inte beskrivet", "inte beskrivet"]
    assert '<th scope="row" lang="fi">Oma otsikko &amp; muuta</th>' in page, "a heading keeps its language"
    assert "<strong>ohjaus</strong>" in page and "<li>12 töissä</li>" in page, "the sections' own markup"


def test_the_same_practices_in_finnish(sectioned):
    page = sectioned.get("/compare?ids=rakenteinen,jasennelty&ui=fi").get_data(as_text=True)
    # The Finnish version of "rakenteinen" is shown: it has no contact section, so there is no such row.
    assert _row_headers(page)[6:] == ["Kuvaus", "Perusajatus", "Kohderyhmän kuvaus", "Toteutus",
                                      "Tulokset ja arviointi", "Oma otsikko & muuta", "Lähde"]
    assert _row(page, "Perusajatus") == ["Suomeksi.", "Yhteinen ohjaus."]
    assert _row(page, "Kuvaus") == ["ei kuvattu", "Johdanto ennen otsikoita."]


def test_values_from_the_content_are_escaped(sectioned):
    page = sectioned.get("/compare?ids=jasennelty,vapaa&ui=en").get_data(as_text=True)
    main = _main(page)
    assert "<script>alert(1)" not in page and "<b>käytäntö</b>" not in main and "<ELY>" not in main
    assert "Jäsennelty &lt;b&gt;käytäntö&lt;/b&gt; &amp; muut" in main
    assert "Hanke &lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert _row(page, "Organisations") == ["Kainuun <ELY>, Kajaanin kaupunki", "not given"]
    assert '<a href="https://example.org/raportti" rel="nofollow noopener">https://example.org/raportti</a>' in page
    assert _row(page, "Source") == ["Loppuraportti https://example.org/raportti", "not given"]
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<b>" not in title and "Vapaa teksti" in title


# --- the shortlist leads here -------------------------------------------------------------------

def test_a_shortlist_of_two_to_four_links_to_their_comparison(client):
    page = client.get("/shortlist?ids=kielikoulutus,nuorten-uravalmennus,romanien-osallisuus&ui=en")
    page = page.get_data(as_text=True)
    link = re.search(r'<a href="(/compare[^"]+)">Compare these 3 practices side by side</a>', page)
    assert link and htmllib.unescape(link.group(1)) == "/compare?ids=kielikoulutus,nuorten-uravalmennus,romanien-osallisuus"
    assert 'name="ids" value="kielikoulutus" id="cmp-' not in page, "no need to pick"
    assert _columns(client.get(htmllib.unescape(link.group(1))).get_data(as_text=True)) == \
        ["kielikoulutus", "nuorten-uravalmennus", "romanien-osallisuus"]


def test_a_longer_shortlist_lets_the_visitor_tick_the_ones_to_compare(client):
    ids = ["kielikoulutus", "nuorten-uravalmennus", "romanien-osallisuus", "polkuja-toihin", "yrittajyyskasvatus"]
    page = client.get(f"/shortlist?ids={','.join(ids)}&ui=en").get_data(as_text=True)
    assert '<form id="compare-form" method="get" action="/compare"' in page
    boxes = re.findall(r'<input type="checkbox" form="compare-form" name="ids" value="([a-z0-9-]+)" id="(cmp-[a-z0-9-]+)">',
                       page)
    assert [slug for slug, _id in boxes] == ids
    for _slug, box_id in boxes:
        assert f'<label for="{box_id}">' in page
    assert "Compare these" not in page
    # What the form sends: the ticked ones as repeated ids.
    chosen = client.get("/compare?ids=polkuja-toihin&ids=kielikoulutus").get_data(as_text=True)
    assert _columns(chosen) == ["polkuja-toihin", "kielikoulutus"]


def test_a_shortlist_of_one_offers_no_comparison(client):
    page = client.get("/shortlist?ids=kielikoulutus&ui=en").get_data(as_text=True)
    assert "/compare" not in _main(page)


def test_the_help_page_points_to_a_shortlist_that_has_enough(client):
    with client.session_transaction() as s:
        s["shortlist"] = ["kielikoulutus", "nuorten-uravalmennus", "romanien-osallisuus"]
    page = client.get("/compare?ui=en").get_data(as_text=True)
    assert '<a href="/shortlist">Choose from your shortlist (3 practices)</a>' in page


# --- the search page's result checkboxes lead here ------------------------------------------------

def test_the_results_checkboxes_send_what_the_compare_page_reads(client):
    page = client.get("/?q=nuorille&ui=en").get_data(as_text=True)
    assert '<form id="compare-form" class="compare-form" method="get" action="/compare">' in page
    boxes = re.findall(r'<input type="checkbox" form="compare-form" name="ids" value="([a-z0-9-]+)">', page)
    assert len(boxes) >= 2
    # A GET form sends each ticked box as its own ids=…
    chosen = client.get("/compare", query_string=[("ids", boxes[1]), ("ids", boxes[0])]).get_data(as_text=True)
    assert _columns(chosen) == [boxes[1], boxes[0]]
