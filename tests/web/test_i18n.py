"""Three interface languages: complete catalogues, the choice of language, labels, numbers and dates."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "web" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _key(message) -> tuple:  # noqa: ANN001
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


def test_template_catalogue_has_every_message_of_the_code():
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {(context, msgid if isinstance(msgid, str) else msgid[0])
             for _, _, msgid, _, context in extract_from_dir(str(ROOT), method_map, options_map)}
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        pot = {_key(m) for m in read_po(fh) if m.id}
    assert found == pot, "run pybabel extract and update (see babel.cfg)"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_are_complete_with_the_same_placeholders(lang):
    catalog = _catalog(lang)
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        assert {_key(m) for m in read_po(fh) if m.id} == {_key(m) for m in catalog if m.id}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: untranslated {ids[0]!r}"
        assert "fuzzy" not in message.flags, f"{lang}: fuzzy {ids[0]!r}"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ids[0])), f"{lang}: {ids[0]!r}"
    assert not [errors for _, errors in catalog.check() if errors]


@pytest.mark.parametrize("headers, query, expected", [
    ({}, "", "fi"),
    ({"Accept-Language": "sv-FI,sv;q=0.9"}, "", "sv"),
    ({"Accept-Language": "en-GB,en;q=0.8"}, "", "en"),
    ({"Accept-Language": "de-DE"}, "", "fi"),
    ({"Accept-Language": "sv"}, "?ui=en", "en"),
    ({}, "?ui=xx", "fi"),
])
def test_interface_language_from_choice_then_browser_then_finnish(app, headers, query, expected):
    html = app.test_client().get(f"/{query}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_an_explicit_choice_is_remembered(app):
    client = app.test_client()
    client.get("/?ui=sv")
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_the_interface_is_translated(client):
    fi = client.get("/?ui=fi").get_data(as_text=True)
    sv = client.get("/?ui=sv").get_data(as_text=True)
    en = client.get("/?ui=en").get_data(as_text=True)
    assert "Siirry sisältöön" in fi and "Hoppa till innehållet" in sv and "Skip to content" in en


def test_language_switch_links_keep_the_search(client):
    html = client.get("/?q=nuorille&region=Pohjois-Karjala&sort=title").get_data(as_text=True)
    nav = html.split('class="lang-switch"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert len(links) == 3
    for link, code in zip(links, ("fi", "sv", "en")):
        link = link.replace("&amp;", "&")
        assert f"ui={code}" in link and "q=nuorille" in link and "region=Pohjois-Karjala" in link and "sort=title" in link


def test_switch_on_a_practice_page_drops_the_content_language(client):
    html = client.get("/practice/nuorten-uravalmennus?lang=en").get_data(as_text=True)
    nav = html.split('class="lang-switch"', 1)[1].split("</nav>", 1)[0]
    assert "lang=en" not in nav and "/practice/nuorten-uravalmennus?ui=sv" in nav


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_facet_and_vocabulary_labels_in_the_interface_language(app, lang):
    vocab = app.extensions["search"].vocab
    html = app.test_client().get(f"/?ui={lang}").get_data(as_text=True)
    for facet, value in (("theme", "kohti työtä"), ("region", "Pohjois-Karjala"), ("axis", "TL 3")):
        assert vocab.label(facet, value, lang) in html


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_dates_are_written_in_the_interface_language(app, lang):
    built = dt.datetime.fromisoformat(app.extensions["search"].stats()["built_at"])
    html = app.test_client().get(f"/?ui={lang}").get_data(as_text=True)
    assert format_date(built, "long", locale=lang) in html


def test_numbers_use_the_interface_locale(app):
    from flask_babel import format_decimal
    with app.test_request_context("/?ui=fi"):
        assert app.jinja_env.filters["decimalformat"](12345) == "12\xa0345"  # the filter the templates use
    with app.test_request_context("/?ui=en"):
        assert format_decimal(12345) == "12,345"


@pytest.mark.parametrize("ui, note_word", [("sv", "finska"), ("en", "Finnish")])
def test_untranslated_practice_keeps_its_language_with_a_note(client, ui, note_word):
    html = client.get(f"/practice/kielikoulutus?ui={ui}").get_data(as_text=True)
    assert '<article class="practice" lang="fi">' in html
    note = re.search(r'<p class="notice" lang="(\w+)">([^<]+)</p>', html)
    assert note and note.group(1) == ui and note_word in note.group(2)


def test_translated_practice_is_shown_in_the_interface_language(client):
    html = client.get("/practice/nuorten-uravalmennus?ui=sv").get_data(as_text=True)
    assert '<article class="practice" lang="sv">' in html and "Karriärcoachning för unga" in html
    assert 'class="notice"' not in html


@pytest.mark.parametrize("lang, heading", [("fi", "Saavutettavuusseloste"), ("sv", "Tillgänglighetsutlåtande"),
                                           ("en", "Accessibility statement")])
def test_accessibility_statement_in_three_languages(client, lang, heading):
    resp = client.get(f"/accessibility?ui={lang}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f'<html lang="{lang}">' in html
    assert f"<h1 id=\"statement-title\">{heading}</h1>" in html
    assert "axe-core" in html and "WCAG 2.1" in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    # No "TO BE FILLED IN" placeholders: an installation without a publisher says it is a demonstration,
    # the supervisory authority is named from public sources (templates/accessibility.html), and the only
    # e-mail address is the authority's: none is invented for the service.
    assert 'class="placeholder"' not in main and "TÄYDENTÄÄ" not in main and "FILLED IN" not in main
    assert {"fi": "esittelyasennus", "sv": "demonstrationsinstallation", "en": "demonstration installation"}[lang] in main
    assert "Traficom" in main
    assert set(re.findall(r"[\w.+-]+@[\w.-]+", main)) == {"saavutettavuus@traficom.fi"}


# --- the browser's language: quality first, then the primary subtag (issue 12) -------------------

@pytest.mark.parametrize("header, expected", [
    ("sv-FI,fi;q=0.9,en;q=0.8", "sv"),  # Swedish-speaking Finns' default: the region-qualified first choice wins
    ("sv-SE", "sv"),
    ("en-US,en;q=0.9,fi;q=0.8", "en"),
    ("fi-FI,sv;q=0.9,en;q=0.8", "fi"),
    ("de-DE,de;q=0.9,sv-FI;q=0.7,fi;q=0.6", "sv"),  # no German: the next language by quality
    ("fi;q=0.2,en-GB;q=0.7", "en"),  # by quality, not by position
    ("EN-gb", "en"),
    ("sv;q=0,en;q=0.5", "en"),  # q=0: "not Swedish"
    ("nb-NO,no;q=0.9,da;q=0.8", "fi"),  # none of ours: Finnish
    ("*", "fi"),
])
def test_browser_language_by_quality_and_primary_subtag(app, header, expected):
    html = app.test_client().get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html, header


# --- catalogues that are not compiled fail the start, not the visitor (issue 12) -----------------

def _translations_copy(tmp_path: Path) -> Path:
    import shutil
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy)
    return copy


def _start(built_index, tiny_content, translations: Path):
    import secrets

    from app import create_app
    return create_app({"INDEX_DIR": str(built_index), "CONTENT_DIR": str(tiny_content),
                       "SECRET_KEY": secrets.token_hex(16), "BABEL_TRANSLATION_DIRECTORIES": str(translations)})


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_missing_compiled_catalogue_stops_the_start(built_index, tiny_content, tmp_path, lang):
    translations = _translations_copy(tmp_path)
    (translations / lang / "LC_MESSAGES" / "messages.mo").unlink()
    with pytest.raises(RuntimeError, match=rf"{lang}/LC_MESSAGES/messages.mo is missing.*pybabel compile"):
        _start(built_index, tiny_content, translations)


def test_a_catalogue_older_than_its_source_stops_the_start(built_index, tiny_content, tmp_path):
    import os
    translations = _translations_copy(tmp_path)
    po = translations / "sv" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_atime, po.stat().st_mtime - 60))  # the .po was edited after the last compile
    with pytest.raises(RuntimeError, match=r"sv/LC_MESSAGES/messages.mo is older than messages.po"):
        _start(built_index, tiny_content, translations)


def test_compiled_catalogues_start_and_show_the_interface_language(built_index, tiny_content, tmp_path):
    app = _start(built_index, tiny_content, _translations_copy(tmp_path))
    html = app.test_client().get("/?ui=sv").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Hoppa till innehållet" in html
