"""What the command line tells the editor: in their language, as text lines or as JSON.

The language is ``--lang``, else the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
else Finnish; the messages come from the editor catalogue (:mod:`app.content.messages`).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import click

from ..content.messages import Gettext, language_from_environment, translator
from ..content.model import Problem
from ..names import LANGUAGES

lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None,
    help="Language of the messages (default: the locale's, else Finnish).")
format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="'json': one JSON object on standard output, for editors' tools and CI annotations.")


@dataclass
class Reporter:
    """Prints messages in one language, to the terminal (``text``) or as one JSON object (``json``)."""

    lang: str
    output_format: str = "text"

    @classmethod
    def make(cls, lang: str | None, output_format: str = "text") -> "Reporter":
        return cls(lang or language_from_environment(), output_format)

    @property
    def gettext(self) -> Gettext:
        return translator(self.lang)

    def text(self, msgid: str, **args: object) -> str:
        """A message (marked with ``E_``) in the editor's language."""
        return self.gettext(msgid) % args

    def say(self, msgid: str, err: bool = False, **args: object) -> None:
        """Print a message (text output only; JSON output prints one object at the end)."""
        if self.output_format == "text":
            click.echo(self.text(msgid, **args), err=err)

    def problems(self, problems: Iterable[Problem]) -> None:
        """Every problem, one per line on standard error (text output)."""
        if self.output_format == "text":
            for problem in problems:
                click.echo(problem.format(self.gettext), err=True)

    def emit_json(self, ok: bool, problems: Sequence[Problem], summary: str, **extra: object) -> None:
        """The JSON object: ``{"ok", "lang", "summary", "problems": [{path, line, field, code, severity,
        message}], ...extra}``."""
        if self.output_format != "json":
            return
        data = {"ok": ok, "lang": self.lang, "summary": summary, **extra,
                "problems": [p.record(self.gettext) for p in problems]}
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")


def loud(lines: Sequence[str]) -> str:
    """Lines framed so that they stand out among the server's log lines."""
    width = max(len(line) for line in lines) + 4
    bar = "!" * min(width, 100)
    return "\n".join([bar, *(f"!! {line}" for line in lines), bar])
