"""The rules across the files of one slug: translations inherit or agree, derived facets, rendering.

A Swedish or English file may leave the facets to its Finnish original; if it gives them, they
must agree with it. The derived facets follow: large areas from the regions (the vocabulary's
parent of each region) and the practice's languages (the files of its slug).
"""
from __future__ import annotations

from ..names import PRIMARY_LANGUAGE, list_facets, priority_text
from .model import Practice, Problem
from .render import html_to_text, render_markdown
from .vocabularies import Vocabularies


def resolve(records: dict[tuple[str, str], dict], vocab: Vocabularies, problems: list[Problem]) -> list[Practice]:
    """Practices of validated records ((slug, lang) → fields of :func:`.validation.read_practice`),
    sorted by slug and language; a record that cannot be resolved adds to ``problems`` instead."""
    practices = []
    languages: dict[str, list[str]] = {}
    for slug, lang in sorted(records):
        languages.setdefault(slug, []).append(lang)
    for (slug, lang), rec in sorted(records.items()):
        original = records.get((slug, PRIMARY_LANGUAGE))
        if "facets" not in rec:
            if original is None:
                problems.append(Problem(rec["path"], 1, "", f"translation without a Finnish original: add "
                                        f"{slug}.{PRIMARY_LANGUAGE}.md or give regions, themes and priority here"))
                continue
            facets = dict(original["facets"])
        else:
            facets = dict(rec["facets"])
            if original is not None and lang != PRIMARY_LANGUAGE:
                if not _agree(rec, original, problems):
                    continue
                # An optional list left out (target groups) is inherited, like facets not given at all.
                facets.update({f.field: original["facets"][f.field] for f in list_facets()
                               if not f.required and not facets[f.field]})
        period = facets.get("period", "")
        facets["large_areas"] = tuple(sorted({vocab.regions[r].parent_in(period) for r in facets["regions"]
                                              if r in vocab.regions and vocab.regions[r].parent_in(period)}))
        facets["languages"] = tuple(languages[slug])
        html_body = render_markdown(rec["body"])
        text = html_to_text(html_body)
        summary = rec["summary"] or text.split("\n\n", 1)[0]
        practices.append(Practice(
            slug=slug, lang=lang, path=rec["path"], title=rec["title"], project=rec["project"],
            summary=summary, body_html=html_body, body_text=text, facets=facets,
            organisations=rec["organisations"], source=rec["source"],
        ))
    return practices


def _agree(rec: dict, original: dict, problems: list[Problem]) -> bool:
    """True when the facets a translation gives equal its original's (an optional list left empty inherits)."""
    mine, theirs = rec["facets"], original["facets"]
    pairs = {f.field: (set(mine[f.field]), set(theirs[f.field])) for f in list_facets()
             if f.required or mine[f.field]}
    pairs["period"] = (mine["period"], theirs["period"])
    pairs["priority"] = (priority_text(mine["axis"], mine["objective"]),
                         priority_text(theirs["axis"], theirs["objective"]))
    ok = True
    for key, (given, inherited) in pairs.items():
        if given != inherited:
            problems.append(Problem(rec["path"], rec["facet_lines"].get(key, 1), key,
                                    f"disagrees with {original['path']} ({_show(given)} here, {_show(inherited)} "
                                    "there); remove it to inherit, or make them equal"))
            ok = False
    return ok


def _show(value: object) -> str:
    return ", ".join(sorted(value)) if isinstance(value, set) else str(value)
