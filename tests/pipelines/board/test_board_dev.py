"""The board built from the annotated dev articles through the real pipeline (``run --input``) and
the real Elasticsearch, checked against the annotations' majority stance per actor."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter

import pytest

import peacewatch.cli

MISSIONS = ("ukraine", "gaza")


def _score_module(eval_dir):
    spec = importlib.util.spec_from_file_location("peacewatch_eval_score_board", eval_dir / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _articles_file(eval_dir, tmp_path):
    """The dev articles as the pipeline reads them (annotations left out; dates as date-times)."""
    path = tmp_path / "dev-articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for line in (eval_dir / "dev.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            article = {k: d[k] for k in ("url", "title", "text", "language") if d.get(k)}
            if d.get("published"):
                article["published"] = d["published"] + ("T12:00:00Z" if len(d["published"]) == 10 else "")
            out.write(json.dumps(article) + "\n")
    return path


def _majorities(gold_lines, mission, norm):
    votes: dict[str, Counter] = {}
    for d in gold_lines:
        if d.get("relevant") and d.get("mission") == mission:
            for s in d.get("stances") or []:
                votes.setdefault(norm(s["actor"]), Counter())[s["stance"]] += 1
    out = {}
    for actor, counter in votes.items():
        (top, n), *rest = [*counter.most_common(), (None, 0)]
        if rest[0][1] < n:  # a clear majority only
            out[actor] = top
    return out


@pytest.mark.slow
def test_board_from_the_dev_articles_agrees_with_the_annotations(shared_eval, provisioned, es, tmp_path, capsys):
    score = _score_module(shared_eval)
    gold_lines = [
        json.loads(line)
        for line in (shared_eval / "dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert peacewatch.cli.main(["run", "--input", str(_articles_file(shared_eval, tmp_path)), "--no-alerts"]) == 0
    capsys.readouterr()
    es.indices.refresh(index=provisioned.index("reports"))
    agreed = compared = 0
    misses = []
    for mission in MISSIONS:
        assert peacewatch.cli.main(["board", "--mission", mission, "--since", "30y", "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows, f"empty board for {mission}"
        for row in rows:
            assert set(row) >= {
                "actor",
                "actor_type",
                "stance",
                "commitment",
                "condition",
                "since",
                "previous",
                "counts",
                "articles",
                "evidence",
                "source",
                "url",
            }
            assert sum(row["counts"].values()) >= row["articles"] >= 1
            assert row["counts"][row["stance"]] >= 1 and row["evidence"]
        board = {score.norm(r["actor"]): r["stance"] for r in rows}
        for actor, stance in _majorities(gold_lines, mission, score.norm).items():
            if actor in board:
                compared += 1
                agreed += board[actor] == stance
                if board[actor] != stance:
                    misses.append(f"{mission}/{actor}: board {board[actor]}, annotations {stance}")
    print(f"board vs annotations' majority: {agreed}/{compared} actors agree; differ: {misses}")
    assert compared >= 15
    assert agreed / compared >= 0.8, misses
