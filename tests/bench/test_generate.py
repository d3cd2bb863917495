"""The benchmark corpus generator writes valid, realistic and reproducible content."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from app.content import load_content
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generate.generate(tmp_path_factory.mktemp("gen") / "content", 120, seed=7)


def _files(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((content / "practices").iterdir())}


def _bodies(content: Path, lang: str = "fi") -> list[str]:
    return [p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in (content / "practices").glob(f"*.{lang}.md")]


def test_wordfreq_ships_finnish_offline():
    import wordfreq

    words = wordfreq.top_n_list("fi", 1000)
    assert "ja" in words[:5] and wordfreq.word_frequency("ja", "fi") > wordfreq.word_frequency(words[-1], "fi")


def test_generated_content_is_valid(corpus):
    loaded = load_content(corpus)
    assert loaded.problems == []
    assert len({p.slug for p in loaded.practices}) == 120
    translated = {p.slug for p in loaded.practices if p.lang != "fi"}
    assert 2 <= len(translated) <= 30  # about one in ten
    facets = {(p.period, p.axis) for p in loaded.practices}
    assert len({period for period, _ in facets}) == 2 and len(facets) > 4


def test_bodies_have_the_asked_shape(corpus):
    for body in _bodies(corpus):
        words = WORD.findall(body)
        paragraphs = [b for b in body.strip().split("\n\n") if not b.startswith("- ")]
        assert 150 <= len(words) <= 450 and 2 <= len(paragraphs) <= 4, body[:200]


def test_same_seed_same_corpus_other_seed_another(corpus, tmp_path):
    assert _files(generate.generate(tmp_path / "again", 120, seed=7)) == _files(corpus)
    assert _files(generate.generate(tmp_path / "other", 120, seed=8)) != _files(corpus)


def test_new_word_forms_keep_appearing_as_the_corpus_grows(tmp_path):
    """Heaps' law: distinct forms grow with the corpus, but more slowly than the corpus does."""
    content = generate.generate(tmp_path / "c", 400, seed=3)
    bodies = sorted(_bodies(content))
    distinct = []
    for n in (50, 100, 200, 400):
        distinct.append(len({w.lower() for b in bodies[:n] for w in WORD.findall(b)}))
    growth = [b / a for a, b in zip(distinct, distinct[1:])]
    assert all(1.25 < g < 2.0 for g in growth), (distinct, growth)
    # The most frequent words are the most frequent Finnish words (Zipf-shaped, not uniform).
    counts: dict[str, int] = {}
    for b in bodies:
        for w in WORD.findall(b.lower()):
            counts[w] = counts.get(w, 0) + 1
    top = sorted(counts, key=counts.get, reverse=True)[:10]
    assert {"ja", "on"} <= set(top)
