"""Bounds on the work of one fetch: its deadline, and the events of a fetch cut short.

`collect_events` runs each source under `deadline(seconds)`. The built-in readers and
parsers call `check()` between components and occurrences, and `HttpClient` never waits
past `seconds_left()`, so a fetch that outlives its deadline stops soon after instead of
working on in an abandoned thread. The deadline lives in a context variable: each
worker thread has its own, and code run outside `collect_events` has none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from ..errors import SourceError
from ..models import Activity

_DEADLINE: ContextVar[float] = ContextVar("novelty_source_deadline", default=math.inf)


class CutShortError(SourceError):
    """A fetch that hit one of its bounds: the message says which, `events` are the events
    it read before (collect_events keeps them and reports the message as a problem).

    A fetch that hit several passes the others as `more`: the message counts them
    ("(and 2 more)") and `notes` holds every one, which a strict collect lists.
    """

    def __init__(
        self, message: str, events: Sequence[Activity], *, more: Sequence[str] = ()
    ) -> None:
        counted = f" (and {len(more)} more)" if more else ""
        super().__init__(message + counted)
        self.events = list(events)
        self.notes = (message, *more)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Work inside this block stops `seconds` from now (or at an earlier outer deadline)."""
    token = _DEADLINE.set(min(_DEADLINE.get(), time.monotonic() + seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def seconds_left() -> float:
    """Seconds until the current deadline; infinite outside `deadline()`."""
    return _DEADLINE.get() - time.monotonic()


def check(doing: str) -> None:
    """Raise SourceError when the current deadline has passed; `doing` says what was cut."""
    if seconds_left() <= 0:
        raise SourceError(f"stopped at the deadline while {doing}")
