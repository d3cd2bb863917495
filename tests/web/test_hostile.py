"""Hostile input everywhere: every parameter and path of the site and the API, on real indexes.

A fixed table of known-nasty values is sent to every query parameter of every endpoint and as
every path segment, over the tiny test index and the bundled content; Hypothesis then generates
more. Every response must be < 500, without a traceback, JSON where JSON is promised, and HTML
without any injected element, attribute or URL. The number of inputs tried is printed at the end.
"""
from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FACETS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang")
SEARCH_PARAMS = ("q", *FACETS, "page", "per_page", "sort", "ui")
SEARCH_ENDPOINTS = ("/", "/api/search")
PRACTICE_PARAMS = ("lang", "ui")
WORDS = "nuoret työllisyys ohjaus valmennus maahanmuuttajat verkosto osallisuus koulutus yritykset".split()

# str values are sent percent-encoded as UTF-8 (lone surrogates as their raw 3-byte form, as a
# hostile client would); bytes values are put into the query string or path exactly as they are.
MARKUP: list[str | bytes] = [
    '<script>alert("xss")</script>', '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>", "javascript:alert(1)", '" onmouseover="alert(1)', "' autofocus onfocus='alert(1)",
    "</title><script>alert(1)</script>", "</textarea><script>alert(1)</script>", "<mark>x</mark><b>y",
    "&lt;script&gt;", "\u0000\u202e<script>alert(1)</script>", b"%3Cscript%3Ealert(1)%3C/script%3E",
]
NASTY: list[str | bytes] = MARKUP + [
    # template, format-string and SQL syntax
    "<!--", "]]>", "{{7*7}}", "{% print 1 %}", "${7*7}", "%s%s%s%n", "{0}", "' OR 1=1 --",
    # query syntax that does not parse
    '"unclosed', "title:(", "AND OR NOT", "[a TO", "^5", "~9", "a^5 b~2", "title:x", "region:Uusimaa",
    "slug:*", "(((", ")))", "{a TO b}", '"a" "b', "NOT", "OR", "-", "--x", "+", "!", "&&", "||", "\\",
    "a\\:b", "*:*", '"', '""', '" "', "NOT -a OR", "- - - OR OR NOT NOT",
    # wildcards
    "*", "a*", "*a*", "?*?*?*", "k*", "?", "n*o*r*e*t*", "*" * 300,
    # huge values
    "x" * 10_000, " ".join(WORDS[i % len(WORDS)] for i in range(2000)),
    " ".join(f"sana{i}" for i in range(2000)), '"' + " ".join(WORDS * 30) + '"',
    " OR ".join(WORDS * 100), "NOT a " * 1000, "ä" * 10_000, "työ" * 200, "a" * 61, "-" * 5000,
    "työllisyyspalvelukokonaisuusuudistushankekoordinaattorikoulutusohjelmapäällikkö " * 40,
    # 24 misspelt words (each one costs a spelling-correction search) and 24 distinct common words
    "kouluzta nuoreqia ohjauzta valmennuzta kotoutumizta yhteistyözä verkoztoa palveluzta asiakkaizta "
    "osallizuus työnhakijoizta osaamizta kehittämizta mallizta menetelmizä työpaikoizla työelämäzä kunnizsa "
    "oppilaitokzissa mentoroinnizta hankkeizsa työllisyydezsä yrityksizlä maahanmuuttajizta",
    "hanke työllisyys nuoret ohjaus koulutus valmennus maahanmuuttajat kotoutuminen yritys yhteistyö verkosto "
    "palvelu asiakas osallisuus työnhakijat osaaminen kehittäminen malli menetelmä työpaikka työelämä kunta "
    "oppilaitos mentorointi",
    # control characters, NUL, invalid UTF-8, surrogates
    "\x00", "a\x00b", "\x1b[31m", "\r\n", "\t", "\x7f", "\ufeff", "\ud800", "\udfff", "a\ud83db",
    b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"a\x00b", b"%",
    b"%zz", b"%%%", b"%ED%A0%80", b"%00", b"a&b=c&&&==", b"q=1;q=2", b"\x80" * 1000,
    # right-to-left marks, emoji, normalisation
    "\u202e", "\u200f", "abc\u202edef", "😀", "👩‍👩‍👧‍👦", "🇫🇮", "😀" * 1000, "A\u0308", "ﬁ", "ı", "ß",
    "\u2028\u2029", "\u0000\u202e<script>",
    # numbers out of range and odd numbers
    "-1", "0", "99999999999999999999", "1e9", "NaN", "inf", "0x10", "１２", "٣", " 5 ", "+5", "1.5",
    str(2**63), "-" + str(2**63),
    # paths and traversal as values
    "../../etc/passwd", "%2e%2e%2f", "..%2f", "/etc/passwd", "C:\\Windows\\win.ini", "file:///etc/passwd",
]

