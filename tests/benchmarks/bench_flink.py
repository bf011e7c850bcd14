"""Flink benchmarks: parallelism 2 vs 1 on the same articles, cluster and job start-up (printed only).

Run from the repo root (Elasticsearch and the emulator are started when needed)::

    python tests/benchmarks/bench_flink.py [--copies 10] [--keep-cluster]

1. Cluster start-up: ``peacewatch services up flink`` from nothing (the Maven artifacts already
   cached), in a throw-away data folder; when a Flink cluster already answers on the REST port it
   is used as it is and this line says so.
2. For parallelism 1 and 2: the same articles (the eval dev texts ``--copies`` times, read at run
   time, never copied; generated ones when absent) are published, then ``peacewatch run
   --streaming --runner FlinkRunner --parallelism P --idle-exit-seconds 10`` drains them. Printed:
   submission time (command start -> Flink job running), worker set-up (-> first pull reported),
   and throughput while the backlog drains: the index is counted every 0.2 s and the rate is
   taken between 10 % and 90 % of the articles indexed (the backlog is there before the job
   starts: the pipeline's sustained rate, start-up and the last bundle left out). Then the
   ratio of the two (goal >= 1.5).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_pipeline import EVAL, load_texts, words, write_jsonl

from tests.flink.support import start_flink_run
from tests.helpers import delete_prefixed, run_cli

COMMAND_SECONDS = 1800  # replay and services up/down flink, on a loaded machine


def run_once(base_env: dict, articles: list[dict], parallelism: int) -> dict:
    from deploy.provision import provision
    from peacewatch.clients import elasticsearch_client
    from peacewatch.settings import load_settings

    prefix = f"benchflink-{uuid.uuid4().hex[:8]}"
    env = {**base_env, "PEACEWATCH_PREFIX": prefix}
    settings = load_settings(environ=env)
    provision(settings)
    es = elasticsearch_client(settings)
    try:
        path = write_jsonl(articles)
        replay = run_cli("replay", path, "--force", env=env, timeout=COMMAND_SECONDS)
        os.unlink(path)
        if replay.returncode != 0:
            raise SystemExit(f"replay failed: {replay.stderr[-500:]}")
        alias = settings.index("articles")
        total = len(articles)
        crossed: dict[float, float] = {}
        done = threading.Event()

        def count_index() -> None:
            while not done.is_set():
                try:
                    count = es.count(index=alias)["count"]
                except Exception:
                    count = 0
                for mark in (0.1, 0.9):
                    if count >= mark * total and mark not in crossed:
                        crossed[mark] = time.monotonic()
                done.wait(0.2)

        watcher = threading.Thread(target=count_index, daemon=True)
        watcher.start()
        started = time.monotonic()
        proc = start_flink_run(env, parallelism, 10)
        submitted = first_pull = None
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip())
            if submitted is None and "peacewatch run: Flink job " in line:
                submitted = time.monotonic() - started
            match = re.search(r"first pull after ([\d.]+)s", line)
            if match:
                first_pull = float(match.group(1))
        proc.wait(timeout=60)
        done.set()
        watcher.join()
        if proc.returncode != 0 or len(crossed) < 2:
            raise SystemExit("run failed:\n" + "\n".join(lines[-20:]))
        es.indices.refresh(index=alias)
        count = es.count(index=alias)["count"]
        summary = next((line for line in reversed(lines) if "stopped after" in line), "")
        return {
            "parallelism": parallelism,
            "submitted": submitted,
            "first_pull": first_pull,
            "seconds": crossed[0.9] - crossed[0.1],
            "first_tenth": crossed[0.1] - started,
            "count": count,
            "summary": summary.split("peacewatch run: ", 1)[-1],
        }
    finally:
        delete_prefixed(es, prefix)
        es.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="times the eval texts are repeated (default 10)")
    parser.add_argument("--keep-cluster", action="store_true", help="leave the cluster this bench started running")
    args = parser.parse_args()

    from deploy import services
    from deploy.flink import rest
    from peacewatch.settings import FlinkSettings, load_settings

    base = load_settings()
    for line in services.up(base):
        print(line, file=sys.stderr)
    env = {**os.environ, **base.env_exports(), "PUBSUB_EMULATOR_HOST": base.pubsub_emulator_host}
    env.pop("PEACEWATCH_PREFIX", None)
    flink = FlinkSettings.load()
    started_here = False
    if rest.overview(flink.rest_url) is None:
        env["PEACEWATCH_DATA_DIR"] = tempfile.mkdtemp(prefix="peacewatch-bench-flink-")
        t0 = time.monotonic()
        up = run_cli("services", "up", "flink", env=env, timeout=COMMAND_SECONDS)
        if up.returncode != 0:
            raise SystemExit(up.stdout + up.stderr)
        started_here = True
        print(
            f"cluster start-up (services up flink, artifacts cached): {time.monotonic() - t0:.1f}s "
            f"[{up.stdout.strip().splitlines()[-1]}]"
        )
    else:
        print(f"cluster start-up: not measured, a Flink cluster already answers at {flink.rest_url}")
    try:
        articles = load_texts(args.copies)
        n_words = words(articles)
        print(f"texts: {len(articles)} articles, {n_words} words ({'eval dev set' if EVAL.exists() else 'generated'})")
        results = {}
        for parallelism in (1, 2):
            r = run_once(env, articles, parallelism)
            results[parallelism] = r
            rate = 0.8 * len(articles) / r["seconds"]
            print(
                f"parallelism {parallelism}: submitted in {r['submitted']:.1f}s, first pull reported after "
                f"{r['first_pull']:.1f}s, 10 % indexed after {r['first_tenth']:.1f}s; 10->90 % in {r['seconds']:.1f}s: "
                f"{rate:.1f} articles/s, {0.8 * n_words / r['seconds']:.0f} words/s; {r['count']} indexed  "
                f"[{r['summary']}]"
            )
        ratio = results[1]["seconds"] / results[2]["seconds"]
        print(f"parallelism 2 vs 1 throughput: {ratio:.2f}x (goal >= 1.5)")
    finally:
        if started_here and not args.keep_cluster:
            t0 = time.monotonic()
            down = run_cli("services", "down", "flink", env=env, timeout=COMMAND_SECONDS)
            print(f"services down flink: {time.monotonic() - t0:.1f}s", file=sys.stderr)
            if down.returncode != 0:
                print(down.stdout + down.stderr, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
