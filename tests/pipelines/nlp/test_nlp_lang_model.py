"""The clause route's spaCy pipelines: tokens, sentences and tree edges a Doc can be walked with.

The sentences are our own. The shape comes from a crash found by running round 10's code on
round 11's multilingual test part before its first measurement: a name in brackets followed by a
colon ("(Unifil):") makes spaCy's tokenizer match the emoticon "):" across affixes and leave the
following tokens' tree edges one place off, so walking a subtree read outside the Doc.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import REPO_ROOT

LANGUAGES = ("fr", "de", "es", "it", "pl")

# (language, text): a bracketed name then a colon, quotes closing the last sentence
BRACKET_COLON = {
    "fr": "Le mandat de la force (Finul) : le Conseil l’a prolongé.\n\nParis parle d’un « signal utile ».",
    "de": "Das Mandat der Truppe (Unifil): der Rat hat es verlängert.\n\nBerlin spricht von einem „Signal“.",
    "es": "El mandato de la fuerza (Finul): el Consejo lo prorrogó.\n\nMadrid habla de “una señal útil”.",
    "it": "Il mandato della forza (Unifil): il Consiglio lo ha prorogato.\n\nRoma parla di “un segnale utile”.",
    "pl": "Mandat misji (Unifil): Rada go przedłużyła.\n\nWarszawa mówi o „dobrym sygnale”.",
}


@pytest.mark.parametrize("code", LANGUAGES)
def test_tree_edges_stay_inside_the_doc(code):
    from pipelines.nlp.lang_model import load_lang_nlp

    text = BRACKET_COLON[code]
    doc = load_lang_nlp(code)(text)
    assert doc.text == text
    assert not doc.has_annotation("DEP")
    for token in doc:
        assert token.left_edge.i == token.i == token.right_edge.i, token.text
        assert list(token.subtree) == [token]
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == [line for line in text.split("\n\n")]


@pytest.mark.parametrize(
    "code,text,token,norm",
    [("es", "Ud. dijo que la misión (Minusca): sigue.", "Ud.", "usted"), ("de", "Gib mir 'n Grund.", "'n", "ein")],
)
def test_tokenizer_norms_survive_the_rebuild(code, text, token, norm):
    """The rebuilt Doc keeps the norms the tokenizer's exceptions give, token for token."""
    import spacy

    from pipelines.nlp.lang_model import load_lang_nlp

    bare = spacy.blank(code).make_doc(text)
    ours = load_lang_nlp(code)(text)
    assert [(t.text, t.norm_) for t in ours] == [(t.text, t.norm_) for t in bare]
    assert (token, norm) in [(t.text, t.norm_) for t in ours]


def test_analyze_completes_an_article_of_that_shape(tmp_path):
    """End to end, in a process of its own: a crash would be an exit status, not a lost test run."""
    article = {
        "id": "it-bracket-colon",
        "url": "https://example.org/it-bracket-colon",
        "title": "Libano, il Consiglio di Sicurezza proroga la missione Onu",
        "published": "2026-08-29",
        "language": "it",
        "text": "È stato prorogato di un anno il mandato della Forza di interposizione in Libano (Unifil): lo ha "
        "deciso il Consiglio di Sicurezza delle Nazioni Unite, che ha approvato all’unanimità la risoluzione. "
        "Il governo libanese ha accolto la decisione con favore e ha parlato di “un segnale di stabilità per "
        "la regione”.",
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "peacewatch", "analyze", "--input", str(source)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    (record,) = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert record["language"] == "it" and record["analysed"] and record["relevant"]
    assert "United Nations Security Council" in {s["actor"] for s in record["stances"]}
