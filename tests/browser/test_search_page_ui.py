"""The search page of issue 12 in Chromium, as a planner meets it at desktop (1280×900) and phone (390×844)
widths, with and without JavaScript: the overview on the entry page and the results first once a filter
is chosen; the large area › region and period › axis › objective trees; a facet order that stays put;
"Show N results" on a phone; result rows with themes, target groups and a language badge; the codes
explained in Swedish and English. (tests/web/test_facet_trees.py checks the same HTML on the server.)"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from app.content.vocabularies import load_vocabularies

ROOT = Path(__file__).resolve().parents[2]
VOCAB = load_vocabularies(ROOT / "content" / "vocabularies")
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TL3 = "2014–2020 TL 3"
OVER_NARROW = "/?region=Uusimaa&target_group=maahanmuuttajat&axis=TL+5"


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations)


def _open(new_context, size: str, js: bool = True):  # noqa: ANN001
    return new_context(viewport=SIZES[size], java_script_enabled=js).new_page()


def _total(page) -> int:  # noqa: ANN001
    return int(page.locator("#search-body").get_attribute("data-total"))


def _api_total(page, query: str) -> int:  # noqa: ANN001
    response = page.request.get("/api/search", params=query)
    assert response.ok
    return response.json()["total"]


def _box(page, selector: str) -> dict | None:  # noqa: ANN001
    """An element's box, both in the viewport (top, bottom) and in the document (doc_top); None if absent."""
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel);
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, doc_top: r.top + window.scrollY};
    }""", selector)


def _in_view(page, selector: str, size: str) -> bool:  # noqa: ANN001
    """The element's top line can be read without scrolling: it starts inside the window (a scroll to an
    element may leave it a fraction of a pixel above the top)."""
    box = _box(page, selector)
    return bool(box) and -1 <= box["top"] and box["top"] + 20 <= SIZES[size]["height"]


def _show_filters(page) -> None:  # noqa: ANN001
    """A phone with JavaScript starts with the filters closed: open them as a person would."""
    panel = page.locator("details.filter-panel")
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    assert panel.evaluate("el => el.open")


def _checkboxes(page, fieldset: str) -> list[tuple[str, str]]:  # noqa: ANN001
    return [tuple(pair) for pair in page.evaluate("""(id) => [...document.querySelectorAll(`#${id} input[type=checkbox]`)]
                            .map(b => [b.name, b.value])""", fieldset)]


def _tick(page, name: str, value: str, js: bool) -> None:  # noqa: ANN001
    """Tick a filter: with JavaScript it applies at once; without, with the form's button."""
    page.locator(f'input[type=checkbox][form="search-form"][name="{name}"][value="{value}"]').check()
    if js:
        page.wait_for_function("([n, v]) => new URLSearchParams(location.search).getAll(n).includes(v) && "
                               "!document.getElementById('search-body').hasAttribute('aria-busy')", arg=[name, value])
        page.wait_for_function("([n, v]) => document.querySelector("
                               "`input[form=search-form][name='${n}'][value='${v}']`)?.checked", arg=[name, value])


def _apply(page) -> None:  # noqa: ANN001
    with page.expect_navigation():
        page.locator("button.apply").click()


def _indent(page, name: str, value: str) -> float:  # noqa: ANN001
    return page.locator(f'input[type=checkbox][form="search-form"][name="{name}"][value="{value}"]').bounding_box()["x"]


# --- results first --------------------------------------------------------------------------------

