"""Validating one practice file against the vocabularies: its fields, or every problem with its line.

The facet fields are validated from the facet table (:data:`app.names.FACETS`): a ``list`` facet
is checked against its vocabulary (aliases accepted, closest value suggested), ``priority`` and
``period`` by their own rules. A Finnish file must give the required facets; a translation
checks only the facets it gives (:mod:`.resolve` inherits the rest from the Finnish original and
checks that given ones agree). Every message names the field and says what to write instead.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..names import LANGUAGES, PRIMARY_LANGUAGE, SLUG_PATTERN, front_matter_keys, list_facets
from .fact_fields import read_facts
from .facts import KEYS as FACT_FIELDS
from .front_matter import SHORT, SURROGATE_MESSAGE, Reader, decode, describe, encodable, split, unreadable
from .messages import E_
from .model import Problem
from .vocabularies import DEFAULT_PERIOD, Vocabularies, canonical, nfc, normalise_period, parse_priority, suggest

FILE_NAME = re.compile(rf"^(?P<slug>{SLUG_PATTERN})\.(?P<lang>[a-z]{{2}})\.md$")
MAX_FILE_BYTES = 1_000_000


def known_keys() -> tuple[str, ...]:
    """Every front-matter key the build knows, in the order messages list them."""
    return ("title", "project", "summary", *front_matter_keys(), "organisations", "source", *FACT_FIELDS)


def _text(r: Reader, meta: dict, key: str, required: bool) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            r.fail("KP202", key, E_("missing: every practice needs a %(key)s (add '%(key)s: …' to the front matter)"),
                   key=key)
        return ""
    if not isinstance(value, str):
        r.fail("KP203", key, E_("must be text, but %(what)s; put the value in quotes"), what=describe(value))
        return ""
    if not encodable(value):
        r.fail("KP204", key, SURROGATE_MESSAGE)
        return ""
    return nfc(value.strip())


def _text_list(r: Reader, meta: dict, key: str) -> list[str] | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        r.fail("KP205", key, E_("must be a list such as [%(item)s 1, %(item)s 2], but %(what)s"),
               item=key[:-1], what=describe(value))
        return []
    out = []
    for item in value:
        if isinstance(item, str) and item.strip() and not encodable(item):
            r.fail("KP204", key, SURROGATE_MESSAGE)
        elif isinstance(item, str) and item.strip():
            out.append(nfc(item.strip()))
        else:  # shortened: a YAML alias can make a value that prints as gigabytes
            shown = item if isinstance(item, (bool, int, float, dt.date, type(None))) else SHORT.repr(item)
            r.fail("KP206", key, E_("'%(value)s' is not text: %(what)s; put it in quotes"), value=shown,
                   what=describe(item))
    return out


# Per facet: not known, not known with a suggestion, missing, empty (the generic ones name the facet).
_LIST_MESSAGES = {
    "region": (E_("'%(value)s' is not a known region"),
               E_("'%(value)s' is not a known region (did you mean '%(hint)s'?)"),
               E_("missing: list at least one region, e.g. %(key)s: [%(example)s]"),
               E_("empty: list at least one region")),
    "theme": (E_("'%(value)s' is not a known theme"),
              E_("'%(value)s' is not a known theme (did you mean '%(hint)s'?)"),
              E_("missing: list at least one theme, e.g. %(key)s: [%(example)s]"),
              E_("empty: list at least one theme")),
    "target_group": (E_("'%(value)s' is not a known target group"),
                     E_("'%(value)s' is not a known target group (did you mean '%(hint)s'?)"),
                     E_("missing: list at least one target group, e.g. %(key)s: [%(example)s]"),
                     E_("empty: list at least one target group")),
}
_GENERIC = (E_("'%(value)s' is not a known %(what)s"),
            E_("'%(value)s' is not a known %(what)s (did you mean '%(hint)s'?)"),
            E_("missing: list at least one %(what)s, e.g. %(key)s: [%(example)s]"),
            E_("empty: list at least one %(what)s"))


def _vocab_list(r: Reader, meta: dict, name: str, key: str, known: dict, aliases: dict[str, str] | None,
                required: bool) -> tuple[str, ...] | None:
    unknown, unknown_hint, missing, empty = _LIST_MESSAGES.get(name, _GENERIC)
    what = name.replace("_", " ")
    values = _text_list(r, meta, key)
    if values is None:
        if required:
            r.fail("KP202", key, missing, key=key, example=next(iter(known), ""), what=what)
        return None
    if required and not values and not any(p.field == key for p in r.problems):
        r.fail("KP207", key, empty, what=what)
    # A value may also be written as its Swedish or English name ("Norra Karelen" for Pohjois-Karjala).
    aliases = {**{label.casefold(): value for value, term in known.items()
                  for lang, label in term.labels.items() if lang != PRIMARY_LANGUAGE}, **(aliases or {})}
    # Editors' tools write a list as one text with commas ("kohti työtä, asiakasohjaus").
    values = [part.strip() for v in values
              for part in (v.split(",") if _comma_list(v, known, aliases) else [v]) if part.strip()]
    out: list[str] = []
    for v in values:
        c = canonical(v, known, aliases)
        if c is None:
            hint = suggest(v, list(known) + list(aliases or {}))
            if hint:
                r.fail("KP208", key, unknown_hint, value=v, hint=canonical(hint, known, aliases) or hint, what=what)
            else:
                r.fail("KP208", key, unknown, value=v, what=what)
        elif c not in out:
            out.append(c)
    return tuple(out)


def _comma_list(value: str, known: dict, aliases: dict[str, str]) -> bool:
    """Whether ``value`` is a list written as one text: not a value itself, but some of its parts are."""
    return ("," in value and canonical(value, known, aliases) is None
            and any(canonical(part.strip(), known, aliases) for part in value.split(",")))


def _priority(r: Reader, meta: dict, vocab: Vocabularies, period: str | None) -> tuple[str, str] | None:
    """The (axis, objective) of the front matter's ``priority``, checked against ``period`` (None:
    the period is unknown, so only the form is checked)."""
    raw = meta.get("priority")
    if raw is None:
        r.fail("KP301", "priority", E_("missing: give the priority axis and specific objective, "
                                       "e.g. priority: TL 3 et 6.1"))
        return None
    if not isinstance(raw, str):
        r.fail("KP302", "priority", E_("must be text like 'TL 3 et 6.1', but %(what)s"), what=describe(raw))
        return None
    parsed = parse_priority(raw)
    if parsed is None:
        r.fail("KP303", "priority", E_("'%(value)s' is not of the form 'TL 3 et 6.1' (priority axis, then "
                                       "specific objective)"), value=raw)
        return None
    p = vocab.periods.get(period) if period else None
    if p is None:
        return (parsed.axis, parsed.objective) if period is None else None  # a bad period was reported
    axis, objective = parsed.axis, parsed.objective
    owner = next((code for code, a in p.axes.items() if objective in a.objectives), None)
    if axis not in p.axes:
        if owner:
            r.fail("KP304", "priority", E_("%(axis)s is not an ESF priority axis of %(period)s; objective "
                                           "%(objective)s belongs to %(owner)s: write 'priority: %(owner)s et "
                                           "%(objective)s'"), axis=axis, period=period, objective=objective,
                   owner=owner)
        else:
            r.fail("KP304", "priority", E_("%(axis)s is not an ESF priority axis of %(period)s (known: %(known)s)"),
                   axis=axis, period=period, known=", ".join(p.axes))
        return None
    if objective in p.axes[axis].objectives:
        return axis, objective
    under = ", ".join(p.axes[axis].objectives)
    elsewhere = [(pid, code) for pid, other in vocab.periods.items() if pid != period
                 for code, a in other.axes.items() if objective in a.objectives]
    if owner:
        r.fail("KP305", "priority", E_("specific objective %(objective)s is not under %(axis)s in %(period)s: "
                                       "%(objective)s belongs to %(owner)s, so write 'priority: %(owner)s et "
                                       "%(objective)s'"), objective=objective, axis=axis, period=period, owner=owner)
    elif elsewhere:
        other_period, owner = elsewhere[0]
        r.fail("KP305", "priority", E_("specific objective %(objective)s is not under %(axis)s in %(period)s: "
                                       "%(objective)s is under %(owner)s in %(other)s (add 'period: %(other)s'), "
                                       "or choose one under %(axis)s: %(under)s"),
               objective=objective, axis=axis, period=period, owner=owner, other=other_period, under=under)
    else:
        r.fail("KP305", "priority", E_("specific objective %(objective)s is not under %(axis)s in %(period)s "
                                       "(under %(axis)s: %(under)s)"),
               objective=objective, axis=axis, period=period, under=under)
    return None


def _period(r: Reader, meta: dict, vocab: Vocabularies) -> str | None:
    """The front matter's period (the default when it gives none), or None when it is not one."""
    raw = meta.get("period", DEFAULT_PERIOD)
    if not isinstance(raw, str):
        r.fail("KP306", "period", E_("must be text like '2014–2020', but %(what)s"), what=describe(raw))
        return None
    period = normalise_period(raw)
    if period not in vocab.periods:
        r.fail("KP307", "period", E_("'%(value)s' is not a programme period (known: %(known)s)"),
               value=raw, known=", ".join(vocab.periods))
        return None
    return period


