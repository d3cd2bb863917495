"""Validating the optional fields of facts, dates and old addresses in one file's front matter.

``eura_code`` (S21468), ``started`` and ``ended`` (ISO dates, ended ≥ started), ``funding`` (total and
ESF share in euros, with their source), ``published`` and ``updated`` (ISO dates, updated ≥
published) and ``aliases`` (old slugs). Each message names the field and says what to write instead.
The rules across files (a translation agrees with its original; an alias is no other practice's slug)
are in :mod:`.resolve` and :mod:`.loader`.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..names import SLUG
from .facts import ALIASES, DATE_KEYS, EURA_CODE, FACT_KEYS, FUNDING_KEYS, normalise_eura_code
from .front_matter import Reader, describe, encodable
from .messages import E_, t
from .model import Problem

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FINNISH = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$")  # 31.1.2015, as Finnish pages write dates
_EUROS = re.compile(r"^-?\d+(\.\d+)?$")


def read_facts(r: Reader, meta: dict, slug: str) -> dict:
    """The facts, dates and aliases of one file (absent ones empty), and ``facts_given``: the project
    facts its front matter gives (a translation inherits the others)."""
    out: dict = {"eura_code": _eura_code(r, meta)}
    for key in ("started", "ended", *DATE_KEYS):
        out[key] = _date(r, meta, key)
    if out["started"] and out["ended"] and out["ended"] < out["started"]:
        r.fail("KP603", "ended", E_("the project ended (%(ended)s) before it started (%(started)s); check the "
                                    "two dates"), ended=out["ended"], started=out["started"])
    if out["published"] and out["updated"] and out["updated"] < out["published"]:
        r.fail("KP604", "updated", E_("updated (%(updated)s) is before published (%(published)s): a practice "
                                      "changes after it is first published; check the two dates"),
               updated=out["updated"], published=out["published"])
    out["funding"] = _funding(r, meta)
    out["aliases"] = _aliases(r, meta, slug)
    out["facts_given"] = {key for key in FACT_KEYS if meta.get(key) is not None}
    return out


def _eura_code(r: Reader, meta: dict) -> str:
    value = meta.get("eura_code")
    if value is None:
        return ""
    if not isinstance(value, str) or not encodable(value):
        r.fail("KP601", "eura_code", E_("must be a EURA project code such as S21468 in quotes, but %(what)s"),
               what=describe(value))
        return ""
    code = normalise_eura_code(value)
    if not EURA_CODE.match(code):
        r.fail("KP601", "eura_code", E_("'%(value)s' is not a EURA project code: write S (an ESF project) or A (an "
                                        "ERDF project) and the digits of its record, e.g. S21468"), value=value)
        return ""
    return code


def _date(r: Reader, meta: dict, key: str) -> str:
    """An ISO date (YAML reads 2015-01-31 as a date, a quoted one stays text), else "" after a message."""
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not encodable(value):
        r.fail("KP602", key, E_("must be a date written year-month-day, such as 2015-01-31, but %(what)s"),
               what=describe(value))
        return ""
    text = value.strip()
    finnish = _FINNISH.match(text)
    if finnish:
        day, month, year = (int(g) for g in finnish.groups())
        try:
            hint = dt.date(year, month, day).isoformat()
        except ValueError:
            hint = ""
        if hint:
            r.fail("KP602", key, E_("'%(value)s' is not written year-month-day: write %(key)s: %(hint)s"),
                   value=text, key=key, hint=hint)
            return ""
    if _ISO.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            r.fail("KP602", key, E_("'%(value)s' is not a real date (there is no such day); check the day and the "
                                    "month"), value=text)
            return ""
    r.fail("KP602", key, E_("'%(value)s' is not a date written year-month-day, such as 2015-01-31"), value=text)
    return ""


def _funding(r: Reader, meta: dict) -> dict | None:
    value = meta.get("funding")
    if value is None:
        return None
    if not isinstance(value, dict):
        r.fail("KP605", "funding", E_("must be lines under it: total (the total budget in euros), esf (the ESF "
                                      "share in euros) and source, but %(what)s"), what=describe(value))
        return None
    ok = True
    for key in value:
        if key not in FUNDING_KEYS:
            r.fail("KP605", "funding", E_("unknown field '%(key)s' under funding (known: %(known)s)"),
                   key=str(key)[:60], known=", ".join(FUNDING_KEYS))
            ok = False
    amounts = {key: _euros(r, value.get(key)) for key in ("total", "esf")}
    if any(a is False for a in amounts.values()):
        ok = False
    total, esf = (a if a is not False else None for a in amounts.values())
    if value.get("total") is None and value.get("esf") is None:
        r.fail("KP605", "funding", E_("give the total budget (total), the ESF share (esf) or both, in euros"))
        ok = False
    if total is not None and esf is not None and esf > total:
        r.fail("KP607", "funding", E_("the ESF share (%(esf)s €) is larger than the total (%(total)s €); check the "
                                      "two numbers"), esf=esf, total=total)
        ok = False
    source = value.get("source")
    if not isinstance(source, str) or not source.strip() or not encodable(source):
        r.fail("KP608", "funding", E_("the numbers need their source: add 'source: …' under funding (the page or "
                                      "report they come from)"))
        ok = False
    return {"total": total, "esf": esf, "source": source.strip()} if ok else None


def _euros(r: Reader, value: object) -> int | float | None | bool:
    """A sum of euros (int or float); None when not given; False after a message."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            r.fail("KP606", "funding", E_("%(value)s is not a sum of euros: it must be zero or more"), value=value)
            return False
        return value
    if not isinstance(value, str):
        r.fail("KP606", "funding", E_("a sum must be a number of euros such as 2499130, but %(what)s"),
               what=describe(value))
        return False
    text = value.strip()[:60]
    cleaned = re.sub(r"[\s\u00a0\u202f€]|EUR|euroa?", "", text, flags=re.I).replace(",", ".")
    if _EUROS.match(cleaned) and not cleaned.startswith("-"):
        r.fail("KP606", "funding", E_("'%(value)s' is not a number of euros as YAML reads one: write the digits "
                                      "only, with a point before the cents: %(hint)s"), value=text, hint=cleaned)
    else:
        r.fail("KP606", "funding", E_("'%(value)s' is not a number of euros: write the digits only, e.g. 2499130 "
                                      "or 1093749.50"), value=text)
    return False


