"""collect_events: every source at once, failures isolated, deadline kept, duplicates merged."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from novelty.errors import SourceError
from novelty.models import Activity, Location, Window
from novelty.sources import ICalSource, Source, TicketmasterSource, collect_events

from .examples import AUSTIN, FIXTURES, WEEKEND, at

FEED = str(FIXTURES / "austin.ics")


@dataclass
class Listed:
    """A source that returns fixed items (or raises, or blocks until released)."""

    name: str
    items: list[object] = field(default_factory=list)
    error: BaseException | None = None
    blocked_by: threading.Event | None = None

    def fetch(self, window: Window, near: Location | None) -> Iterable[Activity]:
        if self.blocked_by is not None:
            self.blocked_by.wait(30)
        if self.error is not None:
            raise self.error
        return self.items  # type: ignore[return-value]  # some tests return non-Activities


def show(
    title: str = "Jazz at the Elephant Room",
    *,
    venue: Location | None = None,
    source: str = "catalog",
    day: int = 14,
) -> Activity:
    return Activity(
        id=f"{title}-{day}-{source}",
        title=title,
        starts_at=at(day, 21),
        location=venue,
        source=source,
    )


ELEPHANT = Location(lat=30.2661, lon=-97.7429, name="Elephant Room")


def test_sources_satisfy_the_protocol() -> None:
    assert isinstance(ICalSource(FEED), Source)
    assert isinstance(Listed("x"), Source)


def test_a_failing_feed_becomes_a_problem_and_the_others_are_kept(server: HTTPServer) -> None:
    server.expect_request("/down.ics").respond_with_data("oops", status=500)
    broken = ICalSource(server.url_for("/down.ics"), name="down", retries=0)

    found, problems = collect_events([broken, ICalSource(FEED)], WEEKEND, AUSTIN)

    assert len(found) == 6
    assert [p.source for p in problems] == ["down"]
    assert "HTTP 500" in problems[0].message


def test_garbage_from_a_feed_becomes_a_problem(server: HTTPServer) -> None:
    server.expect_request("/garbage.ics").respond_with_data(b"\x89PNG\r\n\x1a\n" + bytes(200))

    found, problems = collect_events(
        [ICalSource(server.url_for("/garbage.ics"), name="garbage")], WEEKEND, AUSTIN
    )

    assert found == []
    assert problems[0].source == "garbage"
    assert "not an iCalendar feed" in problems[0].message


def test_a_raising_source_becomes_a_one_line_problem_naming_it() -> None:
    crashing = Listed("crashy", error=RuntimeError("venue\n  id missing"))

    found, problems = collect_events([crashing, Listed("fine", [show()])], WEEKEND, AUSTIN)

    assert [a.title for a in found] == ["Jazz at the Elephant Room"]
    assert problems[0].source == "crashy"
    assert problems[0].message == "failed with RuntimeError: venue id missing"


def test_a_hanging_source_is_cut_off_at_the_deadline(release: threading.Event) -> None:
    hanging = Listed("hangs", blocked_by=release)

    started = time.monotonic()
    found, problems = collect_events(
        [hanging, Listed("fine", [show()])], WEEKEND, AUSTIN, deadline=0.5
    )

    assert time.monotonic() - started < 0.5 + 2
    assert len(found) == 1
    assert problems[0].source == "hangs"
    assert "no answer within 0.5 s" in problems[0].message


def test_a_silent_server_is_cut_off_at_the_deadline(
    server: HTTPServer, release: threading.Event
) -> None:
    def hang(_: Request) -> Response:
        release.wait(30)
        return Response("")

    server.expect_request("/silent.ics").respond_with_handler(hang)
    silent = ICalSource(server.url_for("/silent.ics"), name="silent", timeout=30)

    started = time.monotonic()
    _, problems = collect_events([silent], WEEKEND, AUSTIN, deadline=0.5)

    assert time.monotonic() - started < 0.5 + 2
    assert problems[0].source == "silent"


def test_items_that_are_not_activities_become_problems_and_the_rest_are_kept() -> None:
    mixed = Listed("mixed", [show(), {"title": "a dict"}, None])

    found, problems = collect_events([mixed], WEEKEND, AUSTIN)

    assert len(found) == 1
    assert [p.message for p in problems] == [
        "item 1 is a dict, not an Activity; skipped",
        "item 2 is a NoneType, not an Activity; skipped",
    ]


def test_events_outside_the_window_are_dropped() -> None:
    found, _ = collect_events([Listed("l", [show(day=14), show(day=20)])], WEEKEND, AUSTIN)

    assert [a.starts_at for a in found] == [at(14, 21)]


def test_the_same_event_from_two_sources_is_kept_once_from_the_first() -> None:
    nearby = Location(lat=30.2665, lon=-97.7431, name="The Elephant Room")  # ~50 m away
    first = Listed("first", [show("Jazz at the Elephant Room", venue=ELEPHANT, source="first")])
    second = Listed("second", [show("JAZZ AT THE ELEPHANT ROOM!", venue=nearby, source="second")])

    found, _ = collect_events([first, second], WEEKEND, AUSTIN)

    assert [a.source for a in found] == ["first"]


def test_the_same_venue_name_far_apart_is_still_the_same_event() -> None:
    geocoded_elsewhere = Location(lat=30.40, lon=-97.70, name="Elephant Room")
    first = Listed("first", [show(venue=ELEPHANT, source="first")])
    second = Listed("second", [show(venue=geocoded_elsewhere, source="second")])

    found, _ = collect_events([first, second], WEEKEND, AUSTIN)

    assert len(found) == 1


def test_the_same_title_and_time_at_different_venues_are_both_kept() -> None:
    elsewhere = Location(lat=30.3, lon=-97.7, name="Continental Club")
    first = Listed("first", [show(venue=ELEPHANT, source="first")])
    second = Listed("second", [show(venue=elsewhere, source="second")])

    found, _ = collect_events([first, second], WEEKEND, AUSTIN)

    assert len(found) == 2


def test_an_activity_left_with_the_default_source_gets_the_source_name() -> None:
    found, _ = collect_events([Listed("jazz-feed", [show()])], WEEKEND, AUSTIN)

    assert found[0].source == "jazz-feed"


def test_strict_mode_raises_naming_the_failing_source() -> None:
    with pytest.raises(SourceError, match=r"^crashy: failed with ValueError: bad date"):
        collect_events(
            [Listed("crashy", error=ValueError("bad date")), Listed("fine", [show()])],
            WEEKEND,
            AUSTIN,
            strict=True,
        )


def test_strict_mode_without_problems_returns_the_events() -> None:
    found, problems = collect_events([Listed("fine", [show()])], WEEKEND, AUSTIN, strict=True)

    assert (len(found), problems) == (1, [])


def test_problems_never_contain_an_api_key(server: HTTPServer) -> None:
    server.expect_request("/tm/events.json").respond_with_data("Invalid ApiKey", status=401)
    ticketmaster = TicketmasterSource("SECRET-KEY-42", base_url=server.url_for("/tm"))
    leaky = Listed("leaky", error=RuntimeError("GET https://api.example/e?apikey=SECRET-KEY-42"))

    _, problems = collect_events([ticketmaster, leaky], WEEKEND, AUSTIN)

    assert len(problems) == 2
    assert all("SECRET-KEY-42" not in p.message for p in problems)


def test_no_sources_means_no_events_and_no_problems() -> None:
    assert collect_events([], WEEKEND, AUSTIN) == ([], [])


@pytest.mark.parametrize(
    ("ends", "kept"),
    [
        # In the last year the recommender holds, a few hours decide: compared in UTC.
        (dt.datetime(2262, 4, 9, 23, tzinfo=dt.timezone(dt.timedelta(hours=-12))), False),
        (dt.datetime(2262, 4, 10, 11, tzinfo=dt.timezone(dt.timedelta(hours=12))), True),
        # The year before it is inside in any timezone.
        (dt.datetime(2261, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-12))), True),
    ],
)
def test_an_end_past_the_representable_span_drops_the_event(ends: dt.datetime, kept: bool) -> None:
    event = show().model_copy(update={"ends_at": ends})
    found, problems = collect_events([Listed("far", [event])], WEEKEND, AUSTIN)
    assert [e.id for e in found] == ([event.id] if kept else [])
    assert (not problems) is kept


def test_titles_with_and_without_accents_are_one_event() -> None:
    plain, accented = show("Cafe Tacuba live!"), show("Café Tacuba — LIVE", source="other")
    found, _ = collect_events([Listed("a", [plain]), Listed("b", [accented])], WEEKEND, AUSTIN)
    assert [e.title for e in found] == [plain.title]


def test_strict_lists_every_bound_a_feed_hit(tmp_path: Path) -> None:
    feed = tmp_path / "rules.ics"
    rules = ("FREQ=DAILY;INTERVAL=0", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MINUTELY")
    feed.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + "".join(
            f"BEGIN:VEVENT\r\nUID:{n}\r\nSUMMARY:Rule {n}\r\nDTSTART:20261001T100000Z\r\n"
            f"RRULE:{rule}\r\nEND:VEVENT\r\n"
            for n, rule in enumerate(rules)
        )
        + "END:VCALENDAR\r\n"
    )
    source = ICalSource(feed)

    _, [problem] = collect_events([source], WEEKEND, AUSTIN)
    with pytest.raises(SourceError) as strict:
        collect_events([source], WEEKEND, AUSTIN, strict=True)

    assert problem.message.endswith("(and 2 more)")  # recs.problems stays one line a source
    listed = str(strict.value).split("; ")
    assert [item.split(": ", 1)[0] for item in listed] == ["ical:rules.ics"] * 3
    assert [item.split("'")[1] for item in listed] == ["Rule 0", "Rule 1", "Rule 2"]
    assert "more)" not in str(strict.value)
