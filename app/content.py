"""Content model: read practice files, validate them against the vocabularies, render Markdown."""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import reprlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import markdown
import nh3
import yaml

from .vocabularies import (
    DEFAULT_PERIOD,
    LANGS,
    Vocabularies,
    canonical,
    load_vocabularies,
    normalise_period,
    parse_priority,
    suggest,
)

FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2})\.md$")
MAX_FILE_BYTES = 1_000_000
FACET_KEYS = ("regions", "themes", "priority", "period", "target_groups")
KNOWN_KEYS = ("title", "project", "summary", *FACET_KEYS, "organisations", "source")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


@dataclass(frozen=True)
class Problem:
    """One validation problem, printed as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        prefix = f"{self.path}:{self.line}: "
        return prefix + (f"{self.field}: {self.message}" if self.field else self.message)


@dataclass(frozen=True)
class Practice:
    """One language version of a practice, validated and rendered."""

    slug: str
    lang: str
    path: str
    title: str
    project: str
    summary: str
    body_html: str
    body_text: str
    regions: tuple[str, ...]
    themes: tuple[str, ...]
    period: str
    axis: str
    objective: str
    target_groups: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    source: str = ""

    @property
    def priority(self) -> str:
        return f"{self.axis} et {self.objective}"


@dataclass
class LoadResult:
    practices: list[Practice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    vocab: Vocabularies | None = None


# --- Markdown ------------------------------------------------------------------------------

_MARKDOWN = threading.local()  # a Markdown instance is reusable after reset() but not thread-safe


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that keeps only allow-listed tags, attributes and URL schemes."""
    md = getattr(_MARKDOWN, "md", None)
    if md is None:  # setting up the extensions cost more than converting a practice
        md = _MARKDOWN.md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    raw = md.reset().convert(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def html_to_text(fragment: str) -> str:
    """Plain text of a sanitised HTML fragment, paragraphs separated by blank lines."""
    text = re.sub(r"</(p|li|h\d|tr|blockquote|pre|dd|dt)>", "\n\n", fragment)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


# --- reading one file ----------------------------------------------------------------------

class _Reader:
    """Collects the problems of one file while reading it."""

    def __init__(self, path: Path, display: str):
        self.path = path
        self.display = display
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def fail(self, key: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.display, line or self.lines.get(key, 1), key, message))


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"YAML read this as the yes/no value {value}"
    if isinstance(value, (int, float)):
        return f"YAML read this as the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"YAML read this as the date {value}"
    if value is None:
        return "it is empty"
    return f"it is a {type(value).__name__}, not text"


def _text(r: _Reader, meta: dict, key: str, required: bool) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            r.fail(key, f"missing: every practice needs a {key} (add '{key}: …' to the front matter)")
        return ""
    if not isinstance(value, str):
        r.fail(key, f"must be text, but {_describe(value)}; put the value in quotes")
        return ""
    if not _encodable(value):
        r.fail(key, _SURROGATE_MESSAGE)
        return ""
    return value.strip()


# A YAML escape such as "\ud800" makes a string that cannot be written as UTF-8 (the index would fail).
_TOO_DEEP = "the front matter is nested too deeply (thousands of brackets); write plain 'field: value' lines"
_SURROGATE_MESSAGE = "contains an escape of half a character (such as \\ud800 in quotes); write the character itself"
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 60, 60


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_list(r: _Reader, meta: dict, key: str) -> list[str] | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        r.fail(key, f"must be a list such as [{key[:-1]} 1, {key[:-1]} 2], but {_describe(value)}")
        return []
    out = []
    for item in value:
        if isinstance(item, str) and item.strip() and not _encodable(item):
            r.fail(key, _SURROGATE_MESSAGE)
        elif isinstance(item, str) and item.strip():
            out.append(item.strip())
        else:  # shortened: a YAML alias can make a value that prints as gigabytes
            shown = item if isinstance(item, (bool, int, float, dt.date, type(None))) else _SHORT.repr(item)
            r.fail(key, f"'{shown}' is not text: {_describe(item)}; put it in quotes")
    return out