def _aliases(r: Reader, meta: dict, slug: str) -> tuple[str, ...]:
    value = meta.get(ALIASES)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = item.strip() if isinstance(item, str) else ""
        if not text or not SLUG.match(text):
            r.fail("KP609", ALIASES, E_("'%(value)s' is not a slug: an old address is lower-case a-z, 0-9 and "
                                        "hyphens, as in aliases: [vanha-nimi]"), value=str(item)[:60])
        elif text == slug:
            r.fail("KP609", ALIASES, E_("'%(value)s' is this practice's own slug; list only its old slugs"),
                   value=text)
        elif text not in out:
            out.append(text)
    return tuple(out)


def inherit_facts(rec: dict, original: dict | None, versions: list[dict], problems: list[Problem]) -> dict | None:
    """The facts of one version: the Finnish original's project facts (a translation may repeat them,
    and then they must agree), the file's own dates, and the old slugs any version of the practice
    lists. None, with a problem for each disagreement, when they do not agree."""
    facts = {key: rec[key] for key in FACT_KEYS}
    if original is not None and original is not rec:
        ok = True
        for key in sorted(rec["facts_given"], key=lambda k: rec["facet_lines"].get(k, 1)):
            if rec[key] != original[key]:
                problems.append(Problem(rec["path"], rec["facet_lines"].get(key, 1), key, "KP402", t(E_(
                    "disagrees with %(original)s (%(given)s here, %(inherited)s there); remove it to inherit, or "
                    "make them equal"), original=original["path"], given=_shown(rec[key]),
                    inherited=_shown(original[key]))))
                ok = False
        if not ok:
            return None
        facts = {key: original[key] for key in FACT_KEYS}
    aliases = tuple(dict.fromkeys(a for version in versions for a in version["aliases"]))
    return {**facts, "published": rec["published"], "updated": rec["updated"], "aliases": aliases}


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
    return str(value) if value else "—"


def alias_problems(practices: list, content_dir: Path) -> list[Problem]:
    """Old slugs that would lead to two places: another practice's slug (KP610), or an old slug two
    practices claim (KP611). Each is reported at the files that list it, on its line."""
    versions: dict[str, list] = {}
    for p in practices:
        versions.setdefault(p.slug, []).append(p)
    claims: dict[str, list[str]] = {}
    for slug in sorted(versions):
        for alias in versions[slug][0].aliases:  # every version holds the practice's old slugs
            claims.setdefault(alias, []).append(slug)
    problems = []
    for alias, owners in sorted(claims.items()):
        for slug in owners:
            others = [o for o in owners if o != slug]
            if alias in versions:
                text = t(E_("'%(alias)s' is the slug of another practice, so it cannot also be an old address of this "
                            "one; remove it from aliases"), alias=alias)
                code = "KP610"
            elif others:
                text = t(E_("'%(alias)s' is also an old address of %(other)s; an old address leads to one practice "
                            "only, so keep it in one of them"), alias=alias, other=", ".join(others))
                code = "KP611"
            else:
                continue
            for p in versions[slug]:
                line = _alias_line(content_dir.parent / p.path, alias)
                if line:
                    problems.append(Problem(p.path, line, ALIASES, code, text))
    return problems


def _alias_line(path: Path, alias: str) -> int:
    """The line of ``path``'s front matter that lists ``alias`` under ``aliases`` (0: it does not)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    word = re.compile(rf"(?<![a-z0-9-]){re.escape(alias)}(?![a-z0-9-])")
    start = next((i for i, line in enumerate(lines) if re.match(r"aliases\s*:", line, re.I)), None)
    if start is None:
        return 0
    for i in range(start, len(lines)):
        if i > start and (lines[i].strip() == "---" or re.match(r"[A-Za-z_]+\s*:", lines[i])):
            return 0
        if word.search(lines[i]):
            return i + 1
    return 0
