"""Controlled vocabularies: regions, themes, programmes (axes → objectives), target groups, synonyms.

Read from ``content/vocabularies/*.yaml`` (each file names its public sources). Every facet of
:data:`app.names.FACETS` finds its values and labels here through :meth:`Vocabularies.terms`.

The module is longer than most (about 400 lines) because it holds one idea whole: reading the
vocabulary files, the period-aware lookups over them, and the canonical spellings and suggestions
that validation and query reading both use; split, each half would need the other's internals.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..names import FACETS, LANGUAGE_NAMES, LANGUAGES, PRIMARY_LANGUAGE, Facet, priority_text

DEFAULT_PERIOD = "2014–2020"


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: its canonical value and a label per interface language."""

    value: str
    labels: dict[str, str]
    unofficial: tuple[str, ...] = ()
    parent: str | None = None  # large area of a region, axis of an objective, period of a qualified axis
    parent_by_period: tuple[tuple[str, str], ...] = ()  # (period, parent) where it differs from ``parent``

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get(PRIMARY_LANGUAGE) or self.value

    def parent_in(self, period: str) -> str | None:
        """The parent in ``period`` (a region's large area changed in 2021 for one region)."""
        return dict(self.parent_by_period).get(period, self.parent)


@dataclass(frozen=True)
class Axis:
    term: Term
    objectives: dict[str, Term]


@dataclass(frozen=True)
class Period:
    term: Term
    axes: dict[str, Axis]


def _keyed(name: str) -> tuple[str | None, str]:
    """(the longest inner word of a folded multi-word name or None when it has none, the name)."""
    inner = name.split(" ")[1:-1]
    return (max(inner, key=len) if inner else None), name


