"""The time-split check's doc cache and its bad input (pipelines.nlp.time_split)."""

from pipelines.nlp.time_split import CachedNlp, main


def test_docs_are_parsed_once_and_read_back(nlp, tmp_path):
    texts = [
        "Ruritania said on Monday it would send 200 soldiers to the peacekeeping force.\nA second line.",
        "The Security Council renewed the mission's mandate.",
    ]
    first = CachedNlp(nlp, tmp_path)
    parsed = list(first.pipe(texts))
    assert first.added == 2
    first.save()
    again = CachedNlp(nlp, tmp_path)
    read = list(again.pipe(texts))
    assert again.added == 0  # nothing parsed a second time
    for a, b in zip(parsed, read):
        assert [s.text for s in a.sents] == [s.text for s in b.sents]
        assert [(e.text, e.label_, e.ent_id_) for e in a.ents] == [(e.text, e.label_, e.ent_id_) for e in b.ents]
        assert [(t.dep_, t.head.i, t.lemma_) for t in a] == [(t.dep_, t.head.i, t.lemma_) for t in b]


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--param", "min_samples_leaf=many"]) == 2
    assert "error: --param" in capsys.readouterr().err
    assert main(["--train", "dev.jsonl"]) == 2  # --train without --test
    assert "error: --train needs --test" in capsys.readouterr().err
    assert main(["--test", str(tmp_path / "missing.jsonl")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_default_splits_train_only_on_earlier_rounds():
    import argparse

    from pipelines.nlp.time_split import ROUND9_PARTS, ROUND10_PARTS, ROUND11_PARTS, ROUND12_PARTS, _parts

    splits = _parts(argparse.Namespace(train=None, test=None))
    assert [test for _, test in splits] == [
        list(ROUND12_PARTS),
        list(ROUND11_PARTS),
        list(ROUND10_PARTS),
        list(ROUND9_PARTS),
    ]
    latest, newest, middle, oldest = splits
    assert not set(latest[0]) & set(ROUND12_PARTS)
    assert not set(newest[0]) & {*ROUND11_PARTS, *ROUND12_PARTS}
    assert not set(middle[0]) & {*ROUND10_PARTS, *ROUND11_PARTS, *ROUND12_PARTS}
    assert not set(oldest[0]) & {*ROUND9_PARTS, *ROUND10_PARTS, *ROUND11_PARTS, *ROUND12_PARTS}
    assert set(oldest[0]) < set(middle[0]) < set(newest[0]) < set(latest[0])
