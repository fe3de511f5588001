"""Hard filters: what may never be recommended (outside the window or season, over budget,
too far, disliked, done recently) and the earliest time each remaining idea fits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import ALL_SEASONS, SEASON_BITS
from .geo import haversine_km
from .lookup import NAT, RowLookup, remembered
from .models import Budget, Location, Window

#: Parts of the day in local time: (earliest suggested start, end of the part).
DAY_PARTS: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(9, 30), dt.time(12, 0)),
    "afternoon": (dt.time(13, 0), dt.time(17, 0)),
    "evening": (dt.time(18, 30), dt.time(22, 0)),
}
#: Assumed length of an idea whose duration is unknown.
DEFAULT_DURATION = dt.timedelta(hours=2)
_MONTH_SEASON = {
    12: "winter",
    1: "winter",
    2: "winter",
    3: "spring",
    4: "spring",
    5: "spring",
    6: "summer",
    7: "summer",
    8: "summer",
    9: "autumn",
    10: "autumn",
    11: "autumn",
}
_OPPOSITE = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}
_MAX_DAYS = 62


def _days(window: Window) -> list[dt.date]:
    start = window.start.date()
    count = min((window.end.date() - start).days + 1, _MAX_DAYS)
    return [start + dt.timedelta(days=i) for i in range(count)]


def season_bit(day: dt.date, *, southern: bool) -> int:
    """Season of a day as a bit (meteorological seasons; flipped south of the equator)."""
    season = _MONTH_SEASON[day.month]
    return SEASON_BITS[_OPPOSITE[season] if southern else season]


def _next_quarter(moment: dt.datetime) -> dt.datetime:
    """A suggested time reads better on the quarter hour: 21:35 becomes 21:45."""
    spare = dt.timedelta(
        minutes=moment.minute % 15, seconds=moment.second, microseconds=moment.microsecond
    )
    return moment if not spare else moment - spare + dt.timedelta(minutes=15)


def earliest_slot(
    part: str, window: Window, *, seasons: int = ALL_SEASONS, southern: bool = False
) -> dt.datetime | None:
    """Earliest suggested start for a part of the day ("any" = whichever comes first) on a
    day in one of `seasons` (a bit mask)."""
    tz = window.start.tzinfo
    parts = list(DAY_PARTS) if part == "any" else [part]
    for day in _days(window):
        if not seasons & season_bit(day, southern=southern):
            continue
        for name in parts:
            begin, finish = DAY_PARTS[name]
            start = max(dt.datetime.combine(day, begin, tzinfo=tz), _next_quarter(window.start))
            if start < dt.datetime.combine(day, finish, tzinfo=tz) and start < window.end:
                return start
    return None


@dataclass(frozen=True)
class Eligibility:
    """Which candidates may be shown, each one's start, and counts of what was filtered."""

    mask: np.ndarray
    other_currency: int
    lookup: RowLookup
    #: Per schedule code, its earliest start in the window as int64 nanoseconds since the
    #: epoch (UTC), NAT where it fits nowhere. Dated events keep their own start.
    schedule_starts: np.ndarray

    def start_of(self, row: int, tz: dt.tzinfo) -> dt.datetime:
        """The start of one candidate, in `tz`."""
        own = int(self.lookup.starts_ns[row])
        ns = own if own != NAT else int(self.schedule_starts[self.lookup.codes["schedule"][row]])
        return pd.Timestamp(ns, tz="UTC").to_pydatetime().astimezone(tz)

    @property
    def starts_ns(self) -> np.ndarray:
        """Every candidate's start (an event's own, else its earliest slot) in int64
        nanoseconds since the epoch (UTC); NAT where it fits nowhere in the window."""
        starts: np.ndarray = self.schedule_starts[self.lookup.codes["schedule"]]
        events = self.lookup.events
        starts[events] = self.lookup.starts_ns[events]
        return starts

    @property
    def starts_at(self) -> pd.Series:
        """Every candidate's start as an aware (UTC) datetime Series; NaT where none."""
        return pd.Series(pd.DatetimeIndex(self.starts_ns.view("datetime64[ns]"), tz="UTC"))


