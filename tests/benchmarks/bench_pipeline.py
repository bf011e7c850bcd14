"""Pipeline benchmarks: batch throughput, ES writer overhead, streaming latency (and alerts when wired).

Run from the repo root (services are started when needed)::

    python tests/benchmarks/bench_pipeline.py [--copies 10] [--stream-seconds 30] [--rate 10]

1. Batch: ``peacewatch run --input`` (Beam, FnApiRunner) over N articles vs bare
   ``nlp.pipe(n_process=2)`` on the same texts (``compose_text`` of the same articles, the same
   ``load_nlp()`` model and components): words/s of each and their ratio (goal >= 0.7), measured
   like with like both ways. *Including start-up*: each side runs in a fresh Python process and
   the wall time counts interpreter start, imports and model loading. *Excluding start-up*: bare
   is the ``nlp.pipe`` call alone (model loaded beforehand); the pipeline is its wall time minus
   that of the same command on an empty input file (interpreter, Beam, model loading in every NLP
   process, Elasticsearch checks and teardown).
2. Writer: :class:`pipelines.write_es.BulkWriter` vs bare ``helpers.streaming_bulk`` on the same
   enriched documents (goal >= 0.9).
3. Prism throughput: the same articles queued on the subscription, then ``peacewatch run
   --streaming`` (Beam on Prism) until idle: words/s from its first pull to the last article indexed,
   against bare ``nlp.pipe(n_process=2)`` excluding start-up (goal >= 0.8); Prism's start-up (job
   running) and the workers' (first pull) are printed.
4. Streaming latency: articles published at a steady rate while ``peacewatch run --streaming``
   runs; latency from publish to searchable, p50/p95 (goal p95 <= 2 s).

Texts come from ``/work/shared/eval/dev.jsonl`` when present (read here, never copied), else are
generated. Everything is written under a throw-away prefix that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.helpers import SHARED_EVAL, cli_command, delete_prefixed
from tests.pipelines.support import enriched

EVAL = SHARED_EVAL / "dev.jsonl"


def load_texts(copies: int, source: Path = EVAL) -> list[dict]:
    """Articles to process: the eval texts (``copies`` times, distinct URLs) or generated ones."""
    base = []
    if source.exists():
        for line in source.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            base.append({"title": row.get("title") or "", "text": row.get("text") or ""})
    else:
        countries = ["France", "Germany", "Kenya", "Brazil", "Japan", "Canada", "Ghana", "Chile"]
        for i in range(30):
            c = countries[i % len(countries)]
            body = " ".join(
                f"{c} said on day {j} that it {'supports' if i % 2 else 'opposes'} the deployment "
                f"of a United Nations peacekeeping force to the region."
                for j in range(25)
            )
            base.append({"title": f"{c} and the peacekeeping force", "text": body})
    articles = []
    for copy in range(copies):
        for i, row in enumerate(base):
            articles.append(
                {
                    "url": f"https://bench.example.org/{copy}/{i}",
                    "title": row["title"],
                    "text": row["text"],
                    "published": "2026-03-02T12:00:00Z",
                    "language": "en",
                }
            )
    return articles


def words(articles: list[dict]) -> int:
    return sum(len(a["title"].split()) + len(a["text"].split()) for a in articles)


def write_jsonl(articles: list[dict]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for article in articles:
            handle.write(json.dumps(article) + "\n")
    return handle.name


def bare_nlp_in_this_process(path: str) -> dict[str, float]:
    """``--bare-run``: loads the model, then ``nlp.pipe(n_process=2)`` over the file's texts; seconds of each."""
    started = time.perf_counter()
    from pipelines.nlp.analyze import compose_text
    from pipelines.nlp.model import load_nlp

    nlp = load_nlp()
    loaded = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        texts = [compose_text(json.loads(line))[0] for line in handle]
    piped = time.perf_counter()
    for _ in nlp.pipe(texts, n_process=2, batch_size=32):
        pass
    return {"load": loaded - started, "pipe": time.perf_counter() - piped}


def bench_bare_nlp(articles: list[dict]) -> tuple[float, float]:
    """Bare ``nlp.pipe(n_process=2)`` in a fresh process: ``(wall seconds, seconds of the pipe call)``."""
    path = write_jsonl(articles)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--bare-run", path],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - started
    os.unlink(path)
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])["pipe"]


