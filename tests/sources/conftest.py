"""Fixtures of the event-source tests: a local threaded HTTP server and a release latch."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def _threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(_threaded_server: HTTPServer) -> Iterator[HTTPServer]:
    """A local HTTP server on 127.0.0.1 that answers requests in parallel threads."""
    _threaded_server.clear()
    yield _threaded_server
    _threaded_server.clear()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event that hanging handlers and sources wait on; set when the test ends."""
    event = threading.Event()
    yield event
    event.set()
