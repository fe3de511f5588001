"""Events from iCalendar (RFC 5545) feeds: .ics files, https:// and webcal:// URLs."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import warnings
from calendar import isleap
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any, Final

import icalendar
import recurring_ical_events

from ..errors import SourceError
from ..models import Activity, Location, Window
from . import bounds
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
#: Most VEVENTs read from one feed, not counting those plainly outside the window.
MAX_EVENTS: Final = 5_000
#: Most occurrences one series may have in the window; a series that repeats more often
#: (FREQ=SECONDLY, say) keeps its first ones.
MAX_SERIES_OCCURRENCES: Final = 1_000
#: Most occurrences read from one feed.
MAX_OCCURRENCES: Final = 10_000
#: VEVENTs parsed at once; the deadline is checked between batches.
_BATCH: Final = 500
_RECURRING: Final = frozenset({"RRULE", "RDATE", "RECURRENCE-ID"})
_DAY_PARTS: Final = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CYCLE_START: Final = dt.date(2020, 1, 1)
_CYCLE_END: Final = dt.date(2048, 1, 1)
#: Most periods a rule with BYSETPOS may walk to the year 9999: a position past the end of
#: every set never matches, and that is not worth checking in advance.
MAX_SETPOS_PERIODS: Final = 200_000
_DIGITS: Final = re.compile(r"\d{8}")


def _decode(data: bytes) -> str:
    unfolded = _FOLD.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    try:
        return unfolded.decode("utf-8")
    except UnicodeDecodeError:
        return unfolded.decode("cp1252", errors="replace")


def _structure(line: str) -> tuple[str, str]:
    """("BEGIN" or "END", component name) of a structural line, else ("", "")."""
    if line[:1] not in "BbEe":  # most lines: the test is made for every line of a feed
        return "", ""
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


def _key(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0].strip().upper()


def _day(line: str) -> str:
    """The first eight digits of a DTSTART/DTEND value (its date, YYYYMMDD), else ""."""
    found = _DIGITS.search(line.rpartition(":")[2])
    return found.group() if found else ""


def _plainly_outside(event: list[str], first_day: str, last_day: str) -> bool:
    """Whether a VEVENT's lines show, without parsing, that it cannot touch the days
    `first_day`..`last_day` (YYYYMMDD): it does not recur and its dates are outside."""
    dates: dict[str, str] = {}
    for line in event:
        if line[:1] not in "RrDd":  # RRULE, RDATE, RECURRENCE-ID, DTSTART, DTEND, DURATION
            continue
        key = _key(line)
        if key in _RECURRING:
            return False
        if key in ("DTSTART", "DTEND", "DURATION"):
            dates.setdefault(key, _day(line) if key != "DURATION" else "yes")
    start = dates.get("DTSTART", "")
    if not start:
        return False
    if start > last_day:
        return True
    if "DURATION" in dates:
        return False
    end = dates.get("DTEND", start)
    return bool(end) and end < first_day


class _Feed:
    """The calendars of a feed split into what every batch of events needs (each
    calendar's own lines and its VTIMEZONEs) and its VEVENTs, lines each."""

    def __init__(self, lines: list[str], window: Window) -> None:
        # Two days of margin on each side cover every UTC offset and all-day events.
        first = (window.start.astimezone(dt.UTC) - dt.timedelta(days=2)).strftime("%Y%m%d")
        last = (window.end.astimezone(dt.UTC) + dt.timedelta(days=2)).strftime("%Y%m%d")
        self.calendars: list[tuple[list[str], list[list[str]]]] = []
        self.skipped = 0
        kept = 0
        depth = 0
        block: list[str] = []
        for line in lines:
            key, name = _structure(line)
            if key == "BEGIN" and depth == 0:
                self.calendars.append(([], []))
            depth += key == "BEGIN"
            if depth >= 2:
                block.append(line)
            elif depth == 1 and not key:
                self.calendars[-1][0].append(line)
            depth -= key == "END"
            if depth == 1 and key == "END":
                shared, events = self.calendars[-1]
                if name != "VEVENT":
                    shared.extend(block)
                elif not _plainly_outside(block, first, last):
                    if kept < MAX_EVENTS:
                        events.append(block)
                    kept += 1
                block = []
        self.skipped = max(0, kept - MAX_EVENTS)

    def parsed(self) -> Iterator[icalendar.Calendar]:
        """The calendars, parsed a batch of events at a time."""
        for shared, events in self.calendars:
            for at in range(0, max(len(events), 1), _BATCH):
                bounds.check("reading the feed's events")
                lines = [
                    "BEGIN:VCALENDAR",
                    *shared,
                    *(line for event in events[at : at + _BATCH] for line in event),
                    "END:VCALENDAR",
                ]
                yield from _calendars(lines)


def _calendars(lines: list[str]) -> list[icalendar.Calendar]:
    try:
        return list(icalendar.Calendar.from_ical("\r\n".join(lines), True))
    except Exception:  # one broken component (often a hand-written VTIMEZONE) is no reason
        # to lose the feed: keep what reads on its own. Events whose VTIMEZONE is lost fall
        # back to the zone's IANA or Windows name.
        salvaged = icalendar.Calendar()
        for component in _readable(lines):
            salvaged.add_component(component)
        return [salvaged]


def _rules(event: icalendar.cal.Component) -> list[Any]:
    rule = event.get("RRULE")
    return rule if isinstance(rule, list) else [rule]


def _naive(value: object) -> dt.datetime:
    """A DTSTART/UNTIL value as a naive datetime (aware ones in UTC), to compare spans."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise TypeError(f"expected a date or date-time, got {type(value).__name__}")


def _pace(rule: Any) -> float:
    """Seconds between two dates a rule yields, at the fastest: its BY parts fan out, and
    in a month or a year a weekday without a position comes up to 5 or 53 times, a day of
    the month in each of 12 months, and a week number brings 7 days when no weekday is
    named (as dateutil expands them)."""
    interval = int(rule.get("INTERVAL", [1])[0])
    if interval < 1:
        raise _RefusedError(f"RRULE INTERVAL={interval} never moves on")
    freq = _freq(rule)
    fan_out = 1
    for part in _BY_PARTS:
        fan_out *= max(1, len(rule.get(part, ())))
    if freq in ("MONTHLY", "YEARLY"):
        if any(str(day).upper() in _WEEKDAYS for day in rule.get("BYDAY", ())):
            in_year = 1 if "BYWEEKNO" in rule else 5 if "BYMONTH" in rule else 53
            fan_out *= 5 if freq == "MONTHLY" else in_year
        if freq == "YEARLY" and "BYMONTHDAY" in rule and "BYMONTH" not in rule:
            fan_out *= 12
        if freq == "YEARLY" and "BYWEEKNO" in rule and "BYDAY" not in rule:
            fan_out *= 7
    return float(_PERIOD[freq] * interval) / fan_out


def _freq(rule: Any) -> str:
    return str(rule["FREQ"][0]).upper()


def _days_that_match(rule: Any) -> bool:
    """Whether the rule's BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO and BYDAY (its weekdays)
    leave any day in 28 years (every weekday and leap-year pattern, with ISO week 53s).

    dateutil checks UNTIL only on dates that match, so a rule that matches none
    (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) walks day by day to the year 9999: seconds
    of work that no UNTIL or deadline can stop.
    """
    if not any(part in rule for part in _DAY_PARTS):
        return True
    months = {int(m) for m in rule.get("BYMONTH", range(1, 13))}
    month_days = {int(d) for d in rule.get("BYMONTHDAY", ())}
    year_days = {int(d) for d in rule.get("BYYEARDAY", ())}
    weeks = {int(w) for w in rule.get("BYWEEKNO", ())}
    weekdays = {_WEEKDAYS.index(str(d)[-2:].upper()) for d in rule.get("BYDAY", ())}
    day = _CYCLE_START
    while day < _CYCLE_END:
        if day.month in months and (not weekdays or day.weekday() in weekdays):
            month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            in_month = (month_end - dt.timedelta(days=1)).day
            of_year = day.timetuple().tm_yday
            in_year = 366 if isleap(day.year) else 365
            iso_year, week, _ = day.isocalendar()
            in_weeks = dt.date(iso_year, 12, 28).isocalendar().week
            if (
                (not month_days or {day.day, day.day - in_month - 1} & month_days)
                and (not year_days or {of_year, of_year - in_year - 1} & year_days)
                and (not weeks or {week, week - in_weeks - 1} & weeks)
            ):
                return True
        day += dt.timedelta(days=1)
    return False


class _RefusedError(Exception):
    """A series that is not expanded; the message says why."""


def _bounded(
    event: icalendar.cal.Component, start: dt.datetime, end: dt.datetime, earliest: dt.datetime
) -> str:
    """Give each RRULE of a series an UNTIL just past the window, or sooner when the series
    would repeat more than MAX_SERIES_OCCURRENCES times in it; "" or what was cut.

    dateutil walks from DTSTART until a date past the window: a rule that never matches
    (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30) walks on to the year 9999, and a FREQ=SECONDLY
    rule yields a date a second. The walk may start at the `earliest` DTSTART of any
    member of the series (members sharing a UID are expanded together), so the steps are
    counted from there. Raises _RefusedError for a series not worth expanding.
    """
    first = event.decoded("DTSTART")
    naive_first = min(_naive(first), earliest)
    since = max(naive_first, _naive(start))
    stop = _naive(end) + dt.timedelta(days=1)
    cut = ""
    for rule in _rules(event):
        pace = _pace(rule)
        if not _days_that_match(rule):
            raise _RefusedError("its RRULE matches no day of the year")
        if "BYSETPOS" in rule:
            periods = (dt.datetime.max - naive_first).total_seconds() / _PERIOD[_freq(rule)]
            if periods > MAX_SETPOS_PERIODS:
                raise _RefusedError("BYSETPOS on a rule this frequent is not expanded")
        steps = max((_naive(end) - naive_first).total_seconds(), 0) / pace
        if steps > MAX_RECURRENCE_STEPS:
            raise _RefusedError(f"it would take too long to expand (about {steps:,.0f} steps)")
        until = min(stop, since + dt.timedelta(seconds=pace * MAX_SERIES_OCCURRENCES))
        if until < stop:
            cut = f"it repeats more than {MAX_SERIES_OCCURRENCES:,} times in the window"
        if "UNTIL" in rule:
            until = min(until, _naive(rule["UNTIL"][0]))
        if not isinstance(first, dt.datetime):
            rule["UNTIL"] = [until.date()]
        elif first.tzinfo is not None:
            rule["UNTIL"] = [until.replace(tzinfo=dt.UTC)]
        else:
            rule["UNTIL"] = [until]
    return cut


def _starts_after(event: icalendar.cal.Component, end: dt.datetime) -> bool:
    try:
        return _naive(event.decoded("DTSTART")) > _naive(end) + dt.timedelta(days=1)
    except Exception:  # no readable DTSTART: the expander will judge
        return False


def _series(
    members: list[icalendar.cal.Component],
    start: dt.datetime,
    end: dt.datetime,
    notes: list[str],
) -> list[Any]:
    """The occurrences of one series (its RRULE/RDATE event and the RECURRENCE-IDs that
    move or cancel some) in the window; a series that hits a bound adds a note."""
    title = " ".join(str(members[0].get("SUMMARY", "")).split())[:60]
    if all(_starts_after(member, end) for member in members):
        return []  # no occurrence can fall in the window; a rule may not match for ever
    try:
        starts = []
        for member in members:
            with contextlib.suppress(Exception):  # a member without a readable DTSTART
                starts.append(_naive(member.decoded("DTSTART")))
        earliest = min(starts, default=dt.datetime.max)
        for member in members:
            if "RRULE" in member:
                cut = _bounded(member, start, end, earliest)
                if cut:
                    notes.append(f"series {title!r} cut short: {cut}")
    except _RefusedError as why:
        notes.append(f"series {title!r} skipped: {why}")
        return []
    except Exception:  # an RRULE we cannot even read is one we will not expand
        return []
    try:
        with warnings.catch_warnings():
            # _bounded gives a series with a COUNT an UNTIL too: dateutil then stops at
            # whichever comes first, all we need, but warns that RFC 5545 forbids both.
            warnings.filterwarnings("ignore", "Using both 'count' and 'until'", DeprecationWarning)
            return list(islice(_between(members, start, end), MAX_SERIES_OCCURRENCES))
    except Exception:  # a broken series is lost alone, like any unreadable event
        return []


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
    if end is None and "DURATION" in event:
        end = start + event.decoded("DURATION")
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


def _occurrences(data: bytes, window: Window, tz: dt.tzinfo) -> tuple[list[Any], list[str]]:
    """Every occurrence of the feed's events in the window, each as a VEVENT of its own,
    and notes on the bounds the feed hit (MAX_EVENTS, MAX_OCCURRENCES, a series cut)."""
    start, end = window.start.astimezone(tz), window.end.astimezone(tz)
    feed = _Feed(_calendar_lines(_decode(data)), window)
    notes: list[str] = []
    if feed.skipped:
        notes.append(
            f"the feed has more than {MAX_EVENTS:,} events near the window; "
            f"{feed.skipped:,} were not read"
        )
    found: list[Any] = []
    series: dict[str, list[icalendar.cal.Component]] = {}
    for calendar in feed.parsed():
        for event in calendar.walk("VEVENT"):
            if _RECURRING.isdisjoint(event):
                found.append(event)  # a single event is its own only occurrence
            else:
                series.setdefault(str(event.get("UID", id(event))), []).append(event)
    for members in series.values():
        if len(found) >= MAX_OCCURRENCES:
            break
        bounds.check("expanding recurring events")
        found.extend(_series(members, start, end, notes))
    if len(found) > MAX_OCCURRENCES:
        notes.append(f"the feed has more than {MAX_OCCURRENCES:,} occurrences; the rest skipped")
    return found[:MAX_OCCURRENCES], notes


def parse_ical(
    data: bytes, window: Window, tz: dt.tzinfo, *, source: str = "ical"
) -> list[Activity]:
    """The events of an iCalendar feed that fall in `window`, recurrences expanded.

    Floating times and all-day events are read in `tz` (the couple's timezone).
    Cancelled events and occurrences are left out. Raises SourceError when the bytes
    are not an iCalendar feed at all; a single unreadable event is skipped. A feed that
    hits a bound (MAX_EVENTS, MAX_OCCURRENCES, a series over MAX_SERIES_OCCURRENCES or
    one that never moves on) raises bounds.CutShortError, which holds the events read.
    """
    try:
        occurrences, notes = _occurrences(data, window, tz)
    except SourceError:
        raise
    except Exception as exc:  # icalendar and dateutil raise many types on broken input
        detail = " ".join(str(exc).split())[:200]
        raise SourceError(f"unreadable iCalendar feed ({type(exc).__name__}: {detail})") from None
    convert = partial(_to_activity, tz=tz, source=source)
    events = []
    for activity in convert_each(occurrences, convert):
        if overlaps(window, activity.starts_at, activity.ends_at):
            events.append(activity)
    if notes:
        raise bounds.CutShortError(notes[0], events, more=notes[1:])
    return events


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
