"""Benchmark of the NLP analysis against the bare spaCy pipeline, plus a memory check.

Run: ``python tests/benchmarks/bench_nlp.py [--rounds 3] [--articles 2000] [--batch-size 32]``

(a) times ``nlp.pipe`` alone (same components enabled) on the same texts the analyzer parses,
(b) times :func:`pipelines.nlp.analyze.analyze_articles` on those articles, and prints words/s of
each and the overhead of (b) over (a). Then it analyses ``--articles`` perturbed articles (new
names and numbers in each, so the vocabulary keeps growing without ``memory_zone``) and prints the
resident set size at intervals. Texts: /shared/eval/dev.jsonl when present, else generated ones.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
from tests.helpers import SHARED_EVAL

DEV = SHARED_EVAL / "dev.jsonl"

from pipelines.nlp.analyze import analyze_articles, complete_result, compose_text, new_result
from pipelines.nlp.model import COUNTRY_RULER_NAME, LINE_BREAKS_NAME, RULER_NAME, load_nlp

_GENERATED = [
    (
        "Peacekeeping force debated",
        "French President Emmanuel Macron said France is ready to send troops to a "
        "peacekeeping force in Ukraine. Polish Prime Minister Donald Tusk said Poland will not send soldiers. "
        "The Kremlin rejected any deployment of NATO troops, while London has not yet decided.",
    ),
    (
        "Gaza stabilisation force",
        "Indonesia and Azerbaijan pledged troops to the International Stabilization "
        "Force, the United States said. Saudi Arabia declined to join the mission, officials said.",
    ),
    ("Oil prices", "Brent crude rose after OPEC+ kept its output deal; Saudi Arabia and Russia led the group."),
]


def load_articles() -> list[dict]:
    """Dev articles when available, else a few generated ones."""
    if DEV.exists():
        return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": f"g{i}", "title": t, "text": x, "published": "2025-06-01"} for i, (t, x) in enumerate(_GENERATED)]


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), else the peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def perturb(article: dict, i: int, rng: random.Random) -> dict:
    """A copy with fresh strings (names, numbers) so every article adds new vocabulary."""
    name = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4)).title()
    extra = f" Analyst {name} Ref{i} said on {rng.randint(1, 28)} May that talks continue."
    return dict(article, id=f"{article['id']}-{i}", text=article["text"] + extra)


def time_speed(nlp, articles: list[dict], rounds: int, batch_size: int) -> None:
    """Print words/s of bare nlp.pipe and of the full analysis, and the overhead."""
    texts = [compose_text(a)[0] for a in articles]
    words = sum(len(t.split()) for t in texts)
    list(analyze_articles(nlp, articles[:4], batch_size=batch_size))  # warm up caches
    bare, full = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        with nlp.memory_zone():
            for _doc in nlp.pipe(texts, batch_size=batch_size):
                pass
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _result in analyze_articles(nlp, articles, batch_size=batch_size):
            pass
        full.append(time.perf_counter() - start)
    stock = []
    ours = [name for name in (RULER_NAME, COUNTRY_RULER_NAME, LINE_BREAKS_NAME) if name in nlp.pipe_names]
    for _ in range(rounds):
        with nlp.select_pipes(disable=ours):
            start = time.perf_counter()
            with nlp.memory_zone():
                for _doc in nlp.pipe(texts, batch_size=batch_size):
                    pass
            stock.append(time.perf_counter() - start)
    b, f, s0 = min(bare), min(full), min(stock)
    # the same post-parse work measured alone on already parsed docs: robust to CPU contention
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    post = []
    for _ in range(rounds):
        start = time.perf_counter()
        for article, doc in zip(articles, docs):
            complete_result(new_result(article, "en"), doc, article, compose_text(article)[1])
        post.append(time.perf_counter() - start)
    p = min(post)
    print(f"texts: {len(texts)} articles, {words} words, best of {rounds} rounds")
    print(f"(a0) stock model without our ruler/line-break components: {s0:.2f}s  {words / s0:,.0f} words/s")
    print(f"(a) bare nlp.pipe {nlp.pipe_names}: {b:.2f}s  {words / b:,.0f} words/s")
    print(f"(b) full analysis:                 {f:.2f}s  {words / f:,.0f} words/s")
    print(f"overhead of (b) over (a): {100 * (f - b) / b:+.1f}%")
    print(f"post-parse work alone (relevance, entities, stances, merge): {p:.3f}s = {100 * p / b:.1f}% of (a)")


def memory_check(nlp, articles: list[dict], total: int, batch_size: int) -> None:
    """Analyse ``total`` perturbed articles and print RSS at intervals."""
    rng = random.Random(7)
    step = max(total // 10, 1)
    stream = (perturb(articles[i % len(articles)], i, rng) for i in range(total))
    start = time.perf_counter()
    print(f"memory check over {total} articles (RSS in MB):")
    print(f"  {0:>7} articles  RSS {rss_mb():7.1f}")
    for n, _result in enumerate(analyze_articles(nlp, stream, batch_size=batch_size), 1):
        if n % step == 0:
            print(
                f"  {n:>7} articles  RSS {rss_mb():7.1f}  vocab strings {len(nlp.vocab.strings):,}"
                f"  {n / (time.perf_counter() - start):.0f} articles/s",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the texts per timing round")
    parser.add_argument("--articles", type=int, default=1500, help="articles in the memory check")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    nlp = load_nlp(args.model)
    articles = load_articles()
    time_speed(nlp, articles * args.repeat, args.rounds, args.batch_size)
    memory_check(nlp, articles, args.articles, args.batch_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
