"""Every command meets bad configuration and unreachable hosts with one line and a hint, at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "deploy" / "sample" / "articles.jsonl"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args,unreachable,needle", [
    (["replay", str(SAMPLE), "--force"], "pubsub", "cannot reach Pub/Sub"),
    (["ingest", "--feeds", str(ROOT / "connectors" / "feeds.yaml"), "--once"], "pubsub", "cannot reach Pub/Sub"),
    (["run", "--streaming"], "both", "cannot reach"),
    (["setup"], "pubsub", "does not answer"),
    (["search", "force"], "elasticsearch", "cannot reach Elasticsearch"),
    (["run", "--input", str(SAMPLE), "--es_retry_seconds", "1"], "elasticsearch", "cannot reach Elasticsearch"),
    (["reconcile"], "elasticsearch", "no published log"),
    (["alerts", "test", "nosuchrule"], "elasticsearch", "nosuchrule"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]))
def test_unreachable_service_is_one_line(tmp_path, args, unreachable, needle):
    env = {**os.environ, "PEACEWATCH_DATA_DIR": str(tmp_path), "PEACEWATCH_PREFIX": "pw-unreachable"}
    if unreachable in ("pubsub", "both"):
        env["PUBSUB_EMULATOR_HOST"] = f"127.0.0.1:{_free_port()}"
    if unreachable in ("elasticsearch", "both"):
        env["PEACEWATCH_ES_URL"] = f"http://127.0.0.1:{_free_port()}"
    if args[0] in ("replay", "ingest", "reconcile"):
        args = [*args, "--state-db", str(tmp_path / "state.sqlite3")]
    result = subprocess.run([sys.executable, "-m", "peacewatch.cli", *args], capture_output=True, text=True,
                            env=env, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert needle in result.stderr, result.stderr
    assert "hint:" in result.stderr
