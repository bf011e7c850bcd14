"""Alert matching after indexing: a thin wire into the alerts package, which owns the semantics.

``pipelines.alerts.engine.AlertEngine`` matches rules (keyword, stance change, spike) on a batch of
indexed articles and delivers the alerts; rules come from the rules file (``<data_dir>/alerts.yaml``
by default, re-read when it changes). Delivery failures come back as dead letters, which join the
pipeline's dead-letter output. When the alerts package is absent the pipeline runs without it.
"""

from __future__ import annotations

import importlib
import logging
import time
from pathlib import Path
from typing import Any, Sequence

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import WindowedValue

from pipelines.deadletters import DEAD
from schemas.settings import Settings

logger = logging.getLogger(__name__)


def alerts_available() -> bool:
    """True when the alerts package (its engine and rules) is installed."""
    try:
        importlib.import_module("pipelines.alerts.engine")
        importlib.import_module("pipelines.alerts.rules")
    except ImportError:
        return False
    return True


def rules_path(settings: Settings, explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    from pipelines.alerts.rules import default_rules_path

    return Path(default_rules_path(settings))


def alerts_wanted(settings: Settings, flag: bool | None, explicit_rules: str | None = None) -> bool:
    """``--alerts``/``--no-alerts`` when given, else on when the package and a rules file exist."""
    if flag is not None:
        return flag
    return alerts_available() and rules_path(settings, explicit_rules).exists()


class AlertStep:
    """Hands batches of indexed articles to the alerts engine.

    Args:
        settings: where alerts are delivered and state is kept.
        rules_file: the rules file (default ``<data_dir>/alerts.yaml``).
    """

    def __init__(self, settings: Settings, rules_file: str | None = None) -> None:
        self.settings = settings
        self.rules_file = rules_file
        self._engine = None

    def setup(self) -> None:
        from pipelines.alerts.engine import AlertEngine
        from pipelines.alerts.rules import RuleFileWatcher

        self._engine = AlertEngine(self.settings, RuleFileWatcher(rules_path(self.settings, self.rules_file)))
        self._engine.setup()

    def process(self, documents: Sequence[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        """Returns ``(alerts made, dead letters of failed deliveries)``."""
        if not documents:
            return 0, []
        alerts, dead = self._engine.process(documents)
        return len(alerts), list(dead or [])

    def flush(self) -> list[dict[str, Any]]:
        """Sends digests whose period ended; returns dead letters."""
        return list(self._engine.flush_digests(time.time()) or []) if self._engine is not None else []

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


class _MatchAlertRulesFn(beam.DoFn):
    def __init__(self, settings: Settings, rules_file: str | None) -> None:
        self.settings = settings
        self.rules_file = rules_file
        self.alerts = Metrics.counter("peacewatch", "alerts")
        self.failed = Metrics.counter("peacewatch", "alert_delivery_failed")

    def setup(self) -> None:
        self._step = AlertStep(self.settings, self.rules_file)
        self._step.setup()

    def start_bundle(self) -> None:
        self._buffer: list[dict[str, Any]] = []

    def process(self, document: dict[str, Any]):
        self._buffer.append(document)
        if len(self._buffer) >= 100:
            yield from self._flush(in_process=True)

    def finish_bundle(self):
        yield from self._flush(in_process=False)

    def _flush(self, in_process: bool):
        buffer, self._buffer = self._buffer, []
        count, dead = self._step.process(buffer)
        if not in_process:
            dead += self._step.flush()
        self.alerts.inc(count)
        self.failed.inc(len(dead))
        for letter in dead:
            # Dead letters are not windowed data; outside process() a window must be named.
            yield beam.pvalue.TaggedOutput(DEAD, letter if in_process else WindowedValue(letter, 0, (GlobalWindow(),)))

    def teardown(self) -> None:
        self._step.close()


class MatchAlertRules(beam.PTransform):
    """Indexed articles -> alerts delivered by the alerts package; outputs delivery dead letters (``DEAD``).

    Args:
        settings: where alerts go and the alerts state lives.
        rules_file: the rules file (default ``<data_dir>/alerts.yaml``).
    """

    def __init__(self, settings: Settings, rules_file: str | None = None) -> None:
        super().__init__()
        if not alerts_available():
            raise ValueError("the alerts package (pipelines.alerts.engine) is not installed")
        self.settings = settings
        self.rules_file = rules_file

    def expand(self, documents):
        return documents | "Match" >> beam.ParDo(
            _MatchAlertRulesFn(self.settings, self.rules_file)).with_outputs(DEAD, main="unused")
