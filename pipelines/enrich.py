"""Enrichment: language, relevance, entities and stances from the NLP package, in batches.

The model is loaded once per process (``apache_beam.utils.shared.Shared``, as ``RunInference``
does) and articles go through ``analyze_articles`` (``nlp.pipe``) a batch at a time. The search
fields people filter on are derived here: ``actors`` (every actor with a stance) and
``stance_pairs`` (``"France:support"``, ``"FR:support"``).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any, Callable, Iterable, Sequence

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils import shared

from pipelines.deadletters import DEAD, make_dead_letter
from pipelines.options import PIPELINE_VERSION

logger = logging.getLogger(__name__)

DEFAULT_NLP_MODULE = "pipelines.nlp"
# One handle for the whole process: every EnrichArticles (and every pipeline run in this process)
# gets the same loaded model for the same (module, model) tag.
_MODEL_HANDLE = shared.Shared()
_ANALYSIS_FIELDS = ("relevant", "relevance", "relevance_explanation", "topics", "analysed", "not_analysed_reason",
                    "entities", "countries", "country_codes", "people", "organisations", "stances")


def _resolve(module_name: str, attribute: str, submodule: str) -> Callable[..., Any]:
    module = importlib.import_module(module_name)
    found = getattr(module, attribute, None)
    if found is None:
        found = getattr(importlib.import_module(f"{module_name}.{submodule}"), attribute)
    return found


def nlp_functions(module_name: str = DEFAULT_NLP_MODULE) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``(load_nlp, analyze_articles)`` of the NLP package (``pipelines.nlp`` by default)."""
    return _resolve(module_name, "load_nlp", "model"), _resolve(module_name, "analyze_articles", "analyze")


def stance_pairs(stances: Iterable[dict[str, Any]]) -> list[str]:
    """``actor:stance`` and ``actor_code:stance`` for each stance, de-duplicated and sorted."""
    pairs = set()
    for stance in stances:
        if stance.get("actor") and stance.get("stance"):
            pairs.add(f"{stance['actor']}:{stance['stance']}")
        if stance.get("actor_code") and stance.get("stance"):
            pairs.add(f"{stance['actor_code']}:{stance['stance']}")
    return sorted(pairs)