BAD_PATHS = [
    "/practice/../../etc/passwd", "/practice/%2e%2e/%2e%2e/etc/passwd", "/practice/..%2f..%2fetc%2fpasswd",
    "/static/../app/__init__.py", "/static/%2e%2e/__init__.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml", "/static/%2f%2fetc%2fpasswd", "/static//etc/passwd",
    "/static/site.css%00.js", "/static/site.css/..", "/static/..", "/static/.", "/static/", "/api/practice/..%2f..%2f",
    "/api/practice/%2e%2e", "/practice/%ED%A0%80", "/practice/%ff", "//etc/passwd", "/.git/config",
    "/index/CURRENT", "/practice/", "/api/practice/", "/practice/a%2Fb", "/api/../healthz", "/%2e%2e/%2e%2e/",
]
PATH_PREFIXES = ("/practice/", "/api/practice/", "/static/")
# Markup of the payloads that must never reach an HTML page unescaped (escaped text is harmless).
MARKERS = ("<script>alert", "<img src=x", "<svg/onload", "<mark>x</mark><b>",
           "</textarea><script", "</title><script")

TRIED: Counter = Counter()
SLOWEST: dict[str, tuple[float, str]] = {}


# --- sending and checking ------------------------------------------------------------------

def raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def encoded(value: str | bytes) -> bytes:
    """Percent-encoded form of a str value; bytes are sent raw, exactly as given."""
    return value if isinstance(value, bytes) else quote_from_bytes(raw(value), safe="").encode("ascii")


