"""Facet counting from per-value bitsets of practices (Python ints), built once per index version.

Every practice has an ordinal; each facet value has an int whose bit ``i`` is set when practice
``i`` has that value. Filtering is ``&`` of ORed selections and counting is ``int.bit_count``, so
disjunctive counts for all facets cost a few big-int operations per value.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..content.vocabularies import Vocabularies
from ..indexing.browse import bits_from_ordinals, facet_bits
from ..names import facet_names, title_key
from .response import FacetValue

__all__ = ["FacetCount", "FacetIndex", "bits_from_ordinals", "labelled", "ordinals_from_bits", "slice_score", "top_k",
           "weighted_slices"]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


def ordinals_from_bits(bits: int) -> list[int]:
    """The ordinals set in ``bits``, ascending."""
    out = []
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for byte_index, byte in enumerate(raw):
        while byte:
            low = byte & -byte
            out.append(byte_index * 8 + low.bit_length() - 1)
            byte ^= low
    return out


class FacetIndex:
    """Value bitsets of every facet over practice ordinals."""

    def __init__(self, values_by_practice: list[Mapping[str, Iterable[str]]]):
        """The index of practices given as facet name → values, in ordinal order."""
        self.size = len(values_by_practice)
        self.all = (1 << self.size) - 1
        self.bits: dict[str, dict[str, int]] = facet_bits(values_by_practice)

    @classmethod
    def from_bits(cls, size: int, bits: Mapping[str, Mapping[str, int]]) -> "FacetIndex":
        """The index of ``size`` practices whose value bitsets were stored (by the build)."""
        self = cls.__new__(cls)
        self.size, self.all = size, (1 << size) - 1
        self.bits = {f: dict(bits.get(f, {})) for f in facet_names()}
        return self

    def selection_bits(self, facet: str, values: Iterable[str]) -> int:
        """Practices having any of ``values`` in ``facet`` (OR within a facet)."""
        bits = 0
        for v in values:
            bits |= self.bits[facet].get(v, 0)
        return bits

    def filter_bits(self, selections: Mapping[str, Iterable[str]], skip: str | None = None) -> int:
        """Practices passing every facet's selection except ``skip``'s (AND across facets)."""
        bits = self.all
        for facet, values in selections.items():
            values = list(values)
            if facet != skip and values:
                bits &= self.selection_bits(facet, values)
        return bits

    def counts(self, base: int, selections: Mapping[str, Iterable[str]]) -> dict[str, list[FacetCount]]:
        """Disjunctive counts: each facet counted under every other facet's filter, not its own."""
        out: dict[str, list[FacetCount]] = {}
        for facet in self.bits:
            selected = set(selections.get(facet, ()))
            within = base & self.filter_bits(selections, skip=facet)
            rows = [FacetCount(v, (within & b).bit_count(), v in selected) for v, b in self.bits[facet].items()]
            rows = [r for r in rows if r.count or r.selected]
            rows += [FacetCount(v, 0, True) for v in selected if v not in self.bits[facet]]
            out[facet] = rows
        return out

    def cross_counts(self, base: int, facet_a: str, facet_b: str) -> dict[tuple[str, str], int]:
        """Practices of ``base`` having value ``a`` of ``facet_a`` and ``b`` of ``facet_b``, for every pair."""
        out: dict[tuple[str, str], int] = {}
        for a, a_bits in self.bits[facet_a].items():
            within = base & a_bits
            for b, b_bits in self.bits[facet_b].items():
                count = (within & b_bits).bit_count() if within else 0
                if count:
                    out[(a, b)] = count
        return out


def labelled(counts: Mapping[str, list[FacetCount]], vocab: Vocabularies, ui_lang: str) -> dict[str, list[FacetValue]]:
    """The counts as offered: labels in ``ui_lang``, in the vocabulary's order (a list keeps its order
    while the visitor works: it is not re-sorted by count after each click); unknown values last."""
    out = {}
    for facet, rows in counts.items():
        order = {value: i for i, value in enumerate(vocab.terms(facet))}
        values = [FacetValue(r.value, vocab.display_label(facet, r.value, ui_lang), r.count, r.selected) for r in rows]
        values.sort(key=lambda fv: (order.get(fv.value, len(order)), title_key(fv.label)))
        out[facet] = values
    return out


def weighted_slices(weighted: Iterable[tuple[int, int]]) -> list[int]:
    """Bit-sliced sums: for (bitset, integer weight) pairs, slices ``s`` (lowest bit first) such that
    practice ``i`` scores ``sum(2**j for j, s_j in enumerate(s) if s_j >> i & 1)``.

    Adding a bitset is a ripple-carry addition on big ints, so scoring every practice costs a few
    dozen int operations instead of a loop over practices.
    """
    slices: list[int] = []
    for bits, weight in weighted:
        j = 0
        while weight:
            if weight & 1:
                carry, k = bits, j
                while carry:
                    if k >= len(slices):
                        slices.extend([0] * (k + 1 - len(slices)))
                    slices[k], carry = slices[k] ^ carry, slices[k] & carry
                    k += 1
            weight >>= 1
            j += 1
    return slices


def slice_score(slices: list[int], i: int) -> int:
    """The sum ``weighted_slices`` holds for practice ``i``."""
    return sum(1 << j for j, s in enumerate(slices) if s >> i & 1)


def top_k(slices: list[int], candidates: int, k: int) -> tuple[int, int]:
    """The ``k`` best-scoring ``candidates`` as (sure, tied): ``sure`` (at most k) score more than every
    other candidate; ``tied`` share the next score, from which the caller picks the rest.

    The bit-sliced top-k of Rinfret, O'Neil and O'Neil: one pass over the slices, highest first.
    """
    sure, tied = 0, candidates
    for s in reversed(slices):
        above = sure | (tied & s)
        n = above.bit_count()
        if n > k:
            tied &= s
        elif n == k:
            return above, 0
        else:
            sure, tied = above, tied & ~s
    return sure, tied
