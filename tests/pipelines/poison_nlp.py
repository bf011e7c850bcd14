"""An NLP module for the poison-message test (``--nlp-module tests.pipelines.poison_nlp``): the real
one, except that an article whose text holds ``POISON-PILL`` kills the process analysing it, as a
crash in a native library would. Every delivery of that message then ends the run."""

from __future__ import annotations

import os
import signal
from typing import Any, Iterable

from pipelines.nlp import analyze_articles as _analyze_articles
from pipelines.nlp import load_nlp  # noqa: F401 - part of the module's contract

PILL = "POISON-PILL"


def analyze_articles(nlp: Any, articles: Iterable[dict[str, Any]], **options: Any):
    articles = list(articles)
    if any(PILL in (article.get("text") or "") for article in articles):
        os.kill(os.getpid(), signal.SIGKILL)
    return _analyze_articles(nlp, articles, **options)
