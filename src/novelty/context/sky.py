"""Sunrise, sunset and dark for a place and its days, computed offline with `astral`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import numpy as np
from astral import Observer
from astral.sun import dusk, sunrise, sunset

#: "No time" in int64 nanosecond columns (as pandas stores NaT).
NAT: Final = np.iinfo(np.int64).min
#: The sun this far below the horizon (nautical dusk) leaves the sky dark enough for stars.
DARK_DEPRESSION: Final = 12.0


def _ns(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000


def sky_times(lat: float, lon: float, tz: dt.tzinfo, days: Sequence[dt.date]) -> np.ndarray:
    """Per day, [sunrise, sunset, dark] as int64 ns since the epoch; NAT where the sun does
    not rise, set or go that low (polar days and nights, white nights)."""
    place = Observer(latitude=lat, longitude=lon)
    times = np.full((len(days), 3), NAT, dtype=np.int64)
    for i, day in enumerate(days):
        for j in range(3):
            try:
                moment = (
                    sunrise(place, day, tzinfo=tz)
                    if j == 0
                    else sunset(place, day, tzinfo=tz)
                    if j == 1
                    else dusk(place, day, tzinfo=tz, depression=DARK_DEPRESSION)
                )
            except ValueError:  # astral: the sun never reaches that elevation that day
                continue
            times[i, j] = _ns(moment)
    return times
