#!/usr/bin/env python3
"""Load benchmark: ``python bench/load.py [--practices 10000] [--requests 300] [--seconds 4]``.

Starts the production server itself (gunicorn, 2 workers, ``app:create_app()``) on a free
127.0.0.1 port, once over the bundled content and once over a synthetic corpus of N practices
(bench/generate.py), and sends a mix of real requests (search + filter through the API, the search
page, practice pages, browsing) from 1, 4 and 16 concurrent clients. Each level is bounded by a
number of requests and a time cap. The baseline, in the same run and at the same concurrency, is
/healthz (the smallest request the stack can answer), so the ratios show what searching adds.
Also sends every hostile query of tests/web/test_hostile.py once (worst case latency and statuses).
Prints throughput, p50/p95/p99 in ms, errors and ratios. The default run takes 2–3 minutes.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, app_env, get, gunicorn, machine, percentile, ratio, table  # noqa: E402

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "web"))

from app.indexing import build  # noqa: E402

LEVELS = (1, 4, 16)
QUERIES = ("nuorten ohjaus", "koulutus", "maahanmuuttajien kotoutuminen", "yritysten yhteistyö", "työllisyys",
           "osaamisen kehittäminen", "pitkäaikaistyöttömät", "mentorointi", "työelämään", "asiakasohjaus verkosto",
           '"suomen kielen"', "nuoret OR ikääntyneet", "valmennus -yritykset")
REGIONS = ("Uusimaa", "Pirkanmaa", "Pohjois-Karjala", "Varsinais-Suomi", "Lappi", "Keski-Suomi", "Kainuu")
THEMES = ("kohti työtä", "osallisuus", "kotoutuminen", "asiakasohjaus")
DISTINCT = ("hanke työllisyys nuoret ohjaus koulutus valmennus maahanmuuttajat kotoutuminen yritys yhteistyö verkosto "
            "palvelu asiakas osallisuus työnhakijat osaaminen kehittäminen malli menetelmä työpaikka työelämä kunta "
            "oppilaitos mentorointi").split()


def mix(slugs: list[str], seed: int = 7) -> list[str]:
    """The request mix a visitor and an API client make: searches, filters, pages, practices."""
    rng = random.Random(seed)
    paths = []
    for i, q in enumerate(itertools.islice(itertools.cycle(QUERIES), 40)):
        region, theme = REGIONS[i % len(REGIONS)], THEMES[i % len(THEMES)]
        paths += [f"/api/search?q={quote(q)}", f"/api/search?q={quote(q)}&region={quote(region)}",
                  f"/?q={quote(q)}&theme={quote(theme)}"]
    paths += ["/api/search", "/api/search?sort=title&page=2", "/", f"/?region={quote(REGIONS[0])}"] * 5
    paths += [f"/practice/{s}" for s in rng.sample(slugs, min(20, len(slugs)))]
    paths += [f"/api/practice/{s}" for s in rng.sample(slugs, min(20, len(slugs)))]
    rng.shuffle(paths)
    return paths


def hostile_paths() -> list[str]:
    """Every known-nasty value of the hostile-input test as the query of the page and of the API."""
    from test_hostile import NASTY, encoded  # the same table the test suite sends

    out = []
    for value in NASTY:
        raw = encoded(value)
        if any(c < 0x21 or c > 0x7e for c in raw):  # http.client sends no raw bytes: the suite covers them
            raw = quote_from_bytes(raw, safe="%").encode("ascii")
        q = raw.decode("ascii")
        out += [f"/api/search?q={q}", f"/?q={q}"]
    # The longest query gunicorn lets through (request line < 4 kB): 600 real words, '+' for spaces;
    # and what costs most per word: distinct common words, and misspelt ones (spelling correction).
    many = "+".join(itertools.islice(itertools.cycle(["malli", "tuki", "hanke", "kunta", "opas", "nuori"]), 600))
    rng = random.Random(3)
    typos = ["ko" + "".join(rng.choice("aeiouklmnprstv") for _ in range(6)) for _ in range(24)]
    for q in (many, quote(" ".join(DISTINCT)), quote(" ".join(typos[:4])), quote(" ".join(typos))):
        out += [f"/api/search?q={q}", f"/?q={q}"]
    return out


def run(port: int, paths: list[str], clients: int, count: int, seconds: float, ok=lambda s: s == 200) -> dict:
    """``count`` requests cycling through ``paths`` from ``clients`` threads, at most ``seconds``."""
    latencies: list[float] = []
    slowest: list[tuple[float, str]] = []
    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    counter = itertools.count()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= count:
                return
            path = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                status, _body = get(port, path, timeout=30)
            except (OSError, ValueError) as exc:  # http.client's InvalidURL is a ValueError
                status, problem = 0, f"{type(exc).__name__}: {exc}"
            else:
                problem = f"{status} {path[:80]}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                slowest.append((elapsed, path))
                statuses[status] += 1
                if not ok(status):
                    errors.append(problem)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"n": len(latencies), "rps": len(latencies) / wall if wall else 0.0, "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95), "p99": percentile(latencies, 99), "max": max(latencies, default=0.0),
            "errors": len(errors), "statuses": dict(statuses), "examples": errors[:3],
            "slowest": [(round(t, 1), unquote(p)[:70]) for t, p in sorted(slowest, reverse=True)[:3]]}


def prepare(workdir: Path, practices: int, seed: int) -> dict[str, tuple[Path, Path]]:
    """Content and built index of the bundled content and of the synthetic corpus."""
    corpora = {"bundled": (ROOT / "content", workdir / "index-bundled")}
    if practices:
        content = workdir / f"synthetic-{practices}-{seed}"
        if not (content / "practices").is_dir():
            from generate import generate  # bench/generate.py (wordfreq's Finnish word list)
            started = time.perf_counter()
            generate(content, practices, seed)
            print(f"generated {practices} practices in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        corpora[f"{practices} synthetic"] = (content, workdir / f"index-{practices}-{seed}")
    for name, (content, index) in corpora.items():
        started = time.perf_counter()
        result = build(content, index)
        if not result.ok:
            raise SystemExit(f"{name}: the build failed:\n" + "\n".join(map(str, result.problems[:20])))
        print(f"built {name}: {result.practices} practices in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return corpora


def bench_corpus(name: str, content: Path, index: Path, requests: int, seconds: float) -> list[dict]:
    rows = []
    with gunicorn("app:create_app()", env=app_env(index, content), workers=2) as server:
        slugs = [r["id"] for r in json.loads(get(server.port, "/api/search?per_page=100&sort=title")[1])["results"]]
        paths = mix(slugs)
        run(server.port, paths, 2, len(paths), 60)  # warm-up: both workers load the index and Voikko
        for clients in LEVELS:
            base = run(server.port, ["/healthz"], clients, requests, seconds)
            load = run(server.port, paths, clients, requests, seconds)
            rows.append({"corpus": name, "clients": clients, "load": load, "base": base})
            print(f"  {name}: {clients} clients done", file=sys.stderr)
        hostile = hostile_paths()
        rows.append({"corpus": name, "clients": 1, "hostile": run(server.port, hostile, 1, len(hostile), 120,
                                                                   ok=lambda s: 0 < s < 500)})
    return rows


def report(rows: list[dict], args: argparse.Namespace) -> str:
    load_rows, hostile_rows = [], []
    for r in rows:
        if "hostile" in r:
            h = r["hostile"]
            hostile_rows.append([r["corpus"], h["n"], f"{h['p50']:.1f}", f"{h['p99']:.1f}", f"{h['max']:.1f}",
                                 h["errors"], ", ".join(f"{k}: {v}" for k, v in sorted(h["statuses"].items()))])
            continue
        lo, ba = r["load"], r["base"]
        load_rows.append([r["corpus"], r["clients"], lo["n"], f"{lo['rps']:.0f}", f"{lo['p50']:.1f}", f"{lo['p95']:.1f}",
                          f"{lo['p99']:.1f}", lo["errors"], f"{ba['rps']:.0f}", f"{ba['p50']:.1f}",
                          ratio(lo["p50"], ba["p50"]), ratio(ba["rps"], lo["rps"])])
    m = machine()
    head = (f"# Load: gunicorn, 2 sync workers, 127.0.0.1; {args.requests} requests or {args.seconds:.0f} s per level\n"
            f"machine: {', '.join(f'{k} {v}' for k, v in m.items())}\n"
            "mix: API search (+ region filter), search page (+ theme), browse, title sort, practice pages and API\n"
            "baseline: /healthz at the same concurrency, same run (ratios: mix p50 / healthz p50, healthz rps / mix rps)\n")
    return head + "\n" + table(
        ["corpus", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "healthz req/s",
         "healthz p50 ms", "p50 ratio", "throughput ratio"], load_rows) + "\n\n" + \
        "## Hostile queries (every value of tests/web/test_hostile.py, page and API, 1 client)\n" + table(
        ["corpus", "requests", "p50 ms", "p99 ms", "max ms", "5xx/failed", "statuses"], hostile_rows) + "\n" + \
        "(414s are gunicorn refusing request lines over 4094 bytes: the values of 10,000 characters or 2,000 words)\n" + \
        "".join(f"slowest on {r['corpus']}: " + "; ".join(f"{t:.0f} ms {p!r}" for t, p in r["hostile"]["slowest"]) + "\n"
                for r in rows if "hostile" in r)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=1000, help="synthetic corpus size (0: bundled only)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300, help="requests per level and scenario (bound)")
    parser.add_argument("--seconds", type=float, default=4.0, help="time cap per level and scenario")
    parser.add_argument("--workdir", type=Path, help="keep generated content and indexes here (default: a tmp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        rows = []
        for name, (content, index) in prepare(workdir, args.practices, args.seed).items():
            rows += bench_corpus(name, content, index, args.requests, args.seconds)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report(rows, args))
    print(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
