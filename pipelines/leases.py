"""Messages in flight: their Pub/Sub leases, flow control, and how often each was delivered.

A worker process pulls messages in one DoFn and acknowledges them in another, once their article
is indexed or dead-lettered. Between the two, :class:`LeaseKeeper` (one per process and
subscription) holds their ack ids: a background thread extends their ack deadline every third of
``lease_seconds`` (``modify_ack_deadline``), and the pull step asks :meth:`LeaseKeeper.outstanding`
before pulling more (flow control). A message held longer than ``max_hold_seconds`` is let go:
its lease runs out and Pub/Sub delivers it again.

:class:`DeliveryCounter` counts deliveries per message id in SQLite for subscriptions without a
dead-letter policy (whose messages carry no ``delivery_attempt``), so that a message that keeps
coming back (a crash, a hang) can be recognised as poison after a restart too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ACK_CHUNK = 1000  # ack ids per acknowledge / modify_ack_deadline request
MAX_ACK_DEADLINE = 600  # Pub/Sub's limit


def chunks(items: Sequence[str], size: int = ACK_CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class LeaseKeeper:
    """The messages of one subscription held by this process, with their leases kept alive.

    Args:
        subscriber_factory: returns a ``SubscriberClient`` (called once, in the renewal thread).
        subscription: the full subscription path.
        lease_seconds: the ack deadline set on held messages, renewed every third of it.
        max_hold_seconds: a message held longer is let go (its lease is no longer renewed).
        clock: monotonic seconds (tests).
    """

    def __init__(
        self,
        subscriber_factory: Callable[[], Any],
        subscription: str,
        lease_seconds: int = 30,
        max_hold_seconds: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.subscription = subscription
        self.lease_seconds = min(max(int(lease_seconds), 10), MAX_ACK_DEADLINE)
        self.max_hold_seconds = max_hold_seconds
        self._factory = subscriber_factory
        self._clock = clock
        self._held: dict[str, float] = {}  # ack id -> when it was pulled
        self._expired = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscriber = None

    # ---- what the DoFns call -----------------------------------------------------------------
    def hold(self, ack_ids: Sequence[str]) -> None:
        """Starts holding freshly pulled messages (their lease is extended at once)."""
        now = self._clock()
        with self._lock:
            for ack_id in ack_ids:
                self._held[ack_id] = now
            self._start()
        self._extend(list(ack_ids))

    def release(self, ack_ids: Iterable[str]) -> int:
        """Stops holding messages (acknowledged, or handed back); returns how many were held here."""
        with self._lock:
            return sum(1 for ack_id in ack_ids if self._held.pop(ack_id, None) is not None)

    def outstanding(self) -> int:
        with self._lock:
            return len(self._held)

    def take_expired(self) -> int:
        """How many messages were let go after ``max_hold_seconds`` since the last call."""
        with self._lock:
            count, self._expired = self._expired, 0
        return count

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ---- the renewal thread ------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._renew_loop, name=f"lease-{self.subscription.rsplit('/', 1)[-1]}", daemon=True
            )
            self._thread.start()

    def _client(self) -> Any:
        if self._subscriber is None:
            self._subscriber = self._factory()
        return self._subscriber

    def _extend(self, ack_ids: list[str], seconds: int | None = None) -> None:
        if not ack_ids:
            return
        try:
            for part in chunks(ack_ids):
                self._client().modify_ack_deadline(
                    request={
                        "subscription": self.subscription,
                        "ack_ids": part,
                        "ack_deadline_seconds": self.lease_seconds if seconds is None else seconds,
                    },
                    timeout=30,
                )
        except Exception as exc:
            logger.warning("could not extend the lease of %d messages on %s: %s", len(ack_ids), self.subscription, exc)

    def _renew_loop(self) -> None:
        interval = max(self.lease_seconds / 3, 2.0)
        while not self._stop.wait(interval):
            now = self._clock()
            with self._lock:
                overdue = [a for a, since in self._held.items() if now - since > self.max_hold_seconds]
                for ack_id in overdue:
                    del self._held[ack_id]
                self._expired += len(overdue)
                held = list(self._held)
            if overdue:
                logger.warning(
                    "%d messages held for more than %.0fs on %s were let go; Pub/Sub will deliver them again",
                    len(overdue),
                    self.max_hold_seconds,
                    self.subscription,
                )
            self._extend(held)


_KEEPERS: dict[str, LeaseKeeper] = {}
_KEEPERS_LOCK = threading.Lock()


def keeper_for(
    subscription: str, subscriber_factory: Callable[[], Any], lease_seconds: int = 30, max_hold_seconds: float = 1800.0
) -> LeaseKeeper:
    """The process-wide :class:`LeaseKeeper` of ``subscription`` (every DoFn instance shares it)."""
    with _KEEPERS_LOCK:
        keeper = _KEEPERS.get(subscription)
        if keeper is None:
            keeper = _KEEPERS[subscription] = LeaseKeeper(
                subscriber_factory, subscription, lease_seconds, max_hold_seconds
            )
        return keeper


class DeliveryCounter:
    """How many times each message id was delivered, kept across restarts (SQLite).

    Args:
        path: the SQLite file (``<data_dir>/pubsub-deliveries.sqlite3``).
        keep_seconds: rows older than this are removed now and then (Pub/Sub keeps messages 7 days).
    """

    def __init__(self, path: str | Path, keep_seconds: float = 8 * 86400) -> None:
        from peacewatch.files import connect_sqlite

        self.path = Path(path)
        self.keep_seconds = keep_seconds
        self._db = connect_sqlite(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)  # 0600
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS deliveries (subscription TEXT NOT NULL, message_id TEXT NOT NULL, "
            "count INTEGER NOT NULL, last REAL NOT NULL, PRIMARY KEY (subscription, message_id))"
        )
        self._lock = threading.Lock()
        self._pruned = 0.0

    def count(self, subscription: str, message_ids: Sequence[str]) -> dict[str, int]:
        """Records one more delivery of each id; returns each id's delivery count, this one included."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO deliveries VALUES (?, ?, 1, ?) ON CONFLICT (subscription, message_id) "
                    "DO UPDATE SET count = count + 1, last = excluded.last",
                    [(subscription, m, now) for m in message_ids],
                )
                marks = ",".join("?" * len(message_ids))
                rows = self._db.execute(
                    f"SELECT message_id, count FROM deliveries WHERE subscription = ? AND message_id IN ({marks})",
                    (subscription, *message_ids),
                ).fetchall()
                if now - self._pruned > 3600:
                    self._db.execute("DELETE FROM deliveries WHERE last < ?", (now - self.keep_seconds,))
                    self._pruned = now
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return dict(rows)

    def close(self) -> None:
        self._db.close()
