"""Where articles come from: files (backfill), Beam's Pub/Sub source, or a pull loop that acks late.

* :class:`ReadArticles` is the Beam read step: JSONL files, or ``ReadFromPubSub`` with
  ``id_label="article_id"`` on distributed runners, which acknowledge only after the bundle's
  results are checkpointed.
* :class:`MessagePuller` serves the local streaming loop: it pulls with
  ``subscriber.pull``, keeps the ack ids, renews their lease while a batch is processed
  (``modify_ack_deadline``) and acknowledges only what the caller says is done. A crash leaves
  the messages un-acknowledged and Pub/Sub delivers them again once the lease runs out.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Iterable, Sequence

import apache_beam as beam

from pipelines.parse import Envelope, skip_blank

logger = logging.getLogger(__name__)

_ACK_CHUNK = 1000  # ack ids per acknowledge request


class ReadArticles(beam.PTransform):
    """Raw article messages from JSONL files, or from a Pub/Sub subscription.

    Args:
        inputs: file patterns; when empty, ``subscription`` is read (streaming).
        subscription: the full subscription path.
    """

    def __init__(self, inputs: Sequence[str] | None = None, subscription: str | None = None) -> None:
        super().__init__()
        if not inputs and not subscription:
            raise ValueError("ReadArticles needs input files or a subscription")
        self.inputs = list(inputs or [])
        self.subscription = subscription

    def expand(self, pbegin):
        if self.inputs:
            files = pbegin | "Patterns" >> beam.Create(self.inputs)
            return (files
                    | "ReadLines" >> beam.io.ReadAllFromText(strip_trailing_newlines=True)
                    | "SkipBlank" >> beam.Filter(skip_blank)
                    # Breaks fusion with the file read so that workers share the NLP work.
                    | "Spread" >> beam.Reshuffle())
        return pbegin | "ReadPubSub" >> beam.io.ReadFromPubSub(
            subscription=self.subscription, id_label="article_id", with_attributes=True)


class MessagePuller:
    """Pulls micro-batches from a subscription and acknowledges them only when told.

    Args:
        subscriber: a ``SubscriberClient``.
        subscription: the full subscription path.
        lease_seconds: the ack deadline set on pulled messages and renewed while they are held.
    """

    def __init__(self, subscriber: Any, subscription: str, lease_seconds: int = 30) -> None:
        self.subscriber = subscriber
        self.subscription = subscription
        self.lease_seconds = lease_seconds
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew_loop, name="pubsub-lease", daemon=True)
        self._renewer.start()

    def pull(self, max_messages: int, max_wait: float) -> list[Envelope]:
        """Up to ``max_messages`` messages, waiting at most about ``max_wait`` seconds for the first."""
        from google.api_core import exceptions

        try:
            response = self.subscriber.pull(
                request={"subscription": self.subscription, "max_messages": max_messages},
                timeout=max(max_wait, 0.05))
        except (exceptions.DeadlineExceeded, exceptions.ServiceUnavailable):
            return []
        envelopes = []
        for received in response.received_messages:
            message = received.message
            publish_time = message.publish_time.timestamp() * 1000 if message.publish_time else None
            envelopes.append(Envelope(bytes(message.data), dict(message.attributes), received.ack_id, publish_time))
        if envelopes:
            ack_ids = [e.ack_id for e in envelopes]
            with self._lock:
                self._held.update(ack_ids)
            self._modify(ack_ids, self.lease_seconds)
        return envelopes

    def _modify(self, ack_ids: Sequence[str], seconds: int) -> None:
        for start in range(0, len(ack_ids), _ACK_CHUNK):
            self.subscriber.modify_ack_deadline(request={
                "subscription": self.subscription, "ack_ids": list(ack_ids[start:start + _ACK_CHUNK]),
                "ack_deadline_seconds": seconds})

    def acknowledge(self, ack_ids: Iterable[str]) -> int:
        ids = [a for a in dict.fromkeys(ack_ids) if a]
        for start in range(0, len(ids), _ACK_CHUNK):
            self.subscriber.acknowledge(request={"subscription": self.subscription,
                                                 "ack_ids": ids[start:start + _ACK_CHUNK]})
        with self._lock:
            self._held.difference_update(ids)
        return len(ids)

    def release(self, ack_ids: Iterable[str]) -> None:
        """Hands messages back for redelivery now (a batch that failed)."""
        ids = [a for a in dict.fromkeys(ack_ids) if a]
        with self._lock:
            self._held.difference_update(ids)
        if ids:
            self._modify(ids, 0)

    def _renew_loop(self) -> None:
        interval = max(self.lease_seconds / 3, 2.0)
        while not self._stop.wait(interval):
            with self._lock:
                held = list(self._held)
            if held:
                try:
                    self._modify(held, self.lease_seconds)
                except Exception as exc:  # noqa: BLE001 - an expired lease only means a redelivery
                    logger.warning("could not renew the lease of %d messages: %s", len(held), exc)

    def close(self) -> None:
        self._stop.set()
        self._renewer.join(timeout=5)
