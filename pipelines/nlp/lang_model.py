"""spaCy pipelines of the clause route: a language's tokenizer, sentence splitter and line breaks.

No trained model: spaCy's language classes tokenize (elisions, clitics, abbreviations) and the
rule-based ``sentencizer`` splits sentences; the line-break splitter of :mod:`.model` makes every
title, dateline and list line a sentence of its own. Cached per process and language.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

from .model import LINE_BREAKS_NAME, _register_components

TOKEN_EDGES_NAME = "peacewatch_token_edges"

if TYPE_CHECKING:  # spaCy is imported where a pipeline is built (it takes seconds)
    import spacy

logger = logging.getLogger(__name__)


# a hyphen at the edge of a word is a dash ("votaron a favor -solo se abstuvo Estados Unidos- de"):
# its own token, so that the name next to it is found and the dash cuts the clause
_EDGE_PREFIX = r"-(?=[^\W\d_]{3})"
_EDGE_SUFFIX = r"(?<=[^\W\d_]{2})-"


def _split_edge_hyphens(nlp) -> None:
    """Add the edge-hyphen rules to the tokenizer's prefixes and suffixes (inner hyphens stay)."""
    from spacy.util import compile_prefix_regex, compile_suffix_regex

    nlp.tokenizer.prefix_search = compile_prefix_regex([*nlp.Defaults.prefixes, _EDGE_PREFIX]).search
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, _EDGE_SUFFIX]).search


def _keep_abbreviations(nlp, code: str) -> None:
    """The language pack's abbreviations ("ok.", "tys.") stay one token: their full stop ends no sentence."""
    from spacy.attrs import ORTH

    from .lang_pack import available_languages, load_pack

    if code not in available_languages():
        return
    for abbreviation in load_pack(code).abbreviations:
        for form in {abbreviation, abbreviation[:1].upper() + abbreviation[1:]}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])


def reset_token_edges(doc):
    """The Doc rebuilt from its words: every token a one-word tree with edges inside the Doc.

    spaCy 3.8's tokenizer copies the tokens after a special case that matched across affixes
    (the emoticon "):" in "(Unifil): ...") to new positions without moving their tree edges
    (``Tokenizer._retokenize_special_spans``), so ``left_edge``/``right_edge`` of the tokens after
    it point one place further, past the Doc's end for the last one. A parser rebuilds the edges;
    the clause route has none, and ``Token.subtree`` then reads outside the Doc: a crash of the
    whole process, not an exception. A Doc built from words has consistent edges; the tokenizer's
    norms (set by its exceptions) are carried over.
    """
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    rebuilt = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    if len(doc):
        rebuilt.from_array([NORM], doc.to_array([NORM]))
    return rebuilt


@functools.lru_cache(maxsize=1)
def _register_token_edges() -> None:
    from spacy.language import Language

    Language.component(TOKEN_EDGES_NAME, func=reset_token_edges)


@functools.lru_cache(maxsize=16)
def load_lang_nlp(code: str) -> spacy.Language:
    """A blank spaCy pipeline for ``code`` with sentence splitting (cached).

    Args:
        code: ISO 639-1 language code with a spaCy language class (fr, de, es, it, pl...).

    Returns:
        The pipeline: the tree-edge reset, ``sentencizer``, then the line-break splitter.
    """
    import spacy

    _register_components()
    _register_token_edges()
    nlp = spacy.blank(code)
    _split_edge_hyphens(nlp)
    _keep_abbreviations(nlp, code)
    nlp.add_pipe(TOKEN_EDGES_NAME)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(LINE_BREAKS_NAME)
    logger.info("loaded blank %s pipeline with %s", code, nlp.pipe_names)
    return nlp
