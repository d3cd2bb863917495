"""Fast builds give the same index as slow ones: incremental updates, worker processes, caches."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from app import text as analysis
from app.indexing.layout import CONTENT_CACHE, LEMMA_CACHE
from app.indexing.browse import Browse
from app.indexing.catalog import Catalog
from app.indexing.layout import BROWSE, CATALOG_DB
from app.content import load_content
from app.indexing import BuildLocked, build
from app.indexing.lock import BuildLock
from app.names import title_key
from app.search import SearchRequest, SearchService
from app.search.matching import match
from conftest import ROOT, TINY, make_content, write_practice

FI = {"regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}
EXTRA = 40  # practices beside the tiny corpus, so that a few changes stay an incremental update
ALL = 100  # relevance requests ask for every result: their order may differ, their set may not
REQUESTS = [
    SearchRequest(),
    SearchRequest(q="nuorille", per_page=ALL),
    SearchRequest(q="ohjaus", filters={"region": ("Kainuu",)}, per_page=ALL),
    SearchRequest(q="kuukausikokous", per_page=ALL),
    SearchRequest(q="ksylofonikorjaamo", per_page=ALL),
    SearchRequest(filters={"lang": ("sv",)}),
    SearchRequest(filters={"theme": ("kotoutuminen", "osallisuus"), "region": ("Pohjois-Karjala",)}),
    SearchRequest(sort="title", per_page=5, page=3),
    SearchRequest(q="työ", sort="title"),
]


def _body(i: int) -> str:
    words = ["nuorille", "ohjausta", "työpajoissa", "kuukausikokous", "verkostossa", "koulutusta", "yrityksille"]
    return " ".join(words[(i * 3 + k) % len(words)] for k in range(12)) + f". Käytäntö numero {i}."


def _corpus(path: Path) -> Path:
    root = make_content(path)
    for i in range(EXTRA):
        write_practice(root, f"lisa-{i}", "fi", {"title": f"Lisäkäytäntö {i}", "project": f"Hanke {i % 5}",
                                                  **FI}, _body(i))
    return root


@pytest.fixture()
def corpus(tmp_path) -> Path:
    return _corpus(tmp_path / "content")


def _edit(content: Path) -> None:
    """An editor's day: one text changed, one practice added, one removed, one translation added."""
    path = content / "practices" / "lisa-3.fi.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nUusi lause: ksylofonikorjaamo.\n", encoding="utf-8")
    write_practice(content, "uusi-kaytanto", "fi", {"title": "Uusi käytäntö", "project": "Uusi", **FI},
                   "Kuukausikokous uusille nuorille.")
    (content / "practices" / "lisa-7.fi.md").unlink()
    write_practice(content, "kielikoulutus", "sv", {"title": "Språkutbildning", "project": "Kaiku"},
                   "Finska på arbetsplatser.")


def _answers(root: Path, content: Path) -> list:
    svc = SearchService(root, content / "vocabularies")
    out = []
    for req in REQUESTS:
        resp = svc.search(req)
        ids = [r.slug for r in resp.results]
        facets = {f: sorted((v.value, v.count, v.selected) for v in values) for f, values in resp.facets.items()}
        # Relevance order may differ in ties (an updated index still counts deleted documents in its
        # term statistics until they are merged away); the set of results may not.
        out.append((req, resp.total, resp.pages, ids if req.sort == "title" or not req.q else sorted(ids), facets))
    out.append(sorted((slug, sorted(svc.practice(slug) or {})) for slug in ("lisa-3", "lisa-7", "uusi-kaytanto",
                                                                            "kielikoulutus")))
    out.append(svc.practice("lisa-3")["fi"]["body_text"])
    return out


def test_incremental_build_answers_like_a_full_build(corpus, tmp_path):
    updated, fresh = tmp_path / "updated", tmp_path / "fresh"
    first = build(corpus, updated)
    assert first.mode == "full"
    _edit(corpus)
    second = build(corpus, updated)
    assert second.ok and second.mode == "incremental" and second.changed == 4
    full = build(corpus, fresh, incremental=False)
    assert full.mode == "full" and second.documents == full.documents
    assert _answers(updated, corpus) == _answers(fresh, corpus)
    svc = SearchService(updated, corpus / "vocabularies")
    assert [r.slug for r in svc.search(SearchRequest(q="ksylofonikorjaamo")).results] == ["lisa-3"]
    assert svc.practice("lisa-7") is None
    assert sorted(svc.practice("kielikoulutus")) == ["fi", "sv"]


