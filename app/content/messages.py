"""Editor messages: what the build tells the people who write practice files, in Finnish, Swedish or English.

A message is a :class:`Text`: an English msgid with ``%(name)s`` placeholders and the values to
put in them (a value may be a ``Text`` itself), translated only when shown. The translations are
the gettext catalogue ``editor`` in ``app/content/translations/<lang>/LC_MESSAGES/editor.po``
(compiled to ``.mo`` by ``make install``, as the interface's catalogues are); the msgids are
marked with :func:`E_` so that ``pybabel extract -k E_`` finds them::

    pybabel extract --no-default-keywords -k E_ --no-location --sort-output \\
        -o app/content/translations/editor.pot app/content app/cli
    pybabel update -D editor -i app/content/translations/editor.pot -d app/content/translations \\
        --width=100 --ignore-obsolete -N

Every problem has a stable code (:data:`CODES`): editors' tools and CI annotations key on it,
whatever the language of the text.
"""
from __future__ import annotations

import gettext
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..names import LANGUAGES, PRIMARY_LANGUAGE

TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "editor"
Gettext = Callable[[str], str]


def E_(msgid: str) -> str:
    """Mark an editor message for the ``editor`` catalogue (``pybabel extract -k E_``); returns it unchanged."""
    return msgid


@dataclass(frozen=True)
class Text:
    """A message to translate when shown: an English msgid and its ``(name, value)`` pairs."""

    msgid: str
    args: tuple[tuple[str, object], ...] = ()

    def render(self, translate: Gettext | None = None) -> str:
        """The text in the language of ``translate`` (a gettext function; English without one)."""
        translate = translate or _english
        values = {k: v.render(translate) if isinstance(v, Text) else v for k, v in self.args}
        return translate(self.msgid) % values


def t(msgid: str, **args: object) -> Text:
    """``Text(msgid, args)``: ``t(E_("'%(value)s' is not text"), value=v)``."""
    return Text(msgid, tuple(args.items()))


WARNING = E_("warning")  # the severity of a problem that does not stop a build, as shown after its code


def _english(msgid: str) -> str:
    return msgid


# The stable codes, by kind of problem. A code never changes meaning; its text may be reworded.
CODES: Mapping[str, str] = {
    # the file
    "KP101": "file name is not <slug>.<lang>.md",
    "KP102": "file cannot be read",
    "KP103": "file is too large",
    "KP104": "file is not UTF-8 text",
    "KP105": "file is empty",
    "KP106": "front matter is not closed",
    "KP107": "no front matter",
    "KP108": "YAML syntax error",
    "KP109": "front matter holds an escape of half a character",
    "KP110": "front matter is nested too deeply",
    "KP111": "front matter is not 'field: value' lines",
    "KP112": "symbolic link to outside the content directory",
    "KP113": "two files for one slug and language",
    "KP114": "a field appears twice",
    # the fields
    "KP201": "unknown field",
    "KP202": "a required field is missing",
    "KP203": "a field is not text",
    "KP204": "a field holds an escape of half a character",
    "KP205": "a field is not a list",
    "KP206": "a list item is not text",
    "KP207": "a required list is empty",
    "KP208": "a value is not in the vocabulary",
    "KP209": "the description is empty",
    # priority and period
    "KP301": "priority is missing",
    "KP302": "priority is not text",
    "KP303": "priority is not of the form 'TL 3 et 6.1'",
    "KP304": "no such priority axis in the period",
    "KP305": "the specific objective is not under the priority axis",
    "KP306": "period is not text",
    "KP307": "no such programme period",
    # translations
    "KP401": "translation without a Finnish original",
    "KP402": "translation disagrees with its Finnish original",
    # facts, dates and old addresses
    "KP601": "eura_code is not a EURA project code",
    "KP602": "a date is not a real date written year-month-day",
    "KP603": "the project ended before it started",
    "KP604": "updated is before published",
    "KP605": "funding is not total, esf and source lines",
    "KP606": "a funding sum is not a number of euros",
    "KP607": "the ESF share is larger than the total",
    "KP608": "funding without its source",
    "KP609": "an alias is not an old slug",
    "KP610": "an alias is another practice's slug",
    "KP611": "two practices have the same alias",
    # the content directory
    "KP501": "the description repeats an official name of a priority axis or objective (a warning)",
    "KP901": "the vocabularies cannot be read",
    "KP902": "no practices directory",
}


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The editor's language from the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as gettext reads
    them; ``LANGUAGE`` first), else Finnish: ``sv_FI.UTF-8`` → ``"sv"``, ``C.UTF-8`` → ``"fi"``."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE may list several: "sv:en"
            code = part.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
            if code in LANGUAGES:
                return code
        if name != "LANGUAGE":
            break  # the first set locale variable decides, as in gettext
    return PRIMARY_LANGUAGE


_CACHE: dict[str, Gettext] = {}


def translator(lang: str) -> Gettext:
    """The gettext function of the editor catalogue in ``lang`` (English: the msgids themselves).

    Reads the compiled ``.mo``; when it is missing or older than its ``.po`` (a checkout without
    ``make install``) the ``.po`` is compiled in memory. Raises ValueError for an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    if lang not in _CACHE:
        _CACHE[lang] = _load(lang).gettext if lang != "en" else _english
    return _CACHE[lang]


def _load(lang: str) -> gettext.NullTranslations:
    po = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as fh:
                return gettext.GNUTranslations(fh)
    except OSError:
        pass
    if not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
