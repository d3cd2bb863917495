"""Text analysis seam: one Whoosh analyser per content language.

Finnish text is lemmatised with Voikko (pyvoikko on the kfst-rs backend):
every base form of an ambiguous word, the base forms of compound parts and
Snowball stems for unknown words are stacked at the surface word's position.
Swedish and English use Snowball stemmers.  All languages share one tokenizer.

Term kinds (see :func:`explain_terms`):

* ``base``: Voikko base form of the whole word, the joined form of a
  hyphenated word ("te-palvelu") or a number/code ("6.1", "2017").
* ``compound``: a part of a compound: part base forms, longer runs of parts
  ("yhteistyö" in "yhteistyökumppani"), the head of a lexicalised compound
  ("muuttaja" in "maahanmuuttaja"), the parts of a hyphenated word, and the
  known leading word split off an unknown word.
* ``stem``: a Snowball stem (unknown Finnish words, all Swedish/English words).

Index time emits all kinds; query time emits only the whole-word terms (base
forms, or the stem of an unknown word), so a query for "tuki" finds
"palkkatuella" while a query for "palkkatuki" does not match every "tuki".

No stoplist in any language: phrase queries need every word at its position,
BM25 already gives "ja"/"och"/"the" almost no weight, and Finnish stoplists
would drop real words ("olla", "voi", "tuli").

Highlighting: ``hit.highlights()`` re-tokenises the stored text in *index*
mode, so a query "tuki" marks "palkkatuella"; with ``terms=True`` and a
PinpointFragmenter it reads the stored char offsets instead.  The standalone
``whoosh.highlight.highlight()`` defaults to query mode: pass mode="index".

Work is lazy: importing this module neither loads the Voikko dictionary nor
builds anything; the dictionary and the word cache are module globals, so
the analysers themselves only hold a language code and pickle cleanly.
"""
from __future__ import annotations

import functools
import re
import threading
import time
import unicodedata
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from whoosh import query
from whoosh.analysis import Analyzer, Filter, Token, Tokenizer
from whoosh.lang import stemmer_for_language

LANGUAGES = ("fi", "sv", "en")
KINDS = ("base", "compound", "stem")

_SNOWBALL_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}

# --------------------------------------------------------------------------
# Normalisation and tokenisation
# --------------------------------------------------------------------------

# One-to-one character folds, so match offsets stay valid for highlighting.
# Typographic dashes become "-" (so "TE‑palvelut" and "2014–2020" tokenise
# like their ASCII spelling); typographic quotes become ASCII quotes (so
# "vaa’an" keeps its apostrophe inside the word).
# Letters are never folded: ä, ö and å are distinct letters in fi and sv.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'),
    }
)

# A word is letters/digits; combining marks and soft hyphens may sit inside
# it (they are removed from the token text, not from the offsets).  An
# apostrophe between letters belongs to the word: Finnish writes it at a
# syllable boundary ("vaa'an" = vaaka) and English has "people's".
_ALNUM = r"(?:[^\W_]|[\u0300-\u036f\u00ad])"
_WORD = rf"[^\W_]{_ALNUM}*(?:'{_ALNUM}+)*"
# Decimal numbers, versions and dates stay one token: "6.1", "2.0", "1,5".
_NUMBER = r"\d+(?:[.,]\d+)+"
_PIECE = rf"(?:{_NUMBER}|{_WORD})"
# Hyphenated words are one token; a trailing ":n"/":ssa" is the Finnish
# case ending of an abbreviation or numeral ("ESR:n", "2017:ssä").
_TOKEN_RE = re.compile(rf"{_PIECE}(?:-{_PIECE})*(?::[^\W\d_]{{1,6}}(?![^\W_]))?")


_FOLD_RE = re.compile("[" + "".join(map(chr, _FOLD)) + "]")


def _fold(text: str) -> str:
    """Apply the one-to-one typographic folds (str.translate is slow, so only when needed)."""
    return text.translate(_FOLD) if _FOLD_RE.search(text) else text


def _token_text(surface: str) -> str:
    """Normalised, lowercased text of a matched token, without a case suffix."""
    if ":" in surface:  # only the case suffix can contain a colon
        surface = surface[: surface.index(":")]
    if not surface.isascii():
        surface = unicodedata.normalize("NFC", surface.replace("\u00ad", ""))
    return surface.lower()


