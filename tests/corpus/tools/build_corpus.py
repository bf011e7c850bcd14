#!/usr/bin/env python3
"""Build annotated corpus JSONL records from hand-written annotation blocks, check them, and split.

The input is one or more plain-text block files (kept outside the repository, because they hold
article text). Each block:

    @@@ <url>
    T <the page's own headline, or - when the page shows none (never one rebuilt from the address)>
    D <YYYY-MM-DD or ->
    L <ISO 639-1 language code; optional, default en>
    Q <search words used>
    ---
    <article text, paragraphs as lines>
    ---
    M <mission id, or - when not relevant>
    S <actor> | <c|o|p> | <s|o|u> | <t|o|n> | <condition or -> | <evidence, verbatim from the text>
    C <country>; <country>
    P <person>; <person>
    N <notes>

Usage:
    build_corpus.py BLOCKS... --out-dir DIR --prefix en [--seed 20261130] [--check-only]
    build_corpus.py BLOCKS... --out-dir DIR --prefix en --start-id 190 --seed 20261201 \
        --parts dev2,test-c,dev2,test-c,dev2   (a later batch: ids continue, ~60 % dev2 / 40 % test-c)
    build_corpus.py --check-jsonl SPLIT.jsonl...   (check finished split files, e.g. after a review)
    build_corpus.py --check-jsonl --languages fr,de,es,it,pl,uk,ru SPLIT.jsonl...   (other-language corpus)
    build_corpus.py --counts [--languages fr,de] SPLIT.jsonl...   (manifest.json's counts of each file)

Checks: unique URLs, every evidence string occurs verbatim in the text, mission ids and labels are
valid, relevant articles have a mission. Split: stratified by (mission, relevance), shuffled with a
fixed seed, about 50 % dev, 25 % test-a, 25 % test-b (default `--parts dev,test-a,dev,test-b`: records
of each stratum are dealt to the listed parts in turn, continuing the cycle across strata; a part
named twice gets twice the share). `--start-id N` numbers the records from N (default 1), so a later
batch continues the existing ids. `--check-jsonl` runs the same record checks on
finished JSONL files (plus: unique ids, one label per actor, support never with commitment `none`);
their `language` must be "en" unless `--languages` lists the ISO 639-1 codes the corpus may use.
"""
import argparse
import json
import os
import random
import sys
from collections import Counter, defaultdict

MISSIONS = {"ukraine", "lebanon", "gaza", "haiti", "drc", "sudan", "somalia", "mali", "car",
            "south-sudan", "nagorno-karabakh", "kosovo", "cyprus", "western-sahara", "other"}
TYPES = {"c": "country", "o": "organisation", "p": "person"}
STANCES = {"s": "support", "o": "oppose", "u": "undecided"}
COMMIT = {"t": "troops", "o": "other", "n": "none"}


