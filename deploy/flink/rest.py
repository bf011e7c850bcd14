"""A small client of Flink's REST API (what the CLI and the tests need), plus its pure parsers.

Every call has a timeout and reads at most ``MAX_BYTES``; a cluster that does not answer gives
``None`` (reads) or a ``RestError`` (writes). Only the endpoints of Flink 1.19 used here:
``/overview``, ``/taskmanagers``, ``/jobs/overview``, ``/jobs/<jid>``, ``/jobs/<jid>/vertices/<vid>``,
``/jobs/<jid>/vertices/<vid>/subtasks/metrics``, ``/jobs/<jid>/vertices/<vid>/subtasks/<i>/metrics``
and ``PATCH /jobs/<jid>?mode=cancel``.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from peacewatch.errors import PeacewatchError

logger = logging.getLogger(__name__)

MAX_BYTES = 4_000_000
TIMEOUT = 5.0
TERMINAL_STATES = frozenset({"FINISHED", "CANCELED", "FAILED", "SUSPENDED"})


class RestError(PeacewatchError):
    """Flink's REST API refused a request or did not answer."""


def _request(base: str, path: str, method: str = "GET", timeout: float = TIMEOUT) -> Any:
    url = base.rstrip("/") + path
    if not url.startswith(("http://", "https://")):
        url = "http://" + url
    request = urllib.request.Request(url, method=method, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise RestError(f"{method} {path}: answer larger than {MAX_BYTES} bytes")
    return json.loads(body) if body.strip() else {}


def get(base: str, path: str, timeout: float = TIMEOUT) -> Any | None:
    """GET ``path`` as JSON; ``None`` when the cluster does not answer or answers an error."""
    try:
        return _request(base, path, timeout=timeout)
    except (OSError, ValueError, urllib.error.URLError, RestError) as exc:
        logger.debug("GET %s%s failed: %s", base, path, exc)
        return None


def overview(base: str) -> dict | None:
    """``/overview``: ``taskmanagers``, ``slots-total``, ``slots-available``, ``jobs-running``, ``flink-version``."""
    data = get(base, "/overview")
    return data if isinstance(data, dict) and "slots-total" in data else None


def taskmanagers(base: str) -> list[dict] | None:
    data = get(base, "/taskmanagers")
    return data.get("taskmanagers") if isinstance(data, dict) else None


def jobs(base: str) -> list[dict]:
    """``/jobs/overview``: one dict per job with ``jid``, ``name``, ``state``, ``start-time``."""
    data = get(base, "/jobs/overview")
    return list(data.get("jobs", [])) if isinstance(data, dict) else []


def find_job(job_list: Iterable[dict], name: str) -> dict | None:
    """The newest job called ``name`` (a resubmitted job has the same name and a newer start)."""
    matches = [job for job in job_list if job.get("name") == name]
    return max(matches, key=lambda job: job.get("start-time", 0)) if matches else None


def job(base: str, jid: str) -> dict | None:
    return get(base, f"/jobs/{urllib.parse.quote(jid)}")


def cancel(base: str, jid: str, timeout: float = 10.0) -> None:
    """Cancels a job (``PATCH /jobs/<jid>?mode=cancel``); Flink answers 202 and cancels asynchronously."""
    try:
        _request(base, f"/jobs/{urllib.parse.quote(jid)}?mode=cancel", method="PATCH", timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise RestError(f"Flink refused to cancel job {jid}: HTTP {exc.code}") from None
    except (OSError, ValueError, urllib.error.URLError) as exc:
        raise RestError(f"cannot reach Flink at {base} to cancel job {jid}: {exc}") from None


def restarts(base: str, jid: str) -> int | None:
    """How often Flink restarted the job (its ``numRestarts`` metric); ``None`` when unknown."""
    data = get(base, f"/jobs/{urllib.parse.quote(jid)}/metrics?get=numRestarts")
    try:
        return int(float(data[0]["value"])) if isinstance(data, list) and data else None
    except (KeyError, ValueError, TypeError):
        return None


def web_ui_link(base: str, jid: str) -> str:
    return f"{base.rstrip('/')}/#/job/running/{jid}/overview"


def subtask_hosts(vertex_detail: dict) -> dict[int, str]:
    """Subtask index -> TaskManager id, from ``/jobs/<jid>/vertices/<vid>``."""
    out = {}
    for subtask in vertex_detail.get("subtasks", []):
        out[int(subtask.get("subtask", 0))] = str(subtask.get("taskmanager-id") or subtask.get("host") or "?")
    return out


def busy_subtasks(vertex_detail: dict) -> dict[str, int]:
    """TaskManager id -> records its subtasks of this vertex read or wrote (``metrics``)."""
    out: dict[str, int] = {}
    for subtask in vertex_detail.get("subtasks", []):
        tm = str(subtask.get("taskmanager-id") or subtask.get("host") or "?")
        metrics = subtask.get("metrics", {})
        records = int(metrics.get("read-records", 0) or 0) + int(metrics.get("write-records", 0) or 0)
        out[tm] = out.get(tm, 0) + records
    return out


def user_counter_ids(metric_ids: Iterable[str], namespace: str) -> dict[str, list[str]]:
    """Counter name -> the Flink metric ids that carry Beam counter ``namespace:name``.

    Beam's Flink runner registers each user counter as a Flink metric of the operator, with the
    id ``<step>.<namespace>_<name>`` (the step's dots are replaced, so the last dot separates).
    """
    out: dict[str, list[str]] = {}
    for metric_id in metric_ids:
        _, _, leaf = metric_id.rpartition(".")
        for sep in ("_", ":", "."):
            if leaf.startswith(namespace + sep) and len(leaf) > len(namespace) + 1:
                out.setdefault(leaf[len(namespace) + 1 :], []).append(metric_id)
                break
    return out


def vertex_metric_ids(base: str, jid: str, vid: str) -> list[str]:
    data = get(base, f"/jobs/{jid}/vertices/{vid}/subtasks/metrics")
    return [m.get("id", "") for m in data] if isinstance(data, list) else []


def numeric_sums(values: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Sum of each metric id's numeric values; other values (Beam distributions) are skipped.

    Beam's Flink runner exports a distribution as a gauge whose value is its ``repr``
    (``DistributionResult{sum=44, count=1, ...}``): only counters and numeric gauges add up.
    """
    sums: dict[str, float] = {}
    for metric in values:
        try:
            value = float(metric["value"])
        except (KeyError, TypeError, ValueError):
            continue
        sums[metric.get("id", "")] = sums.get(metric.get("id", ""), 0.0) + value
    return sums


def vertex_metric_sums(base: str, jid: str, vid: str, ids: list[str], parallelism: int) -> dict[str, float]:
    """Sum over the vertex's subtasks of each numeric metric of ``ids``.

    Each subtask is read on its own (``subtasks/<i>/metrics?get=...``), not through Flink's
    ``agg=sum`` endpoint, which logs a stack trace for every metric that is not a number.
    """
    if not ids:
        return {}
    query = urllib.parse.urlencode({"get": ",".join(ids)})
    values: list[dict[str, Any]] = []
    for index in range(max(parallelism, 1)):
        data = get(base, f"/jobs/{jid}/vertices/{vid}/subtasks/{index}/metrics?{query}")
        if isinstance(data, list):
            values.extend(m for m in data if isinstance(m, dict))
    return numeric_sums(values)


def user_counters(base: str, jid: str, namespace: str) -> dict[str, int]:
    """Beam counters of ``namespace`` summed over every vertex and subtask of a running job."""
    detail = job(base, jid)
    totals: dict[str, int] = {}
    for vertex in (detail or {}).get("vertices", []):
        vid = vertex.get("id")
        by_name = user_counter_ids(vertex_metric_ids(base, jid, vid), namespace)
        ids = [metric_id for metric_ids in by_name.values() for metric_id in metric_ids]
        sums = vertex_metric_sums(base, jid, vid, ids, int(vertex.get("parallelism") or 1))
        for name, metric_ids in by_name.items():
            totals[name] = totals.get(name, 0) + int(sum(sums.get(m, 0) for m in metric_ids))
    return totals
