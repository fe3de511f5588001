"""Events near the couple from the Ticketmaster Discovery API v2 (`/events.json`)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from time import sleep
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..errors import SourceError
from ..models import Activity, Location, Window
from ._event import (
    convert_each,
    couple_timezone,
    event_id,
    labels,
    number,
    place,
    plain_text,
    with_place,
)
from ._options import checked_name, positive_number, whole_number
from .cache import checked_cache
from .http import DEFAULT_MAX_BYTES, HttpClient, redact

API_KEY_ENV: Final = "TICKETMASTER_API_KEY"
#: The Discovery API serves no item past the 1000th of a search (size * page < 1000).
DEEP_PAGING_LIMIT: Final = 1000
#: Local start time assumed when Ticketmaster says the time is still to be announced.
TBA_TIME: Final = dt.time(19, 0)
#: Seconds between two page requests: the API allows 5 per second.
PAGE_INTERVAL: Final = 0.2
#: Seconds to wait between pages when the daily quota is nearly used up.
LOW_QUOTA_PAUSE: Final = 1.0
LOW_QUOTA: Final = 50

#: Ticketmaster segment -> (our category, tags). Genres and sub-genres become extra tags.
SEGMENTS: Final[Mapping[str, tuple[str, tuple[str, ...]]]] = {
    "music": ("music-performance", ("live-music",)),
    "arts & theatre": ("music-performance", ("theatre",)),
    "sports": ("sport", ("competition",)),
    "film": ("culture", ("film",)),
    "miscellaneous": ("culture", ()),
}
_VAGUE: Final = frozenset({"undefined", "other", "miscellaneous", "misc"})
_DROPPED_STATUSES: Final = frozenset({"cancelled", "canceled", "postponed"})


@dataclass(frozen=True)
class Page:
    """One page of a Ticketmaster search: its events and how many pages the search has."""

    events: list[Activity]
    total_pages: int


def _get(data: object, *path: str | int) -> Any:
    """data[path[0]][path[1]]..., or None as soon as a step is missing or of the wrong kind."""
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and len(data) > step else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _zone(name: object) -> dt.tzinfo | None:
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else None
    except (ValueError, KeyError):  # unknown or malformed IANA names
        return None


def _start(event: dict[str, Any], tz: dt.tzinfo | None) -> tuple[dt.datetime, bool] | None:
    """The start and whether its time is still to be announced; None when the date is."""
    start = _get(event, "dates", "start") or {}
    if not isinstance(start, dict) or start.get("dateTBD") or start.get("dateTBA"):
        return None
    moment = start.get("dateTime")
    tba = bool(start.get("timeTBA") or start.get("noSpecificTime"))
    if isinstance(moment, str) and moment and not tba:
        parsed = dt.datetime.fromisoformat(moment)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)), False
    local_date = start.get("localDate")
    if not isinstance(local_date, str):
        return None
    zone = (
        _zone(_get(event, "dates", "timezone"))
        or _zone(_get(event, "_embedded", "venues", 0, "timezone"))
        or tz
    )
    if zone is None:
        return None
    day = dt.date.fromisoformat(local_date)
    local_time = start.get("localTime")
    if tba or not isinstance(local_time, str) or not local_time:
        return dt.datetime.combine(day, TBA_TIME, tzinfo=zone), True
    return dt.datetime.combine(day, dt.time.fromisoformat(local_time), tzinfo=zone), False


def _venue(event: dict[str, Any]) -> tuple[Location | None, str | None]:
    """The venue as a Location, or (None, its name and address) when it has no coordinates."""
    venue = _get(event, "_embedded", "venues", 0)
    name = plain_text(_get(venue, "name"))
    address = ", ".join(
        filter(
            None,
            (plain_text(_get(venue, "address", "line1")), plain_text(_get(venue, "postalCode"))),
        )
    )
    city = plain_text(_get(venue, "city", "name"))
    found = place(
        _get(venue, "location", "latitude"),
        _get(venue, "location", "longitude"),
        name=name,
        address=address,
        city=city,
    )
    text = ", ".join(filter(None, (name, address, city)))
    return (found, None) if found is not None else (None, text or None)


def _price(event: dict[str, Any]) -> tuple[float | None, float | None, str | None]:
    """Cost for two (tickets are priced per person); (None, None, None) when unknown."""
    low = number(_get(event, "priceRanges", 0, "min"))
    high = number(_get(event, "priceRanges", 0, "max"))
    currency = _get(event, "priceRanges", 0, "currency")
    if low is None or low < 0 or not isinstance(currency, str) or len(currency) != 3:
        return None, None, None
    if high is None or high < low:
        high = low
    return 2 * low, 2 * high, currency.upper()


def _classification(event: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    first = _get(event, "classifications", 0)
    segment = plain_text(_get(first, "segment", "name"))
    category, tags = SEGMENTS.get(segment.lower(), ("other", ()))
    extra = (plain_text(_get(first, key, "name")) for key in ("genre", "subGenre"))
    return category, labels((*tags, *(g for g in extra if g.lower() not in _VAGUE)))


def _to_activity(event: object, *, tz: dt.tzinfo | None, source: str) -> Activity | None:
    if not isinstance(event, dict):
        return None
    status = plain_text(_get(event, "dates", "status", "code")).lower()
    title = plain_text(event.get("name"))
    start = _start(event, tz)
    if status in _DROPPED_STATUSES or not title or start is None:
        return None
    starts_at, time_tba = start
    location, venue_text = _venue(event)
    description = plain_text(event.get("info")) or plain_text(event.get("description"))
    if time_tba:
        description = f"{description} (Time to be announced.)".strip()
    cost_min, cost_max, currency = _price(event)
    category, tags = _classification(event)
    url = event.get("url")
    return Activity(
        id=event_id("ticketmaster", str(event.get("id") or title), starts_at.isoformat()),
        title=title,
        description=with_place(description, venue_text),
        category=category,
        tags=tags,
        cost_min=cost_min,
        cost_max=cost_max,
        currency=currency or "USD",
        excitement=4,
        interactive=False,
        needs_booking=True,
        location=location,
        starts_at=starts_at,
        url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
        source=source,
    )


def parse_ticketmaster(
    payload: bytes, *, source: str = "ticketmaster", tz: dt.tzinfo | None = None
) -> Page:
    """One page of a Discovery API `/events.json` answer as Activities.

    Events whose date is still to be decided, or that are cancelled or postponed, are left
    out; a time to be announced becomes 19:00 local with a note in the description. Local
    times are read in the event's own timezone, else the venue's, else `tz`. Ticket prices
    are per person, so the cost is doubled for the two of them. Raises SourceError when
    the payload is not a Discovery API answer.
    """
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"answer is not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise SourceError("answer is not a Discovery API search result (not a JSON object)")
    events = _get(data, "_embedded", "events")
    total = number(_get(data, "page", "totalPages"))
    return Page(
        events=convert_each(
            events if isinstance(events, list) else [], partial(_to_activity, tz=tz, source=source)
        ),
        total_pages=int(total) if total is not None and 0 <= total < 1e6 else 1,
    )


def _utc(moment: dt.datetime, *, up: bool = False) -> str:
    """`moment` in UTC as the API wants it, rounded to the whole hour (down, or `up`).

    Windows often start "now": rounded, the searches of one hour are the same request,
    so a cache can answer them. `fetch` drops the events the wider search adds.
    """
    utc = moment.astimezone(dt.UTC)
    hour = utc.replace(minute=0, second=0, microsecond=0)
    if up and hour < utc:
        hour += dt.timedelta(hours=1)
    return hour.strftime("%Y-%m-%dT%H:%M:%SZ")


class TicketmasterSource:
    """Concerts, shows and games near the couple from the Ticketmaster Discovery API.

    Args:
        api_key: Discovery API key; default: the TICKETMASTER_API_KEY environment variable.
        base_url: API root, e.g. a proxy or a test server.
        radius_km: Search radius around the couple's location.
        timeout: Seconds to wait for the server (connect, each read, the whole body).
        size: Events per page (1-200).
        max_pages: Most pages to read per fetch.
        name: Name shown in problems and on each event.
        retries: Retries on connection errors and 429/5xx answers (Retry-After honoured).
        max_bytes: Largest answer read per page.
        cache_ttl: Seconds a fetched page of results is kept on disk and read from there
            instead of the network; None (the default) fetches every time.
        cache_dir: Folder of that cache; default `novelty/http` in the user's cache folder.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = "https://app.ticketmaster.com/discovery/v2",
        radius_km: float = 25,
        timeout: float = 10.0,
        size: int = 100,
        max_pages: int = 5,
        name: str = "ticketmaster",
        retries: int = 2,
        max_bytes: int = DEFAULT_MAX_BYTES,
        cache_ttl: float | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV, "")
        if not isinstance(key, str) or not key.strip():
            raise SourceError(
                f"no Ticketmaster API key: set the {API_KEY_ENV} environment variable "
                "(or pass api_key)"
            )
        if not isinstance(base_url, str) or not base_url.lower().startswith(
            ("https://", "http://")
        ):
            raise SourceError(
                f"option 'base_url' must be an http(s) URL, got {redact(repr(base_url))}"
            )
        self._api_key = key.strip()
        self.base_url = base_url.rstrip("/")
        self.radius_km = positive_number("radius_km", radius_km)
        self.size = whole_number("size", size, 1, 200)
        self.max_pages = whole_number("max_pages", max_pages, 1)
        self.name = checked_name(name, "ticketmaster")
        cache = checked_cache(cache_ttl, cache_dir)
        # The API takes the key only as the `apikey` query parameter, which urllib3 logs
        # with every request line: the client redacts it from those records.
        self.http = HttpClient(
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            cache=cache,
            secrets=(self._api_key,),
        )

    def fetch(self, window: Window, near: Location | None) -> list[Activity]:
        """Events within `radius_km` of `near` that start in `window`, page by page."""
        if near is None:
            raise SourceError("needs the couple's location to search near; none was given")
        tz = couple_timezone(window, near)
        params = {
            "apikey": self._api_key,
            "latlong": f"{near.lat:.5f},{near.lon:.5f}",
            "radius": f"{self.radius_km:g}",
            "unit": "km",
            "startDateTime": _utc(window.start),
            "endDateTime": _utc(window.end, up=True),
            "size": str(self.size),
            "sort": "date,asc",
        }
        events: list[Activity] = []
        # No pause before the first page, nor after a page read from the cache: the pause
        # spaces requests to the server.
        page, total, pause = 0, 1, 0.0
        while page < min(total, self.max_pages) and (page + 1) * self.size <= DEEP_PAGING_LIMIT:
            if pause:
                sleep(pause)
            answer = self.http.get(
                f"{self.base_url}/events.json", params={**params, "page": str(page)}
            )
            result = parse_ticketmaster(answer.content, source=self.name, tz=tz)
            events.extend(result.events)
            total = result.total_pages
            quota = number(answer.headers.get("Rate-Limit-Available"))
            pause = LOW_QUOTA_PAUSE if quota is not None and quota < LOW_QUOTA else PAGE_INTERVAL
            pause = 0.0 if answer.cached else pause
            page += 1
        return [e for e in events if e.starts_at and window.start <= e.starts_at <= window.end]

    def __repr__(self) -> str:
        return f"TicketmasterSource({self.name!r})"