@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_entry_page_shows_the_overview_and_a_map_tile_brings_the_results_first(new_context, shot, size, js):
    page = _open(new_context, size, js)
    page.goto("/?ui=fi")
    overview, first = _box(page, ".overview"), _box(page, ".result")
    assert overview and first and overview["doc_top"] < first["doc_top"], "the entry page opens with the overview"
    assert page.locator(".overview table.matrix").is_visible() and page.locator(".overview svg.tile-map").is_visible()
    if size == "desktop" or js:  # (a phone without JavaScript has the open filters above it)
        assert _in_view(page, ".overview", size), "the overview is where the entry page starts"
    shot(page, f"search-entry-{size}-{'js' if js else 'nojs'}-fi")
    with page.expect_navigation():
        page.locator('svg.tile-map a.tile[href*="region=Pohjois-Karjala"]').click()
    assert "region=Pohjois-Karjala" in page.url
    assert _total(page) == _api_total(page, "region=Pohjois-Karjala") > 1
    first, overview = _box(page, ".result"), _box(page, ".overview")
    assert overview and first["doc_top"] < overview["doc_top"], "once a filter is chosen the results come first"
    assert _in_view(page, ".result", size), f"the first result starts at {first['top']:.0f} px, out of view"
    shot(page, f"search-filtered-{size}-{'js' if js else 'nojs'}-fi", full_page=False)


@pytest.mark.parametrize("size", list(SIZES))
def test_without_javascript_the_filter_form_brings_the_results_into_view(new_context, shot, size):
    page = _open(new_context, size, js=False)
    page.goto("/?ui=fi")
    assert page.locator("details.filter-panel").evaluate("el => el.open"), "without JavaScript the filters are open"
    _tick(page, "region", "Pohjois-Karjala", js=False)
    _tick(page, "axis", TL3, js=False)
    _apply(page)
    assert _total(page) == _api_total(page, f"region=Pohjois-Karjala&axis={TL3}") > 0
    assert page.locator(".chips").is_visible()
    assert _in_view(page, ".result", size), f"the first result starts at {_box(page, '.result')['top']:.0f} px"
    assert _in_view(page, "#results-heading", size)
    overview = _box(page, ".overview")
    assert overview is None or _box(page, ".result")["doc_top"] < overview["doc_top"]
    shot(page, f"search-filter-form-{size}-nojs-fi", full_page=False)


@pytest.mark.parametrize(("size", "js"), [("phone", False), ("phone", True), ("desktop", False)],
                         ids=["phone-nojs", "phone-js", "desktop-nojs"])
def test_a_shared_filtered_link_on_a_phone_without_javascript_offers_its_results_at_once(new_context, shot, size, js):
    """A link opened from elsewhere starts at the page's top. On a phone without JavaScript the open
    filters stand between it and the results, so a "Show N results" link comes first; with JavaScript
    (the filters closed) or on a wide screen (the results beside them) there is none."""
    page = _open(new_context, size, js=js)
    page.goto(f"/?region=Pohjois-Karjala&axis={TL3}&ui=fi")
    total = _total(page)
    assert total == _api_total(page, f"region=Pohjois-Karjala&axis={TL3}") > 0
    jump = page.locator(".jump-to-results a")
    if size == "phone" and not js:
        assert not _in_view(page, ".result", size), "the results start below the first screen"
        assert jump.is_visible() and _in_view(page, ".jump-to-results", size)
        assert jump.inner_text() == (f"Näytä {total} tulosta" if total > 1 else "Näytä 1 tulos")
        shot(page, "search-shared-link-phone-nojs-fi", full_page=False)
        jump.click()
        assert _in_view(page, "#results-heading", size) and _in_view(page, ".result", size)
    else:
        assert not jump.is_visible()
    page.goto("/?ui=fi")  # the entry page: its overview comes first anyway
    assert not page.locator(".jump-to-results").count()


