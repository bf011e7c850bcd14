"""A matcher for the guard test: answers at once, except on an article whose text holds ``HANG``,
where it never returns (as a pathological rule and text would)."""

from __future__ import annotations

import time
from typing import Any


def match(documents: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    if any("HANG" in (d.get("text") or "") for d in documents):
        while True:
            time.sleep(60)
    return [[{"id": f"alert-{d['id']}", "article_id": d["id"]}] for d in documents]
