"""Benchmark the Finnish analyser against Whoosh's plain Snowball StemmingAnalyzer.

Usage: python bench/bench_analysis.py [--words N] [--runs R]

Prints the Voikko dictionary load time, tokens/s with a cold and a warm word
cache, the cache hit rate of a cold pass, and the baseline's tokens/s, each
the median of R runs.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh.analysis import Analyzer, StemmingAnalyzer  # noqa: E402
from whoosh.lang import stemmer_for_language  # noqa: E402

from app import text as analysis  # noqa: E402

PRACTICES = ROOT / "content" / "practices"
DOC_WORDS = 200  # words per analysed "document", roughly a practice's paragraph

# Used when content/practices has no Markdown: typical ESR good-practice prose.
BUILTIN_TEXT = """
Hankkeessa kehitettiin uusia toimintamalleja nuorten ja maahanmuuttajien
työllistymisen tukemiseksi. Ohjaamossa nuorille tarjotaan matalan kynnyksen
ohjausta, uravalmennusta ja henkilökohtaista neuvontaa. Työllisyyshankkeiden
kokemusten perusteella asiakasohjaus toimii parhaiten, kun TE-palvelut,
kunnan sosiaalipalvelut ja oppilaitokset tekevät tiivistä yhteistyötä.
Maahanmuuttajataustaisille naisille järjestettiin suomen kielen koulutusta
työpaikoilla sekä kotiäideille suunnattuja ryhmiä asukastuvassa. Palkkatuella
työllistettiin pitkäaikaistyöttömiä yhdistyksiin ja yrityksiin. Vertaistuki ja
vertaismentorointi vahvistivat osallistujien itsetuntoa ja arjenhallintaa.
Kainuun, Pohjois-Karjalan ja Etelä-Savon alueilla kokeiltiin LEAN-menetelmällä
prosessien kehittämistä pienyrityksissä. Nuorisotakuun toteutumista seurattiin
säännöllisesti, ja tuloksista raportoitiin ohjausryhmälle. Työpajatoiminnassa
korostui käytännönläheinen oppiminen, ja osallistujat saivat todistuksen
suoritetuista osaamiskokonaisuuksista. Hankkeen aikana koulutettiin
yhteensä 240 henkilöä, joista 63 työllistyi avoimille työmarkkinoille ja 41
aloitti ammatillisen koulutuksen. Toimintalinjan 3 erityistavoitteen 6.1
mukaisesti hanke edisti syrjäytymisvaarassa olevien nuorten osallisuutta.
Ohjaamo 2.0 -mallissa digitaalisia palveluja kehitettiin yhdessä nuorten
kanssa, ja chat-palvelu laajeni koko maakuntaan. Koulutuksissa hyödynnettiin
etäyhteyksiä, verkkokursseja ja työelämälähtöisiä tehtäviä. Kuntouttavan
työtoiminnan asiakkaat osallistuivat ryhmätoimintoihin ja yksilövalmennukseen.
Yritysyhteistyön avulla löydettiin harjoittelupaikkoja ja oppisopimuksia.
Monikulttuurisessa työyhteisössä perehdytys ja selkokielinen viestintä olivat
keskeisiä. Hyviä käytäntöjä levitettiin seminaareissa, verkkosivuilla ja
sosiaalisessa mediassa. Arvioinnin mukaan asiakkaiden palvelupolut
lyhenivät ja yhteistyökumppaneiden välinen tiedonkulku parani selvästi.
Lähisuhdeväkivaltaa kokeneille tarjottiin keskusteluapua ja ohjausta
järjestöjen palveluihin. Ikääntyneiden työnhakijoiden osaamista kartoitettiin
ja heille laadittiin henkilökohtaiset kehittämissuunnitelmat. Sosiaali- ja
terveyspalvelujen uudistuksen valmistelussa hyödynnettiin hankkeen tuloksia.
KoordiPok-verkosto kokosi alueen toimijat yhteen, ja Väljvouhkan kylätalolla
järjestettiin avoimia työnhakuiltoja. Osallistujapalautteen perusteella
valmentajien tuki, joustavuus ja luottamus olivat tärkeimpiä onnistumisen
tekijöitä. Toiminta jatkuu hankkeen päätyttyä osana kaupungin
työllisyyspalveluja ja kolmannen sektorin vakiintunutta toimintaa.
"""


def _body(path: Path) -> str:
    """A practice's Markdown without its YAML front matter."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 1)[-1]
    return text


