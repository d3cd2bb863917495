"""The browse arrays of an index version: what a server keeps of every practice, computed by the build.

A practice's *ordinal* is its place among the version's sorted slugs. For every ordinal: the title
of its primary version, its languages and its facet values; the orders of ordinals by title and by
date (newest first: the practice's first publication, then its last change); the
practice of every Whoosh document number; and for every facet value a bitset (a Python int whose
bit ``i`` is set when practice ``i`` has the value). Computing the bitsets takes seconds at
100 000 practices, so the build stores them and a server only unpickles them.
"""
from __future__ import annotations

import gc
import pickle
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..names import FACETS, facet_value_list, primary_version, title_key

BROWSE_FORMAT = 6  # 6: the newest-first order


@contextmanager
def gc_paused() -> Iterator[None]:
    """Loading many small objects triggers full garbage collections that find nothing: pause them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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


def newest_first(title_order: list[int], versions: list[Mapping[str, Mapping]]) -> list[int]:
    """Ordinals, newest first: by the practice's first publication (its earliest version's
    ``published``), then its last change (its latest ``updated``), then by title."""
    def dates(i: int) -> tuple[str, str]:
        published = [r.get("published") or "" for r in versions[i].values()]
        updated = [r.get("updated") or "" for r in versions[i].values()]
        return min(published), max(updated)

    return sorted(title_order, key=dates, reverse=True)  # stable: a tie keeps the title order


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

    @classmethod
    def from_records(cls, records: Mapping[str, Mapping[str, Mapping]], doc_slugs: Iterable[str]) -> "Browse":
        """Build from slug → {lang: record} (bodies not needed) and every Whoosh document's slug in number order."""
        slugs = sorted(records)
        primaries = [primary_version(records[s]) for s in slugs]
        titles = [p["title"] for p in primaries]
        ordinal = {s: i for i, s in enumerate(slugs)}
        facets = [tuple(tuple(sys.intern(v) for v in facet_value_list(p, f)) for f in FACETS) for p in primaries]
        names = tuple(f.name for f in FACETS)
        title_order = sorted(range(len(slugs)), key=lambda i: title_key(titles[i]))
        return cls(slugs=slugs, titles=titles, languages=[tuple(records[s]) for s in slugs], facets=facets,
                   facet_names=names, title_order=array("I", title_order),
                   newest_order=array("I", newest_first(title_order, [records[s] for s in slugs])),
                   # Deleted documents keep their numbers; no search returns them, so any ordinal will do.
                   doc_ordinal=array("I", (ordinal.get(s, 0) for s in doc_slugs)),
                   facet_bits=facet_bits([dict(zip(names, row)) for row in facets]))

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
