"""Matching rules on indexed articles: keyword matches, stance changes, spikes; and, for tools
and tests, delivery in the same call.

    engine = AlertEngine(settings, RuleFileWatcher(path))   # in DoFn.setup()
    engine.setup(deliver=False)                              # the pipeline: matching only
    alerts = engine.match(articles)                          # per batch
    engine.close()                                           # in DoFn.teardown()

The pipeline records the alerts (``AlertRecorder``: index and topic) before it acknowledges the
articles, and delivers them in a step of its own (``pipelines/deliver_alerts.py``).
``engine.setup()`` then ``engine.process(articles)`` does all of it at once (record and deliver),
for one-off tools and tests.

The rules are re-read when the rules file changes (see :class:`RuleFileWatcher`); the matcher and
the channels are rebuilt only then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipelines.alerts.analysis import analyze
from pipelines.alerts.delivery import AlertDispatcher, alert_id, build_alert
from pipelines.alerts.matcher import Match, RuleMatcher
from pipelines.alerts.render import make_snippet
from pipelines.alerts.rules import KINDS, Rule, RuleFileWatcher
from pipelines.alerts.spikes import SpikeCounter, article_hour, is_spike
from pipelines.alerts.stance_change import ActorStance, StanceStateStore, detect_stance_changes

logger = logging.getLogger(__name__)


class AlertEngine:
    """Matches rules on batches of enriched articles and delivers the alerts.

    Args:
        settings: ``Settings``.
        rules: a fixed list of rules, or a :class:`RuleFileWatcher` to follow a rules file.
        clock: seconds since the epoch (tests).
        **dispatcher_options: passed to :class:`AlertDispatcher` (``clients``, ``max_age_seconds``).
    """

    def __init__(
        self,
        settings: Any,
        rules: Iterable[Rule] | RuleFileWatcher,
        clock: Callable[[], float] = time.time,
        **dispatcher_options: Any,
    ) -> None:
        self.settings = settings
        self.watcher = rules if isinstance(rules, RuleFileWatcher) else None
        self._fixed = None if self.watcher else list(rules)  # type: ignore[arg-type]
        self.clock = clock
        self.dispatcher_options = dispatcher_options
        self.dispatcher: AlertDispatcher | None = None
        self.matcher: RuleMatcher | None = None
        self.rules: dict[str, Rule] = {}
        self._version = -1
        self._stances: StanceStateStore | None = None
        self._spikes: SpikeCounter | None = None
        self._stance_cache: dict[str, dict[str, ActorStance]] = {}

    def setup(self, deliver: bool = True) -> None:
        """Opens the state stores and, with ``deliver``, the dispatcher's clients and channels."""
        data = Path(self.settings.data_dir)
        self._stances = StanceStateStore(data / "alerts-stances.sqlite3")
        self._spikes = SpikeCounter(data / "alerts-spikes.sqlite3")
        if deliver:
            self.dispatcher = AlertDispatcher(self.settings, [], clock=self.clock, **self.dispatcher_options)
            self.dispatcher.setup()
        self._refresh()

    def _refresh(self) -> None:
        if self.watcher is None:
            if self._version == -1:
                self._install(self._fixed or [])
                self._version = 0
            return
        rules = self.watcher.current()
        if self.watcher.version != self._version:
            self._install(rules)
            self._version = self.watcher.version

    def _install(self, rules: list[Rule]) -> None:
        active = [r for r in rules if r.enabled]
        self.rules = {r.name: r for r in active}
        self.matcher = RuleMatcher(active, kinds=KINDS)
        self._stance_cache.clear()
        if self.dispatcher is not None:
            self.dispatcher.set_rules(active)
        logger.info("alert rules in force: %d", len(active))

    def process(self, articles: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Matches, records and delivers; returns ``(alerts, dead_letters)``."""
        if self.dispatcher is None:
            raise RuntimeError("AlertEngine.setup() was not called (with deliver=True)")
        alerts = self.match(articles)
        return alerts, self.dispatcher.dispatch(alerts)

    def match(self, articles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The alerts ``articles`` raise (keyword matches, stance changes, spikes), not delivered."""
        if self.matcher is None:
            raise RuntimeError("AlertEngine.setup() was not called")
        self._refresh()
        self._stance_cache.clear()  # other processes on this host may have moved the state on
        now = self.clock()
        alerts: list[dict[str, Any]] = []
        for article, matches in zip(articles, self.matcher.match_batch(articles)):
            for match in matches:
                rule = self.rules[match.rule]
                if rule.kind == "match":
                    alerts.append(build_alert(rule, article, match, self.settings, now))
                elif rule.kind == "stance_change":
                    alerts.extend(self._stance_alerts(rule, article, match, now))
                elif rule.kind == "spike":
                    alerts.extend(self._spike_alerts(rule, article, match, now))
        return alerts

    def _stance_alerts(self, rule: Rule, article: Mapping[str, Any], match: Match, now: float) -> list[dict[str, Any]]:
        assert self._stances is not None
        state = self._stance_cache.get(rule.name)
        if state is None:
            state = self._stance_cache[rule.name] = self._stances.load(rule.name)
        events, new_state = detect_stance_changes(
            state, article, actor=rule.actor, min_confidence=rule.min_confidence, mission=rule.mission
        )
        changed = {k: v for k, v in new_state.items() if state.get(k) != v}
        if changed:
            self._stances.save(rule.name, changed)
            self._stance_cache[rule.name] = new_state
        out = []
        for event in events:
            keyed = Match(match.rule, (*match.matched_terms, event.actor), event.key)
            alert = build_alert(
                rule, article, keyed, self.settings, now, "stance_change", event.details(article), event.key
            )
            if event.evidence:  # what a consumer shows as the excerpt: the sentence that says it
                alert["snippet"] = make_snippet({"text": event.evidence}, analyze(event.actor))
            out.append(alert)
        return out

    def _spike_alerts(self, rule: Rule, article: Mapping[str, Any], match: Match, now: float) -> list[dict[str, Any]]:
        assert self._spikes is not None
        hour = article_hour(article, now)
        count = self._spikes.add(rule.name, str(article.get("id")), hour)
        if count is None:
            return []
        history = self._spikes.history(rule.name, hour, rule.spike_baseline_hours)
        check = is_spike(count, history, rule.spike_k, rule.spike_min_count, hour)
        if not check.spike or is_spike(count - 1, history, rule.spike_k, rule.spike_min_count).spike:
            return []
        details = {
            "term": rule.effective_query,
            "hour": hour,
            "count": count,
            "mean": check.mean,
            "std": check.std,
            "threshold": check.threshold,
            "baseline_hours": rule.spike_baseline_hours,
        }
        alert = build_alert(rule, article, match, self.settings, now, "spike", details, str(hour))
        alert["id"] = alert_id(rule.name, None, "spike", str(hour))  # one spike per rule and hour
        return [alert]

    def flush_digests(self, now: float | None = None) -> list[dict[str, Any]]:
        """Sends digests whose period ended; returns dead letters."""
        assert self.dispatcher is not None
        return self.dispatcher.flush_digests(now)

    def close(self) -> None:
        """Closes the dispatcher and the state stores."""
        if self.dispatcher is not None:
            self.dispatcher.close()
        for store in (self._stances, self._spikes):
            if store is not None:
                store.close()
        self._stances = self._spikes = None
