"""Editor messages: stable codes, complete Finnish and Swedish catalogues, the language chosen by --lang, the
locale or Finnish, sorted by file and line, a fix that helps, and JSON for tools."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.content import load_content
from app.content.messages import CODES, TRANSLATIONS, language_from_environment
from conftest import CLI, ROOT, write_practice

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%\((\w+)\)\.\d+f")
GOOD = {"title": "T", "project": "P", "regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}


def test_every_code_in_the_code_is_documented_and_every_documented_one_used():
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        used |= set(re.findall(r'"(KP\d{3})"', path.read_text(encoding="utf-8").split("CODES: Mapping")[0]))
    assert used == set(CODES)


def _pot() -> set[str]:
    with (TRANSLATIONS / "editor.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_the_template_catalogue_has_every_editor_message():
    found = set()
    for directory in ("app/content", "app/cli"):
        found |= {msgid for _, _, msgid, _, _ in extract_from_dir(str(ROOT / directory), keywords={"E_": None})}
    assert found == _pot(), "run pybabel extract and update (see app/content/messages.py)"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_are_complete_with_the_same_placeholders(lang):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "editor.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    assert {m.id for m in catalog if m.id} == _pot()
    for message in catalog:
        if message.id:
            assert message.string and "fuzzy" not in message.flags, f"{lang}: untranslated {message.id!r}"
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.id


@pytest.mark.parametrize("environ, expected", [
    ({}, "fi"), ({"LANG": "C.UTF-8"}, "fi"), ({"LANG": "sv_FI.UTF-8"}, "sv"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "fi"), ({"LC_ALL": "sv_SE.UTF-8", "LANG": "en_US.UTF-8"}, "sv"),
    ({"LC_ALL": "C", "LANG": "sv_FI.UTF-8"}, "fi"), ({"LANGUAGE": "de:sv", "LANG": "fi_FI.UTF-8"}, "sv"),
])
def test_the_language_comes_from_the_locale_else_finnish(environ, expected):
    assert language_from_environment(environ) == expected


def _broken(content_dir: Path) -> None:
    write_practice(content_dir, "b", "fi", {**GOOD, "priority": "TL 3 et 9.1", "regions": ["Pohjois Karjala"]}, "B.")
    write_practice(content_dir, "a", "fi", {**GOOD, "themes": ["ei teema"], "title": None}, "A.")


def _check(content_dir: Path, *args: str, **environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([*CLI, "check", "--content", str(content_dir), "--index", str(content_dir.parent / "index"),
                           *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**env, **environ})


def test_problems_come_sorted_by_file_and_line_in_finnish_by_default(content_dir):
    _broken(content_dir)
    proc = _check(content_dir)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert [re.match(r"(.*?):(\d+):", line).groups() for line in lines[:-1]] == [
        ("content/practices/a.fi.md", "2"), ("content/practices/a.fi.md", "6"), ("content/practices/b.fi.md", "4"),
        ("content/practices/b.fi.md", "8")]
    assert lines[0] == ("content/practices/a.fi.md:2: title: puuttuu: jokaisella käytännöllä on oltava title "
                        "(lisää etukenttiin 'title: …') [KP202]")
    assert lines[3] == ("content/practices/b.fi.md:8: priority: erityistavoite 9.1 ei kuulu toimintalinjaan TL 3 "
                        "kaudella 2014–2020: 9.1 kuuluu toimintalinjaan TL 4, joten kirjoita 'priority: TL 4 et 9.1' "
                        "[KP305]")
    assert lines[-1] == "ongelmia: 4; korjaa ne ja tarkista uudelleen."


def test_the_locale_and_then_lang_choose_the_language(content_dir):
    _broken(content_dir)
    swedish = _check(content_dir, LANG="sv_FI.UTF-8").stderr
    assert "b.fi.md:4: regions: 'Pohjois Karjala' är inte ett känt landskap (menade du 'Pohjois-Karjala'?) [KP208]" \
        in swedish
    english = _check(content_dir, "--lang", "en", LANG="sv_FI.UTF-8").stderr
    assert "b.fi.md:4: regions: 'Pohjois Karjala' is not a known region (did you mean 'Pohjois-Karjala'?) [KP208]" \
        in english
    assert "problems found: 4; fix them and run the check again." in english


def test_json_for_tools(content_dir):
    _broken(content_dir)
    proc = _check(content_dir, "--format", "json", "--lang", "sv")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["ok"] is False and data["lang"] == "sv" and proc.stderr == ""
    assert data["problems"][1] == {"path": "content/practices/a.fi.md", "line": 6, "field": "themes",
                                   "code": "KP208", "severity": "error",
                                   "message": "'ei teema' är inte ett känt tema"}
    assert [p["code"] for p in data["problems"]] == ["KP202", "KP208", "KP208", "KP305"]


@pytest.mark.parametrize("priority, period, expected", [
    ("TL 3 et 9.1", None, "specific objective 9.1 is not under TL 3 in 2014–2020: 9.1 belongs to TL 4, so write "
                          "'priority: TL 4 et 9.1'"),
    ("TL 3 et 4.1", None, "specific objective 4.1 is not under TL 3 in 2014–2020: 4.1 is under TL 4 in 2021–2027 "
                          "(add 'period: 2021–2027'), or choose one under TL 3: 6.1, 7.1, 8.1"),
    ("TL 3 et 9.9", None, "specific objective 9.9 is not under TL 3 in 2014–2020 (under TL 3: 6.1, 7.1, 8.1)"),
    ("TL 8 et 10.1", None, "TL 8 is not an ESF priority axis of 2014–2020; objective 10.1 belongs to TL 5: write "
                           "'priority: TL 5 et 10.1'"),
    ("TL 8 et 1.1", "2021–2027", "TL 8 is not an ESF priority axis of 2021–2027 (known: TL 4, TL 5)"),
])
def test_a_wrong_priority_says_where_the_objective_belongs(content_dir, priority, period, expected):
    meta = {**GOOD, "priority": priority, **({"period": period} if period else {})}
    write_practice(content_dir, "x", "fi", meta, "X.")
    problems = [p for p in load_content(content_dir).problems if p.path.endswith("x.fi.md")]
    assert [(p.field, p.code, p.message) for p in problems] == [("priority", problems[0].code, expected)]
