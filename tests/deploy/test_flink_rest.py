"""Parsing Flink's REST answers (shapes recorded from the local Flink 1.19 cluster)."""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar

import pytest

from deploy.flink import rest

VERTEX = {
    "id": "5dff25c03d1edf3d4867d49729422d7b",
    "name": "[2]{ParDo(F), Map(<lambda at smoke2.py:12>)}",
    "parallelism": 2,
    "subtasks": [
        {
            "subtask": 0,
            "status": "RUNNING",
            "host": "localhost",
            "taskmanager-id": "peacewatch-tm-1",
            "metrics": {"read-records": 434, "write-records": 0},
        },
        {
            "subtask": 1,
            "status": "RUNNING",
            "host": "localhost",
            "taskmanager-id": "peacewatch-tm-2",
            "metrics": {"read-records": 430, "write-records": 2},
        },
    ],
}


def test_user_counter_ids_pick_the_namespace():
    ids = [
        "[2]{ParDo(F)__Map(<lambda_at_smoke2_py_12>)}.peacewatch_read",
        "[3]{IndexThenAck}.peacewatch_indexed",
        "[3]{IndexThenAck}.peacewatch_acked",
        "[3]{IndexThenAck}.numRecordsIn",
        "[1]{Other}.beam_metric_x",
        "[4]{X}.peacewatch_",
    ]
    found = rest.user_counter_ids(ids, "peacewatch")
    assert found == {"read": [ids[0]], "indexed": [ids[1]], "acked": [ids[2]]}


def test_subtasks_by_taskmanager():
    assert rest.subtask_hosts(VERTEX) == {0: "peacewatch-tm-1", 1: "peacewatch-tm-2"}
    assert rest.busy_subtasks(VERTEX) == {"peacewatch-tm-1": 434, "peacewatch-tm-2": 432}


def test_find_job_takes_the_newest_of_a_name():
    jobs = [
        {"jid": "a", "name": "x", "start-time": 1},
        {"jid": "b", "name": "x", "start-time": 5},
        {"jid": "c", "name": "y", "start-time": 9},
    ]
    assert rest.find_job(jobs, "x")["jid"] == "b"
    assert rest.find_job(jobs, "z") is None


class _Handler(http.server.BaseHTTPRequestHandler):
    calls: ClassVar[list] = []

    def do_GET(self):
        body = {
            "/overview": b'{"taskmanagers": 2, "slots-total": 2, "slots-available": 1}',
            "/big": b"[" + b"1," * rest.MAX_BYTES + b"1]",
        }.get(self.path, b"not json")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def do_PATCH(self):
        self.calls.append(self.path)
        self.send_response(202 if "good" in self.path else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_reads_are_capped_and_never_raise(server):
    assert rest.overview(server)["slots-total"] == 2
    assert rest.get(server, "/big") is None
    assert rest.get(server, "/garbage") is None
    assert rest.overview("http://127.0.0.1:9") is None


def test_cancel_patches_and_reports_refusal(server):
    rest.cancel(server, "good")
    assert _Handler.calls[-1] == "/jobs/good?mode=cancel"
    with pytest.raises(rest.RestError, match="HTTP 404"):
        rest.cancel(server, "missing")
    with pytest.raises(rest.RestError, match="cannot reach"):
        rest.cancel("http://127.0.0.1:9", "x")


def test_numeric_sums_skip_beam_distributions():
    values = [
        {"id": "[3]{IndexThenAck}.peacewatch_indexed", "value": "7"},
        {"id": "[3]{IndexThenAck}.peacewatch_indexed", "value": "5"},
        {"id": "[3]{IndexThenAck}.peacewatch_latency_ms", "value": "DistributionResult{sum=44, count=1}"},
        {"id": "[3]{IndexThenAck}.peacewatch_acked"},
    ]
    assert rest.numeric_sums(values) == {"[3]{IndexThenAck}.peacewatch_indexed": 12.0}