@dataclass
class Vocabularies:
    """All controlled vocabularies, loaded from ``content/vocabularies``."""

    regions: dict[str, Term]
    large_areas: dict[str, Term]
    themes: dict[str, Term]
    periods: dict[str, Period]
    target_groups: dict[str, Term]
    target_group_aliases: dict[str, str] = field(default_factory=dict)
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    # Facets added to the table with a vocabulary file of their own: facet name → value → term / aliases.
    more: dict[str, dict[str, Term]] = field(default_factory=dict)
    more_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    # query_words.yaml: kind ("fillers", "stop_words", "name_heads") → language → base forms
    query_words: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    # municipalities.yaml: period → municipality name (Finnish and Swedish) → region
    municipalities: dict[str, dict[str, str]] = field(default_factory=dict)
    municipality_common_words: frozenset[str] = frozenset()  # names that are also common Finnish words
    code_names: dict[str, dict[str, str]] = field(default_factory=dict)  # "axis"/"objective" → lang → word
    _terms: dict[str, dict[str, Term]] = field(default_factory=dict, repr=False, compare=False)

    def terms(self, facet: str) -> dict[str, Term]:
        """The known values of ``facet`` (a facet name) with their terms, in vocabulary order.

        Axes and objectives of every period are merged (a code names the same axis in URLs of any
        period); a language's label is its code (the interface names languages itself).
        """
        found = self._terms.get(facet)
        if found is None:
            found = self._terms[facet] = self._compute_terms(facet)
        return found

    def _compute_terms(self, facet: str) -> dict[str, Term]:
        if facet == "region":
            return self.regions
        if facet == "large_area":
            return self.large_areas
        if facet == "theme":
            return self.themes
        if facet == "target_group":
            return self.target_groups
        if facet == "period":
            return {value: p.term for value, p in self.periods.items()}
        if facet == "axis":
            # A code of any period ("TL 4", as older addresses give it), then every period's own axes
            # ("2021–2027 TL 4"), which the facet tree shows under their period.
            axes: dict[str, Term] = {}
            for p in self.periods.values():
                for code, a in p.axes.items():
                    axes.setdefault(code, a.term)
            plain = dict(sorted(axes.items(), key=lambda kv: _code_order(kv[0])))
            qualified = {qualified_value(period, code): Term(qualified_value(period, code), a.term.labels,
                                                               a.term.unofficial, period)
                         for period, p in self.periods.items() for code, a in p.axes.items()}
            return {**plain, **qualified}
        if facet == "objective":
            objectives: dict[str, Term] = {}
            for p in self.periods.values():
                for a in p.axes.values():
                    for code, o in a.objectives.items():
                        objectives.setdefault(code, o)
            return dict(sorted(objectives.items(), key=lambda kv: _code_order(kv[0])))
        if facet == "lang":
            return {lang: Term(lang, dict(LANGUAGE_NAMES[lang])) for lang in LANGUAGES}
        return self.more.get(facet, {})

    def aliases(self, facet: str) -> dict[str, str]:
        """Other spellings editors may write for ``facet``'s values: casefolded alias → value."""
        if facet == "target_group":
            return self.target_group_aliases
        return self.more_aliases.get(facet, {})

    def canonical_value(self, facet: str, text: str) -> str | None:
        """The known value of ``facet`` that ``text`` spells, in any spelling the content accepts
        (any case, composed or decomposed, an alias, "TL3" for "TL 3", "2014-2020" for
        "2014–2020", "2021-2027 tl4" for "2021–2027 TL 4"), else None."""
        value = nfc(text.strip())
        if facet == "axis":  # "TL3", "tl. 3", and a period's axis "2021-2027 TL4"
            m = _AXIS.match(value)
            if m:
                code = f"TL {int(m.group('axis'))}"
                value = qualified_value(normalise_period(m.group("period")), code) if m.group("period") else code
        elif facet == "objective":
            value = re.sub(r"\s+", "", value)
        elif facet == "period":
            value = normalise_period(value)
        return canonical(value, self.terms(facet), self.aliases(facet))

    def label(self, facet: str, value: str, lang: str) -> str:
        """The name of a facet value in ``lang`` ("Työllisyys ja työvoiman liikkuvuus"), or the value
        itself when it is unknown."""
        term = self.terms(facet).get(value)
        return term.label(lang) if term else value

    def official_names(self) -> list[str]:
        """Every label of every priority axis and specific objective of more than one word, longest first."""
        names = {label for f in ("axis", "objective") for term in self.terms(f).values()
                 for label in term.labels.values() if len(label.split()) > 1}
        return sorted(names, key=len, reverse=True)

    def official_name_pattern(self) -> re.Pattern[str] | None:
        """A case-insensitive pattern of :meth:`official_names` (any whitespace between words), or None."""
        if "official" not in self._terms:
            names = self.official_names()
            pattern = "|".join(r"\s+".join(re.escape(w) for w in name.split()) for name in names)
            self._terms["official"] = re.compile(pattern, re.IGNORECASE) if pattern else None  # type: ignore[assignment]
        return self._terms["official"]  # type: ignore[return-value]

    def official_name_matches(self, text: str) -> list[re.Match[str]]:
        """The matches of :meth:`official_name_pattern` in ``text``, in order (empty when it has none).

        Every name is first looked for as a plain substring of the case-folded text with its
        whitespace made single spaces: the case-insensitive pattern of some fifty names costs about
        2 ms per 2,000 characters (a tenth of a 10k build, which searched every body three times),
        the substrings some microseconds."""
        pattern = self.official_name_pattern()
        if pattern is None:
            return []
        if "official_keyed" not in self._terms:
            self._terms["official_keyed"] = [_keyed(" ".join(n.casefold().split()))  # type: ignore[assignment]
                                              for n in self.official_names()]
        # A name inside the folded text has each of its inner words as a whole word of the text: a
        # name whose longest inner word the text lacks is not looked for (a body's set of words, then
        # a few set lookups, cost a third of looking for all fifty names in it).
        folded_words = text.casefold().split()
        words = set(folded_words)
        names = [name for key, name in self._terms["official_keyed"] if key is None or key in words]
        if not names:
            return []
        folded = " ".join(folded_words)
        if not any(name in folded for name in names):
            return []
        return list(pattern.finditer(text))

    def display_label(self, facet: str, value: str, lang: str) -> str:
        """The label a facet value is offered by: its name, with the code first for a priority axis
        ("TL 3 – Työllisyys…"; in Swedish and English the code explained: "TL 3 (priority axis 3) –
        Employment…") or a specific objective ("6.1 Nuorten…", "Specific objective 6.1: …"); a period's
        axis ends with its period ("… (2021–2027)")."""
        label = self.label(facet, value, lang)
        if label == value:
            return value
        if facet == "axis":
            period, code = split_qualified(value)
            word = self.code_names.get("axis", {}).get(lang)
            shown = f"{code} ({word} {code.removeprefix('TL').strip()})" if word and lang != PRIMARY_LANGUAGE else code
            periods = [p for p, pd in self.periods.items() if code in pd.axes]
            if not period and len(periods) > 1:  # a code of several periods: no one period's name
                return f"{shown} ({', '.join(periods)})"
            return f"{shown} – {label}" + (f" ({period})" if period else "")
        if facet == "objective":
            word = self.code_names.get("objective", {}).get(lang)
            return f"{word[:1].upper()}{word[1:]} {value}: {label}" if word and lang != PRIMARY_LANGUAGE \
                else f"{value} {label}"
        return label

    def explained_priority(self, axis: str, objective: str | None, lang: str) -> str | None:
        """The codes of a practice's priority in words for an interface language other than Finnish
        (``"TL 3", "6.1", "sv"`` → ``"prioriterat område 3, särskilt mål 6.1"``), or None in Finnish,
        whose readers know TL and et (the words are the vocabulary's ``code_names``)."""
        if lang == PRIMARY_LANGUAGE or not axis:
            return None
        axis_word, objective_word = (self.code_names.get(k, {}).get(lang) for k in ("axis", "objective"))
        if not axis_word:
            return None
        words = f"{axis_word} {axis.removeprefix('TL').strip()}"
        return f"{words}, {objective_word} {objective}" if objective and objective_word else words


