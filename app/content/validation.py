"""Validating one practice file against the vocabularies: its fields, or every problem with its line.

The facet fields are validated from the facet table (:data:`app.names.FACETS`): a ``list`` facet
is checked against its vocabulary (aliases accepted, closest value suggested), ``priority`` and
``period`` by their own rules. A translation may leave the facets to its Finnish original
(:mod:`.resolve` checks that given ones agree).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..names import LANGUAGES, SLUG_PATTERN, front_matter_keys, list_facets
from .front_matter import SHORT, SURROGATE_MESSAGE, Reader, decode, describe, encodable, split, unreadable
from .model import Problem
from .vocabularies import DEFAULT_PERIOD, Vocabularies, canonical, nfc, normalise_period, parse_priority, suggest

FILE_NAME = re.compile(rf"^(?P<slug>{SLUG_PATTERN})\.(?P<lang>[a-z]{{2}})\.md$")
MAX_FILE_BYTES = 1_000_000


def known_keys() -> tuple[str, ...]:
    """Every front-matter key the build knows, in the order messages list them."""
    return ("title", "project", "summary", *front_matter_keys(), "organisations", "source")


def _text(r: Reader, meta: dict, key: str, required: bool) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            r.fail(key, f"missing: every practice needs a {key} (add '{key}: …' to the front matter)")
        return ""
    if not isinstance(value, str):
        r.fail(key, f"must be text, but {describe(value)}; put the value in quotes")
        return ""
    if not encodable(value):
        r.fail(key, SURROGATE_MESSAGE)
        return ""
    return nfc(value.strip())



def _text_list(r: Reader, meta: dict, key: str) -> list[str] | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        r.fail(key, f"must be a list such as [{key[:-1]} 1, {key[:-1]} 2], but {describe(value)}")
        return []
    out = []
    for item in value:
        if isinstance(item, str) and item.strip() and not encodable(item):
            r.fail(key, SURROGATE_MESSAGE)
        elif isinstance(item, str) and item.strip():
            out.append(nfc(item.strip()))
        else:  # shortened: a YAML alias can make a value that prints as gigabytes
            shown = item if isinstance(item, (bool, int, float, dt.date, type(None))) else SHORT.repr(item)
            r.fail(key, f"'{shown}' is not text: {describe(item)}; put it in quotes")
    return out


def _vocab_list(r: Reader, meta: dict, key: str, known: dict, what: str,
                aliases: dict[str, str] | None = None, required: bool = True) -> tuple[str, ...] | None:
    values = _text_list(r, meta, key)
    if values is None:
        if required:
            r.fail(key, f"missing: list at least one {what}, e.g. {key}: [{next(iter(known), '')}]")
        return None
    if required and not values and not any(p.field == key for p in r.problems):
        r.fail(key, f"empty: list at least one {what}")
    out: list[str] = []
    for v in values:
        c = canonical(v, known, aliases)
        if c is None:
            hint = suggest(v, list(known) + list(aliases or {}))
            hint_text = f" (did you mean '{canonical(hint, known, aliases) or hint}'?)" if hint else ""
            r.fail(key, f"'{v}' is not a known {what}{hint_text}")
        elif c not in out:
            out.append(c)
    return tuple(out)


def _priority(r: Reader, meta: dict, vocab: Vocabularies, period: str) -> tuple[str, str] | None:
    raw = meta.get("priority")
    if raw is None:
        r.fail("priority", "missing: give the priority axis and specific objective, e.g. priority: TL 3 et 6.1")
        return None
    if not isinstance(raw, str):
        r.fail("priority", f"must be text like 'TL 3 et 6.1', but {describe(raw)}")
        return None
    parsed = parse_priority(raw)
    if parsed is None:
        r.fail("priority", f"'{raw}' is not of the form 'TL 3 et 6.1' (priority axis, then specific objective)")
        return None
    p = vocab.periods.get(period)
    if p is None:
        return None  # the period itself was reported
    axis = p.axes.get(parsed.axis)
    if axis is None:
        r.fail("priority", f"{parsed.axis} is not an ESF priority axis of {period} "
                           f"(known: {', '.join(p.axes)})")
        return None
    if parsed.objective not in axis.objectives:
        r.fail("priority", f"specific objective {parsed.objective} is not under {parsed.axis} in {period} "
                           f"(under {parsed.axis}: {', '.join(axis.objectives)})")
        return None
    return parsed.axis, parsed.objective



def read_practice(path: Path, vocab: Vocabularies, display: str | None = None) -> tuple[dict | None, list[Problem]]:
    """Read and validate one file; return its fields (facets may be absent in translations)."""
    r = Reader(path, display or str(path))
    m = FILE_NAME.match(path.name)
    if not m or m.group("lang") not in LANGUAGES:
        r.fail("", f"bad file name '{path.name}': use <slug>.<lang>.md with a lower-case slug "
                   f"of a-z, 0-9 and hyphens and lang one of {', '.join(LANGUAGES)}")
        return None, r.problems
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:  # a broken or looping symbolic link, a directory behind a link, no permission
        r.fail("", f"cannot read the file ({unreadable(path, exc)}); fix or remove it")
        return None, r.problems
    if size > MAX_FILE_BYTES:
        r.fail("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; split the practice or shorten it")
        return None, r.problems
    text = decode(r, data)
    parts = split(r, text) if text is not None else None
    if parts is None:
        return None, r.problems
    meta, body = parts
    lang = m.group("lang")
    known = known_keys()
    for key in meta:
        if key not in known:
            hint = suggest(str(key), list(known))
            r.fail(str(key), "unknown field" + (f" (did you mean '{hint}'?)" if hint else
                                               f"; known fields: {', '.join(known)}"))
    record: dict = {"slug": m.group("slug"), "lang": lang, "path": r.display}
    record["title"] = _text(r, meta, "title", True)
    record["project"] = _text(r, meta, "project", True)
    record["summary"] = _text(r, meta, "summary", False)
    record["source"] = _text(r, meta, "source", False)
    record["organisations"] = tuple(_text_list(r, meta, "organisations") or ())
    if not body.strip():
        r.fail("body", "empty: write the description of the practice below the closing '---'",
               text.count("\n") + 1)
    record["body"] = nfc(body)
    # A translation may leave the facets to its Finnish original.
    facets_required = lang == "fi" or any(k in meta for k in front_matter_keys())
    if facets_required:
        record.update(_facets(r, meta, vocab))
    return (record if not r.problems else None), r.problems


def _facets(r: Reader, meta: dict, vocab: Vocabularies) -> dict:
    period_raw = meta.get("period", DEFAULT_PERIOD)
    period = DEFAULT_PERIOD
    if not isinstance(period_raw, str):
        r.fail("period", f"must be text like '2014–2020', but {describe(period_raw)}")
    else:
        period = normalise_period(period_raw)
        if period not in vocab.periods:
            r.fail("period", f"'{period_raw}' is not a programme period (known: {', '.join(vocab.periods)})")
    priority = _priority(r, meta, vocab, period)
    values: dict = {f.field: _vocab_list(r, meta, f.field, vocab.terms(f.name), f.name.replace("_", " "),
                                          vocab.aliases(f.name), required=f.required) or ()
                    for f in list_facets()}
    values.update(period=period, axis=priority[0] if priority else "", objective=priority[1] if priority else "")
    return {"facets": values, "facet_lines": dict(r.lines)}

