"""Nothing lost, nothing doubled, across the whole chain: connector and pipeline each killed -9
mid-stream and restarted; every article ends up indexed exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess

from tests.helpers import ROOT, cli_command, run_cli, wait_until
from tests.pipelines.support import make_articles

N = 40


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command(*args),
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def _indexed_ids(es, settings) -> list[str]:
    alias = settings.index("articles")
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=1000, source=False, query={"match_all": {}})["hits"]["hits"]
    return [hit["_id"] for hit in hits]


def test_kill_connector_and_pipeline_mid_stream_then_everything_indexed_once(provisioned, es, tmp_path):
    from connectors.state import PublishedLog

    articles = make_articles(N, "e2e")
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(a) + "\n" for a in articles))
    state = tmp_path / "published.sqlite3"

    # 1. The connector is killed -9 part-way through publishing, then run again to the end.
    replay = _start("replay", str(archive), "--rate", "5", "--state-db", str(state))
    wait_until(lambda: state.exists() and PublishedLog(state).count() >= 5, timeout=120, what="some articles published")
    replay.send_signal(signal.SIGKILL)
    replay.wait(timeout=30)
    recorded = PublishedLog(state).count()
    assert 5 <= recorded < N
    again = run_cli("replay", str(archive), "--state-db", str(state), timeout=300)
    assert again.returncode == 0, again.stderr
    assert PublishedLog(state).count() == N

    # 2. The pipeline is killed -9 once part of the stream is indexed, then restarted until idle.
    run = _start("run", "--streaming", "--batch_size", "4", "--progress_seconds", "0", "--ack_lease_seconds", "10")
    wait_until(lambda: len(_indexed_ids(es, provisioned)) >= 4, timeout=180, what="part of the stream indexed")
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    # Un-acknowledged messages come back once their lease (10 s here) runs out.
    rerun = run_cli("run", "--streaming", "--idle_exit_seconds", "30", "--progress_seconds", "0", timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    ids = _indexed_ids(es, provisioned)
    assert len(ids) == N and sorted(ids) == sorted(a["id"] for a in articles)
    dead = es.count(index=provisioned.index("deadletter"))["count"]
    assert dead == 0
