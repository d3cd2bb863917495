import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.names import facet_names
from app.search.facets import (FacetIndex, bits_from_ordinals, ordinals_from_bits, slice_score, top_k,
                        weighted_slices)


@given(st.sets(st.integers(min_value=0, max_value=2000)))
def test_bits_round_trip(ordinals):
    bits = bits_from_ordinals(ordinals, 2001)
    assert ordinals_from_bits(bits) == sorted(ordinals)
    assert bits.bit_count() == len(ordinals)


def _random_practices(n, seed):
    rnd = random.Random(seed)
    regions, themes = ["A", "B", "C", "D"], ["t1", "t2", "t3"]
    return [{"region": rnd.sample(regions, rnd.randint(1, 2)), "theme": rnd.sample(themes, rnd.randint(1, 2)),
             "axis": [rnd.choice(["TL 3", "TL 4"])], "lang": ["fi"]} for _ in range(n)]


def _naive(practices, base, selections, facet, value):
    def passes(p, skip):
        return all(not vals or set(vals) & set(p.get(f, ())) for f, vals in selections.items() if f != skip)
    return sum(1 for i, p in enumerate(practices) if i in base and passes(p, facet) and value in p.get(facet, ()))


@pytest.mark.parametrize("selections", [
    {},
    {"region": ["A"]},
    {"region": ["A", "B"]},
    {"region": ["A"], "theme": ["t2"]},
    {"region": ["C", "D"], "theme": ["t1", "t3"], "axis": ["TL 4"]},
])
@pytest.mark.parametrize("seed", [1, 2])
def test_disjunctive_counts_match_a_naive_count(selections, seed):
    practices = _random_practices(300, seed)
    fi = FacetIndex(practices)
    base_set = set(random.Random(seed).sample(range(300), 200))
    counts = fi.counts(bits_from_ordinals(base_set, 300), selections)
    for facet in ("region", "theme", "axis"):
        got = {c.value: c.count for c in counts[facet]}
        for value in {v for p in practices for v in p[facet]}:
            assert got.get(value, 0) == _naive(practices, base_set, selections, facet, value)


def test_selected_values_stay_visible_at_zero():
    fi = FacetIndex([{"region": ["A"], "theme": ["t1"]}, {"region": ["B"], "theme": ["t2"]}])
    counts = fi.counts(fi.all, {"region": ["A"], "theme": ["t2"]})
    region = {c.value: (c.count, c.selected) for c in counts["region"]}
    assert region["A"] == (0, True)  # A under theme t2: nothing, but it stays selectable
    assert region["B"] == (1, False)
    counts = fi.counts(fi.all, {"region": ["Z"]})
    assert ("Z", 0, True) in {(c.value, c.count, c.selected) for c in counts["region"]}


def test_every_facet_is_counted():
    fi = FacetIndex([{}])
    assert set(fi.counts(fi.all, {})) == set(facet_names())


_weighted_sets = st.lists(st.tuples(st.sets(st.integers(0, 199)), st.integers(1, 9)), max_size=8)


@given(_weighted_sets)
def test_bit_sliced_sums_equal_per_practice_sums(weighted):
    slices = weighted_slices((bits_from_ordinals(s, 200), w) for s, w in weighted)
    for i in range(200):
        assert slice_score(slices, i) == sum(w for s, w in weighted if i in s)


@given(_weighted_sets, st.sets(st.integers(0, 199)), st.integers(1, 12))
def test_top_k_keeps_the_best_and_the_ties_at_the_boundary(weighted, candidates, k):
    slices = weighted_slices((bits_from_ordinals(s, 200), w) for s, w in weighted)
    score = {i: sum(w for s, w in weighted if i in s) for i in candidates}
    sure, tied = (set(ordinals_from_bits(b)) for b in top_k(slices, bits_from_ordinals(candidates, 200), k))
    assert sure | tied <= candidates and not sure & tied and len(sure) <= k
    assert len(sure | tied) >= min(k, len(candidates))
    assert len({score[i] for i in tied}) <= 1  # the tied share one score …
    for i in candidates - sure - tied:  # … and whatever was left out scores no better than them
        assert all(score[i] <= score[j] for j in sure | tied)
    for i in sure:
        assert all(score[i] > score[j] for j in candidates - sure)


def test_an_index_from_stored_bitsets_counts_as_the_one_computed():
    practices = _random_practices(300, 7)
    computed = FacetIndex(practices)
    stored = FacetIndex.from_bits(len(practices), computed.bits)
    selections = {"region": ["A"], "theme": ["t2"]}
    assert stored.counts(stored.all, selections) == computed.counts(computed.all, selections)
    assert stored.filter_bits(selections) == computed.filter_bits(selections)


def test_the_build_stores_the_facet_bitsets(bundled_app):
    v = bundled_app.extensions["search"].version()
    assert v.browse.facet_bits is not None  # a server does not recompute them
    assert v.facets.bits == FacetIndex([v.browse.facet_values(i) for i in range(len(v.slugs))]).bits