def test_update_does_not_touch_the_served_version(corpus, tmp_path):
    root = tmp_path / "index"
    first = build(corpus, root)
    before = {f.name: f.read_bytes() for f in (root / first.version).iterdir() if f.is_file()}
    _edit(corpus)
    assert build(corpus, root).mode == "incremental"
    after = {f.name: f.read_bytes() for f in (root / first.version).iterdir() if f.is_file()}
    assert after == before
    assert SearchService(root, corpus / "vocabularies").search(SearchRequest(q="ksylofonikorjaamo")).total == 1


def test_repeated_updates_stay_correct_and_fall_back_to_full_builds(corpus, tmp_path):
    updated, fresh = tmp_path / "updated", tmp_path / "fresh"
    build(corpus, updated)
    modes = []
    for round_ in range(6):
        for i in range(round_ * 3, round_ * 3 + 3):
            path = corpus / "practices" / f"lisa-{i}.fi.md"
            path.write_text(path.read_text(encoding="utf-8") + f"\nKierros {round_}: ksylofonikorjaamo.\n",
                            encoding="utf-8")
        modes.append(build(corpus, updated).mode)
    # Deleted documents pile up in the old segments; past a share of them a build starts afresh.
    assert "incremental" in modes and "full" in modes[1:]
    build(corpus, fresh, incremental=False)
    assert _answers(updated, corpus) == _answers(fresh, corpus)


@pytest.mark.parametrize("procs", [1, 2])
def test_unchanged_content_builds_a_new_identical_version(corpus, tmp_path, procs):
    # With no served version, the index workers hash the practices as they index them (with two, each
    # its half): the next build, which hashes them before it starts, must find every one unchanged.
    root = tmp_path / "index"
    first = build(corpus, root, procs=procs)
    before = _answers(root, corpus)
    second = build(corpus, root)
    assert second.mode == "incremental" and second.changed == 0 and second.version != first.version
    assert second.reused == first.practices
    assert _answers(root, corpus) == before


def _contents(version: Path) -> tuple[list, dict]:
    """Every stored document and, per field, every term with the documents that contain it."""
    ix = whoosh_index.open_dir(str(version))
    with ix.searcher() as s:
        reader = s.reader()
        stored = sorted((sorted(f.items()) for f in reader.all_stored_fields()), key=str)
        doc_ids = {n: f"{f['slug']}:{f['lang']}" for n, f in reader.iter_docs()}
        postings: dict[tuple[str, bytes], list[str]] = {}
        for fieldname, term in reader.all_terms():
            m = reader.postings(fieldname, term)
            postings[(fieldname, term)] = sorted(doc_ids[d] for d in m.all_ids())
    return stored, postings


def test_parallel_build_writes_the_same_documents(corpus, tmp_path):
    one = build(corpus, tmp_path / "one", procs=1)
    two = build(corpus, tmp_path / "two", procs=2)
    v1, v2 = tmp_path / "one" / one.version, tmp_path / "two" / two.version
    assert len(list(v2.glob("*.trm"))) >= 2  # the workers really wrote segments of their own
    assert _contents(v1) == _contents(v2)
    assert _answers(tmp_path / "one", corpus) == _answers(tmp_path / "two", corpus)


