"""Fixtures for the NLP tests: the repo root on sys.path and one shared pipeline per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def nlp():
    """The full pipeline; tests needing it are skipped when no English model is installed."""
    from pipelines.nlp.model import load_nlp

    try:
        return load_nlp()
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def analyse(nlp):
    """Analyse one English text as a relevant article; returns the result dict."""
    from pipelines.nlp.analyze import analyze_article

    def run(
        text: str,
        *,
        title: str = "Peacekeeping force debate",
        published: str | None = "2025-06-01",
        explain: bool = True,
    ) -> dict:
        return analyze_article(nlp, {"id": "t", "title": title, "text": text, "published": published}, explain=explain)

    return run
