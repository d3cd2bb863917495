#!/usr/bin/env python3
"""Baseline search engine for the benchmarks: SQLite FTS5 (Python's sqlite3) over the same content.

What a competent plain implementation would do: one FTS5 row per practice version (unicode61
tokenizer, no Finnish morphology: FTS5 has no Finnish stemmer), a facet table (one row per
practice, facet and value), BM25 with the same field weights as ours, results collapsed to
practices, disjunctive facet counts with GROUP BY, title order from an indexed sort key.
Served by a Flask app with the same URLs as ours so that the HTTP workload is identical::

    python bench/sqlite_fts5.py build CONTENT_DIR DB
    FTS_DB=DB gunicorn -w 2 --chdir bench 'sqlite_fts5:create_app()'
"""
from __future__ import annotations

import html
import json
import math
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

import markdown
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.content.vocabularies import DEFAULT_PERIOD, load_vocabularies, normalise_period, parse_priority  # noqa: E402

FACETS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang")
WEIGHTS = (4.0, 3.0, 2.0, 1.0)  # title, project, summary, body: as TEXT_BOOSTS in app/indexing.py
PER_PAGE = 20
_FRONT = re.compile(r"^---\n(.*?)\n---\n?(.*)$", re.S)
_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>fi|sv|en)\.md$")
_TAG = re.compile(r"<[^>]+>")
_TITLE_KEY = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y", "é": "e"})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCHEMA = """
CREATE TABLE practice (sid INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL, title_key TEXT NOT NULL,
                       langs TEXT NOT NULL);
CREATE TABLE version (rowid INTEGER PRIMARY KEY, sid INTEGER NOT NULL, lang TEXT NOT NULL, title TEXT,
                      project TEXT, summary TEXT, body_html TEXT, record TEXT NOT NULL);
