"""Safe pages: security headers on every response, no inline script or style, sanitised practice
bodies end to end, and friendly error pages that leak nothing."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import abort

from app import create_app
from app.indexing import build
from conftest import write_practice

SECRET = "secret-7f3a9 /srv/kaytantopankki/app/views.py"  # what a failing route's exception says


class Page(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's tokenizer reads them."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(body)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


DATA_BLOCK = "application/ld+json"  # structured data: a browser never runs it (tests/web/test_findable.py checks it)


def inline_code(body: str) -> list[str]:
    """Inline script, inline style, event handlers and script URLs of a page (CSP would block them);
    a JSON-LD data block is not code."""
    problems = []
    for tag, attrs in Page(body).tags:
        if tag == "script" and not attrs.get("src", "").startswith("/static/") and attrs.get("type") != DATA_BLOCK:
            problems.append(f"<script> without a same-site src: {attrs}")
        if tag == "style":
            problems.append("<style> element")
        if tag == "link" and "stylesheet" in attrs.get("rel", "") and not attrs.get("href", "").startswith("/static/"):
            problems.append(f"stylesheet from elsewhere: {attrs}")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def check_headers(resp) -> None:
    csp = dict((d.strip().split(" ", 1) + [""])[:2] for d in resp.headers["Content-Security-Policy"].split(";") if d.strip())
    assert csp["default-src"] == "'self'"
    for directive in ("script-src", "style-src"):
        assert "'self'" in csp[directive] and "unsafe-inline" not in csp[directive] and "unsafe-eval" not in csp[directive]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'" and csp["base-uri"] in ("'none'", "'self'")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin",
                                               "strict-origin")
    assert "camera=()" in resp.headers["Permissions-Policy"] and "geolocation=()" in resp.headers["Permissions-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"


@pytest.fixture(scope="module")
def failing_app(built_index, tiny_content):
    """A fresh app with test-only routes that fail, to see the 400 and 500 pages."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(built_index), "CONTENT_DIR": str(tiny_content)})

    def boom():
        raise RuntimeError(SECRET)

    app.add_url_rule("/test-only/boom", "boom", boom)
    app.add_url_rule("/api/test-only/boom", "api_boom", boom)
    app.add_url_rule("/test-only/bad", "bad", lambda: abort(400))
    return app


@pytest.fixture(scope="module")
def no_index_app(tmp_path_factory, tiny_content):
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path_factory.mktemp("empty")),
                       "CONTENT_DIR": str(tiny_content)})


RESPONSES = [  # (method, path, status, mimetype)
    ("GET", "/", 200, "text/html"),
    ("GET", "/?q=nuoret&region=Pohjois-Karjala&sort=title", 200, "text/html"),
    ("GET", "/practice/nuorten-uravalmennus?lang=sv", 200, "text/html"),
    ("GET", "/api/search?q=nuoret", 200, "application/json"),
    ("GET", "/api/practice/kielikoulutus", 200, "application/json"),
    ("GET", "/healthz", 200, "application/json"),
    ("GET", "/api/openapi.json", 200, "application/json"),
    ("GET", "/static/site.css", 200, "text/css"),
    ("GET", "/static/site.js", 200, "text/javascript"),
    ("GET", "/static/nope.css", 404, "text/html"),
    ("GET", "/nope", 404, "text/html"),
    ("GET", "/practice/nope", 404, "text/html"),
    ("GET", "/api/practice/nope", 404, "application/json"),
    ("GET", "/api/nope", 404, "application/json"),
    ("POST", "/", 405, "text/html"),
    ("DELETE", "/practice/kielikoulutus", 405, "text/html"),
    ("POST", "/api/search", 405, "application/json"),
    ("GET", "/test-only/bad", 400, "text/html"),
    ("GET", "/test-only/boom", 500, "text/html"),
    ("GET", "/api/test-only/boom", 500, "application/json"),
]


@pytest.mark.parametrize("method, path, status, mimetype", RESPONSES)
def test_every_kind_of_response_has_the_security_headers(failing_app, method, path, status, mimetype):
    resp = failing_app.test_client().open(path, method=method)
    assert (resp.status_code, resp.mimetype) == (status, mimetype)
    check_headers(resp)


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/search"])
def test_the_no_index_answer_has_the_security_headers(no_index_app, path):
    resp = no_index_app.test_client().get(path)
    assert resp.status_code == 503
    check_headers(resp)


