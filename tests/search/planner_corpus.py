"""A small corpus whose descriptions do not repeat their metadata, as real descriptions don't.

Every input quoted in issue 11 is asked of it in tests/search; the practices are written so that
each quoted query has a right answer decided from the texts below.
"""
from __future__ import annotations

from pathlib import Path

from conftest import make_content

OBJECTIVE_61 = "Nuorten ja muiden heikossa työmarkkina-asemassa olevien työllistymisen edistäminen"

PRACTICES = {
    ("kotoutumisen-koulutus", "fi"): (
        {"title": "Kieli haltuun työpaikalla", "project": "Kotopolku", "regions": ["Pohjois-Karjala"],
         "themes": ["kotoutuminen"], "priority": "TL 5 et 10.1", "target_groups": ["maahanmuuttajat"]},
        "Kotoutumisen koulutus järjestettiin pienissä ryhmissä. Opiskelijat harjoittelivat kieltä "
        "oikeissa töissä, ja EU:n rahoitus teki kokeilusta mahdollisen."),
    ("nuorison-tyot", "fi"): (
        {"title": "Viikoittaiset tapaamiset", "project": "Tapaamo", "regions": ["Kainuu"],
         "themes": ["kohti työtä"], "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Nuorison työttömyys väheni, kun ohjaajat tapasivat jokaisen joka viikko."),
    ("romanien-ohjaus", "fi"): (
        {"title": "Kulttuurin tuntevat ohjaajat", "project": "Portti", "regions": ["Pohjanmaa"],
         "themes": ["osallisuus"], "priority": "TL 5 et 10.1", "target_groups": ["romanit"]},
        "Romaninaisille tarjottiin henkilökohtaista ohjausta, ja romanien kulttuuria tuntevat ohjaajat "
        "kulkivat mukana asioinnissa."),
    ("ohjaamo-yhdysmerkilla", "fi"): (
        {"title": "Palvelut yhteen", "project": "Kokoava", "regions": ["Uusimaa"], "themes": ["asiakasohjaus"],
         "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Ohjaamo-toiminta kokosi palvelut saman katon alle."),
    ("ohjaamo-yhteen", "fi"): (
        {"title": "Kylät mukaan", "project": "Kyläkierros", "regions": ["Lappi"], "themes": ["asiakasohjaus"],
         "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Ohjaamotoimintaa vietiin kyliin kiertävällä autolla."),
    ("ohjaamo-erikseen", "fi"): (
        {"title": "Ilta-aukiolo", "project": "Iltavuoro", "regions": ["Pirkanmaa"], "themes": ["asiakasohjaus"],
         "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Ohjaamon toiminta laajeni iltoihin, kun koululaiset toivoivat sitä."),
    ("duuniin", "fi"): (
        {"title": "Työllisyysviikko kesällä", "project": "Nuoret Duuniin 2017", "regions": ["Pohjois-Savo"],
         "themes": ["kohti työtä"], "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Nuoret Duuniin 2017 -hanke järjesti viikon, jolloin yritykset esittelivät avoimia paikkojaan."),
    ("mentorit", "fi"): (
        {"title": "Kokeneet rinnalla", "project": "Rinnalla", "regions": ["Keski-Suomi"], "themes": ["osallisuus"],
         "priority": "TL 5 et 10.1", "target_groups": ["pitkäaikaistyöttömät"]},
        "Vertaismentorointia tarjottiin kaikille, jotka olivat olleet pitkään ilman työtä."),
    ("mentorit", "sv"): (
        {"title": "Erfarna vid sidan", "project": "Rinnalla"},
        "Alla som länge varit utan arbete fick stöd av någon som själv varit i samma situation."),
    ("yli-55", "fi"): (
        {"title": "Sparrausta kokeneille", "project": "Kokemus", "regions": ["Etelä-Savo"], "themes": ["kohti työtä"],
         "priority": "TL 3 et 6.1", "target_groups": ["ikääntyneet"]},
        f"Hanke toteutti erityistavoitetta {OBJECTIVE_61} tukemalla yli 55-vuotiaita työnhakijoita "
        "henkilökohtaisella sparrauksella."),
    ("larlingar", "sv"): (
        {"title": "Lärlingar på varvet", "project": "Varvslärling", "regions": ["Pohjanmaa"],
         "themes": ["yrityslähtöiset koulutukset ja valmennukset"], "priority": "TL 4 et 9.1",
         "target_groups": ["nuoret", "maahanmuuttajat"]},
        "Lärlingsutbildningen förde unga invandrare in i arbetslivet. Lärlingsutbildningsavtalet "
        "skrevs tillsammans med varvet."),
    ("samarbete", "sv"): (
        {"title": "Kommunerna tillsammans", "project": "Samverkan", "regions": ["Pohjanmaa"],
         "themes": ["verkostot palvelujen rakentamisessa"], "priority": "TL 5 et 10.1"},
        "Samarbete med företag och kommuner gav nya platser för praktik."),
    ("employment", "en"): (
        {"title": "Services under one roof", "project": "Roof", "regions": ["Uusimaa"], "themes": ["asiakasohjaus"],
         "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]},
        "Employment services for young people were gathered in one place."),
    ("tyopaikat", "fi"): (
        {"title": "Kieltä työn lomassa", "project": "Lomassa", "regions": ["Varsinais-Suomi"],
         "themes": ["kotoutuminen"], "priority": "TL 5 et 10.1", "target_groups": ["maahanmuuttajat"]},
        "Työpaikkoihin vietiin kielikoulutusta. Työllisyys parani, ja työtön sai tukea heti."),
    ("kesto", "fi"): (
        {"title": "Lyhyet jaksot", "project": "Jakso", "regions": ["Kymenlaakso"], "themes": ["kohti työtä"],
         "priority": "TL 4 et 9.1", "target_groups": ["työttömät"]},
        "Koulutuksen kesto oli kuusi viikkoa, ja nuora sidottiin veneeseen harjoituksissa."),
}


def make(root: Path) -> Path:
    """The corpus as a content directory at ``root``."""
    return make_content(root, PRACTICES)


def slugs(lang: str | None = None) -> set[str]:
    return {s for s, language in PRACTICES if lang is None or language == lang}
