"""The ``ingest`` / ``replay`` subcommands, in-process through argparse as the dispatcher calls them."""

from __future__ import annotations

import argparse
import json

import pytest
import yaml

from connectors import cli
from peacewatch.errors import UserError
from tests.connectors.feed_server import rss
from tests.helpers import pull_messages


def _parse(argv):
    parser = argparse.ArgumentParser(prog="peacewatch")
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_register_adds_both_commands_with_their_options():
    args = _parse(["ingest", "--feeds", "f.yaml", "--once", "--state-db", "s.db"])
    assert args.func is cli.run_ingest and args.once and args.state_db == "s.db"
    args = _parse(["replay", "a.jsonl", "--rate", "5", "--force"])
    assert args.func is cli.run_replay and args.rate == 5 and args.force
    with pytest.raises(SystemExit):
        _parse(["replay", "a.jsonl", "--rate", "-1"])


def test_ingest_once_from_a_feeds_file(provisioned, subscriber, feed_server, tmp_path, capsys):
    url = feed_server.route("/c.xml", rss([("Cli story", "http://example.org/cli")]))
    local = tmp_path / "local.xml"
    local.write_bytes(rss([("Local story", "http://example.org/local")]))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        yaml.safe_dump(
            {
                "feeds": [
                    {"name": "Served", "url": url, "interval": "1m"},
                    {"name": "Local", "url": str(local), "allow_file": True},
                ]
            }
        ),
        encoding="utf-8",
    )
    args = _parse(["ingest", "--feeds", str(feeds), "--once", "--state-db", str(tmp_path / "s.db")])
    assert args.func(args) == 0
    assert "ingest summary: 2 feeds polled (0 not modified, 0 failed), 2 new" in capsys.readouterr().err
    messages = pull_messages(subscriber, provisioned.subscription_path("articles"), expect=2, timeout=30)
    assert sorted(json.loads(m.data)["url"] for m in messages) == ["http://example.org/cli", "http://example.org/local"]


def test_ingest_refuses_a_bad_feeds_file(tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(yaml.safe_dump({"feeds": [{"name": "X", "url": "https://example.org/x", "every": "5m"}]}))
    args = _parse(["ingest", "--feeds", str(feeds), "--once"])
    with pytest.raises(UserError, match=r"feeds\[0\] \(X\): unknown key\(s\) every"):
        args.func(args)


def test_replay_command(provisioned, tmp_path, capsys):
    archive = tmp_path / "a.jsonl"
    archive.write_text(json.dumps({"url": "https://example.org/cli-replay", "title": "t"}) + "\nnot json\n")
    args = _parse(["replay", str(archive), "--state-db", str(tmp_path / "s.db")])
    assert args.func(args) == 0
    err = capsys.readouterr().err
    assert "replay summary: 1 new, 0 changed, 0 duplicate, 1 invalid, 1 published" in err
