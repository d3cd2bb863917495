"""The rules across the files of one slug: translations inherit or agree, derived facets, rendering.

The rule for a Swedish or English file (a *translation*):

- With a valid Finnish original (``<slug>.fi.md``), it may give any of the facets (``regions``,
  ``themes``, ``priority``, ``period``, ``target_groups``), all or none: each one it leaves out (or
  gives as an empty list) is inherited, each one it gives must be valid and agree with the original.
- With a Finnish original that has problems of its own, only the translation's own fields are
  checked: the original's problems are reported at the original, and nothing is said about
  inheriting from it.
- Without a Finnish original, it stands alone: it must give ``regions``, ``themes`` and
  ``priority`` itself (one message when it gives no facet at all).

The derived facets follow: large areas from the regions (the vocabulary's parent of each region)
and the practice's languages (the files of its slug).
"""
from __future__ import annotations

from collections.abc import Collection

from ..names import PRIMARY_LANGUAGE, list_facets, priority_text
from .fact_fields import inherit_facts
from .messages import E_, t
from .model import Practice, Problem
from .render import first_paragraph, html_to_text, render_body
from .vocabularies import DEFAULT_PERIOD, Vocabularies


def resolve(records: dict[tuple[str, str], dict], vocab: Vocabularies, problems: list[Problem],
            present: Collection[tuple[str, str]] = (), warnings: list[Problem] | None = None) -> list[Practice]:
    """Practices of validated records ((slug, lang) → fields of :func:`.validation.read_practice`),
    sorted by slug and language; a record that cannot be resolved adds to ``problems`` instead.
    ``present`` holds the (slug, lang) of every file there is, valid or not."""
    practices = []
    languages: dict[str, list[str]] = {}
    for slug, lang in sorted(records):
        languages.setdefault(slug, []).append(lang)
    for (slug, lang), rec in sorted(records.items()):
        if lang == PRIMARY_LANGUAGE:
            facets = dict(rec["facets"])
        else:
            original = records.get((slug, PRIMARY_LANGUAGE))
            if original is None and (slug, PRIMARY_LANGUAGE) in present:
                continue  # the original has problems of its own; they are reported there
            facets = _alone(rec, problems) if original is None else _inherit(rec, original, problems)
            if facets is None:
                continue
        facts = inherit_facts(rec, records.get((slug, PRIMARY_LANGUAGE)),
                              [r for (s, _), r in records.items() if s == slug], problems)
        if facts is None:
            continue
        period = facets.get("period", "")
        facets["large_areas"] = tuple(sorted({vocab.regions[r].parent_in(period) for r in facets["regions"]
                                              if r in vocab.regions and vocab.regions[r].parent_in(period)}))
        facets["languages"] = tuple(languages[slug])
        html_body, sections = render_body(rec["body"])
        text = html_to_text(html_body)
        if warnings is not None:
            warnings.extend(_repeated_names(rec, vocab))
        summary = rec["summary"] or first_paragraph(html_body)
        practices.append(Practice(
            slug=slug, lang=lang, path=rec["path"], title=rec["title"], project=rec["project"],
            summary=summary, body_html=html_body, body_text=text, facets=facets,
            organisations=rec["organisations"], source=rec["source"], sections=sections, **facts,
        ))
    return practices


def _given(rec: dict) -> set[str]:
    """The facet keys a translation gives (an empty list counts as not given)."""
    facets = rec["facets"]
    return {key for key in rec["given"] if key in ("priority", "period") or facets.get(key)}


def _alone(rec: dict, problems: list[Problem]) -> dict | None:
    """The facets of a translation without a Finnish original: it must give the required ones."""
    original = f"{rec['slug']}.{PRIMARY_LANGUAGE}.md"
    given = _given(rec)
    if not given:
        problems.append(Problem(rec["path"], 1, "", "KP401", t(E_(
            "translation without a Finnish original: add %(original)s, or give regions, themes and priority here"),
            original=original)))
        return None
    required = [f.field for f in list_facets() if f.required] + ["priority"]
    missing = [key for key in required if key not in given]
    for key in missing:
        problems.append(Problem(rec["path"], 1, key, "KP202", t(E_(
            "missing: a translation without a Finnish original gives it itself; add '%(key)s: …' here, or add "
            "%(original)s, from which it would be inherited"), key=key, original=original)))
    if missing:
        return None
    facets = dict(rec["facets"])
    facets.setdefault("period", DEFAULT_PERIOD)
    for f in list_facets():
        facets.setdefault(f.field, ())
    return facets


def _inherit(rec: dict, original: dict, problems: list[Problem]) -> dict | None:
    """The original's facets, when the ones the translation gives agree with them."""
    mine, theirs = rec["facets"], original["facets"]
    pairs = {}
    for key in sorted(_given(rec), key=lambda k: rec["facet_lines"].get(k, 1)):
        if key == "priority":
            pairs[key] = (priority_text(mine["axis"], mine["objective"]),
                          priority_text(theirs["axis"], theirs["objective"]))
        elif key == "period":
            pairs[key] = (mine["period"], theirs["period"])
        else:
            pairs[key] = (set(mine[key]), set(theirs[key]))
    ok = True
    for key, (given, inherited) in pairs.items():
        if given != inherited:
            problems.append(Problem(rec["path"], rec["facet_lines"].get(key, 1), key, "KP402", t(E_(
                "disagrees with %(original)s (%(given)s here, %(inherited)s there); remove it to inherit, or make "
                "them equal"), original=original["path"], given=_show(given), inherited=_show(inherited))))
            ok = False
    return dict(theirs) if ok else None


def _repeated_names(rec: dict, vocab: Vocabularies) -> list[Problem]:
    """A warning for each official name of an axis or objective the description repeats word for word:
    it says nothing of the practice, and the index leaves it out, so it helps nobody find it."""
    out = []
    for match in vocab.official_name_matches(rec["body"]):
        line = rec.get("body_line", 1) + rec["body"][:match.start()].count("\n")
        out.append(Problem(rec["path"], line, "body", "KP501", t(E_(
            "repeats the official name “%(name)s” word for word; the search leaves it out, so say instead "
            "what the practice did and for whom"), name=" ".join(match.group().split())), severity="warning"))
    return out


def _show(value: object) -> str:
    return ", ".join(sorted(value)) if isinstance(value, set) else str(value)
