"""``kaytantopankki preview FILE``: one practice's page as the site will show it, as a file to open.

The file (in the content directory, or a draft kept anywhere) is validated with the other
language versions of its slug from the content directory, built into a temporary index of that
one practice, and its page is rendered by the site itself (its templates, styles and script, put
inline) in the interface language of the messages. Related practices are not shown: the preview
index holds this practice only; links of the page lead to the site, not into the file.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import sys
import tempfile
import webbrowser
from pathlib import Path

import click

from ..content.messages import E_
from ..content.validation import FILE_NAME
from ..indexing import build
from . import content_option, main
from .report import Reporter, lang_option

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@content_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write (default: <temporary folder>/kaytantopankki-preview/<file name>.html).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@lang_option
def preview(file: str, content_dir: str, output: str | None, open_browser: bool, lang: str | None) -> None:
    """Write FILE's practice page, as the site will show it, to an HTML file (and print its path)."""
    report = Reporter.make(lang)
    path = Path(file)
    m = FILE_NAME.match(path.name)
    if not path.is_file():
        report.say(E_("error: no such file: %(path)s"), err=True, path=file)
        sys.exit(2)
    if not m:
        report.say(E_("error: %(name)s is not a practice file name: use <slug>.<lang>.md, e.g. "
                      "uusi-kaytanto.fi.md"), err=True, name=path.name)
        sys.exit(2)
    slug, version = m.group("slug"), m.group("lang")
    content = Path(content_dir)
    if not (content / "vocabularies").is_dir():
        report.say(E_("error: no vocabularies in %(path)s: give the content directory with --content"), err=True,
                   path=content / "vocabularies")
        sys.exit(2)
    with tempfile.TemporaryDirectory(prefix="kaytantopankki-preview-") as tmp:
        work = Path(tmp) / "content"
        shutil.copytree(content / "vocabularies", work / "vocabularies")
        (work / "practices").mkdir()
        shown: dict[str, str] = {}  # the temporary files' names → the editor's
        for sibling in sorted((content / "practices").glob(f"**/{slug}.*.md")):
            if sibling.name != path.name and FILE_NAME.match(sibling.name):
                shutil.copyfile(sibling, work / "practices" / sibling.name)
                shown[f"content/practices/{sibling.name}"] = str(sibling)
        shutil.copyfile(path, work / "practices" / path.name)
        shown[f"content/practices/{path.name}"] = file
        result = build(work, Path(tmp) / "index")
        problems = [dataclasses.replace(p, path=shown.get(p.path, p.path)) for p in result.problems]
        report.problems(problems)
        if not result.ok:
            report.say(E_("problems found: %(count)d; fix them and run the preview again."), err=True,
                       count=len(problems))
            sys.exit(1)
        html = _page(Path(tmp) / "index", work, slug, version, report.lang)
    target = Path(output) if output else Path(tempfile.gettempdir()) / "kaytantopankki-preview" / f"{path.name}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    report.say(E_("Preview of %(file)s written to %(path)s; open %(url)s in a web browser."),
               file=file, path=target, url=target.resolve().as_uri())
    if open_browser:
        webbrowser.open(target.resolve().as_uri())


def _page(index: Path, content: Path, slug: str, lang: str, ui_lang: str) -> str:
    """The practice page rendered by the site, with its stylesheet and script inline."""
    from .. import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "CONTENT_DIR": str(content)})
    response = app.test_client().get(f"/practice/{slug}?lang={lang}&ui={ui_lang}")
    html = response.get_data(as_text=True)
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    js = (STATIC / "site.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    html = re.sub(r'<link rel="stylesheet" href="[^"]*/static/site\.css[^"]*">', lambda _: f"<style>\n{css}</style>",
                  html, count=1)
    return re.sub(r'<script src="[^"]*/static/site\.js[^"]*"([^>]*)></script>',
                  lambda _: f"<script>\n{js}</script>", html, count=1)
