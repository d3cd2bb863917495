"""The editors' JSON Schema: generated from the vocabularies, committed up to date, and true to build.py."""
import datetime as dt
import json
from pathlib import Path

import frontmatter
import jsonschema
import pytest

from app.content import schema_export
from app.content.vocabularies import load_vocabularies

ROOT = Path(__file__).resolve().parents[2]
PRACTICES = sorted((ROOT / "content" / "practices").glob("*.md"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_export.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_equals_the_generated_one():
    generated = schema_export.render(load_vocabularies(schema_export.VOCABULARY_DIR))
    assert schema_export.SCHEMA_PATH.read_text(encoding="utf-8") == generated, \
        "content/practice.schema.json is stale: run 'python -m app.content.schema_export'"


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "schema.json"
    stale.write_text("{}", encoding="utf-8")
    assert schema_export.main(["--check", "--out", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert schema_export.main(["--out", str(stale)]) == 0
    assert schema_export.main(["--check", "--out", str(stale)]) == 0


def _as_editors_see_it(meta: dict) -> dict:
    """The front matter as an editor's YAML 1.2 plug-in reads it: a date such as 2015-01-01 is text
    (PyYAML, a YAML 1.1 reader, makes it a date object)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in meta.items()}


@pytest.mark.parametrize("path", PRACTICES, ids=[p.name for p in PRACTICES])
def test_every_bundled_practice_validates(validator, path):
    meta = _as_editors_see_it(frontmatter.load(path).metadata)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(meta)]
    assert not errors, errors


@pytest.mark.parametrize("meta, field", [
    ({"eura_code": "21468"}, "eura_code"), ({"started": "1.1.2015"}, "started"),
    ({"funding": {"total": 5}}, "funding"), ({"funding": {"total": "5 €", "source": "s"}}, "funding"),
    ({"aliases": ["Vanha Nimi"]}, "aliases"),
])
def test_the_schema_catches_mistakes_in_the_facts(validator, meta, field):
    base = {"title": "T", "project": "P", "regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}
    assert [e.path[0] if e.path else field for e in validator.iter_errors({**base, **meta})] == [field]


def test_enums_come_from_the_vocabularies(validator):
    vocab = load_vocabularies(schema_export.VOCABULARY_DIR)
    props = validator.schema["properties"]
    assert props["regions"]["anyOf"][0]["items"]["enum"] == list(vocab.regions)
    assert props["themes"]["anyOf"][0]["items"]["enum"] == list(vocab.themes)
    assert "TL 3 et 6.1" in props["priority"]["anyOf"][0]["enum"]


@pytest.mark.parametrize("meta, field", [
    ({"title": "T", "project": "P", "regions": ["Pohjois Karjala"]}, "regions"),
    ({"title": "T", "project": "P", "themes": ["kohti tyota"]}, "themes"),
    ({"title": "T", "project": "P", "priority": "TL three"}, "priority"),
    ({"title": "T", "project": "P", "regoins": ["Uusimaa"]}, ""),
    ({"project": "P"}, ""),
    ({"title": "T", "project": "P", "regions": []}, "regions"),
])
def test_mistakes_editors_make_are_caught(validator, meta, field):
    errors = list(validator.iter_errors(meta))
    assert errors
    if field:
        assert any(list(e.path)[:1] == [field] for e in errors)


@pytest.mark.parametrize("priority", ["TL 3 et 6.1", "TL 4 et. 9.1", "TL3 et 6.1", "TL 3, et 6.1"])
def test_the_priority_spellings_build_accepts_are_accepted(validator, priority):
    assert not list(validator.iter_errors({"title": "T", "project": "P", "priority": priority}))
