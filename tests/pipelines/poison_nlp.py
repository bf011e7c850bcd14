"""``peacewatch`` with a poisoned analysis, for the poison-message test (``python -m
tests.pipelines.poison_nlp run ...``): the real analysis, except that an article whose text holds
``POISON-PILL`` kills the process analysing it, as a crash in a native library would. Every
delivery of that message then ends the run."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Iterable
from typing import Any

from pipelines.nlp import analyze_articles as _analyze_articles

PILL = "POISON-PILL"


def analyze_articles(nlp: Any, articles: Iterable[dict[str, Any]], **options: Any):
    articles = list(articles)
    if any(PILL in (article.get("text") or "") for article in articles):
        os.kill(os.getpid(), signal.SIGKILL)
    return _analyze_articles(nlp, articles, **options)


def main(argv: list[str]) -> int:
    """``peacewatch ARGV`` whose pipeline enriches with :func:`analyze_articles`."""
    from peacewatch import cli
    from pipelines import pipeline
    from tests.pipelines import poison_nlp  # by its importable name (this file runs as __main__)

    pipeline.EnrichArticles = functools.partial(pipeline.EnrichArticles, analyze=poison_nlp.analyze_articles)
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
