"""A description that repeats an objective's official name is warned about, not refused (issue 11)."""
from __future__ import annotations

import json
import subprocess
import sys

from app.indexing import build
from conftest import ROOT, TINY, make_content

NAME = "Nuorten ja muiden heikossa työmarkkina-asemassa olevien työllistymisen edistäminen"


def _content(tmp_path):
    practices = dict(TINY)
    meta, _ = practices[("ikaantyneet-tyonhakijat", "fi")]
    practices[("ikaantyneet-tyonhakijat", "fi")] = (meta, f"Johdanto.\n\nHanke edisti erityistavoitetta\n{NAME}.\n")
    return make_content(tmp_path / "content", practices)


def test_the_build_warns_with_the_line_and_goes_on(tmp_path):
    content = _content(tmp_path)
    result = build(content, tmp_path / "index")
    assert result.ok and not result.problems
    (warning,) = result.warnings
    assert (warning.code, warning.severity, warning.field) == ("KP501", "warning", "body")
    assert warning.path.endswith("ikaantyneet-tyonhakijat.fi.md")
    lines = (content / "practices" / "ikaantyneet-tyonhakijat.fi.md").read_text(encoding="utf-8").splitlines()
    assert lines[warning.line - 1].startswith("Nuorten ja muiden"), "the line where the name starts"
    assert NAME in str(warning)


def test_check_prints_the_warning_in_the_editors_language_and_exits_0(tmp_path):
    content = _content(tmp_path)
    run = subprocess.run([sys.executable, "-m", "app.cli", "check", "--content", str(content), "--index",
                          str(tmp_path / "index"), "--lang", "fi"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "[KP501 varoitus]" in run.stderr and "toistaa virallisen nimen" in run.stderr
    data = json.loads(subprocess.run([sys.executable, "-m", "app.cli", "check", "--content", str(content),
                                      "--index", str(tmp_path / "index"), "--format", "json"], cwd=ROOT,
                                     capture_output=True, text=True).stdout)
    assert data["ok"] is True and [p["severity"] for p in data["problems"]] == ["warning"]
