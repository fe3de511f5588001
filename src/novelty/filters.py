"""Hard filters: what may never be recommended (outside the window or season, over budget,
too far, disliked, done recently) and the earliest time each remaining idea fits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import SEASON_BITS
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


def earliest_slot(part: str, window: Window) -> dt.datetime | None:
    """Earliest suggested start for a part of the day ("any" = whichever comes first)."""
    tz = window.start.tzinfo
    parts = list(DAY_PARTS) if part == "any" else [part]
    for day in _days(window):
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
    starts_at: pd.Series
    other_currency: int


def haversine_km(lat: np.ndarray, lon: np.ndarray, home: Location) -> np.ndarray:
    """Great-circle distance of many points from one place, in kilometres."""
    lat1, lon1 = np.radians(home.lat), np.radians(home.lon)
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1))), dtype=float)


def eligibility(
    frame: pd.DataFrame,
    *,
    window: Window,
    budget: Budget | None,
    near: Location,
    radius_km: float | None,
    excluded: np.ndarray,
) -> Eligibility:
    """Apply every hard filter at once; `excluded` marks dislikes and recent repeats."""
    starts = frame["starts_at"]
    is_event = starts.notna().to_numpy()
    start_utc = pd.Timestamp(window.start).tz_convert("UTC")
    end_utc = pd.Timestamp(window.end).tz_convert("UTC")
    event_ok = is_event & (starts >= start_utc).to_numpy() & (starts < end_utc).to_numpy()

    slots = {part: earliest_slot(part, window) for part in (*DAY_PARTS, "any")}
    found = {part: slot for part, slot in slots.items() if slot is not None}
    parts = frame["time_of_day"]
    slot_start = pd.to_datetime(
        parts.map({part: pd.Timestamp(slot).tz_convert("UTC") for part, slot in found.items()}),
        utc=True,
    )
    minutes = frame["duration_minutes"].fillna(DEFAULT_DURATION.total_seconds() / 60)
    fits = (
        slot_start.notna() & (slot_start + pd.to_timedelta(minutes, "min") <= end_utc)
    ).to_numpy()
    southern = near.lat < 0
    slot_season = parts.map({p: season_bit(s.date(), southern=southern) for p, s in found.items()})
    in_season = (
        frame["season_mask"].to_numpy() & slot_season.fillna(0).to_numpy(dtype=np.int64)
    ) > 0
    idea_ok = ~is_event & fits & in_season

    mask = (event_ok | idea_ok) & ~excluded
    other_currency = 0
    if budget is not None:
        same_currency = (frame["currency"] == budget.currency).to_numpy()
        cheapest = frame["cost_min"].to_numpy(dtype=float)
        affordable = np.isnan(cheapest) | (cheapest <= budget.per_outing + 1e-9)
        other_currency = int((mask & ~same_currency).sum())
        mask &= same_currency & affordable
    if radius_km is not None:
        lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
        placed = ~np.isnan(lat) & ~np.isnan(lon) & ~frame["online"].to_numpy(dtype=bool)
        distance = np.where(placed, haversine_km(lat, lon, near), 0.0)
        mask &= ~placed | (distance <= radius_km)
    chosen_start = starts.where(starts.notna(), slot_start)
    return Eligibility(mask=mask, starts_at=chosen_start, other_currency=other_currency)
