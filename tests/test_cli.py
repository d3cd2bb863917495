"""The build command as an editor runs it."""
import subprocess
import sys

from conftest import ROOT, write_practice


def run_build(*args):
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_bundled_content_is_valid():
    proc = run_build("--check")
    assert proc.returncode == 0, proc.stderr
    assert "ok:" in proc.stdout


def test_problems_are_listed_and_exit_1(content_dir, tmp_path):
    write_practice(content_dir, "x", "fi", {"title": "X", "project": "P", "regions": ["Pohjois Karjala"],
                                           "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}, "Body.")
    write_practice(content_dir, "y", "fi", {"title": "Y", "project": "P", "regions": ["Kainuu"],
                                           "themes": ["osallisuus"], "priority": "TL 3 et 9.9"}, "Body.")
    proc = run_build("--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 1
    assert "content/practices/x.fi.md:4: regions: 'Pohjois Karjala' is not a known region (did you mean 'Pohjois-Karjala'?)" in proc.stderr
    assert "content/practices/y.fi.md:8: priority: specific objective 9.9 is not under TL 3" in proc.stderr
    assert "2 problem(s) found; the index was not changed." in proc.stderr
    assert not (tmp_path / "index").exists()


def test_build_prints_a_summary(content_dir, tmp_path):
    proc = run_build("--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0, proc.stderr
    assert "indexed 7 practices (9 language versions)" in proc.stdout


def test_progress_bar_for_many_files(content_dir, tmp_path):
    for i in range(210):
        write_practice(content_dir, f"m{i}", "fi", {"title": f"T{i}", "project": "P", "regions": ["Kainuu"],
                                                   "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, "Body.")
    proc = run_build("--content", str(content_dir), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0 and "indexing: 100%" in proc.stderr


def test_an_index_path_through_a_file_is_a_clear_error(content_dir, tmp_path):
    (tmp_path / "afile").write_text("not a directory")
    proc = run_build("--content", str(content_dir), "--index", str(tmp_path / "afile" / "index"))
    assert proc.returncode == 2
    assert "error: the index could not be written" in proc.stderr and "Not a directory" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_build("--content", str(content_dir), "--index", str(tmp_path / "afile"))
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr
