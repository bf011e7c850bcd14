"""The clause route: analysis of the languages that have a language pack (fr, de, es, it, pl...).

One route for every such language, driven by its data only (:mod:`.lang_pack`): the language's
blank spaCy pipeline (:mod:`.lang_model`), relevance from its topic pack, entities without NER
(:mod:`.lang_entities`), stances from clauses (:mod:`.clause_stances`), then the same records as
English: missions, commitment and the merge per actor and mission
(:func:`pipelines.nlp.stance_records.stance_records`). English keeps its parsed route
(:mod:`.analyze`).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from .clause_positions import decide_clause_positions
from .clause_stances import ClauseStanceExtractor
from .entities import summarise
from .gazetteer import load_gazetteer
from .lang_entities import find_mentions
from .lang_model import load_lang_nlp
from .lang_pack import available_languages, load_pack
from .relevance_model import judge_relevance, load_language_model
from .stance_records import stance_records

logger = logging.getLogger(__name__)

PARSED_ROUTE = "parse"
CLAUSE_ROUTE = "clauses"


def route_name(language: str | None, parsed_languages: frozenset[str] = frozenset({"en"})) -> str | None:
    """``parse`` for English, ``clauses`` for a language with a pack, None when not analysed."""
    if language in parsed_languages:
        return PARSED_ROUTE
    if language and language in available_languages():
        return CLAUSE_ROUTE
    return None


def complete_clause_result(
    result: dict,
    doc,
    article: dict,
    title_len: int,
    day,
    *,
    explain: bool = False,
) -> dict:
    """Fill ``result`` for one article of the clause route (the fields of the English route).

    Args:
        result: record from :func:`pipelines.nlp.analyze.new_result`.
        doc: the Doc of the composed title and text, from :func:`load_lang_nlp`.
        article: the input article.
        title_len: length of the title part of the composed text (0 if none).
        day: the article's date (leaders' offices).
        explain: add explanations to stances.

    Returns:
        ``result``, completed in place.
    """
    pack = load_pack(result["language"])
    gaz = load_gazetteer()
    # round 11: the multilingual classifier adds what the pack misses and vetoes what it takes in passing
    model = load_language_model()
    if model is not None and result["language"] not in model.languages:
        model = None
    judge_relevance(result, article.get("title") or "", article.get("text") or "", pack.topics, model)
    mentions = find_mentions(doc, pack, gaz, day)
    result["entities"] = [m.as_dict(title_len) for m in mentions]
    result.update(summarise(mentions, gaz))
    if not result["relevant"]:
        return result
    # background years are judged against a real publication date only (undated: today would be wrong)
    extractor = ClauseStanceExtractor(doc, mentions, pack, gaz, day if article.get("published") else None)
    # the trained positions model (when enabled) adds actors the rules miss; else the rules' hits
    hits = decide_clause_positions(extractor, extractor.extract())
    stances, result["missions"] = stance_records(
        doc, hits, mentions, title_len=title_len, language=result["language"], explain=explain
    )
    if explain:
        for record in stances:
            record.setdefault("explanation", {})["route"] = f"{CLAUSE_ROUTE} ({result['language']})"
    result["stances"] = stances
    return result


def analyze_clause_batch(
    items: list[tuple[dict, dict, str, int, object]], *, batch_size: int = 32, explain: bool = False
) -> None:
    """Complete the results of a batch of clause-route articles, one ``nlp.pipe`` per language.

    Args:
        items: ``(result, article, composed_text, title_len, day)`` per article; results are
            completed in place.
        batch_size: ``nlp.pipe`` batch size.
        explain: add explanations to stances.
    """
    by_language: dict[str, list[tuple[dict, dict, str, int, object]]] = defaultdict(list)
    for item in items:
        by_language[item[0]["language"]].append(item)
    for code, group in by_language.items():
        nlp = load_lang_nlp(code)
        with nlp.memory_zone():
            docs = nlp.pipe((text for _, _, text, _, _ in group), batch_size=batch_size)
            for (result, article, _, title_len, day), doc in zip(group, docs):
                complete_clause_result(result, doc, article, title_len, day, explain=explain)
