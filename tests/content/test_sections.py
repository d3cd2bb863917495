"""The description template: standard headings become sections with anchors; free text stays valid."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.content import load_content
from app.content.render import html_to_text, render_body, render_markdown
from conftest import BUNDLED_CONTENT

TEMPLATE = """Johdanto, jossa on [viite][r] ja alaviite[^1].

## Perusajatus

Ajatus.

## Tulokset ja *arviointi*

- 80 % työllistyi.

> ## Lainattu otsikko

## Mitä opimme

Oma otsikko.

## Tulokset

Toinen tulosotsikko.

[r]: https://example.org/r
[^1]: Alaviite.
"""


def test_standard_headings_become_sections_with_anchors():
    html, sections = render_body(TEMPLATE)
    assert [(s["key"], s["title"], s["anchor"]) for s in sections] == [
        ("basic-idea", "Perusajatus", "section-basic-idea"),
        ("results", "Tulokset ja arviointi", "section-results"),
        (None, "Mitä opimme", "section-3"),
        (None, "Tulokset", "section-4"),  # a second results heading: its own anchor, ids stay unique
    ]
    assert '<div class="part part-results"><h2 id="section-results">Tulokset ja <em>arviointi</em></h2>' in html
    assert '<div class="part part-free"><h2 id="section-3">Mitä opimme</h2>' in html
    assert html.startswith("<p>Johdanto"), "the text before the first heading stays outside the sections"
    assert "<h2>Lainattu otsikko</h2>" in html, "a heading inside a quotation starts no section"
    assert len(re.findall(r'id="section-', html)) == 4


def test_references_and_footnotes_work_across_sections():
    html, _ = render_body(TEMPLATE)
    assert 'href="https://example.org/r"' in html
    assert "Alaviite" in html


def test_free_text_renders_as_before():
    text = "Vain tekstiä.\n\n### Pieni otsikko\n\n- lista"
    html, sections = render_body(text)
    assert sections == () and html == render_markdown(text)


def test_the_build_adds_ids_and_wrappers_an_editor_cannot_forge():
    html, sections = render_body('## <span id="main" class="part">Tulokset</span>\n\n<div class="part-results">x</div>')
    assert sections[0]["key"] is None or sections[0]["key"] == "results"
    assert 'id="main"' not in html and "<div class=\"part-results\">" not in html
    assert html.count("<div") == 1


def test_indexed_text_keeps_the_headings_and_paragraphs():
    html, _ = render_body(TEMPLATE)
    text = html_to_text(html)
    assert "Perusajatus\n\nAjatus." in text and "80 % työllistyi." in text


def test_every_bundled_practice_follows_the_template():
    """Every bundled description opens with the basic idea; those whose sources say what it achieved have a
    results section (content/RESEARCH.md lists what was found for each)."""
    practices = load_content(BUNDLED_CONTENT).practices
    assert practices
    for p in practices:
        keys = [s["key"] for s in p.sections]
        assert keys and keys[0] == "basic-idea" and None not in keys, (p.slug, p.lang, keys)
    assert sum("results" in [s["key"] for s in p.sections] for p in practices) >= 12


@given(st.text(alphabet=st.sampled_from([" ", "\t", "\n", "a", "ä", "<", ">", "&", "p", "/"]), max_size=60))
def test_spaces_are_collapsed_as_the_readable_rule_says(text):
    """html_to_text's runs of spaces and tabs become one space, as re.sub(r"[ \\t]+", " ", …) would
    make them (its pattern leaves single spaces alone, which made it ten times as fast)."""
    from app.content import render

    assert render._SPACES.sub(" ", text) == re.sub(r"[ \t]+", " ", text)
