#!/usr/bin/env python3
"""Build benchmark: ``python bench/bench_build.py [--sizes 1000,10000] [--full] [--rounds N] [--workdir DIR]``.

For each corpus size: a build from scratch (no index, no caches), a full rebuild with warm caches
(``--full``: every document re-indexed, validated files and word analyses from the caches), an
incremental rebuild after changing one file, and the SQLite FTS5 baseline's build of the same
corpus. ``build.py`` and the baseline run as subprocesses; wall time, CPU time (process and
workers) and peak memory come from wait4's rusage and from sampling /proc. Prints a table; with
``--rounds N`` the runs are repeated, each round with its own FTS5 build, and the median of each
run's ratio to its round's FTS5 build is given too (the machine's speed drifts by tens of percent).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, PY, ROOT, Measured, dir_size_mb, machine, ratio, run_measured, table  # noqa: E402

DEFAULT_SIZES = (1000, 10_000)
FULL_SIZES = (1000, 10_000, 100_000)
TARGETS = {  # seconds, from issue 4
    (10_000, "scratch"): 60, (10_000, "incremental"): 5, (100_000, "scratch"): 600,
}


def corpus(workdir: Path, n: int, seed: int) -> Path:
    """The generated content directory for ``n`` practices (reused when already generated)."""
    out = workdir / f"content-{n}-{seed}"
    marker = out / ".generated"
    source = (BENCH / "generate.py").read_bytes()
    stamp = hashlib.sha256(source).hexdigest()[:12]
    if marker.exists() and marker.read_text() == stamp:
        return out
    print(f"generating {n} practices…", file=sys.stderr, flush=True)
    # In a child process: this one stays small, so that the builds it forks report their own peak memory.
    subprocess.run([PY, str(BENCH / "generate.py"), str(out), "--practices", str(n), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    marker.write_text(stamp)
    return out


def build_cmd(content: Path, index: Path, *extra: str) -> list[str]:
    return [PY, str(ROOT / "build.py"), "--content", str(content), "--index", str(index), *extra]


def _version(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def _row(label: str, m: Measured, index: Path | None = None) -> dict:
    row = {"run": label, "wall": m.wall, "cpu": m.cpu, "maxrss_mb": m.maxrss_mb, "tree_rss_mb": m.tree_rss_mb}
    if m.returncode != 0:
        raise RuntimeError(f"{label} failed ({m.returncode}):\n{m.stderr[-3000:]}")
    if index is not None:
        version = _version(index)
        meta = json.loads((version / "meta.json").read_text())
        row.update(size_mb=dir_size_mb(version), mode=meta.get("mode", ""), timings=meta.get("timings", {}),
                   caches_mb=sum(f.stat().st_size for f in index.glob(".*-cache")) / 1e6)
    return row


def touch_one(content: Path, word: str) -> Path:
    """Change one Finnish file the way an editor does: a new sentence with a new word."""
    path = sorted((content / "practices").glob("*.fi.md"))[len(list((content / "practices").glob("*.fi.md"))) // 2]
    path.write_text(path.read_text(encoding="utf-8") + f"\nLisäys: {word} mainitaan nyt.\n", encoding="utf-8")
    return path


RUNS = ("scratch", "warm", "incremental", "baseline")
OPTIONAL_RUNS = ("warm1",)  # the warm full rebuild in one process, to show what the workers gain


def bench_size(workdir: Path, n: int, seed: int, runs: tuple[str, ...] = RUNS) -> list[dict]:
    content = corpus(workdir, n, seed)
    index = workdir / f"index-{n}"
    rows = []
    if "scratch" in runs:
        shutil.rmtree(index, ignore_errors=True)
        print(f"[{n}] build from scratch…", file=sys.stderr, flush=True)
        rows.append(_row("scratch", run_measured(build_cmd(content, index)), index))
    if "warm" in runs:
        print(f"[{n}] full rebuild, warm caches…", file=sys.stderr, flush=True)
        rows.append(_row("full, warm caches", run_measured(build_cmd(content, index, "--full")), index))
    if "warm1" in runs:
        print(f"[{n}] full rebuild, warm caches, one process…", file=sys.stderr, flush=True)
        rows.append(_row("full, warm caches, --procs 1",
                         run_measured(build_cmd(content, index, "--full", "--procs", "1")), index))
    if "incremental" in runs:
        print(f"[{n}] incremental: 1 file changed…", file=sys.stderr, flush=True)
        touch_one(content, f"benchmerkki{n}x{len(list(index.glob('v-*')))}")
        rows.append(_row("incremental", run_measured(build_cmd(content, index)), index))
    if "baseline" in runs:
        print(f"[{n}] SQLite FTS5 baseline…", file=sys.stderr, flush=True)
        db = workdir / f"fts-{n}.sqlite"
        m = run_measured([PY, str(BENCH / "sqlite_fts5.py"), "build", str(content), str(db)])
        base = _row("baseline FTS5 build", m)
        base["size_mb"] = db.stat().st_size / 1e6
        rows.append(base)
    for row in rows:
        row["practices"] = n
    return rows


def report(rows: list[dict]) -> str:
    out = []
    body = []
    for r in rows:
        base = next((b for b in rows if b["practices"] == r["practices"] and b.get("round") == r.get("round")
                     and b["run"].startswith("baseline")), {"wall": float("nan")})
        target = TARGETS.get((r["practices"], r["run"].split(",")[0]))
        phases = " ".join(f"{k} {v:.1f}" for k, v in r.get("timings", {}).items())
        body.append([r["practices"], r.get("round", 1), r["run"], r["wall"], r["cpu"], r["maxrss_mb"], r["tree_rss_mb"],
                     r.get("size_mb", float("nan")), ratio(r["wall"], base["wall"]),
                     f"≤ {target} s: {'yes' if r['wall'] <= target else 'NO'}" if target else "", phases])
    out.append(table(["practices", "round", "run", "wall s", "CPU s", "max RSS MB", "peak PSS MB (all processes)", "size MB",
                      "wall ours/FTS5", "target", "phases (s)"], body))
    # With several rounds, the median of each run's ratio to the FTS5 build of its own round (the
    # machine's speed drifts between rounds; a ratio within one round does not).
    for n in sorted({r["practices"] for r in rows}):
        for run in dict.fromkeys(r["run"] for r in rows if r["practices"] == n and not r["run"].startswith("baseline")):
            ratios = []
            for r in rows:
                if r["practices"] == n and r["run"] == run:
                    base = next((b["wall"] for b in rows if b["practices"] == n and b.get("round") == r.get("round")
                                 and b["run"].startswith("baseline")), None)
                    if base:
                        ratios.append(r["wall"] / base)
            if len(ratios) > 1:
                out.append(f"{n} practices, {run}: wall ÷ FTS5 of the same round, median {statistics.median(ratios):.2f} "
                           f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--full", action="store_true", help="also 100 000 practices")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kaytantopankki-bench"))
    parser.add_argument("--runs", default=",".join(RUNS), help=f"some of {','.join(RUNS + OPTIONAL_RUNS)}")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the runs (each round with its own FTS5 build) and give the median ratios")
    args = parser.parse_args(argv)
    sizes = FULL_SIZES if args.full else tuple(int(s) for s in args.sizes.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", file=sys.stderr)
    runs = tuple(r.strip() for r in args.runs.split(","))
    rows = []
    for n in sizes:
        for round_ in range(1, args.rounds + 1):
            for row in bench_size(args.workdir, n, args.seed, runs):
                row["round"] = round_
                rows.append(row)
    print(report(rows))
    return rows


if __name__ == "__main__":
    main()
