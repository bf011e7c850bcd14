"""Local services listen on loopback only; secrets are never printed, logged or written; state files
are 0600 (issue 13, item 5; see SECURITY.md)."""

from __future__ import annotations

import argparse
import logging
import os
import stat
import subprocess
from pathlib import Path

import pytest

from deploy.runtime import listening_sockets
from peacewatch.redact import RedactingFilter, origin, redact, redact_url, register_secret
from tests.helpers import cli_command, free_port

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "deploy" / "sample" / "articles.jsonl"
PASSWORD = "hunter2-Pa55word"
SLACK = "https://hooks.slack.com/services/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"
SLACK_TOKEN = "x9Y8z7W6v5U4t3S2r1Q0p9O8"


# ---- loopback services ------------------------------------------------------------------------
def _listening(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port``."""
    return [ip for ip, listened, _ in listening_sockets() if listened == port]


def test_local_services_listen_on_loopback_only(services):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp")
    ports = {
        "elasticsearch http": services.es_port,
        "elasticsearch transport": services.es_port + 100,
        "pubsub emulator": int(services.pubsub_emulator_host.rpartition(":")[2]),
    }
    seen = {name: _listening(port) for name, port in ports.items()}
    assert seen["elasticsearch http"] and seen["pubsub emulator"], seen
    for name, addresses in seen.items():
        assert all(a in ("127.0.0.1", "::1", "::ffff:127.0.0.1") for a in addresses), (name, addresses)


# ---- the helper ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,gone,kept",
    [
        (
            f"cannot reach https://elastic:{PASSWORD}@es.example.org:9243: refused",
            [PASSWORD, "elastic:"],
            ["https://***@es.example.org:9243"],
        ),
        ("https://u:p@ss:w@rd@host/x", ["p@ss", "w@rd"], ["host/x"]),
        (f"POST {SLACK} failed", [SLACK_TOKEN, "T0AAAAAAA"], ["hooks.slack.com/services/***"]),
        (
            "Max retries exceeded with url: /services/T0AAAAAAA/B0BBBBBBB/x9Y8z7W6v5U4t3S2r1Q0p9O8 (Caused by x)",
            [SLACK_TOKEN],
            ["url: /services/***"],
        ),
        (
            'https://hooks.slack.com:443 "POST /services/T0AAAAAAA/B0BBBBBBB/x9Y8z7W6v5U4t3S2r1Q0p9O8 HTTP/1.1" 200 2',
            [SLACK_TOKEN],
            ['"POST /services/*** HTTP/1.1" 200'],
        ),
        ('"GET /feed.xml?token=abc123&page=2 HTTP/1.1"', ["abc123"], ["page=2"]),
        (
            "https://feeds.example/rss?token=abc123&page=2&sig=Zz9&api_key=k1&X-Amz-Signature=ff00",
            ["abc123", "Zz9", "k1", "ff00"],
            ["page=2", "token=***"],
        ),
        (
            "key=foo password: hunter22 Authorization: Bearer abc.def.ghi",
            ["foo", "hunter22", "abc.def.ghi"],
            ["Authorization: ***"],
        ),
        ("token type Bearer abc.def.ghi", ["abc.def.ghi"], ["Bearer ***"]),
        ('{"api_key": "zzz123", "n": 1}', ["zzz123"], ['"n": 1']),
        ("https://discord.com/api/webhooks/123456/AbCdEf-ghIJ", ["AbCdEf"], ["discord.com/api/webhooks/***"]),
        (
            "https://x.org/a/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/b",
            ["9f86d081"],
            ["x.org/a/***/b"],
        ),
        (
            "https://www.bbc.co.uk/news/world-europe-12345678-ukraine-peace-force-talks",
            [],
            ["world-europe-12345678-ukraine-peace-force-talks"],
        ),  # article slugs stay readable
        ("HTTP status code: 503 at https://news.example/a?page=3", [], ["503", "page=3"]),
    ],
)
def test_redact(text, gone, kept):
    out = redact(text)
    assert all(g not in out for g in gone), out
    assert all(k in out for k in kept), out


def test_registered_secrets_are_masked_anywhere_and_urls_can_shrink_to_their_origin():
    register_secret("Zq-registered-value-77")
    assert "Zq-registered" not in redact("the key Zq-registered-value-77 was refused")
    assert redact_url("https://h.example/a?x=Zq-registered-value-77") == "https://h.example/a?x=***"
    register_secret("abc")  # too short to register: it would mask words
    assert redact("abc def") == "abc def"
    assert origin("https://u:p@h.org:8443/T/B/secret") == "https://h.org:8443/…"
    assert redact(f"failed: {SLACK}/more?x=1", keep_paths=False) == "failed: https://hooks.slack.com/…"


def test_log_records_and_tracebacks_are_redacted():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("test-secrets")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("posting to %s failed", SLACK)
        try:
            raise ConnectionError(f"cannot reach https://elastic:{PASSWORD}@es.example.org")
        except ConnectionError:
            log.exception("request failed")
    finally:
        log.removeHandler(handler)
    text = "\n".join(records)
    assert "hooks.slack.com/services/***" in text and "Traceback" in text
    assert SLACK_TOKEN not in text and PASSWORD not in text


# ---- every command's errors ---------------------------------------------------------------
def test_commands_never_print_the_elasticsearch_password(tmp_path):
    from connectors.state import PublishedLog

    with PublishedLog(tmp_path / "state.sqlite3") as log:  # reconcile then has something to look up
        log.record([({"id": "a" * 32, "source": "s"}, "m1")], "projects/p/topics/t")
    env = {
        **os.environ,
        "PEACEWATCH_DATA_DIR": str(tmp_path),
        "PEACEWATCH_PREFIX": "pw-secrets",
        "PEACEWATCH_ES_URL": f"http://elastic:{PASSWORD}@127.0.0.1:{free_port()}",
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{free_port()}",
    }
    commands = [
        ["search", "force"],
        ["reconcile", "--state-db", str(tmp_path / "state.sqlite3")],
        ["doctor"],
        ["run", "--input", str(SAMPLE), "--es_retry_seconds", "1"],
        ["services", "status"],
    ]
    running = [
        subprocess.Popen(
            cli_command(*args),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    for args, process in zip(commands, running):
        out, err = process.communicate(timeout=180)
        assert process.returncode in (1, 2), (args, out, err)
        assert PASSWORD not in out + err, (args, out + err)
        assert "Traceback" not in err, (args, err)
        assert "127.0.0.1" in out + err  # it still says where it tried


def test_alert_commands_and_documents_never_show_webhook_tokens(provisioned, tmp_path, capsys):
    from peacewatch.clients import elasticsearch_client
    from pipelines.alerts import cli
    from pipelines.alerts.delivery import build_alert
    from pipelines.alerts.matcher import Match
    from pipelines.alerts.rules import Rule, RuleStore
    from pipelines.alerts.store import DeliveryLog
    from pipelines.deadletters import DeadLetterWriter, make_dead_letter

    rules = tmp_path / "alerts.yaml"
    RuleStore(rules).add(Rule("peace", "peace", channels=[f"slack:{SLACK}", "webhook:env:SOME_HOOK"]))
    es = elasticsearch_client(provisioned)
    log = DeliveryLog(es, provisioned.index("alert-deliveries"))
    assert log.claim("alert-1", "slack:https://hooks.slack.com/…#abcd", "peace", 0.0) == "claimed"
    log.finish(
        "alert-1",
        "slack:https://hooks.slack.com/…#abcd",
        "failed",
        1.0,
        1,
        f"ConnectionError: HTTPSConnectionPool: Max retries exceeded with url: /services/T0/B0/{SLACK_TOKEN}",
    )
    stored = log.stats()
    es.indices.refresh(index=provisioned.index("alert-deliveries"))
    everything = es.search(index=provisioned.index("alert-deliveries"), size=100)["hits"]["hits"]
    es.close()
    assert SLACK_TOKEN not in str(stored) + str(everything)  # the log keeps no token in its errors
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    printed = ""
    for argv in (["list"], ["list", "--json"], ["show", "peace"], ["status"]):
        args = parser.parse_args(["alerts", *argv, "--rules", str(rules)])
        assert args.func(args) == 0
        printed += capsys.readouterr().out
    assert SLACK_TOKEN not in printed and "T0AAAAAAA" not in printed
    assert "slack:https://hooks.slack.com/…#" in printed and "webhook:env:SOME_HOOK" in printed
    assert SLACK in rules.read_text()  # the rules file keeps what delivery needs

    alert = build_alert(
        RuleStore(rules).get("peace"),
        {"id": "a1", "url": "https://n.example/1", "title": "peace"},
        Match("peace", ("peace",)),
        provisioned,
        now=1.0,
    )
    assert SLACK_TOKEN not in str(alert)  # indexed, published, sent to every channel
    letter = make_dead_letter("alert-delivery", f"slack failed: {SLACK}", alert)
    writer = DeadLetterWriter(provisioned)
    writer.setup()
    try:
        writer.write([letter, {**letter, "id": "b" * 32, "reason": f"built elsewhere: {SLACK}"}])
    finally:
        writer.close()
    from peacewatch.clients import elasticsearch_client

    es = elasticsearch_client(provisioned)
    try:
        es.indices.refresh(index=provisioned.index("deadletter"))
        hits = es.search(index=provisioned.index("deadletter"), size=10)["hits"]["hits"]
    finally:
        es.close()
    assert len(hits) == 2 and SLACK_TOKEN not in str(hits)


# ---- file modes -----------------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0)  # the most permissive umask: modes must come from the code, not the shell
    yield
    os.umask(previous)


def test_every_state_file_is_0600_and_its_folders_0700(tmp_path, open_umask):
    from connectors.state import PublishedLog
    from deploy import runtime
    from peacewatch.files import open_private
    from peacewatch.settings import Settings
    from pipelines.alerts.rules import Rule, RuleStore
    from pipelines.alerts.spikes import SpikeCounter
    from pipelines.alerts.stance_change import StanceStateStore
    from pipelines.leases import DeliveryCounter

    data = tmp_path / "data" / "deeper"
    settings = Settings(data_dir=str(data))
    with PublishedLog(data / "connectors.sqlite3") as log:
        log.record([({"id": "a" * 32}, "m")], "t")
        assert _mode(data / "connectors.sqlite3-wal") == 0o600
    deliveries = DeliveryCounter(data / "pubsub-deliveries.sqlite3")  # the alert delivery log is in Elasticsearch
    deliveries.count("projects/p/subscriptions/s", ["m"])
    deliveries.close()
    StanceStateStore(data / "alerts-stances.sqlite3").close()
    SpikeCounter(data / "alerts-spikes.sqlite3").close()
    RuleStore(data / "alerts.yaml").add(Rule("r", "x"))
    runtime.write_state(settings, {"pubsub_emulator_host": "127.0.0.1:8085"})
    with open_private(runtime.pid_path(settings, "pubsub").with_suffix(".log"), "ab") as handle:
        handle.write(b"log line\n")
    files = [p for p in data.rglob("*") if p.is_file()]
    folders = [data.parent, data, *(p for p in data.rglob("*") if p.is_dir())]
    assert len(files) >= 6
    assert {str(p.relative_to(data)): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    assert {str(p): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}


def test_a_looser_state_file_from_an_older_version_is_tightened(tmp_path):
    from connectors.state import PublishedLog

    path = tmp_path / "connectors.sqlite3"
    PublishedLog(path).close()
    os.chmod(path, 0o644)
    PublishedLog(path).close()
    assert _mode(path) == 0o600
