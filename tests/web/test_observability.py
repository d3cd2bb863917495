"""Observability: /healthz tells which index is served, and the log says when a process switches."""
from __future__ import annotations

import datetime as dt
import logging
import os

from app import create_app
from app.indexing import build
from conftest import write_practice

NEW = {"title": "Kvanttiohjaus pienille kunnille", "project": "Kvantti", "regions": ["Kainuu"],
       "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}


def test_healthz_reports_the_served_index_and_changes_after_a_rebuild(content_dir, tmp_path):
    root = tmp_path / "index"
    first = build(content_dir, root)
    client = create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content_dir)}).test_client()
    before = client.get("/healthz").get_json()
    assert before == {"status": "ok", "version": first.version, "documents": 9, "practices": 7,
                      "built_at": before["built_at"]}
    built_at = dt.datetime.fromisoformat(before["built_at"])
    assert abs(dt.datetime.now(dt.timezone.utc) - built_at) < dt.timedelta(minutes=5)

    write_practice(content_dir, "kvantti", "fi", NEW, "Kunnat kokeilevat kvanttiohjausta.")
    second = build(content_dir, root)
    after = client.get("/healthz").get_json()  # the same app: no restart
    assert after["version"] == second.version != before["version"]
    assert (after["documents"], after["practices"]) == (10, 8)
    assert dt.datetime.fromisoformat(after["built_at"]) >= built_at


def test_log_says_which_index_version_this_process_serves(content_dir, tmp_path, caplog):
    root = tmp_path / "index"
    first = build(content_dir, root)
    client = create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content_dir)}).test_client()
    with caplog.at_level(logging.INFO, logger="app.search"):
        client.get("/api/search?q=nuoret")
        client.get("/healthz")  # the same version: no second line
        write_practice(content_dir, "kvantti", "fi", NEW, "Kunnat kokeilevat kvanttiohjausta.")
        second = build(content_dir, root)
        client.get("/api/search?q=kvanttiohjaus")
    lines = [r for r in caplog.records if r.name == "app.search" and r.levelno == logging.INFO]
    messages = [r.getMessage() for r in lines]
    assert len(lines) == 2, messages
    for record, version in zip(lines, (first.version, second.version)):
        assert str(os.getpid()) in record.getMessage() and version in record.getMessage()