@pytest.mark.parametrize("size", list(SIZES))
def test_without_javascript_the_next_page_a_new_order_or_a_filter_less_keeps_the_results_in_view(new_context, size):
    page = _open(new_context, size, js=False)
    page.goto("/?q=nuoret&per_page=5&ui=fi")
    assert _total(page) > 10
    first = page.locator(".result h3").first.inner_text()
    with page.expect_navigation():
        page.locator("nav.pagination a[rel=next]").click()
    assert "page=2" in page.url and page.locator(".result h3").first.inner_text() != first
    assert _in_view(page, ".result", size), f"page 2 starts at {_box(page, '.result')['top']:.0f} px"
    with page.expect_navigation():
        page.locator("p.sort").get_by_role("link", name="uusimmat").click()
    assert "sort=newest" in page.url and _in_view(page, ".result", size)
    page.goto(f"/?region=Pohjois-Karjala&axis={TL3}&ui=fi")
    with page.expect_navigation():
        page.locator(".chips a", has_text="Toimintalinja").click()
    assert _total(page) == _api_total(page, "region=Pohjois-Karjala") and _in_view(page, ".result", size)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_hint_for_over_narrow_filters_is_in_view(new_context, shot, size, js):
    page = _open(new_context, size, js)
    if js:  # a link to such a search, e.g. from a shared address
        page.goto(OVER_NARROW + "&ui=fi")
    else:  # several boxes ticked at once, then the button
        page.goto("/?ui=fi")
        for name, value in (("region", "Uusimaa"), ("target_group", "maahanmuuttajat"), ("axis", "2014–2020 TL 5")):
            _tick(page, name, value, js=False)
        _apply(page)
    assert _total(page) == 0
    hint = page.locator(".no-results")
    assert hint.is_visible() and "Hakuasi vastaavia käytäntöjä ei löytynyt." in hint.inner_text()
    assert _in_view(page, ".no-results", size), f"the hint starts at {_box(page, '.no-results')['top']:.0f} px"
    assert page.locator(".overview").count() == 0, "no overview of nothing pushes anything down"
    assert hint.locator("a").count() >= 1, "the hint offers a way out (a filter less, or none)"
    shot(page, f"search-over-narrow-{size}-{'js' if js else 'nojs'}-fi", full_page=False)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_facet_tap_on_a_phone_offers_show_n_results(new_context, axe, shot, size):
    page = _open(new_context, size)
    page.goto("/?ui=fi")
    if size == "phone":
        assert not page.locator("details.filter-panel").evaluate("el => el.open"), "a phone starts with the filters closed"
    _show_filters(page)
    _tick(page, "region", "Etelä-Savo", js=True)
    total = _total(page)
    assert total == _api_total(page, "region=Etelä-Savo") > 1
    link = page.locator("a.show-results")
    if size == "desktop":
        assert not link.is_visible(), "beside the filters the results need no such link"
        assert _box(page, ".result")["doc_top"] < SIZES[size]["height"], "the first result is in the first screenful"
        return
    assert page.locator("details.filter-panel").evaluate("el => el.open"), "the filters stay open for the next tap"
    assert link.is_visible()
    assert link.inner_text().strip() == f"Näytä {total} tulosta"
    assert int(re.search(r"\d+", link.inner_text()).group()) == page.locator(".result").count() == total
    box = link.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= SIZES[size]["height"], "the link is on the screen where the tap was"
    link.hover()  # a touch screen keeps :hover on what was tapped last: the text must stay readable
    violations = axe(page)
    shot(page, "search-show-n-results-phone-js-fi", full_page=False)
    assert not violations, _describe(violations)
    link.click()
    page.wait_for_function("() => location.hash === '#results-heading'")
    page.wait_for_function("() => { const r = document.getElementById('results-heading').getBoundingClientRect();"
                           " return r.top >= -1 && r.top < 100; }")
    assert _in_view(page, ".result", size)
    assert parse_qs(urlsplit(page.url).query)["region"] == ["Etelä-Savo"] and _total(page) == total, \
        "the link only scrolls, the search stays"


