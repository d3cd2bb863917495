"""Content: practice files → validated, rendered practices (the first stage of the pipeline).

- :mod:`.vocabularies` — the controlled vocabularies and the spellings editors may write
- :mod:`.front_matter` — a file's bytes → YAML front matter and body, problems with their lines
- :mod:`.validation` — one file's fields checked against the vocabularies (driven by the facet table)
- :mod:`.resolve` — the rules across one slug's files: inheritance, agreement, derived facets
- :mod:`.render` — Markdown → sanitised HTML → indexed text
- :mod:`.loader` — the whole content directory, with the per-slug cache of validated files
- :mod:`.model` — ``Practice``, ``Problem``, ``LoadResult``
- :mod:`.messages` — the editor messages: stable codes, texts translated to Finnish and Swedish
- :mod:`.schema_export` — the JSON Schema of the front matter for editors' YAML plug-ins
"""
from __future__ import annotations

from typing import Any

# Lazy: a server imports app.content.vocabularies, and with it this package, but none of the
# loader's libraries (front matter, Markdown, sanitiser, worker pools).
_EXPORTS = {"load_content": ".loader", "LoadResult": ".model", "Practice": ".model", "Problem": ".model",
            "render_markdown": ".render"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
