"""MatchAlertRules / the local loop hand indexed articles to the alerts engine (which owns the rest)."""

from __future__ import annotations

import pytest

import peacewatch.cli
from pipelines.match_alerts import alerts_wanted
from tests.pipelines.support import SAMPLE, count


@pytest.fixture
def rules(provisioned):
    from pipelines.alerts.rules import Rule, RuleStore, default_rules_path

    path = default_rules_path(provisioned)
    RuleStore(path).add(Rule(name="pk", query="peacekeeping"))
    return path


def test_backfill_with_alerts(provisioned, es, rules, capsys):
    assert alerts_wanted(provisioned, None)  # on by default once a rules file exists
    assert peacewatch.cli.main(["run", "--input", str(SAMPLE)]) == 0
    assert "alerts=5" in capsys.readouterr().err
    assert count(es, provisioned.index("alerts")) == 5  # the five sample articles about peacekeeping