class WordTokenizer(Tokenizer):
    """Yields lowercased words, hyphenated words and numbers with their offsets."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenise ``value`` the way Whoosh's RegexTokenizer does."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = _token_text(_fold(value))
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, match in enumerate(_TOKEN_RE.finditer(_fold(value))):
            t.text = _token_text(match.group())
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[match.start() : match.end()]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


# --------------------------------------------------------------------------
# Per-word terms and their cache
# --------------------------------------------------------------------------


class WordTerms(NamedTuple):
    """The analysis of one word form: index terms with kinds, and query terms."""

    terms: tuple[str, ...]
    kinds: tuple[str, ...]
    query: tuple[str, ...]


class _TermList:
    """Ordered, de-duplicated collector of (term, kind); the first kind wins."""

    def __init__(self) -> None:
        self._kinds: dict[str, str] = {}
        self._query: dict[str, None] = {}

    def add(self, term: str, kind: str, query: bool = False) -> None:
        if not term:
            return
        self._kinds.setdefault(term, kind)
        if query:
            self._query[term] = None

    def freeze(self) -> WordTerms:
        return WordTerms(tuple(self._kinds), tuple(self._kinds.values()), tuple(self._query))


# Word form -> WordTerms, shared by every analyser in the process.  Plain dict
# reads/writes are atomic under the GIL; a race only computes a word twice.
_CACHE: dict[tuple[str, str], WordTerms] = {}
_CACHE_MAX = 500_000  # distinct forms; cleared wholesale when exceeded
_STATS = {"hits": 0, "misses": 0}


def _word_terms(word: str, lang: str) -> WordTerms:
    """Return the (cached) analysis of a lowercased token text."""
    key = (lang, word)
    entry = _CACHE.get(key)
    if entry is not None:
        _STATS["hits"] += 1
        return entry
    _STATS["misses"] += 1
    entry = _from_store(key) or _compute_terms(word, lang)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = entry
    return entry


def _compute_terms(word: str, lang: str) -> WordTerms:
    """Dispatch a token to the hyphen, number, Finnish or Snowball analysis."""
    if "-" in word.strip("-"):
        return _hyphenated_terms(word, lang)
    word = word.strip("-")
    terms = _TermList()
    if any(ch.isdigit() for ch in word):
        # Numbers and codes ("2017", "6.1", "tl3") are matched literally.
        terms.add(word, "base", query=True)
    elif lang == "fi":
        _add_finnish(terms, word)
    else:
        terms.add(_snowball(lang)(word), "stem", query=True)
    return terms.freeze()


def _hyphenated_terms(word: str, lang: str) -> WordTerms:
    """Joined forms ("te-palvelu") plus every part's own terms, as compound parts.

    The modifiers keep their surface form in the joined term because in a
    hyphenated compound they are uninflected ("LEAN-", "TE-", "ESR-").
    """
    parts = [p for p in word.split("-") if p]
    prefix = "-".join(parts[:-1])
    last = _word_terms(parts[-1], lang)
    terms = _TermList()
    for term in last.query:
        kind = last.kinds[last.terms.index(term)]
        terms.add(f"{prefix}-{term}", "stem" if kind == "stem" else "base", query=True)
    for part in parts[:-1]:
        terms.add(part, "compound")
    for part in parts:
        entry = _word_terms(part, lang)
        for term, kind in zip(entry.terms, entry.kinds):
            terms.add(term, "stem" if kind == "stem" else "compound")
    return terms.freeze()


# --------------------------------------------------------------------------
# Snowball (Swedish, English, and Finnish fallback)
# --------------------------------------------------------------------------

_STEMMERS: dict[str, Callable[[str], str]] = {}
_FI_VOWELS = frozenset("aeiouyäöå")


def _snowball(lang: str) -> Callable[[str], str]:
    """Return the (memoised) Snowball stemming function for ``lang``."""
    stem = _STEMMERS.get(lang)
    if stem is None:
        stem = _STEMMERS[lang] = stemmer_for_language(_SNOWBALL_NAMES[lang])
    return stem


def _finnish_stem(word: str) -> str:
    """Snowball Finnish stem made insensitive to consonant gradation.

    Snowball leaves "mentoroint" (mentorointi) and "mentoroin" (mentoroinnin);
    dropping the stem-final consonant cluster, where that leaves at least four
    letters, makes the strong and weak grades meet ("mentoroi").
    """
    stem = _snowball("fi")(word)
    end = len(stem)
    while end > 0 and stem[end - 1] not in _FI_VOWELS:
        end -= 1
    return stem[:end] if end >= 4 else stem


# --------------------------------------------------------------------------
# Finnish: Voikko
# --------------------------------------------------------------------------

_VOIKKO: Callable[[str], list[Any]] | None = None
_VOIKKO_LOCK = threading.Lock()
_MAX_VOIKKO_LEN = 60  # longer "words" are URLs/garbage: stem them instead
_MIN_PREFIX, _MIN_REST, _MAX_SPLITS = 3, 4, 16
_PROBE_HEAD = "hanke"  # a neutral head noun used to test compound modifiers


def _voikko() -> Callable[[str], list[Any]]:
    """Return pyvoikko's ``analyse``, loading the dictionary on first use."""
    global _VOIKKO
    if _VOIKKO is None:
        with _VOIKKO_LOCK:
            if _VOIKKO is None:
                from pyvoikko import analyse  # loads voikko.kfst (about 1 s)

                _VOIKKO = analyse
    return _VOIKKO


