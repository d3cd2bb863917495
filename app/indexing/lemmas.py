"""Analyse each distinct word form of the practices once, in parallel, and keep the analyses.

Before the index writers start, every word form of the practices (and of the synonym groups,
which every query's expansion analyses) is looked up in the lemma store and the rest analysed by
worker processes; the writers forked afterwards find every form cached and never call Voikko.
The new analyses are stored when the caller says (a full build: while its segments are written).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .. import text as analysis
from ..content import Practice
from ..processes import PARALLEL_FROM, Progress, pool, worker_count

_TEXTS: list[tuple[str, list[str]]] = []  # (lang, texts) per practice, set before forking


def _forms_of(span: tuple[int, int]) -> set[tuple[str, str]]:
    by_lang: dict[str, list[str]] = {}
    for lang, texts in _TEXTS[span[0]:span[1]]:
        by_lang.setdefault(lang, []).extend(texts)
    return {(lang, form) for lang, texts in by_lang.items() for form in analysis.token_set(texts)}


def _analyse_chunk(forms: list[tuple[str, str]]) -> tuple[int, dict]:
    # Plain tuples cross the pipe: a WordTerms pickles and unpickles at twice their cost (100,000
    # analyses: 1.25 s against 0.53), and the parent unpickles a quarter of a million at 10k practices.
    return len(forms), {key: tuple(entry) for key, entry in analysis.analyse_forms(forms).items()}


def _merged(done: Iterable[tuple[int, dict]], added: list) -> Iterator[None]:
    """Merge each worker's analyses into this process's cache; one item per word form, for a progress bar."""
    for count, plain in done:
        entries = {key: analysis.WordTerms(*entry) for key, entry in plain.items()}
        analysis.cache_update(entries)
        added += entries
        yield from itertools.repeat(None, count)


def _spans(n: int, parts: int) -> list[tuple[int, int]]:
    step = max(1, -(-n // parts))
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def prewarm_lemmas(practices: Sequence[Practice], cache_path: Path | None, *, procs: int | None = None,
                   progress: Progress | None = None, extra: Sequence[tuple[str, str]] = ()) -> Callable[[], None]:
    """Fill the analyser's cache with every word form of ``practices`` and of the ``extra`` (lang, text)
    pairs (stored file first, then workers); return the function that stores them in ``cache_path``
    (a no-op when it holds them all already; it starts no process, so a thread may run it).

    Index writers forked afterwards find every form cached and never call Voikko; neither does a
    search process for words of the stored file (the synonyms are ``extra`` for that reason).
    """
    global _TEXTS
    _TEXTS = [(p.lang, [p.title, p.project, p.summary, p.body_text]) for p in practices]
    _TEXTS += [(lang, [text]) for lang, text in extra]
    workers = worker_count(procs)
    parallel = workers > 1 and len(_TEXTS) >= PARALLEL_FROM
    if parallel:
        with pool(workers) as workers_pool:
            listed = workers_pool.map_async(_forms_of, _spans(len(_TEXTS), workers * 4))
            if cache_path is None or not analysis.store_is_current(cache_path):
                # With no analyses stored most forms are new, and each analysing worker would load
                # simplemma's Swedish and English dictionaries itself (2 s each at its first word):
                # loaded here while the workers list the forms, the workers forked next inherit them.
                analysis.load_lexicon()
            forms: set[tuple[str, str]] = set().union(*listed.get())
    else:
        forms = _forms_of((0, len(_TEXTS)))
    _TEXTS = []
    analysis.reserve_cache(2 * len(forms) + 100_000)  # the forms, the parts of compounds, and room to spare
    loaded = analysis.load_cache(cache_path, forms) if cache_path is not None else 0
    # In the set's order: sorting them here (for the store) kept a core idle for 0.4 s at 10k practices;
    # ``save`` sorts them, while the segments are written.
    missing = analysis.uncached_forms(forms)
    added: list[tuple[str, str]] = []
    if parallel and len(missing) >= PARALLEL_FROM:
        # Every chunk a stride through the forms: forms sorted side by side cost alike (long compounds
        # together), so contiguous chunks of sorted forms made the progress bar's rate swing 2×.
        count = -(-len(missing) // 500)
        chunks = [missing[i::count] for i in range(count)]
        with pool(workers) as workers_pool:
            merged = _merged(workers_pool.imap_unordered(_analyse_chunk, chunks), added)
            for _ in (progress(merged, total=len(missing), desc="analysing words") if progress else merged):
                pass
    elif missing:
        added += analysis.analyse_forms(missing)

    def save() -> None:
        if cache_path is not None and (added or loaded < len(forms)):
            # Each form once, in key order: the store's B-tree then grows at its end (at 10k practices
            # 1.7 s instead of 7.9 s for the forms listed twice in no order).
            analysis.save_cache(cache_path, sorted(forms.union(added)))

    return save
