"""The command line as an editor runs it: ``kaytantopankki check|build`` (and ``python build.py``)."""
import json
import subprocess
import sys

from conftest import CLI, ROOT, write_practice


def run(*args, env=None):
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_bundled_content_is_valid(tmp_path):
    proc = run("check", "--lang", "en", "--index", str(tmp_path / "index"))  # not the working index's cache
    assert proc.returncode == 0, proc.stderr
    assert "ok:" in proc.stdout and "files are valid" in proc.stdout


def test_the_old_build_script_still_checks_and_builds(content_dir, tmp_path):
    proc = subprocess.run([sys.executable, "build.py", "--check", "--lang", "en", "--content", str(content_dir),
                           "--index", str(tmp_path / "i")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "ok: 7 practices in 9 files are valid" in proc.stdout, proc.stderr
    proc = subprocess.run([sys.executable, "build.py", "--content", str(content_dir), "--index", str(tmp_path / "i")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and (tmp_path / "i" / "CURRENT").exists(), proc.stderr


def test_problems_are_listed_and_exit_1(content_dir, tmp_path):
    write_practice(content_dir, "x", "fi", {"title": "X", "project": "P", "regions": ["Pohjois Karjala"],
                                           "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}, "Body.")
    write_practice(content_dir, "y", "fi", {"title": "Y", "project": "P", "regions": ["Kainuu"],
                                           "themes": ["osallisuus"], "priority": "TL 3 et 9.9"}, "Body.")
    proc = run("build", "--lang", "en", "--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 1
    assert ("content/practices/x.fi.md:4: regions: 'Pohjois Karjala' is not a known region "
            "(did you mean 'Pohjois-Karjala'?) [KP208]") in proc.stderr
    assert "content/practices/y.fi.md:8: priority: specific objective 9.9 is not under TL 3" in proc.stderr
    assert "problems found: 2; the index was not changed." in proc.stderr
    assert not (tmp_path / "index").exists()


def test_build_prints_a_summary(content_dir, tmp_path):
    proc = run("build", "--lang", "en", "--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0, proc.stderr
    assert "indexed 7 practices (9 language versions)" in proc.stdout


def test_build_writes_json(content_dir, tmp_path):
    proc = run("build", "--format", "json", "--content", str(content_dir), "--index", str(tmp_path / "index"))
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["ok"] and data["practices"] == 7 and data["version"].startswith("v-")
    assert data["problems"] == [] and data["lang"] in ("fi", "sv", "en")


def test_progress_bar_for_many_files(content_dir, tmp_path):
    for i in range(210):
        write_practice(content_dir, f"m{i}", "fi", {"title": f"T{i}", "project": "P", "regions": ["Kainuu"],
                                                   "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, "Body.")
    proc = run("build", "--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0 and "indexing: 100%" in proc.stderr
    # Every long step has its bar. A first build hashes the practices while it indexes them; a later
    # one hashes the changed ones before it decides to update (half a minute at 100k, silent before).
    assert "validating: 100%" in proc.stderr and "hashing practices" not in proc.stderr
    for i in range(210):  # (a bar is shown for 200 items or more)
        write_practice(content_dir, f"m{i}", "fi", {"title": f"T{i}", "project": "P", "regions": ["Kainuu"],
                                                   "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, "Changed.")
    proc = run("build", "--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0 and "hashing practices: 100%" in proc.stderr


def test_an_index_path_through_a_file_is_a_clear_error(content_dir, tmp_path):
    (tmp_path / "afile").write_text("not a directory")
    proc = run("build", "--lang", "en", "--content", str(content_dir), "--index", str(tmp_path / "afile" / "index"))
    assert proc.returncode == 2
    assert "error: the index could not be written" in proc.stderr and "Not a directory" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("build", "--lang", "en", "--content", str(content_dir), "--index", str(tmp_path / "afile"))
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr


def test_check_of_named_files_reports_only_them(content_dir):
    write_practice(content_dir, "x", "fi", {"title": "X", "project": "P", "regions": ["Kainuu"],
                                           "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}, "Body.")
    write_practice(content_dir, "y", "fi", {"title": "Y", "project": "P", "regions": ["Kainuu"],
                                           "themes": ["osallisuus"]}, "Body.")
    x, y = content_dir / "practices" / "x.fi.md", content_dir / "practices" / "y.fi.md"
    index = ("--index", str(content_dir.parent / "index"))
    proc = run("check", "--lang", "en", "--content", str(content_dir), *index, str(x))
    assert proc.returncode == 0 and f"ok: no problems in {x}" in proc.stdout, proc.stderr
    proc = run("check", "--lang", "en", "--content", str(content_dir), *index, str(y))
    assert proc.returncode == 1 and "y.fi.md:1: priority: missing" in proc.stderr
    proc = run("check", "--lang", "en", "--content", str(content_dir), *index, str(content_dir / "nope.fi.md"))
    assert proc.returncode == 2 and "error: no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_options_are_usage_errors_not_tracebacks(content_dir):
    proc = run("check", "--lang", "de")
    assert proc.returncode == 2 and "Invalid value for '--lang'" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("frobnicate")
    assert proc.returncode == 2 and "No such command" in proc.stderr


def test_preview_writes_the_page_of_a_draft_kept_elsewhere(content_dir, tmp_path):
    draft = tmp_path / "luonnos" / "uusi.fi.md"
    draft.parent.mkdir()
    draft.write_text("---\ntitle: Luonnos\nproject: P\nregions: [Kainuu]\nthemes: [osallisuus]\npriority: TL 5 et 10.1\n"
                     "---\nVaiheet:\n- yksi\n- kaksi\n", encoding="utf-8")
    out = tmp_path / "page.html"
    proc = run("preview", str(draft), "--content", str(content_dir), "-o", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert f"written to {out}" in proc.stdout
    page = out.read_text(encoding="utf-8")
    assert "<h1>Luonnos</h1>" in page and "<li>yksi</li>" in page and 'lang="en"' in page
    assert "/static/site.css" not in page and "<style>" in page


def test_preview_of_an_invalid_translation_names_the_editors_files(content_dir, tmp_path):
    sv = content_dir / "practices" / "nuorten-uravalmennus.sv.md"
    sv.write_text(sv.read_text(encoding="utf-8").replace("title:", "regions: [Kainuu]\ntitle:"), encoding="utf-8")
    proc = run("preview", str(sv), "--content", str(content_dir), "-o", str(tmp_path / "p.html"), "--lang", "en")
    assert proc.returncode == 1 and not (tmp_path / "p.html").exists()
    assert f"{sv}:2: regions: disagrees with content/practices/nuorten-uravalmennus.fi.md" in proc.stderr
    assert "problems found: 1; fix them and run the preview again." in proc.stderr


def test_preview_of_a_file_that_is_not_a_practice_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    proc = run("preview", str(tmp_path / "notes.txt"), "--lang", "en")
    assert proc.returncode == 2 and "is not a practice file name" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "x.fi.md").write_text("---\ntitle: X\n---\nX.\n")
    proc = run("preview", str(tmp_path / "x.fi.md"), "--content", str(tmp_path / "nowhere"), "--lang", "en")
    assert proc.returncode == 2 and "error: no vocabularies in" in proc.stderr and "Traceback" not in proc.stderr


def test_a_build_without_voikko_says_how_to_install_it_and_writes_nothing(content_dir, tmp_path):
    # A libvoikko that cannot load, as on a machine without Debian's libvoikko1 (ahead of site-packages).
    (tmp_path / "shadow").mkdir()
    (tmp_path / "shadow" / "libvoikko.py").write_text(
        'raise ImportError("libvoikko.so.1: cannot open shared object file")\n')
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    proc = run("build", "--lang", "en", "--content", str(content_dir), "--index", str(tmp_path / "index"), env=env)
    assert proc.returncode == 2, proc.stderr
    assert "apt-get install libvoikko1 voikko-fi" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "index" / "CURRENT").exists()