# --- the trees ------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", list(SIZES))
def test_regions_are_grouped_under_their_large_areas(new_context, shot, size):
    page = _open(new_context, size)
    page.goto("/?ui=fi")
    _show_filters(page)
    values = _checkboxes(page, "facet-region")
    areas = [v for n, v in values if n == "large_area"]
    assert areas == [a for a in VOCAB.large_areas if a in areas] and len(areas) >= 3
    current = None
    for name, value in values:
        if name == "large_area":
            current = value
            continue
        parent = VOCAB.regions[value].parent
        if parent:
            assert parent == current, f"{value} is listed under {current}, not its large area {parent}"
            assert _indent(page, "region", value) > _indent(page, "large_area", parent) + 8, f"{value} is indented"
    national = ("region", "koko maa")
    assert national in values, "national practices are shown as such"
    assert _indent(page, *national) == pytest.approx(_indent(page, "large_area", areas[0]), abs=1), \
        "'koko maa' stands apart, not under a large area"
    assert page.locator("#facet-region label").get_by_text("koko maa").is_visible()
    if size == "phone":
        page.locator("#facet-region").scroll_into_view_if_needed()
        shot(page, "search-facet-trees-open-phone-js-fi", full_page=False)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the open trees are {overflow} px too wide"
    else:
        shot(page, "search-facet-trees-open-desktop-js-fi")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_tl_tree_nests_period_axis_objective_and_an_axis_narrows(new_context, shot, js):
    page = _open(new_context, "desktop", js)
    page.goto("/?ui=fi")
    tree = page.locator("#facet-priority")
    values = _checkboxes(page, "facet-priority")
    assert values.index(("period", "2014–2020")) < values.index(("axis", TL3)) < values.index(("objective", "6.1")) \
        < values.index(("period", "2021–2027")) < values.index(("axis", "2021–2027 TL 5")) \
        < values.index(("objective", "5.1"))
    x = {key: _indent(page, *key) for key in [("period", "2014–2020"), ("axis", TL3), ("objective", "6.1")]}
    assert x[("period", "2014–2020")] + 8 < x[("axis", TL3)] < x[("objective", "6.1")] - 8, "visibly nested"
    text = tree.inner_text()
    for name in ("Kestävää kasvua ja työtä 2014–2020", "Uudistuva ja osaava Suomi 2021–2027",
                 "TL 3 – Työllisyys ja työvoiman liikkuvuus", "TL 5 – Sosiaalisten innovaatioiden Suomi"):
        assert name in text, f"each period's own names: {name}"
    before = _total(page)
    _tick(page, "axis", TL3, js)
    if not js:
        _apply(page)
    narrowed = _total(page)
    assert narrowed == _api_total(page, f"axis={TL3}") and 0 < narrowed < before
    objectives = [v for n, v in _checkboxes(page, "facet-priority") if n == "objective"]
    assert {"6.1", "7.1", "8.1"} <= set(objectives), "the chosen axis shows its objectives"
    assert "5.1" not in objectives and "9.1" not in objectives, "objectives of other axes, with nothing to add, are not"
    for objective in ("6.1", "7.1", "8.1"):
        assert page.locator(f'#facet-priority input[name=objective][value="{objective}"]').is_visible()
    assert page.locator(f'#facet-priority input[name=axis][value="{TL3}"]').is_checked()
    shot(page, f"search-tl-tree-axis-chosen-desktop-{'js' if js else 'nojs'}-fi")
    # An objective narrows further.
    _tick(page, "objective", "7.1", js)
    if not js:
        _apply(page)
    assert _total(page) == _api_total(page, f"axis={TL3}&objective=7.1") < narrowed


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_facet_values_keep_their_order_after_a_click(new_context, js):
    page = _open(new_context, "desktop", js)
    page.goto("/?q=nuoret&ui=fi")
    facets = page.evaluate("[...document.querySelectorAll('.facets fieldset.facet')].map(f => f.id)")
    assert {"facet-region", "facet-priority", "facet-theme"} <= set(facets)
    before = {f: _checkboxes(page, f) for f in facets}
    # Later values, whose counts are not the largest: re-sorting by count would move things.
    for name, fieldset in (("theme", "facet-theme"), ("region", "facet-region")):
        listed = _checkboxes(page, fieldset)
        value = [v for n, v in listed if n == name][-2]
        _tick(page, name, value, js)
        if not js:
            _apply(page)
        after = {f: _checkboxes(page, f) for f in facets if page.locator(f"#{f}").count()}
        for f, values in after.items():
            kept = [v for v in values if v in before[f]]
            assert kept == [v for v in before[f] if v in values], f"{f} was re-sorted after ticking {value}"
        assert after[fieldset] == listed, "the facet just used lists the same values in the same order"


