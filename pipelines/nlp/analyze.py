"""Article analysis: language, relevance, entities and stances, batched through ``nlp.pipe``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from .cues import load_lexicon
from .entities import resolve_entities, summarise
from .gazetteer import load_gazetteer
from .lang_route import CLAUSE_ROUTE, analyze_clause_batch, route_name
from .language import resolve_language
from .positions import decide_positions
from .relevance import load_topics
from .relevance_model import judge_relevance, load_relevance_model
from .stance_records import stance_records
from .stances import StanceExtractor

logger = logging.getLogger(__name__)

ANALYSED_LANGUAGES = frozenset({"en"})  # the parsed route; other languages go by their pack (lang_route)
MAX_CHARS = 20_000  # longer texts are cut: the lead and first paragraphs carry the stances
_CHUNK_BATCHES = 8  # batches processed inside one memory zone


def article_date(article: dict) -> dt.date:
    """The article's ``published`` date (ISO string), else today (UTC)."""
    value = article.get("published")
    if value:
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            logger.debug("unparseable published date %r", value)
    return dt.datetime.now(dt.timezone.utc).date()


def compose_text(article: dict) -> tuple[str, int]:
    """The string given to spaCy and the length of its title part (0 when the text repeats it)."""
    title = (article.get("title") or "").strip()
    # markdown emphasis confuses the parser; blank it out without moving offsets
    text = (article.get("text") or "")[:MAX_CHARS].replace("**", "  ")
    if not title or text.lstrip().startswith(title[: max(20, len(title) // 2)]):
        return text, 0
    return f"{title}\n\n{text}", len(title) + 2


def new_result(article: dict, language: str | None) -> dict:
    """An empty result record for ``article`` (not relevant, nothing found)."""
    return {
        "id": article.get("id"),
        "relevant": False,
        "relevance": 0.0,
        "relevance_explanation": [],
        "relevance_classifier": None,
        "topics": [],
        "language": language,
        "analysed": False,
        "not_analysed_reason": None,
        "entities": [],
        "countries": [],
        "country_codes": [],
        "people": [],
        "organisations": [],
        "missions": [],
        "stances": [],
    }


def _relevance(result: dict, article: dict) -> None:
    title, text = article.get("title") or "", article.get("text") or ""
    judge_relevance(result, title, text, load_topics(), load_relevance_model())


def complete_result(result: dict, doc, article: dict, title_len: int, *, explain: bool = False) -> dict:
    """Fill ``result`` from a parsed doc: relevance, entities, countries, people, stances.

    Args:
        result: record from :func:`new_result` for this article.
        doc: the spaCy Doc of :func:`compose_text` of the article.
        article: the input article.
        title_len: length of the title part of the composed text (0 if none).
        explain: add explanations to stances.

    Returns:
        ``result``, completed in place.
    """
    gaz = load_gazetteer()
    _relevance(result, article)
    day = article_date(article)
    mentions = resolve_entities(doc, gaz, day)
    result["entities"] = [m.as_dict(title_len) for m in mentions]
    result.update(summarise(mentions, gaz, doc))
    if not result["relevant"]:
        return result
    extractor = StanceExtractor(doc, mentions, gaz, load_lexicon(), day)
    # the trained positions model (when enabled) keeps, drops or adds actors; else the rules' hits
    hits = decide_positions(extractor, extractor.extract(), title_len)
    stances, result["missions"] = stance_records(
        doc, hits, mentions, title_len=title_len, language=result.get("language"), explain=explain
    )
    result["stances"] = stances
    return result


def analyze_articles(
    nlp,
    articles: Iterable[dict],
    *,
    batch_size: int = 32,
    explain: bool = False,
) -> Iterator[dict]:
    """Analyse articles; yields one result per article, in input order.

    Args:
        nlp: pipeline from :func:`pipelines.nlp.model.load_nlp`.
        articles: dicts with ``id``, ``title``, ``text``, optional ``published``/``language``.
        batch_size: ``nlp.pipe`` batch size.
        explain: add an ``explanation`` to every stance.

    Yields:
        Result dicts (see the README for the fields).
    """
    iterator = iter(articles)
    while True:
        chunk = list(islice(iterator, batch_size * _CHUNK_BATCHES))
        if not chunk:
            return
        results: list[dict] = []
        pending: list[tuple[dict, dict, int]] = []
        texts: list[str] = []
        clause_items: list[tuple[dict, dict, str, int, dt.date]] = []
        for article in chunk:
            title, text = article.get("title") or "", article.get("text") or ""
            # too few words to tell: trust the feed's language, else assume English
            language = resolve_language(f"{title}\n{text}", article.get("language")) or ("en" if text.strip() else None)
            result = new_result(article, language)
            results.append(result)
            if language is None:
                result["not_analysed_reason"] = "no text to analyse"
                continue
            route = route_name(language, ANALYSED_LANGUAGES)
            if route is None:
                result["not_analysed_reason"] = f"language {language!r} is not analysed"
                continue
            result["analysed"] = True
            composed, title_len = compose_text(article)
            if route == CLAUSE_ROUTE:
                clause_items.append((result, article, composed, title_len, article_date(article)))
                continue
            pending.append((result, article, title_len))
            texts.append(composed)
        # a memory zone frees the strings/vocab entries created by these docs afterwards
        if pending:
            with nlp.memory_zone():
                for (result, article, title_len), doc in zip(pending, nlp.pipe(texts, batch_size=batch_size)):
                    complete_result(result, doc, article, title_len, explain=explain)
        if clause_items:
            analyze_clause_batch(clause_items, batch_size=batch_size, explain=explain)
        yield from results


def analyze_article(nlp, article: dict, explain: bool = False) -> dict:
    """Analyse one article (see :func:`analyze_articles`)."""
    return next(analyze_articles(nlp, [article], batch_size=1, explain=explain))
