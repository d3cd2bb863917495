"""Each practice version's first-published and last-changed dates: the front matter's, else its file's
git history, else the build's own record; the newest-first order and the Atom feed follow them."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from app import create_app
from app.indexing import build
from app.indexing.catalog import open_catalog
from app.indexing.dates import _first_and_last
from app.indexing.layout import PRACTICE_DATES, current_version
from conftest import TINY, make_content, write_practice

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 2, 6), dt.date(2026, 3, 7)
ATOM = "{http://www.w3.org/2005/Atom}"
GIT = shutil.which("git")


def _dates(root) -> dict[tuple[str, str], tuple[str, str]]:
    catalog = open_catalog(root / current_version(root))
    try:
        return {(slug, lang): (r["published"], r["updated"]) for slug in catalog for lang, r in catalog[slug].items()}
    finally:
        catalog.close()


def _touch(content, slug="kielikoulutus", lang="fi", extra="\n\nLisätty kappale."):
    path = content / "practices" / f"{slug}.{lang}.md"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_the_first_build_records_its_date_and_keeps_it(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    assert build(content, root, today=D1).ok
    first = _dates(root)
    assert set(first.values()) == {(D1.isoformat(), D1.isoformat())}
    result = build(content, root, today=D2)  # nothing changed: nothing is re-indexed, no date moves
    assert result.ok and result.changed == 0 and _dates(root) == first
    assert (root / PRACTICE_DATES).is_file()


def test_a_changed_file_gets_a_new_updated_and_only_it(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    build(content, root, today=D1)
    _touch(content)
    result = build(content, root, today=D3)
    assert result.ok and result.mode == "incremental" and result.changed == 1
    after = _dates(root)
    assert after.pop(("kielikoulutus", "fi")) == (D1.isoformat(), D3.isoformat())
    assert set(after.values()) == {(D1.isoformat(), D1.isoformat())}


def test_front_matter_dates_win(tmp_path):
    practices = dict(TINY)
    meta, body = practices[("kielikoulutus", "fi")]
    practices[("kielikoulutus", "fi")] = ({**meta, "published": "2019-05-01", "updated": "2020-02-02"}, body)
    content, root = make_content(tmp_path / "content", practices), tmp_path / "index"
    build(content, root, today=D1)
    assert _dates(root)[("kielikoulutus", "fi")] == ("2019-05-01", "2020-02-02")


def test_a_renamed_practice_keeps_its_recorded_first_publication(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    build(content, root, today=D1)
    old = content / "practices" / "kielikoulutus.fi.md"
    text = old.read_text(encoding="utf-8").replace("title:", "aliases: [kielikoulutus]\ntitle:", 1)
    old.unlink()
    (content / "practices" / "suomen-kieli-tyopaikoilla.fi.md").write_text(text, encoding="utf-8")
    assert build(content, root, today=D2).ok
    assert _dates(root)[("suomen-kieli-tyopaikoilla", "fi")] == (D1.isoformat(), D2.isoformat())


# --- git ---------------------------------------------------------------------------------------

def _git(repo, *args, date=None):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_git_history_dates_committed_files_and_the_build_the_rest(tmp_path):
    repo = tmp_path / "repo"
    content = make_content(repo / "content")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first", date="2025-01-10")
    _touch(content, extra="\n\nMuutos.")
    _git(repo, "commit", "-q", "-am", "second", date="2025-03-20")
    _git(repo, "mv", "content/practices/polkuja-toihin.fi.md", "content/practices/polku-toihin.fi.md")
    _git(repo, "commit", "-q", "-m", "rename", date="2025-04-01")
    _touch(content, "romanien-osallisuus", extra="\n\nEi vielä tallennettu versioon.")  # changed, not committed
    write_practice(content, "uusi", "fi", TINY[("kielikoulutus", "fi")][0], "Uusi käytäntö.")  # never committed
    root = tmp_path / "index"
    assert build(content, root, today=D3).ok
    dates = _dates(root)
    assert dates[("nuorten-uravalmennus", "sv")] == ("2025-01-10", "2025-01-10")
    assert dates[("kielikoulutus", "fi")] == ("2025-01-10", "2025-03-20")
    assert dates[("polku-toihin", "fi")] == ("2025-01-10", "2025-04-01"), "a rename keeps the first commit's date"
    assert dates[("romanien-osallisuus", "fi")] == ("2025-01-10", D3.isoformat()), "changed since its last commit"
    assert dates[("uusi", "fi")] == (D3.isoformat(), D3.isoformat()), "not committed: recorded by the build"


def test_git_log_is_read_newest_first_following_renames():
    history = ("\0" "2025-04-01T12:00:00+00:00\n\nR100\tc/p/old.fi.md\tc/p/new.fi.md\n"
               "\0" "2025-03-20T12:00:00+00:00\n\nM\tc/p/old.fi.md\nD\tc/p/gone.fi.md\n"
               "\0" "2025-01-10T12:00:00+00:00\n\nA\tc/p/old.fi.md\nA\tc/p/gone.fi.md\n")
    assert _first_and_last(history) == {"c/p/new.fi.md": ("2025-01-10", "2025-04-01"),
                                        "c/p/gone.fi.md": ("2025-01-10", "2025-01-10")}


# --- what the site does with them ----------------------------------------------------------------

def _feed(app, query="") -> ET.Element:
    return ET.fromstring(app.test_client().get(f"/feed.atom{query}").data)


def test_the_feed_carries_each_entrys_dates_and_a_rebuild_changes_only_the_changed_one(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    build(content, root, today=D1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content)})

    def entries() -> dict[str, ET.Element]:
        feed = _feed(app)
        return {e.find(f"{ATOM}id").text: e for e in feed.iter(f"{ATOM}entry")}

    before = {k: ET.tostring(e) for k, e in entries().items()}
    feed = _feed(app)
    assert feed.find(f"{ATOM}updated").text == "2026-01-05T00:00:00Z", "the newest entry's, not the build time"
    one = next(iter(entries().values()))
    assert one.find(f"{ATOM}published").text == one.find(f"{ATOM}updated").text == "2026-01-05T00:00:00Z"

    _touch(content)
    build(content, root, today=D3)
    after = {k: ET.tostring(e) for k, e in entries().items()}
    changed = [k for k in before if before[k] != after[k]]
    assert len(changed) == 1 and "/practice/kielikoulutus" in changed[0]
    entry = entries()[changed[0]]
    assert (entry.find(f"{ATOM}published").text, entry.find(f"{ATOM}updated").text) == (
        "2026-01-05T00:00:00Z", "2026-03-07T00:00:00Z")
    assert _feed(app).find(f"{ATOM}updated").text == "2026-03-07T00:00:00Z"


def test_newest_first_in_the_search_the_api_and_the_feed(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    build(content, root, today=D1)
    _touch(content, "romanien-osallisuus", "fi")
    build(content, root, today=D2)
    write_practice(content, "uusin", "fi", TINY[("kielikoulutus", "fi")][0], "Uusin käytäntö maahanmuuttajille.")
    build(content, root, today=D3)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content)})
    client = app.test_client()
    data = client.get("/api/search?sort=newest&per_page=100").get_json()
    slugs = [r["slug"] for r in data["results"]]
    assert data["sort"] == "newest" and slugs[:2] == ["uusin", "romanien-osallisuus"]
    assert data["results"][0]["published"] == D3.isoformat() and data["results"][1]["updated"] == D2.isoformat()
    assert [r["slug"] for r in client.get("/api/search?q=maahanmuuttajat&sort=newest").get_json()["results"]][0] == "uusin"
    feed = _feed(app, "?sort=newest")
    assert [e.find(f"{ATOM}id").text.split("/practice/")[1].split("?")[0] for e in feed.iter(f"{ATOM}entry")][:2] == \
        ["uusin", "romanien-osallisuus"]
    page = client.get("/?sort=newest").get_data(as_text=True)
    assert page.index("/practice/uusin") < page.index("/practice/romanien-osallisuus") < page.index(
        "/practice/nuorten-uravalmennus")
    assert "<strong>uusimmat</strong>" in page or "<strong>newest</strong>" in page


def test_the_recorded_dates_survive_a_broken_record_file(tmp_path):
    content, root = make_content(tmp_path / "content"), tmp_path / "index"
    build(content, root, today=D1)
    (root / PRACTICE_DATES).write_text("{not json", encoding="utf-8")
    assert build(content, root, today=D2).ok  # starts a new record: the dates become the build's
    assert json.loads((root / PRACTICE_DATES).read_text(encoding="utf-8"))["format"] == 1
