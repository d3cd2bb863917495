"""Controlled vocabularies: regions, themes, programmes (axes → objectives), target groups, synonyms."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

LANGS = ("fi", "sv", "en")
DEFAULT_PERIOD = "2014–2020"


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: its canonical value and a label per interface language."""

    value: str
    labels: dict[str, str]
    unofficial: tuple[str, ...] = ()
    parent: str | None = None  # large area of a region, axis of an objective

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("fi") or self.value


@dataclass(frozen=True)
class Axis:
    term: Term
    objectives: dict[str, Term]


@dataclass(frozen=True)
class Period:
    term: Term
    axes: dict[str, Axis]


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

    def axis_term(self, code: str) -> Term | None:
        for period in self.periods.values():
            if code in period.axes:
                return period.axes[code].term
        return None

    def objective_term(self, code: str) -> Term | None:
        for period in self.periods.values():
            for axis in period.axes.values():
                if code in axis.objectives:
                    return axis.objectives[code]
        return None

    def label(self, facet: str, value: str, lang: str) -> str:
        """Return the display label of a facet value, or the value itself when unknown."""
        lookup = {
            "region": self.regions.get,
            "large_area": self.large_areas.get,
            "theme": self.themes.get,
            "target_group": self.target_groups.get,
            "axis": self.axis_term,
            "objective": self.objective_term,
            "period": lambda v: self.periods[v].term if v in self.periods else None,
        }.get(facet)
        term = lookup(value) if lookup else None
        return term.label(lang) if term else value


def _term(entry: dict, value: str, parent: str | None = None) -> Term:
    labels = {lang: str(entry[lang]) for lang in LANGS if entry.get(lang)}
    return Term(value=value, labels=labels, unofficial=tuple(entry.get("unofficial") or ()), parent=parent)


# libyaml's loader when PyYAML has it: ten times faster, and the vocabularies are read at every start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(directory: Path, name: str) -> dict:
    with open(directory / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER) or {}


def load_vocabularies(directory: str | Path) -> Vocabularies:
    """Load every vocabulary file of ``directory`` (``content/vocabularies``)."""
    directory = Path(directory)
    regions_doc = _read(directory, "regions.yaml")
    large_areas = {e["fi"]: _term(e, e["fi"]) for e in regions_doc.get("large_areas", [])}
    regions = {e["fi"]: _term(e, e["fi"], e.get("large_area")) for e in regions_doc.get("regions", [])}
    themes = {e["value"]: _term(e, e["value"]) for e in _read(directory, "themes.yaml").get("themes", [])}
    periods: dict[str, Period] = {}
    for p in _read(directory, "programmes.yaml").get("periods", []):
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
    return Vocabularies(regions, large_areas, themes, periods, groups, aliases, synonyms)


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


_PRIORITY = re.compile(
    r"^\s*TL\s*\.?\s*(?P<axis>\d{1,2})\s*[,.;:/]?\s*ET\s*\.?\s*(?P<objective>\d{1,2}\s*\.\s*\d{1,2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Priority:
    axis: str  # "TL 3"
    objective: str  # "6.1"

    def __str__(self) -> str:
        return f"{self.axis} et {self.objective}"


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