def load_dictionary() -> float:
    """Load the Voikko dictionary now (e.g. before forking workers); return seconds taken."""
    start = time.perf_counter()
    _voikko()
    return time.perf_counter() - start


def _clean_base(baseform: str) -> str:
    """Lowercase a Voikko base form and drop its morpheme markers.

    Voikko marks lexicalised compounds with "=" ("maahan=muuttaja") and
    pyvoikko doubles hyphens ("lean--menetelmä").
    """
    return re.sub("-{2,}", "-", baseform.replace("=", "")).strip("-").lower()


def _lexical_head(baseform: str) -> str:
    """Head of a lexicalised compound ("maahan=muuttaja" -> "muuttaja"), else "".

    Only the head is emitted: it is a base form that standalone queries
    produce, while "maahan" is an inflected form (illative of "maa") and
    indexing it would only make "maa" queries noisier.  Heads that are no
    word of their own ("pide" in "toimen=pide") are dropped.
    """
    if "=" not in baseform:
        return ""
    head = baseform.rsplit("=", 1)[1].lower()
    return head if len(head) >= 3 and _is_lexeme(head) else ""


@functools.lru_cache(maxsize=4096)
def _is_lexeme(word: str) -> bool:
    """True if Voikko reads ``word`` as the base form of a word of its own."""
    return any(_clean_base(r.BASEFORM) == word for r in _voikko()(word))


def _part_count(reading: Any) -> int:
    """Number of compound parts in a Voikko reading (1 for simple words)."""
    return len(reading.COMPOUND_PARTS) if reading.COMPOUND_PARTS else 1


def _run_base(parts: Sequence[Any]) -> str:
    """Base form of consecutive compound parts: modifiers as written, head as base.

    Mirrors how pyvoikko builds the whole word's base form (adjective modifiers
    use their base form).
    """
    modifiers = "".join(
        p.BASEFORM if p.CLASS in ("laatusana", "nimisana_laatusana") else p.FORM
        for p in parts[:-1]
    )
    return _clean_base(modifiers + parts[-1].BASEFORM)


def _compound_terms(parts: Sequence[Any]) -> list[str]:
    """Terms for a compound's parts: each part, lexical heads, and longer runs.

    Runs from either end ("työllisyyspalvelu", "palveluhanke") let a query for a
    sub-compound ("yhteistyö", "väkivalta") find the longer word.
    """
    out = []
    for part in parts:
        out.append(_clean_base(part.BASEFORM))
        out.append(_lexical_head(part.BASEFORM))
    for cut in range(2, len(parts)):
        out.append(_run_base(parts[:cut]))
        out.append(_run_base(parts[-cut:]))
    return out


def _add_finnish(terms: _TermList, word: str) -> None:
    """Add the terms of one Finnish word (no hyphens, no digits)."""
    readings = _voikko()(word) if len(word) <= _MAX_VOIKKO_LEN else []
    if readings:
        _add_known(terms, readings)
    else:
        _add_unknown(terms, word)


def _add_known(terms: _TermList, readings: Sequence[Any]) -> None:
    """Whole-word base forms of the readings with fewest parts, then their parts.

    Fewest parts drops over-segmentations (nuorisotakuu = nuori+sota+kuu).  The
    parts of a chosen base form come from its least-segmented compound reading,
    so lexicalised words keep their parts ("uusiokäyttö" -> "käyttö").
    """
    fewest = min(_part_count(r) for r in readings)
    bases = []
    for reading in readings:
        base = _clean_base(reading.BASEFORM)
        if _part_count(reading) == fewest and base not in bases:
            bases.append(base)
            terms.add(base, "base", query=True)
    for base in bases:
        same = [r for r in readings if _clean_base(r.BASEFORM) == base]
        for reading in same:
            terms.add(_lexical_head(reading.BASEFORM), "compound")
        compounds = [r for r in same if _part_count(r) > 1]
        if compounds:
            least = min(_part_count(r) for r in compounds)
            for reading in compounds:
                if _part_count(reading) == least:
                    for term in _compound_terms(reading.COMPOUND_PARTS):
                        terms.add(term, "compound")


