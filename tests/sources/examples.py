"""Fixed windows, places and fixture files the event-source tests share (no wall clock)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from novelty.models import Location, Window

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
CHICAGO = ZoneInfo("America/Chicago")
#: Friday 13 November 2026, 17:00 to Monday 00:00 in Austin: "this weekend" in the fixtures.
WEEKEND = Window(
    start=dt.datetime(2026, 11, 13, 17, tzinfo=CHICAGO),
    end=dt.datetime(2026, 11, 16, tzinfo=CHICAGO),
    label="this weekend",
)
AUSTIN = Location(lat=30.2672, lon=-97.7431, city="Austin", timezone="America/Chicago")


def at(day: int, hour: int, minute: int = 0, *, month: int = 11) -> dt.datetime:
    """A moment in Austin in November 2026 (or `month`)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def fixture_bytes(name: str) -> bytes:
    """The bytes of a file in tests/fixtures/sources."""
    return (FIXTURES / name).read_bytes()