def test_browse_arrays_match_the_index(corpus, tmp_path):
    root = tmp_path / "index"
    result = build(corpus, root, procs=2)
    version = root / result.version
    browse = Browse.load(version / BROWSE)
    with whoosh_index.open_dir(str(version)).searcher() as s:
        slugs = list(s.reader().column_reader("slug"))
    assert [browse.slugs[o] for o in browse.doc_ordinal] == slugs
    assert (version / CATALOG_DB).exists() and not (version / "practices.json").exists()
    titles = [browse.titles[i] for i in browse.title_order]
    assert titles == sorted(titles, key=title_key) and len(titles) == len(browse.slugs) == EXTRA + 7
    # Equal tuples of values are one object, so the file holds each once (opening a version at 100k
    # practices unpickled 900,000 tuples otherwise).
    values = [t for row in browse.facets for t in row] + browse.languages
    assert len({id(t) for t in values}) == len(set(values)) < len(values)
    # What a process keeps in memory agrees with the catalogue's records.
    svc = SearchService(root, corpus / "vocabularies")
    v = svc.version()
    catalog = Catalog(version / CATALOG_DB)
    for i, slug in enumerate(browse.slugs):
        full = catalog[slug].get("fi") or next(iter(catalog[slug].values()))
        assert dict(v.shown(slug, "fi")) == {k: x for k, x in full.items() if k not in ("body_html", "body_text")}
        assert browse.titles[i] == full["title"] and browse.languages[i] == tuple(catalog[slug])
        assert {f: list(x) for f, x in v.facet_values(slug).items()} == {
            "region": full["regions"], "large_area": full["large_areas"], "theme": full["themes"],
            "axis": [full["axis"], f"{full['period']} {full['axis']}"], "objective": [full["objective"]],
            "target_group": full["target_groups"],
            "period": [full["period"]], "lang": list(catalog[slug])}


def _edit_existing(content: Path) -> None:
    """Edits that keep every practice: a text, a title, a region and a date, a translation added."""
    path = content / "practices" / "lisa-3.fi.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nUusi lause: ksylofonikorjaamo.\n", encoding="utf-8")
    write_practice(content, "lisa-5", "fi", {"title": "Aakkosissa ensimmäinen", "project": "Hanke 0", **FI,
                                             "regions": ["Lappi", "Kainuu"], "published": "2020-05-01"}, _body(5))
    write_practice(content, "lisa-8", "sv", {"title": "Översättning", "project": "Hanke 3"}, "Text på svenska.")


def test_an_update_of_existing_practices_gives_the_browse_arrays_of_a_full_build(corpus, tmp_path):
    updated, fresh = tmp_path / "updated", tmp_path / "fresh"
    build(corpus, updated)
    _edit_existing(corpus)
    second = build(corpus, updated)
    assert second.mode == "incremental" and second.changed == 3
    full = build(corpus, fresh, incremental=False)
    got, want = Browse.load(updated / second.version / BROWSE), Browse.load(fresh / full.version / BROWSE)
    for name in ("slugs", "titles", "languages", "facets", "facet_names", "title_order", "newest_order", "dates"):
        assert getattr(got, name) == getattr(want, name), name
    assert got.facet_bits == want.facet_bits
    assert {f: list(v) for f, v in got.facet_bits.items()} == {f: list(v) for f, v in want.facet_bits.items()}
    assert got.titles[got.title_order[0]] == "Aakkosissa ensimmäinen" and got.newest_order[-1] == got.slugs.index("lisa-5")
    with whoosh_index.open_dir(str(updated / second.version)).searcher() as s:  # documents renumbered by the update
        live_slugs = [s.stored_fields(d)["slug"] for d in s.reader().all_doc_ids()]
        assert [got.slugs[got.doc_ordinal[d]] for d in s.reader().all_doc_ids()] == live_slugs


def _editors_rounds(content: Path) -> Iterator[None]:
    """Three rounds of edits: _edit's; an old slug given and a practice removed; one brought back."""
    _edit(content)
    yield
    write_practice(content, "lisa-9", "fi", {"title": "Lisäkäytäntö 9", "project": "Hanke 4", **FI,
                                             "aliases": ["vanha-lisa-9"]}, _body(9))
    (content / "practices" / "lisa-3.fi.md").unlink()
    yield
    write_practice(content, "lisa-7", "fi", {"title": "Palannut käytäntö", "project": "Hanke 2", **FI}, _body(7))
    (content / "practices" / "uusi-kaytanto.fi.md").unlink()
    yield


