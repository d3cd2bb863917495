"""The facts a planner looks for after the description: the project's EURA code, duration and funding,
the practice's dates, its old addresses, and the standard headings of the description template.

Pure data and small functions, shared by the build (validation, rendering) and the site (links):
nothing here reads files or imports the build's libraries.
"""
from __future__ import annotations

import re
import unicodedata

# Project facts: the same for every language version of a practice (a translation inherits them).
FACT_KEYS = ("eura_code", "started", "ended", "funding")
# Each file's own dates: when its version was first published and last changed.
DATE_KEYS = ("published", "updated")
ALIASES = "aliases"
KEYS = (*FACT_KEYS, *DATE_KEYS, ALIASES)
FUNDING_KEYS = ("total", "esf", "source")

# EURA project codes: S for ESF (ESR) projects, A for ERDF (EAKR) projects, then digits (S21468, A75739).
EURA_CODE = re.compile(r"^[SA][0-9]{4,7}$")
# The public project records of 2014–2020 (the rakennerahastotietopalvelu of EURA2014). It holds every
# project of the 2014–2020 programme (https://www.eura2014.fi/rrtiepa/hakuohje.php).
EURA2014_PROJECT = "https://www.eura2014.fi/rrtiepa/projekti.php?projektikoodi={code}"
EURA2014_PERIOD = "2014–2020"
# 2021–2027 projects are described in EURA 2021's project information service; no address of a single
# project's record is known, so the site links to the service, where the code can be searched
# (https://thl.fi/…/euroopan-sosiaalirahasto-plussan-esr-4.3-hankkeet names it).
EURA2021_SERVICE = "https://eura2021.fi/hanketietopalvelu"


def normalise_eura_code(value: str) -> str:
    """``" s 21468 "`` → ``"S21468"`` (spaces dropped, upper case); the result may still be no code."""
    return re.sub(r"\s+", "", value).upper()


def eura_url(code: str | None, period: str) -> str | None:
    """The address of the project's public EURA record: known for 2014–2020 codes, else None."""
    if code and EURA_CODE.match(code) and period == EURA2014_PERIOD:
        return EURA2014_PROJECT.format(code=code)
    return None


# --- the description template ------------------------------------------------------------------

# Standard headings (level 2) the build recognises, by section key, in Finnish, Swedish and English
# (Innokylä's description template: basic idea, target group, how it was done, results and
# evaluation, resources, contact organisation). Each key's first Finnish, Swedish and English names
# are the ones the README documents; the others are accepted spellings.
SECTION_HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "basic-idea": {"fi": ("Perusajatus",), "sv": ("Grundidé", "Grundide"), "en": ("Basic idea",)},
    "target-group": {"fi": ("Kohderyhmä", "Kohderyhmät"), "sv": ("Målgrupp", "Målgrupper"),
                     "en": ("Target group", "Target groups")},
    "how-it-was-done": {"fi": ("Toteutus",), "sv": ("Genomförande",), "en": ("How it was done", "Implementation")},
    "results": {"fi": ("Tulokset ja arviointi", "Tulokset", "Arviointi"),
                "sv": ("Resultat och utvärdering", "Resultat"),
                "en": ("Results and evaluation", "Results", "Evaluation")},
    "resources": {"fi": ("Resurssit",), "sv": ("Resurser",), "en": ("Resources",)},
    "contact": {"fi": ("Yhteystaho",), "sv": ("Kontaktorganisation",),
                "en": ("Contact organisation", "Contact organization")},
}
RESULTS = "results"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[\s:.!?–—-]+$", "", text.strip()).split())


_BY_NAME = {_fold(name): key for key, names in SECTION_HEADINGS.items()
            for spellings in names.values() for name in spellings}


def section_key(heading: str) -> str | None:
    """The standard section a heading's text names (``"Tulokset ja arviointi:"`` → ``"results"``), or None."""
    return _BY_NAME.get(_fold(heading))


def section_anchor(key: str | None, position: int) -> str:
    """The id of a section's heading: ``section-results`` for a standard one, ``section-3`` for free text."""
    return f"section-{key}" if key else f"section-{position}"
