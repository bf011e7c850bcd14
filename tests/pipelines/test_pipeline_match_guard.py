"""The alert-matching guard: an article whose matching never ends costs a child process, not the stream."""

from __future__ import annotations

import multiprocessing

from pipelines.match_alerts import MatchingGuard
from tests.pipelines import slow_match


def test_an_article_whose_matching_hangs_is_reported_and_the_others_are_matched(settings, tmp_path):
    guard = MatchingGuard(settings, str(tmp_path / "alerts.yaml"), seconds_per_article=1.0, match=slow_match.match)
    documents = [{"id": "a", "text": "fine"}, {"id": "b", "text": "HANG here"}, {"id": "c", "text": "fine too"}]
    try:
        results, late = guard.match(documents)
        assert late == {1} and guard.timeouts == 1
        assert results == [[{"id": "alert-a", "article_id": "a"}], [], [{"id": "alert-c", "article_id": "c"}]]
        # the hung child was replaced: the guard answers at once again
        assert guard.match([{"id": "d", "text": "next"}]) == ([[{"id": "alert-d", "article_id": "d"}]], set())
    finally:
        guard.close()
    assert multiprocessing.active_children() == []