@pytest.mark.parametrize("share", [1.0, 0.0], ids=["changes-beside-the-whole-file", "rewritten-whole"])
def test_an_updated_catalogue_reads_as_a_full_builds(corpus, tmp_path, monkeypatch, share):
    from app.indexing import catalog as catalog_module
    from app.indexing.layout import CATALOG_CHANGES

    monkeypatch.setattr(catalog_module, "REWRITE_SHARE", share)
    updated, fresh = tmp_path / "updated", tmp_path / "fresh"
    build(corpus, updated)
    for _ in _editors_rounds(corpus):
        result = build(corpus, updated)
        assert result.mode == "incremental"
        version = updated / result.version
        assert (version / CATALOG_CHANGES).exists() == (share == 1.0)
        want_version = fresh / build(corpus, fresh, incremental=False).version
        got, want = Catalog(version / CATALOG_DB), Catalog(want_version / CATALOG_DB)
        assert list(got) == list(want) and len(got) == len(want)
        assert {slug: got[slug] for slug in got} == {slug: want[slug] for slug in want}
        assert {slug: got.light(slug) for slug in got} == {slug: want.light(slug) for slug in want}
        assert sorted(got.version_values(["title"])) == sorted(want.version_values(["title"]))
        assert got.renamed("vanha-lisa-9") == want.renamed("vanha-lisa-9")
    assert got.renamed("vanha-lisa-9") == "lisa-9" and got["lisa-7"]["fi"]["title"] == "Palannut käytäntö"
    assert "lisa-3" not in got and "uusi-kaytanto" not in got
    previous = sorted(updated.glob("v-*"))[0]
    if share == 1.0:  # the whole file is shared with the first version, not copied
        assert os.path.samefile(previous / CATALOG_DB, version / CATALOG_DB)


# --- validation through the cache still checks every file --------------------------------------------

def _broken(root: Path) -> Path:
    content = make_content(root)
    write_practice(content, "rikki", "fi", {"title": "X", "project": "Y", "regions": ["Pohjois Karjala"],
                                            "themes": ["osallisuus"], "priority": "TL 3 et 9.9"}, "Body.")
    write_practice(content, "orpo", "sv", {"title": "Utan original", "project": "P"}, "Text.")
    write_practice(content, "kielikoulutus", "en", {"title": "Language", "project": "Kaiku",
                                                    "regions": ["Lappi"], "themes": ["kotoutuminen"],
                                                    "priority": "TL 5 et 10.1"}, "Text.")
    (content / "practices" / "sub").mkdir()
    (content / "practices" / "a-b").mkdir()  # sorts before "a/" as a path, after it as a string
    (content / "practices" / "a").mkdir()
    (content / "practices" / "a-b" / "z.fi.md").write_text("---\ntitle: Z\n---\nZ.\n", encoding="utf-8")
    (content / "practices" / "a" / "z.fi.md").write_text("---\ntitle: Z\n---\nZ.\n", encoding="utf-8")
    (content / "practices" / ".hidden").mkdir()
    (content / "practices" / ".hidden" / "h.fi.md").write_text("---\ntitle: H\n---\nH.\n", encoding="utf-8")
    (content / "practices" / "linked.fi.md").symlink_to(content / "practices" / "kielikoulutus.fi.md")
    (content / "practices" / "outside.fi.md").symlink_to(ROOT / "README.md")
    (content / "practices" / "dir-link.fi.md").symlink_to(content / "practices" / "sub")
    (content / "practices" / "broken.fi.md").symlink_to(content / "practices" / "missing.fi.md")
    (content / "practices" / "Bad Name.md").write_text("---\ntitle: x\n---\nx\n", encoding="utf-8")
    (content / "practices" / "sub" / "romanien-osallisuus.fi.md").write_text(
        (content / "practices" / "romanien-osallisuus.fi.md").read_text(encoding="utf-8"), encoding="utf-8")
    return content


@pytest.mark.parametrize("kind", ["tiny", "broken"])
def test_cached_loading_equals_plain_loading(tmp_path, kind):
    content = make_content(tmp_path / "content") if kind == "tiny" else _broken(tmp_path / "content")
    expected = load_content(content)
    cache = tmp_path / "cache"
    cold = load_content(content, cache, procs=2)
    cold.cache.save(cache)
    warm = load_content(content, cache, procs=2)
    again = warm.cache
    assert again.cached == again.groups > 0 and again.computed == 0
    for got in (cold, warm):
        assert got.practices == expected.practices
        assert got.problems == expected.problems
    if kind == "broken":
        assert any("duplicate" in p.message for p in warm.problems)
        assert any("disagrees" in p.message for p in warm.problems)


