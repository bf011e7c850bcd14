"""Peacekeeping relevance, entity normalisation and stance extraction for news articles.

Public entry points: :func:`load_nlp` (``pipelines.nlp.model``) and :func:`analyze_articles` /
:func:`analyze_article` (``pipelines.nlp.analyze``). Importing the package does not import spaCy;
``load_nlp`` does.
"""

from .analyze import analyze_article, analyze_articles
from .model import DEFAULT_MODELS, load_nlp

__all__ = ["DEFAULT_MODELS", "analyze_article", "analyze_articles", "load_nlp"]
