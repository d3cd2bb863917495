"""The site and the JSON API through Flask's test client over the real tiny index."""
import re
import pytest


def test_search_page_lists_results_and_facets(client):
    html = client.get("/?q=nuorille").get_data(as_text=True)
    assert 'name="q" value="nuorille"' in html
    assert "Uravalmennus nuorille" in html
    assert 'name="region" value="Pohjois-Karjala"' in html


def test_filter_checkbox_state_and_chips(client):
    html = client.get("/?region=Etelä-Savo").get_data(as_text=True)
    assert re.search(r'name="region" value="Etelä-Savo" id="f-region-[0-9-]+" checked', html)
    assert "Sparraus yli 55-vuotiaille" in html and "Uravalmennus nuorille" not in html
    assert 'class="chips"' in html


def test_unknown_facet_values_are_ignored_and_said(client):
    resp = client.get("/?region=Atlantis&region=Etelä-Savo")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Atlantis" in html and "ignored" in html.lower() or "ohitettiin" in html
    data = client.get("/api/search?region=Atlantis").get_json()
    assert data["ignored"] == [{"facet": "region", "value": "Atlantis"}]
    assert data["total"] == 7


def test_api_search_shape(client):
    data = client.get("/api/search?q=uravalmennus&per_page=5").get_json()
    assert {"query", "total", "page", "per_page", "results", "facets"} <= set(data)
    r = data["results"][0]
    assert {"id", "title", "project", "url", "snippet", "regions", "themes", "axis", "objective",
            "target_groups", "languages", "matched"} <= set(r)
    assert r["id"] == "nuorten-uravalmennus" and r["axis"] == "TL 3" and r["objective"] == "6.1"
    assert set(data["facets"]) >= {"region", "theme", "axis", "objective", "target_group"}
    fv = data["facets"]["region"][0]
    assert set(fv) == {"value", "label", "count", "selected"}


@pytest.mark.parametrize("per_page, expected", [("1000", 100), ("0", 1), ("abc", 20), ("-5", 1)])
def test_per_page_is_bounded(client, per_page, expected):
    assert client.get(f"/api/search?per_page={per_page}").get_json()["per_page"] == expected


def test_practice_page_and_links(client):
    html = client.get("/practice/nuorten-uravalmennus").get_data(as_text=True)
    assert "<h1>Uravalmennus nuorille</h1>" in html
    assert "/?region=Pohjois-Karjala" in html and "/?axis=TL+3" in html
    assert 'hreflang="sv"' in html and "Karriärcoachning för unga" in html


def test_practice_in_other_language_and_fallback(client):
    html = client.get("/practice/nuorten-uravalmennus?lang=en").get_data(as_text=True)
    assert "Career coaching for young people" in html
    html = client.get("/practice/kielikoulutus?lang=sv").get_data(as_text=True)
    assert 'lang="fi"' in html and "Työelämälähtöinen" in html


def test_api_practice(client):
    data = client.get("/api/practice/kielikoulutus").get_json()
    assert data["title"] == "Työelämälähtöinen suomen kielen koulutus"
    assert data["priority"] == "TL 5 et 10.1" and data["large_areas"] == ["Itä-Suomi"]


@pytest.mark.parametrize("path", ["/practice/nope", "/practice/../../etc/passwd", "/practice/%00", "/nope"])
def test_unknown_pages_are_friendly_404s(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert "<html" in resp.get_data(as_text=True) and "Traceback" not in resp.get_data(as_text=True)


def test_api_404_is_json(client):
    resp = client.get("/api/practice/nope")
    assert resp.status_code == 404 and resp.get_json()["error"] == 404


def test_values_are_escaped(client):
    html = client.get('/?q=<script>alert(1)</script>&region=<img src=x onerror=1>').get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_healthz(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["practices"] == 7 and data["version"].startswith("v-")


def test_security_headers(client):
    headers = client.get("/").headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_no_index_gives_a_friendly_503(tmp_path, tiny_content):
    from app import create_app
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none"), "CONTENT_DIR": str(tiny_content)})
    resp = app.test_client().get("/")
    assert resp.status_code == 503 and "Traceback" not in resp.get_data(as_text=True)


def test_config_from_prefixed_env(monkeypatch, tmp_path, tiny_content):
    from app import create_app
    monkeypatch.setenv("FLASK_INDEX_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("FLASK_CONTENT_DIR", str(tiny_content))
    assert create_app().config["INDEX_DIR"] == str(tmp_path / "elsewhere")


def test_static_links_carry_a_hash_of_the_file(client, app, tmp_path, monkeypatch):
    """A front server caches static files for a year (deploy/nginx): a changed file must get a new address."""
    import hashlib
    import re
    from pathlib import Path

    from app.web import static_version

    html = client.get("/").get_data(as_text=True)
    links = dict(re.findall(r'/static/(site\.(?:css|js))\?v=([0-9a-f]{12})"', html))
    assert set(links) == {"site.css", "site.js"}
    for name, version in links.items():
        content = Path(app.static_folder, name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12]
        assert client.get(f"/static/{name}?v={version}").status_code == 200
    # The hash follows the content (a file edited in place gets a new one), and a missing file gets none.
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "a.css").write_text("one")
    first = static_version(app, "a.css")
    (tmp_path / "a.css").write_text("two, longer")
    assert first and static_version(app, "a.css") not in (None, first)
    assert static_version(app, "missing.css") is None and static_version(app, "../a.css") is None


@pytest.mark.parametrize(("ui", "words"), [("sv", "prioriterat område 3, särskilt mål 6.1"),
                                           ("en", "priority axis 3, specific objective 6.1"), ("fi", None)])
def test_result_rows_put_the_priority_codes_in_words_outside_finnish(client, ui, words):
    html = client.get(f"/?region=Etelä-Savo&ui={ui}").get_data(as_text=True)
    rows = re.findall(r'<p class="project">(.*?)</p>', html, re.S)
    assert rows and all("TL 3 et 6.1" in row or "TL " in row for row in rows)
    uravalmennus = [row for row in rows if "TL 3 et 6.1" in row]
    assert uravalmennus, rows
    if words:
        assert all(f"TL 3 et 6.1 ({words}; 2014–2020)" in row for row in uravalmennus)
    else:
        assert all("TL 3 et 6.1 (2014–2020)" in row for row in uravalmennus)