def test_cross_file_rules_run_when_only_the_original_changes(content_dir, tmp_path):
    root = tmp_path / "index"
    assert build(content_dir, root).ok
    # The English translation repeats the regions; only the Finnish original changes.
    meta, body = TINY[("nuorten-uravalmennus", "fi")]
    write_practice(content_dir, "nuorten-uravalmennus", "fi", {**meta, "regions": ["Kainuu"]}, body)
    result = build(content_dir, root)
    assert not result.ok
    assert any(p.path.endswith("nuorten-uravalmennus.en.md") and "disagrees" in p.message for p in result.problems)


def test_a_vocabulary_change_revalidates_every_file(content_dir, tmp_path):
    root = tmp_path / "index"
    assert build(content_dir, root).ok
    path = content_dir / "vocabularies" / "themes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: kotoutuminen", "value: kotoutuminen2"),
                    encoding="utf-8")
    result = build(content_dir, root)
    assert not result.ok and any("kotoutuminen" in p.message for p in result.problems)


def test_check_reuses_the_cache_without_creating_an_index(content_dir, tmp_path):
    missing = tmp_path / "none"
    assert build(content_dir, missing, check_only=True).ok and not missing.exists()
    root = tmp_path / "index"
    build(content_dir, root)
    assert (root / CONTENT_CACHE).exists()
    assert build(content_dir, root, check_only=True).ok


# --- the persistent lemma cache -----------------------------------------------------------------------

