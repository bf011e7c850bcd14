"""Clients for the services, built from :class:`~peacewatch.settings.Settings`.

One place decides how to reach Elasticsearch (local, or remote with TLS and an API key or
user/password) and Pub/Sub (the emulator when ``pubsub_emulator_host`` is set, over an insecure
loopback channel with no credentials; else Google Cloud with application-default credentials).
Call these in ``DoFn.setup``, never per element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peacewatch.errors import UserError
from peacewatch.settings import Settings


def elasticsearch_client(settings: Settings, **kwargs: Any):
    """Returns an ``elasticsearch.Elasticsearch`` client with timeouts and retries set.

    Args:
        settings: where the cluster is and how to authenticate.
        **kwargs: passed on to the client (for example ``request_timeout``).
    """
    from elasticsearch import Elasticsearch

    options: dict[str, Any] = {
        "request_timeout": settings.es_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key
    elif settings.es_username:
        options["basic_auth"] = (settings.es_username, settings.es_password or "")
    if settings.es_url.startswith("https"):
        options["verify_certs"] = settings.es_verify_certs
        if settings.es_ca_certs:
            options["ca_certs"] = settings.es_ca_certs
    options.update(kwargs)
    return Elasticsearch(settings.es_url, **options)


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^)'\"\]]+)")


def connection_reason(exc: BaseException) -> str:
    """What a failed connection comes down to, in a few words (``connection refused``, ``timed out``).

    Client libraries nest the cause several times over (``ConnectionError(Connection error caused
    by: NewConnectionError(...: [Errno 111] Connection refused))``); the innermost reason is what a
    user can act on.
    """
    text = str(getattr(exc, "message", None) or exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip().rstrip(".").lower()
    lowered = text.lower()
    if "certificate verify failed" in lowered or "certificate_verify_failed" in lowered:
        return "its TLS certificate is not trusted (set PEACEWATCH_ES_CA_CERTS)"
    if "timed out" in lowered or "timeout" in lowered:
        return "timed out"
    return (text.splitlines() or [type(exc).__name__])[0][:200]


def elasticsearch_unreachable(settings: Settings, exc: BaseException) -> UserError:
    """The one-line :class:`~peacewatch.errors.UserError` for an Elasticsearch that could not be reached.

    The only place that words "cannot reach Elasticsearch": the URL is shown without credentials.
    """
    hint = (
        "start it with 'peacewatch services up' (or point PEACEWATCH_ES_URL at your cluster)"
        if settings.uses_local_elasticsearch
        else "check PEACEWATCH_ES_URL and that the cluster is up"
    )
    return UserError(f"cannot reach Elasticsearch at {settings.es_url_safe}: {connection_reason(exc)}", hint)


@contextmanager
def elasticsearch_errors(settings: Settings, what: str, hint: str, index: str | None = None) -> Iterator[None]:
    """Turns what Elasticsearch answers inside the block into one line and a hint.

    Args:
        settings: where Elasticsearch is (its URL is shown without credentials).
        what: the request, for "Elasticsearch refused <what>".
        hint: what to do when it is refused.
        index: the index or alias the block reads: a missing one says to run ``peacewatch setup``.
    """
    from elasticsearch import ApiError, NotFoundError, TransportError

    try:
        yield
    except NotFoundError as exc:
        if index is None:
            raise UserError(f"Elasticsearch refused {what}: {exc.message}"[:300], hint) from None
        raise UserError(f"index {index} does not exist", "run 'peacewatch setup'") from None
    except ApiError as exc:
        raise UserError(f"Elasticsearch refused {what}: {exc.message}"[:300], hint) from None
    except TransportError as exc:
        raise elasticsearch_unreachable(settings, exc) from None


def _emulator_transport(settings: Settings, transport_class: Any) -> Any:
    """A gRPC transport to the emulator: what the client library builds when ``PUBSUB_EMULATOR_HOST``
    is set, built here from the settings (a host from ``peacewatch.yaml`` or ``services.json`` too)
    without touching the process environment."""
    import grpc

    host = settings.pubsub_emulator_host
    return transport_class(channel=grpc.insecure_channel(target=host), host=host)


def publisher_client(settings: Settings, **kwargs: Any):
    """Returns a ``google.cloud.pubsub_v1.PublisherClient`` for the emulator or Google Cloud."""
    from google.cloud import pubsub_v1
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    if settings.pubsub_emulator_host:
        kwargs.setdefault("transport", _emulator_transport(settings, PublisherGrpcTransport))
    return pubsub_v1.PublisherClient(**kwargs)


def subscriber_client(settings: Settings, **kwargs: Any):
    """Returns a ``google.cloud.pubsub_v1.SubscriberClient`` for the emulator or Google Cloud."""
    from google.cloud import pubsub_v1
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    if settings.pubsub_emulator_host:
        kwargs.setdefault("transport", _emulator_transport(settings, SubscriberGrpcTransport))
    return pubsub_v1.SubscriberClient(**kwargs)


def pubsub_unreachable(settings: Settings, path: str, exc: BaseException) -> UserError:
    """The one-line :class:`~peacewatch.errors.UserError` for a Pub/Sub call that could not get through."""
    where = settings.pubsub_emulator_host or "Google Cloud"
    reason = str(getattr(exc, "message", None) or exc).splitlines()[0][:200]
    return UserError(
        f"cannot reach Pub/Sub ({where}) for {path}: {reason}",
        "start the emulator with 'peacewatch services up', or check PUBSUB_EMULATOR_HOST and credentials",
    )