def command_env(settings) -> dict[str, str]:
    """The environment of a ``peacewatch`` command this bench starts: its services and its prefix."""
    return {**os.environ, **settings.env_exports(), "PEACEWATCH_PREFIX": settings.prefix, "PYTHONPATH": str(ROOT)}


def start_streaming(settings, *args: str) -> subprocess.Popen:
    """Starts ``peacewatch run --streaming ARGS`` under the bench's prefix; its progress lines on ``stderr``."""
    return subprocess.Popen(
        cli_command("run", "--streaming", *args), env=command_env(settings), stderr=subprocess.PIPE, text=True
    )


def bench_batch(settings, articles: list[dict], extra: list[str]) -> tuple[float, str]:
    """``peacewatch run --input`` over ``articles`` in a fresh process: ``(wall seconds, summary line)``."""
    path = write_jsonl(articles)
    started = time.perf_counter()
    proc = subprocess.run(
        cli_command("run", "--input", path, "--no-alerts", *extra),
        env=command_env(settings),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    os.unlink(path)
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    summary = [line.split(": ", 1)[-1] for line in proc.stderr.splitlines() if "done in" in line or "NLP in" in line]
    return elapsed, "; ".join(summary)


def bench_writer(settings, es, docs: list[dict], rounds: int = 3) -> tuple[float, float]:
    """Best of ``rounds``: bare ``streaming_bulk`` vs :class:`BulkWriter`, each into a fresh index."""
    from elasticsearch import helpers

    from pipelines.write_es import BulkWriter

    docs = [dict(d, id=f"{d['id'][:24]}{copy:08x}") for copy in range(10) for d in docs]
    mappings = {
        "dynamic": False,
        "properties": {"id": {"type": "keyword"}, "title": {"type": "text"}, "text": {"type": "text"}},
    }
    bare_times, our_times = [], []
    for n in range(rounds):
        bare_index, our_index = f"{settings.prefix}-bare-{n}", f"{settings.prefix}-writer-{n}"
        for name in (bare_index, our_index):
            es.indices.create(index=name, mappings=mappings, settings={"number_of_shards": 1, "number_of_replicas": 0})
        started = time.perf_counter()
        for ok, item in helpers.streaming_bulk(
            es,
            ({"_index": bare_index, "_id": d["id"], "_source": d} for d in docs),
            chunk_size=500,
            max_chunk_bytes=10 * 1024 * 1024,
            raise_on_error=False,
        ):
            assert ok, item
        bare_times.append(time.perf_counter() - started)
        writer = BulkWriter(settings, index=our_index, chunk_size=500)
        writer.setup()
        started = time.perf_counter()
        result = writer.write(docs)
        our_times.append(time.perf_counter() - started)
        writer.close()
        assert len(result.indexed) == len(docs) and not result.dead
        es.indices.delete(index=f"{bare_index},{our_index}")
    return min(bare_times), min(our_times)


def writer_documents(settings, es, articles: list[dict]) -> list[dict]:
    """Enriched documents: from the batch run when it happened, else made up from the texts."""
    from schemas.validation import parse_article

    es.indices.refresh(index=settings.index("articles"))
    docs = [h["_source"] for h in es.search(index=settings.index("articles"), size=10000)["hits"]["hits"]]
    if docs:
        return docs
    return [enriched(parse_article(a)) for a in articles]


def bench_stream(
    settings, es, articles: list[dict], rate: float, seconds: float, extra: tuple[str, ...] = (), alerts: bool = False
) -> tuple[list[float], list[float]]:
    """Publishes at ``rate``/s; returns latencies (ms) publish -> searchable and publish -> alert indexed."""
    from peacewatch.clients import publisher_client
    from schemas.ids import article_id

    if alerts:
        from pipelines.alerts.rules import Rule, RuleStore, default_rules_path

        RuleStore(default_rules_path(settings)).add(Rule(name="bench", query="peacekeeping"), replace=True)
    proc = start_streaming(settings, "--alerts" if alerts else "--no-alerts", "--progress-seconds", "0", *extra)
    for line in proc.stderr:
        if "streaming from" in line:
            break
    if proc.poll() is not None:
        raise SystemExit(f"the streaming run ended early (exit {proc.returncode})")
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    publisher = publisher_client(settings)
    topic = settings.topic_path("articles")
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    alerted: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set() or len(seen) < len(sent):
            pending = [i for i in list(sent) if i not in seen]
            if pending:
                found = es.mget(index=settings.index("articles"), ids=pending[:500], source=False, realtime=False)
                now = time.time()
                for doc in found["docs"]:
                    if doc.get("found"):
                        seen[doc["_id"]] = now
            if alerts:
                waiting = [i for i in list(sent) if i not in alerted]
                if waiting:
                    es.indices.refresh(index=settings.index("alerts"))
                    hits = es.search(
                        index=settings.index("alerts"),
                        size=500,
                        source=["article_id"],
                        query={"terms": {"article_id": waiting[:500]}},
                    )["hits"]["hits"]
                    now = time.time()
                    for hit in hits:
                        alerted.setdefault(hit["_source"]["article_id"], now)
            if stop.is_set() and time.time() > deadline:
                break
            time.sleep(0.05)

    deadline = time.time() + seconds + 60
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.time()
    for n in range(total):
        article = dict(articles[n % len(articles)], url=f"https://bench.example.org/stream/{n}")
        article["id"] = article_id(article["url"])
        target = started + n / rate
        time.sleep(max(0.0, target - time.time()))
        sent[article["id"]] = time.time()
        publisher.publish(topic, json.dumps(article).encode(), article_id=article["id"])
    stop.set()
    watcher.join(timeout=90)
    proc.terminate()
    proc.wait(timeout=60)
    publisher.stop()
    searchable = sorted((seen[i] - sent[i]) * 1000 for i in sent if i in seen) + [float("inf")] * (
        len(sent) - len(seen)
    )
    return searchable, sorted((alerted[i] - sent[i]) * 1000 for i in alerted if i in sent)


def bench_prism_throughput(settings, es, articles: list[dict], extra: tuple[str, ...] = ()) -> dict[str, float]:
    """Queues ``articles``, then runs the streaming job on Prism until idle; returns its timings."""
    from datetime import datetime

    from peacewatch.clients import publisher_client
    from schemas.ids import article_id

    publisher = publisher_client(settings)
    topic = settings.topic_path("articles")
    ids = []
    futures = []
    for n, article in enumerate(articles):
        article = dict(article, url=f"https://bench.example.org/prism/{n}")
        article["id"] = article_id(article["url"])
        ids.append(article["id"])
        futures.append(publisher.publish(topic, json.dumps(article).encode(), article_id=article["id"]))
    for future in futures:
        future.result(timeout=60)
    publisher.stop()
    started = time.time()
    proc = start_streaming(settings, "--no-alerts", "--idle-exit-seconds", "5", "--progress-seconds", "0", *extra)
    marks: dict[str, float] = {}
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "job RUNNING after" in line:
            marks["running"] = time.time() - started
        if "first pull after" in line:
            marks["first_pull"] = time.time()
    if proc.wait() != 0:
        raise SystemExit("".join(lines)[-3000:])
    es.indices.refresh(index=settings.index("articles"))
    found = es.mget(index=settings.index("articles"), ids=ids, source=["indexed_at"])["docs"]
    stamps = [
        datetime.fromisoformat(d["_source"]["indexed_at"].replace("Z", "+00:00")).timestamp()
        for d in found
        if d.get("found")
    ]
    if len(stamps) != len(ids):
        raise SystemExit(f"only {len(stamps)} of {len(ids)} articles indexed:\n{''.join(lines)[-3000:]}")
    return {
        "running": marks["running"],
        "first_pull": marks["first_pull"] - started,
        "work": max(stamps) - marks["first_pull"],
        "wall": max(stamps) - started,
        "summary": [line.split(": ", 1)[-1].strip() for line in lines if "stopped after" in line][-1],
    }


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="times the eval texts are repeated (default 10)")
    parser.add_argument("--rate", type=float, default=10.0, help="streaming: articles per second (default 10)")
    parser.add_argument("--stream-seconds", type=float, default=30.0, help="streaming: how long to publish")
    parser.add_argument("--workers", type=int, default=2, help="batch: direct_num_workers (default 2)")
    parser.add_argument(
        "--only",
        choices=("batch", "writer", "prism", "stream"),
        action="append",
        help="run only these parts (repeatable; default all)",
    )
    parser.add_argument(
        "--stream-arg",
        action="append",
        default=[],
        help="extra option for the streaming run, e.g. --stream-arg=--batch-size=8",
    )
    parser.add_argument(
        "--eval",
        type=Path,
        default=EVAL,
        help=f"the annotated texts to read (default {EVAL}; generated texts when absent)",
    )
    parser.add_argument("--bare-run", metavar="FILE", help=argparse.SUPPRESS)  # the bare side, in its own process
    args = parser.parse_args()
    if args.bare_run:
        print(json.dumps(bare_nlp_in_this_process(args.bare_run)))
        return 0

    from deploy import services
    from deploy.provision import provision
    from peacewatch.clients import elasticsearch_client
    from peacewatch.settings import load_settings

    base = load_settings()
    for line in services.up(base):
        print(line, file=sys.stderr)
    data_dir = tempfile.mkdtemp(prefix="peacewatch-bench-")  # rules and alert state of this run only
    settings = load_settings(
        prefix=f"bench-{uuid.uuid4().hex[:8]}", data_dir=data_dir, pubsub_emulator_host=base.pubsub_emulator_host
    )
    os.environ["PEACEWATCH_DATA_DIR"] = data_dir
    os.environ.update(settings.env_exports())
    provision(settings)
    es = elasticsearch_client(settings)
    articles = load_texts(args.copies, args.eval)
    n_words = words(articles)
    print(f"texts: {len(articles)} articles, {n_words} words ({'eval dev set' if args.eval.exists() else 'generated'})")
    try:
        parts = set(args.only or ("batch", "writer", "prism", "stream"))
        if parts & {"batch", "prism"}:
            bare_wall, bare_pipe = bench_bare_nlp(articles)
            print(
                f"bare nlp.pipe(n_process=2): {bare_wall:5.1f}s wall, of which nlp.pipe {bare_pipe:5.1f}s: "
                f"{n_words / bare_pipe:6.0f} words/s excl. start-up, {n_words / bare_wall:6.0f} incl."
            )
        if "batch" in parts:
            configs = (
                ("in_memory, 1 worker, NLP processes: default", []),
                ("in_memory, 1 worker, --nlp-processes 1", ["--nlp-processes", "1"]),
                (
                    f"multi_processing, {args.workers} workers",
                    ["--direct_num_workers", str(args.workers), "--direct_running_mode", "multi_processing"],
                ),
            )
            for label, extra in configs:
                elapsed, summary = bench_batch(settings, articles, extra)
                fixed, _ = bench_batch(settings, [], extra)
                work = max(elapsed - fixed, 1e-9)
                print(
                    f"pipeline batch ({label}): {elapsed:5.1f}s wall, {fixed:4.1f}s on an empty file -> "
                    f"{n_words / work:6.0f} words/s excl. start-up (ratio {bare_pipe / work:.2f}), "
                    f"{n_words / elapsed:6.0f} incl. (ratio {bare_wall / elapsed:.2f})  [{summary}]"
                )
        if "writer" in parts:
            docs = writer_documents(settings, es, articles)
            bare_w, ours_w = bench_writer(settings, es, docs)
            print(
                f"ES writer: bare streaming_bulk {bare_w:.2f}s, BulkWriter {ours_w:.2f}s for {len(docs) * 10} docs: "
                f"ratio {bare_w / ours_w:.2f}"
            )
        if "prism" in parts:
            timing = bench_prism_throughput(settings, es, articles, tuple(args.stream_arg))
            print(
                f"prism streaming (backlog of {len(articles)}): job running after {timing['running']:.1f}s, first pull "
                f"after {timing['first_pull']:.1f}s; first pull -> last indexed {timing['work']:.1f}s -> "
                f"{n_words / timing['work']:6.0f} words/s excl. start-up (ratio {bare_pipe / timing['work']:.2f}), "
                f"{n_words / timing['wall']:6.0f} incl. (ratio {bare_wall / timing['wall']:.2f})  [{timing['summary']}]"
            )
        if "stream" not in parts:
            return 0
        latencies, alert_latencies = bench_stream(
            settings, es, articles, args.rate, args.stream_seconds, tuple(args.stream_arg), alerts=True
        )
        lost = sum(1 for v in latencies if v == float("inf"))
        print(
            f"streaming at {args.rate:g}/s for {args.stream_seconds:g}s: {len(latencies)} published, "
            f"publish->searchable p50 {pct(latencies, 0.5):.0f} ms, p95 {pct(latencies, 0.95):.0f} ms, "
            f"max {max(v for v in latencies if v != float('inf')):.0f} ms, not seen {lost}"
        )
        if alert_latencies:
            print(
                f"alerts (rule 'peacekeeping'): {len(alert_latencies)} alerts, publish->alert indexed "
                f"p50 {pct(alert_latencies, 0.5):.0f} ms, p95 {pct(alert_latencies, 0.95):.0f} ms"
            )
    finally:
        delete_prefixed(es, settings.prefix)
        es.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