def placed_km(lookup: RowLookup, near: Location) -> tuple[np.ndarray, np.ndarray]:
    """The rows that have a place and are not online, and their km from `near`."""
    rows = lookup.placed
    km = remembered(
        lookup.km_from,
        (near.lat, near.lon),
        lambda: haversine_km(lookup.numbers["lat"][rows], lookup.numbers["lon"][rows], near),
        8,
    )
    return rows, km


def _nanoseconds(moment: dt.datetime) -> int:
    return int(pd.Timestamp(moment).value)


def _schedule_table(
    lookup: RowLookup, window: Window, *, southern: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per schedule (time of day, seasons, duration): its earliest start in the window and
    whether it ends inside the window. Remembered: couples in one place ask about the
    same window ("this weekend")."""
    table: tuple[np.ndarray, np.ndarray] = remembered(
        lookup.memory_for("schedules"),
        # The zone too: equal instants can be different local times.
        (window.start, window.end, str(window.start.tzinfo), southern),
        lambda: _schedules_in(lookup, window, southern=southern),
        16,
    )
    return table


def _schedules_in(
    lookup: RowLookup, window: Window, *, southern: bool
) -> tuple[np.ndarray, np.ndarray]:
    """`_schedule_table`, worked out. One slot per (part of day, seasons) pair: an idea
    out of season on Friday may still fit on Sunday when a weekend straddles two seasons."""
    names = (*DAY_PARTS, "any")
    # Each time of day code's place in `names` (-1 for none), the last entry for code -1.
    part_of = np.array(
        [names.index(v) if v in names else -1 for v in lookup.values["time_of_day"]] + [-1]
    )
    parts = part_of[lookup.schedules["time_of_day"]]
    pairs = np.where(parts >= 0, parts * 16 + lookup.schedules["season_mask"], -1)
    distinct, inverse = np.unique(pairs, return_inverse=True)
    slots = np.full(distinct.size, NAT, dtype=np.int64)
    for i, pair in enumerate(distinct.tolist()):
        if pair >= 0:
            slot = earliest_slot(names[pair // 16], window, seasons=pair % 16, southern=southern)
            slots[i] = NAT if slot is None else _nanoseconds(slot)
    start = slots[inverse]
    # Each duration code's length, the last entry (code -1) standing in for an unknown one.
    minutes = np.append(lookup.values["duration_minutes"].to_numpy(dtype=float), np.nan)
    seconds = np.where(np.isnan(minutes), DEFAULT_DURATION.total_seconds(), minutes * 60)
    length = (seconds * 1e9).astype(np.int64)[lookup.schedules["duration_minutes"]]
    fits = (start != NAT) & (start + length <= _nanoseconds(window.end))
    return start, fits


def eligibility(
    *,
    lookup: RowLookup,
    window: Window,
    budget: Budget | None,
    near: Location,
    radius_km: float | None,
    excluded: np.ndarray,
) -> Eligibility:
    """Apply every hard filter at once; `excluded` marks dislikes and recent repeats."""
    start_ns, end_ns = _nanoseconds(window.start), _nanoseconds(window.end)
    start, fits = _schedule_table(lookup, window, southern=near.lat < 0)
    # Every row reads whether its schedule fits; dated events are judged by their own start.
    mask = fits[lookup.codes["schedule"]]
    events = lookup.events
    # Times as int64 nanoseconds since the epoch (UTC): numpy compares them at once, where
    # pandas datetime Series cost a pass per operation.
    event_starts = lookup.starts_ns[events]
    mask[events] = (event_starts >= start_ns) & (event_starts < end_ns)
    mask &= ~excluded
    other_currency = 0
    if budget is not None:
        same_currency = lookup.where("currency", [budget.currency])
        other_currency = int((mask & ~same_currency).sum())
        # An unknown price (NaN) is never over the budget.
        mask &= same_currency & ~(lookup.numbers["cost_min"] > budget.per_outing + 1e-9)
    if radius_km is not None:
        rows, km = placed_km(lookup, near)
        mask[rows[km > radius_km]] = False
    return Eligibility(
        mask=mask, other_currency=other_currency, lookup=lookup, schedule_starts=start
    )