# --- result rows ----------------------------------------------------------------------------------

@pytest.mark.parametrize("size", list(SIZES))
def test_result_rows_show_themes_groups_period_and_a_language_badge(new_context, shot, size):
    page = _open(new_context, size)
    page.goto("/?ui=sv&per_page=30")
    data = page.request.get("/api/search", params="per_page=30&ui=sv").json()
    rows = page.locator("li.result")
    assert rows.count() == len(data["results"]) > 5
    badges = 0
    for i, result in enumerate(data["results"]):
        row = rows.nth(i)
        assert row.get_attribute("id") == f"r-{result['slug']}"
        title = row.locator("h3 a")
        badge = row.locator(".lang-badge")
        if result["lang"] == "sv":
            assert badge.count() == 0 and title.get_attribute("lang") is None
        else:
            badges += 1
            assert badge.is_visible() and badge.inner_text() == VOCAB.label("lang", result["lang"], "sv")
            assert title.get_attribute("lang") == result["lang"], "screen readers read the title in its language"
        tags = row.locator(".tag.theme").all_inner_texts()
        assert tags == [VOCAB.label("theme", t, "sv") for t in result["themes"]]
        groups = row.locator(".tag.group").all_inner_texts()
        assert groups == [VOCAB.label("target_group", g, "sv") for g in result.get("target_groups") or []]
        # the codes in words in Swedish, then the period: "TL 3 et 6.1 (prioriterat område 3, särskilt mål 6.1; 2014–2020)"
        assert re.search(rf"\(prioriterat område [0-9]+(, särskilt mål [0-9.]+)?; {re.escape(result['period'])}\)",
                         row.locator(".project").inner_text())
    assert badges and badges < rows.count(), "some rows are in Swedish, the others say their language"
    assert page.locator(".lang-badge", has_text="finska").first.is_visible()
    first = rows.first
    toggle = first.locator("button.sl-toggle")
    background = toggle.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background in ("rgba(0, 0, 0, 0)", "transparent"), "the shortlist control is a light toggle, not a button"
    assert first.locator('label.compare-pick input[type=checkbox][form="compare-form"]').is_visible()
    assert page.locator(".result .tag.group").count() > 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"rows are {overflow} px too wide"
    page.locator(".result-list").scroll_into_view_if_needed()
    shot(page, f"search-result-rows-{size}-sv", full_page=False)


@pytest.mark.parametrize("lang, axis, objective, elsewhere", [
    ("sv", "TL 3 (prioriterat område 3) – Sysselsättning och arbetskraftens rörlighet", "Särskilt mål 6.1: Främja",
     "Östra Finland"),
    ("en", "TL 3 (priority axis 3) – Employment and labour mobility", "Specific objective 6.1: Promotion",
     "Eastern Finland"),
])
def test_the_codes_are_explained_in_swedish_and_english(page, shot, lang, axis, objective, elsewhere):
    page.goto(f"/?ui={lang}")
    tree = page.locator("#facet-priority")
    assert page.locator("html").get_attribute("lang") == lang
    assert tree.get_by_text(axis).is_visible()
    assert tree.get_by_text(objective).is_visible()
    assert page.locator("#facet-region").get_by_text(elsewhere).is_visible(), "large areas in the interface language"
    assert "erityistavoite" not in tree.inner_text().lower() and "toimintalinja" not in tree.inner_text().lower()
    shot(page, f"search-codes-{lang}")
