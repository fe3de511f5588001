"""Stage 5, schedule: when each idea can start in the window (its time of day, dates, sky,
weather, the couple's free time and typical opening hours), and the times suggested for
the picks, spread over the window's days without collisions.

`openings` places every schedule of the catalog (few distinct ones) in every slot of the
window at once: a slot is a (free span of a day, kind) pair, the kinds being the parts of
the day and the three sky times. The filters keep the ideas with an opening; `place`
chooses one opening for each of the k picks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np

from ..context.calendar import SKY, allowed_days
from ..context.sky import sky_times
from ..context.weather import NEEDS, Hourly, climate
from ..index.item_index import NAT, ItemIndex
from ..models import Window
from .candidates import Candidates
from .query import Query

_MINUTE: Final = 60 * 10**9
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
#: Parts of the day in local time, as typical opening hours: (earliest start, latest start).
DAY_PARTS: Final[dict[str, tuple[dt.time, dt.time]]] = {
    "morning": (dt.time(9, 30), dt.time(12, 0)),
    "afternoon": (dt.time(13, 0), dt.time(17, 0)),
    "evening": (dt.time(18, 30), dt.time(22, 0)),
}
#: The kinds of slot: the parts of the day, then the sky times of the `when` grammar.
KINDS: Final = (*DAY_PARTS, *SKY)
#: Assumed length of an idea whose duration is unknown.
DEFAULT_DURATION: Final = dt.timedelta(hours=2)
#: A sunset idea ends this long after sunset, so the sunset falls inside it.
AFTER_SUNSET: Final = dt.timedelta(minutes=30)
#: Hours of forecast read for a slot from its start: enough to judge an outing.
WEATHER_HOURS: Final = dt.timedelta(hours=3)
#: Ideas at least this long (overnights, festivals) may end after the day's free time.
OVERNIGHT: Final = 8 * 60 * _MINUTE
#: Longest window placed day by day.
MAX_DAYS: Final = 62
#: Seasons by month (meteorological), north of the equator; bits as the catalog's.
_SEASON_OF_MONTH: Final = np.array([8, 8, 1, 1, 1, 2, 2, 2, 4, 4, 4, 8], dtype=np.int64)
_OPPOSITE: Final = {1: 4, 2: 8, 4: 1, 8: 2}


@dataclass(frozen=True)
class Openings:
    """Where each schedule of the catalog can start in one window."""

    #: (schedules, slots) start times, int64 ns since the epoch; NAT where it cannot.
    starts: np.ndarray
    #: (schedules, slots) latest start that still fits the slot (sky times are exact).
    latest: np.ndarray
    #: Per schedule, its earliest start (NAT where none).
    earliest: np.ndarray
    #: Per slot: its day's date, its kind (index into KINDS) and its weather bits from
    #: the forecast (-1 where there was none) and mean temperature (°C, NaN without).
    days: tuple[dt.date, ...]
    slot_day: np.ndarray
    slot_kind: np.ndarray
    forecast_bits: np.ndarray
    temperature: np.ndarray


def _ns(moments: list[dt.datetime]) -> np.ndarray:
    """Aware moments as int64 ns since the epoch, to the microsecond (a window may start
    at 17:00:00.000001, and nothing may start before it)."""
    return np.array([(m - _EPOCH) // _MICROSECOND * 1000 for m in moments], dtype=np.int64)


def _round(ns: np.ndarray, minutes: int, *, up: bool) -> np.ndarray:
    """Times on the `minutes` mark (21:35 up to the quarter is 21:45), NAT kept."""
    step = minutes * _MINUTE
    rounded = (ns + (step - 1 if up else 0)) // step * step
    return np.where(ns == NAT, NAT, rounded)


def window_days(window: Window) -> list[dt.date]:
    """The local dates the window touches (at most MAX_DAYS)."""
    start = window.start.date()
    count = min((window.end.date() - start).days + 1, MAX_DAYS)
    return [start + dt.timedelta(days=i) for i in range(count)]


def season_bits(days: list[dt.date], *, southern: bool) -> np.ndarray:
    """Each day's season as a bit (spring 1 .. winter 8), flipped south of the equator."""
    bits = _SEASON_OF_MONTH[[d.month - 1 for d in days]]
    return np.array([_OPPOSITE[int(b)] for b in bits]) if southern else bits


