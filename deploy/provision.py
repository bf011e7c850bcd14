"""``peacewatch setup``: topics, subscriptions, index templates and aliases, idempotently.

Everything is created only when missing, so running it twice changes nothing. Index templates
come from ``schemas/elasticsearch/*.json``; each alias (``peacewatch-articles``) points at a
first concrete index (``peacewatch-articles-000001``) that it writes to, so mappings can be
rolled over without touching the readers: an index whose mapping version is older than its
template's is moved to the next index (``-000002``) by ``deploy/migrate.py``, documents upgraded.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

from peacewatch.clients import elasticsearch_unreachable
from peacewatch.errors import UserError
from peacewatch.settings import INDICES, TOPICS, Settings

logger = logging.getLogger(__name__)

# topic -> [(consumer suffix, ack deadline seconds)]; None is the pipeline's own suffix
SUBSCRIPTIONS = {
    "articles": [(None, 30)],  # the pipeline extends its leases; a crash frees messages in 30 s
    "alerts": [("tail", 60), ("delivery", 30)],  # `alerts tail` readers; the pipeline's alert delivery
    "deadletter": [("inspect", 60)],
}
MESSAGE_RETENTION_SECONDS = 7 * 24 * 3600
# Messages of the articles subscription that Pub/Sub delivered this often without an ack are moved to
# the articles-undeliverable topic. The pipeline dead-letters poison messages itself well before
# (--max-delivery-attempts, 5): this is the safety net for other consumers, and it makes Pub/Sub
# count delivery attempts (Message.delivery_attempt).
UNDELIVERABLE = "articles-undeliverable"
MAX_DELIVERY_ATTEMPTS = 20


def index_template(name: str) -> dict[str, Any]:
    """Returns the template body (``_meta``, ``settings``, ``mappings``) of index ``name``."""
    text = resources.files("schemas").joinpath("elasticsearch", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def first_index(settings: Settings, name: str) -> str:
    return f"{settings.index(name)}-000001"


def provision_elasticsearch(settings: Settings, es) -> list[str]:
    """Creates or updates the index templates, creates each alias's first index, and moves an
    index whose mapping is older than its template to a new index version (``deploy/migrate.py``)."""
    from elasticsearch import ApiError, TransportError

    from deploy.migrate import IN_PLACE_FROM, MIGRATIONS, mapping_version, next_index, rewrite_in_place, write_index

    done = []
    try:
        outdated = []
        for name in INDICES:
            body = index_template(name)
            template_name = settings.index(name)
            version = body["_meta"]["version"]
            current = None
            if es.indices.exists_index_template(name=template_name):
                found = es.indices.get_index_template(name=template_name)["index_templates"]
                current = found[0]["index_template"].get("_meta", {}).get("version") if found else None
            if current != version:
                es.indices.put_index_template(
                    name=template_name,
                    index_patterns=[f"{settings.index(name)}-*"],
                    priority=200,
                    template={"settings": body["settings"], "mappings": body["mappings"]},
                    meta={**body["_meta"], "managed_by": "peacewatch"},
                )
                done.append(f"index template {template_name} {'updated' if current else 'created'}")
            alias = settings.index(name)
            if not es.indices.exists_alias(name=alias):
                if es.indices.exists(index=alias):
                    raise UserError(
                        f"{alias} exists as an index, not an alias",
                        "delete or reindex it, then run 'peacewatch setup' again",
                    )
                es.indices.create(index=first_index(settings, name), aliases={alias: {"is_write_index": True}})
                done.append(f"index {first_index(settings, name)} created with alias {alias}")
                continue
            index = write_index(es, alias)
            in_use = mapping_version(es, index)
            if in_use is not None and in_use < version:
                outdated.append((name, index, in_use, version))
        # after every alias exists: the articles' migration writes stance reports
        for name, index, in_use, version in outdated:
            alias = settings.index(name)
            if name in MIGRATIONS and in_use < IN_PLACE_FROM.get(name, version + 1):
                done += MIGRATIONS[name](es, settings, index, next_index(index))
            else:
                mappings = index_template(name)["mappings"]
                es.indices.put_mapping(index=alias, properties=mappings["properties"], dynamic=mappings.get("dynamic"))
                if name in IN_PLACE_FROM:  # before the version moves on, so an interrupted run is redone
                    rewritten = rewrite_in_place(es, index)
                    done.append(f"{rewritten} documents of {index} written again to fill its new sub-fields")
                es.indices.put_mapping(index=alias, meta=mappings.get("_meta"))
                done.append(f"mapping of {alias} updated to version {version}")
    except ApiError as exc:
        raise UserError(
            f"Elasticsearch at {settings.es_url_safe} refused the setup: {exc}".splitlines()[0][:400],
            "check the URL and credentials; for the local one run 'peacewatch services up'",
        ) from None
    except TransportError as exc:
        raise elasticsearch_unreachable(settings, exc) from None
    return done


def _dead_letter_policy(settings: Settings) -> dict[str, Any]:
    return {"dead_letter_topic": settings.topic_path(UNDELIVERABLE), "max_delivery_attempts": MAX_DELIVERY_ATTEMPTS}


def _create_topic(publisher, path: str, done: list[str]) -> None:
    from google.api_core import exceptions

    try:
        publisher.create_topic(request={"name": path}, timeout=30)
        done.append(f"topic {path} created")
    except exceptions.AlreadyExists:
        pass


def _create_subscription(subscriber, request: dict[str, Any], done: list[str]) -> bool:
    from google.api_core import exceptions

    try:
        subscriber.create_subscription(request=request, timeout=30)
        done.append(f"subscription {request['name']} created")
        return True
    except exceptions.AlreadyExists:
        return False


def provision_pubsub(settings: Settings, publisher, subscriber) -> list[str]:
    """Creates the topics and their subscriptions when missing; gives the articles subscription its
    dead-letter policy when it lacks one."""
    from google.api_core import exceptions

    done: list[str] = []
    try:
        undeliverable = settings.topic_path(UNDELIVERABLE)
        _create_topic(publisher, undeliverable, done)
        _create_subscription(
            subscriber,
            {
                "name": settings.subscription_path(UNDELIVERABLE, "inspect"),
                "topic": undeliverable,
                "ack_deadline_seconds": 60,
                "message_retention_duration": {"seconds": MESSAGE_RETENTION_SECONDS},
            },
            done,
        )
        for topic in TOPICS:
            path = settings.topic_path(topic)
            _create_topic(publisher, path, done)
            for suffix, ack_deadline in SUBSCRIPTIONS[topic]:
                request: dict[str, Any] = {
                    "name": settings.subscription_path(topic, suffix),
                    "topic": path,
                    "ack_deadline_seconds": ack_deadline,
                    "message_retention_duration": {"seconds": MESSAGE_RETENTION_SECONDS},
                }
                if topic == "articles":
                    request["dead_letter_policy"] = _dead_letter_policy(settings)
                created = _create_subscription(subscriber, request, done)
                if topic == "articles" and not created:
                    done += _ensure_dead_letter_policy(settings, subscriber, request["name"])
    except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
        where = settings.pubsub_emulator_host or f"Google Cloud project {settings.pubsub_project}"
        raise UserError(
            f"Pub/Sub ({where}) refused the setup: {exc}".splitlines()[0][:400],
            "for the local emulator run 'peacewatch services up'; for Google Cloud check "
            "PUBSUB_PROJECT_ID and application-default credentials",
        ) from None
    return done


def _ensure_dead_letter_policy(settings: Settings, subscriber, name: str) -> list[str]:
    """An articles subscription created before dead-letter policies were set gets one (idempotent)."""
    current = subscriber.get_subscription(request={"subscription": name}, timeout=30)
    if current.dead_letter_policy and current.dead_letter_policy.dead_letter_topic:
        return []
    subscriber.update_subscription(
        request={
            "subscription": {"name": name, "dead_letter_policy": _dead_letter_policy(settings)},
            "update_mask": {"paths": ["dead_letter_policy"]},
        },
        timeout=30,
    )
    return [f"subscription {name}: dead-letter policy set ({MAX_DELIVERY_ATTEMPTS} attempts, then {UNDELIVERABLE})"]


def provision(settings: Settings, *, elasticsearch: bool = True, pubsub: bool = True) -> list[str]:
    """Creates everything missing; returns one line per change (empty when nothing changed)."""
    from peacewatch.clients import elasticsearch_client, publisher_client, subscriber_client

    done: list[str] = []
    if elasticsearch:
        es = elasticsearch_client(settings)
        try:
            done += provision_elasticsearch(settings, es)
        finally:
            es.close()
    if pubsub:
        publisher, subscriber = publisher_client(settings), subscriber_client(settings)
        try:
            done += provision_pubsub(settings, publisher, subscriber)
        finally:
            subscriber.close()
    return done
