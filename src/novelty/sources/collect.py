"""Fetching from many sources at once: deadlines, failure isolation, validation, dedup."""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import Future, wait
from typing import Final

from ..errors import SourceError
from ..geo import km_between
from ..models import Activity, Location, Problem, Window
from . import bounds
from ._event import overlaps
from .http import redact
from .protocol import Source

#: Two events at the same time with the same title are one event if their venues are this
#: close (metres): two feeds rarely agree on a venue's coordinates to the metre.
SAME_VENUE_METRES: Final = 100.0
_NOT_WORD: Final = re.compile(r"[\W_]+")
#: The span of dates an event may have: pandas (which the recommender ranks with) holds
#: datetime64[ns], 1677-09-21 to 2262-04-11; a day of margin keeps every timezone inside.
EARLIEST: Final = dt.datetime(1677, 9, 23, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(2262, 4, 10, tzinfo=dt.UTC)


def _run(
    source: Source, window: Window, near: Location | None, seconds: float
) -> Future[list[object]]:
    """Call `source.fetch` in a daemon thread, under a deadline `seconds` away; its future.

    Not a ThreadPoolExecutor: its workers are joined at interpreter exit, so one source
    that never returns would keep the program from exiting. A daemon thread is simply
    abandoned when we stop waiting for it; the built-in sources also stop by themselves
    at the deadline (see `bounds`), so they do not keep working once abandoned.
    """
    future: Future[list[object]] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            with bounds.deadline(seconds):
                future.set_result(list(source.fetch(window, near)))
        except BaseException as exc:  # a plugin's SystemExit must not vanish silently
            future.set_exception(exc)

    threading.Thread(target=work, name=f"novelty-source-{_name(source)}", daemon=True).start()
    return future


def _name(source: object) -> str:
    name = getattr(source, "name", None)
    return name if isinstance(name, str) and name else type(source).__name__


def _one_line(text: str) -> str:
    return redact(" ".join(text.split()))[:300]


def _failure(exc: BaseException) -> str:
    if isinstance(exc, SourceError):
        return _one_line(str(exc)) or "failed"
    detail = _one_line(str(exc))
    return f"failed with {type(exc).__name__}" + (f": {detail}" if detail else "")


def _normalised(text: str | None) -> str:
    """Text compared case-, accent- and punctuation-insensitively."""
    plain = text or ""
    if not plain.isascii():  # ASCII has no accents: most titles skip the decomposition
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain.casefold()).split())


def _same_venue(a: Activity, b: Activity) -> bool:
    """Whether two listings of one title and start are at the same place."""
    if a.location is None or b.location is None:
        return a.location is None and b.location is None
    if 1000 * km_between(a.location, b.location) <= SAME_VENUE_METRES:
        return True
    name = _normalised(a.location.name)
    return bool(name) and name == _normalised(b.location.name)


def deduplicate(events: Sequence[Activity]) -> list[Activity]:
    """Events with the first listing of each event kept: the same normalised title, start
    and venue (same name, or coordinates within SAME_VENUE_METRES) is one event."""
    kept: list[Activity] = []
    seen: dict[tuple[str, object], list[Activity]] = {}
    for event in events:
        twins = seen.setdefault((_normalised(event.title), event.starts_at), [])
        if not any(_same_venue(event, twin) for twin in twins):
            twins.append(event)
            kept.append(event)
    return kept


def _accept(
    name: str, items: list[object], window: Window, problems: list[Problem]
) -> list[Activity]:
    """The source's Activities in the window; anything else it returned, and events dated
    where the recommender cannot count (see EARLIEST, LATEST), become Problems."""
    events: list[Activity] = []
    undated: list[Activity] = []
    for index, item in enumerate(items):
        if not isinstance(item, Activity):
            problems.append(
                Problem(
                    source=name,
                    message=f"item {index} is a {type(item).__name__}, not an Activity; skipped",
                )
            )
        elif not _representable(item):
            undated.append(item)
        elif overlaps(window, item.starts_at, item.ends_at):
            events.append(
                item if item.source != "catalog" else item.model_copy(update={"source": name})
            )
    if undated:
        first = undated[0]
        problems.append(
            Problem(
                source=name,
                message=(
                    f"{len(undated)} event(s) dated outside {EARLIEST:%Y-%m-%d} to "
                    f"{LATEST:%Y-%m-%d} skipped, e.g. {first.title[:60]!r} "
                    f"({first.starts_at:%Y-%m-%d} to "
                    + (f"{first.ends_at:%Y-%m-%d})" if first.ends_at else "no end)")
                ),
            )
        )
    return events


def _representable(event: Activity) -> bool:
    """Whether the event's start and end lie in the span the recommender can hold."""
    # A year strictly between the bounds' is inside them in any timezone (offsets are under
    # a day), without the timezone arithmetic of comparing aware datetimes.
    return all(
        EARLIEST.year < moment.year < LATEST.year or EARLIEST <= moment <= LATEST
        for moment in (event.starts_at, event.ends_at)
        if moment is not None
    )


def collect_events(
    sources: Sequence[Source],
    window: Window,
    near: Location | None,
    *,
    deadline: float = 15.0,
    strict: bool = False,
) -> tuple[list[Activity], list[Problem]]:
    """Fetch every source at once and return their events in the window, and what went wrong.

    Each source runs in its own thread; the call returns after at most `deadline` seconds
    (plus a moment), whatever the sources do. A source that raises, times out or returns
    something other than Activities becomes a Problem and the others are kept. Events that
    miss the window are dropped, and the same event from two sources is kept once, from the
    source listed first. An Activity left with the default `source` gets the source's name.
    With `strict=True` any problem raises SourceError instead, listing every problem
    (and every bound a cut-short source hit).
    """
    running = [(_name(s), _run(s, window, near, deadline)) for s in sources]
    wait([future for _, future in running], timeout=deadline)
    events: list[Activity] = []
    problems: list[Problem] = []
    # Every bound a source cut short by several hit, by its problem's place in
    # `problems`: the problem counts all but the first, a strict collect lists them.
    notes: dict[int, list[str]] = {}
    for name, future in running:
        if not future.done():
            problems.append(
                Problem(source=name, message=f"no answer within {deadline:g} s; cut off")
            )
        elif isinstance(exc := future.exception(), bounds.CutShortError):
            if len(exc.notes) > 1:
                notes[len(problems)] = [_one_line(note) for note in exc.notes]
            problems.append(Problem(source=name, message=_failure(exc)))
            events.extend(_accept(name, list(exc.events), window, problems))
        elif exc is not None:
            problems.append(Problem(source=name, message=_failure(exc)))
        else:
            events.extend(_accept(name, future.result(), window, problems))
    if strict and problems:
        raise SourceError(
            "; ".join(
                f"{p.source}: {message}"
                for number, p in enumerate(problems)
                for message in notes.get(number, [p.message])
            )
        )
    return deduplicate(events), problems
