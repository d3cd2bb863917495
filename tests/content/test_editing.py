"""Files as editors' own tools write them: front matter with their habits, Markdown as their previewers show it."""
from __future__ import annotations

import pytest

from app.content import load_content, render_markdown
from conftest import GOOD_PRACTICE



def _load(content_dir, text):
    (content_dir / "practices" / "x.fi.md").write_text(text, encoding="utf-8")
    result = load_content(content_dir)
    return result, [str(p) for p in result.problems if "x.fi.md" in p.path]


@pytest.mark.parametrize("change", [
    ("---\ntitle", "--- \ntitle"),  # trailing spaces after the dashes
    ("TL 3 et 6.1\n---", "TL 3 et 6.1\n---\t"),
    ("themes: [kohti työtä]", "themes: kohti työtä, asiakasohjaus"),  # a list as one text with commas
    ("themes: [kohti työtä]", "themes:\n\t- kohti työtä"),  # indented with a tab, which YAML refuses
    ("title:", "Title:"),  # a capital, as some tools write keys
    ("regions: [Etelä-Savo]", "regions: [Södra Savolax]"),  # the Swedish name of the region
], ids=["dashes-trailing-space", "closing-dashes-tab", "comma-list", "tab-indent", "capital-key", "swedish-name"])
def test_front_matter_as_tools_write_it_is_read_as_meant(content_dir, change):
    result, problems = _load(content_dir, GOOD_PRACTICE.replace(*change))
    assert problems == []
    x = next(p for p in result.practices if p.slug == "x")
    assert x.title == "Hyvä käytäntö" and x.regions == ("Etelä-Savo",) and "kohti työtä" in x.themes


def test_a_comma_list_with_an_unknown_part_names_that_part(content_dir):
    _, problems = _load(content_dir, GOOD_PRACTICE.replace("themes: [kohti työtä]", "themes: kohti työtä, ei teema"))
    assert problems == ["content/practices/x.fi.md:5: themes: 'ei teema' is not a known theme [KP208]"]


def test_a_key_given_twice_in_two_cases_is_not_merged(content_dir):
    _, problems = _load(content_dir, GOOD_PRACTICE.replace("project: Hanke", "project: Hanke\nProject: Toinen"))
    assert problems == ["content/practices/x.fi.md:4: Project: unknown field (did you mean 'project'?) [KP201]"]


def test_a_list_straight_after_a_paragraph_is_a_list():
    html = render_markdown("Käytännön vaiheet:\n- alkuhaastattelu\n- ryhmävalmennus\n\nJärjestys:\n1. eka\n2. toka\n")
    assert html.startswith("<p>Käytännön vaiheet:</p>\n<ul>\n<li>alkuhaastattelu</li>\n<li>ryhmävalmennus</li>")
    assert "<p>Järjestys:</p>\n<ol>\n<li>eka</li>" in html


def test_lists_nest_by_two_spaces_as_in_the_previewers():
    assert "<li>a\n<ul>\n<li>b</li>" in render_markdown("- a\n  - b\n")


@pytest.mark.parametrize("text, expected", [
    ("| a | b |\n|---|---|\n| 1 | 2 |\n", "<td>1</td>"),
    ("Term\n: definition\n", "<dt>Term</dt>"),
    ("Text[^1]\n\n[^1]: Note.\n", "<sup"),
    ("```\ncode\n```\n", "<pre><code>code"),
])
def test_what_python_markdowns_extra_gave_is_still_there(text, expected):
    assert expected in render_markdown(text)
