"""Fixtures for connector tests: a loopback feed server and a fetcher with small limits."""

from __future__ import annotations

import pytest

from connectors.fetch import Fetcher, FetchLimits
from tests.connectors.feed_server import FeedServer, StallingServer

TEST_LIMITS = FetchLimits(connect_timeout=2.0, read_timeout=0.5, total_timeout=5.0, max_bytes=1 << 20, max_redirects=3)


@pytest.fixture
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def stalling_server():
    server = StallingServer()
    yield server
    server.close()


@pytest.fixture
def fetcher():
    with Fetcher(TEST_LIMITS, pool_size=8) as client:
        yield client
