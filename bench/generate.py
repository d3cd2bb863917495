#!/usr/bin/env python3
"""Synthetic corpora in the content format: ``python bench/generate.py OUT --practices 10000 --seed 1``.

Bodies are Finnish words drawn with their real frequencies (wordfreq's Finnish list, Zipf-shaped),
mixed with a few percent of ESR domain words so that benchmark queries find something. The whole
list (about 730 000 forms) is sampled by default, because the top 50 000 alone saturate: at 10k
practices almost all 50 000 already occur, while in real text new forms keep appearing (Heaps' law).
Front matter is drawn from the real vocabularies; about 10 % of practices get sv/en translations.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.content.vocabularies import Vocabularies, load_vocabularies  # noqa: E402

VOCABULARIES = ROOT / "content" / "vocabularies"
FULL_LIST = 10**7  # more than the list has: every form wordfreq knows for the language
TRANSLATED_SHARE = 0.10
DOMAIN_SHARE = 0.06

# ESR vocabulary in the inflected forms practices use; a small share of every body.
DOMAIN_FI = """
hanke hankkeen hankkeessa hankkeet hankkeiden hankkeissa työllisyys työllisyyden työllistyminen
työllistymisen työllistymistä nuoret nuorten nuorille nuoria ohjaus ohjauksen ohjausta ohjaukseen
koulutus koulutuksen koulutusta koulutukseen valmennus valmennuksen valmennusta uravalmennus
maahanmuuttajat maahanmuuttajien maahanmuuttajille kotoutuminen kotoutumisen kotoutumista
yritys yritykset yritysten yrityksille yhteistyö yhteistyön yhteistyössä yhteistyötä verkosto
verkoston verkostojen palvelu palvelut palvelujen palveluihin palveluja asiakas asiakkaat
asiakkaiden asiakasohjaus osallisuus osallisuuden osallisuutta työnhakijat työnhakijoiden
pitkäaikaistyöttömät pitkäaikaistyöttömien osaaminen osaamisen osaamista kehittäminen
kehittämisen kehitettiin toteutettiin kokeiltiin malli mallin mallia menetelmä menetelmän
menetelmiä työpaikka työpaikoilla työelämä työelämän työelämään ohjaamo ohjaamon ohjaamossa
te-toimisto te-palvelut te-palvelujen ely-keskus ely-keskuksen kunta kunnan kuntien oppilaitos
oppilaitoksen oppilaitosten mentorointi mentoroinnin vertaistuki vertaistuen digitaidot
työkyky työkyvyn osatyökykyiset osatyökykyisten ikääntyneet ikääntyneiden romanit romanien
kielikoulutus suomen kielen esr esr-hanke rahoitus rahoituksen tulokset tuloksia vaikuttavuus
""".split()
DOMAIN_SV = "projekt projektet unga sysselsättning vägledning utbildning företag samarbete tjänster".split()
DOMAIN_EN = "project young people employment guidance training companies cooperation services".split()
ORG_KINDS = ("ELY-keskus", "kaupunki", "kuntayhtymä", "ry", "ammattiopisto", "ammattikorkeakoulu", "säätiö")
_SLUG_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})


@dataclass
class Words:
    """Words of one language with cumulative weights, for fast Zipf-shaped sampling."""

    words: list[str]
    cum: list[float]
    domain: list[str]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        total = self.cum[-1]
        out = [self.words[bisect.bisect(self.cum, rng.random() * total)] for _ in range(k)]
        for i in range(k):
            if rng.random() < DOMAIN_SHARE:
                out[i] = rng.choice(self.domain)
        return out


@lru_cache(maxsize=None)
def word_list(lang: str, size: int = FULL_LIST) -> Words:
    """The ``size`` most frequent alphabetic words of ``lang`` with their wordfreq frequencies."""
    import wordfreq  # imported here: only the generator needs it

    # Buckets of words by frequency in centibels, most frequent first: the data word_frequency() reads.
    words: list[str] = []
    weights: list[float] = []
    for centibels, bucket in enumerate(wordfreq.get_frequency_list(lang)):
        for w in bucket:
            if w.isalpha():
                words.append(w)
                weights.append(10 ** (-centibels / 100))
        if len(words) >= size:
            break
    words, cum = words[:size], list(itertools.accumulate(weights[:size]))
    domain = {"fi": DOMAIN_FI, "sv": DOMAIN_SV, "en": DOMAIN_EN}[lang]
    return Words(words, cum, domain)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_SLUG_FOLD)).strip("-")


def _sentence(rng: random.Random, words: Words, n: int) -> str:
    picked = words.sample(rng, n)
    if n > 8 and rng.random() < 0.4:
        picked[rng.randrange(2, n - 2)] += ","
    text = " ".join(picked)
    return text[:1].upper() + text[1:] + "."


def body_text(rng: random.Random, words: Words) -> str:
    """2–4 paragraphs of 150–400 words in all, sentences of 4–16 words; sometimes a list."""
    total = rng.randint(150, 400)
    paragraphs = rng.randint(2, 4)
    sizes = [total // paragraphs] * paragraphs
    sizes[-1] += total - sum(sizes)
    out = []
    for size in sizes:
        sentences = []
        while size > 0:
            n = min(size, rng.randint(4, 16))
            sentences.append(_sentence(rng, words, n))
            size -= n
        out.append(" ".join(sentences))
    if rng.random() < 0.2:
        out.insert(rng.randrange(1, len(out) + 1),
                   "\n".join(f"- {_sentence(rng, words, rng.randint(2, 6))}" for _ in range(rng.randint(2, 4))))
    return "\n\n".join(out)


def _title(rng: random.Random, words: Words) -> str:
    picked = [rng.choice(words.domain)] + words.sample(rng, rng.randint(2, 5))
    rng.shuffle(picked)
    text = " ".join(picked)
    return text[:1].upper() + text[1:]


def _weighted(rng: random.Random, values: list[str], k: int) -> list[str]:
    """``k`` distinct values, earlier ones more likely (facet values are not uniform in reality)."""
    weights = [1 / (i + 1) ** 0.8 for i in range(len(values))]
    chosen: list[str] = []
    while len(chosen) < min(k, len(values)):
        v = rng.choices(values, weights)[0]
        if v not in chosen:
            chosen.append(v)
    return chosen


def _yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(rng: random.Random, vocab: Vocabularies, words: Words) -> tuple[dict[str, str], dict[str, str]]:
    """(text fields, facet fields) of a Finnish original, as YAML source snippets."""
    regions = [r for r in vocab.regions if r != "koko maa"] + ["koko maa"]
    period = "2014–2020" if rng.random() < 0.8 else "2021–2027"
    axes = vocab.periods[period].axes
    axis = rng.choice(sorted(axes))
    objective = rng.choice(sorted(axes[axis].objectives))
    facets = {
        "regions": _yaml_list(_weighted(rng, regions, rng.choice((1, 1, 1, 2, 3)))),
        "themes": _yaml_list(_weighted(rng, list(vocab.themes), rng.choice((1, 1, 2, 2, 3)))),
        "priority": f"{axis} et {objective}",
        "period": period,
    }
    groups = _weighted(rng, list(vocab.target_groups), rng.choice((0, 1, 1, 2)))
    if groups:
        facets["target_groups"] = _yaml_list(groups)
    project = words.sample(rng, 1)[0].capitalize() + (f" {rng.randint(2, 5)}.0" if rng.random() < 0.2 else "")
    text = {"title": _quoted(_title(rng, words)), "project": _quoted(project)}
    if rng.random() < 0.5:
        text["summary"] = _quoted(_sentence(rng, words, rng.randint(8, 20)))
    orgs = [f"{words.sample(rng, 1)[0].capitalize()} {rng.choice(ORG_KINDS)}" for _ in range(rng.randint(0, 2))]
    if orgs:
        text["organisations"] = _yaml_list([_quoted(o) for o in orgs])
    return text, facets


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def _file(fields: dict[str, str], body: str) -> str:
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n" + body + "\n"


def generate(out_dir: Path, n: int, seed: int = 1, vocabulary_size: int = FULL_LIST) -> Path:
    """Write a complete content directory with ``n`` practices to ``out_dir``; return it."""
    out_dir = Path(out_dir)
    practices = out_dir / "practices"
    if practices.exists():
        shutil.rmtree(practices)
    practices.mkdir(parents=True)
    shutil.rmtree(out_dir / "vocabularies", ignore_errors=True)
    shutil.copytree(VOCABULARIES, out_dir / "vocabularies")
    vocab = load_vocabularies(out_dir / "vocabularies")
    fi = word_list("fi", vocabulary_size)
    rng = random.Random(seed)
    for i in range(n):
        text, facets = front_matter(rng, vocab, fi)
        slug = f"{slugify(' '.join(_unquote(text['title']).split()[:4])) or 'kaytanto'}-{i:x}"
        (practices / f"{slug}.fi.md").write_text(_file({**text, **facets}, body_text(rng, fi)), encoding="utf-8")
        if rng.random() < TRANSLATED_SHARE:
            for lang in ("sv", "en"):
                words = word_list(lang, min(vocabulary_size, 200_000))
                fields = {"title": _quoted(_title(rng, words)), "project": text["project"]}
                if rng.random() < 0.3:  # some translations repeat the facets; they must agree
                    fields.update(facets)
                (practices / f"{slug}.{lang}.md").write_text(_file(fields, body_text(rng, words)),
                                                             encoding="utf-8")
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="content directory to write (practices/ and vocabularies/)")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocabulary", type=int, default=FULL_LIST,
                        help="sample from the N most frequent Finnish words (default: all of them)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.practices, args.seed, args.vocabulary)
    files = sum(1 for _ in (args.out / "practices").iterdir())
    print(f"wrote {args.practices} practices ({files} files) to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
