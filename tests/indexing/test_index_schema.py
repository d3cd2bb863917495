"""The text fields' posting values (app.indexing.schema.Occurrences): what is encoded is read back."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.indexing.schema import Occurrences, make_schema

_OCCURRENCE = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))


@given(occurrences=st.lists(_OCCURRENCE, min_size=1, max_size=50), boost=st.sampled_from([1.0, 2.0, 4.0]))
def test_occurrences_read_back_as_encoded(occurrences, boost):
    fmt = Occurrences(field_boost=boost)
    value = fmt.encode(occurrences)
    # One layout whatever the count (one occurrence is packed apart from several): versions written
    # before read the same way.
    assert value == len(occurrences).to_bytes(4, "big") + b"".join(
        n.to_bytes(4, "little") for occurrence in occurrences for n in occurrence)
    assert fmt.decode_characters(value) == occurrences
    assert fmt.decode_positions(value) == [pos for pos, _, _ in occurrences]
    assert fmt.decode_frequency(value) == len(occurrences)
    assert fmt.decode_weight(value) == len(occurrences) * boost
    assert fmt.decode_position_boosts(value) == [(pos, 1) for pos, _, _ in occurrences]


def test_every_text_field_stores_occurrences_with_its_boost():
    schema = make_schema()
    for name, boost in (("title_fi", 4.0), ("body_sv", 1.0), ("meta_en", 2.0)):
        assert isinstance(schema[name].format, Occurrences)
        assert schema[name].format.field_boost == boost
    assert not isinstance(schema["slug"].format, Occurrences)
