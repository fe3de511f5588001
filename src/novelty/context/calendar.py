"""The `when` grammar of catalog rows: the days (and sky) an idea is bound to, and which
days of a window a rule allows.

A `when` text is terms separated by ``;`` (case does not matter):

- date terms, any one of which may hold: ``12-31`` (a fixed day, MM-DD), ``12-14..01-05``
  (a range, wrapping the year end), ``friday`` (a weekday), ``first friday`` (``first`` to
  ``fourth`` or ``last`` weekday of any month), ``holiday US thanksgiving -10..+3`` (a named
  holiday of a country's calendar from the `holidays` package, optionally the days around
  it), ``summer solstice`` / ``winter solstice`` / ``spring equinox`` / ``autumn equinox``
  (by the couple's hemisphere, the day itself give or take three), ``full moon`` /
  ``new moon`` (give or take two days);
- at most one sky term, which sets the time on the day: ``sunrise`` (starts at sunrise),
  ``sunset`` (ends half an hour after sunset), ``dark`` (starts after nautical dusk).

No date term means any day.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS: Final = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
SKY: Final = ("sunrise", "sunset", "dark")
#: Days either side of a solstice or equinox that still count as it.
SOLSTICE_DAYS: Final = 3
#: Days either side of a full or new moon that still count as it.
MOON_DAYS: Final = 2.0
#: Mean synodic month in days, and a new moon (2000-01-06 18:14 UTC) as a Julian day.
SYNODIC_MONTH: Final = 29.530588853
NEW_MOON_JD: Final = 2451550.26
_UNIX_JD: Final = 2440587.5

#: Meeus, Astronomical Algorithms (2nd ed.), table 27.B: mean equinoxes and solstices for
#: the years 1000-3000 as polynomials in Y = (year - 2000) / 1000 giving a Julian day; the
#: periodic terms left out move them by well under a day.
_SEASON_EVENTS: Final = {
    "march": (2451623.80984, 365242.37404, 0.05169, -0.00411, -0.00057),
    "june": (2451716.56767, 365241.62603, 0.00325, 0.00888, -0.00030),
    "september": (2451810.21715, 365242.01767, -0.11575, 0.00337, 0.00078),
    "december": (2451900.05952, 365242.74049, -0.06223, -0.00823, 0.00032),
}
#: Which event each named one is, north and south of the equator.
_EVENT_OF: Final = {
    "summer solstice": ("june", "december"),
    "winter solstice": ("december", "june"),
    "spring equinox": ("march", "september"),
    "autumn equinox": ("september", "march"),
}

_DAY = r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_FIXED = re.compile(rf"^{_DAY}(?:\.\.{_DAY})?$")
_NTH = re.compile(rf"^({'|'.join(ORDINALS)}) ({'|'.join(WEEKDAYS)})$")
_HOLIDAY = re.compile(
    r"^holiday ([a-z]{2}) ([a-z0-9 '().-]+?)(?: ([+-]\d{1,2})\.\.([+-]\d{1,2}))?$"
)


@dataclass(frozen=True)
class Rule:
    """A parsed `when` text: its date terms (any may hold) and its sky term."""

    #: Fixed days and ranges as (first, last) month * 100 + day.
    ranges: tuple[tuple[int, int], ...] = ()
    weekdays: tuple[int, ...] = ()
    #: (n, weekday): n 1-4, or -1 for the last in the month.
    nth: tuple[tuple[int, int], ...] = ()
    #: (country code, name as written, days before, days after).
    holidays: tuple[tuple[str, str, int, int], ...] = ()
    solstices: tuple[str, ...] = ()
    moons: tuple[str, ...] = ()
    sky: str | None = None

    @property
    def dated(self) -> bool:
        """Whether it binds the idea to some days."""
        return bool(
            self.ranges or self.weekdays or self.nth or self.holidays or self.solstices
            or self.moons
        )  # fmt: skip


def parse_when(text: str) -> Rule:
    """Parse a `when` text; ValueError names the term that does not fit the grammar."""
    parts: dict[str, list[object]] = {k: [] for k in ("ranges", "weekdays", "nth", "holidays")}
    solstices: list[str] = []
    moons: list[str] = []
    sky: str | None = None
    for raw in text.split(";"):
        term = " ".join(raw.strip().lower().split())
        if not term:
            continue
        if fixed := _FIXED.match(term):
            first = int(fixed[1]) * 100 + int(fixed[2])
            last = int(fixed[3]) * 100 + int(fixed[4]) if fixed[3] else first
            parts["ranges"].append((first, last))
        elif term in WEEKDAYS:
            parts["weekdays"].append(WEEKDAYS.index(term))
        elif nth := _NTH.match(term):
            parts["nth"].append((ORDINALS[nth[1]], WEEKDAYS.index(nth[2])))
        elif holiday := _HOLIDAY.match(term):
            before, after = int(holiday[3] or 0), int(holiday[4] or 0)
            if before > after:
                raise ValueError(f"when: {raw.strip()!r}: the days around it go backwards")
            parts["holidays"].append((holiday[1].upper(), holiday[2], before, after))
        elif term in _EVENT_OF:
            solstices.append(term)
        elif term in ("full moon", "new moon"):
            moons.append(term)
        elif term in SKY:
            if sky is not None:
                raise ValueError(f"when: {text!r} has two sky terms; expected at most one")
            sky = term
        else:
            raise ValueError(
                f"when: unknown term {raw.strip()!r}; expected MM-DD, MM-DD..MM-DD, a weekday, "
                "'first friday', 'holiday CC name', a solstice or equinox, 'full moon', "
                "'new moon', 'sunrise', 'sunset' or 'dark' (see docs/when-where.md)"
            )
    return Rule(
        ranges=tuple(parts["ranges"]),  # type: ignore[arg-type]
        weekdays=tuple(parts["weekdays"]),  # type: ignore[arg-type]
        nth=tuple(parts["nth"]),  # type: ignore[arg-type]
        holidays=tuple(parts["holidays"]),  # type: ignore[arg-type]
        solstices=tuple(solstices),
        moons=tuple(moons),
        sky=sky,
    )


def season_event(name: str, year: int, *, southern: bool) -> dt.date:
    """The UTC date of a named solstice or equinox in `year` for a hemisphere."""
    a, b, c, d, e = _SEASON_EVENTS[_EVENT_OF[name][southern]]
    y = (year - 2000) / 1000
    jd = a + b * y + c * y**2 + d * y**3 + e * y**4
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(jd - _UNIX_JD))


def moon_age(days: np.ndarray) -> np.ndarray:
    """Days since the last mean new moon at noon UTC of each day (datetime64[D]): 0 new,
    about 14.8 full. The true moon runs up to about 0.6 days off the mean one."""
    jd = days.astype("datetime64[D]").astype(np.int64) + _UNIX_JD + 0.5
    return np.asarray(np.mod(jd - NEW_MOON_JD, SYNODIC_MONTH))


def holiday_dates(country: str, name: str, years: range) -> list[dt.date]:
    """Dates whose holiday name in `country`'s calendar contains `name` (any case)."""
    import holidays  # imported when a rule names a holiday: the package is large

    # Some calendars know some holidays only for some years (India's Hindu holidays from
    # 2001 to 2035) and warn when asked for others. Such a year has no date for them, so
    # the idea is not offered then: the warning tells a user nothing they can act on. A
    # filter for that message alone, (re)set on each call because test runners and apps
    # may reset the filters; catch_warnings around the call is not safe across threads.
    warnings.filterwarnings(
        "ignore", message="Requested Holidays are available only", category=UserWarning
    )
    try:
        calendar = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        return []
    return sorted(day for day, title in calendar.items() if name in title.casefold())