def openings(catalog: ItemIndex, query: Query, forecast: Hourly | None) -> Openings:
    """Every slot of the window in which each of the catalog's schedules can start."""
    window, tz, place = query.window, query.window.start.tzinfo, query.near
    assert tz is not None  # windows are aware
    southern = place.lat < 0
    days = window_days(window)
    window_start = int(_round(_ns([window.start]), 15, up=True)[0])
    window_end = int(_ns([window.end])[0])
    # Free spans of each day, cut to the window: one row per (day, span).
    span_day, span_begin, span_end = [], [], []
    for d, day in enumerate(days):
        for opens, closes in query.couple.free_time.spans(day.weekday()):
            free_from = dt.datetime.combine(day, opens, tzinfo=tz)
            free_to = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
                if closes == dt.time.max
                else dt.datetime.combine(day, closes, tzinfo=tz)
            )
            span_day.append(d)
            span_begin.append(max(int(_ns([free_from])[0]), window_start))
            span_end.append(min(int(_ns([free_to])[0]), window_end))
    sd = np.array(span_day, dtype=np.int64)
    begin, end = np.array(span_begin, dtype=np.int64), np.array(span_end, dtype=np.int64)
    # Per day and kind: the earliest start it offers and the latest; sky kinds are exact
    # (a sunset idea's own start depends on its length, see below).
    parts = np.array(
        [
            _ns([dt.datetime.combine(day, t, tzinfo=tz) for t in DAY_PARTS[name]])
            for day in days
            for name in DAY_PARTS
        ]
    ).reshape(len(days), len(DAY_PARTS), 2)
    sky = sky_times(place.lat, place.lon, tz, days)
    sunrise, sunset, dark = _round(sky[:, 0], 5, up=False), sky[:, 1], sky[:, 2]
    first = np.concatenate([parts[:, :, 0], sunrise[:, None], sunset[:, None], dark[:, None]], 1)
    latest = np.concatenate([parts[:, :, 1], sunrise[:, None], sunset[:, None], dark[:, None]], 1)
    known = first != NAT
    # Slots: (span, kind), flattened span-major.
    kinds = len(KINDS)
    slot_day = np.repeat(sd, kinds)
    slot_kind = np.tile(np.arange(kinds), sd.size)
    s_begin, s_end = np.repeat(begin, kinds), np.repeat(end, kinds)
    base = first[slot_day, slot_kind]
    dark_kind, sunset_kind = KINDS.index("dark"), KINDS.index("sunset")
    part_like = slot_kind < len(DAY_PARTS)
    # Parts and dark start at their own time or when the couple is free, whichever is later.
    base = np.where(
        part_like | (slot_kind == dark_kind),
        _round(np.maximum(base, s_begin), 15, up=True),
        base,
    )
    latest_start = np.where(part_like, latest[slot_day, slot_kind] - _MINUTE, base)
    slot_known = known[slot_day, slot_kind]
    # Schedules: their length, the kinds they may use, the days they may happen on.
    plans = catalog.schedules
    minutes = np.append(catalog.values["duration_minutes"].to_numpy(dtype=float), np.nan)
    length = (
        np.where(np.isnan(minutes), DEFAULT_DURATION.total_seconds() / 60, minutes)[
            plans["duration_minutes"]
        ].astype(np.int64)
        * _MINUTE
    )
    rule_sky = np.array([KINDS.index(r.sky) if r.sky else -1 for r in catalog.rules] + [-1])
    sky_kind = rule_sky[plans["when"]]
    part_names = (*DAY_PARTS, "any")
    part_of = np.array(
        [part_names.index(v) if v in part_names else -1 for v in catalog.values["time_of_day"]]
        + [-1]
    )[plans["time_of_day"]]
    kind_ok = np.where(
        sky_kind[:, None] >= 0,
        slot_kind[None, :] == sky_kind[:, None],
        part_like[None, :] & ((part_of[:, None] == slot_kind[None, :]) | (part_of[:, None] == 3)),
    )
    days64 = np.array(days, dtype="datetime64[D]")
    rule_days = np.array(
        [allowed_days(rule, days64, southern=southern) for rule in catalog.rules]
        + [np.ones(len(days), dtype=bool)]
    ).reshape(-1, len(days))
    seasons = season_bits(days, southern=southern)
    day_ok = rule_days[plans["when"]] & ((plans["season_mask"][:, None] & seasons[None, :]) > 0)
    # Weather: the forecast where it covers a slot, else what the climate allows that day.
    have = climate(seasons, place.lat)[slot_day]
    forecast_bits = np.full(slot_day.size, -1, dtype=np.int64)
    temperature = np.full(slot_day.size, np.nan)
    if forecast is not None:
        hours = WEATHER_HOURS.total_seconds() * 1e9
        read_from = np.where(slot_kind == sunset_kind, base - int(hours), base)
        forecast_bits, temperature = forecast.conditions(read_from, read_from + int(hours))
        have = np.where(forecast_bits >= 0, forecast_bits, have)
    outdoor = np.asarray(catalog.values["setting"] == "outdoor")
    outdoor = np.append(outdoor, False)[plans["setting"]]
    need = np.append(catalog.needs, 0)[plans["weather"]] | np.where(outdoor, NEEDS["dry"], 0)
    weather_ok = (need[:, None] & ~have[None, :]) == 0
    # Start times: a sunset idea starts so that it ends just after sunset.
    start = np.where(
        slot_kind[None, :] == sunset_kind,
        _round(
            base[None, :] + int(AFTER_SUNSET.total_seconds() * 1e9) - length[:, None], 5, up=False
        ),
        base[None, :],
    )
    start = np.where(slot_known[None, :], start, NAT)
    last = np.where(
        part_like[None, :],
        _round(
            np.minimum(
                latest_start[None, :],
                np.where(length[:, None] >= OVERNIGHT, window_end, s_end[None, :])
                - length[:, None],
            ),
            15,
            up=False,
        ),
        start,
    )
    ok = (
        slot_known[None, :]
        & kind_ok
        & day_ok[:, slot_day]
        & weather_ok
        & (start >= s_begin[None, :])
        & (start <= np.where(slot_kind == sunset_kind, base, latest_start)[None, :])
        & (start <= last)
        & (
            (start + length[:, None] <= s_end[None, :])
            # An overnight or longer idea starts in free time and ends inside the window.
            | ((length[:, None] >= OVERNIGHT) & (start + length[:, None] <= window_end))
        )
    )
    starts = np.where(ok, start, NAT)
    earliest = np.where(ok.any(axis=1), np.where(ok, starts, np.iinfo(np.int64).max).min(1), NAT)
    return Openings(
        starts=starts,
        latest=np.where(ok, last, NAT),
        earliest=earliest,
        days=tuple(days),
        slot_day=slot_day,
        slot_kind=slot_kind,
        forecast_bits=forecast_bits,
        temperature=temperature,
    )


