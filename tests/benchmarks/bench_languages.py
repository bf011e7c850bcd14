"""Cost per word of the analysis in each language, against English's (issue 11's speed goal).

Run: ``python tests/benchmarks/bench_languages.py [--rounds 3] [--repeat 4]``

For English (the parsed route) and every language with a pack (the clause route) it times
:func:`pipelines.nlp.analyze.analyze_articles` on that language's articles and prints microseconds
per word and the ratio to English. Texts: ``../shared/eval/dev.jsonl`` and
``dev_multilingual.jsonl`` plus ``tests/corpus/multilingual/dev.jsonl`` when present, else a few
generated sentences per language. The clause route's own part (relevance, entities, stances on
already tokenised docs) is printed too, as on the English bench.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
from tests.helpers import SHARED_EVAL as EVAL

SOURCES = (EVAL / "dev.jsonl", EVAL / "dev_multilingual.jsonl", REPO_ROOT / "tests/corpus/multilingual/dev.jsonl")

from pipelines.nlp.analyze import analyze_articles, article_date, compose_text, new_result
from pipelines.nlp.lang_model import load_lang_nlp
from pipelines.nlp.lang_pack import available_languages
from pipelines.nlp.lang_route import complete_clause_result
from pipelines.nlp.model import load_nlp

_GENERATED = {
    "en": "France is ready to send troops to a peacekeeping force in Ukraine, President Emmanuel Macron said.",
    "fr": "La France est prête à envoyer des troupes dans une force de réassurance en Ukraine, "
    "a déclaré Emmanuel Macron.",
    "de": "Polen wird keine Soldaten für eine Friedenstruppe in die Ukraine schicken, erklärte Donald Tusk.",
    "es": "España está dispuesta a enviar tropas a una misión de paz en Ucrania, afirmó Pedro Sánchez.",
    "it": "L'Italia è pronta a inviare soldati in una missione di pace in Ucraina, ha detto Giorgia Meloni.",
    "pl": "Polska nie wyśle żołnierzy do misji pokojowej na Ukrainie, powiedział premier Donald Tusk.",
}


def load_by_language() -> dict[str, list[dict]]:
    """Articles per declared language from the evaluation files, else generated ones."""
    out: dict[str, list[dict]] = defaultdict(list)
    for path in SOURCES:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    article = json.loads(line)
                    out[article.get("language") or "en"].append(article)
    for code, text in _GENERATED.items():
        if not out.get(code):
            out[code] = [
                {"id": f"g-{code}-{i}", "title": "", "text": text, "language": code, "published": "2025-06-01"}
                for i in range(10)
            ]
    return out


def words_of(articles: list[dict]) -> int:
    return sum(len(compose_text(a)[0].split()) for a in articles)


def time_analysis(nlp, articles: list[dict], rounds: int, batch_size: int) -> float:
    """Best time of ``analyze_articles`` over the articles."""
    list(analyze_articles(nlp, articles[:2], batch_size=batch_size))  # warm up caches and pipelines
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _result in analyze_articles(nlp, articles, batch_size=batch_size):
            pass
        best = min(best, time.perf_counter() - start)
    return best


def time_post_tokenise(code: str, articles: list[dict], rounds: int) -> float:
    """Best time of the clause route's own work on already tokenised docs."""
    nlp = load_lang_nlp(code)
    docs = [nlp(compose_text(a)[0]) for a in articles]
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for article, doc in zip(articles, docs):
            result = new_result(article, code)
            complete_clause_result(result, doc, article, compose_text(article)[1], article_date(article))
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the texts per timing round")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    nlp = load_nlp()
    by_language = load_by_language()
    english = [dict(a, language="en") for a in by_language["en"]] * args.repeat
    en_words = words_of(english)
    en_time = time_analysis(nlp, english, args.rounds, args.batch_size)
    en_cost = 1e6 * en_time / en_words
    print(f"cost per word, best of {args.rounds} rounds (analysis, all steps; lower is better)")
    print(f"  en  parse route   {en_words:7,} words  {en_cost:6.1f} us/word  (reference)")
    for code in sorted(available_languages()):
        articles = by_language.get(code) or []
        if not articles:
            continue
        articles = [dict(a, language=code) for a in articles] * args.repeat
        words = words_of(articles)
        cost = 1e6 * time_analysis(nlp, articles, args.rounds, args.batch_size) / words
        own = 1e6 * time_post_tokenise(code, articles, args.rounds) / words
        print(
            f"  {code}  clause route  {words:7,} words  {cost:6.1f} us/word  = {cost / en_cost:.2f}x English"
            f"  (after tokenising: {own:.1f} us/word)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
