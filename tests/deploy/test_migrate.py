"""Schema change without data loss: an articles index of mapping version 1 (stances without
missions) is moved by 'peacewatch setup' to a new index of the current version behind the same
alias, idempotently; one of version 2 (no ``.text`` sub-fields) is upgraded in place."""

from __future__ import annotations

import copy

from deploy.migrate import mapping_version, upgrade_article, write_index
from deploy.provision import index_template, provision


def _v1(name: str) -> dict:
    """The version-1 template of ``name``: today's without the mission fields."""
    body = copy.deepcopy(index_template(name))
    props = body["mappings"]["properties"]
    props.pop("missions", None)
    props.pop("mission", None)
    if "stances" in props:
        for field in ("mission", "commitment"):
            props["stances"]["properties"].pop(field)
    body["_meta"]["version"] = body["mappings"]["_meta"]["version"] = 1
    return body


def _old_article(i: int, text: str, stances: list[dict], published: str | None = "2025-03-02T10:00:00Z") -> dict:
    return {
        "id": f"{i:032x}",
        "url": f"https://example.org/{i}",
        "title": f"Article {i}",
        "text": text,
        "published": published,
        "source": "Example",
        "language": "en",
        "relevant": bool(stances),
        "indexed_at": "2025-03-02T10:05:00Z",
        "entities": [],
        "countries": [],
        "people": [],
        "stances": stances,
        "stance_pairs": [f"{s['actor']}:{s['stance']}" for s in stances],
    }


CURRENT = index_template("articles")["_meta"]["version"]

OLD = [
    _old_article(
        1,
        "France will send troops to the reassurance force for Ukraine. Poland said it was undecided.",
        [
            {
                "actor": "France",
                "actor_code": "FR",
                "actor_type": "country",
                "stance": "support",
                "evidence": "France will send troops to the reassurance force for Ukraine.",
            },
            {
                "actor": "Poland",
                "actor_code": "PL",
                "actor_type": "country",
                "stance": "undecided",
                "evidence": "Poland said it was undecided.",
            },
        ],
    ),
    _old_article(
        2,
        "Indonesia pledged funding for the International Stabilization Force in Gaza.",
        [
            {
                "actor": "Indonesia",
                "actor_code": "ID",
                "actor_type": "country",
                "stance": "support",
                "evidence": "Indonesia pledged funding for the International Stabilization Force in Gaza.",
            }
        ],
    ),
    _old_article(3, "A ceasefire was agreed.", [], published=None),
]


def _install_old(es, settings):
    for name in ("articles", "stances"):
        body = _v1(name)
        es.indices.put_index_template(
            name=settings.index(name),
            index_patterns=[f"{settings.index(name)}-*"],
            priority=200,
            template={"settings": body["settings"], "mappings": body["mappings"]},
            meta=body["_meta"],
        )
        es.indices.create(
            index=f"{settings.index(name)}-000001", aliases={settings.index(name): {"is_write_index": True}}
        )
    for doc in OLD:
        es.index(index=settings.index("articles"), id=doc["id"], document=doc)
    es.index(
        index=settings.index("stances"),
        id="old",
        document={"window_start": "2025-03-02T10:00:00Z", "actor": "France", "stance": "support", "count": 1},
    )
    es.indices.refresh(index=settings.index("articles"))


def test_setup_moves_an_old_articles_index_to_the_new_mapping_without_loss(settings, es):
    _install_old(es, settings)
    lines = provision(settings, pubsub=False)
    assert any("articles moved from" in line for line in lines), lines
    assert any("stance aggregates recounted" in line for line in lines), lines
    alias = settings.index("articles")
    new = write_index(es, alias)
    assert new.endswith("-000002") and mapping_version(es, new) == CURRENT
    assert es.indices.exists(index=f"{alias}-000001")  # the old index is kept
    es.indices.refresh(index=alias)
    docs = {h["_id"]: h["_source"] for h in es.search(index=alias, size=10)["hits"]["hits"]}
    assert set(docs) == {d["id"] for d in OLD}
    first = docs[OLD[0]["id"]]
    assert first["missions"] == ["ukraine"]
    assert [(s["actor"], s["mission"], s["commitment"]) for s in first["stances"]] == [
        ("France", "ukraine", "troops"),
        ("Poland", "ukraine", "none"),
    ]
    assert docs[OLD[1]["id"]]["stances"][0]["mission"] == "gaza"
    assert docs[OLD[2]["id"]]["missions"] == []
    # the new fields aggregate
    buckets = es.search(index=alias, size=0, aggs={"m": {"terms": {"field": "stances.mission"}}})
    assert {b["key"] for b in buckets["aggregations"]["m"]["buckets"]} == {"ukraine", "gaza"}
    reports = es.search(index=settings.index("reports"), size=10)["hits"]["hits"]
    assert sorted((r["_source"]["actor"], r["_source"]["mission"]) for r in reports) == [
        ("France", "ukraine"),
        ("Indonesia", "gaza"),
        ("Poland", "ukraine"),
    ]
    es.indices.refresh(index=settings.index("stances"))
    aggregates = es.search(index=settings.index("stances"), size=10)["hits"]["hits"]
    assert sorted((a["_source"]["actor"], a["_source"]["mission"], a["_source"]["count"]) for a in aggregates) == [
        ("France", "ukraine", 1),
        ("Indonesia", "gaza", 1),
        ("Poland", "ukraine", 1),
    ]
    # a second setup changes nothing
    assert provision(settings, pubsub=False) == []
    assert write_index(es, alias).endswith("-000002")