def _vocab_list(r: _Reader, meta: dict, key: str, known: dict, what: str,
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


def _priority(r: _Reader, meta: dict, vocab: Vocabularies, period: str) -> tuple[str, str] | None:
    raw = meta.get("priority")
    if raw is None:
        r.fail("priority", "missing: give the priority axis and specific objective, e.g. priority: TL 3 et 6.1")
        return None
    if not isinstance(raw, str):
        r.fail("priority", f"must be text like 'TL 3 et 6.1', but {_describe(raw)}")
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


# libyaml's parser when PyYAML has it: the front matter was nine tenths of a file's validation time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_front(front: str, r: _Reader, first_line: int) -> object:
    """Parse the front matter once: the line of every top-level key and duplicate keys (PyYAML keeps
    the last) from the node tree, then the values from the same tree."""
    loader = _LOADER(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # a list or mapping as a key: constructing reports it (and printing it could be huge)
                key = str(key_node.value)
                line = key_node.start_mark.line + first_line
                if key in r.lines:
                    r.fail(key, f"appears twice (also on line {r.lines[key]}); keep one", line)
                r.lines[key] = line
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _decode(r: _Reader, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        r.fail("", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", line)
        return None
    # Editors' tools add BOMs and CRLF line ends; neither changes the meaning.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _split(r: _Reader, text: str) -> tuple[dict, str] | None:
    if not text.strip():
        r.fail("", "the file is empty: write the front matter ('---', the YAML fields, '---') and the description")
        return None
    if text.strip() == "---":
        r.fail("", "the front matter is not closed: add the YAML fields and a line '---' after them")
        return None
    if not text.startswith("---\n"):
        r.fail("", "no front matter: the file must start with a line '---', the YAML fields, and '---'")
        return None
    try:
        front, body = frontmatter.YAMLHandler().split(text)
    except ValueError:
        r.fail("", "the front matter is not closed: add a line '---' after the YAML fields")
        return None
    first_line = text[: text.index(front)].count("\n") + 1 if front else 2
    try:
        meta = _load_front(front, r, first_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "Unicode character escape" in problem:  # libyaml refuses "\ud800" before any field is known
            r.fail("", f"the front matter {_SURROGATE_MESSAGE}", line)
        elif "nesting depth" in problem:  # libyaml's limit; the pure-Python parser hits RecursionError below
            r.fail("", _TOO_DEEP, line)
        else:
            r.fail("", f"YAML syntax error: {problem} (check quotes, colons and indentation)", line)
        return None
    except RecursionError:
        r.fail("", _TOO_DEEP)
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = "a list" if isinstance(meta, list) else f"the single value {_SHORT.repr(meta)}"
        r.fail("", f"the front matter must be 'field: value' lines, but it is {kind}", 2)
        return None
    return meta, body


def _unreadable(path: Path, exc: OSError) -> str:
    if path.is_symlink() and isinstance(exc, FileNotFoundError):
        return f"a symbolic link to '{os.readlink(path)}', which does not exist"
    return (exc.strerror or type(exc).__name__).lower()


def read_practice(path: Path, vocab: Vocabularies, display: str | None = None) -> tuple[dict | None, list[Problem]]:
    """Read and validate one file; return its fields (facets may be absent in translations)."""
    r = _Reader(path, display or str(path))
    m = FILE_NAME.match(path.name)
    if not m or m.group("lang") not in LANGS:
        r.fail("", f"bad file name '{path.name}': use <slug>.<lang>.md with a lower-case slug "
                   f"of a-z, 0-9 and hyphens and lang one of {', '.join(LANGS)}")
        return None, r.problems
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:  # a broken or looping symbolic link, a directory behind a link, no permission
        r.fail("", f"cannot read the file ({_unreadable(path, exc)}); fix or remove it")
        return None, r.problems
    if size > MAX_FILE_BYTES:
        r.fail("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; split the practice or shorten it")
        return None, r.problems
    text = _decode(r, data)
    parts = _split(r, text) if text is not None else None
    if parts is None:
        return None, r.problems
    meta, body = parts
    lang = m.group("lang")
    for key in meta:
        if key not in KNOWN_KEYS:
            hint = suggest(str(key), list(KNOWN_KEYS))
            r.fail(str(key), "unknown field" + (f" (did you mean '{hint}'?)" if hint else
                                               f"; known fields: {', '.join(KNOWN_KEYS)}"))
    record: dict = {"slug": m.group("slug"), "lang": lang, "path": r.display}
    record["title"] = _text(r, meta, "title", True)
    record["project"] = _text(r, meta, "project", True)
    record["summary"] = _text(r, meta, "summary", False)
    record["source"] = _text(r, meta, "source", False)
    record["organisations"] = tuple(_text_list(r, meta, "organisations") or ())
    if not body.strip():
        r.fail("body", "empty: write the description of the practice below the closing '---'",
               text.count("\n") + 1)
    record["body"] = body
    # A translation may leave the facets to its Finnish original.
    facets_required = lang == "fi" or any(k in meta for k in FACET_KEYS)
    if facets_required:
        record.update(_facets(r, meta, vocab))
    return (record if not r.problems else None), r.problems


def _facets(r: _Reader, meta: dict, vocab: Vocabularies) -> dict:
    period_raw = meta.get("period", DEFAULT_PERIOD)
    period = DEFAULT_PERIOD
    if not isinstance(period_raw, str):
        r.fail("period", f"must be text like '2014–2020', but {_describe(period_raw)}")
    else:
        period = normalise_period(period_raw)
        if period not in vocab.periods:
            r.fail("period", f"'{period_raw}' is not a programme period (known: {', '.join(vocab.periods)})")
    priority = _priority(r, meta, vocab, period)
    return {
        "regions": _vocab_list(r, meta, "regions", vocab.regions, "region"),
        "themes": _vocab_list(r, meta, "themes", vocab.themes, "theme"),
        "target_groups": _vocab_list(r, meta, "target_groups", vocab.target_groups, "target group",
                                     vocab.target_group_aliases, required=False) or (),
        "period": period,
        "axis": priority[0] if priority else "",
        "objective": priority[1] if priority else "",
        "facet_lines": dict(r.lines),
    }


# --- the whole content directory -----------------------------------------------------------

def practice_files(content_dir: Path) -> list[Path]:
    """Every candidate practice file below ``content/practices`` (hidden files skipped)."""
    root = content_dir / "practices"
    if not root.is_dir():
        return []
    # A link to a directory counts as a directory (skipped); a broken link is kept, to be reported.
    return sorted(p for p in root.rglob("*") if (p.is_file() or (p.is_symlink() and not p.is_dir()))
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _display(path: Path, content_dir: Path) -> str:
    try:
        return str(Path(content_dir.name) / path.relative_to(content_dir))
    except ValueError:
        return str(path)


def _outside(path: Path, content_dir: Path) -> bool:
    try:
        path.resolve().relative_to(content_dir.resolve())
        return False
    except ValueError:
        return True
    except (RuntimeError, OSError):  # a symbolic link loop: reading the file reports it
        return False


def load_content(content_dir: str | Path, vocab: Vocabularies | None = None,
                 progress: Iterable | None = None) -> LoadResult:
    """Read, validate and render every practice; collect every problem of every file."""
    content_dir = Path(content_dir)
    result = LoadResult()
    try:
        vocab = vocab or load_vocabularies(content_dir / "vocabularies")
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        result.problems.append(Problem(str(content_dir / "vocabularies"), 1, "", f"cannot read the vocabularies: {exc}"))
        return result
    if not (content_dir / "practices").is_dir():
        result.problems.append(Problem(str(content_dir / "practices"), 1, "", "no practices directory"))
        return result
    result.vocab = vocab
    files = practice_files(content_dir)
    records: dict[tuple[str, str], dict] = {}
    for path in (progress(files) if progress else files):
        display = _display(path, content_dir)
        if path.is_symlink() and _outside(path, content_dir):
            result.problems.append(Problem(display, 1, "", "symbolic link to a file outside the content directory; copy the file in instead"))
            continue
        record, problems = read_practice(path, vocab, display)
        result.problems.extend(problems)
        if record is None:
            continue
        key = (record["slug"], record["lang"])
        if key in records:
            result.problems.append(Problem(display, 1, "", f"duplicate: {records[key]['path']} already has slug "
                                                            f"'{key[0]}' in language '{key[1]}'"))
            continue
        records[key] = record
    result.practices = _resolve(records, result.problems)
    return result


def _resolve(records: dict[tuple[str, str], dict], problems: list[Problem]) -> list[Practice]:
    """Let translations inherit facets from the Finnish file and check that given ones agree."""
    practices = []
    for (slug, lang), rec in sorted(records.items()):
        original = records.get((slug, "fi"))
        if "regions" not in rec:
            if original is None:
                problems.append(Problem(rec["path"], 1, "", f"translation without a Finnish original: add "
                                        f"{slug}.fi.md or give regions, themes and priority here"))
                continue
            facets = {k: original[k] for k in ("regions", "themes", "target_groups", "period", "axis", "objective")}
        else:
            facets = {k: rec[k] for k in ("regions", "themes", "target_groups", "period", "axis", "objective")}
            if original is not None and lang != "fi":
                if not _agree(rec, original, problems):
                    continue
        html_body = render_markdown(rec["body"])
        text = html_to_text(html_body)
        summary = rec["summary"] or text.split("\n\n", 1)[0]
        practices.append(Practice(
            slug=slug, lang=lang, path=rec["path"], title=rec["title"], project=rec["project"],
            summary=summary, body_html=html_body, body_text=text, organisations=rec["organisations"],
            source=rec["source"], regions=tuple(facets["regions"]), themes=tuple(facets["themes"]),
            target_groups=tuple(facets["target_groups"]), period=facets["period"], axis=facets["axis"],
            objective=facets["objective"],
        ))
    return practices


def _agree(rec: dict, original: dict, problems: list[Problem]) -> bool:
    ok = True
    pairs = {
        "regions": (set(rec["regions"]), set(original["regions"])),
        "themes": (set(rec["themes"]), set(original["themes"])),
        "period": (rec["period"], original["period"]),
        "priority": (f"{rec['axis']} et {rec['objective']}", f"{original['axis']} et {original['objective']}"),
    }
    if rec["target_groups"]:
        pairs["target_groups"] = (set(rec["target_groups"]), set(original["target_groups"]))
    for key, (mine, theirs) in pairs.items():
        if mine != theirs:
            problems.append(Problem(rec["path"], rec["facet_lines"].get(key, 1), key,
                                    f"disagrees with {original['path']} ({_show(mine)} here, {_show(theirs)} "
                                    "there); remove it to inherit, or make them equal"))
            ok = False
    return ok


def _show(value: object) -> str:
    return ", ".join(sorted(value)) if isinstance(value, set) else str(value)