def corpus_words(practices: Path) -> tuple[list[str], str]:
    """Surface words of the Finnish practices (*.fi.md, else *.md), else of the built-in text."""
    files: list[Path] = []
    if practices.is_dir():
        files = sorted(practices.glob("*.fi.md")) or sorted(practices.glob("*.md"))
    text = "\n".join(map(_body, files)) if files else BUILTIN_TEXT
    source = f"{len(files)} practice files" if files else "built-in text"
    tokens = analysis.WordTokenizer()(text, keeporiginal=True)
    return [t.original for t in tokens], source


def make_documents(words: list[str], total: int, seed: int = 2024) -> list[str]:
    """``total`` words drawn in a deterministic random order, cut into documents."""
    rng = random.Random(seed)
    stream = [rng.choice(words) for _ in range(total)]
    return [" ".join(stream[i : i + DOC_WORDS]) for i in range(0, total, DOC_WORDS)]


def analyse_all(analyzer: Analyzer, documents: list[str]) -> int:
    """Run the analyser over every document as the indexer would; return tokens emitted."""
    emitted = 0
    for doc in documents:
        for _token in analyzer(doc, positions=True, chars=True, mode="index"):
            emitted += 1
    return emitted


def median_rates(cases: dict[str, Callable[[], None]], words: int, runs: int) -> dict[str, float]:
    """Median words per second of each case; cases are interleaved so load drifts hit all alike."""
    rates: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            rates[name].append(words / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000, help="words in the analysed stream")
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement")
    parser.add_argument("--practices", type=Path, default=PRACTICES, help="folder of practice Markdown")
    args = parser.parse_args()

    load_seconds = analysis.load_dictionary()
    from app.text.finnish import dictionary_version

    words, source = corpus_words(args.practices)
    documents = make_documents(words, args.words)
    ours = analysis.analyzer_for("fi")
    baseline = StemmingAnalyzer(stemfn=stemmer_for_language("finnish"), stoplist=None, minsize=1)

    analysis.cache_clear()
    analyse_all(ours, documents)
    info = analysis.cache_info()  # one cold pass: how often a word form repeats
    hit_rate = info["hits"] / max(1, info["hits"] + info["misses"])

    def cold() -> None:
        analysis.cache_clear()
        analyse_all(ours, documents)

    rates = median_rates(
        {
            "cold": cold,
            "warm": lambda: analyse_all(ours, documents),  # cache filled by cold()
            "base": lambda: analyse_all(baseline, documents),
        },
        args.words,
        args.runs,
    )
    cold_rate, warm_rate, base_rate = rates["cold"], rates["warm"], rates["base"]
    ours_terms = analyse_all(ours, documents)
    base_terms = analyse_all(baseline, documents)

    print(f"corpus:              {source}, {len(set(w.lower() for w in words))} distinct forms")
    print(f"stream:              {args.words} words in {len(documents)} documents, median of {args.runs} runs")
    print(f"analyser:            {dictionary_version().splitlines()[0]}")
    print(f"dictionary load:     {load_seconds:.2f} s")
    print(f"voikko, cold cache:  {cold_rate:>10,.0f} words/s")
    print(f"voikko, warm cache:  {warm_rate:>10,.0f} words/s")
    print(f"cache (cold pass):   {hit_rate:.1%} hits, {info['misses']} misses, {info['size']} entries")
    print(f"baseline snowball:   {base_rate:>10,.0f} words/s")
    print(f"ratio ours/baseline: cold {cold_rate / base_rate:.2f}, warm {warm_rate / base_rate:.2f}")
    print(f"terms per word:      ours {ours_terms / args.words:.2f}, baseline {base_terms / args.words:.2f}")


if __name__ == "__main__":
    main()
