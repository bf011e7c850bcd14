"""Enrichment: language, relevance, entities and stances from the NLP package, in batches.

The model is loaded once per process (``apache_beam.utils.shared.Shared``, as ``RunInference``
does) and articles go through ``analyze_articles`` (``nlp.pipe``) a batch at a time. The search
fields people filter on are derived here: ``actors`` (every actor with a stance) and
``stance_pairs`` (``"France:support"``, ``"FR:support"``).
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils import shared
from apache_beam.utils.windowed_value import WindowedValue

from pipelines.deadletters import DEAD, make_dead_letter
from pipelines.nlp import analyze_articles, load_nlp
from pipelines.nlp.language_counts import language_key
from pipelines.options import PIPELINE_VERSION
from pipelines.sharing import SharedResources

logger = logging.getLogger(__name__)

# One handle for the whole process: every EnrichArticles (and every pipeline run in this process)
# gets the same loaded model for the same model name.
_MODEL_HANDLE = shared.Shared()
# Likewise one set of NLP processes per worker process, whatever the number of DoFn instances.
_PROCESSES = SharedResources()
_ANALYSIS_FIELDS = (
    "relevant",
    "relevance",
    "relevance_explanation",
    "relevance_classifier",
    "topics",
    "analysed",
    "not_analysed_reason",
    "entities",
    "countries",
    "country_codes",
    "people",
    "organisations",
    "missions",
    "stances",
)


def stance_pairs(stances: Iterable[dict[str, Any]]) -> list[str]:
    """``actor:stance`` and ``actor_code:stance`` for each stance, de-duplicated and sorted."""
    pairs = set()
    for stance in stances:
        if stance.get("actor") and stance.get("stance"):
            pairs.add(f"{stance['actor']}:{stance['stance']}")
        if stance.get("actor_code") and stance.get("stance"):
            pairs.add(f"{stance['actor_code']}:{stance['stance']}")
    return sorted(pairs)


def merge_analysis(
    article: dict[str, Any], analysis: dict[str, Any], pipeline_version: str = PIPELINE_VERSION
) -> dict[str, Any]:
    """The enriched article: ``article`` plus the analysis fields and derived search fields."""
    enriched = dict(article)
    for name in _ANALYSIS_FIELDS:
        if name in analysis:
            enriched[name] = analysis[name]
    if analysis.get("language") and not enriched.get("language"):
        enriched["language"] = analysis["language"]
    stances = enriched.get("stances") or []
    enriched.setdefault("entities", [])
    enriched.setdefault("countries", [])
    enriched.setdefault("people", [])
    enriched["stances"] = stances
    enriched["actors"] = sorted({s["actor"] for s in stances if s.get("actor")})
    enriched["stance_pairs"] = stance_pairs(stances)
    enriched["pipeline_version"] = pipeline_version
    return enriched


class _LoadedModel:
    """Holds the loaded NLP pipeline; ``Shared`` needs a weak-referenceable object."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.lock = threading.Lock()


