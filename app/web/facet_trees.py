"""Facets shown as trees: programme period › priority axis › specific objective, large area › region.

The search answers flat lists of facet values with counts (the JSON API gives them as they are);
the page nests them: a period's own axes under the period, each axis's objectives under it
(choosing an axis means all its objectives, choosing an objective narrows), and the regions under
their large area (a region whose large area changed in a later period says so; national practices
and Åland stand apart). Values keep the vocabulary's order, so a list does not re-sort after a click.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..content.vocabularies import Vocabularies, qualified_value
from ..search.response import FacetValue


@dataclass
class Node:
    """One checkbox of a tree: a facet value, its label and count, and the nodes under it."""

    facet: str
    value: str
    label: str
    count: int
    selected: bool
    note: str = ""
    children: list["Node"] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """Worth a checkbox: it or something under it has practices, or it is chosen."""
        return bool(self.count or self.selected or any(c.shown for c in self.children))


def _lookup(values: list[FacetValue]) -> dict[str, FacetValue]:
    return {fv.value: fv for fv in values}


def _node(facet: str, value: str, found: dict[str, FacetValue], label: str, note: str = "") -> Node:
    fv = found.get(value)
    return Node(facet, value, label, fv.count if fv else 0, bool(fv and fv.selected), note)


def priority_tree(facets: dict[str, list[FacetValue]], vocab: Vocabularies, ui_lang: str) -> list[Node]:
    """Period › its axes › their objectives, in the programmes' order."""
    periods, axes, objectives = (_lookup(facets.get(f, [])) for f in ("period", "axis", "objective"))
    tree = []
    for period_id, period in vocab.periods.items():
        top = _node("period", period_id, periods, vocab.display_label("period", period_id, ui_lang))
        for code, axis in period.axes.items():
            value = qualified_value(period_id, code)
            label = vocab.display_label("axis", code, ui_lang) if not _spans_periods(vocab, code) else \
                vocab.display_label("axis", value, ui_lang).rsplit(" (", 1)[0]
            node = _node("axis", value, axes, label)
            node.children = [_node("objective", o, objectives, vocab.display_label("objective", o, ui_lang))
                             for o in axis.objectives]
            top.children.append(node)
        tree.append(top)
    return tree


def _spans_periods(vocab: Vocabularies, code: str) -> bool:
    return sum(code in p.axes for p in vocab.periods.values()) > 1


def plain_axes(facets: dict[str, list[FacetValue]], vocab: Vocabularies, ui_lang: str) -> list[Node]:
    """Chosen axes of any period ("TL 4" from an older address): shown above the tree so they can be unticked."""
    return [Node("axis", fv.value, vocab.display_label("axis", fv.value, ui_lang), fv.count, True)
            for fv in facets.get("axis", []) if fv.selected and fv.value in vocab.terms("axis")
            and not fv.value[:1].isdigit()]


def region_tree(facets: dict[str, list[FacetValue]], vocab: Vocabularies, ui_lang: str) -> list[Node]:
    """Large area › its regions, then the regions of no large area (Åland, the whole country)."""
    areas, regions = _lookup(facets.get("large_area", [])), _lookup(facets.get("region", []))
    tree = []
    for area in vocab.large_areas:
        top = _node("large_area", area, areas, vocab.display_label("large_area", area, ui_lang))
        for value, term in vocab.regions.items():
            if term.parent == area:
                moved = [f"{p}: {vocab.label('large_area', a, ui_lang)}" for p, a in term.parent_by_period]
                top.children.append(_node("region", value, regions, vocab.display_label("region", value, ui_lang),
                                          "; ".join(moved)))
        tree.append(top)
    for value, term in vocab.regions.items():
        if not term.parent:
            tree.append(_node("region", value, regions, vocab.display_label("region", value, ui_lang)))
    return tree
