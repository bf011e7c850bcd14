"""The SQLite store: de-duplication, the published log API, feed validators and failures."""

from __future__ import annotations

from datetime import datetime, timezone

from connectors.state import PublishedLog, default_state_path


def _article(n: int) -> dict:
    return {"id": f"{n:032x}", "url": f"http://example.org/{n}", "title": f"T{n}", "text": "b", "source": "S"}


def test_record_then_known_and_payload(tmp_path) -> None:
    with PublishedLog(tmp_path / "s.sqlite3") as log:
        assert log.known([_article(1)["id"]]) == set()
        log.record([(_article(1), "m1"), (_article(2), "m2")], "projects/p/topics/t", now=1000.0)
        assert log.known([_article(n)["id"] for n in range(1, 4)]) == {_article(1)["id"], _article(2)["id"]}
        assert log.get_payload(_article(2)["id"]) == _article(2)
        assert log.get_payload("f" * 32) is None
        assert log.count() == 2


def test_published_since_accepts_datetimes_epochs_and_iso(tmp_path) -> None:
    with PublishedLog(tmp_path / "s.sqlite3") as log:
        log.record([(_article(1), "m1")], "t", now=1000.0)
        log.record([(_article(2), "m2")], "t", now=2000.0)
        assert [r.article_id for r in log.published_since(1500.0)] == [_article(2)["id"]]
        since = datetime.fromtimestamp(500, tz=timezone.utc)
        records = list(log.published_since(since))
        assert [r.message_id for r in records] == ["m1", "m2"]
        assert records[0].published_at == datetime.fromtimestamp(1000, tz=timezone.utc)
        assert records[0].topic == "t" and records[0].source == "S"
        assert len(list(log.published_since("1970-01-01T00:25:00Z"))) == 1
        assert len(list(log.published_since(0, until=1500))) == 1


def test_store_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "nested" / "s.sqlite3"
    with PublishedLog(path) as log:
        log.record([(_article(7), "m7")], "t")
        log.feed_succeeded("http://example.org/f", '"etag"', "Mon, 06 Jan 2025 10:00:00 GMT")
    with PublishedLog(path) as log:
        assert log.known([_article(7)["id"]]) == {_article(7)["id"]}
        state = log.feed_state("http://example.org/f")
        assert state.etag == '"etag"' and state.failures == 0


def test_feed_failures_count_and_reset(tmp_path) -> None:
    with PublishedLog(tmp_path / "s.sqlite3") as log:
        url = "http://example.org/f"
        assert log.feed_failed(url, "HTTP 500").failures == 0
        before = log.feed_failed(url, "HTTP 500")
        assert before.failures == 1 and before.last_error == "HTTP 500"
        assert log.feed_state(url).failures == 2
        log.feed_succeeded(url, None, None)
        assert log.feed_state(url).failures == 0 and log.feed_state(url).last_error is None


def test_known_handles_more_ids_than_sqlite_parameters(tmp_path) -> None:
    with PublishedLog(tmp_path / "s.sqlite3") as log:
        articles = [_article(n) for n in range(1200)]
        log.record([(a, None) for a in articles[::2]], "t")
        assert len(log.known(a["id"] for a in articles)) == 600


def test_default_path_is_in_data_dir(tmp_path) -> None:
    class S:
        data_dir = str(tmp_path)

    assert default_state_path(S()) == tmp_path / "connectors.sqlite3"
