"""The visitor's query language, parsed by hand so that no input can fail or reach schema fields.

Syntax: words, "quoted phrases", ``OR`` between two items, ``NOT word`` or ``-word`` (a hyphen at
the start of the query or after a space). Anything else (wildcards, ``field:``, ``^``, ``~``,
brackets) is read as plain words. The text is read the way the indexer reads a description:

- Unicode is composed (NFC): "ä" pasted as a + a combining diaeresis is "ä";
- a case ending after a colon belongs to its word ("ESR:n", "EU:ssa", "2017:ssä"), as the
  tokeniser reads it; another colon separates words;
- the codes of priority axes and specific objectives are read as the index holds them:
  "TL 3", "TL3", "tl. 3" → "TL3"; "et 6.1", "et. 6.1" → "6.1";
- a space-hyphen word after a name ("Nuoret Duuniin 2017 -hankkeen", "Ohjaamo -toiminta") is a
  word of the query, not an exclusion, when ``is_name_head`` says so (the caller knows the
  Finnish words written so: hanke, malli, toiminta, projekti …).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_ITEMS = 24
MAX_WORD_CHARS = 60  # longer "words" are noise; analysing them costs time for nothing
_TOKEN = re.compile(r'"[^"]*"?|[^\s"]+')


@dataclass(frozen=True)
class Item:
    """A word (one element) or a phrase (several) as the visitor typed it."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def __str__(self) -> str:
        return f'"{" ".join(self.words)}"' if self.is_phrase else self.words[0]


@dataclass
class ParsedQuery:
    must: list[list[Item]] = field(default_factory=list)  # AND of ORs
    must_not: list[Item] = field(default_factory=list)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.must and not self.must_not

    def items(self) -> list[Item]:
        return [i for group in self.must for i in group]

    def __str__(self) -> str:
        parts = [" OR ".join(str(i) for i in group) for group in self.must]
        parts += [f"-{i}" for i in self.must_not]
        return " ".join(parts)

    def with_words(self, replace: dict[str, str]) -> "ParsedQuery":
        """A copy with single words replaced (used for spelling corrections)."""
        def fix(item: Item) -> Item:
            return Item((replace.get(item.words[0], item.words[0]),)) if not item.is_phrase else item
        return ParsedQuery([[fix(i) for i in group] for group in self.must], list(self.must_not), self.truncated)


# A colon not followed by a case ending (1–6 letters closing the word) separates words.
_SEPARATORS = re.compile(r"[\s*?^~(){}\[\]<>\\]+|:(?![^\W\d_]{1,6}(?![^\W_]))")
_AXIS = re.compile(r"\bTL\s*\.?\s*(\d{1,2})\b", re.IGNORECASE)
_OBJECTIVE = re.compile(r"\bET\s*\.?\s*(\d{1,2}\s*\.\s*\d{1,2})\b", re.IGNORECASE)


def _clean_words(text: str) -> tuple[str, ...]:
    # Drop characters that are only syntax elsewhere; the analysers see the words.
    words = _SEPARATORS.split(text)
    return tuple(w[:MAX_WORD_CHARS] for w in words if w and w.strip("-+'.,;!:"))


def normalise(text: str) -> str:
    """The query text as the parser reads it: printable, NFC, codes written as the index holds them."""
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = unicodedata.normalize("NFC", text)
    text = _AXIS.sub(lambda m: f"TL{int(m.group(1))}", text)
    return _OBJECTIVE.sub(lambda m: re.sub(r"\s+", "", m.group(1)), text)


def parse(text: str, is_name_head: Callable[[str], bool] | None = None) -> ParsedQuery:
    """Parse the visitor's query; never raises, bounds its length and number of items.

    ``is_name_head(word)`` tells whether a word written " -word" after another word is part of a
    name (a Finnish space-hyphen compound) rather than an exclusion.
    """
    text = normalise(text)
    parsed = ParsedQuery()
    if len(text) > MAX_QUERY_CHARS:
        text, parsed.truncated = text[:MAX_QUERY_CHARS], True
    negate = join_or = False
    for raw in _TOKEN.findall(text):
        if raw in ("AND", "&&", "+"):
            continue
        if raw in ("OR", "||") and parsed.must:
            join_or = True
            continue
        if raw in ("NOT", "!"):
            negate = True
            continue
        if raw.startswith("-") and len(raw) > 1 and not raw.startswith('-"'):
            if parsed.must and is_name_head is not None and is_name_head(raw[1:]):
                raw = raw[1:]  # "… 2017 -hankkeen": a word of the name
            else:
                negate, raw = True, raw[1:]
        elif raw.startswith("+"):
            raw = raw[1:]
        words = _clean_words(raw.strip('"'))
        if not words:
            negate = join_or = False
            continue
        budget = MAX_ITEMS - len({_key(i) for i in [*parsed.items(), *parsed.must_not]})
        if budget <= 0:
            parsed.truncated = True
            break
        item = Item(words if raw.startswith('"') else words[:1])
        # "a:b:c:…" is one token of many words: they count against the bound too.
        extra = [] if raw.startswith('"') else [Item((w,)) for w in words[1:]]
        if len(extra) >= budget:
            extra, parsed.truncated = extra[: budget - 1], True
        if negate:  # "-a:b" excludes both words
            parsed.must_not.extend([item, *extra])
        else:
            if join_or:
                parsed.must[-1].append(item)
            else:
                parsed.must.append([item])
            parsed.must.extend([e] for e in extra)
        negate = join_or = False
    return _without_repeats(parsed)


def _key(item: Item) -> tuple[str, ...]:
    return tuple(w.casefold() for w in item.words)


def _without_repeats(parsed: ParsedQuery) -> ParsedQuery:
    """The same query without repeated words: they change nothing but the cost (AND and OR are idempotent)."""
    groups: list[list[Item]] = []
    seen: set[frozenset] = set()
    for group in parsed.must:
        unique = list({_key(i): i for i in reversed(group)}.values())[::-1]  # first spelling of each
        keys = frozenset(_key(i) for i in unique)
        if keys not in seen:
            seen.add(keys)
            groups.append(unique)
    required = {next(iter(k)) for k in seen if len(k) == 1}
    # "a … a OR b" is just "a …": an OR group with a word required anyway is always true.
    parsed.must = [g for g in groups if len(g) == 1 or not any(_key(i) in required for i in g)]
    # "a -a": a word both required and excluded is required (excluding it would leave nothing).
    parsed.must_not = [i for i in list({_key(i): i for i in reversed(parsed.must_not)}.values())[::-1]
                       if not any(_key(i) in {_key(x) for x in g} for g in parsed.must)]
    return parsed
