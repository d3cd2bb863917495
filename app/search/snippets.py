"""The documents shown on a page: where each query term occurs in them, snippets, why they matched.

Positions and character offsets come from the posting blocks the ranking decoded; for terms it did
not decode (it remembered their scores, or they are inside phrases) only the blocks that hold the
shown documents are read (:func:`app.engine.posting_values`).
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import Token

from ..engine import posting_values
from ..indexing.schema import field_language, text_field
from ..text import lemmas
from .ranking import Blocks, kept_value
from .response import Match

SNIPPET_CHARS = 240


class MarkFormatter(highlight.HtmlFormatter):
    """``<mark>`` around matched words; every other character HTML-escaped."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token, replace: bool = False) -> str:  # noqa: ANN001
        return "<mark>%s</mark>" % highlight.htmlescape(highlight.get_text(text, token, replace))


@dataclass
class ShownHit:
    """A document on the page: its stored fields and where each matched term occurs in them."""

    docnum: int
    stored: dict
    chars: dict[tuple[str, str], list[tuple[int, int, int]]] = field(default_factory=dict)  # (field, term) → (pos, start, end)

    def snippet(self, fieldname: str, top: int = 2) -> str:
        """Whoosh's pinpoint highlighting of the best fragments of ``fieldname`` ("" without a match there)."""
        text = self.stored.get(fieldname) or ""
        fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=70, autotrim=True)
        tokens = [Token(text=term, pos=pos, startchar=start, endchar=end)
                  for (name, term), chars in self.chars.items() if name == fieldname
                  for pos, start, end in chars if not fragmenter.charlimit or end <= fragmenter.charlimit]
        if not text or not tokens:
            return ""
        tokens.sort(key=lambda t: t.startchar)
        tokens = [max(group, key=lambda t: t.endchar - t.startchar)
                  for _, group in itertools.groupby(tokens, lambda t: t.startchar)]
        fragments = highlight.top_fragments(fragmenter.fragment_matches(text, tokens), top,
                                            highlight.BasicFragmentScorer(), highlight.FIRST)
        return MarkFormatter().format(fragments)

    def best_snippet(self) -> tuple[str, str]:
        """(snippet, its language) from the body, else the summary, else the title ("" when none matched)."""
        lang = self.stored["lang"]
        for kind in ("body", "summary", "title"):
            snippet = self.snippet(text_field(kind, lang))
            if snippet:
                return snippet, lang
        return "", lang

    def matches(self, explain: dict[str, tuple[str, str]]) -> list[Match]:
        """The query terms this hit matched, each with the surface forms it matched in the text
        (``explain``: index term → (the visitor's word, kind), from the query's interpretation)."""
        found: dict[str, Match] = {}
        for (fieldname, term), chars in sorted(self.chars.items()):
            word, kind = explain.get(term, (term, ""))
            lang = field_language(fieldname)
            match = found.setdefault(term, Match(query=word, term=term, kind=kind))
            text = self.stored.get(fieldname) or ""
            for form in (text[start:end].casefold() for _, start, end in chars[:5]):
                if form not in match.forms and len(match.forms) < 3:
                    match.forms.append(form)
            if not match.kind:
                whole = {t for f in match.forms for t in lemmas(f, lang)}
                match.kind = "base" if term in whole or not match.forms else "compound"
        for m in found.values():
            m.kind = m.kind or "base"
        return list(found.values())


def shown_hits(v, docnums: Sequence[int], wquery: wq.Query, blocks: Blocks) -> dict[int, ShownHit]:  # noqa: ANN001
    """The stored fields of the documents shown and where each (not excluded) query term occurs in them."""
    docs = sorted(set(docnums))
    hits = {d: ShownHit(d, v.searcher.stored_fields(d)) for d in docs}
    positive = wquery.a if isinstance(wquery, wq.AndNot) else wquery  # excluded words are not shown
    reader = v.searcher.reader()
    for fieldname, text in sorted(set(positive.iter_all_terms())):
        lang = field_language(fieldname)
        wanted = [d for d in docs if hits[d].stored.get("lang") == lang]
        if not wanted:
            continue
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        key = (fieldname, text)
        if key in blocks:
            values = {d: value for d in wanted if (value := kept_value(blocks, key, d)) is not None}
        elif key in reader:
            values = posting_values(reader, fieldname, text, wanted)
        else:
            continue
        if values is None:  # not Whoosh's W3 postings: walk a matcher
            postings, values = v.searcher.postings(fieldname, text), {}
            for d in wanted:
                if postings.is_active():
                    postings.skip_to(d)
                    if postings.is_active() and postings.id() == d:
                        values[d] = postings.value()
        decode = v.searcher.schema[fieldname].format.decoder("characters")
        for d, value in values.items():
            hits[d].chars[(fieldname, term)] = decode(value)
    return hits


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with " …" when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def plain_snippet(summary: str) -> str:
    """The snippet of a result without a query: the escaped beginning of its summary."""
    return highlight.htmlescape(shorten(summary))
