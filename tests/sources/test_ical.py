"""ICalSource and parse_ical: what a real-world .ics feed becomes."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from novelty.errors import SourceError
from novelty.models import Activity, Location, Window
from novelty.sources import ICalSource
from novelty.sources.bounds import CutShortError
from novelty.sources.ical import parse_ical

from .examples import AUSTIN, CHICAGO, FIXTURES, WEEKEND, at, fixture_bytes

FEED = fixture_bytes("austin.ics")
NOVEMBER = Window(start=at(1, 0), end=at(1, 0, month=12))


def weekend(data: bytes = FEED, window: Window = WEEKEND) -> dict[str, Activity]:
    return {a.title: a for a in parse_ical(data, window, CHICAGO)}


def test_reads_a_feed_served_over_http(server: HTTPServer) -> None:
    server.expect_request("/austin.ics").respond_with_data(FEED, content_type="text/calendar")

    events = ICalSource(server.url_for("/austin.ics")).fetch(WEEKEND, AUSTIN)

    assert len(events) == 6
    assert {e.source for e in events} == {"ical:127.0.0.1"}


def test_reads_a_local_file_and_names_the_source_after_it() -> None:
    source = ICalSource(FIXTURES / "austin.ics")

    events = source.fetch(WEEKEND, AUSTIN)

    assert source.name == "ical:austin.ics"
    assert "Mueller Farmers Market" in {e.title for e in events}


def test_a_weekly_rule_yields_each_occurrence_in_the_window() -> None:
    markets = [a for a in parse_ical(FEED, NOVEMBER, CHICAGO) if "Farmers Market" in a.title]

    assert [m.starts_at for m in markets if m.starts_at and m.starts_at.hour == 9] == [
        at(7, 9),
        at(14, 9),
    ]


def test_exdate_removes_an_occurrence() -> None:
    starts = {a.starts_at for a in parse_ical(FEED, NOVEMBER, CHICAGO)}

    assert at(21, 9) not in starts


def test_recurrence_id_replaces_an_occurrence() -> None:
    by_start = {a.starts_at: a for a in parse_ical(FEED, NOVEMBER, CHICAGO)}

    moved = by_start[at(28, 10)]
    assert moved.title == "Mueller Farmers Market: Thanksgiving leftovers edition"
    assert moved.ends_at == at(28, 14)
    assert at(28, 9) not in by_start


def test_tzid_times_keep_their_zone() -> None:
    concert = weekend()["Noche de Música en Vivo at the Mohawk"]

    assert concert.starts_at == at(14, 20)
    assert concert.ends_at == at(14, 23)
    assert concert.duration_minutes == 180


def test_windows_timezone_names_are_understood() -> None:
    star_party = weekend()["Star party at the observatory"]

    assert star_party.starts_at == at(14, 20)


def test_utc_times_are_kept_as_the_same_instant() -> None:
    comedy = weekend()["Improv comedy late show"]

    assert comedy.starts_at == at(14, 20)


def test_floating_times_are_read_in_the_couples_timezone() -> None:
    new_york = Location(lat=40.7, lon=-74.0, timezone="America/New_York")

    events = ICalSource(FIXTURES / "austin.ics").fetch(WEEKEND, new_york)

    pasta = next(e for e in events if e.title.startswith("Cooking class"))
    assert pasta.starts_at == dt.datetime(2026, 11, 15, 18, tzinfo=ZoneInfo("America/New_York"))


def test_floating_times_fall_back_to_the_window_timezone() -> None:
    events = ICalSource(FIXTURES / "austin.ics").fetch(WEEKEND, None)

    pasta = next(e for e in events if e.title.startswith("Cooking class"))
    assert pasta.starts_at == at(15, 18)


def test_duration_sets_the_end_when_dtend_is_missing() -> None:
    pasta = weekend()["Cooking class: handmade pasta for two"]

    assert pasta.ends_at == at(15, 20, 30)
    assert pasta.duration_minutes == 150


def test_an_event_with_neither_end_nor_duration_has_no_end() -> None:
    star_party = weekend()["Star party at the observatory"]

    assert star_party.ends_at is None
    assert star_party.duration_minutes is None


def test_all_day_events_cover_their_local_days() -> None:
    tour = weekend()["East Austin Studio Tour"]

    assert tour.starts_at == at(14, 0)
    assert tour.ends_at == at(16, 0)
    assert tour.duration_minutes is None


def test_cancelled_events_are_left_out() -> None:
    assert "Sunset paddle on Lady Bird Lake" not in weekend()


def test_events_outside_the_window_are_left_out() -> None:
    assert "New Year's Eve gala" not in weekend()


def test_geo_and_location_become_the_venue() -> None:
    market = weekend()["Mueller Farmers Market"]

    assert market.location == Location(
        lat=30.2987,
        lon=-97.7059,
        name="Mueller Lake Park",
        address="4550 Mueller Blvd, Austin, TX 78723",
    )


def test_location_text_without_geo_goes_into_the_description() -> None:
    pasta = weekend()["Cooking class: handmade pasta for two"]

    assert pasta.location is None
    assert pasta.description.endswith(
        "Where: Central Market Cooking School, 4001 N Lamar Blvd, Austin, TX"
    )


def test_categories_become_tags_and_the_first_one_the_category() -> None:
    concert = weekend()["Noche de Música en Vivo at the Mohawk"]

    assert concert.category == "music"
    assert concert.tags == ("music", "live-music", "dancing")


def test_url_and_unknown_cost_are_carried_over() -> None:
    market = weekend()["Mueller Farmers Market"]

    assert market.url == "https://events.example/mueller-market"
    assert (market.cost_min, market.cost_max) == (None, None)


def test_folded_lines_and_non_ascii_text_survive() -> None:
    concert = weekend()["Noche de Música en Vivo at the Mohawk"]

    assert "Bailamos juntos – bring your dancing shoes" in concert.description
    assert concert.description.endswith("«sí».")


def test_lf_line_endings_read_like_crlf() -> None:
    assert weekend(FEED.replace(b"\r\n", b"\n")) == weekend()


def test_a_bare_vevent_without_vcalendar_is_read() -> None:
    bare = b"BEGIN:VEVENT\nUID:1\nDTSTART:20261114T150000Z\nSUMMARY:Kite day\nEND:VEVENT\n"

    assert list(weekend(bare)) == ["Kite day"]


def test_text_after_the_calendar_is_ignored() -> None:
    junk = FEED + b"<html><body>Generated by CalendarPress 2.1</body></html>\r\n"

    assert weekend(junk) == weekend()


def test_a_truncated_feed_keeps_its_complete_events() -> None:
    cut = FEED[: FEED.index(b"UID:comedy@austin.example")]

    titles = set(weekend(cut))

    assert "Star party at the observatory" in titles
    assert "Improv comedy late show" not in titles


def test_a_broken_vtimezone_does_not_cost_the_feed_its_events() -> None:
    broken = FEED.replace(b"TZOFFSETFROM:-0600", b"TZOFFSETFROM:minus six", 1)

    assert weekend(broken) == weekend()


def test_an_end_without_its_begin_is_ignored() -> None:
    stray = FEED.replace(b"BEGIN:DAYLIGHT\r\n", b"", 1)

    assert weekend(stray) == weekend()


def test_ids_are_stable_and_differ_between_occurrences() -> None:
    first = [a.id for a in parse_ical(FEED, NOVEMBER, CHICAGO)]
    again = [a.id for a in parse_ical(FEED, NOVEMBER, CHICAGO)]

    assert first == again
    assert len(set(first)) == len(first)
    assert all(i.startswith("ical-") for i in first)


def test_a_runaway_recurrence_is_skipped_with_a_problem_without_hanging() -> None:
    runaway = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART:19700101T000000Z\r\n"
        b"RRULE:FREQ=SECONDLY\r\nSUMMARY:Every second since 1970\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:k\r\nDTSTART:20261114T150000Z\r\nSUMMARY:Kite day\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )

    started = time.monotonic()
    with pytest.raises(CutShortError, match="'Every second since 1970' skipped") as cut:
        parse_ical(runaway, WEEKEND, CHICAGO)

    assert [event.title for event in cut.value.events] == ["Kite day"]
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "data", [b"", b"<html><body>Log in to see this calendar</body></html>", b"\x00\xff" * 50]
)
def test_bytes_that_are_not_a_calendar_raise_source_error(data: bytes) -> None:
    with pytest.raises(SourceError, match="not an iCalendar feed"):
        parse_ical(data, WEEKEND, CHICAGO)


def test_a_missing_feed_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        ICalSource(tmp_path / "gone.ics").fetch(WEEKEND, AUSTIN)


@pytest.mark.parametrize("location", ["", "   ", 42, None])
def test_a_bad_location_is_refused_when_the_source_is_built(location: object) -> None:
    with pytest.raises(SourceError, match="option 'location'"):
        ICalSource(location)  # type: ignore[arg-type]
