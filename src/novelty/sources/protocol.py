"""The plugin interface of event sources: the Source protocol, which every source meets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from ..models import Activity, Location, Window


@runtime_checkable
class Source(Protocol):
    """Anything that yields dated events for a time window, near a place.

    `fetch` may be slow, fail or hang: `collect_events` runs it in a worker thread with a
    deadline and turns any exception into a Problem. Raise SourceError with a one-line
    message for expected failures; never put an API key in a message.
    """

    name: str

    def fetch(self, window: Window, near: Location | None) -> Iterable[Activity]:
        """Events that happen (at least partly) in `window`, near `near` when it is given."""
        ...