def qualified_value(period: str, code: str) -> str:
    """An axis of one period as a facet value: ``qualified_value("2021–2027", "TL 4") == "2021–2027 TL 4"``."""
    return f"{period} {code}"


def split_qualified(value: str) -> tuple[str, str]:
    """(period, code) of a facet value; the period is "" for a code of any period ("TL 4")."""
    head, _, rest = value.partition(" ")
    return (head, rest) if rest and head[:1].isdigit() else ("", value)


def _code_order(code: str) -> tuple[tuple[int, ...], str]:
    """Codes in numeric order: TL 3 < TL 10, 6.1 < 10.1."""
    return tuple(int(n) for n in re.findall(r"\d+", code)), code


def _region(entry: dict) -> Term:
    term = _term(entry, entry["fi"], entry.get("large_area"))
    by_period = tuple((str(p), str(a)) for p, a in (entry.get("large_area_by_period") or {}).items())
    return Term(term.value, term.labels, term.unofficial, term.parent, by_period)


def _term(entry: dict, value: str, parent: str | None = None) -> Term:
    labels = {lang: nfc(str(entry[lang])) for lang in LANGUAGES if entry.get(lang)}
    return Term(value=value, labels=labels, unofficial=tuple(entry.get("unofficial") or ()), parent=parent)