def allowed_days(rule: Rule, days: np.ndarray, *, southern: bool) -> np.ndarray:
    """Which of `days` (datetime64[D], local dates) the rule's date terms allow."""
    if not rule.dated:
        return np.ones(days.size, dtype=bool)
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    md = months * 100 + dom
    # 1970-01-01 was a Thursday (3, counting Monday as 0).
    weekday = (days.astype(np.int64) + 3) % 7
    ok = np.zeros(days.size, dtype=bool)
    for first, last in rule.ranges:
        ok |= ((md >= first) & (md <= last)) if first <= last else ((md >= first) | (md <= last))
    if rule.weekdays:
        ok |= np.isin(weekday, rule.weekdays)
    if rule.nth:
        next_month = (days.astype("datetime64[M]") + 1).astype("datetime64[D]")
        last_week = (next_month - days).astype(np.int64) <= 7
        for n, day in rule.nth:
            ok |= (weekday == day) & (last_week if n < 0 else (dom - 1) // 7 + 1 == n)
    span = range(int(years.min()) - 1, int(years.max()) + 2)
    for country, name, before, after in rule.holidays:
        found = np.array(holiday_dates(country, name, span), dtype="datetime64[D]")
        around = (found[:, None] + np.arange(before, after + 1)).ravel()
        ok |= np.isin(days, around)
    for name in rule.solstices:
        events = np.array(
            [season_event(name, year, southern=southern) for year in span], dtype="datetime64[D]"
        )
        ok |= (np.abs(days[:, None] - events[None, :]).astype(np.int64) <= SOLSTICE_DAYS).any(1)
    if rule.moons:
        age = moon_age(days)
        if "full moon" in rule.moons:
            ok |= np.abs(age - SYNODIC_MONTH / 2) <= MOON_DAYS
        if "new moon" in rule.moons:
            ok |= (age <= MOON_DAYS) | (age >= SYNODIC_MONTH - MOON_DAYS)
    return ok