def _analyse_in_new_process(cache: Path) -> dict:
    code = ("import json, sys; from app import text as analysis; n = analysis.load_cache(sys.argv[1]); "
            "terms = analysis.explain_terms('maahanmuuttajille', 'fi'); "
            "print(json.dumps({'loaded': n, 'terms': terms, 'misses': analysis.cache_info()['misses']}))")
    out = subprocess.run([sys.executable, "-c", code, str(cache)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    return json.loads(out)


def test_lemma_cache_survives_between_processes(content_dir, tmp_path):
    root = tmp_path / "index"
    build(content_dir, root)
    cached = _analyse_in_new_process(root / LEMMA_CACHE)
    fresh = _analyse_in_new_process(tmp_path / "absent")
    assert cached["loaded"] > 50 and fresh["loaded"] == 0
    # The same analysis from the file as from Voikko, and the cached run never had to compute it.
    assert cached["terms"] == fresh["terms"] and ["maahanmuuttaja", "base"] in cached["terms"]
    assert cached["misses"] == 0 and fresh["misses"] > 0


def test_stale_lemma_cache_is_ignored(tmp_path):
    path = tmp_path / "lemmas"
    analysis.lemmas("talossa", "fi")
    assert analysis.save_cache(path, [("fi", "talossa")]) == 1
    with sqlite3.connect(path) as db:  # another analyser's file: its analyses must not be used
        db.execute("UPDATE form SET terms = 'väärä'")
        db.execute("UPDATE meta SET value = 'another analyser'")
    analysis.cache_clear()
    assert analysis.load_cache(path) == 0
    assert "väärä" not in analysis.lemmas("talossa", "fi")
    path.write_bytes(b"not a database")
    assert analysis.load_cache(path) == 0
    assert analysis.save_cache(path, [("fi", "talossa")]) == 1 and analysis.load_cache(path) == 1


def test_lemma_cache_reads_only_the_forms_asked_for(tmp_path):
    path = tmp_path / "lemmas"
    for word in ("talossa", "nuorille", "ohjausta"):
        analysis.lemmas(word, "fi")
    analysis.save_cache(path, [("fi", "talossa"), ("fi", "nuorille"), ("fi", "ohjausta")])
    analysis.cache_clear()
    assert analysis.load_cache(path, [("fi", "nuorille"), ("fi", "ei-tallennettu")]) == 1
    assert analysis.uncached_forms([("fi", "nuorille"), ("fi", "talossa")]) == [("fi", "talossa")]


# --- a killed parallel build leaves no workers behind ---------------------------------------------------

def _processes_mentioning(text: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    content = make_content(tmp_path_factory.mktemp("many") / "content", practices={})
    for i in range(900):  # enough files and documents for the workers to be busy when the build dies
        write_practice(content, f"p-{i}", "fi", {"title": f"Käytäntö {i}", "project": "H", **FI}, _body(i) * 4)
    return content


@pytest.mark.parametrize("phase", ["validating", "indexing"])
def test_killed_parallel_build_leaves_no_workers(many, tmp_path, phase):
    root = tmp_path / f"killed-{phase}"
    proc = subprocess.Popen([sys.executable, "build.py", "--content", str(many), "--index", str(root),
                             "--procs", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        started_indexing = root.is_dir() and any(root.glob(".tmp-*"))
        if len(_processes_mentioning(str(root))) >= 3 and started_indexing == (phase == "indexing"):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _processes_mentioning(str(root)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(root)) == []
    if root.is_dir():  # no orphan keeps the build lock (a worker may take a moment to notice its parent died)
        deadline = time.monotonic() + 15
        while True:
            try:
                with BuildLock(root, wait=False, on_wait=None):
                    break
            except BuildLocked:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def test_a_forked_worker_does_not_keep_the_build_lock(tmp_path):
    # A build that holds the lock forks a worker and is killed: the worker lives on, the lock does not.
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from app.indexing.lock import BuildLock\n"
        f"lock = BuildLock(Path({str(tmp_path)!r}), wait=False, on_wait=None).__enter__()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.write(1, b'worker %d\\n' % os.getpid())\n"  # the fork handlers have run by now
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "os.write(1, b'build %d\\n' % child)\n"  # one write each: print() may interleave with the worker's
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    # Wait for both lines: on a loaded machine the worker may not have run at all when the build answers.
    said: dict[str, str] = {}
    while not {"worker", "build"} <= said.keys():
        line = proc.stdout.readline()
        assert line, f"the build script ended early; it said {said}"
        if line.split()[:1] in (["worker"], ["build"]):
            said[line.split()[0]] = line.split()[-1]
    child = int(said["worker"])
    try:
        with pytest.raises(BuildLocked):  # the build itself still holds it
            BuildLock(tmp_path, wait=False, on_wait=None).__enter__()
        proc.kill()
        proc.wait()
        os.kill(child, 0)  # the worker is still alive …
        with BuildLock(tmp_path, wait=False, on_wait=None):  # … and the lock is free at once
            pass
    finally:
        proc.kill()
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- the fast path of text matching ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def updated(tmp_path_factory) -> tuple[Path, Path]:
    """An index updated in place, so that its old segment holds deleted documents."""
    corpus = _corpus(tmp_path_factory.mktemp("updated") / "content")
    root = corpus.parent / "index"
    build(corpus, root)
    _edit(corpus)
    assert build(corpus, root).mode == "incremental"
    return root, corpus / "vocabularies"


def test_the_live_mask_is_every_document_not_deleted(updated):
    v = SearchService(*updated).version()
    reader = v.searcher.reader()
    assert reader.has_deletions()  # the updated version's old segment keeps the replaced documents
    assert list(v.live_mask().nonzero()[0]) == list(reader.all_doc_ids())


@pytest.mark.parametrize("text", ["nuorille", "ohjaus kuukausikokous", "ohjausta OR koulutusta", "nuorille -ohjausta",
                                  '"ohjausta työpajoissa"', "ksylofonikorjaamo", "olematonsanaxyz", "te-palvelut",
                                  "kielen koulutus", "6.1", "career coaching"])
def test_matching_practices_equal_what_the_matcher_finds(updated, text):
    """The practices the ranker finds (every required clause in one document, none of an excluded one
    in any) equal what Whoosh's matchers find, deleted documents of the updated version included."""
    svc = SearchService(*updated)
    v = svc.version()
    meant = svc.interpreter.interpret(v, text, correct=False)
    required = [c.query for c in meant.required]
    every = wq.And(required) if len(required) > 1 else required[0] if required else wq.Every()
    expected = {v.doc_ordinal[d] for d in every.matcher(v.searcher).all_ids()}
    for clause in meant.excluded:
        expected -= {v.doc_ordinal[d] for d in clause.query.matcher(v.searcher).all_ids()}
    found = match(v, meant, v.facets.all)
    got = {i for i in range(v.facets.size) if found.bits >> i & 1}
    if expected:
        assert found.kind in ("all", "every") and got == expected
    else:
        assert found.kind in ("partial", "none")
