"""Stage 4, filters: what may never be recommended (outside the window or season, over
budget, too far, disliked, done recently) and when each remaining idea can start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import ALL_SEASONS, SEASON_BITS
from ..index.item_index import NAT, ItemIndex
from ..models import Window
from .candidates import Candidates
from .query import Query
from .taste import History

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


def _nanoseconds(moment: dt.datetime) -> int:
    return int(pd.Timestamp(moment).value)


def slot_table(
    catalog: ItemIndex, window: Window, *, southern: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per schedule of the catalog (time of day, seasons, duration): its earliest start in
    the window (int64 ns since the epoch, NAT where none) and whether it ends inside the
    window. One slot per (part of day, seasons) pair: an idea out of season on Friday may
    still fit on Sunday when a weekend straddles two seasons."""
    names = (*DAY_PARTS, "any")
    # Each time of day code's place in `names` (-1 for none), the last entry for code -1.
    part_of = np.array(
        [names.index(v) if v in names else -1 for v in catalog.values["time_of_day"]] + [-1]
    )
    parts = part_of[catalog.schedules["time_of_day"]]
    pairs = np.where(parts >= 0, parts * 16 + catalog.schedules["season_mask"], -1)
    distinct, inverse = np.unique(pairs, return_inverse=True)
    slots = np.full(distinct.size, NAT, dtype=np.int64)
    for i, pair in enumerate(distinct.tolist()):
        if pair >= 0:
            slot = earliest_slot(names[pair // 16], window, seasons=pair % 16, southern=southern)
            slots[i] = NAT if slot is None else _nanoseconds(slot)
    start = slots[inverse]
    # Each duration code's length, the last entry (code -1) standing in for an unknown one.
    minutes = np.append(catalog.values["duration_minutes"].to_numpy(dtype=float), np.nan)
    seconds = np.where(np.isnan(minutes), DEFAULT_DURATION.total_seconds(), minutes * 60)
    length = (seconds * 1e9).astype(np.int64)[catalog.schedules["duration_minutes"]]
    fits = (start != NAT) & (start + length <= _nanoseconds(window.end))
    return start, fits


@dataclass(frozen=True)
class Allowed:
    """Which candidates may be shown, when they would start, and what was left out."""

    mask: np.ndarray
    #: Ideas left out only because they are priced in another currency than the budget.
    other_currency: int
    #: Per schedule code, its earliest start in the window (int64 ns, NAT where none).
    schedule_starts: np.ndarray

    def starts(self, candidates: Candidates, rows: np.ndarray, tz: dt.tzinfo) -> list[dt.datetime]:
        """The start of each row at `rows` in `tz`: an event's own, else its slot."""
        own = candidates.starts_ns[rows]
        slot = self.schedule_starts[candidates.codes["schedule"][rows]]
        ns = np.where(own != NAT, own, slot)
        utc = pd.DatetimeIndex(ns.view("datetime64[ns]"), tz="UTC")
        return list(utc.tz_convert(tz).to_pydatetime())


def excluded(candidates: Candidates, query: Query, history: History) -> np.ndarray:
    """Disliked by either partner (label, word or id) or done within the repeat period."""
    dislikes = query.dislikes
    out = np.zeros(candidates.size, dtype=bool)
    if dislikes:
        for label in dislikes:
            found = candidates.matches[label]
            out[found.rows[found.values > 0]] = True
        out[candidates.rows_with_ids(dislikes)] = True
    out[history.recent_rows] = True
    out[candidates.event_rows_with_ids(history.recent_ids)] = True
    out |= candidates.where("title", history.recent_titles)
    return out


def allowed(
    candidates: Candidates,
    query: Query,
    slots: tuple[np.ndarray, np.ndarray],
    excluded: np.ndarray,
) -> Allowed:
    """Apply every hard filter at once; `slots` is the catalog's `slot_table` for the
    window, `excluded` marks dislikes and recent repeats."""
    window, budget = query.window, query.budget
    start_ns, end_ns = pd.Timestamp(window.start).value, pd.Timestamp(window.end).value
    start, fits = slots
    # Every row reads whether its schedule fits; dated events are judged by their own start.
    mask = fits[candidates.codes["schedule"]]
    dated = candidates.dated
    # Times as int64 nanoseconds since the epoch (UTC): numpy compares them at once, where
    # pandas datetime Series cost a pass per operation.
    event_starts = candidates.starts_ns[dated]
    mask[dated] = (event_starts >= start_ns) & (event_starts < end_ns)
    mask &= ~excluded
    other_currency = 0
    if budget is not None:
        same_currency = candidates.where("currency", [budget.currency])
        other_currency = int((mask & ~same_currency).sum())
        # An unknown price (NaN) is never over the budget.
        mask &= same_currency & ~(candidates.numbers["cost_min"] > budget.per_outing + 1e-9)
    if query.radius_km is not None:
        mask[candidates.placed[candidates.km > query.radius_km]] = False
    return Allowed(mask=mask, other_currency=other_currency, schedule_starts=start)
