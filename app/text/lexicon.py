"""Swedish and English words: lemmas from simplemma's dictionaries, Snowball stems, Swedish compounds.

Snowball alone leaves Swedish definite forms as they are ("arbetslivet" stays "arbetslivet", so
"arbetsliv" does not find it): simplemma (a dictionary-based lemmatiser, MIT licence) gives the
lemma ("arbetsliv"), and the Snowball stem is kept beside it ("invandrarna", "invandrare" →
"invandr"), so either finds the other's forms.

Swedish writes compounds closed ("lärlingsutbildningsavtalet"); they are split against the
same dictionary (:func:`swedish_parts`): every part must be a Swedish word form simplemma knows,
linking "s" included ("lärlings"); the first part at least ``MIN_PART`` letters, the others one
more. The fewest parts win, then the longest last part (the head: "ungdoms|arbetslöshet"). The dictionaries are loaded at the first Swedish or English word (a few
seconds), not at import.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from whoosh.lang import stemmer_for_language

MIN_PART = 3
MAX_PARTS = 4
SPLIT_KNOWN_FROM = 10
MAX_WORD = 40  # longer "words" are not split (the search is quadratic in the length)
_SNOWBALL_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}


def load_lexicon() -> float:
    """Load simplemma's Swedish and English dictionaries now (e.g. in a server's master process,
    before the workers fork); return the seconds taken."""
    import time

    start = time.perf_counter()
    for lang in ("sv", "en"):
        known("och" if lang == "sv" else "and", lang)
        lemma("arbetet" if lang == "sv" else "workers", lang)
    return time.perf_counter() - start


@functools.lru_cache(maxsize=None)
def snowball(lang: str) -> Callable[[str], str]:
    """The (memoised) Snowball stemming function for ``lang``."""
    return stemmer_for_language(_SNOWBALL_NAMES[lang])


@functools.lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma of a lowercased word in ``lang`` ("sv" or "en"), greedy for Swedish compounds."""
    import simplemma  # loads its dictionaries at the first lemma of a language

    found = simplemma.lemmatize(word, lang=lang, greedy=lang == "sv")
    return found.lower()


@functools.lru_cache(maxsize=200_000)
def known(word: str, lang: str) -> bool:
    """True when simplemma's dictionary of ``lang`` holds the word form."""
    import simplemma

    return simplemma.is_known(word, lang=lang)


def swedish_parts(word: str) -> list[str] | None:
    """The surface parts of a Swedish closed compound ("lärlings", "utbildnings", "avtalet"), or None.

    A word the dictionary knows is split too when it is long (``SPLIT_KNOWN_FROM`` letters): the
    dictionary holds many compounds ("arbetslivet") whose parts are words of their own.
    """
    if len(word) > MAX_WORD or len(word) < 2 * MIN_PART or not word.isalpha():
        return None
    if len(word) < SPLIT_KNOWN_FROM and known(word, "sv"):
        return None
    best = _split(word, MAX_PARTS, True)
    return list(best) if best and len(best) > 1 else None


@functools.lru_cache(maxsize=50_000)
def _split(word: str, budget: int, top: bool = False) -> tuple[str, ...] | None:
    """The fewest known parts making up ``word`` (at most ``budget``), longest first part first; None if none."""
    if not top and len(word) > MIN_PART and known(word, "sv"):
        return (word,)
    if budget <= 1:
        return None
    best: tuple[str, ...] | None = None
    first = MIN_PART if top else MIN_PART + 1
    for cut in range(first, len(word) - MIN_PART):  # shortest first part, so the longest rest first
        head = word[:cut]
        if not known(head, "sv"):
            continue
        rest = _split(word[cut:], budget - 1)
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (head, *rest)
            if len(best) == 2:
                break
    return best
