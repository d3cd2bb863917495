"""What a query asks: parse → understand → correct → expand → the engine's clauses, in one direction.

:meth:`Interpreter.interpret` is the one place a visitor's text becomes Whoosh queries; the result
page, the exports, the overview and the feed all start from its :class:`Interpretation`:

- each group of the query (a word, a phrase, or items joined by OR) is a **clause**; a clause whose
  words are all fillers or function words ("miten", "hyvä käytäntö", "ja") is **optional** unless
  every clause is;
- words that match nothing and that no dictionary knows are **corrected** (:mod:`.spelling`);
- each clause is **expanded** with synonyms, compound parts and the metadata of facet values it
  names indirectly (:mod:`.expansion`, :mod:`.understanding`);
- excluded items ("-word") keep the same expansion, so ``-w`` excludes exactly what ``w`` finds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq

from ..content.vocabularies import Vocabularies
from ..names import LANGUAGES
from ..text import compound_parts, lemmas
from .expansion import Synonyms, item_query, part_queries
from .query import Item, ParsedQuery, parse
from .spelling import Speller
from .understanding import Recognised, Understanding


@dataclass
class Clause:
    """One part of the query as searched: its text as typed, its Whoosh query, whether it must match,
    and for a compound word the queries of its parts (a partial match counts the parts found)."""

    text: str
    query: wq.Query
    optional: bool = False
    parts: list[wq.Query] = field(default_factory=list)


@dataclass
class Interpretation:
    """A query as understood."""

    text: str
    parsed: ParsedQuery  # with corrections applied
    clauses: list[Clause] = field(default_factory=list)  # required and optional
    excluded: list[Clause] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)  # typed word → word searched instead
    recognised: list[Recognised] = field(default_factory=list)
    # index term → (the visitor's word, kind: "synonym", "corrected" or "" to be decided per hit)
    explain: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        return self.parsed.truncated

    @property
    def required(self) -> list[Clause]:
        return [c for c in self.clauses if not c.optional]

    @property
    def optional(self) -> list[Clause]:
        return [c for c in self.clauses if c.optional]

    @property
    def empty(self) -> bool:
        """No clause and no exclusion: every practice matches."""
        return not self.clauses and not self.excluded

    def positive_query(self) -> wq.Query | None:
        """Every clause ORed: what snippets and "why this matched" look for."""
        queries = [c.query for c in self.clauses]
        return None if not queries else queries[0] if len(queries) == 1 else wq.Or(queries)


class Interpreter:
    """Turns queries into clauses over an index version (one per search service)."""

    def __init__(self, vocab: Vocabularies):
        self.understanding = Understanding(vocab)
        self.synonyms = Synonyms(vocab, self.understanding.is_stop_word)
        self.speller = Speller(self.synonyms)

    def parse(self, text: str) -> ParsedQuery:
        return parse(text, self.understanding.is_name_head)

    def interpret(self, v, text: str, correct: bool = True) -> Interpretation:  # noqa: ANN001
        """The interpretation of ``text`` over index version ``v`` (``correct=False``: no spelling corrections)."""
        parsed = self.parse(text)
        corrected = self.speller.corrections(v, parsed) if correct else {}
        if corrected:
            parsed = parsed.with_words(corrected)
        recognised = self.understanding.recognise(parsed)
        # An excluded word is expanded as it would be searched, so "-w" excludes exactly what "w" finds.
        named = {i: self.understanding.recognise(ParsedQuery(must=[[i]])) for i in parsed.must_not}
        return Interpretation(text, parsed, self.clauses(parsed, recognised),
                              [c for c in (self._clause([i], named[i]) for i in parsed.must_not) if c],
                              corrected, recognised, self._explain(parsed, corrected))

    def clauses(self, parsed: ParsedQuery, recognised: list[Recognised] = ()) -> list[Clause]:
        """The clauses of a parsed query; fillers optional unless every clause is one. Two adjacent words
        that together spell a compound ("ohjaamo toiminta") are one clause: both words, or the compound."""
        clauses: list[Clause] = []
        groups = parsed.must
        i = 0
        while i < len(groups):
            joined = self._compound_of(groups[i], groups[i + 1]) if i + 1 < len(groups) else None
            if joined:
                first, second = self._clause(groups[i], recognised), self._clause(groups[i + 1], recognised)
                closed = self.item_query(Item((joined,)), recognised)
                if first and second and closed:
                    clauses.append(Clause(f"{first.text} {second.text}",
                                          wq.Or([wq.And([first.query, second.query]), closed]),
                                          parts=[first.query, second.query]))
                    i += 2
                    continue
            clause = self._clause(groups[i], recognised)
            if clause is not None:
                clauses.append(clause)
            i += 1
        if not all(c.optional for c in clauses):
            return clauses
        for c in clauses:
            c.optional = False
        return clauses

    @staticmethod
    def _compound_of(a: list[Item], b: list[Item]) -> str | None:
        """The closed compound two single words spell together, when Finnish reads it as exactly those two parts."""
        if len(a) != 1 or len(b) != 1 or a[0].is_phrase or b[0].is_phrase:
            return None
        first, second = a[0].words[0].casefold(), b[0].words[0].casefold()
        if not (first.isalpha() and second.isalpha() and len(first) >= 3 and len(second) >= 3):
            return None
        # A spaced compound writes its first part as the compound has it ("ohjaamo toiminta", also a bound
        # modifier such as "asuin paikasta"), not inflected ("nuorten …"): the compound's first part is the word.
        parts = compound_parts(first + second, "fi")
        if len(parts) != 2 or parts[0] != first or parts[1] not in lemmas(second, "fi"):
            return None
        return first + second

    def _clause(self, group: list[Item], recognised: list[Recognised]) -> Clause | None:
        queries = [q for q in (self.item_query(i, recognised) for i in group) if q is not None]
        if not queries:
            return None
        optional = all(not i.is_phrase and self.understanding.is_optional(i.words[0]) for i in group)
        parts = part_queries(group[0].words[0]) if len(group) == 1 and not group[0].is_phrase else []
        return Clause(" OR ".join(str(i) for i in group), queries[0] if len(queries) == 1 else wq.Or(queries),
                      optional, parts)

    def item_query(self, item: Item, recognised: list[Recognised] = ()) -> wq.Query | None:
        """One item's query: itself, synonyms, compound parts, and the metadata of values it names indirectly."""
        meta = []
        for r in recognised:
            if item.words[0] in r.words:
                if r.via:  # a municipality: its region's practices too
                    meta.append(self.understanding.vocab.label("region", r.value, "fi"))
                elif r.facet in ("axis", "objective") and len(r.words) > 1:  # an official name: the code
                    meta.append(r.value.replace(" ", "") if r.facet == "axis" else r.value)
        synonyms = self.synonyms.expand(item)
        word = item.words[0]
        if not item.is_phrase and "-" in word.strip("-") and word.replace("-", "").isalpha():
            closed = Item((word.replace("-", ""),))  # "toiminta-linja" is "toimintalinja" too, synonyms and all
            synonyms = [*synonyms, closed, *self.synonyms.expand(closed)]
        return item_query(item, synonyms, meta)

    def suggestion(self, v, meant: Interpretation, count: Callable[[Interpretation], int],  # noqa: ANN001
                   total: int) -> dict | None:
        """"Did you mean …?" for a query with few results (``count`` counts an interpretation's results)."""
        def count_parsed(parsed: ParsedQuery) -> int:
            recognised = self.understanding.recognise(parsed)
            other = Interpretation(meant.text, parsed, self.clauses(parsed, recognised), meant.excluded)
            return count(other)

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
