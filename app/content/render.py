"""Markdown to safe HTML, and HTML to the plain text that is indexed.

Markdown is read as CommonMark (markdown-it-py, the parser of VS Code's preview, with tables,
definition lists and footnotes), so a file renders as the editors' previewers
(GitHub, VS Code) show it: a list written straight after a paragraph line is a list.
"""
from __future__ import annotations

import html
import re
import threading

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

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
    raw = _parser().render(text)
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


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_HEADING = re.compile(r"<h([1-6])>.*?</h\1>", re.S)


def first_paragraph(fragment: str) -> str:
    """The plain text of the first paragraph of a sanitised HTML fragment (a practice's default
    summary): never a heading; a body without paragraphs gives its first block that is not one."""
    for m in _PARAGRAPH.finditer(fragment):
        text = html_to_text(m.group(0))
        if text:
            return text
    text = html_to_text(_HEADING.sub("", fragment)) or html_to_text(fragment)
    return text.split("\n\n", 1)[0]