def _add_unknown(terms: _TermList, word: str) -> None:
    """Terms of a word Voikko cannot analyse on its own.

    A bound compound modifier ("sosiaali" from "sosiaali- ja terveyspalvelut",
    "vertais") gets its base forms, so it matches the same part inside
    compounds; anything else gets a Snowball stem plus, where a known leading
    word splits off, that word and the remainder's terms.
    """
    modifier = _modifier_terms(word) if word.isalpha() else None
    if modifier:
        bases, parts = modifier
        for term in bases:
            terms.add(term, "base", query=True)
        for term in parts:
            terms.add(term, "compound")
        return
    terms.add(_finnish_stem(word), "stem", query=True)
    for term, kind in _split_unknown(word):
        terms.add(term, kind)


def _split_unknown(word: str) -> list[tuple[str, str]]:
    """Split an unknown compound at the longest known modifier ("vertais|mentoroinnin").

    Trying the longest prefix first keeps the known part as long as possible
    ("nuorisotyö|mentorointi", not "nuori|..."); at most ``_MAX_SPLITS``
    prefixes are tried, each costing one Voikko lookup.
    """
    # Voikko (kfst-rs) overflows its stack on thousands of letters: such "words" are only stemmed.
    if len(word) < _MIN_PREFIX + _MIN_REST or len(word) > _MAX_VOIKKO_LEN or not word.isalpha():
        return []
    last_cut = len(word) - _MIN_REST
    for cut in range(last_cut, max(_MIN_PREFIX, last_cut - _MAX_SPLITS + 1) - 1, -1):
        modifier = _modifier_terms(word[:cut])
        if modifier is None:
            continue
        bases, parts = modifier
        rest = _word_terms(word[cut:], "fi")
        rest_terms = [
            (term, "stem" if kind == "stem" else "compound")
            for term, kind in zip(rest.terms, rest.kinds)
        ]
        return [(term, "compound") for term in (*bases, *parts)] + rest_terms
    return []


def _modifier_terms(prefix: str) -> tuple[list[str], list[str]] | None:
    """(base forms, part terms) of ``prefix`` as a compound modifier, or None if it is none.

    Voikko is asked to analyse ``prefix`` + a neutral head noun: this accepts
    compound-only forms ("vertais-", "sosiaali-", "pohjois-") and rejects
    inflected junk ("verta-"), which a plain lookup of the prefix would not.
    """
    if len(prefix) < _MIN_PREFIX or len(prefix) + len(_PROBE_HEAD) > _MAX_VOIKKO_LEN:
        return None
    readings = [
        r
        for r in _voikko()(prefix + _PROBE_HEAD)
        if r.COMPOUND_PARTS
        and r.COMPOUND_PARTS[-1].FORM == _PROBE_HEAD
        and "".join(p.FORM for p in r.COMPOUND_PARTS[:-1]) == prefix
    ]
    if not readings:
        return None
    fewest = min(_part_count(r) for r in readings)
    bases: list[str] = []
    parts: list[str] = []
    for reading in readings:
        if _part_count(reading) == fewest:
            modifier = reading.COMPOUND_PARTS[:-1]
            bases.append(_run_base(modifier))
            if len(modifier) > 1:
                parts.extend(_compound_terms(modifier))
    return bases, parts


# --------------------------------------------------------------------------
# The Whoosh analysers
# --------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    """Raise ValueError for a language without an analyser."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")


class LemmaFilter(Filter):
    """Replaces each token by its terms for ``lang``, stacked at the token's position.

    Every emitted token keeps the surface word's pos/startchar/endchar, so
    phrase positions advance by one per surface word and highlighting marks
    the word as written.  Holds only the language code: pickles cleanly.
    """

    is_morph = True

    def __init__(self, lang: str) -> None:
        _check_lang(lang)
        self.lang = lang

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        lang = self.lang
        for t in tokens:
            # Inlined cache hit: this loop is the indexer's hot path.
            entry = _CACHE.get((lang, t.text))
            if entry is None:
                entry = _word_terms(t.text, lang)
            else:
                _STATS["hits"] += 1
            for text in entry.query if t.mode == "query" else entry.terms:
                t.text = text
                yield t


