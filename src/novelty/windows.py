"""Turn `when` ("this weekend", a date, a range, a pair) into a Window in the couple's timezone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo

from .errors import WindowError
from .models import Window

#: Weekend evenings start at this local time on Friday.
WEEKEND_STARTS = dt.time(17, 0)
#: "tonight" starts at this local time (or now, if later).
EVENING_STARTS = dt.time(17, 0)
#: If less than this is left of a Sunday, "this weekend" means the next one.
MIN_WEEKEND_LEFT = dt.timedelta(hours=2)

#: Years the library can represent: candidates keep times as 64-bit nanoseconds (years
#: 1677-2262), and a moment must be shiftable by days without leaving Python's range.
FIRST_YEAR, LAST_YEAR = 1900, 2199

_FRIDAY, _SATURDAY, _SUNDAY = 4, 5, 6
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

When = str | dt.date | dt.datetime | tuple[object, object] | Window


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """Local wall-clock time on a day; zoneinfo picks the right UTC offset across DST."""
    return dt.datetime.combine(day, time, tzinfo=tz)


def _midnight_after(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return _at(day + dt.timedelta(days=1), dt.time(0), tz)


def _weekend(now: dt.datetime, tz: ZoneInfo, weeks_ahead: int, label: str) -> Window:
    today = now.date()
    if today.weekday() in (_FRIDAY, _SATURDAY, _SUNDAY):
        friday = today - dt.timedelta(days=today.weekday() - _FRIDAY)
    else:
        friday = today + dt.timedelta(days=_FRIDAY - today.weekday())
    friday += dt.timedelta(weeks=weeks_ahead)
    # Local wall-clock times: zoneinfo picks the right UTC offset across DST.
    start = dt.datetime.combine(friday, WEEKEND_STARTS, tzinfo=tz)
    end = dt.datetime.combine(friday + dt.timedelta(days=3), dt.time(0), tzinfo=tz)
    if weeks_ahead == 0 and end - now < MIN_WEEKEND_LEFT:
        return _weekend(now, tz, 1, label)
    return Window(start=max(start, now), end=end, label=label)


def _next_weekend(now: dt.datetime, tz: ZoneInfo) -> Window:
    this = _weekend(now, tz, 0, "this weekend")
    friday = this.end.date() - dt.timedelta(days=3) + dt.timedelta(weeks=1)
    return Window(
        start=_at(friday, WEEKEND_STARTS, tz),
        end=_midnight_after(friday + dt.timedelta(days=2), tz),
        label="next weekend",
    )


def _tonight(now: dt.datetime, tz: ZoneInfo) -> Window:
    end = _midnight_after(now.date(), tz)
    start = max(now, _at(now.date(), EVENING_STARTS, tz))
    if end - start < dt.timedelta(minutes=30):
        raise WindowError("when='tonight': less than 30 minutes of tonight are left")
    return Window(start=start, end=end, label="tonight")


def _tomorrow(now: dt.datetime, tz: ZoneInfo) -> Window:
    day = now.date() + dt.timedelta(days=1)
    return Window(start=_at(day, dt.time(0), tz), end=_midnight_after(day, tz), label="tomorrow")


def _this_week(now: dt.datetime, tz: ZoneInfo) -> Window:
    sunday = now.date() + dt.timedelta(days=_SUNDAY - now.date().weekday())
    return Window(start=now, end=_midnight_after(sunday, tz), label="this week")


def _in_range(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _out_of_range(day, "when")
    return day


def _day(day: dt.date, now: dt.datetime, tz: ZoneInfo, label: str) -> Window:
    end = _midnight_after(day, tz)
    if end <= now:
        raise WindowError(f"when={label!r}: that day is already over")
    return Window(start=max(_at(day, dt.time(0), tz), now), end=end, label=label)


_NAMED: dict[str, Callable[[dt.datetime, ZoneInfo], Window]] = {
    "tonight": _tonight,
    "tomorrow": _tomorrow,
    "today": lambda now, tz: _day(now.date(), now, tz, "today"),
    "this weekend": partial(_weekend, weeks_ahead=0, label="this weekend"),
    "weekend": partial(_weekend, weeks_ahead=0, label="this weekend"),
    "next weekend": lambda now, tz: _next_weekend(now, tz),
    "this week": _this_week,
}

#: The texts `when` may be (from the command line or an app).
ACCEPTED_TEXT = (
    "'tonight', 'today', 'tomorrow', 'this weekend', 'next weekend', 'this week', "
    "a weekday name, a date (YYYY-MM-DD) or a range of dates (YYYY-MM-DD..YYYY-MM-DD)"
)
#: Everything else an app may pass.
ACCEPTED = f"one of {ACCEPTED_TEXT}; a date; a (start, end) pair or a Window"


def _out_of_range(value: dt.date, what: str) -> WindowError:
    return WindowError(
        f"{what}: {value.isoformat()} is out of range; "
        f"expected a time in the years {FIRST_YEAR} to {LAST_YEAR}"
    )


def check_moment(moment: dt.datetime, what: str) -> dt.datetime:
    """`moment` if it is aware and in the years the library can represent, else WindowError."""
    # The local year is checked before any arithmetic: near year 1 or 9999 an aware
    # datetime cannot even be converted to UTC.
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise _out_of_range(moment, what)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise WindowError(f"{what} must be a timezone-aware datetime")
    return moment


def _as_datetime(value: object, tz: ZoneInfo, *, end: bool) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = (
                dt.date.fromisoformat(value)
                if len(value) == 10
                else dt.datetime.fromisoformat(value)
            )
        except ValueError:
            raise WindowError(f"when: {value!r} is not an ISO date or datetime") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return check_moment(value.replace(tzinfo=tz), "when")
        # A moment given in another zone is the same instant on the couple's clock: parts
        # of the day and opening hours are read in local time.
        return check_moment(value, "when").astimezone(tz)
    if isinstance(value, dt.date):
        _in_range(value)
        return _midnight_after(value, tz) if end else _at(value, dt.time(0), tz)
    raise WindowError(f"when: expected a date or datetime in the pair, got {type(value).__name__}")


def _pair(start: object, end: object, tz: ZoneInfo, label: str | None = None) -> Window:
    first = _as_datetime(start, tz, end=False)
    stop = _as_datetime(end, tz, end=True)
    if stop <= first:
        raise WindowError(f"when: end {stop.isoformat()} is not after start {first.isoformat()}")
    return Window(start=first, end=stop, label=label)


def resolve_window(when: When, *, now: dt.datetime, tz: ZoneInfo) -> Window:
    """Resolve `when` relative to `now` (an aware datetime) in the timezone `tz`.

    Named windows, in local time:

    - ``tonight``: from 17:00 (or now, if later) to midnight.
    - ``today`` / ``tomorrow`` / a weekday name / a date: that whole day (from now, if today).
    - ``2026-12-10..2026-12-13``: from the start of the first day to the end of the last.
    - ``this weekend``: Friday 17:00 to Sunday midnight. From Friday evening on it starts
      now; with less than two hours of Sunday left it means next weekend.
    - ``next weekend``: the weekend seven days after "this weekend".
    - ``this week``: from now to Sunday midnight.
    """
    now = check_moment(now, "now").astimezone(tz)
    if isinstance(when, Window):
        start, end = check_moment(when.start, "when"), check_moment(when.end, "when")
        if start.tzinfo is tz and end.tzinfo is tz:
            return when
        return Window(start=start.astimezone(tz), end=end.astimezone(tz), label=when.label)
    if isinstance(when, tuple):
        if len(when) != 2:
            raise WindowError(f"when: expected a (start, end) pair, got {len(when)} items")
        return _pair(when[0], when[1], tz)
    if isinstance(when, dt.datetime):
        raise WindowError(
            "when: a single datetime is ambiguous; pass a date or a (start, end) pair"
        )
    if isinstance(when, dt.date):
        return _day(_in_range(when), now, tz, when.isoformat())
    if isinstance(when, str):
        key = " ".join(when.strip().lower().split())
        if key in _NAMED:
            return _NAMED[key](now, tz)
        if key in _WEEKDAYS:
            ahead = (_WEEKDAYS.index(key) - now.weekday()) % 7
            return _day(now.date() + dt.timedelta(days=ahead), now, tz, key)
        first, dots, last = key.partition("..")
        try:
            day = dt.date.fromisoformat(first.strip())
            last_day = dt.date.fromisoformat(last.strip()) if dots else day
        except ValueError:
            raise WindowError(f"when: unknown value {when!r}; expected {ACCEPTED_TEXT}") from None
        if dots:
            if last_day < day:
                raise WindowError(f"when: {when!r} ends on {last_day} before it starts on {day}")
            return _pair(day, last_day, tz, label=key.replace(" ", ""))
        return _day(_in_range(day), now, tz, key)
    raise WindowError(f"when: unsupported type {type(when).__name__}; expected {ACCEPTED}")