def html_pages(app) -> list[str]:
    """Every GET page of the site without URL arguments, every practice in every language, some searches."""
    client = app.test_client()
    urls = [str(rule.rule) for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"]
    slugs = sorted({r["id"] for r in client.get("/api/search?per_page=100").get_json()["results"]})
    urls += [f"/practice/{s}?lang={lang}" for s in slugs for lang in ("fi", "sv", "en")]
    urls += ["/?q=nuoret&region=Pohjois-Karjala&target_group=nuoret", "/?q=maahanmuutajat", "/?q=nuoret&region=Uusimaa",
             "/?sort=title&per_page=2&page=2", "/?ui=sv&q=koulutus", "/?ui=en", "/nope", "/practice/nope"]
    return urls


def test_no_inline_script_or_style_on_any_page(app):
    client = app.test_client()
    checked = 0
    for url in html_pages(app):
        resp = client.get(url)
        if resp.mimetype != "text/html":
            continue
        assert inline_code(resp.get_data(as_text=True)) == [], url
        check_headers(resp)
        checked += 1
    assert checked >= 25  # the practice pages alone are 21


def test_the_checker_finds_inline_code():
    page = ('<p style="color:red" onclick="x()">a</p><script>alert(1)</script><style>p{}</style>'
            '<a href=" javascript:alert(1)">x</a><script src="/static/site.js"></script>'
            '<script type="application/ld+json">{}</script><script type="text/javascript">alert(1)</script>')
    assert len(inline_code(page)) == 6


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/test-only/bad", 400), ("GET", "/nope", 404), ("GET", "/practice/../../etc/passwd", 404),
    ("POST", "/", 405), ("GET", "/test-only/boom", 500),
])
def test_error_pages_are_friendly_in_the_layout_and_leak_nothing(failing_app, method, path, status):
    index_page = Page(failing_app.test_client().get("/").get_data(as_text=True))
    resp = failing_app.test_client().open(path, method=method)
    body = resp.get_data(as_text=True)
    assert resp.status_code == status and resp.mimetype == "text/html"
    page = Page(body)
    # The site's layout: the same stylesheet, script, header and footer as the search page, and a way back.
    def layout(p: Page) -> set[tuple[str, str]]:
        return {(t, a.get("href") or a.get("src") or a.get("class", "")) for t, a in p.tags
                if t in ("header", "footer", "main") or (t == "link" and a.get("rel") == "stylesheet")
                or (t == "script" and a.get("src"))}
    assert layout(index_page) <= layout(page) and len(layout(index_page)) >= 3
    assert any(t == "a" and a.get("href", "").split("?")[0] == "/" for t, a in page.tags)
    assert body.count("<h1") == 1
    for leak in ("Traceback", "RuntimeError", "secret-7f3a9", "/srv/", ".py", "werkzeug", "File &#34;", 'File "'):
        assert leak not in body, leak
    assert inline_code(body) == []


def test_api_errors_are_json_and_leak_nothing(failing_app):
    for method, path, status in [("GET", "/api/test-only/boom", 500), ("GET", "/api/practice/nope", 404),
                                 ("POST", "/api/search", 405)]:
        resp = failing_app.test_client().open(path, method=method)
        data = resp.get_json()
        assert resp.status_code == status and data == {"error": status, "message": data["message"]}
        assert "secret" not in resp.get_data(as_text=True) and "Traceback" not in resp.get_data(as_text=True)


def test_the_500_is_logged_for_the_operator(failing_app, caplog):
    failing_app.test_client().get("/test-only/boom")
    assert any("secret-7f3a9" in (r.exc_text or "") or (r.exc_info and "secret-7f3a9" in str(r.exc_info[1]))
               for r in caplog.records)


EVIL_BODY = """Zorblax opastaa nuoria.

<script>alert('body')</script>
<img src=x onerror="alert('img')">
<a href="javascript:alert('link')">klikkaa</a> ja [toinen](javascript:alert('md')) sekä
<a href="https://example.org/ulkoinen" onclick="alert('click')">ulkoinen</a> ja [lähde](https://example.com).
<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
<p style="position:fixed">tyyli</p> <svg onload="alert('svg')"></svg>

Koodissa: `<script>alert('code')</script>` Zorblax."""


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory):
    from conftest import make_content
    root = tmp_path_factory.mktemp("evil")
    content = make_content(root / "content")
    write_practice(content, "paha-kaytanto", "fi", {
        "title": "Zorblax <script>alert('title')</script>", "project": "Paha \" onmouseover=\"alert(1)",
        "regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 5 et 10.1",
        "source": "<img src=x onerror=alert('source')>", "organisations": ["<b onclick=alert(1)>Org</b>"],
    }, EVIL_BODY)
    result = build(content, root / "index")
    assert result.ok, [str(p) for p in result.problems]
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CONTENT_DIR": str(content)})


def test_a_hostile_practice_file_is_built_and_rendered_harmless(evil_app):
    client = evil_app.test_client()
    body = client.get("/practice/paha-kaytanto").get_data(as_text=True)
    assert "Zorblax" in body and "klikkaa" in body and "ulkoinen" in body
    assert inline_code(body) == []
    # Removed from the body; escaped (shown as text) in the front matter fields.
    for bad in ("alert('body')", "alert('img')", "alert('link')", "alert('md')", "alert('svg')", "javascript:",
                "<iframe", "<svg", "<img", "onmouseover=\"", "position:fixed", "<script>alert", "<b onclick"):
        assert bad not in body, bad
    assert "&lt;img src=x onerror=alert(&#39;source&#39;)&gt;" in body
    # Visible text stays visible, as text: the code sample and the title are escaped, not dropped.
    assert "&lt;script&gt;alert(&#39;code&#39;)&lt;/script&gt;" in body or "&lt;script&gt;alert('code')" in body
    anchors = [a for t, a in Page(body).tags if t == "a" and a.get("href", "").startswith("https://example.")]
    assert len(anchors) == 2 and all("noopener" in a.get("rel", "") for a in anchors)


def test_hostile_practice_through_the_api_and_the_search_snippet(evil_app):
    client = evil_app.test_client()
    html = client.get("/api/practice/paha-kaytanto").get_json()["body_html"]
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<style", "style=", "onload", "onclick"):
        assert bad not in html, bad
    assert 'rel="noopener' in html
    # The snippet is HTML with <mark>; the code sample's <script> must arrive escaped in it.
    result = client.get("/api/search?q=zorblax").get_json()["results"][0]
    snippet = result["snippet"]
    assert "<mark>" in snippet and "<script" not in snippet.replace("&lt;script", "")
    page = client.get("/?q=zorblax").get_data(as_text=True)
    assert inline_code(page) == [] and "<script>alert" not in page