def parse_blocks(path):
    """Yield raw block dicts from one block file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("@@@ "):
            i += 1
            continue
        rec = {"url": lines[i][4:].strip(), "head": {}, "text": [], "ann": [], "src": path}
        i += 1
        while i < len(lines) and lines[i] != "---":
            k, _, v = lines[i].partition(" ")
            rec["head"][k] = v.strip()
            i += 1
        i += 1
        while i < len(lines) and lines[i] != "---":
            rec["text"].append(lines[i])
            i += 1
        i += 1
        while i < len(lines) and not lines[i].startswith("@@@ "):
            if lines[i].strip():
                rec["ann"].append(lines[i])
            i += 1
        yield rec


def to_record(raw):
    """Turn a raw block into a record; raise ValueError on any inconsistency."""
    text = "\n".join(raw["text"]).strip()
    h = raw["head"]
    if "T" not in h:
        raise ValueError("missing T line (the page's own headline, or - when it shows none)")
    rec = {"url": raw["url"], "title": "" if h["T"] == "-" else h["T"],
           "published": None if h.get("D", "-") == "-" else h["D"],
           "text": text, "language": h.get("L", "en"), "relevant": False, "mission": None, "stances": [],
           "countries": [], "people": [], "notes": "", "query": h.get("Q", "")}
    for line in raw["ann"]:
        k, _, v = line.partition(" ")
        v = v.strip()
        if k == "M":
            rec["mission"] = None if v == "-" else v
            rec["relevant"] = v != "-"
        elif k == "S":
            parts = [p.strip() for p in v.split("|", 5)]
            if len(parts) != 6:
                raise ValueError(f"bad stance line: {line}")
            actor, t, s, c, cond, ev = parts
            if ev not in text:
                raise ValueError(f"evidence not verbatim in text: {ev!r}")
            if cond != "-" and cond not in text:
                raise ValueError(f"condition not verbatim in text: {cond!r}")
            rec["stances"].append({"actor": actor, "actor_type": TYPES[t], "stance": STANCES[s],
                                   "commitment": COMMIT[c], "condition": None if cond == "-" else cond,
                                   "evidence": ev})
        elif k == "C":
            rec["countries"] = [x.strip() for x in v.split(";") if x.strip() and x.strip() != "-"]
        elif k == "P":
            rec["people"] = [x.strip() for x in v.split(";") if x.strip() and x.strip() != "-"]
        elif k == "N":
            rec["notes"] = v
        else:
            raise ValueError(f"unknown annotation line: {line}")
    if rec["relevant"] and rec["mission"] not in MISSIONS:
        raise ValueError(f"bad mission {rec['mission']!r}")
    if not rec["relevant"] and rec["stances"]:
        raise ValueError("irrelevant article with stances")
    if len(rec["text"]) < 200:
        raise ValueError("text too short")
    return rec


def check_jsonl(paths, languages=("en",)):
    """Check finished split files; return the number of problems (each printed on one line).

    Args:
        paths: the JSONL split files.
        languages: the ISO 639-1 codes a record's `language` may take (English only by default).
    """
    bad, ids, urls = 0, set(), set()
    keys = {"id", "url", "title", "published", "text", "language", "relevant", "mission", "stances",
            "countries", "people", "notes", "query"}

    def problem(where, msg):
        nonlocal bad
        bad += 1
        print(f"{where}: {msg}", file=sys.stderr)

    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                where = f"{path}:{n}"
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    problem(where, f"not JSON: {e}")
                    continue
                if set(r) != keys:
                    problem(where, f"keys differ: {sorted(set(r) ^ keys)}")
                    continue
                where = f"{path}:{n} {r['id']}"
                for k, seen in (("id", ids), ("url", urls)):
                    if r[k] in seen:
                        problem(where, f"duplicate {k}")
                    seen.add(r[k])
                if r["language"] not in languages or not isinstance(r["relevant"], bool):
                    allowed = " or ".join(repr(lang) for lang in languages)
                    problem(where, f"language must be {allowed} and relevant a boolean")
                if r["relevant"] != (r["mission"] is not None) or (r["relevant"] and r["mission"] not in MISSIONS):
                    problem(where, f"mission {r['mission']!r} does not fit relevant={r['relevant']}")
                if not r["relevant"] and r["stances"]:
                    problem(where, "irrelevant article with stances")
                actors = [s.get("actor") for s in r["stances"]]
                if len(actors) != len(set(actors)):
                    problem(where, "an actor is labelled twice")
                for s in r["stances"]:
                    if (s.get("actor_type") not in TYPES.values() or s.get("stance") not in STANCES.values()
                            or s.get("commitment") not in COMMIT.values()):
                        problem(where, f"bad stance fields: {s}")
                        continue
                    if s["evidence"] not in r["text"]:
                        problem(where, f"evidence not verbatim in text: {s['evidence']!r}")
                    if s["condition"] is not None and s["condition"] not in r["text"]:
                        problem(where, f"condition not verbatim in text: {s['condition']!r}")
                    if s["stance"] == "support" and s["commitment"] == "none":
                        problem(where, f"{s['actor']}: support needs commitment troops or other")
                for k in ("countries", "people"):
                    names_ok = all(isinstance(x, str) and any(c.isalpha() for c in x) for x in r[k])
                    if len(r[k]) != len(set(r[k])) or not names_ok:
                        problem(where, f"{k} must be distinct names, each with a letter")
    print(f"{len(ids)} records checked, {bad} problems")
    return bad


def split(records, seed, order=("dev", "test-a", "dev", "test-b")):
    """Stratified split by (mission, relevance): each stratum, shuffled, is dealt to `order` in turn."""
    groups = defaultdict(list)
    for r in records:
        groups[(r["mission"] or "none", r["relevant"])].append(r)
    rng = random.Random(seed)
    out = {name: [] for name in order}
    carry = 0
    for key in sorted(groups, key=str):
        g = groups[key]
        rng.shuffle(g)
        for j, r in enumerate(g):
            out[order[(j + carry) % len(order)]].append(r)
        carry += len(g)
    for name in out:
        out[name].sort(key=lambda r: r["id"])
    return out


def counts(records, by_language=False):
    """The manifest's counts of a list of records (per language too when `by_language`)."""
    relevant = [r for r in records if r["relevant"]]
    stances = [s for r in records for s in r["stances"]]
    out = {
        "articles": len(records),
        "relevant": len(relevant),
        "irrelevant": len(records) - len(relevant),
        "missions": dict(sorted(Counter(r["mission"] for r in relevant).items())),
        "stances": len(stances),
        "stance_labels": dict(sorted(Counter(s["stance"] for s in stances).items())),
        "actor_types": dict(sorted(Counter(s["actor_type"] for s in stances).items())),
        "commitment": dict(sorted(Counter(s["commitment"] for s in stances).items())),
        "with_condition": sum(1 for s in stances if s.get("condition")),
        "relevant_with_2plus_actors": sum(1 for r in relevant if len({s["actor"] for s in r["stances"]}) >= 2),
        "relevant_with_mixed_labels": sum(1 for r in relevant if len({s["stance"] for s in r["stances"]}) >= 2),
        "relevant_without_stances": sum(1 for r in relevant if not r["stances"]),
        "with_published_date": sum(1 for r in records if r.get("published")),
        "countries_pairs": sum(len(r["countries"]) for r in records),
        "people_pairs": sum(len(r["people"]) for r in records),
    }
    if by_language:
        languages = sorted({r["language"] for r in records})
        out["languages"] = {code: counts([r for r in records if r["language"] == code]) for code in languages}
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("blocks", nargs="+")
    ap.add_argument("--out-dir")
    ap.add_argument("--prefix", default="en")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--start-id", type=int, default=1,
                    help="number of the first record's id (default 1; e.g. 190 to continue en-0189)")
    ap.add_argument("--parts", default="dev,test-a,dev,test-b",
                    help="comma-separated cycle of output parts (default: dev,test-a,dev,test-b)")
    ap.add_argument("--check-jsonl", action="store_true",
                    help="the inputs are finished JSONL split files: only check them")
    ap.add_argument("--counts", action="store_true",
                    help="the inputs are finished JSONL split files: print the manifest's counts of each, as JSON")
    ap.add_argument("--languages", default="en",
                    help="with --check-jsonl: comma-separated ISO 639-1 codes allowed in `language` (default: en)")
    a = ap.parse_args(argv)
    if a.counts:
        by_language = a.languages != "en"
        per_file = {}
        for path in a.blocks:
            with open(path, encoding="utf-8") as f:
                per_file[path] = counts([json.loads(line) for line in f if line.strip()], by_language)
        print(json.dumps(per_file, indent=2, ensure_ascii=False))
        return 0
    if a.check_jsonl:
        languages = tuple(x.strip() for x in a.languages.split(",") if x.strip())
        if not languages:
            ap.error("--languages needs at least one ISO 639-1 code, e.g. --languages fr,de")
        return 1 if check_jsonl(a.blocks, languages) else 0
    order = tuple(x.strip() for x in a.parts.split(",") if x.strip())
    if not order or not all(x.replace("-", "").isalnum() for x in order):
        ap.error("--parts needs comma-separated part names, e.g. dev2,test-c,dev2,test-c,dev2")
    if a.start_id < 1:
        ap.error("--start-id must be 1 or more")
    recs, seen, bad = [], set(), 0
    for path in a.blocks:
        for raw in parse_blocks(path):
            try:
                if raw["url"] in seen:
                    raise ValueError("duplicate URL")
                seen.add(raw["url"])
                recs.append(to_record(raw))
            except (ValueError, KeyError) as e:
                bad += 1
                print(f"{path}: {raw['url']}: {e}", file=sys.stderr)
    for n, r in enumerate(recs, a.start_id):
        r["id"] = f"{a.prefix}-{n:04d}"
    rel = sum(r["relevant"] for r in recs)
    print(f"{len(recs)} records, {rel} relevant, {len(recs) - rel} irrelevant, {bad} errors")
    print(Counter(r["mission"] or "none" for r in recs).most_common())
    if bad or a.check_only:
        return 1 if bad else 0
    keys = ["id", "url", "title", "published", "text", "language", "relevant", "mission", "stances",
            "countries", "people", "notes", "query"]
    parts = split(recs, a.seed, order)
    os.makedirs(a.out_dir, exist_ok=True)
    for name, rs in parts.items():
        with open(f"{a.out_dir}/{name}.jsonl", "w", encoding="utf-8") as f:
            for r in rs:
                f.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")
        print(name, len(rs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