def analyzer_for(lang: str) -> Analyzer:
    """Return the analyser used at index and query time for text in ``lang``."""
    return WordTokenizer() | LemmaFilter(lang)


# --------------------------------------------------------------------------
# Helpers for the search service
# --------------------------------------------------------------------------


def _tokens(text: str) -> Iterator[str]:
    """Token texts of ``text`` as the analysers see them."""
    for t in WordTokenizer()(text):
        yield t.text


def lemmas(word: str, lang: str) -> list[str]:
    """Index terms that ``word`` produces as a query in ``lang``, de-duplicated, in order."""
    _check_lang(lang)
    out: dict[str, None] = {}
    for text in _tokens(word):
        out.update(dict.fromkeys(_word_terms(text, lang).query))
    return list(out)


def explain_terms(word: str, lang: str) -> list[tuple[str, str]]:
    """Every index term ``word`` produces in ``lang`` with its kind (base/compound/stem)."""
    _check_lang(lang)
    out: dict[str, str] = {}
    for text in _tokens(word):
        entry = _word_terms(text, lang)
        for term, kind in zip(entry.terms, entry.kinds):
            out.setdefault(term, kind)
    return list(out.items())


def stacked_phrase(
    fieldname: str,
    words: Sequence[str],
    slop: int = 1,
    boost: float = 1.0,
    char_ranges: Sequence[tuple[Any, Any]] | None = None,
) -> query.Query:
    """Phrase query treating terms stacked on one word as alternatives at one position.

    Whoosh's parser flattens a phrase's tokens, so '"nuorille maahanmuuttajille"'
    would need nuora, nuori, maahanmuuttaja at three positions.  Pass this as
    ``QueryParser(..., phraseclass=stacked_phrase)``: tokens of one surface word
    share a char range, which is how they are grouped here.
    """
    groups: list[list[str]] = []
    previous: Any = None
    for word, chars in zip(words, char_ranges or [(None, None)] * len(words)):
        if groups and chars[0] is not None and chars == previous:
            groups[-1].append(word)
        else:
            groups.append([word])
        previous = chars
    if all(len(group) == 1 for group in groups):
        return query.Phrase(fieldname, list(words), slop=slop, boost=boost, char_ranges=char_ranges)
    subqueries = [
        query.Term(fieldname, group[0])
        if len(group) == 1
        else query.Or([query.Term(fieldname, w) for w in group])
        for group in groups
    ]
    if len(subqueries) == 1:
        subqueries[0].boost = boost
        return subqueries[0]
    return query.Sequence(subqueries, slop=slop, boost=boost)


def cache_info() -> dict[str, int]:
    """Hits, misses and size of the per-process word-form cache."""
    return {"hits": _STATS["hits"], "misses": _STATS["misses"], "size": len(_CACHE)}


def cache_clear() -> None:
    """Empty the word-form cache and reset its counters (benchmarks, tests)."""
    _CACHE.clear()
    _STATS["hits"] = _STATS["misses"] = 0


# --------------------------------------------------------------------------
# Persistent cache for builds (appended by the indexing side; uses _CACHE as is)
# --------------------------------------------------------------------------


def cache_fingerprint() -> str:
    """Identifies this analyser's code and dictionaries: a stored cache is only valid under it."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    h = hashlib.sha256(Path(__file__).read_bytes())
    for dist in ("pyvoikko", "kfst-rs", "whoosh-reloaded"):
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?;".encode())
    return h.hexdigest()[:16]


def reserve_cache(size: int) -> None:
    """Let the cache hold ``size`` forms before it clears itself (a build knows its vocabulary size)."""
    global _CACHE_MAX
    _CACHE_MAX = max(_CACHE_MAX, size)


def cache_update(entries: dict[tuple[str, str], WordTerms]) -> int:
    """Add analyses computed elsewhere (another process, a file), up to the cache limit; return how many."""
    room = _CACHE_MAX - len(_CACHE)
    if len(entries) > room:
        entries = dict(list(entries.items())[: max(room, 0)])
    _CACHE.update(entries)
    return len(entries)


def uncached_forms(forms: Sequence[tuple[str, str]] | set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(lang, word)`` token texts whose analysis is not cached yet."""
    return [f for f in forms if f not in _CACHE]


