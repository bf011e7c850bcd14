"""Every command meets bad configuration and unreachable hosts with one line and a hint, at once."""

from __future__ import annotations

import os

import pytest

from tests.helpers import ROOT, free_port, run_cli

SAMPLE = ROOT / "deploy" / "sample" / "articles.jsonl"


@pytest.mark.parametrize(
    "args,unreachable,needle",
    [
        (["replay", str(SAMPLE), "--force"], "pubsub", "cannot reach Pub/Sub"),
        (["ingest", "--feeds", str(ROOT / "connectors" / "feeds.yaml"), "--once"], "pubsub", "cannot reach Pub/Sub"),
        (["run", "--streaming"], "both", "cannot reach"),
        (["setup"], "pubsub", "does not answer"),
        (["search", "force"], "elasticsearch", "cannot reach Elasticsearch"),
        (["run", "--input", str(SAMPLE), "--es_retry_seconds", "1"], "elasticsearch", "cannot reach Elasticsearch"),
        (["reconcile"], "elasticsearch", "no published log"),
        (["reconcile", "--since", "7d", "LOG"], "elasticsearch", "cannot reach Elasticsearch"),
        (["reconcile", "--since", "7d", "--republish", "LOG"], "both", "cannot reach Elasticsearch"),
        (["alerts", "test", "nosuchrule"], "elasticsearch", "nosuchrule"),
        (["alerts", "test", "RULE"], "elasticsearch", "cannot reach Elasticsearch"),
        (["alerts", "tail", "--once"], "elasticsearch", "cannot reach Elasticsearch"),
        (["alerts", "status"], "elasticsearch", "cannot reach Elasticsearch"),
        (["board", "--mission", "ukraine"], "elasticsearch", "cannot reach Elasticsearch"),
        (["missions"], "elasticsearch", "cannot reach Elasticsearch"),
        (["setup", "--skip-pubsub"], "elasticsearch", "does not answer"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(a for a in v[:3] if a not in ("LOG", "RULE")),
)
def test_unreachable_service_is_one_line(tmp_path, args, unreachable, needle):
    env = {**os.environ, "PEACEWATCH_DATA_DIR": str(tmp_path), "PEACEWATCH_PREFIX": "pw-unreachable"}
    if "RULE" in args:  # a rule that exists: the command gets as far as Elasticsearch
        (tmp_path / "alerts.yaml").write_text("version: 1\nrules:\n  - {name: r, query: peace}\n")
        args = [a if a != "RULE" else "r" for a in args]
    if "LOG" in args:  # a published log that exists: reconcile gets as far as Elasticsearch
        from connectors.state import PublishedLog

        with PublishedLog(str(tmp_path / "state.sqlite3")) as log:
            log.record([({"id": "a" * 32, "url": "https://example.org/a", "published": None}, "m1")], "t")
        args = [a for a in args if a != "LOG"]
    if unreachable in ("pubsub", "both"):
        env["PUBSUB_EMULATOR_HOST"] = f"127.0.0.1:{free_port()}"
    if unreachable in ("elasticsearch", "both"):
        env["PEACEWATCH_ES_URL"] = f"http://127.0.0.1:{free_port()}"
    if args[0] in ("replay", "ingest", "reconcile"):
        args = [*args, "--state-db", str(tmp_path / "state.sqlite3")]
    result = run_cli(*args, env=env, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert needle in result.stderr, result.stderr
    assert "hint:" in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    error = [i for i, line in enumerate(lines) if ": error: " in line]
    assert error and lines[error[0] + 1].startswith("  hint: "), result.stderr  # the error, then its hint
    if "cannot reach Elasticsearch" in needle:  # the reason, not the client library's nested repr
        assert lines[error[0]].endswith(": connection refused"), result.stderr


def test_no_google_credentials_is_one_line(tmp_path):
    """Without the emulator's address Pub/Sub means Google Cloud; without credentials, say how to get either."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CLOUDSDK_"))}
    env.update(
        {
            "PEACEWATCH_DATA_DIR": str(tmp_path),
            "PUBSUB_EMULATOR_HOST": "",
            "HOME": str(tmp_path),
            "NO_GCE_CHECK": "True",
            "PEACEWATCH_ES_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    from connectors.state import PublishedLog

    with PublishedLog(str(tmp_path / "state.sqlite3")) as log:
        log.record([({"id": "a" * 32, "url": "https://example.org/a", "published": None}, "m1")], "t")
    args = ["reconcile", "--republish", "--state-db", str(tmp_path / "state.sqlite3")]
    result = run_cli(*args, env=env, timeout=120, cwd=tmp_path, module="peacewatch")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "no Google Cloud credentials" in result.stderr and "peacewatch services env" in result.stderr
