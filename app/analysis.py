"""Text analysis seam: one Whoosh analyser per content language (placeholder, replaced by Voikko)."""
from __future__ import annotations

from whoosh.analysis import Analyzer, StemmingAnalyzer
from whoosh.lang import stemmer_for_language

LANGUAGES = ("fi", "sv", "en")


def analyzer_for(lang: str) -> Analyzer:
    """Return the analyser used at index and query time for text in ``lang``."""
    stemfn = stemmer_for_language({"fi": "finnish", "sv": "swedish", "en": "english"}[lang])
    return StemmingAnalyzer(stemfn=stemfn, stoplist=None, minsize=1)