class Placed(NamedTuple):
    """The suggested start of each pick (int64 ns), and the slot it is in (-1 for an
    event's own start)."""

    starts_ns: np.ndarray
    slots: np.ndarray

    def starts(self, tz: dt.tzinfo) -> list[dt.datetime]:
        """The starts as aware datetimes in `tz`."""
        # To the microsecond, as datetimes hold it (a pandas index costs more for a few).
        starts = []
        for ns in self.starts_ns.tolist():
            starts.append((_EPOCH + dt.timedelta(microseconds=ns // 1000)).astimezone(tz))
        return starts


def suggest(
    found: Openings, candidates: Candidates, rows: np.ndarray, opens: dt.datetime
) -> Placed:
    """A start for each picked row, in ranking order: an event keeps its own (one already
    on starts when the window `opens`); an idea takes the opening that collides with no
    idea placed before it, then the one on the day with the fewest ideas so far, then the
    earliest."""
    own, codes = candidates.at(rows, "starts_ns", "duration_minutes")
    first = (opens - _EPOCH) // _MICROSECOND * 1000
    own = np.where((own != NAT) & (own < first), first, own)
    schedules = np.where(own == NAT, candidates.schedule[rows], -1)
    # Each duration code's minutes: the catalog's, then those only events have; -1 reads NaN.
    minutes = candidates.catalog.values["duration_minutes"].to_numpy(dtype=float)
    if candidates.events is not None:
        durations = candidates.events.values["duration_minutes"].to_numpy(dtype=float)
        minutes = np.concatenate([minutes, durations])
    minutes = np.append(minutes, np.nan)
    known = (codes >= 0) & (codes < minutes.size - 1)
    lengths = np.where(known, minutes[np.where(known, codes, -1)], np.nan)
    lengths = (np.nan_to_num(lengths, nan=DEFAULT_DURATION.total_seconds() / 60) * _MINUTE).astype(
        np.int64
    )
    # A few picks and a few openings each: plain ints cost less than numpy calls here.
    chosen, slots = own.tolist(), [-1] * rows.size
    per_day = [0] * len(found.days)
    slot_day = found.slot_day.tolist()
    taken: list[tuple[int, int]] = []
    quarter = 15 * _MINUTE
    for i, (schedule, length) in enumerate(zip(schedules.tolist(), lengths.tolist(), strict=True)):
        if schedule >= 0:
            starts, latest = found.starts[schedule].tolist(), found.latest[schedule].tolist()
            best: tuple[bool, int, int] | None = None
            ordered = sorted(taken)
            for o, begin in enumerate(starts):
                if begin == NAT:
                    continue
                # Within a part of the day an idea may start later, after the ones before it.
                for first, last in ordered:
                    if begin < last and begin + length > first:
                        begin = (last + quarter - 1) // quarter * quarter
                if begin > latest[o]:
                    begin = starts[o]
                collides = False
                for first, last in taken:
                    collides |= begin < last and begin + length > first
                # The first option of the least (collision, ideas that day, start) wins.
                key = (collides, per_day[slot_day[o]], begin)
                if best is None or key < best:
                    best, chosen[i], slots[i] = key, begin, o
            per_day[slot_day[slots[i]]] += 1
        taken.append((chosen[i], chosen[i] + length))
    return Placed(np.array(chosen, dtype=np.int64), np.array(slots, dtype=np.int64))
