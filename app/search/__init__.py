"""Search: an index version → answers (results, facet counts, snippets, related practices).

- :mod:`.service` — ``SearchService``, the façade the web layer calls
- :mod:`.request`, :mod:`.response` — what is asked and what is answered (the one result shape)
- :mod:`.version` — the index version served, switched when ``CURRENT`` changes
- :mod:`.query` → :mod:`.interpret` (:mod:`.spelling`, :mod:`.expansion`) — the visitor's text,
  parsed, corrected and expanded into the engine's query, one way
- :mod:`.ranking` — BM25F over whole posting blocks; the best document of every practice
- :mod:`.facets` — counts from bitsets; :mod:`.lists`, :mod:`.snippets` — result pages; :mod:`.related`
"""
from .request import SearchRequest, parse_args
from .response import Result, SearchResponse
from .service import SearchService
from .version import NoIndex

__all__ = ["NoIndex", "Result", "SearchRequest", "SearchResponse", "SearchService", "parse_args"]
