"""Every validation rule has a failing example; messages name file, line and field."""
from pathlib import Path

import pytest

from app.content import load_content, render_markdown
from conftest import GOOD_PRACTICE, make_content



def problems_for(tmp_path: Path, text: str | bytes, name: str = "x.fi.md") -> list[str]:
    root = make_content(tmp_path / "content", practices={})
    path = root / "practices" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return [str(p) for p in load_content(root).problems]


@pytest.mark.parametrize("change, expected", [
    (("regions: [Etelä-Savo]", "regions: [Pohjois Karjala]"),
     "content/practices/x.fi.md:4: regions: 'Pohjois Karjala' is not a known region (did you mean 'Pohjois-Karjala'?)"),
    (("title: Hyvä käytäntö\n", ""), "content/practices/x.fi.md:1: title: missing"),
    (("project: Hanke\n", ""), "project: missing"),
    (("themes: [kohti työtä]", "themes: [kohti tyota]"), "x.fi.md:5: themes: 'kohti tyota' is not a known theme (did you mean 'kohti työtä'?)"),
    (("themes: [kohti työtä]", "themes: []"), "themes: empty"),
    (("regions: [Etelä-Savo]\n", ""), "regions: missing"),
    (("priority: TL 3 et 6.1", "priority: TL 3 et 9.1"), "x.fi.md:6: priority: specific objective 9.1 is not under TL 3 in 2014–2020"),
    (("priority: TL 3 et 6.1", "priority: TL 1 et 1.1"), "priority: TL 1 is not an ESF priority axis of 2014–2020"),
    (("priority: TL 3 et 6.1", "priority: kuutonen"), "priority: 'kuutonen' is not of the form 'TL 3 et 6.1'"),
    (("priority: TL 3 et 6.1", "priority: TL 3 et 6.2"), "specific objective 6.2 is not under TL 3"),
    (("priority: TL 3 et 6.1", "priority: TL 4 et 4.1\nperiod: 2014–2020"), "specific objective 4.1 is not under TL 4 in 2014–2020"),
    (("priority: TL 3 et 6.1\n", ""), "priority: missing"),
    (("priority: TL 3 et 6.1", "priority: TL 3 et 6.1\nperiod: 2007–2013"), "period: '2007–2013' is not a programme period"),
    (("title: Hyvä käytäntö", "title: 2017"), "x.fi.md:2: title: must be text, but YAML read this as the number 2017"),
    (("title: Hyvä käytäntö", "title: NO"), "title: must be text, but YAML read this as the yes/no value False"),
    (("regions: [Etelä-Savo]", "regions: [NO]"), "regions: 'False' is not text"),
    (("title: Hyvä käytäntö", "title: 2019-05-01"), "YAML read this as the date 2019-05-01"),
    (("title: Hyvä käytäntö", "title: [a"), "x.fi.md:3: YAML syntax error"),
    (("title: Hyvä käytäntö", "title: 'unclosed"), "YAML syntax error"),
    (("title: Hyvä käytäntö", "title: Hyvä\ntitle: Toinen"), "x.fi.md:3: title: appears twice (also on line 2)"),
    (("title: Hyvä käytäntö", "titel: Hyvä käytäntö"), "titel: unknown field (did you mean 'title'?)"),
    (("Kuvaus käytännöstä.\n", "\n  \n"), "body: empty"),
    (("target_groups", "target_groups"), None),
    (("themes: [kohti työtä]", "themes: [kohti työtä]\ntarget_groups: [lapset]"), "target_groups: 'lapset' is not a known target group"),
    (("themes: [kohti työtä]", "themes: [kohti työtä]\norganisations: Xamk"), None),
])
def test_validation_rules(tmp_path, change, expected):
    problems = problems_for(tmp_path, GOOD_PRACTICE.replace(*change))
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("text, expected", [
    (GOOD_PRACTICE.replace("---\ntitle", "title", 1), "no front matter"),
    ("---\ntitle: x\n", "front matter is not closed"),
    ("---\n- a\n- b\n---\nbody\n", "x.fi.md:2: the front matter must be 'field: value' lines, but it is a list"),
    (b"---\ntitle: \xff\xfe\n---\n", "x.fi.md:2: not UTF-8 text"),
])
def test_file_level_problems(tmp_path, text, expected):
    problems = problems_for(tmp_path, text)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("name", ["X.fi.md", "x.de.md", "x.md", "x_y.fi.md", "x.fi.txt", "-x.fi.md"])
def test_bad_file_names(tmp_path, name):
    problems = problems_for(tmp_path, GOOD_PRACTICE, name)
    assert any("bad file name" in p for p in problems), problems


def test_bom_and_crlf_are_accepted(tmp_path):
    data = ("\ufeff" + GOOD_PRACTICE).replace("\n", "\r\n").encode("utf-8")
    assert problems_for(tmp_path, data) == []


def test_every_problem_of_every_file_is_collected(tmp_path):
    root = make_content(tmp_path / "content", practices={})
    (root / "practices" / "a.fi.md").write_text(GOOD_PRACTICE.replace("Etelä-Savo", "Savo").replace("kohti työtä", "työ"), encoding="utf-8")
    (root / "practices" / "b.fi.md").write_text(GOOD_PRACTICE.replace("title: Hyvä käytäntö\n", ""), encoding="utf-8")
    problems = [str(p) for p in load_content(root).problems]
    assert len(problems) == 3
    assert {p.split(":")[0] for p in problems} == {"content/practices/a.fi.md", "content/practices/b.fi.md"}