# libyaml's loader when PyYAML has it: ten times faster, and the vocabularies are read at every start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def nfc(text: str) -> str:
    """Text in Unicode's composed form (NFC): "ä" typed as a + combining diaeresis equals "ä"."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _read(directory: Path, name: str) -> dict:
    with open(directory / name, encoding="utf-8") as fh:
        return _nfc_tree(yaml.load(fh, Loader=_LOADER) or {})


def _nfc_tree(data: object) -> object:
    if isinstance(data, str):
        return nfc(data)
    if isinstance(data, list):
        return [_nfc_tree(x) for x in data]
    if isinstance(data, dict):
        return {_nfc_tree(k): _nfc_tree(v) for k, v in data.items()}
    return data


def _more_vocabulary(directory: Path, f: Facet) -> tuple[dict[str, Term], dict[str, str]]:
    """Values and aliases of a facet with its own vocabulary file (``values: [{value, fi, sv, en, aliases}]``)."""
    terms: dict[str, Term] = {}
    aliases: dict[str, str] = {}
    for e in _read(directory, f.vocabulary).get("values", []) or []:
        value = str(e["value"])
        terms[value] = _term(e, value)
        for alias in e.get("aliases") or ():
            aliases[str(alias).casefold()] = value
    return terms, aliases


def load_vocabularies(directory: str | Path) -> Vocabularies:
    """Load every vocabulary file of ``directory`` (``content/vocabularies``)."""
    directory = Path(directory)
    regions_doc = _read(directory, "regions.yaml")
    large_areas = {e["fi"]: _term(e, e["fi"]) for e in regions_doc.get("large_areas", [])}
    regions = {e["fi"]: _region(e) for e in regions_doc.get("regions", [])}
    themes = {e["value"]: _term(e, e["value"]) for e in _read(directory, "themes.yaml").get("themes", [])}
    periods: dict[str, Period] = {}
    programmes = _read(directory, "programmes.yaml")
    code_names = {kind: {str(k): str(v) for k, v in names.items()}
                  for kind, names in (programmes.get("code_names") or {}).items()}
    for p in programmes.get("periods", []):
        axes = {}
        for a in p.get("axes", []):
            code = str(a["code"])
            objectives = {str(o["code"]): _term(o, str(o["code"]), code) for o in a.get("objectives", [])}
            axes[code] = Axis(_term(a, code, p["id"]), objectives)
        periods[str(p["id"])] = Period(_term(p, str(p["id"])), axes)
    groups: dict[str, Term] = {}
    aliases: dict[str, str] = {}
    for e in _read(directory, "target_groups.yaml").get("target_groups", []):
        groups[e["value"]] = _term(e, e["value"])
        for alias in e.get("aliases") or ():
            aliases[str(alias).casefold()] = e["value"]
    synonyms: list[tuple[str, ...]] = []
    if (directory / "synonyms.yaml").exists():
        for group in _read(directory, "synonyms.yaml").get("groups", []) or []:
            synonyms.append(tuple(str(t).casefold() for t in group))
    more, more_aliases = {}, {}
    for f in FACETS:
        if f.vocabulary:
            more[f.name], more_aliases[f.name] = _more_vocabulary(directory, f)
    query_words: dict[str, dict[str, frozenset[str]]] = {}
    if (directory / "query_words.yaml").exists():
        doc = _read(directory, "query_words.yaml")
        for kind in ("fillers", "stop_words", "name_heads"):
            query_words[kind] = {lang: frozenset(str(w).casefold() for w in (doc.get(kind) or {}).get(lang) or ())
                                 for lang in LANGUAGES}
    municipalities: dict[str, dict[str, str]] = {}
    common: frozenset[str] = frozenset()
    if (directory / "municipalities.yaml").exists():
        doc = _read(directory, "municipalities.yaml")
        common = frozenset(str(n) for n in doc.get("common_words") or ())
        for period, data in (doc.get("periods") or {}).items():
            names = municipalities.setdefault(str(period), {})
            for e in data.get("municipalities") or ():
                for key in ("fi", "sv"):
                    if e.get(key):
                        for name in _municipality_names(str(e[key])):
                            names[name] = str(e["region"])
    return Vocabularies(regions, large_areas, themes, periods, groups, aliases, synonyms, more, more_aliases,
                        query_words, municipalities, common, code_names)


def _municipality_names(classified: str) -> list[str]:
    """The names people write for a municipality as Statistics Finland classifies it:
    "Maarianhamina - Mariehamn" is two, "Koski Tl" is "Koski", "Pedersören kunta" is "Pedersöre"."""
    names = []
    for name in classified.split(" - "):
        name = name.strip()
        name = name.removesuffix(" Tl")
        name = "Pedersöre" if name == "Pedersören kunta" else name
        names.append(name)
    return names


# --- matching editors' spellings -----------------------------------------------------------

def canonical(value: str, known: dict[str, Term], aliases: dict[str, str] | None = None) -> str | None:
    """Return the canonical value for ``value`` (exact, case-insensitive or alias), else None."""
    if value in known:
        return value
    folded = value.strip().casefold()
    for key in known:
        if key.casefold() == folded:
            return key
    if aliases and folded in aliases:
        return aliases[folded]
    return None


def suggest(value: str, candidates: list[str]) -> str | None:
    """Return the closest known value to a misspelt one, for "did you mean" messages."""
    squash = {re.sub(r"[\s\-_]+", "", c.casefold()): c for c in candidates}
    key = re.sub(r"[\s\-_]+", "", value.casefold())
    if key in squash:
        return squash[key]
    match = difflib.get_close_matches(key, list(squash), n=1, cutoff=0.6)
    return squash[match[0]] if match else None


_AXIS = re.compile(r"^(?:(?P<period>\d{4}\s*[-‐‑‒–—]\s*\d{4})\s+)?TL\s*\.?\s*(?P<axis>\d{1,2})$", re.IGNORECASE)
_PRIORITY = re.compile(
    r"^\s*TL\s*\.?\s*(?P<axis>\d{1,2})\s*[,.;:/]?\s*ET\s*\.?\s*(?P<objective>\d{1,2}\s*\.\s*\d{1,2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Priority:
    axis: str  # "TL 3"
    objective: str  # "6.1"

    def __str__(self) -> str:
        return priority_text(self.axis, self.objective)


def parse_priority(text: str) -> Priority | None:
    """Read "TL 3 et 6.1" and the spellings people write ("TL3 et. 6.1", "TL 3, et 6.1")."""
    m = _PRIORITY.match(text)
    if not m:
        return None
    objective = re.sub(r"\s+", "", m.group("objective"))
    return Priority(f"TL {int(m.group('axis'))}", objective)


def normalise_period(text: str) -> str:
    """Accept "2014-2020", "2014 – 2020" and the like; return the en-dash form."""
    return re.sub(r"\s*[-‐‑‒–—]\s*", "–", text.strip())
