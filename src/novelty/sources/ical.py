"""Events from iCalendar (RFC 5545) feeds: .ics files, https:// and webcal:// URLs."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any, Final

import icalendar
import recurring_ical_events

from ..errors import SourceError
from ..models import Activity, Location, Window
from ._event import (
    convert_each,
    couple_timezone,
    duration_minutes,
    event_id,
    labels,
    overlaps,
    place,
    with_place,
)
from ._options import checked_name, location_name
from .cache import checked_cache
from .http import DEFAULT_MAX_BYTES, HttpClient, checked_location

_CONTENT_LINE: Final = re.compile(r"^[A-Za-z0-9-]+[;:]")
_FOLD: Final = re.compile(rb"\r?\n[ \t]")
_WRAPPER: Final = ("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//novelty//wrapped event//EN")
#: Seconds in one step of each RRULE frequency, to see how long expanding a series takes.
_PERIOD: Final = {
    "SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86_400, "WEEKLY": 604_800,
    "MONTHLY": 2_629_746, "YEARLY": 31_556_952,
}  # fmt: skip
_BY_PARTS: Final = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY",
                    "BYWEEKNO", "BYMONTH", "BYSETPOS")  # fmt: skip
#: Most candidate dates a series may make the expander walk through before the window ends.
#: Past it the series is skipped: dateutil walks from DTSTART, so FREQ=MINUTELY since 1970
#: (mangled or hostile feeds) would otherwise take hours.
MAX_RECURRENCE_STEPS: Final = 20_000


def _decode(data: bytes) -> str:
    unfolded = _FOLD.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    try:
        return unfolded.decode("utf-8")
    except UnicodeDecodeError:
        return unfolded.decode("cp1252", errors="replace")


def _structure(line: str) -> tuple[str, str]:
    """("BEGIN" or "END", component name) of a structural line, else ("", "")."""
    key, _, value = line.partition(":")
    key = key.strip().upper()
    return (key, value.strip().upper()) if key in ("BEGIN", "END") else ("", "")


def _calendar_lines(text: str) -> list[str]:
    """The feed's content lines as complete, properly nested VCALENDARs.

    Real feeds are sloppy: a bare VEVENT without its VCALENDAR, junk before or after the
    calendar, a download cut short, stray lines that are not content lines, an END
    without its BEGIN. Unmatched ENDs are dropped, components left open by an END further
    out are closed, and a component the file ends inside is dropped whole.
    """
    lines = [line for line in text.splitlines() if _CONTENT_LINE.match(line)]
    names = {_structure(line) for line in lines}
    if ("BEGIN", "VCALENDAR") not in names:
        if ("BEGIN", "VEVENT") not in names:
            raise SourceError("not an iCalendar feed: it has no BEGIN:VCALENDAR or BEGIN:VEVENT")
        lines = [*_WRAPPER, *lines, "END:VCALENDAR"]
    out: list[str] = []
    open_components: list[tuple[str, int]] = []  # name, index of its BEGIN in out
    for line in lines:
        key, name = _structure(line)
        if key == "BEGIN" and (open_components or name == "VCALENDAR"):
            open_components.append((name, len(out)))
            out.append(f"BEGIN:{name}")
        elif key == "END" and any(name == n for n, _ in open_components):
            while open_components:
                closed, _ = open_components.pop()
                out.append(f"END:{closed}")
                if closed == name:
                    break
        elif open_components and not key:
            out.append(line)
    while open_components:
        name, begin = open_components.pop()
        if name == "VCALENDAR":
            out.append("END:VCALENDAR")
        else:
            del out[begin:]
    return out


def _readable(lines: list[str], levels: int = 4) -> Iterator[icalendar.cal.Component]:
    """The components among `lines` that can be read on their own; inside one that cannot,
    its readable children (down to `levels` deep)."""
    depth, component = 0, []
    for line in lines:
        key, _ = _structure(line)
        if key == "BEGIN":
            depth += 1
        if depth:
            component.append(line)
        if key == "END":
            depth -= 1
            if depth == 0:
                try:
                    yield icalendar.Calendar.from_ical("\r\n".join(component))
                except Exception:  # icalendar raises many types on broken content
                    if levels:
                        yield from _readable(component[1:-1], levels - 1)
                component = []


def _calendars(data: bytes) -> list[icalendar.Calendar]:
    lines = _calendar_lines(_decode(data))
    try:
        return list(icalendar.Calendar.from_ical("\r\n".join(lines), True))
    except Exception:  # one broken component (often a hand-written VTIMEZONE) is no reason
        # to lose the feed: keep what reads on its own. Events whose VTIMEZONE is lost fall
        # back to the zone's IANA or Windows name.
        salvaged = icalendar.Calendar()
        for component in _readable(lines):
            salvaged.add_component(component)
        return [salvaged]


def _steps(event: icalendar.cal.Component, until: dt.datetime) -> float:
    """About how many candidate dates expanding the event's RRULE walks before `until`."""
    rule = event.get("RRULE")
    rules = rule if isinstance(rule, list) else [rule]
    start = event.decoded("DTSTART")
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    span = (until.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds()
    steps = 0.0
    for each in rules:
        period = _PERIOD[str(each["FREQ"][0]).upper()]
        interval = int(each.get("INTERVAL", [1])[0]) or 1
        fan_out = 1
        for part in _BY_PARTS:
            fan_out *= max(1, len(each.get(part, ())))
        steps += max(span, 0) / (period * interval) * fan_out
    return steps


def _expandable(event: icalendar.cal.Component, until: dt.datetime) -> bool:
    if "RRULE" not in event:
        return True
    try:
        return _steps(event, until) <= MAX_RECURRENCE_STEPS
    except Exception:  # an RRULE we cannot even estimate is one we will not expand
        return False


def _calendar_of(events: Iterable[icalendar.cal.Component]) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    for event in events:
        calendar.add_component(event)
    return calendar


def _between(
    events: list[icalendar.cal.Component], start: dt.datetime, end: dt.datetime
) -> list[Any]:
    query: Any = recurring_ical_events.of(_calendar_of(events), skip_bad_series=True)
    return list(query.between(start, end))


def _aware(value: object, tz: dt.tzinfo) -> dt.datetime:
    """A DTSTART/DTEND value as an aware datetime: floating times and whole days read in tz."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=tz)
    raise TypeError(f"expected a date or date-time, got {type(value).__name__}")


def _categories(event: icalendar.Event) -> Iterator[str]:
    raw = event.get("CATEGORIES")
    for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        yield from (str(c) for c in getattr(item, "cats", [item]))


def _location(event: icalendar.Event) -> tuple[Location | None, str | None]:
    """The event's Location (when it has GEO), else None and its LOCATION text."""
    text = " ".join(str(event.get("LOCATION", "")).split()) or None
    geo = event.get("GEO")
    name, _, address = (text or "").partition(",")
    found = place(
        getattr(geo, "latitude", None),
        getattr(geo, "longitude", None),
        name=name.strip() or None,
        address=address.strip() or None,
    )
    return (found, None) if found is not None else (None, text)


def _to_activity(event: icalendar.Event, *, tz: dt.tzinfo, source: str) -> Activity | None:
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    title = " ".join(str(event.get("SUMMARY", "")).split())
    if not title:
        return None
    raw_start = event.decoded("DTSTART")
    start = _aware(raw_start, tz)
    end = _aware(event.decoded("DTEND"), tz) if "DTEND" in event else None
    if end is not None and end <= start:
        end = None
    all_day = not isinstance(raw_start, dt.datetime)  # one goes for a while, not all day
    location, where_text = _location(event)
    tags = labels(_categories(event))
    url = str(event.get("URL", "")).strip()
    uid = str(event.get("UID", "")) or title
    return Activity(
        id=event_id("ical", uid, start.isoformat()),
        title=title,
        description=with_place(str(event.get("DESCRIPTION", "")).strip(), where_text),
        category=tags[0] if tags else "other",
        tags=tags,
        duration_minutes=None if all_day else duration_minutes(start, end),
        location=location,
        starts_at=start,
        ends_at=end,
        url=url if url.lower().startswith(("https://", "http://")) else None,
        source=source,
    )


def _occurrences(data: bytes, window: Window, tz: dt.tzinfo) -> list[Any]:
    """Every occurrence of the feed's events in the window, each as a VEVENT of its own."""
    start, end = window.start.astimezone(tz), window.end.astimezone(tz)
    events = [e for c in _calendars(data) for e in c.walk("VEVENT") if _expandable(e, end)]
    try:
        return _between(events, start, end)
    except Exception:  # one broken series must not cost the others: expand each on its own
        series: dict[str, list[icalendar.cal.Component]] = {}
        for event in events:
            series.setdefault(str(event.get("UID", id(event))), []).append(event)
        found: list[Any] = []
        for members in series.values():
            with contextlib.suppress(Exception):
                found.extend(_between(members, start, end))
        return found


def parse_ical(
    data: bytes, window: Window, tz: dt.tzinfo, *, source: str = "ical"
) -> list[Activity]:
    """The events of an iCalendar feed that fall in `window`, recurrences expanded.

    Floating times and all-day events are read in `tz` (the couple's timezone).
    Cancelled events and occurrences are left out. Raises SourceError when the bytes
    are not an iCalendar feed at all; a single unreadable event is skipped.
    """
    try:
        occurrences = _occurrences(data, window, tz)
    except SourceError:
        raise
    except Exception as exc:  # icalendar and dateutil raise many types on broken input
        detail = " ".join(str(exc).split())[:200]
        raise SourceError(f"unreadable iCalendar feed ({type(exc).__name__}: {detail})") from None
    convert = partial(_to_activity, tz=tz, source=source)
    return [
        activity
        for activity in convert_each(occurrences, convert)
        if overlaps(window, activity.starts_at, activity.ends_at)
    ]


class ICalSource:
    """Events from an iCalendar feed: a local .ics file or an https/http/webcal URL.

    Args:
        location: URL (`webcal://` is read as `https://`) or path of the .ics file.
        name: Name shown in problems and on each event; default `ical:<host or file>`.
        timeout: Seconds to wait for the server (connect, each read, the whole body).
        retries: Retries on connection errors and 429/5xx answers.
        max_bytes: Largest feed read.
        cache_ttl: Seconds a fetched feed is kept on disk and read from there instead of
            the network; None (the default) fetches every time.
        cache_dir: Folder of that cache; default `novelty/http` in the user's cache folder.
    """

    def __init__(
        self,
        location: str | os.PathLike[str],
        *,
        name: str | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        max_bytes: int = DEFAULT_MAX_BYTES,
        cache_ttl: float | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.location = checked_location(location)
        self.name = checked_name(name, location_name("ical", self.location))
        cache = checked_cache(cache_ttl, cache_dir)
        self.http = HttpClient(timeout=timeout, retries=retries, max_bytes=max_bytes, cache=cache)

    def fetch(self, window: Window, near: Location | None) -> list[Activity]:
        """The feed's events in `window`; floating times are read in the couple's timezone."""
        data = self.http.read(self.location)
        return parse_ical(data, window, couple_timezone(window, near), source=self.name)

    def __repr__(self) -> str:
        return f"ICalSource({self.name!r})"
