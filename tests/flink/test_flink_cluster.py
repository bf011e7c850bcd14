"""The local Flink cluster end to end: two TaskManagers, parallelism 2, kill -9, services down.

Real processes only: ``peacewatch services up flink`` (JobManager, two TaskManagers, the Beam
job server, the Python worker pool, the supervisor), the shared Elasticsearch and Pub/Sub
emulator, ``peacewatch replay`` publishing a few hundred articles and ``peacewatch run
--streaming --runner FlinkRunner --parallelism 2`` running the one streaming pipeline on the
cluster. The tests run in file order; the last one stops the cluster and checks that no process
is left.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from deploy.flink import rest
from schemas.ids import article_id
from tests.flink import support
from tests.helpers import ROOT, run_cli, wait_until

SAMPLE = ROOT / "deploy" / "sample" / "articles.jsonl"
REST_URL = f"http://127.0.0.1:{os.environ.get('PEACEWATCH_FLINK_REST_PORT', '8081')}"


def replay_sample(env: dict, tmp_path: Path, copies: int, tag: str) -> set[str]:
    """Publishes ``copies`` articles (the bundled sample under distinct URLs); returns their ids."""
    base = [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]
    path = tmp_path / f"replay-{tag}.jsonl"
    ids = set()
    with open(path, "w") as out:
        for i in range(copies):
            article = dict(base[i % len(base)])
            article["url"] = f"{article['url']}?flinktest={tag}-{i}"
            ids.add(article_id(article["url"]))
            out.write(json.dumps(article) + "\n")
    result = run_cli("replay", str(path), "--force", env=env)
    assert result.returncode == 0, result.stderr
    assert f"{copies} published" in result.stdout + result.stderr
    return ids


def indexed_ids(es, index: str) -> list[str]:
    es.indices.refresh(index=index, ignore_unavailable=True)
    if not es.indices.exists(index=index):
        return []
    hits = es.search(index=index, size=10000, source=False, query={"match_all": {}})["hits"]["hits"]
    return [hit["_id"] for hit in hits]


def flink_job_id(output: str) -> str:
    for line in output.splitlines():
        if "peacewatch run: Flink job " in line and "web UI" in line:
            return line.split("peacewatch run: Flink job ", 1)[1].split()[0]
    raise AssertionError(f"no Flink job id in the output:\n{output}")


@pytest.fixture
def job_env(flink_cluster, provisioned) -> dict:
    """The cluster's environment plus this test's prefix (topics, subscription, indices)."""
    return {**flink_cluster, "PEACEWATCH_PREFIX": provisioned.prefix}


def test_cluster_runs_on_loopback_with_two_taskmanagers(flink_cluster):
    status = run_cli("services", "status", "flink", env=flink_cluster)
    assert status.returncode == 0, status.stdout
    for name in (
        "flink-jobmanager",
        "flink-taskmanager-1",
        "flink-taskmanager-2",
        "flink-jobserver",
        "flink-workerpool",
        "flink-supervisor",
    ):
        assert f"ok   {name}" in status.stdout, status.stdout
    assert "2 TaskManagers, 2/2 slots free" in status.stdout
    overview = rest.overview(REST_URL)
    assert overview["taskmanagers"] == 2 and overview["slots-total"] == 2
    run_dir = Path(flink_cluster["PEACEWATCH_DATA_DIR"]) / "run"
    state_files = sorted(run_dir.glob("flink*"))
    assert {p.name for p in state_files} >= {"flink-plan.json", "flink.json", "flink-jobmanager.pid"}
    for path in state_files:
        assert path.stat().st_mode & 0o777 == 0o600, path
    for path in state_files:
        if path.suffix == ".pid":
            pid = int(path.read_text())
            addresses = support.listening(pid)
            assert all(support.is_loopback(a) for a in addresses), (path.name, addresses)
    web = rest.get(REST_URL, "/config")
    assert web and web.get("flink-version") == "1.19.0" and web["features"]["web-submit"] is False


def main_vertex(jid: str) -> dict:
    """The vertex that parses, enriches and writes (everything after the pull is fused into it)."""
    detail = rest.job(REST_URL, jid)
    vertex = next(v for v in detail["vertices"] if "WriteToElasticsearch" in v["name"])
    return rest.get(REST_URL, f"/jobs/{jid}/vertices/{vertex['id']}")


def test_replayed_sample_indexed_exactly_once_on_both_taskmanagers(job_env, provisioned, es, tmp_path):
    ids = replay_sample(job_env, tmp_path, 300, "once")
    alias = provisioned.index("articles")
    started = time.monotonic()
    proc = support.start_flink_run(job_env, 2, 10)
    output, _ = proc.communicate(timeout=600)
    print(output)
    assert proc.returncode == 0, output
    jid = flink_job_id(output)
    assert "starting on FlinkRunner" in output
    assert "indexed=300" in output, "the counters, read through Flink's REST API"
    assert "stopping: idle for" in output
    assert (rest.job(REST_URL, jid) or {}).get("state") == "CANCELED", "cancelled through the REST API"
    found = indexed_ids(es, alias)
    assert sorted(found) == sorted(ids), "every article exactly once"
    hits = es.search(index=alias, size=1000, version=True, source=False)["hits"]["hits"]
    assert {hit["_version"] for hit in hits} == {1}, "each written once"
    busy = rest.busy_subtasks(main_vertex(jid))
    print(f"run took {time.monotonic() - started:.1f}s; records per TaskManager: {busy}")
    assert set(busy) == {"peacewatch-tm-1", "peacewatch-tm-2"} and all(busy.values()), busy


def test_killed_taskmanager_is_restarted_and_nothing_is_lost_or_doubled(job_env, provisioned, es, tmp_path):
    run_dir = Path(job_env["PEACEWATCH_DATA_DIR"]) / "run"
    ids = replay_sample(job_env, tmp_path, 300, "kill")
    alias = provisioned.index("articles")
    # small pulls, so that the articles are indexed bundle after bundle and the kill lands mid-stream;
    # an idle exit shorter than the 30 s lease: the run must wait for what the dead TaskManager held
    proc = support.start_flink_run(job_env, 2, 15, "--pull-max-messages", "5")
    try:
        wait_until(lambda: len(indexed_ids(es, alias)) >= 20, timeout=300, interval=0.5, what="the first articles")
        victim = int((run_dir / "flink-taskmanager-1.pid").read_text())
        at_kill = len(indexed_ids(es, alias))
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        restarted = wait_until(
            lambda: (lambda pid: pid if pid != victim and support.alive(pid) else None)(
                int((run_dir / "flink-taskmanager-1.pid").read_text())
            ),
            timeout=60,
            interval=0.5,
            what="the supervisor to restart TaskManager 1",
        )
        print(
            f"TaskManager 1 (pid {victim}) killed with {at_kill} of 300 indexed; restarted as pid {restarted} "
            f"after {time.monotonic() - killed_at:.1f}s"
        )
        assert at_kill < 280, "killed mid-stream"
        wait_until(
            lambda: (rest.overview(REST_URL) or {}).get("taskmanagers") == 2,
            timeout=120,
            interval=0.5,
            what="two TaskManagers registered",
        )
        output, _ = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    print(output)
    assert proc.returncode == 0, output
    jid = flink_job_id(output)
    assert "Flink restarted the job's tasks" in output
    history = (rest.get(REST_URL, f"/jobs/{jid}/exceptions") or {}).get("exceptionHistory", {}).get("entries", [])
    assert history, "the job failed over (and recovered) after the kill"
    found = indexed_ids(es, alias)
    assert len(found) == len(set(found)) == 300 and set(found) == ids, "nothing lost, nothing doubled"
    hits = es.search(index=alias, size=1000, version=True, source=False)["hits"]["hits"]
    print(
        f"{sum(1 for h in hits if h['_version'] > 1)} of 300 articles were written again after redelivery "
        "(same id: overwritten, not doubled)"
    )


def test_services_down_leaves_no_process(flink_cluster):
    run_dir = Path(flink_cluster["PEACEWATCH_DATA_DIR"]) / "run"
    pids = {p.stem: int(p.read_text()) for p in run_dir.glob("flink-*.pid")}
    assert len(pids) == 6, pids
    family = set(pids.values())
    for pid in pids.values():
        family.update(support.descendants(pid))
    result = run_cli("services", "down", "flink", env=flink_cluster)
    assert result.returncode == 0, result.stderr
    assert not [pid for pid in family if support.alive(pid)], "every Flink process and SDK worker stopped"
    data_dir = flink_cluster["PEACEWATCH_DATA_DIR"]
    assert support.processes_mentioning(data_dir) == [], "no JVM or worker pool of this cluster left"
    assert not list(run_dir.glob("flink*")), "pid, plan and state files removed"
    status = run_cli("services", "status", "flink", env=flink_cluster)
    assert status.returncode == 1 and "DOWN flink-jobmanager" in status.stdout
