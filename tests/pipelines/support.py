"""Helpers for the pipeline tests: sample articles, a cuttable TCP proxy, subprocess runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.helpers import cli_command

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "articles.jsonl"

_STANCE_TEXTS = (
    ("{c} backs the peacekeeping force", "{c} said it supports sending a peacekeeping force to the region."),
    ("{c} rejects the peacekeeping plan", "{c} opposes the deployment of a peacekeeping force, officials said."),
)
_COUNTRIES = ("France", "Germany", "Kenya", "Brazil", "Japan", "Canada", "Ghana", "Chile", "Norway", "India")


def sample_articles() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_articles(n: int, tag: str = "a") -> list[dict[str, Any]]:
    """``n`` small distinct articles, some with stances, with ids."""
    from schemas.ids import article_id

    out = []
    for i in range(n):
        title, text = _STANCE_TEXTS[i % 2]
        country = _COUNTRIES[i % len(_COUNTRIES)]
        url = f"https://news.example.org/test/{tag}/{i}"
        out.append(
            {
                "id": article_id(url),
                "url": url,
                "title": title.format(c=country),
                "text": text.format(c=country),
                "source": "Test Wire",
                "published": f"2026-03-0{1 + i % 3}T1{i % 10}:00:00Z",
                "language": "en",
            }
        )
    return out


def enriched(article: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """``article`` as the enrich step leaves one in which the NLP found nothing (relevant at 0.5,
    analysed, no entities, countries, people or stances), with ``fields`` on top."""
    nothing_found = {"entities": [], "countries": [], "people": [], "stances": []}
    return {**article, "relevant": True, "relevance": 0.5, "analysed": True, **nothing_found, **fields}


def alerts_add(name: str, *options: str, channels: Iterable[str] = ()) -> list[str]:
    """The arguments of ``peacewatch alerts add NAME OPTIONS``, a ``--channel`` for each of ``channels``."""
    return ["alerts", "add", name, *options, *(arg for channel in channels for arg in ("--channel", channel))]


def publish(publisher, settings, articles: list[dict[str, Any]] | list[bytes]) -> None:
    topic = settings.topic_path("articles")
    futures = []
    for item in articles:
        if isinstance(item, dict):
            futures.append(publisher.publish(topic, json.dumps(item).encode("utf-8"), article_id=item["id"]))
        else:
            futures.append(publisher.publish(topic, item))
    for future in futures:
        future.result(timeout=30)


def count(es, index: str, query: dict | None = None) -> int:
    es.indices.refresh(index=index)
    return es.count(index=index, query=query or {"match_all": {}})["count"]


def start_run(
    *args: str, env: dict[str, str] | None = None, group: bool = False, entry: str = "peacewatch.cli"
) -> subprocess.Popen:
    """Starts ``peacewatch run ARGS`` in a subprocess (stderr captured in a file-like pipe).

    With ``group`` it leads a process group of its own (its Prism and NLP processes join it), so
    that a test can kill the whole group like a terminal or a supervisor would. ``entry`` is the
    module run with ``python -m`` (a test's own wrapper around the command).
    """
    full_env = dict(os.environ, **(env or {}))
    full_env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        cli_command("run", *args, module=entry),
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=group,
    )


def processes_marked(key: str, value: str, command_contains: str = "") -> list[int]:
    """Live processes whose environment has ``key=value`` (children inherit it) and whose command
    line contains ``command_contains``: how a test finds what a run it started left behind."""
    marker = f"{key}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in environ and command_contains in command and state != "Z":
            found.append(int(entry.name))
    return found


class OutputReader:
    """Collects a subprocess's output in a thread so its pipe never fills up."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def has(self, needle: str) -> bool:
        return needle in self.text()


class CuttableProxy:
    """A loopback TCP proxy to ``target``; :meth:`cut` refuses and drops connections until :meth:`restore`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._cut = threading.Event()
        self._closed = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._cut.is_set():
                self.refused += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()  # a reset, as a dead server's port would answer
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            sockets, self._open = list(self._open), set()
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._server.close()
