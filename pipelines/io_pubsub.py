"""Where articles come from and how their messages are acknowledged.

* :class:`ReadArticles`: JSONL files (a backfill), or a Pub/Sub subscription read by
  :class:`PullFromPubSub`.
* :class:`PullFromPubSub` is a source every runner can run (Prism, Flink, Dataflow), built
  from plain transforms: ``PeriodicImpulse`` ticks, fanned out to ``shards`` keys and spread with
  ``Reshuffle``, each tick pulling up to ``max_messages`` with a short timeout (a long one blocks on
  an empty subscription). Python's ``ReadFromPubSub`` does not run on portable runners, and where it
  runs it acknowledges on its own schedule; here nothing is acknowledged on pull. Pulled messages
  are held by the process's :class:`~pipelines.leases.LeaseKeeper` (leases extended, at most
  ``max_outstanding`` held: flow control) until :class:`AcknowledgeMessages` acknowledges them,
  after their article was indexed or dead-lettered. A message delivered more than
  ``max_delivery_attempts`` times comes out marked as poison, for the dead letters.
* :class:`AcknowledgeMessages` acknowledges the ``_ack_id`` of what reaches it (indexed articles,
  written dead letters) at the end of each bundle.

Acknowledging after the write rather than in a bundle-finalisation callback works on every runner:
Prism calls finalisation callbacks only for the DoFn that consumes a stage's input (a DoFn fused
behind it never gets its callback), and Flink's portable runner does not call them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from peacewatch.retry import retry_transient
from peacewatch.settings import Settings
from pipelines.leases import DeliveryCounter, chunks, keeper_for
from pipelines.parse import Envelope, skip_blank

logger = logging.getLogger(__name__)

ACK_RETRY_SECONDS = 10.0  # a few tries: an acknowledgement that fails only means a redelivery


@dataclasses.dataclass(frozen=True)
class PullConfig:
    """How a subscription is read.

    Attributes:
        shards: parallel pulls per tick (at least the number of workers, so that all of them pull).
        interval_seconds: time between ticks; with ``pull_timeout`` it bounds the wait of a new message.
        max_messages: messages per pull.
        max_outstanding: messages held (pulled, not yet acknowledged) per worker process at most.
        lease_seconds: ack deadline of held messages, extended while they are held.
        max_hold_seconds: a message held longer is let go and delivered again later.
        pull_timeout: seconds one pull may wait.
        max_delivery_attempts: a message delivered more often than this is poison (0: never).
        metric_prefix: prefix of this source's counters (``pulled``, ``acked``, ...).
    """

    shards: int = 2
    interval_seconds: float = 0.25
    max_messages: int = 100
    max_outstanding: int = 1000
    lease_seconds: int = 30
    max_hold_seconds: float = 1800.0
    pull_timeout: float = 1.0
    max_delivery_attempts: int = 5
    metric_prefix: str = ""

    def __post_init__(self) -> None:
        if self.shards <= 0 or self.max_messages <= 0 or self.max_outstanding <= 0:
            raise ValueError("shards, max_messages and max_outstanding must be positive")
        if self.interval_seconds <= 0 or self.pull_timeout <= 0:
            raise ValueError("interval_seconds and pull_timeout must be positive")
        if not 10 <= self.lease_seconds <= 600:
            raise ValueError("lease_seconds must be between 10 and 600 (Pub/Sub's limits)")


def poison_reason(attempts: int, limit: int) -> str:
    return (
        f"delivered {attempts} times without being acknowledged (limit {limit}): each earlier attempt "
        "ended before the article was indexed (a crash, a hang, a worker killed)"
    )


class Puller:
    """Pulls from one subscription for a worker; shared by the article source and alert delivery.

    Args:
        settings: where Pub/Sub is, and the data folder (delivery counts).
        subscription: the full subscription path.
        config: the :class:`PullConfig`.
    """

    def __init__(self, settings: Settings, subscription: str, config: PullConfig) -> None:
        self.settings = settings
        self.subscription = subscription
        self.config = config
        self.subscriber = None
        self.keeper = None
        self.counter: DeliveryCounter | None = None

    def setup(self) -> None:
        from peacewatch.clients import subscriber_client

        self.subscriber = subscriber_client(self.settings)
        self.keeper = keeper_for(
            self.subscription,
            lambda: subscriber_client(self.settings),
            self.config.lease_seconds,
            self.config.max_hold_seconds,
        )

    def _delivery_counts(self, messages: Sequence[Any]) -> list[int]:
        """``delivery_attempt`` where the subscription has a dead-letter policy, else counted by message id."""
        attempts = [int(m.delivery_attempt or 0) for m in messages]
        if all(attempts) or not self.config.max_delivery_attempts:
            return attempts
        if self.counter is None:
            self.counter = DeliveryCounter(Path(self.settings.data_dir) / "pubsub-deliveries.sqlite3")
        counts = self.counter.count(self.subscription, [m.message.message_id for m in messages])
        return [a or counts.get(m.message.message_id, 1) for a, m in zip(attempts, messages)]

    def pull(self) -> tuple[str, list[Envelope]]:
        """One pull within flow control; returns ``(kind, envelopes)``.

        ``kind`` is ``messages``, ``idle`` (nothing to pull and nothing held), ``busy`` (nothing
        pulled but messages are held, or the flow-control limit is reached) or ``error``.
        """
        from google.api_core import exceptions

        if self.keeper is None or self.subscriber is None:  # closed (the job is stopping)
            return "error", []
        room = min(self.config.max_outstanding - self.keeper.outstanding(), self.config.max_messages)
        if room <= 0:
            return "busy", []
        try:
            response = self.subscriber.pull(
                request={"subscription": self.subscription, "max_messages": room},
                timeout=self.config.pull_timeout,
                retry=None,
            )
        except exceptions.DeadlineExceeded:
            response = None
        except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
            logger.warning("pull from %s failed: %s", self.subscription, str(exc)[:300])
            return "error", []
        received = list(response.received_messages) if response is not None else []
        if not received:
            return ("busy" if self.keeper.outstanding() else "idle"), []
        self.keeper.hold([r.ack_id for r in received])
        envelopes = []
        for message, attempt in zip(received, self._delivery_counts(received)):
            data = message.message
            publish_ms = data.publish_time.timestamp() * 1000 if data.publish_time else None
            limit_ = self.config.max_delivery_attempts
            rejected = poison_reason(attempt, limit_) if limit_ and attempt > limit_ else None
            envelopes.append(
                Envelope(
                    bytes(data.data),
                    dict(data.attributes),
                    message.ack_id,
                    publish_ms,
                    data.message_id,
                    attempt,
                    rejected,
                )
            )
        return "messages", envelopes

    def acknowledge(self, ack_ids: Sequence[str]) -> int:
        """Acknowledges ``ack_ids`` (retried a little); returns how many were acknowledged."""
        from google.api_core import exceptions

        ids = [a for a in dict.fromkeys(ack_ids) if a]
        if not ids:
            return 0
        if self.keeper is None or self.subscriber is None:  # closed: the messages come back later
            return 0
        self.keeper.release(ids)
        done = 0
        for part in chunks(ids):
            request = {"subscription": self.subscription, "ack_ids": part}
            try:
                retry_transient(
                    lambda r=request: self.subscriber.acknowledge(request=r, timeout=30),
                    "acknowledging",
                    ACK_RETRY_SECONDS,
                    attempts=3,
                )
                done += len(part)
            except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
                # the message comes back later; writes by id make that harmless
                logger.warning(
                    "could not acknowledge %d messages on %s: %s", len(part), self.subscription, str(exc)[:300]
                )
        return done

    def hand_back(self, ack_ids: Sequence[str], delay_seconds: float = 0) -> None:
        """Lets messages go, to be delivered again after about ``delay_seconds`` (at most 600)."""
        ids = [a for a in dict.fromkeys(ack_ids) if a]
        if not ids:
            return
        if self.keeper is None or self.subscriber is None:
            return
        self.keeper.release(ids)
        seconds = int(min(max(delay_seconds, 0), 600))
        try:
            for part in chunks(ids):
                self.subscriber.modify_ack_deadline(
                    request={"subscription": self.subscription, "ack_ids": part, "ack_deadline_seconds": seconds},
                    timeout=30,
                )
        except Exception as exc:
            logger.warning("could not hand back %d messages on %s: %s", len(ids), self.subscription, exc)

    def close(self) -> None:
        if self.subscriber is not None:
            self.subscriber.close()
            self.subscriber = None
        if self.counter is not None:
            self.counter.close()
            self.counter = None


class SourceCounters:
    """The counters of one pull source: ``<prefix>pulled``, ``released``, ``poison`` and the polls that
    found nothing (``polls_idle``: nothing held either; ``polls_busy``: messages held or flow control
    full; ``polls_error``), which tell the watcher that the source runs."""

    def __init__(self, prefix: str) -> None:
        self.pulled = Metrics.counter("peacewatch", f"{prefix}pulled")
        self.released = Metrics.counter("peacewatch", f"{prefix}released")
        self.poison = Metrics.counter("peacewatch", f"{prefix}poison")
        self.polls = {
            kind: Metrics.counter("peacewatch", f"{prefix}polls_{kind}") for kind in ("idle", "busy", "error")
        }

    def count_poll(self, kind: str, puller: Puller, envelopes: Sequence[Envelope] = ()) -> None:
        expired = puller.keeper.take_expired() if puller.keeper is not None else 0
        if expired:
            self.released.inc(expired)
        if kind == "messages":
            self.pulled.inc(len(envelopes))
            self.poison.inc(sum(1 for e in envelopes if e.rejected))
        else:
            self.polls[kind].inc()


class _PullMessagesFn(beam.DoFn):
    """Each tick: one pull within flow control; yields :class:`Envelope` (poison ones marked ``rejected``)."""

    def __init__(self, settings: Settings, subscription: str, config: PullConfig) -> None:
        self.settings = settings
        self.subscription = subscription
        self.config = config
        self.counters = SourceCounters(config.metric_prefix)

    def setup(self) -> None:
        self._puller = Puller(self.settings, self.subscription, self.config)
        self._puller.setup()

    def process(self, shard: Any):
        kind, envelopes = self._puller.pull()
        self.counters.count_poll(kind, self._puller, envelopes)
        yield from envelopes

    def teardown(self) -> None:
        self._puller.close()


class Tick(beam.PTransform):
    """``shards`` keyed ticks every ``interval_seconds``, spread over the workers (``Reshuffle``)."""

    def __init__(self, shards: int, interval_seconds: float) -> None:
        super().__init__()
        self.shards = shards
        self.interval_seconds = interval_seconds

    def expand(self, pbegin):
        from apache_beam.transforms.periodicsequence import PeriodicImpulse, RebaseMode
        from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

        shards = self.shards
        return (
            pbegin
            | "Impulse"
            >> PeriodicImpulse(
                start_timestamp=Timestamp.now(),
                stop_timestamp=MAX_TIMESTAMP,
                fire_interval=self.interval_seconds,
                rebase=RebaseMode.REBASE_START,
            )
            | "Shards" >> beam.FlatMap(lambda _, n=shards: range(n))
            | "Spread" >> beam.Reshuffle()
        )


class PullFromPubSub(beam.PTransform):
    """Messages of a subscription as :class:`Envelope`, not acknowledged (see :class:`AcknowledgeMessages`).

    Args:
        settings: where Pub/Sub is.
        subscription: the full subscription path.
        config: shards, tick interval, flow control, leases, poison limit.
    """

    def __init__(self, settings: Settings, subscription: str, config: PullConfig | None = None) -> None:
        super().__init__()
        if not subscription.startswith("projects/") or "/subscriptions/" not in subscription:
            raise ValueError(f"not a subscription path: {subscription!r}")
        self.settings = settings
        self.subscription = subscription
        self.config = config or PullConfig()

    def expand(self, pbegin):
        return (
            pbegin
            | "Tick" >> Tick(self.config.shards, self.config.interval_seconds)
            | "Pull" >> beam.ParDo(_PullMessagesFn(self.settings, self.subscription, self.config))
        )


class _AcknowledgeFn(beam.DoFn):
    """Collects the ``_ack_id`` of each element and acknowledges them at the end of the bundle."""

    def __init__(self, settings: Settings, subscription: str, config: PullConfig) -> None:
        self.settings = settings
        self.subscription = subscription
        self.config = config
        self.acked = Metrics.counter("peacewatch", f"{config.metric_prefix}acked")
        self.released = Metrics.counter("peacewatch", f"{config.metric_prefix}released")

    def setup(self) -> None:
        self._puller = Puller(self.settings, self.subscription, self.config)
        self._puller.setup()

    def start_bundle(self) -> None:
        self._ack_ids: list[str] = []

    def process(self, element: Any) -> None:
        ack_id = element.get("_ack_id") if isinstance(element, dict) else None
        if ack_id:
            self._ack_ids.append(ack_id)
            if len(self._ack_ids) >= 1000:
                self._flush()

    def finish_bundle(self) -> None:
        self._flush()

    def _flush(self) -> None:
        ids, self._ack_ids = list(dict.fromkeys(self._ack_ids)), []
        if ids:
            done = self._puller.acknowledge(ids)
            self.acked.inc(done)
            self.released.inc(len(ids) - done)

    def teardown(self) -> None:
        self._puller.close()


class AcknowledgeMessages(beam.PTransform):
    """Acknowledges the messages of the elements that reach it (their ``_ack_id``).

    Apply it to what is finished: indexed articles after the steps that must precede the
    acknowledgement, and written dead letters.
    """

    def __init__(self, settings: Settings, subscription: str, config: PullConfig | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.subscription = subscription
        self.config = config or PullConfig()

    def expand(self, finished):
        return finished | "Acknowledge" >> beam.ParDo(_AcknowledgeFn(self.settings, self.subscription, self.config))


class ReadArticles(beam.PTransform):
    """Raw article messages from JSONL files, or from a Pub/Sub subscription.

    Args:
        inputs: file patterns; when empty, ``subscription`` is read (streaming).
        subscription: the full subscription path.
        settings: where Pub/Sub is (needed with ``subscription``).
        pull: how the subscription is read.
    """

    def __init__(
        self,
        inputs: Sequence[str] | None = None,
        subscription: str | None = None,
        settings: Settings | None = None,
        pull: PullConfig | None = None,
    ) -> None:
        super().__init__()
        if not inputs and not subscription:
            raise ValueError("ReadArticles needs input files or a subscription")
        if subscription and not inputs and settings is None:
            raise ValueError("reading a subscription needs the settings (where Pub/Sub is)")
        self.inputs = list(inputs or [])
        self.subscription = subscription
        self.settings = settings
        self.pull = pull or PullConfig()

    def expand(self, pbegin):
        if self.inputs:
            files = pbegin | "Patterns" >> beam.Create(self.inputs)
            return (
                files
                | "ReadLines" >> beam.io.ReadAllFromText(strip_trailing_newlines=True)
                | "SkipBlank" >> beam.Filter(skip_blank)
                # Breaks fusion with the file read so that workers share the NLP work.
                | "Spread" >> beam.Reshuffle()
            )
        return pbegin | "PullMessages" >> PullFromPubSub(self.settings, self.subscription, self.pull)
