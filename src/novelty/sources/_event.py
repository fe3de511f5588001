"""Building blocks the parsers share to turn one feed entry into an Activity."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import re
from collections.abc import Callable, Iterable
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

from ..labels import label_from_text
from ..models import Activity, Location, Window
from . import bounds

T = TypeVar("T")

_TAG: Final = re.compile(r"<[^>]*>")

#: Longest span that is an outing's duration; longer events keep only their ends_at.
MAX_DURATION_MINUTES: Final = 60 * 24


def couple_timezone(window: Window, near: Location | None) -> dt.tzinfo:
    """The timezone that times without an offset are read in: the couple's, else the window's."""
    if near is not None and near.timezone:
        return ZoneInfo(near.timezone)
    tz = window.start.tzinfo
    assert tz is not None  # Window holds aware datetimes
    return tz


def event_id(prefix: str, *parts: str) -> str:
    """A stable id: `prefix` and a short hash of `parts`, the same on every run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()
    return f"{prefix}-{digest[:16]}"


def labels(texts: Iterable[str]) -> tuple[str, ...]:
    """Distinct non-empty labels of `texts`, in order."""
    return tuple(dict.fromkeys(filter(None, map(label_from_text, texts))))


def plain_text(value: object) -> str:
    """Plain one-paragraph text of a feed value: a string, JSON-LD's `{"@value": ...}` or a
    list of those (the first), with markup and character references resolved; else ""."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), "")
    if isinstance(value, dict):
        value = value.get("@value", "")
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def with_place(description: str, place: str | None) -> str:
    """The description with a 'Where: ...' line, for a place we know only by its text."""
    place = " ".join((place or "").split())
    if not place:
        return description
    return f"{description}\n\nWhere: {place}" if description else f"Where: {place}"


def number(value: object) -> float | None:
    """`value` (a number or numeric string) as a finite float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def place(
    lat: object,
    lon: object,
    *,
    name: str | None = None,
    address: str | None = None,
    city: str | None = None,
) -> Location | None:
    """A Location from coordinates given as numbers or strings; None unless both are valid."""
    latitude, longitude = number(lat), number(lon)
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if latitude == 0 and longitude == 0:  # "null island": a missing value, not a venue
        return None
    return Location(
        lat=latitude,
        lon=longitude,
        name=name or None,
        address=address or None,
        city=city or None,
    )


def duration_minutes(start: dt.datetime, end: dt.datetime | None) -> int | None:
    """Whole minutes from start to end when that is how long the outing takes, else None.

    Spans over a day (a festival weekend, an exhibition's run) say when one can go, not
    how long one stays, so they have no duration.
    """
    if end is None:
        return None
    minutes = int((end - start).total_seconds() // 60)
    return minutes if 0 < minutes <= MAX_DURATION_MINUTES else None


def overlaps(window: Window, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether an event from `start` to `end` (or the instant `start`) falls in the window.

    Undated activities are not events and are never outside a window.
    """
    if start is None:
        return True
    if end is None or end <= start:
        return window.start <= start < window.end
    return start < window.end and end > window.start


def convert_each(items: Iterable[T], convert: Callable[[T], Activity | None]) -> list[Activity]:
    """Convert each raw feed entry; an entry that cannot be read is skipped, never fatal.

    Feeds in the wild have the odd broken entry; one should not hide the rest. Third-party
    parsers (icalendar, dateutil, pydantic) raise many exception types on such entries,
    hence the broad except.
    """
    activities: list[Activity] = []
    for item in items:
        bounds.check("reading the feed's events")
        try:
            activity = convert(item)
        except Exception:  # see the docstring
            continue
        if activity is not None:
            activities.append(activity)
    return activities
