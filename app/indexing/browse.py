"""The browse arrays of an index version: what a server keeps of every practice, computed by the build.

A practice's *ordinal* is its place among the version's sorted slugs. For every ordinal: the title
of its primary version, its languages and its facet values; the orders of ordinals by title and by
date (newest first: the practice's first publication, then its last change); the
practice of every Whoosh document number; and for every facet value a bitset (a Python int whose
bit ``i`` is set when practice ``i`` has the value). Computing the bitsets takes seconds at
100 000 practices, so the build stores them and a server only unpickles them.
"""
from __future__ import annotations

import pickle
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..memory import gc_paused
from ..names import FACETS, facet_value_list, primary_version, title_key

BROWSE_FORMAT = 7  # 6: the newest-first order; 7: its keys kept (an update re-sorts it)


def bits_from_ordinals(ordinals: Iterable[int], size: int) -> int:
    """Bitset with the given ordinals set (built through bytes: much faster than shifting)."""
    buf = bytearray((size + 8) // 8)
    for i in ordinals:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def facet_bits(values_by_practice: list[Mapping[str, Iterable[str]]]) -> dict[str, dict[str, int]]:
    """facet name → value → bitset of the practices (by position in ``values_by_practice``) having it."""
    ordinals: dict[str, dict[str, list[int]]] = {f.name: {} for f in FACETS}
    for i, values in enumerate(values_by_practice):
        for name, by_value in ordinals.items():
            for v in values.get(name, ()):
                by_value.setdefault(v, []).append(i)
    size = len(values_by_practice)
    return {name: {v: bits_from_ordinals(ords, size) for v, ords in by_value.items()}
            for name, by_value in ordinals.items()}


def practice_dates(versions: Mapping[str, Mapping]) -> tuple[str, str]:
    """(first publication, last change) of a practice: its earliest version's ``published`` and its
    latest ``updated`` ("" when not known)."""
    return (min(r.get("published") or "" for r in versions.values()),
            max(r.get("updated") or "" for r in versions.values()))


def newest_first(title_order: Iterable[int], dates: list[tuple[str, str]]) -> list[int]:
    """Ordinals, newest first: by the practice's first publication, then its last change (``dates``
    by ordinal, see :func:`practice_dates`), then by title."""
    return sorted(title_order, key=dates.__getitem__, reverse=True)  # stable: a tie keeps the title order


# Equal tuples of values made one object: the pickle then holds each once and a reference at every
# other practice, and a server unpickles the references instead of building 900,000 tuples at 100k
# practices (opening a version: the facet rows took 0.084 s of the browse arrays' 0.16).
_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(values: tuple[str, ...]) -> tuple[str, ...]:
    return _SHARED.setdefault(values, values)


def _facet_row(primary: Mapping) -> tuple[tuple[str, ...], ...]:
    return tuple(_shared(tuple(sys.intern(v) for v in facet_value_list(primary, f))) for f in FACETS)


@dataclass
class Browse:
    """What a process keeps of every practice (by ordinal) and the orders."""

    slugs: list[str]  # sorted
    titles: list[str]  # title of the primary version
    languages: list[tuple[str, ...]]  # the practice's languages
    facets: list[tuple[tuple[str, ...], ...]]  # facet values in FACETS order
    facet_names: tuple[str, ...]  # the facet table's names when built
    title_order: array  # ordinals sorted by title
    doc_ordinal: array  # Whoosh document number → ordinal
    facet_bits: dict[str, dict[str, int]]  # facet → value → bitset of ordinals
    newest_order: array  # ordinals, newest first (see newest_first)
    dates: list[tuple[str, str]]  # (first publication, last change) by ordinal: the newest-first order's keys

    @classmethod
    def from_records(cls, records: Mapping[str, Mapping[str, Mapping]], doc_slugs: Iterable[str]) -> "Browse":
        """Build from slug → {lang: record} (bodies not needed) and every Whoosh document's slug in number order."""
        slugs = sorted(records)
        primaries = [primary_version(records[s]) for s in slugs]
        titles = [p["title"] for p in primaries]
        ordinal = {s: i for i, s in enumerate(slugs)}
        facets = [_facet_row(p) for p in primaries]
        names = tuple(f.name for f in FACETS)
        title_order = sorted(range(len(slugs)), key=lambda i: title_key(titles[i]))
        dates = [practice_dates(records[s]) for s in slugs]
        return cls(slugs=slugs, titles=titles, languages=[_shared(tuple(records[s])) for s in slugs], facets=facets,
                   facet_names=names, title_order=array("I", title_order),
                   newest_order=array("I", newest_first(title_order, dates)), dates=dates,
                   # Deleted documents keep their numbers; no search returns them, so any ordinal will do.
                   doc_ordinal=array("I", (ordinal.get(s, 0) for s in doc_slugs)),
                   facet_bits=facet_bits([dict(zip(names, row)) for row in facets]))

    def updated(self, records: Mapping[str, Mapping[str, Mapping]], doc_slugs: Iterable[str]) -> "Browse | None":
        """These arrays with the practices of ``records`` (slug → {lang: record}, bodies not needed)
        changed, and the documents numbered anew (``doc_slugs``): what :meth:`from_records` gives for
        every practice's records (tests compare them), computed from the changed ones only. None
        when a slug of ``records`` is not a practice here or the facet table changed (the ordinals
        or rows would change: build from every record)."""
        names = tuple(f.name for f in FACETS)
        ordinal = {s: i for i, s in enumerate(self.slugs)}
        if names != self.facet_names or any(s not in ordinal for s in records):
            return None
        titles, languages, facets, dates = list(self.titles), list(self.languages), list(self.facets), list(self.dates)
        bits = {name: dict(values) for name, values in self.facet_bits.items()}
        retitled, touched = False, set()
        for slug, versions in records.items():
            i, primary = ordinal[slug], primary_version(versions)
            row = _facet_row(primary)
            for k, (old, new) in enumerate(zip(facets[i], row)):
                values = bits[names[k]]
                for v in set(old) - set(new):
                    values[v] &= ~(1 << i)
                    if not values[v]:
                        del values[v]
                for v in set(new) - set(old):
                    values[v] = values.get(v, 0) | 1 << i
                if old != new:
                    touched.add(k)
            retitled |= title_key(titles[i]) != title_key(primary["title"])
            titles[i], languages[i], facets[i], dates[i] = primary["title"], _shared(tuple(versions)), row, practice_dates(versions)
        for k in touched:  # a facet's values in the order from_records meets them: by first practice, then in its row
            def first_met(v: str, k: int = k) -> tuple[int, int]:
                first = (bits[names[k]][v] & -bits[names[k]][v]).bit_length() - 1
                return first, facets[first][k].index(v)
            bits[names[k]] = {v: bits[names[k]][v] for v in sorted(bits[names[k]], key=first_met)}
        title_order = (array("I", sorted(range(len(self.slugs)), key=lambda i: title_key(titles[i])))
                       if retitled else self.title_order)
        return Browse(slugs=self.slugs, titles=titles, languages=languages, facets=facets, facet_names=names,
                      title_order=title_order, newest_order=array("I", newest_first(title_order, dates)),
                      dates=dates, doc_ordinal=array("I", (ordinal.get(s, 0) for s in doc_slugs)), facet_bits=bits)

    def facet_values(self, i: int) -> dict[str, tuple[str, ...]]:
        """facet name → values of practice ``i``."""
        return dict(zip(self.facet_names, self.facets[i]))

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            pickle.dump({"format": BROWSE_FORMAT, **self.__dict__}, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> "Browse":
        """The stored arrays; ValueError when they are of another format (an older build wrote them)."""
        with open(path, "rb") as fh, gc_paused():
            data = pickle.load(fh)
        if data.pop("format", None) != BROWSE_FORMAT:
            raise ValueError(f"{path} was written by another version of the build: rebuild the index")
        return cls(**data)