def read_practice(path: Path, vocab: Vocabularies, display: str | None = None,
                  inherited_period: str | None = None) -> tuple[dict | None, list[Problem]]:
    """Read and validate one file: its fields, or None and every problem found.

    The fields: ``slug``, ``lang``, ``path``, ``title``, ``project``, ``summary``, ``source``,
    ``organisations``, ``body``, the facts, dates and aliases of :func:`.fact_fields.read_facts`;
    ``facets`` (field → value(s)) of the facets the file gives (all of them for a Finnish file),
    ``given`` (those fields, with ``priority`` for axis and objective) and ``facet_lines`` (field →
    line). A translation's priority is checked against its own period, else ``inherited_period`` (its
    original's), else only its form.
    """
    r = Reader(path, display or str(path))
    m = FILE_NAME.match(path.name)
    if not m or m.group("lang") not in LANGUAGES:
        r.fail("KP101", "", E_("bad file name '%(name)s': use <slug>.<lang>.md with a lower-case slug of a-z, 0-9 "
                               "and hyphens and lang one of %(languages)s"), name=path.name,
               languages=", ".join(LANGUAGES))
        return None, r.problems
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:  # a broken or looping symbolic link, a directory behind a link, no permission
        r.fail("KP102", "", E_("cannot read the file (%(reason)s); fix or remove it"), reason=unreadable(path, exc))
        return None, r.problems
    if size > MAX_FILE_BYTES:
        r.fail("KP103", "", E_("file is larger than %(kb)d kB; split the practice or shorten it"),
               kb=MAX_FILE_BYTES // 1000)
        return None, r.problems
    text = decode(r, data)
    parts = split(r, text) if text is not None else None
    if parts is None:
        return None, r.problems
    meta, body = parts
    lang = m.group("lang")
    known = known_keys()
    meta = _known_case(meta, known, r)
    for key in meta:
        if key not in known:
            hint = suggest(str(key), list(known))
            if hint:
                r.fail("KP201", str(key), E_("unknown field (did you mean '%(hint)s'?)"), hint=hint)
            else:
                r.fail("KP201", str(key), E_("unknown field; known fields: %(known)s"), known=", ".join(known))
    record: dict = {"slug": m.group("slug"), "lang": lang, "path": r.display}
    record["title"] = _text(r, meta, "title", True)
    record["project"] = _text(r, meta, "project", True)
    record["summary"] = _text(r, meta, "summary", False)
    record["source"] = _text(r, meta, "source", False)
    record["organisations"] = tuple(_text_list(r, meta, "organisations") or ())
    if not body.strip():
        r.fail("KP209", "body", E_("empty: write the description of the practice below the closing '---'"),
               text.count("\n") + 1)
    record["body"] = nfc(body)
    record["body_line"] = text.count("\n") - body.count("\n") + 1  # the line the description starts on
    record.update(_facets(r, meta, vocab, lang == PRIMARY_LANGUAGE, inherited_period))
    record.update(read_facts(r, meta, record["slug"]))
    return (record if not r.problems else None), r.problems


def _known_case(meta: dict, known: tuple[str, ...], r: Reader) -> dict:
    """Keys written with capitals by editors' tools ("Title") read as the known key, unless both are there."""
    renamed = {}
    for key, value in meta.items():
        lower = key.lower() if isinstance(key, str) else key
        if key not in known and lower in known and lower not in meta:
            r.lines[lower] = r.lines.get(key, 1)
            key = lower
        renamed[key] = value
    return renamed


def _facets(r: Reader, meta: dict, vocab: Vocabularies, primary: bool, inherited_period: str | None) -> dict:
    """The facets a file gives: every one for the Finnish original, those in its front matter for a translation."""
    values: dict = {}
    if primary or "period" in meta:
        period = values["period"] = _period(r, meta, vocab)
        period = period or ""  # a bad period was reported: the priority is not checked against it
    else:
        period = inherited_period
    if primary or "priority" in meta:
        priority = _priority(r, meta, vocab, period)
        if priority:
            values["axis"], values["objective"] = priority
    for f in list_facets():
        if primary or f.field in meta:
            values[f.field] = _vocab_list(r, meta, f.name, f.field, vocab.terms(f.name), vocab.aliases(f.name),
                                          required=f.required and primary) or ()
    given = {k for k in front_matter_keys() if primary or k in meta}
    return {"facets": values, "given": given, "facet_lines": dict(r.lines)}