def test_an_interrupted_migration_is_finished_by_the_next_setup(settings, es):
    _install_old(es, settings)
    # an earlier run created the new index and copied part of the documents, then died
    es.indices.create(index=f"{settings.index('articles')}-000002")
    es.index(index=f"{settings.index('articles')}-000002", id=OLD[0]["id"], document=upgrade_article(OLD[0]))
    provision(settings, pubsub=False)
    es.indices.refresh(index=settings.index("articles"))
    assert es.count(index=settings.index("articles"))["count"] == len(OLD)
    new = write_index(es, settings.index("articles"))
    assert new.endswith("-000002") and mapping_version(es, new) == CURRENT


def test_upgrade_keeps_fields_already_there():
    doc = dict(OLD[0], missions=["x"], stances=[dict(OLD[0]["stances"][0], mission="lebanon", commitment="other")])
    assert upgrade_article(doc) == doc


def _v2_articles() -> dict:
    """The version-2 articles template: today's without the ``.text`` sub-fields of keyword fields."""
    body = copy.deepcopy(index_template("articles"))

    def strip(props: dict) -> None:
        for field in props.values():
            if field.get("type") == "keyword":
                field.pop("fields", None)
            strip(field.get("properties", {}))

    strip(body["mappings"]["properties"])
    body["_meta"]["version"] = body["mappings"]["_meta"]["version"] = 2
    return body


def test_version_2_gains_its_text_sub_fields_in_place(settings, es):
    """Adding sub-fields needs no copy: setup puts the mapping and writes each document again."""
    provision(settings, pubsub=False)
    alias = settings.index("articles")
    index = write_index(es, alias)
    es.indices.delete(index=index)
    body = _v2_articles()
    es.indices.create(
        index=index, settings=body["settings"], mappings=body["mappings"], aliases={alias: {"is_write_index": True}}
    )
    for doc in OLD:
        es.index(index=alias, id=doc["id"], document=upgrade_article(doc))
    es.indices.refresh(index=alias)
    assert es.count(index=alias, q="stances.actor.text:france")["count"] == 0  # not there yet
    lines = provision(settings, pubsub=False)
    assert any("3 documents of" in line for line in lines), lines
    assert any(f"version {CURRENT}" in line for line in lines), lines
    assert write_index(es, alias) == index and mapping_version(es, index) == CURRENT  # the same index
    assert es.count(index=alias, q="stances.actor.text:france")["count"] == 1
    assert es.count(index=alias)["count"] == len(OLD)
    assert provision(settings, pubsub=False) == []


def test_version_3_gains_relevance_classifier_in_place(settings, es):
    """The classifier's probability, stored since round 11 but not mapped, becomes searchable in place."""
    provision(settings, pubsub=False)
    alias = settings.index("articles")
    index = write_index(es, alias)
    es.indices.delete(index=index)
    body = copy.deepcopy(index_template("articles"))
    del body["mappings"]["properties"]["relevance_classifier"]
    body["_meta"]["version"] = body["mappings"]["_meta"]["version"] = 3
    es.indices.delete_index_template(name=alias)  # an install of version 3 had its template, not today's
    es.indices.create(
        index=index, settings=body["settings"], mappings=body["mappings"], aliases={alias: {"is_write_index": True}}
    )
    for n, doc in enumerate(OLD):
        es.index(index=alias, id=doc["id"], document=dict(upgrade_article(doc), relevance_classifier=0.2 + 0.3 * n))
    es.indices.refresh(index=alias)
    vetoed = {"range": {"relevance_classifier": {"lt": 0.3}}}
    assert es.count(index=alias, query=vetoed)["count"] == 0  # stored, not searchable yet
    lines = provision(settings, pubsub=False)
    assert any(f"version {CURRENT}" in line for line in lines), lines
    assert write_index(es, alias) == index and mapping_version(es, index) == CURRENT  # the same index
    assert es.count(index=alias, query=vetoed)["count"] == 1
    assert es.count(index=alias)["count"] == len(OLD)
