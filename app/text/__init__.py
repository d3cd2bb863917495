"""Text analysis shared by the build and the search: one Whoosh analyser per content language.

Finnish text is lemmatised with Voikko (libvoikko and its Finnish dictionary, read by pyvoikko's parser): every base form of an
ambiguous word, the base forms of compound parts and Snowball stems for unknown words are stacked
at the surface word's position. Swedish and English use Snowball stemmers. All languages share one
tokeniser.

- :mod:`.tokens` — the tokeniser (words, hyphenated words, numbers, case endings after a colon)
- :mod:`.words` — the analysis of one word form and the per-process cache of analyses
- :mod:`.finnish` — Finnish words: base forms, compound parts, unknown words
- :mod:`.voikko` — Voikko itself: libvoikko opened, its analyses parsed, its version
- :mod:`.analyzer` — the Whoosh analysers and the helpers the search uses (``lemmas``)
- :mod:`.lemma_store` — analyses kept between builds and shared with servers

Work is lazy: importing this package neither loads the Voikko dictionary nor builds anything; the
dictionary and the word cache are module globals, so the analysers themselves only hold a language
code and pickle cleanly.
"""
from .analyzer import LemmaFilter, analyzer_for, check_lang, compound_parts, explain_terms, index_postings, lemmas
from .finnish import load_dictionary
from .lexicon import load_lexicon
from .lemma_store import cache_fingerprint, load_cache, prefetch, save_cache, store_is_current, use_store
from .tokens import WordTokenizer, token_set, token_texts
from .voikko import VoikkoMissing
from .words import WordTerms, analyse_forms, cache_clear, cache_info, cache_update, reserve_cache, uncached_forms

__all__ = ["LemmaFilter", "VoikkoMissing", "WordTerms", "WordTokenizer", "analyse_forms", "analyzer_for", "cache_clear", "cache_fingerprint",
           "compound_parts",
           "cache_info", "cache_update", "check_lang", "explain_terms", "index_postings", "lemmas", "load_cache", "load_dictionary", "load_lexicon", "prefetch",
           "reserve_cache", "save_cache", "store_is_current", "token_set", "token_texts", "uncached_forms", "use_store"]
