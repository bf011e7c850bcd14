"""Child processes shared by every DoFn instance of a worker process, closed by the last user.

A runner may run many bundles of one stage at once (Prism does), each with DoFn instances of its
own; the NLP processes and the alert-matching process must not be started once per instance.
:class:`SharedResources` hands out one object per tag, counts its users, and closes it when the
last one lets go (``DoFn.teardown``) or when the run ends (:meth:`SharedResources.close_all`: a
cancelled streaming job does not tear its DoFns down).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class SharedResources:
    """Objects with a ``close()`` method, one per tag, counted by user."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, list[Any]] = {}  # tag -> [object, users]

    def acquire(self, tag: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            item = self._items.get(tag)
            if item is None:
                item = self._items[tag] = [make(), 0]
            item[1] += 1
            return item[0]

    def release(self, tag: str) -> None:
        with self._lock:
            item = self._items.get(tag)
            if item is None:
                return
            item[1] -= 1
            if item[1] > 0:
                return
            del self._items[tag]
        item[0].close()

    def close_all(self) -> None:
        with self._lock:
            items, self._items = list(self._items.values()), {}
        for obj, _ in items:
            obj.close()
