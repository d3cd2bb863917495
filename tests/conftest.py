"""Shared fixtures: a tiny content directory, a built index, an app and a client."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.indexing import build  # noqa: E402

VOCABULARIES = ROOT / "content" / "vocabularies"
CLI = [sys.executable, "-m", "app.cli"]  # the command line kaytantopankki, run from ROOT

# A small corpus that exercises every facet, inheritance and inflection.
TINY = {
    ("nuorten-uravalmennus", "fi"): (
        {"title": "Uravalmennus nuorille", "project": "Ohjaamo 2.0", "regions": ["Pohjois-Karjala"],
         "themes": ["kohti työtä", "asiakasohjaus"], "priority": "TL 3 et. 6.1", "target_groups": ["nuoret"]},
        "Ohjaamossa nuorille tarjotaan uravalmennusta ja henkilökohtaista ohjausta.\n\nToinen kappale työnhausta.",
    ),
    ("nuorten-uravalmennus", "sv"): (
        {"title": "Karriärcoachning för unga", "project": "Ohjaamo 2.0"},
        "Unga får karriärcoachning och personlig vägledning i Ohjaamo.",
    ),
    ("nuorten-uravalmennus", "en"): (
        {"title": "Career coaching for young people", "project": "Ohjaamo 2.0", "priority": "TL 3 et 6.1",
         "regions": ["Pohjois-Karjala"], "themes": ["asiakasohjaus", "kohti työtä"]},
        "Young people get career coaching and personal guidance at the Ohjaamo centre.",
    ),
    ("kielikoulutus", "fi"): (
        {"title": "Työelämälähtöinen suomen kielen koulutus", "project": "Kaiku", "regions": ["Pohjois-Karjala"],
         "themes": ["kotoutuminen"], "priority": "TL 5 et. 10.1", "target_groups": ["maahanmuuttajat"]},
        "Maahanmuuttajille järjestetään suomen kielen koulutusta työpaikoilla.",
    ),
    ("ikaantyneet-tyonhakijat", "fi"): (
        {"title": "Sparraus yli 55-vuotiaille", "project": "OSAAJA", "regions": ["Etelä-Savo"],
         "themes": ["kohti työtä"], "priority": "TL3 et 6.1", "target_groups": ["ikääntyneet", "yritykset"]},
        "Ikääntyneiden työnhakijoiden työnhakua tuetaan yksilöllisellä sparrauksella ja yritysyhteistyöllä.",
    ),
    ("yrittajyyskasvatus", "fi"): (
        {"title": "Yrittäjyysvalmiuksia ryhmissä", "project": "Yritetään yhdessä", "regions": ["Pohjois-Karjala"],
         "themes": ["yrityslähtöiset koulutukset ja valmennukset"], "priority": "TL 4 et 9.1",
         "target_groups": ["nuoret"]},
        "Nuorten yrittäjyysvalmiuksia vahvistetaan ryhmäprosesseissa koulutuksen ja työn nivelvaiheessa.",
    ),
    ("hoivayritysten-digitaidot", "fi"): (
        {"title": "Digiosaamista hoivayrityksiin", "project": "HoivaDigi", "regions": ["Uusimaa"],
         "themes": ["yrityslähtöiset koulutukset ja valmennukset"], "priority": "TL 3 et 7.1",
         "target_groups": ["yritykset"]},
        "Pienten hoivayritysten johtamista ja digitaalista osaamista kehitetään yrityskohtaisesti.",
    ),
    ("romanien-osallisuus", "fi"): (
        {"title": "Työvalmiusvalmennus romaneille", "project": "Romaniportti", "regions": ["Pohjanmaa"],
         "themes": ["osallisuus", "kotoutuminen"], "priority": "TL 5 et 10.1",
         "target_groups": ["romanit", "maahanmuuttajat"]},
        "Romaniportti tukee liikkuvien romanien osallisuutta, koulutusta ja työllistymistä.",
    ),
    ("polkuja-toihin", "fi"): (
        {"title": "Polku työhön pitkäaikaistyöttömille", "project": "Esimerkkihanke", "regions": ["Kainuu", "Lappi"],
         "themes": ["kohti työtä"], "priority": "TL 4 et 4.1", "period": "2021–2027",
         "target_groups": ["pitkäaikaistyöttömät"]},
        "Pitkäaikaistyöttömien polkua työhön rakennetaan palvelujen yhteistyönä.",
    ),
}


# One valid practice file as an editor writes it, for tests that break or vary one thing of it.
GOOD_PRACTICE = """---
title: Hyvä käytäntö
project: Hanke
regions: [Etelä-Savo]
themes: [kohti työtä]
priority: TL 3 et 6.1
---
Kuvaus käytännöstä.
"""


def write_practice(root: Path, slug: str, lang: str, meta: dict, body: str) -> Path:
    path = root / "practices" / f"{slug}.{lang}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")
    return path


def make_content(root: Path, practices: dict = TINY) -> Path:
    """A content directory with the real vocabularies and the given practices."""
    shutil.copytree(VOCABULARIES, root / "vocabularies")
    (root / "practices").mkdir(parents=True, exist_ok=True)
    for (slug, lang), (meta, body) in practices.items():
        write_practice(root, slug, lang, meta, body)
    return root


@pytest.fixture(scope="session")
def tiny_content(tmp_path_factory) -> Path:
    return make_content(tmp_path_factory.mktemp("content") / "content")


@pytest.fixture(scope="session")
def built_index(tiny_content, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("index")
    result = build(tiny_content, root)
    assert result.ok, [str(p) for p in result.problems]
    return root


@pytest.fixture(scope="session")
def app(built_index, tiny_content):
    return create_app({"TESTING": True, "INDEX_DIR": str(built_index), "CONTENT_DIR": str(tiny_content)})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def content_dir(tmp_path) -> Path:
    """A fresh, writable copy of the tiny content for tests that change files."""
    return make_content(tmp_path / "content")


BUNDLED_CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory) -> Path:
    """The bundled content of the repository, built once per session into a tmp dir."""
    root = tmp_path_factory.mktemp("bundled-index")
    result = build(BUNDLED_CONTENT, root)
    assert result.ok, [str(p) for p in result.problems]
    return root


@pytest.fixture(scope="session")
def bundled_app(bundled_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(bundled_index), "CONTENT_DIR": str(BUNDLED_CONTENT)})


# --- compiled translations: the .mo files are build products (git-ignored) ----------------------

def compile_catalogues(translations: Path = ROOT / "app" / "web" / "translations") -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; raise on a broken catalogue."""
    import os

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        errors = [f"{po}: {message.id!r}: {error}" for message, errs in catalog.check() for error in errs]
        if errors:
            raise RuntimeError("broken translation catalogue:\n" + "\n".join(errors))
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Tests see the interface in Finnish and Swedish even when 'make install' has not compiled it."""
    compile_catalogues()
