"""What a query asks: parse → analyse → correct → expand → the engine's query, in one direction.

:meth:`Interpreter.interpret` is the one place a visitor's text becomes a Whoosh query; the result
page, the exports, the overview and the feed all start from its :class:`Interpretation`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq

from ..content.vocabularies import Vocabularies
from ..names import LANGUAGES
from ..text import lemmas
from .expansion import Synonyms, whoosh_query
from .query import ParsedQuery, parse
from .spelling import Speller


@dataclass
class Interpretation:
    """A query as understood: what was parsed, what was corrected, what the engine searches."""

    text: str
    parsed: ParsedQuery  # with corrections applied
    corrected: dict[str, str] = field(default_factory=dict)  # typed word → word searched instead
    query: wq.Query | None = None  # None: no searchable word (every practice matches)
    # index term → (the visitor's word, kind: "synonym", "corrected" or "" to be decided per hit)
    explain: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        return self.parsed.truncated


class Interpreter:
    """Turns queries into Whoosh queries over an index version (one per search service)."""

    def __init__(self, vocab: Vocabularies):
        self.synonyms = Synonyms(vocab)
        self.speller = Speller(self.synonyms)

    def interpret(self, v, text: str) -> Interpretation:  # noqa: ANN001
        """The interpretation of ``text`` over index version ``v``."""
        parsed = parse(text)
        corrected = self.speller.corrections(v, parsed)
        if corrected:
            parsed = parsed.with_words(corrected)
        return Interpretation(text, parsed, corrected, self.engine_query(parsed), self._explain(parsed, corrected))

    def engine_query(self, parsed: ParsedQuery) -> wq.Query | None:
        """The Whoosh query of a parsed query, synonyms added."""
        return whoosh_query(parsed, self.synonyms)

    def suggestion(self, v, meant: Interpretation, count: Callable[[wq.Query], int], total: int) -> dict | None:  # noqa: ANN001
        """"Did you mean …?" for a query with few results (``count`` counts a Whoosh query's results)."""
        def count_parsed(parsed: ParsedQuery) -> int:
            query = self.engine_query(parsed)
            return 0 if query is None else count(query)

        return self.speller.suggestion(v, meant.parsed, count_parsed, total)

    def _explain(self, parsed: ParsedQuery, corrected: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Index term → (the visitor's word, kind) for every word of the query and its synonyms."""
        typo_of = {v: k for k, v in corrected.items()}
        terms: dict[str, tuple[str, str]] = {}
        for item in parsed.items():
            for synonym in self.synonyms.expand(item):
                for w in synonym.words:
                    for lang in LANGUAGES:
                        for t in lemmas(w, lang):
                            terms.setdefault(t, (w, "synonym"))
            for w in item.words:
                for lang in LANGUAGES:
                    for t in lemmas(w, lang):
                        terms[t] = (typo_of.get(w, w), "corrected" if w in typo_of else "")
        return terms