def test_duplicate_slug_and_language(tmp_path):
    root = make_content(tmp_path / "content", practices={})
    for sub in ("a", "b"):
        (root / "practices" / sub).mkdir()
        (root / "practices" / sub / "same.fi.md").write_text(GOOD_PRACTICE, encoding="utf-8")
    problems = [str(p) for p in load_content(root).problems]
    assert any("duplicate" in p and "same" in p for p in problems), problems


def test_symlink_out_of_content_is_refused(tmp_path):
    root = make_content(tmp_path / "content", practices={})
    outside = tmp_path / "secret.fi.md"
    outside.write_text(GOOD_PRACTICE, encoding="utf-8")
    (root / "practices" / "link.fi.md").symlink_to(outside)
    problems = [str(p) for p in load_content(root).problems]
    assert any("outside the content directory" in p for p in problems), problems


def test_translation_inherits_facets(tiny_content):
    loaded = load_content(tiny_content)
    assert loaded.problems == []
    sv = next(p for p in loaded.practices if (p.slug, p.lang) == ("nuorten-uravalmennus", "sv"))
    assert sv.regions == ("Pohjois-Karjala",)
    assert sv.axis == "TL 3" and sv.objective == "6.1"
    assert sv.target_groups == ("nuoret",)


def test_translation_must_agree_with_original(tmp_path):
    root = make_content(tmp_path / "content", practices={})
    (root / "practices" / "p.fi.md").write_text(GOOD_PRACTICE, encoding="utf-8")
    (root / "practices" / "p.en.md").write_text(GOOD_PRACTICE.replace("Etelä-Savo", "Kainuu"), encoding="utf-8")
    problems = [str(p) for p in load_content(root).problems]
    assert any(p.startswith("content/practices/p.en.md:4: regions: disagrees with content/practices/p.fi.md")
               for p in problems), problems


def test_translation_without_original(tmp_path):
    root = make_content(tmp_path / "content", practices={})
    (root / "practices" / "p.sv.md").write_text("---\ntitle: T\nproject: P\n---\nText.\n", encoding="utf-8")
    problems = [str(p) for p in load_content(root).problems]
    assert any("translation without a Finnish original" in p for p in problems), problems


def test_priority_is_canonicalised(tiny_content):
    loaded = load_content(tiny_content)
    p = next(p for p in loaded.practices if p.slug == "nuorten-uravalmennus" and p.lang == "fi")
    assert p.priority == "TL 3 et 6.1"  # written "TL 3 et. 6.1"


def test_summary_defaults_to_first_paragraph(tiny_content):
    p = next(p for p in load_content(tiny_content).practices if p.slug == "nuorten-uravalmennus" and p.lang == "fi")
    assert p.summary.startswith("Ohjaamossa nuorille") and "Toinen kappale" not in p.summary


@pytest.mark.parametrize("body, expected", [
    ("## Mikä käytäntö on\n\nNuoret saavat **uravalmennusta**.\n\nToinen kappale.", "Nuoret saavat uravalmennusta."),
    ("# Otsikko\n\n### Alaotsikko\n\n- lista\n\nVasta nyt kappale.", "Vasta nyt kappale."),
    ("## Vain otsikko\n\n- ensimmäinen kohta\n- toinen kohta", "ensimmäinen kohta"),
    ("Ensimmäinen rivi\njatkuu tässä.\n\n## Otsikko", "Ensimmäinen rivi\njatkuu tässä."),
])
def test_a_missing_summary_is_the_first_paragraph_not_a_heading(tmp_path, body, expected):
    root = make_content(tmp_path / "content", practices={})
    (root / "practices" / "x.fi.md").write_text(GOOD_PRACTICE.replace("Kuvaus käytännöstä.", body), encoding="utf-8")
    loaded = load_content(root)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    assert loaded.practices[0].summary == expected


@pytest.mark.parametrize("markdown_text, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="http://x" onclick="evil()">x</a>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ("<iframe src='http://evil'></iframe>", "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
])
def test_markdown_is_sanitised(markdown_text, forbidden):
    assert forbidden not in render_markdown(markdown_text)


def test_markdown_keeps_structure_and_marks_external_links():
    html = render_markdown("## Otsikko\n\n- yksi\n- kaksi\n\n[lähde](https://example.org)")
    assert "<h2>Otsikko</h2>" in html and "<li>yksi</li>" in html
    assert 'rel="noopener noreferrer"' in html


def test_a_translation_that_gives_facets_but_no_target_groups_inherits_them(tiny_content):
    # The English file repeats regions, themes and priority; its target groups come from the Finnish file.
    loaded = load_content(tiny_content)
    en = next(p for p in loaded.practices if (p.slug, p.lang) == ("nuorten-uravalmennus", "en"))
    assert en.target_groups == ("nuoret",) and en.regions == ("Pohjois-Karjala",)


@pytest.mark.parametrize("published, updated", [("2020-05-01", "2021-01-31"), ("", ""), ("2024-02-29", "2024-02-29")])
def test_a_dated_version_is_the_version_with_its_dates_replaced(tiny_content, published, updated):
    import dataclasses

    for p in load_content(tiny_content).practices:
        before = (p.published, p.updated)
        dated = p.dated(published, updated)
        assert dated == dataclasses.replace(p, published=published, updated=updated)
        assert (dated.published, dated.updated, dated.regions) == (published, updated, p.regions)
        assert (p.published, p.updated) == before  # the original is left as it was
        assert before != (published, updated) or dated is p
