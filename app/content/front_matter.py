"""Reading a practice file's bytes into front matter and body, with every problem named by line.

Editors' files come from many tools: BOMs, CRLF line ends and YAML's surprises (yes/no values,
dates, numbers, escapes of half a character, nesting thousands deep) are each met with a message
that says what to write instead.
"""
from __future__ import annotations

import datetime as dt
import os
import reprlib
from pathlib import Path

import re

import frontmatter
import yaml

from .messages import E_, Text, t
from .model import Problem


class Reader:
    """Collects the problems of one file while reading it."""

    def __init__(self, path: Path, display: str):
        self.path = path
        self.display = display
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def fail(self, code: str, key: str, msgid: str, line: int | None = None, /, **args: object) -> None:
        """Add problem ``code`` of field ``key`` (on its line unless ``line`` is given): the message
        ``msgid`` (marked with ``E_``) with ``args``."""
        self.problems.append(Problem(self.display, line or self.lines.get(key, 1), key, code, t(msgid, **args)))


def describe(value: object) -> Text:
    """What YAML made of a value that should have been text."""
    if isinstance(value, bool):
        return t(E_("YAML read this as the yes/no value %(value)s"), value=value)
    if isinstance(value, (int, float)):
        return t(E_("YAML read this as the number %(value)s"), value=value)
    if isinstance(value, (dt.date, dt.datetime)):
        return t(E_("YAML read this as the date %(value)s"), value=str(value))
    if value is None:
        return t(E_("it is empty"))
    if isinstance(value, list):
        return t(E_("it is a list, not text"))
    if isinstance(value, dict):
        return t(E_("it is a set of 'field: value' lines, not text"))
    return t(E_("it is a %(type)s, not text"), type=type(value).__name__)



# A YAML escape such as "\ud800" makes a string that cannot be written as UTF-8 (the index would fail).
_TOO_DEEP = E_("the front matter is nested too deeply (thousands of brackets); write plain 'field: value' lines")
SURROGATE_MESSAGE = E_("contains an escape of half a character (such as \\ud800 in quotes); write the character itself")
SHORT = reprlib.Repr()
SHORT.maxlevel, SHORT.maxlist, SHORT.maxdict, SHORT.maxstring, SHORT.maxother = 2, 4, 4, 60, 60


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True



# libyaml's parser when PyYAML has it: the front matter was nine tenths of a file's validation time.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's loader, except that a date that does not exist (2015-02-30) stays text for its field's
    message instead of failing the whole file."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_LOADER = _Loader


def _load_front(front: str, r: Reader, first_line: int) -> object:
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
                    r.fail("KP114", key, E_("appears twice (also on line %(other)d); keep one"), line, other=r.lines[key])
                r.lines[key] = line
        return loader.construct_document(node)
    finally:
        loader.dispose()


def decode(r: Reader, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        r.fail("KP104", "", E_("not UTF-8 text (byte %(byte)d); save the file as UTF-8"), line, byte=exc.start)
        return None
    # Editors' tools add BOMs and CRLF line ends; neither changes the meaning.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# Editors' tools write the dashes with trailing spaces, and some indent YAML with tabs (which YAML
# refuses): both are read as meant.
_OPENING = re.compile(r"^---[ \t]*\n")
_LEADING_TABS = re.compile(r"^\t+", re.M)


def split(r: Reader, text: str) -> tuple[dict, str] | None:
    """Front matter (a mapping) and body of a file's text, or None after reporting why not."""
    if not text.strip():
        r.fail("KP105", "", E_("the file is empty: write the front matter ('---', the YAML fields, '---') "
                               "and the description"))
        return None
    if text.strip() == "---":
        r.fail("KP106", "", E_("the front matter is not closed: add the YAML fields and a line '---' after them"))
        return None
    if not _OPENING.match(text):
        r.fail("KP107", "", E_("no front matter: the file must start with a line '---', the YAML fields, and '---'"))
        return None
    try:
        front, body = frontmatter.YAMLHandler().split(text)
    except ValueError:
        r.fail("KP106", "", E_("the front matter is not closed: add a line '---' after the YAML fields"))
        return None
    first_line = text[: text.index(front)].count("\n") + 1 if front else 2
    front = _LEADING_TABS.sub(lambda m: "  " * len(m.group()), front)
    try:
        meta = _load_front(front, r, first_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "Unicode character escape" in problem:  # libyaml refuses "\ud800" before any field is known
            r.fail("KP109", "", E_("the front matter contains an escape of half a character (such as \\ud800 in "
                                   "quotes); write the character itself"), line)
        elif "nesting depth" in problem:  # libyaml's limit; the pure-Python parser hits RecursionError below
            r.fail("KP110", "", _TOO_DEEP, line)
        else:
            r.fail("KP108", "", E_("YAML syntax error: %(problem)s (check quotes, colons and indentation)"), line,
                   problem=problem)
        return None
    except RecursionError:
        r.fail("KP110", "", _TOO_DEEP)
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = (t(E_("a list")) if isinstance(meta, list)
                else t(E_("the single value %(value)s"), value=SHORT.repr(meta)))
        r.fail("KP111", "", E_("the front matter must be 'field: value' lines, but it is %(kind)s"), 2, kind=kind)
        return None
    return meta, body


def unreadable(path: Path, exc: OSError) -> Text | str:
    """Why a file cannot be read: a dangling link, or the system's reason (in English)."""
    if path.is_symlink() and isinstance(exc, FileNotFoundError):
        return t(E_("a symbolic link to '%(target)s', which does not exist"), target=os.readlink(path))
    return (exc.strerror or type(exc).__name__).lower()

