"""Markdown to safe HTML, and HTML to the plain text that is indexed.

Markdown is read as CommonMark (markdown-it-py, the parser of VS Code's preview, with tables,
definition lists and footnotes), so a file renders as the editors' previewers
(GitHub, VS Code) show it: a list written straight after a paragraph line is a list.

A description is cut into sections at its top-level ``##`` headings (:func:`render_body`): each
heading gets an id (``section-results`` for the standard headings of :mod:`.facts`), so the page can
list them and link to them; free text without headings stays one part.
"""
from __future__ import annotations

import html
import re
import threading

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .facts import section_anchor, section_key

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


_MARKDOWN = threading.local()  # one parser per thread (setting one up costs more than rendering a practice)


def _parser() -> MarkdownIt:
    md = getattr(_MARKDOWN, "md", None)
    if md is None:
        # Raw HTML is read inline only (no CommonMark HTML blocks): the Markdown on the lines after a tag
        # such as <img …> is still Markdown, as in Python-Markdown, and the sanitiser then keeps only
        # the allowed tags (an HTML block would pass those lines on unread, links and all).
        md = _MARKDOWN.md = (MarkdownIt("commonmark", {"html": True}).enable("table").disable("html_block")
                             .use(deflist_plugin).use(footnote_plugin))
        # Every link becomes a link, and the sanitiser drops an unsafe URL (javascript:, data:): markdown-it
        # would leave such a link as its literal text, URL and all.
        md.validateLink = lambda url: True
    return md


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that keeps only allow-listed tags, attributes and URL schemes."""
    return _clean(_parser().render(text))


def _clean(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_body(text: str) -> tuple[str, tuple[dict[str, str | None], ...]]:
    """The description as safe HTML cut into sections, and the sections (``key``: a standard
    section of :data:`.facts.SECTION_HEADINGS` or None, ``title``: the heading's text, ``anchor``:
    its id).

    Each top-level ``##`` heading starts a ``<div class="part part-<key>">`` (``part-free`` for a
    heading of the editor's own) whose heading carries the id; the text before the first heading
    stays outside. The parts are sanitised one by one, so the wrappers and ids are the build's
    own; links by reference and footnotes work across parts.
    """
    md = _parser()
    env: dict = {}
    tokens = md.parse(text, env)
    starts = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2" and t.level == 0]
    if not starts:
        return _clean(md.renderer.render(tokens, md.options, env)), ()
    html = [_clean(md.renderer.render(tokens[:starts[0]], md.options, env))]
    sections: list[dict[str, str | None]] = []
    used: set[str] = set()
    for n, (start, end) in enumerate(zip(starts, [*starts[1:], len(tokens)]), start=1):
        part = _clean(md.renderer.render(tokens[start:end], md.options, env))
        title = _inline_text(tokens[start + 1])
        key = section_key(title)
        anchor = section_anchor(key if key not in used else None, n)
        if part.startswith("<h2>") and title:
            part = f'<h2 id="{anchor}">' + part[len("<h2>"):]
            sections.append({"key": key if key not in used else None, "title": title, "anchor": anchor})
            used.add(key or "")
        html.append(f'<div class="part part-{key or "free"}">{part}</div>')
    return "".join(html), tuple(sections)


def _inline_text(token) -> str:  # noqa: ANN001
    """The plain text of a heading's inline token (emphasis, links and code without their marks)."""
    parts = [c.content for c in (token.children or []) if c.type in ("text", "code_inline", "softbreak")]
    return " ".join("".join(parts).split())


def html_to_text(fragment: str) -> str:
    """Plain text of a sanitised HTML fragment, paragraphs separated by blank lines."""
    text = _BLOCK_END.sub("\n\n", fragment)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()


_BLOCK_END = re.compile(r"</(p|li|h\d|tr|blockquote|pre|dd|dt)>")
_BREAK = re.compile(r"<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
# Runs of spaces and tabs become one space. A single space is no match: matching "[ \t]+" replaced
# every space of the text with a space (a tenth of validating a practice).
_SPACES = re.compile(r" [ \t]+|\t[ \t]*")
_BLANK_LINES = re.compile(r"\n{3,}")


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_HEADING = re.compile(r"<h([1-6])(?: [^>]*)?>.*?</h\1>", re.S)  # a section heading carries its id


def first_paragraph(fragment: str) -> str:
    """The plain text of the first paragraph of a sanitised HTML fragment (a practice's default
    summary): never a heading; a body without paragraphs gives its first block that is not one."""
    for m in _PARAGRAPH.finditer(fragment):
        text = html_to_text(m.group(0))
        if text:
            return text
    text = html_to_text(_HEADING.sub("", fragment)) or html_to_text(fragment)
    return text.split("\n\n", 1)[0]
