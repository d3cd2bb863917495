#!/usr/bin/env python3
"""All benchmarks at the default size, results written to bench/RESULTS.md: ``python bench/run_all.py``.

Options: ``--full`` adds 100 000 practices to the build benchmark and runs the HTTP benchmark at
100 000 too; ``--workdir DIR`` keeps corpora and indexes between runs (default /tmp/kaytantopankki-bench);
``--http-only`` re-measures the HTTP part over the indexes of an earlier run and keeps its build section.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build  # noqa: E402
import bench_http  # noqa: E402
from common import BENCH, machine  # noqa: E402

ANALYSIS = "<!-- analysis: everything below this line is kept when run_all.py rewrites the file -->"
NOTES = """\
## How to read these figures

- Wall times depend on what else runs on the machine; the load average above says how busy it was.
  CPU seconds (the build process and all its workers) are the steadier figure: on an otherwise idle
  2-core machine a parallel step takes about half its CPU seconds of wall time.
- "scratch" is a build into an empty index root: every file validated, every word form analysed with
  Voikko, every document indexed. "full, warm caches" is `build.py --full` afterwards (validation and
  word analyses come from `index/.content-cache` and `index/.lemma-cache`, every document is
  re-indexed). "incremental" is the next `build.py` after one file changed: the served version's
  segments are linked into the new version and only that practice's documents are replaced.
- Peak memory: "max RSS" is the largest single process; the PSS figure sums all processes of the
  build (pages shared by forked workers counted once), sampled every 0.2 s.
- The FTS5 baseline (`bench/sqlite_fts5.py`) parses the same files without validation and without
  Finnish morphology (FTS5 has no Finnish stemmer: it finds only the exact inflected form), so it
  does less work and finds less; the ratio shows what validation, lemmatisation and Whoosh cost.
- HTTP: both servers are gunicorn with 2 sync workers on this machine, and the client threads run
  here too, so at 4 clients the clients and the 2 workers share the 2 cores.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kaytantopankki-bench"))
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--http-only", action="store_true",
                        help="measure HTTP only and keep the build section of --out (the indexes must exist)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    before = machine()
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if args.http_only:
        if "## Build\n" not in previous:
            parser.error(f"--http-only keeps the build section of {args.out}, which has none")
        measured = next(line for line in previous.splitlines() if line.startswith(("Measured ", "Build figures ")))
        kept = previous.split("## Build\n", 1)[1].split("\n## ", 1)[0].strip("\n")
        if not kept.startswith("Build figures "):
            kept = f"Build figures kept from an earlier run: {measured}\n\n{kept}"
        build_section = kept
    else:
        build_args = ["--workdir", str(args.workdir)] + (["--full"] if args.full else [])
        build_section = bench_build.report(bench_build.main(build_args))
    http = [bench_http.main(["--workdir", str(args.workdir), "--practices", str(n)])
            for n in ((10_000, 100_000) if args.full else (10_000,))]
    after = machine()
    command = "python bench/run_all.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    make_target = "" if args.http_only else ("(`make bench-full`), " if args.full else "(`make bench`), ")
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.datetime.now().isoformat(timespec='minutes')} with `{command.strip()}` "
        f"{make_target}{time.perf_counter() - started:.0f} s in all.",
        "",
        f"Machine: {before['nproc']} × {before['cpu']}, {before['ram']} RAM, Python {before['python']}, "
        f"{before['os']}. Load average (1, 5, 15 min) at the start: {before['load']}; at the end: {after['load']}.",
        "",
        "## Build",
        "",
        build_section,
        "",
    ]
    for res in http:
        lines += [f"## Search over HTTP, {res['practices']} practices", "", bench_http.report(res), ""]
    lines += [NOTES]
    # A hand-written analysis below the marker survives re-runs.
    if ANALYSIS in previous:
        lines += [ANALYSIS + previous.split(ANALYSIS, 1)[1]]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
