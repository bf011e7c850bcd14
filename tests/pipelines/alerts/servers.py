"""Tiny real servers on 127.0.0.1 port 0 for delivery tests: an HTTP receiver and an SMTP sink."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class _ServedInThread:
    """A server on 127.0.0.1 (port 0: the system picks one) that answers from a daemon thread while
    a ``with`` block runs."""

    def _serve(self, server: socketserver.BaseServer) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class HttpReceiver(_ServedInThread):
    """Records POSTed JSON bodies by path; answers ``status_for[path]``, else ``status`` (200 by
    default); paths in ``silent`` are read and never answered (until the receiver stops); paths in
    ``delay_for`` are answered after that many seconds. ``most_at_once[path]``: the largest number of
    requests to the path in progress at the same time."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self.keys: list[tuple[str, str | None]] = []  # (path, Idempotency-Key header)
        self.status = 200
        self.status_for: dict[str, int] = {}
        self.silent: set[str] = set()
        self.delay_for: dict[str, float] = {}
        self.most_at_once: dict[str, int] = {}
        self._at_once: dict[str, int] = {}
        self._count_lock = threading.Lock()
        self._closing = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((self.path, json.loads(body or b"null")))
                receiver.keys.append((self.path, self.headers.get("Idempotency-Key")))
                if self.path in receiver.silent:
                    receiver._closing.wait()
                    return
                with receiver._count_lock:
                    now = receiver._at_once[self.path] = receiver._at_once.get(self.path, 0) + 1
                    receiver.most_at_once[self.path] = max(now, receiver.most_at_once.get(self.path, 0))
                try:
                    receiver._closing.wait(receiver.delay_for.get(self.path, 0))
                    self.send_response(receiver.status_for.get(self.path, receiver.status))
                    self.end_headers()
                    self.wfile.write(b"ok")
                finally:
                    with receiver._count_lock:
                        receiver._at_once[self.path] -= 1

            def log_message(self, *args: Any) -> None:
                pass

        self._serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies(self, path: str) -> list[Any]:
        return [body for p, body in self.received if p == path]

    def __exit__(self, *exc: Any) -> None:
        self._closing.set()  # silent and delayed requests end now
        super().__exit__(*exc)


class SmtpSink(_ServedInThread):
    """A minimal SMTP server (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode("ascii"))

            def handle(self) -> None:
                self.reply("220 sink ready")
                sender, recipients = "", []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    command = raw.decode("utf-8", "replace").strip()
                    verb = command.split(" ", 1)[0].upper()
                    if verb in ("HELO", "EHLO"):
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip(" <>"))
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 end with .")
                        lines = []
                        while True:
                            line = self.rfile.readline()
                            if line in (b".\r\n", b".\n", b""):
                                break
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        sink.messages.append(email.message_from_bytes(b"".join(lines), policy=email.policy.default))
                        sink.envelopes.append((sender, recipients))
                        self.reply("250 queued")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 ok")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._serve(Server(("127.0.0.1", 0), Handler))