def analyse_forms(forms: Sequence[tuple[str, str]]) -> dict[tuple[str, str], WordTerms]:
    """Analyse ``(lang, word)`` token texts; return every entry this added to the cache (parts too)."""
    import itertools

    before = len(_CACHE)
    for lang, word in forms:
        _word_terms(word, lang)
    if len(_CACHE) < before:  # the cache cleared itself on the way: recompute what was asked
        return {(lang, word): _word_terms(word, lang) for lang, word in forms}
    return dict(itertools.islice(_CACHE.items(), before, None))


_FIELD_SEP, _TERM_SEP = "\x1e", "\x1f"  # never inside a token text


def _encode(entry: WordTerms) -> str:
    return _FIELD_SEP.join(_TERM_SEP.join(part) for part in entry)


def _decode(text: str) -> WordTerms:
    return WordTerms(*(tuple(part.split(_TERM_SEP)) if part else () for part in text.split(_FIELD_SEP)))


def use_store(path: Any) -> None:
    """Look words missing from the memory cache up in the SQLite store at ``path`` (the build's lemma
    cache) before analysing them: a new server process then answers queries made of the corpus's
    words without loading the Voikko dictionary (about 1 s)."""
    _STORE["path"] = path
    _STORE_LOCAL.__dict__.clear()


_STORE: dict[str, Any] = {"path": None}
_STORE_LOCAL = threading.local()  # one read-only connection per thread (sqlite3 connections stay in theirs)


def _from_store(key: tuple[str, str]) -> WordTerms | None:
    """The stored analysis of ``key`` (lang, word), or None (no store, a stale one, or a busy one)."""
    import sqlite3

    path = _STORE["path"]
    if path is None:
        return None
    if getattr(_STORE_LOCAL, "path", None) != path:
        db = _open_store(path, write=False, timeout=0.05)
        if db is None:  # missing or stale: perhaps the first build has not finished yet, so ask again next time
            return None
        _STORE_LOCAL.path, _STORE_LOCAL.db = path, db
    db = _STORE_LOCAL.db
    try:
        row = db.execute("SELECT terms FROM form WHERE lang = ? AND word = ?", key).fetchone()
    except sqlite3.Error:  # a build is writing it: analyse instead of waiting
        return None
    return _decode(row[0]) if row else None


def _open_store(path: Any, write: bool, timeout: float = 60) -> Any:
    """The SQLite store at ``path`` if it holds this analyser's analyses (emptied for writing if not), else None."""
    import sqlite3
    from pathlib import Path

    if not write and not Path(path).exists():
        return None
    try:
        db = sqlite3.connect(str(path) if write else Path(path).resolve().as_uri() + "?mode=ro", uri=not write,
                             timeout=timeout)
        if write:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS form (lang TEXT, word TEXT, terms TEXT, "
                       "PRIMARY KEY (lang, word)) WITHOUT ROWID")
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.DatabaseError:  # not a database, or not ours
        if not write:
            return None
        Path(path).unlink(missing_ok=True)
        return _open_store(path, write)
    if row is None or row[0] != cache_fingerprint():
        if not write:
            db.close()
            return None
        db.execute("DELETE FROM form")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (cache_fingerprint(),))
    return db


def save_cache(path: Any, forms: Any = None) -> int:
    """Store the cached analyses of ``forms`` (default: all) in the SQLite file ``path``; return how many."""
    keys = _CACHE.keys() if forms is None else [f for f in forms if f in _CACHE]
    db = _open_store(path, write=True)
    try:
        with db:
            db.executemany("INSERT OR REPLACE INTO form VALUES (?, ?, ?)",
                           ((lang, word, _encode(_CACHE[(lang, word)])) for lang, word in keys))
        return len(keys)
    finally:
        db.close()


def load_cache(path: Any, forms: Any = None) -> int:
    """Add the stored analyses of ``forms`` (default: all); a missing, unreadable or stale file adds nothing.

    Returns how many were added. Asking for a few forms reads only those rows.
    """
    db = _open_store(path, write=False)
    if db is None:
        return 0
    try:
        if forms is None or len(forms) > 20_000:
            rows = db.execute("SELECT lang, word, terms FROM form")
            wanted = None if forms is None else set(forms)
        else:
            lookup = "SELECT lang, word, terms FROM form WHERE lang = ? AND word = ?"
            rows = (row for form in forms for row in db.execute(lookup, form))
            wanted = None
        entries = {(lang, word): _decode(terms) for lang, word, terms in rows
                   if wanted is None or (lang, word) in wanted}
    finally:
        db.close()
    return cache_update(entries)
