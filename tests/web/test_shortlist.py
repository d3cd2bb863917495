"""The shortlist: session storage, its guarded forms, the shared link and the exports for an application."""
from __future__ import annotations

import csv
import io
import re

import pytest

from app.web import shortlist_session as sl


@pytest.mark.parametrize("text, expected", [
    ("a,b,c", ["a", "b", "c"]),
    (" a , ,b,a ", ["a", "b"]),
    ("a,B,../x,<s>,ok-1", ["a", "ok-1"]),
    (None, []),
    (",".join(f"p{i}" for i in range(80)), [f"p{i}" for i in range(sl.MAX_ITEMS)]),
])
def test_parse_ids(text, expected):
    assert sl.parse_ids(text) == expected


def test_add_remove_and_cap():
    session: dict = {}
    for i in range(sl.MAX_ITEMS):
        assert sl.add(session, f"p{i}")
    assert not sl.add(session, "one-more") and len(sl.ids_of(session)) == sl.MAX_ITEMS
    assert sl.add(session, "p0"), "adding what is there already is fine"
    sl.remove(session, "p0")
    assert "p0" not in sl.ids_of(session)


def test_csrf_token_is_per_session_and_compared_exactly():
    a, b = {}, {}
    token = sl.csrf_token(a)
    assert sl.csrf_token(a) == token != sl.csrf_token(b)
    assert sl.csrf_ok(a, token) and not sl.csrf_ok(a, token + "x") and not sl.csrf_ok(a, None) and not sl.csrf_ok({}, token)


@pytest.mark.parametrize("target, expected", [
    ("/?q=a", "/?q=a"), ("/practice/x", "/practice/x"), ("//evil.example/", "/"), ("https://evil.example/", "/"),
    ("/\\evil.example", "/"), ("javascript:alert(1)", "/"), ("/a\r\nSet-Cookie: x", "/"), ("", "/"), (None, "/"),
])
def test_safe_next(target, expected):
    assert sl.safe_next(target) == expected


def _token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _listed(client) -> list[str]:
    html = client.get("/shortlist").get_data(as_text=True)
    return re.findall(r'<tr id="r-([a-z0-9-]+)">', html)


def test_add_without_the_token_changes_nothing(client):
    resp = client.post("/shortlist/add", data={"slug": "kielikoulutus"})
    assert resp.status_code == 400 and "Traceback" not in resp.get_data(as_text=True)
    assert _listed(client) == []


def test_add_and_remove_like_a_form_without_javascript(client):
    token = _token(client)
    resp = client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token, "next": "/?q=kieli"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/?q=kieli#r-kielikoulutus")
    client.post("/shortlist/add", data={"slug": "polkuja-toihin", "csrf": token, "next": "/"})
    assert _listed(client) == ["kielikoulutus", "polkuja-toihin"]
    html = client.get("/?q=kieli").get_data(as_text=True)
    assert 'value="kielikoulutus" class="sl-toggle listed"' in html, "the page shows it is on the list"
    assert 'id="shortlist-count">2<' in html
    client.post("/shortlist/remove", data={"slug": "kielikoulutus", "csrf": token})
    assert _listed(client) == ["polkuja-toihin"]


def test_the_script_gets_json(client):
    token = _token(client)
    resp = client.post("/shortlist/add", data={"slug": "kielikoulutus", "csrf": token},
                       headers={"Accept": "application/json"})
    assert resp.get_json() == {"ids": ["kielikoulutus"], "count": 1, "listed": True, "message": ""}


@pytest.mark.parametrize("slug", ["nope", "../etc", "", "<b>"])
def test_unknown_practices_are_refused_politely(client, slug):
    resp = client.post("/shortlist/add", data={"slug": slug, "csrf": _token(client)})
    assert resp.status_code == 400 and _listed(client) == []


def test_a_full_list_says_so(client):
    token = _token(client)
    with client.session_transaction() as session:
        session[sl.SESSION_KEY] = [f"x{i}" for i in range(sl.MAX_ITEMS)]
    client.post("/shortlist/add?ui=en", data={"slug": "kielikoulutus", "csrf": token, "next": "/shortlist"})
    html = client.get("/shortlist").get_data(as_text=True)
    assert f"Your shortlist is full ({sl.MAX_ITEMS} practices)" in html and 'role="status"' in html
    assert "kielikoulutus" not in _listed(client)


def test_get_on_a_form_address_is_a_friendly_405(client):
    resp = client.get("/shortlist/add?slug=kielikoulutus")
    assert resp.status_code == 405 and "<html" in resp.get_data(as_text=True)


def test_shared_link_reproduces_the_list_in_its_order(client, app):
    resp = client.get("/shortlist?ids=polkuja-toihin,nope,kielikoulutus")
    html = resp.get_data(as_text=True)
    assert re.findall(r'<tr id="r-([a-z0-9-]+)">', html) == ["polkuja-toihin", "kielikoulutus"]
    assert "ids=polkuja-toihin,kielikoulutus" in html.replace("%2C", ",")
    assert _listed(client) == [], "looking at a shared list does not change one's own"
    client.post("/shortlist/save", data={"ids": "polkuja-toihin,kielikoulutus", "csrf": _token(client)})
    assert _listed(client) == ["polkuja-toihin", "kielikoulutus"]
    client.post("/shortlist/clear", data={"csrf": _token(client)})
    assert _listed(client) == []


def test_markdown_for_a_funding_application(client, app):
    vocab = app.extensions["search"].vocab
    resp = client.get("/shortlist.md?ids=kielikoulutus,polkuja-toihin&ui=fi")
    assert resp.mimetype == "text/markdown" and "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert len(rows) == 2
    for row, (slug, project, priority, region) in zip(rows, [
            ("kielikoulutus", "Kaiku", "TL 5 et 10.1", "Pohjois-Karjala"),
            ("polkuja-toihin", "Esimerkkihanke", "TL 4 et 4.1", "Kainuu")]):
        assert f"/practice/{slug}?lang=fi>)" in row and project in row and priority in row
        assert vocab.label("region", region, "fi") in row
    assert "shortlist?ids=kielikoulutus" in text.replace("%2C", ",")


def test_csv_for_a_funding_application(client):
    data = client.get("/shortlist.csv?ids=kielikoulutus,polkuja-toihin&ui=en").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(data, newline="")))
    # Citable as it is (issue 12): what, which period, where from, its address and when it was read.
    assert header == ["Practice", "Project", "Priority axis and objective (TL/et)", "Programme period", "Region",
                      "Source", "Link", "Accessed", "Licence of the text"]
    assert [r[1] for r in rows] == ["Kaiku", "Esimerkkihanke"] and rows[0][2] == "TL 5 et 10.1"
    assert rows[1][header.index("Link")].endswith("/practice/polkuja-toihin?lang=fi")