class Enricher:
    """Loads the NLP model once and enriches batches of articles.

    Args:
        model_name: spaCy package (``None``: the NLP package's default).
        batch_size: ``nlp.pipe`` batch size.
        analyze: the analysis (default :func:`pipelines.nlp.analyze_articles`); tests put in one that
            fails on purpose. A module-level function, so that worker processes can unpickle it.
    """

    def __init__(
        self, model_name: str | None = None, batch_size: int = 32, analyze: Callable[..., Any] | None = None
    ) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self._analyze = analyze or analyze_articles
        self._model: _LoadedModel | None = None

    def load(self) -> _LoadedModel:
        return _LoadedModel(load_nlp(self.model_name))

    def setup(self, model: _LoadedModel | None = None) -> None:
        """Loads the model (or adopts one shared by the process)."""
        self._model = model or self._model or self.load()

    def _analyze_all(self, articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        assert self._model is not None, "call setup() first"
        with self._model.lock:  # nlp.pipe is not thread-safe; DoFn threads share the model
            results = list(self._analyze(self._model.nlp, articles, batch_size=self.batch_size))
        if len(results) != len(articles):
            raise RuntimeError(f"analyzer returned {len(results)} results for {len(articles)} articles")
        return results

    def enrich(self, articles: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Returns ``(enriched articles, dead letters)``; an article the analyzer fails on is isolated.

        A failing batch is retried article by article so that one bad text dead-letters alone.
        """
        if not articles:
            return [], []
        try:
            return [merge_analysis(a, r) for a, r in zip(articles, self._analyze_all(articles))], []
        except Exception:
            logger.warning("enrichment of a batch of %d failed; retrying one by one", len(articles))
        enriched, dead = [], []
        for article in articles:
            try:
                enriched.append(merge_analysis(article, self._analyze_all([article])[0]))
            except Exception as exc:
                dead.append(
                    make_dead_letter(
                        "enrich",
                        f"{type(exc).__name__}: {exc}",
                        article,
                        error_type=type(exc).__name__,
                        article_id=article.get("id"),
                        ack_id=article.get("_ack_id"),
                    )
                )
        return enriched, dead


_WORKER_ENRICHER: Enricher | None = None


def _start_worker(model_name: str | None, batch_size: int, analyze: Callable[..., Any] | None) -> None:
    global _WORKER_ENRICHER
    _WORKER_ENRICHER = Enricher(model_name, batch_size, analyze)
    _WORKER_ENRICHER.setup()


def _enrich_in_worker(articles: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    assert _WORKER_ENRICHER is not None
    return _WORKER_ENRICHER.enrich(articles)


def _split(articles: Sequence[dict[str, Any]], parts: int) -> list[list[dict[str, Any]]]:
    """``articles`` in at most ``parts`` contiguous, nearly equal parts (none empty)."""
    size = -(-len(articles) // parts)
    return [list(articles[i : i + size]) for i in range(0, len(articles), size)]


class ParallelEnricher:
    """An :class:`Enricher` over ``processes`` worker processes, each with its own model.

    :meth:`enrich` splits a batch in contiguous parts, one per process, and puts the results back
    in order. The Beam step hands out parts of batches with :meth:`submit` and keeps several in
    flight, so that parsing and indexing in the parent overlap with the analysis. Workers are spawned
    (not forked): the parent holds gRPC channels, which do not survive a fork.
    """

    def __init__(
        self,
        processes: int,
        model_name: str | None = None,
        batch_size: int = 32,
        analyze: Callable[..., Any] | None = None,
    ) -> None:
        if processes < 2:
            raise ValueError("ParallelEnricher needs at least 2 processes; use Enricher for one")
        self.processes = processes
        self.args = (model_name, batch_size, analyze)
        self._pool = None
        self._lock = threading.Lock()

    def setup(self) -> None:
        import multiprocessing

        with self._lock:
            if self._pool is None:
                self._start(multiprocessing.get_context("spawn"))

    def _start(self, context: Any) -> None:
        self._pool = context.Pool(self.processes, initializer=_start_worker, initargs=self.args)
        # Wait until every worker has loaded its model, so the first batch is not slow.
        self._pool.map(_enrich_in_worker, [[] for _ in range(self.processes)], chunksize=1)

    def enrich(self, articles: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Like :meth:`Enricher.enrich`, the batch shared out between the processes."""
        if not articles:
            return [], []
        assert self._pool is not None, "call setup() first"
        parts = _split(articles, self.processes)
        enriched: list[dict[str, Any]] = []
        dead: list[dict[str, Any]] = []
        for part_enriched, part_dead in self._pool.map(_enrich_in_worker, parts, chunksize=1):
            enriched += part_enriched
            dead += part_dead
        return enriched, dead

    def submit(self, articles: Sequence[dict[str, Any]]) -> Any:
        """Starts enriching ``articles`` in one worker; ``.get()`` on the result gives ``enrich``'s pair."""
        assert self._pool is not None, "call setup() first"
        return self._pool.apply_async(_enrich_in_worker, (list(articles),))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def close_parallel_enrichers() -> None:
    """Stops the NLP processes of this process's enrichers (a streaming job that was cancelled
    does not tear its DoFns down)."""
    _PROCESSES.close_all()


class _EnrichBatchFn(beam.DoFn):
    """Enriches a batch (from ``BatchElements``).

    With one NLP process the model is the process-wide one (``Shared``). With more, a
    :class:`ParallelEnricher` is started in ``setup()`` (each worker loads the model once) and
    stopped in ``teardown()``. Each batch is split between the workers and submitted at once; up
    to two parts per worker are in flight, and their results are emitted in order, with the
    batch's own timestamp and window, as they complete (the rest in ``finish_bundle``). Parsing and
    indexing in this process overlap with the analysis.
    """

    def __init__(
        self,
        shared_handle: shared.Shared,
        model_name: str | None,
        batch_size: int,
        processes: int = 1,
        analyze: Callable[..., Any] | None = None,
    ) -> None:
        self._shared_handle = shared_handle
        self._model_name = model_name
        self._analyze = analyze
        self._batch_size = batch_size
        self._processes = processes
        self._enricher: Enricher | ParallelEnricher | None = None
        self._in_flight: collections.deque = collections.deque()
        self.enriched = Metrics.counter("peacewatch", "enriched")
        self.relevant = Metrics.counter("peacewatch", "relevant")
        self.failed = Metrics.counter("peacewatch", "enrich_failed")
        self.batch_sizes = Metrics.distribution("peacewatch", "enrich_batch_size")
        self._language_counters: dict[str, Any] = {}

    def _count_language(self, article: dict[str, Any]) -> None:
        key = language_key(article)
        counter = self._language_counters.get(key)
        if counter is None:
            counter = self._language_counters[key] = Metrics.counter("peacewatch", key)
        counter.inc()

    def setup(self) -> None:
        analysis = getattr(self._analyze, "__qualname__", "default")
        if self._processes > 1:
            self._tag = f"{analysis}:{self._model_name}:{self._processes}:{self._batch_size}"
            self._enricher = _PROCESSES.acquire(
                self._tag, lambda: ParallelEnricher(self._processes, self._model_name, self._batch_size, self._analyze)
            )
            self._enricher.setup()  # once per process: the others find it started
            return
        self._enricher = Enricher(self._model_name, self._batch_size, self._analyze)
        self._enricher.setup(self._shared_handle.acquire(self._enricher.load, tag=str(self._model_name)))

    def start_bundle(self) -> None:
        self._in_flight = collections.deque()

    def process(self, batch: list[dict[str, Any]], timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        self.batch_sizes.update(len(batch))
        if not isinstance(self._enricher, ParallelEnricher):
            yield from self._outputs(*self._enricher.enrich(batch))
            return
        for part in _split(batch, self._processes):
            self._in_flight.append((self._enricher.submit(part), timestamp, window))
        while self._in_flight and (len(self._in_flight) > 2 * self._processes or self._in_flight[0][0].ready()):
            yield from self._completed()

    def finish_bundle(self):
        while self._in_flight:
            yield from self._completed()

    def teardown(self) -> None:
        if isinstance(self._enricher, ParallelEnricher):
            _PROCESSES.release(self._tag)  # the last user stops the processes
        self._enricher = None

    def _completed(self):
        """The outputs of the oldest part in flight (waiting for it), as windowed values."""
        result, timestamp, window = self._in_flight.popleft()
        for value in self._outputs(*result.get()):
            if isinstance(value, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(value.tag, WindowedValue(value.value, timestamp, (window,)))
            else:
                yield WindowedValue(value, timestamp, (window,))

    def _outputs(self, enriched: list[dict[str, Any]], dead: list[dict[str, Any]]):
        self.enriched.inc(len(enriched))
        self.relevant.inc(sum(1 for a in enriched if a.get("relevant")))
        for article in enriched:
            self._count_language(article)
        self.failed.inc(len(dead))
        yield from enriched
        for letter in dead:
            yield beam.pvalue.TaggedOutput(DEAD, letter)


class EnrichArticles(beam.PTransform):
    """Articles -> enriched articles (main output) and dead letters (``DEAD`` tag).

    Args:
        model_name: spaCy package to load (``None``: the NLP package's default).
        batch_size: articles per ``nlp.pipe`` batch (and per batch handed to an NLP process).
        processes: NLP processes per DoFn instance; above 1, a :class:`ParallelEnricher` runs the
            model in that many worker processes (same output as one process, in the same order).
        analyze: the analysis (default :func:`pipelines.nlp.analyze_articles`; tests only).
    """

    def __init__(
        self,
        model_name: str | None = None,
        batch_size: int = 32,
        processes: int = 1,
        analyze: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__()
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, not {batch_size}")
        if processes <= 0:
            raise ValueError(f"processes must be positive, not {processes}")
        self.model_name = model_name
        self.batch_size = batch_size
        self.processes = processes
        self.analyze = analyze
        self._shared_handle = _MODEL_HANDLE

    def expand(self, articles):
        # One process: batches grow adaptively up to batch_size. Several: full batches from the
        # start, since each one is a task for a worker and small ones only add round trips.
        min_batch = 1 if self.processes == 1 else self.batch_size
        return (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=min_batch, max_batch_size=self.batch_size)
            | "Analyze"
            >> beam.ParDo(
                _EnrichBatchFn(self._shared_handle, self.model_name, self.batch_size, self.processes, self.analyze)
            ).with_outputs(DEAD, main="enriched")
        )