def merge_analysis(article: dict[str, Any], analysis: dict[str, Any],
                   pipeline_version: str = PIPELINE_VERSION) -> dict[str, Any]:
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
        nlp_module: module providing ``load_nlp`` and ``analyze_articles``.
        batch_size: ``nlp.pipe`` batch size.
    """

    def __init__(self, model_name: str | None = None, nlp_module: str = DEFAULT_NLP_MODULE,
                 batch_size: int = 32) -> None:
        self.model_name = model_name
        self.nlp_module = nlp_module
        self.batch_size = batch_size
        self._model: _LoadedModel | None = None
        self._analyze: Callable[..., Any] | None = None

    def load(self) -> _LoadedModel:
        load_nlp, _ = nlp_functions(self.nlp_module)
        return _LoadedModel(load_nlp(self.model_name))

    def setup(self, model: _LoadedModel | None = None) -> None:
        """Loads the model (or adopts one shared by the process)."""
        self._analyze = nlp_functions(self.nlp_module)[1]
        self._model = model or self._model or self.load()

    def _analyze_all(self, articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        assert self._model is not None and self._analyze is not None, "call setup() first"
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
        except Exception:  # noqa: BLE001 - isolate the culprit below; each failure is dead-lettered
            logger.warning("enrichment of a batch of %d failed; retrying one by one", len(articles))
        enriched, dead = [], []
        for article in articles:
            try:
                enriched.append(merge_analysis(article, self._analyze_all([article])[0]))
            except Exception as exc:  # noqa: BLE001 - routed to the dead-letter output with its reason
                dead.append(make_dead_letter("enrich", f"{type(exc).__name__}: {exc}", article,
                                             error_type=type(exc).__name__, article_id=article.get("id"),
                                             ack_id=article.get("_ack_id")))
        return enriched, dead


_WORKER_ENRICHER: Enricher | None = None


def _start_worker(model_name: str | None, nlp_module: str, batch_size: int) -> None:
    global _WORKER_ENRICHER
    _WORKER_ENRICHER = Enricher(model_name, nlp_module, batch_size)
    _WORKER_ENRICHER.setup()


def _enrich_in_worker(articles: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    assert _WORKER_ENRICHER is not None
    return _WORKER_ENRICHER.enrich(articles)


class ParallelEnricher:
    """An :class:`Enricher` over ``processes`` worker processes, each with its own model.

    The local streaming loop uses it to put more than one core to work; a batch is split in
    contiguous parts, one per process, and the results are put back in order. Workers are
    spawned (not forked): the parent holds gRPC channels, which do not survive a fork.
    """

    def __init__(self, processes: int, model_name: str | None = None, nlp_module: str = DEFAULT_NLP_MODULE,
                 batch_size: int = 32) -> None:
        if processes < 2:
            raise ValueError("ParallelEnricher needs at least 2 processes; use Enricher for one")
        self.processes = processes
        self.args = (model_name, nlp_module, batch_size)
        self._pool = None

    def setup(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(self.processes, initializer=_start_worker, initargs=self.args)
        # Wait until every worker has loaded its model, so the first batch is not slow.
        self._pool.map(_enrich_in_worker, [[] for _ in range(self.processes)], chunksize=1)

    def enrich(self, articles: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if not articles:
            return [], []
        size = -(-len(articles) // self.processes)
        parts = [list(articles[i:i + size]) for i in range(0, len(articles), size)]
        enriched: list[dict[str, Any]] = []
        dead: list[dict[str, Any]] = []
        for part_enriched, part_dead in self._pool.map(_enrich_in_worker, parts, chunksize=1):
            enriched += part_enriched
            dead += part_dead
        return enriched, dead

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class _EnrichBatchFn(beam.DoFn):
    """Enriches a batch (from ``BatchElements``) with the process-wide model."""

    def __init__(self, shared_handle: shared.Shared, model_name: str | None, nlp_module: str, batch_size: int) -> None:
        self._shared_handle = shared_handle
        self._enricher = Enricher(model_name, nlp_module, batch_size)
        self.enriched = Metrics.counter("peacewatch", "enriched")
        self.relevant = Metrics.counter("peacewatch", "relevant")
        self.failed = Metrics.counter("peacewatch", "enrich_failed")
        self.batch_sizes = Metrics.distribution("peacewatch", "enrich_batch_size")

    def setup(self) -> None:
        tag = f"{self._enricher.nlp_module}:{self._enricher.model_name}"
        self._enricher.setup(self._shared_handle.acquire(self._enricher.load, tag=tag))

    def process(self, batch: list[dict[str, Any]]):
        self.batch_sizes.update(len(batch))
        enriched, dead = self._enricher.enrich(batch)
        self.enriched.inc(len(enriched))
        self.relevant.inc(sum(1 for a in enriched if a.get("relevant")))
        self.failed.inc(len(dead))
        yield from enriched
        for letter in dead:
            yield beam.pvalue.TaggedOutput(DEAD, letter)


class EnrichArticles(beam.PTransform):
    """Articles -> enriched articles (main output) and dead letters (``DEAD`` tag).

    Args:
        model_name: spaCy package to load (``None``: the NLP package's default).
        nlp_module: module providing ``load_nlp`` and ``analyze_articles``.
        batch_size: articles per ``nlp.pipe`` batch.
    """

    def __init__(self, model_name: str | None = None, nlp_module: str = DEFAULT_NLP_MODULE,
                 batch_size: int = 32) -> None:
        super().__init__()
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, not {batch_size}")
        self.model_name = model_name
        self.nlp_module = nlp_module
        self.batch_size = batch_size
        self._shared_handle = _MODEL_HANDLE

    def expand(self, articles):
        return (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=self.batch_size)
            | "Analyze" >> beam.ParDo(_EnrichBatchFn(self._shared_handle, self.model_name, self.nlp_module,
                                                     self.batch_size)).with_outputs(DEAD, main="enriched")
        )
