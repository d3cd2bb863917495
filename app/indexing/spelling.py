"""The spelling dictionary of an index version: every surface word form with its document frequency.

Spelling correction ("did you mean …?") needs the words of the corpus that share a short prefix with
a typed word, and how many documents contain each. The build writes them into a small file beside
the Whoosh index instead of a Whoosh field: Whoosh's pure-Python writer spends most of a build per
term and per posting, and that field alone held half of the index's terms.

A word is tokenised as the spelling field did (the same regex, then ``str.lower()`` like Whoosh's
``LowercaseFilter``); a document is one language version of a practice.
"""
from __future__ import annotations

import logging
import pickle
import re
import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .layout import SPELLING

log = logging.getLogger(__name__)

SPELLING_FORMAT = 1
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # letters, optionally joined by hyphens ("EU-hanke")


def words_of(text: str) -> set[str]:
    """The distinct surface word forms of one document's text."""
    # Tokenise, then lower each token, as RegexTokenizer | LowercaseFilter did: lowering the text first
    # could change what the regex matches ("İ".lower() adds a combining dot, which is no letter).
    return {m.lower() for m in set(WORD.findall(text))}  # each distinct surface lowered once


def document_text(title: str, project: str, summary: str, body_text: str) -> str:
    """The text of one document whose words are listed (the fields a search matches)."""
    return f"{title}\n{project}\n{summary}\n{body_text}"


def count_words(texts: Iterable[str]) -> Counter[str]:
    """For every word, the number of texts (documents) containing it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words_of(text))
    return counts


class SpellingDictionary:
    """Words in sorted order with their document counts; looked up by prefix with bisection.

    ``open`` defers reading the file to the first lookup: a process that opens a version to serve
    it pays nothing until someone mistypes.
    """

    def __init__(self, words: list[str] | None = None, counts: array | None = None, path: Path | None = None):
        self._words = words
        self._counts = counts
        self._path = path
        self._lock = threading.Lock()

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> "SpellingDictionary":
        words = sorted(w for w, n in counts.items() if n > 0)
        return cls(words, array("I", (counts[w] for w in words)))

    def updated(self, delta: Mapping[str, int], *, in_place_up_to: int = 2_000) -> "SpellingDictionary":
        """This dictionary with ``delta`` added (word → change of its document count, negative for
        documents gone): what :meth:`from_counts` gives for the changed counts, words falling to 0
        left out, without counting and sorting every word again (at 100,000 practices that took 1.3 s
        of a one-file rebuild). Up to ``in_place_up_to`` words added or gone are inserted and deleted
        one by one (each moves the list's tail); beyond that the list is made anew."""
        words, counts = self._data()
        words, counts = list(words), array("I", counts)
        added: dict[str, int] = {}
        gone: list[int] = []
        for word, change in delta.items():
            i = bisect_left(words, word)
            if i < len(words) and words[i] == word:
                counts[i] = max(counts[i] + change, 0)
                if not counts[i]:
                    gone.append(i)
            elif change > 0:
                added[word] = change
        if len(added) + len(gone) > in_place_up_to:
            kept = {w: n for w, n in zip(words, counts) if n}
            return SpellingDictionary.from_counts({**kept, **added})
        for i in sorted(gone, reverse=True):
            del words[i], counts[i]
        for word, count in added.items():
            i = bisect_left(words, word)
            words.insert(i, word)
            counts.insert(i, count)
        return SpellingDictionary(words, counts)

    @classmethod
    def open(cls, version_dir: Path) -> "SpellingDictionary":
        """The dictionary of a version directory, read when first used."""
        return cls(path=Path(version_dir) / SPELLING)

    @classmethod
    def load(cls, path: Path) -> "SpellingDictionary | None":
        """The dictionary stored at ``path``, or None when there is none in this format."""
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError:
            return None
        if not isinstance(data, dict) or data.get("format") != SPELLING_FORMAT:
            return None
        # One string instead of a list of strings: smaller, and split() is faster than unpickling a list.
        words = data["words"].split("\n") if data["words"] else []
        return cls(words, data["counts"])

    def save(self, path: Path) -> None:
        words, counts = self._data()
        with open(path, "wb") as fh:
            pickle.dump({"format": SPELLING_FORMAT, "words": "\n".join(words), "counts": counts}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)

    def _data(self) -> tuple[list[str], array]:
        if self._words is None:
            with self._lock:  # several request threads may ask at once: read the file once
                if self._words is None:
                    loaded = SpellingDictionary.load(self._path) if self._path else None
                    if loaded is None:  # a version built before this file existed: no corrections
                        log.warning("no spelling dictionary at %s: spelling corrections are off", self._path)
                        loaded = SpellingDictionary([], array("I"))
                    self._counts = loaded._counts
                    self._words = loaded._words
        assert self._words is not None and self._counts is not None
        return self._words, self._counts

    def with_prefix(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(word, document count) of every word starting with ``prefix``, in sorted order."""
        words, counts = self._data()
        i = bisect_left(words, prefix)
        while i < len(words) and words[i].startswith(prefix):
            yield words[i], counts[i]
            i += 1

    def doc_frequency(self, word: str) -> int:
        """Number of documents containing ``word`` (0 for an unknown word)."""
        words, counts = self._data()
        i = bisect_left(words, word)
        return counts[i] if i < len(words) and words[i] == word else 0

    def counts(self) -> Counter[str]:
        """Every word with its count (an incremental build starts from these)."""
        words, counts = self._data()
        return Counter(dict(zip(words, counts)))

    def __len__(self) -> int:
        return len(self._data()[0])
