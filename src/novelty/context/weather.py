"""Weather an idea needs: forecasts from a pluggable provider (Open-Meteo built in), and
an offline climate estimate when there is no forecast."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np

from ..errors import SourceError
from ..models import Location

#: Entry-point group under which other packages register forecast providers.
ENTRY_POINT_GROUP: Final = "novelty.forecasts"

#: Bits of what the weather is (or is thought to be) in a slot, and of what an idea needs.
NEEDS: Final = {"dry": 1, "warm": 2, "mild": 4, "snow": 8, "clear": 16, "calm": 32, "rain": 64}
#: Needs a climate estimate says nothing about: offline they are not ruled out, and the
#: reasons say to check the forecast.
UNKNOWABLE_OFFLINE: Final = NEEDS["dry"] | NEEDS["clear"] | NEEDS["calm"] | NEEDS["rain"]
#: Thresholds: warm from 18 °C on average, mild when it stays at 5 °C or above, rain from
#: 0.2 mm in an hour (or a 50 % chance), snow on the ground from 2 cm, calm under 30 km/h.
WARM_C, MILD_C, WET_MM, WET_CHANCE, SNOW_M, WINDY_KMH = 18.0, 5.0, 0.2, 50.0, 0.02, 30.0
#: WMO weather codes (Open-Meteo's `weather_code`): 0-1 clear to mainly clear; 51 and up
#: drizzle, rain, snow, showers and thunderstorms; 71-77 and 85-86 snow.
CLEAR_CODES_UP_TO, WET_CODES_FROM = 1, 51
SNOW_CODES: Final = (71, 73, 75, 77, 85, 86)
#: Latitudes for the climate estimate (degrees from the equator): see docs/when-where.md.
TROPICS, WARM_SHOULDER, MILD_WINTER, SNOWY_WINTER = 23.5, 35.0, 40.0, 42.0


def needs_bits(text: str) -> int:
    """A `weather` cell ("dry;warm") as bits; ValueError names an unknown need."""
    bits = 0
    for need in filter(None, (part.strip().lower() for part in text.split(";"))):
        if need not in NEEDS:
            raise ValueError(f"weather: unknown need {need!r}; expected {', '.join(NEEDS)}")
        bits |= NEEDS[need]
    return bits


def describe_needs(bits: int) -> str:
    """Needs as words: 'dry and warm'."""
    names = []
    for name, bit in NEEDS.items():
        if bits & bit:
            names.append(name)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def climate(season_bits: np.ndarray, lat: float) -> np.ndarray:
    """What the climate lets a day be, per day's season bit (spring 1, summer 2, autumn 4,
    winter 8, already flipped for the hemisphere), from the latitude alone.

    A coarse rule, stated in docs/when-where.md with its errors: warm in summer, in the
    tropics, and in spring and autumn within 35° of the equator; mild except in winter
    beyond 40°; snow on the ground only in winter beyond 42° (wrong for mild maritime
    winters such as London's, and for high places nearer the equator such as Denver).
    """
    far = abs(lat)
    summer, winter = (season_bits & 2) > 0, (season_bits & 8) > 0
    shoulder = (season_bits & 5) > 0
    warm = summer | (far < TROPICS) | (shoulder & (far < WARM_SHOULDER))
    mild = ~winter | (far < MILD_WINTER)
    snow = winter & (far >= SNOWY_WINTER)
    return np.asarray(
        UNKNOWABLE_OFFLINE
        | np.where(warm, NEEDS["warm"], 0)
        | np.where(mild, NEEDS["mild"], 0)
        | np.where(snow, NEEDS["snow"], 0),
        dtype=np.int64,
    )


@dataclass(frozen=True)
class Hourly:
    """An hourly forecast: times (int64 ns since the epoch, UTC) and index-aligned values
    (NaN where the provider gave none)."""

    times_ns: np.ndarray
    temperature_c: np.ndarray
    precipitation_mm: np.ndarray
    precipitation_chance: np.ndarray
    weather_code: np.ndarray
    wind_kmh: np.ndarray
    snow_depth_m: np.ndarray

    def conditions(self, start_ns: np.ndarray, end_ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per span [start, end): the weather bits of its hours, and its mean temperature;
        -1 and NaN where the forecast has no hour in it."""
        inside = (self.times_ns[None, :] >= start_ns[:, None]) & (
            self.times_ns[None, :] < end_ns[:, None]
        )
        some = inside.any(axis=1)

        def over(values: np.ndarray, fill: float) -> np.ndarray:
            return np.where(inside, values[None, :], fill)

        code = self.weather_code
        wet = (
            (np.nan_to_num(self.precipitation_mm) >= WET_MM)
            | (np.nan_to_num(self.precipitation_chance) >= WET_CHANCE)
            | (np.nan_to_num(code) >= WET_CODES_FROM)
        )
        snowing = np.isin(code, SNOW_CODES) | (np.nan_to_num(self.snow_depth_m) >= SNOW_M)
        with warnings.catch_warnings():  # spans without hours are NaN, said by `some`
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(over(self.temperature_c, np.nan), axis=1)
            coldest = np.nanmin(over(self.temperature_c, np.nan), axis=1)
        bits = (
            np.where(~over(wet, False).any(axis=1), NEEDS["dry"], 0)
            | np.where(over(wet, False).any(axis=1), NEEDS["rain"], 0)
            | np.where(mean >= WARM_C, NEEDS["warm"], 0)
            | np.where(coldest >= MILD_C, NEEDS["mild"], 0)
            | np.where(over(snowing, False).any(axis=1), NEEDS["snow"], 0)
            | np.where(
                (over(np.nan_to_num(code, nan=99.0), 0.0) <= CLEAR_CODES_UP_TO).all(1),
                NEEDS["clear"],
                0,
            )
            | np.where(
                np.nanmax(over(np.nan_to_num(self.wind_kmh), 0.0), axis=1) < WINDY_KMH,
                NEEDS["calm"],
                0,
            )
        )
        return np.where(some, bits, -1).astype(np.int64), np.where(some, mean, np.nan)


@runtime_checkable
class Forecast(Protocol):
    """Anything that gives an hourly forecast for a place and a span of time.

    Raise SourceError with a one-line message when it cannot; the recommendation goes on
    without a forecast and says why in `problems`.
    """

    name: str

    def hourly(self, place: Location, start: dt.datetime, end: dt.datetime) -> Hourly:
        """The forecast for the hours from `start` to `end` at `place`."""
        ...


#: The hourly variables asked of Open-Meteo, in the order of `Hourly`'s fields.
OPEN_METEO_VARIABLES: Final = (
    "temperature_2m", "precipitation", "precipitation_probability", "weather_code",
    "wind_speed_10m", "snow_depth",
)  # fmt: skip


class OpenMeteo:
    """The Open-Meteo forecast API (no key; free for non-commercial use, CC BY 4.0),
    read through the sources' HTTP client with its timeouts, retries and size cap."""

    name = "open-meteo"

    def __init__(
        self,
        *,
        url: str = "https://api.open-meteo.com/v1/forecast",
        timeout: float = 5.0,
        cache_hours: float | None = 1.0,
    ) -> None:
        from ..sources.cache import ResponseCache  # imported when used: HTTP is heavy
        from ..sources.http import HttpClient, where

        cache = None if cache_hours is None else ResponseCache(ttl=cache_hours * 3600)
        self.url = url
        #: How messages name the service: as the sources name a feed, without the URL's
        #: user, password, query (a commercial `apikey`) or private parts of its path.
        self.where = where(url)
        self.client = HttpClient(timeout=timeout, retries=1, cache=cache)

    def hourly(self, place: Location, start: dt.datetime, end: dt.datetime) -> Hourly:
        """GET the hours of the days from `start` to `end` (UTC dates) and read them."""
        first, last = start.astimezone(dt.UTC).date(), end.astimezone(dt.UTC).date()
        answer = self.client.get(
            self.url,
            params={
                "latitude": f"{place.lat:.4f}",
                "longitude": f"{place.lon:.4f}",
                "hourly": ",".join(OPEN_METEO_VARIABLES),
                "timezone": "GMT",
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
            },
        )
        return read_open_meteo(answer.content, self.where)


def read_open_meteo(content: bytes, where: str) -> Hourly:
    """An Open-Meteo answer (hourly arrays, times in GMT) as an Hourly; SourceError when
    it is not one. `where` names the answer in messages: never a URL with its secrets."""
    try:
        data: Any = json.loads(content)
        hourly = data["hourly"]
        times = np.array(hourly["time"], dtype="datetime64[m]").astype("datetime64[ns]")
        columns = [
            np.array(
                [np.nan if v is None else v for v in hourly.get(name, [None] * times.size)],
                dtype=float,
            )
            for name in OPEN_METEO_VARIABLES
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{where}: not an Open-Meteo hourly forecast ({exc})") from None
    if any(column.size != times.size for column in columns):
        raise SourceError(f"{where}: the hourly arrays are not as long as hourly.time")
    temperature, rain, chance, code, wind, snow = columns
    return Hourly(times.astype(np.int64), temperature, rain, chance, code, wind, snow)


def forecast_provider(name: str, **options: Any) -> Forecast:
    """A forecast provider by name: 'open-meteo', or one registered under the
    `novelty.forecasts` entry-point group; SourceError for an unknown or broken one."""
    if name == OpenMeteo.name:
        return OpenMeteo(**options)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == name:
            try:
                provider: Forecast = point.load()(**options)
            except Exception as exc:  # a broken plugin must not break the recommendation
                from ..sources.http import redact

                raise SourceError(
                    f"forecast {name!r} cannot be loaded: {redact(str(exc))}"
                ) from None
            return provider
    known = sorted({OpenMeteo.name, *(p.name for p in entry_points(group=ENTRY_POINT_GROUP))})
    raise SourceError(f"forecast {name!r} is unknown; expected one of {', '.join(known)}")