DATA_BLOCK = "application/ld+json"  # a practice page's structured data: never run, "<" escaped inside
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>")
_ATTR = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def html_problems(body: str) -> list[str]:
    """What an injection would add to a page: scripts, styles, event handlers, script URLs, raw payloads.

    A tokenizer in regular expressions (as a browser reads tags), fast enough for thousands of pages.
    """
    problems = [f"raw {m!r}" for m in MARKERS if m in body]
    for tag_match in _TAG.finditer(body):
        tag = tag_match.group(1).lower()
        attrs = {name.lower(): (value or "").strip("\"'") for name, value in _ATTR.findall(tag_match.group(2))}
        if tag == "script" and not attrs.get("src", "").startswith("/static/") and attrs.get("type") != DATA_BLOCK:
            problems.append(f"<script> without our src: {tag_match.group(0)[:80]}")
        if tag in ("style", "iframe", "object", "embed", "base", "frame", "applet"):
            problems.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc"):
                problems.append(f"<{tag} {name}=…>")
            scheme = html.unescape(value).strip().lower().split(":", 1)[0]
            if name in ("href", "src", "action", "formaction", "xlink:href") and scheme in (
                    "javascript", "data", "vbscript"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def get(client, path: str | bytes, query: bytes = b"", label: str = ""):
    """Request ``path`` with a raw query string, as a WSGI server would pass them on; check the response."""
    path_bytes = raw(path)
    environ = {"QUERY_STRING": query.decode("latin-1"), "PATH_INFO": path_bytes.decode("latin-1")}
    started = time.perf_counter()
    resp = client.get("/", environ_overrides=environ)
    elapsed = time.perf_counter() - started
    key = getattr(client.application, "hostile_label", "app")
    TRIED[key] += 1
    if elapsed > SLOWEST.get(key, (0.0, ""))[0]:
        SLOWEST[key] = (elapsed, f"{label or path_bytes[:60]!r} {query[:60]!r}")
    body = resp.get_data(as_text=True)
    where = f"{path_bytes[:80]!r}?{query[:80]!r}"
    assert resp.status_code < 500, where
    assert "Traceback" not in body and 'File "' not in body, where
    is_json_path = path_bytes.startswith(b"/api/") or path_bytes == b"/healthz"
    if is_json_path:
        assert resp.mimetype == "application/json", where
        json.loads(body)
    elif resp.mimetype == "text/html":
        assert html_problems(body) == [], where
    return resp


@pytest.fixture(scope="module")
def tiny_client(app):
    app.hostile_label = "tiny index"
    return app.test_client()


@pytest.fixture(scope="module")
def bundled_client(bundled_app):
    bundled_app.hostile_label = "bundled content"
    return bundled_app.test_client()


def first_slug(client) -> str:
    return client.get("/api/search?per_page=1").get_json()["results"][0]["id"]


class _Summary:
    """A plugin registered by this module: the count goes into pytest's closing summary and its cache."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_terminal_summary(self, terminalreporter) -> None:  # noqa: ANN001
        if not TRIED:
            return
        total = sum(TRIED.values())
        terminalreporter.section("hostile input")
        terminalreporter.write_line(
            f"{total} hostile inputs tried ({', '.join(f'{k}: {v}' for k, v in sorted(TRIED.items()))}); every "
            "request answered < 500, without traceback, with JSON that parses and HTML without injected markup; "
            "every parsed query stayed within the parser's bounds")
        for k, (t, what) in sorted(SLOWEST.items()):
            terminalreporter.write_line(f"slowest on the {k}: {t * 1000:.0f} ms (test client and checks included): {what}")
        if getattr(self.config, "cache", None) is not None:  # absent under -p no:cacheprovider
            self.config.cache.set("hostile/summary", {"tried": dict(TRIED), "slowest_ms": {
                k: round(t * 1000, 1) for k, (t, _) in SLOWEST.items()}})


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    if not request.config.pluginmanager.has_plugin("hostile-summary"):
        request.config.pluginmanager.register(_Summary(request.config), "hostile-summary")


def pair(param: str, value: str | bytes) -> bytes:
    return param.encode() + b"=" + encoded(value)


def everything(value: str | bytes) -> bytes:
    """Every search parameter at once carrying the value, after a real query.

    Huge values go to one parameter at a time only: 13 of them make a query string of up to 800 kB,
    which gunicorn refuses anyway (request lines over 4 kB) and which only measures the test client.
    """
    if len(encoded(value)) > 8000:
        return b"q=nuoret&" + pair("region", value)
    return b"q=nuoret&" + b"&".join(pair(p, value) for p in SEARCH_PARAMS)


# --- the fixed table -----------------------------------------------------------------------------
# HTML pages cost ~10x a JSON answer to render, so the full value x parameter product runs on the
# JSON endpoint; on the HTML page every parameter gets every markup payload alone, and every value
# in one request that carries it in all parameters at once. The bundled content gets every value
# as the query (the expensive parameter) and as a facet value, on the page and the API.

@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_every_parameter_takes_every_value(tiny_client, value):
    for param in SEARCH_PARAMS:
        get(tiny_client, "/api/search", pair(param, value))
    for endpoint in SEARCH_ENDPOINTS:
        get(tiny_client, endpoint, everything(value))


@pytest.mark.parametrize("value", MARKUP, ids=range(len(MARKUP)))
def test_every_page_parameter_escapes_markup(tiny_client, value):
    for param in SEARCH_PARAMS:
        get(tiny_client, "/", pair(param, value))


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_bundled_content_takes_every_query(bundled_client, value):
    for endpoint in SEARCH_ENDPOINTS:
        get(bundled_client, endpoint, pair("q", value) + b"&region=Uusimaa&region=" + encoded(value))


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_practice_pages_and_paths_take_every_value(tiny_client, value):
    slug = first_slug(tiny_client)
    get(tiny_client, "/practice/" + slug, pair("lang", value) + b"&" + pair("ui", value))
    get(tiny_client, "/api/practice/" + slug, pair("lang", value) + b"&" + pair("ui", value))
    for prefix in PATH_PREFIXES:
        resp = get(tiny_client, raw(prefix) + encoded(value))
        assert resp.status_code in (400, 404, 308), (prefix, value)


@pytest.mark.parametrize("path", BAD_PATHS)
def test_traversal_paths_reveal_nothing(tiny_client, path):
    resp = get(tiny_client, path.encode())
    body = resp.get_data(as_text=True)
    assert resp.status_code in (301, 308, 400, 404, 405), path
    assert "[project]" not in body and "root:" not in body and "create_app" not in body


@pytest.mark.parametrize("param", SEARCH_PARAMS)
@pytest.mark.parametrize("endpoint", SEARCH_ENDPOINTS)
def test_repeated_parameters(tiny_client, endpoint, param):
    mixed = [b"", b"1", b"Uusimaa", b"title", b"%3Cscript%3E", b"%ff", b"-1", encoded("kohti työtä")]
    get(tiny_client, endpoint, b"&".join(param.encode() + b"=" + mixed[i % len(mixed)] for i in range(1000)))
    get(tiny_client, endpoint, b"&".join([param.encode()] * 500))  # keys without '='


OTHER_PARAMS = ("q", "region", "lang", "sort", "page", "ui", "ids", "next", "format")


@pytest.mark.parametrize("value", NASTY[::3], ids=range(len(NASTY[::3])))
def test_every_other_page_takes_hostile_parameters(tiny_client, value):
    """Exports, feed, shortlist, statement…: every GET page without URL arguments, found in the URL map."""
    routes = sorted({r.rule for r in tiny_client.application.url_map.iter_rules()
                     if "GET" in r.methods and not r.arguments and r.endpoint != "static"} - set(SEARCH_ENDPOINTS))
    assert len(routes) >= 2  # /healthz and /api/openapi.json at least
    for route in routes:
        get(tiny_client, route, b"&".join(pair(p, value) for p in OTHER_PARAMS))


def test_static_files_are_still_served(tiny_client):
    ok = get(tiny_client, "/static/site.css")
    assert ok.status_code == 200 and ok.mimetype == "text/css"


def test_the_table_is_large():
    """The closing note quotes the count of inputs; the table must not silently shrink."""
    assert len(NASTY) >= 120 and len(MARKUP) >= 12 and len(BAD_PATHS) >= 25


# --- generated input -----------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # includes surrogates and control characters
FRAGMENTS = st.sampled_from([v for v in NASTY if isinstance(v, str) and len(v) < 60])
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.lists(st.one_of(FRAGMENTS, st.text(ANY_CHAR, max_size=8), st.sampled_from(WORDS)), max_size=8).map(" ".join),
)
RAW_BYTES = st.binary(max_size=60)
HYPOTHESIS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@HYPOTHESIS
@given(params=st.lists(st.tuples(st.sampled_from(SEARCH_PARAMS), st.one_of(HOSTILE_TEXT, RAW_BYTES)),
                       min_size=1, max_size=5),
       endpoint=st.sampled_from(SEARCH_ENDPOINTS))
def test_generated_search_input(tiny_client, params, endpoint):
    get(tiny_client, endpoint, b"&".join(k.encode() + b"=" + encoded(v) for k, v in params))


@HYPOTHESIS
@given(segment=st.one_of(HOSTILE_TEXT, RAW_BYTES), prefix=st.sampled_from(PATH_PREFIXES),
       lang=st.one_of(HOSTILE_TEXT, RAW_BYTES))
def test_generated_paths(tiny_client, segment, prefix, lang):
    get(tiny_client, raw(prefix) + encoded(segment))
    get(tiny_client, "/practice/nuorten-uravalmennus", pair("lang", lang) + b"&" + pair("ui", lang))
    get(tiny_client, "/api/practice/nuorten-uravalmennus", pair("lang", lang))


# --- the query parser's bounds (what keeps a hostile query cheap) -----------------------------------

@HYPOTHESIS
@given(text=st.one_of(HOSTILE_TEXT, st.text(ANY_CHAR, max_size=3000),
                      st.lists(st.sampled_from(WORDS + ["OR", "NOT", "-", ":", '"', "*"]), max_size=400).map(":".join)))
def test_parser_bounds_every_query(text):
    from app.search import query as q
    parsed = q.parse(text)
    items = parsed.items() + parsed.must_not
    assert len({tuple(w.casefold() for w in i.words) for i in items}) == len(items) <= q.MAX_ITEMS
    assert all(0 < len(w) <= q.MAX_WORD_CHARS for i in items for w in i.words)
    TRIED["query parser"] += 1


@pytest.mark.parametrize("text, must, must_not", [
    (":".join(f"w{i}" for i in range(200)), [[f"w{i}"] for i in range(24)], []),  # one token, many words
    (" ".join(["nuoret"] * 70), [["nuoret"]], []),
    ("Nuoret nuoret OR aikuiset", [["Nuoret"]], []),  # a AND (a OR b) is a
    ("a OR b b OR a c", [["a", "b"], ["c"]], []),
    ("NOT a -a -A b", [["b"]], ["a"]),
])
def test_parser_bounds_and_drops_repeats(text, must, must_not):
    from app.search import query as q
    parsed = q.parse(text)
    assert [[str(i) for i in g] for g in parsed.must] == must and [str(i) for i in parsed.must_not] == must_not