CREATE VIRTUAL TABLE doc USING fts5(title, project, summary, body, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE facet (sid INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX practice_title ON practice (title_key);
CREATE INDEX version_sid ON version (sid);
CREATE INDEX facet_value ON facet (facet, value, sid);
CREATE INDEX facet_sid ON facet (sid, facet, value);
"""


# --- build -------------------------------------------------------------------------------------

def _read(path: Path) -> tuple[dict, str]:
    m = _FRONT.match(path.read_text(encoding="utf-8"))
    if not m:
        raise ValueError(f"{path}: no front matter")
    return yaml.load(m.group(1), Loader=_LOADER) or {}, m.group(2)


def build_fts(content_dir: str | Path, db_path: str | Path) -> dict:
    """Read every practice file (no validation) and write the FTS5 database; return counts."""
    content_dir, db_path = Path(content_dir), Path(db_path)
    started = time.perf_counter()
    vocab = load_vocabularies(content_dir / "vocabularies")
    area = {name: t.parent for name, t in vocab.regions.items() if t.parent}
    versions: dict[str, dict[str, tuple[dict, str]]] = {}
    for path in sorted((content_dir / "practices").rglob("*.md")):
        m = _NAME.match(path.name)
        if m:
            versions.setdefault(m["slug"], {})[m["lang"]] = _read(path)
    tmp = db_path.with_name(db_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    rowid = 0
    for sid, slug in enumerate(sorted(versions)):
        langs = versions[slug]
        original = (langs.get("fi") or next(iter(langs.values())))[0]
        priority = parse_priority(str(original.get("priority", "")))
        facets = {
            "region": original.get("regions") or [],
            "large_area": sorted({area[r] for r in original.get("regions") or [] if r in area}),
            "theme": original.get("themes") or [],
            "axis": [priority.axis] if priority else [], "objective": [priority.objective] if priority else [],
            "target_group": original.get("target_groups") or [],
            "period": [normalise_period(str(original.get("period", DEFAULT_PERIOD)))],
            "lang": sorted(langs),
        }
        db.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                       [(sid, f, str(v)) for f, values in facets.items() for v in values])
        title_key = str(original.get("title", "")).casefold().translate(_TITLE_KEY)
        db.execute("INSERT INTO practice VALUES (?, ?, ?, ?)", (sid, slug, title_key, ",".join(sorted(langs))))
        for lang, (meta, body) in sorted(langs.items()):
            rowid += 1
            body_html = markdown.markdown(body, extensions=["extra"])
            text = html.unescape(_TAG.sub(" ", body_html))
            summary = str(meta.get("summary") or text.strip().split("\n\n", 1)[0])
            title, project = str(meta.get("title", "")), str(meta.get("project", ""))
            record = {"id": slug, "lang": lang, "title": title, "project": project, "summary": summary,
                      "regions": facets["region"], "themes": facets["theme"], "period": facets["period"][0],
                      "axis": (facets["axis"] or [""])[0], "objective": (facets["objective"] or [""])[0],
                      "target_groups": facets["target_group"], "languages": facets["lang"]}
            db.execute("INSERT INTO version VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (rowid, sid, lang, title, project, summary, body_html, json.dumps(record, ensure_ascii=False)))
            db.execute("INSERT INTO doc (rowid, title, project, summary, body) VALUES (?, ?, ?, ?, ?)",
                       (rowid, title, project, summary, text))
    db.executescript(INDEXES + "INSERT INTO doc(doc) VALUES ('optimize'); ANALYZE;")
    db.commit()
    db.close()
    os.replace(tmp, db_path)
    return {"practices": len(versions), "documents": rowid, "seconds": time.perf_counter() - started,
            "bytes": db_path.stat().st_size}


# --- search --------------------------------------------------------------------------------------

def fts_query(text: str) -> str:
    """Every word must match, as in ours; each word quoted so no input is FTS5 syntax."""
    words = re.findall(r"\w+", text.lower())
    return " ".join('"' + w + '"' for w in words)


class Baseline:
    """Queries over one database; one read-only connection per process."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(f"file:{self.db_path}?mode=ro&immutable=1", uri=True)
            self._db.execute("PRAGMA temp_store=MEMORY")
            self._db.execute("PRAGMA cache_size=-65536")
            self._pid = os.getpid()
        return self._db

    def search(self, q: str, filters: dict[str, list[str]], page: int, per_page: int = PER_PAGE) -> dict:
        db = self.db
        match = fts_query(q)
        if match:
            # Best (lowest) bm25 per practice: the versions are collapsed as in ours.
            db.execute("DROP TABLE IF EXISTS temp.m")
            db.execute("CREATE TEMP TABLE m (sid INTEGER PRIMARY KEY, score REAL)")
            db.execute("WITH r AS MATERIALIZED (SELECT rowid, bm25(doc, ?, ?, ?, ?) AS score FROM doc "
                       "WHERE doc MATCH ?) INSERT INTO m SELECT v.sid, min(r.score) FROM r "
                       "JOIN version v ON v.rowid = r.rowid GROUP BY v.sid", (*WEIGHTS, match))
            base = "p.sid IN (SELECT sid FROM m)"
        else:
            base = "1"
        where, args = self._filter("p.sid", filters, skip=None)
        total = db.execute(f"SELECT count(*) FROM practice p WHERE {base} AND {where}", args).fetchone()[0]
        pages = max(1, math.ceil(total / per_page))
        page = min(max(page, 1), pages)
        if match:
            sql = (f"SELECT p.sid FROM m JOIN practice p ON p.sid = m.sid WHERE {where} "
                   "ORDER BY m.score, p.title_key LIMIT ? OFFSET ?")
        else:
            sql = f"SELECT p.sid FROM practice p WHERE {where} ORDER BY p.title_key LIMIT ? OFFSET ?"
        rows = db.execute(sql, (*args, per_page, (page - 1) * per_page)).fetchall()
        results = [self._result(sid, match) for (sid,) in rows]
        # Disjunctive counts: a selected facet is counted without its own filter, all others with every filter.
        fbase = "f.sid IN (SELECT sid FROM m)" if match else "1"
        counts: dict[str, list[tuple[str, int]]] = {f: [] for f in FACETS}
        selected = [f for f in FACETS if filters.get(f)]
        groups = [(f, [f]) for f in selected] + [(None, [f for f in FACETS if f not in selected])]
        for skip, facets in groups:
            fwhere, fargs = self._filter("f.sid", filters, skip=skip)
            marks = ", ".join("?" * len(facets))
            for facet, value, count in db.execute(
                    f"SELECT f.facet, f.value, count(*) FROM facet f WHERE f.facet IN ({marks}) AND {fbase} "
                    f"AND {fwhere} GROUP BY f.facet, f.value", (*facets, *fargs)):
                counts[facet].append((value, count))
        facets_out = {}
        for facet, rows_ in counts.items():
            chosen = set(filters.get(facet, ()))
            facets_out[facet] = [{"value": v, "count": c, "selected": v in chosen}
                                 for v, c in sorted(rows_, key=lambda r: -r[1])]
        return {"query": q, "total": total, "page": page, "pages": pages, "results": results, "facets": facets_out}

    @staticmethod
    def _filter(column: str, filters: dict[str, list[str]], skip: str | None) -> tuple[str, list]:
        parts, args = ["1"], []
        for facet, values in filters.items():
            if facet != skip and values:
                marks = ", ".join("?" * len(values))
                parts.append(f"{column} IN (SELECT sid FROM facet WHERE facet = ? AND value IN ({marks}))")
                args += [facet, *values]
        return " AND ".join(parts), args

    def _result(self, sid: int, match: str) -> dict:
        db = self.db
        if match:
            row = db.execute("SELECT v.record, snippet(doc, 3, '<mark>', '</mark>', ' … ', 24) FROM doc "
                             "JOIN version v ON v.rowid = doc.rowid WHERE doc MATCH ? AND v.sid = ? "
                             "ORDER BY bm25(doc, ?, ?, ?, ?) LIMIT 1", (match, sid, *WEIGHTS)).fetchone()
            if row:
                return {**json.loads(row[0]), "snippet": row[1]}
        record = db.execute("SELECT record FROM version WHERE sid = ? ORDER BY lang = 'fi' DESC LIMIT 1",
                            (sid,)).fetchone()[0]
        data = json.loads(record)
        return {**data, "snippet": html.escape(data["summary"][:240])}

    def practice(self, slug: str) -> dict | None:
        row = self.db.execute("SELECT v.record, v.body_html FROM practice p JOIN version v ON v.sid = p.sid "
                              "WHERE p.slug = ? ORDER BY v.lang = 'fi' DESC LIMIT 1", (slug,)).fetchone()
        return {**json.loads(row[0]), "body_html": row[1]} if row else None

    def stats(self) -> dict:
        return {"status": "ok", "practices": self.db.execute("SELECT count(*) FROM practice").fetchone()[0]}


# --- web ---------------------------------------------------------------------------------------

def create_app(db_path: str | None = None):  # noqa: ANN201
    """The Flask app serving /api/search, /practice/<slug> and /healthz from the database in $FTS_DB."""
    from flask import Flask, abort, jsonify, request

    app = Flask(__name__)
    baseline = Baseline(db_path or os.environ["FTS_DB"])

    @app.get("/api/search")
    def api_search():  # noqa: ANN202
        filters = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
        try:
            page = int(request.args.get("page", "1"))
        except ValueError:
            page = 1
        if request.args.get("page") == "last":
            page = 10**9
        return jsonify(baseline.search(request.args.get("q", ""), filters, page))

    @app.get("/practice/<slug>")
    def practice(slug: str):  # noqa: ANN202
        p = baseline.practice(slug)
        if p is None:
            abort(404)
        return (f"<!doctype html><html lang='{p['lang']}'><title>{html.escape(p['title'])}</title>"
                f"<h1>{html.escape(p['title'])}</h1><p>{html.escape(p['project'])}</p>"
                f"<p>{html.escape(', '.join(p['regions']))}</p>{p['body_html']}</html>")

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify(baseline.stats())

    return app


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) == 3 and args[0] == "build":
        print(json.dumps(build_fts(args[1], args[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
