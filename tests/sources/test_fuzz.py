"""Every feed parser, fed random, truncated, mangled and hostile feeds, raises SourceError
or nothing, within HANG_SECONDS. A few hundred examples each by default; `-m slow` runs
1,000 more of each."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novelty.errors import SourceError
from novelty.sources.ical import parse_ical
from novelty.sources.schemaorg import parse_schemaorg
from novelty.sources.ticketmaster import parse_ticketmaster

from .examples import CHICAGO, WEEKEND, fixture_bytes

#: Longest one parse may take on a 2-core machine before we call it a hang.
HANG_SECONDS = 5.0
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=_QUIET)
SLOW_FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=_QUIET)

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mangled(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with a few bytes overwritten, dropped or inserted at random places."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=8))
        edit = draw(st.sampled_from(["overwrite", "drop", "insert"]))
        if edit == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif edit == "drop":
            del data[at : at + len(chunk)]
        else:
            data[at:at] = chunk
    return bytes(data)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def json_swapped(draw: st.DrawFn, document: Any) -> Any:
    """`document` with one value, anywhere in it, replaced by arbitrary JSON."""
    path = draw(st.sampled_from(_paths(document)[1:]))
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = draw(json_values)
    return copy


def feeds(original: bytes, structured: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Random bytes, a cut-off or mangled copy of a fixture, or a structurally odd one."""
    return st.one_of(
        st.binary(max_size=2000),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        mangled(original),
        structured,
    )


def only_source_errors(parse: Callable[[bytes], object], data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(SourceError):
        parse(data)
    assert time.monotonic() - started < HANG_SECONDS


ICS = fixture_bytes("austin.ics")
ICS_LINES = ICS.split(b"\r\n")
TICKETMASTER = fixture_bytes("ticketmaster-page-0.json")
HTML = fixture_bytes("venue-calendar.html")
JSON_LD = json.loads(HTML.split(b'<script type="application/ld+json">')[1].split(b"</script>")[0])

ical_shuffled = st.lists(st.sampled_from(ICS_LINES), max_size=60).map(b"\r\n".join)
ticketmaster_swapped = json_swapped(json.loads(TICKETMASTER)).map(lambda d: json.dumps(d).encode())
schemaorg_swapped = json_swapped(JSON_LD).map(
    lambda d: b'<script type="application/ld+json">' + json.dumps(d).encode() + b"</script>"
)


moments = st.datetimes(min_value=dt.datetime(1400, 1, 1), max_value=dt.datetime(2700, 1, 1))
ical_times = st.builds(
    lambda moment, utc: moment.strftime("%Y%m%dT%H%M%S") + ("Z" if utc else ""),
    moments,
    st.booleans(),
) | st.dates().map(lambda day: f"{day:%Y%m%d}")
rrules = st.builds(
    lambda freq, step, parts, end: ";".join([f"FREQ={freq}", f"INTERVAL={step}", *parts, *end]),
    st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(-2, 4),
    st.lists(
        st.sampled_from(
            ["BYMONTH=2", "BYMONTH=4,6", "BYMONTHDAY=30", "BYMONTHDAY=31", "BYMONTHDAY=-1",
             "BYDAY=MO,TU", "BYDAY=5FR", "BYHOUR=1,2,3", "BYMINUTE=0,30", "BYSETPOS=-1",
             "BYWEEKNO=53", "BYYEARDAY=366", "BYSECOND=0,1,2"]
        ),
        max_size=3,
        unique=True,
    ),
    st.lists(st.sampled_from(["COUNT=3", "COUNT=100000", "UNTIL=99991231T000000Z"]), max_size=1),
)  # fmt: skip
ical_events = st.builds(
    lambda uid, start, end, rule, extra: (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:E{uid}\r\nDTSTART:{start}\r\n"
        + (f"DTEND:{end}\r\n" if end else "")
        + (f"RRULE:{rule}\r\n" if rule else "")
        + "".join(f"{line}\r\n" for line in extra)
        + "END:VEVENT\r\n"
    ),
    st.integers(0, 5),
    ical_times,
    st.none() | ical_times,
    st.none() | rrules,
    st.lists(
        st.sampled_from(
            ["DURATION:PT1H", "DURATION:-P1D", "RECURRENCE-ID:20261114T150000Z",
             "EXDATE:20261114T150000Z", "RDATE:20261115T150000Z", "STATUS:CANCELLED",
             "GEO:30.2;-97.7", "CATEGORIES:music"]
        ),
        max_size=3,
    ),
)  # fmt: skip
ical_generated = st.lists(ical_events, min_size=1, max_size=8).map(
    lambda events: ("BEGIN:VCALENDAR\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()
)

json_ld_dates = st.sampled_from(
    ["2026-11-14", "2026-11-14T20:00", "2026-11-14T20:00:00Z", "1500-01-01T00:00:00Z",
     "2600-01-01T00:00:00Z", "9999-12-31", "0001-01-01", "not a date", ""]
) | moments.map(lambda moment: moment.isoformat())  # fmt: skip
json_ld_events = st.fixed_dictionaries(
    {"@type": st.sampled_from(["Event", "MusicEvent", "EventSeries", "Place"]),
     "name": st.text(max_size=20), "startDate": json_ld_dates},
    optional={"endDate": json_ld_dates, "duration": st.sampled_from(["PT2H", "P1D", "nonsense"]),
              "offers": json_values, "location": json_values},
)  # fmt: skip
markup = st.sampled_from(
    ["<!--", "-->", "<script>", '<script type="application/ld+json">', "</script>", "<a ",
     "<!", "<![CDATA[", "]]>", "<script type='application/ld+json; charset=utf-8'>", "<html>",
     '<meta charset="utf-16">', "&amp;", "<scriptx>"]
)  # fmt: skip
page_parts = st.lists(
    markup | st.text(max_size=20) | json_ld_events.map(json.dumps), min_size=1, max_size=12
)
json_ld_pages = st.builds(
    lambda parts, encoding: "".join(parts).encode(encoding, "replace"),
    page_parts,
    st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "utf-8-sig"]),
)

ticketmaster_events = st.fixed_dictionaries(
    {"name": st.text(max_size=20), "dates": st.fixed_dictionaries(
        {"start": st.fixed_dictionaries(
            {}, optional={"dateTime": json_ld_dates, "localDate": json_ld_dates,
                          "localTime": st.sampled_from(["19:30:00", "25:00:00", "x"]),
                          "timeTBA": st.booleans(), "dateTBD": st.booleans()})},
        optional={"timezone": st.sampled_from(["America/Chicago", "Nowhere/Else", "", "../etc"])})},
    optional={"priceRanges": json_values, "_embedded": json_values, "classifications": json_values},
)  # fmt: skip
ticketmaster_answers = st.builds(
    lambda events, pages: json.dumps(
        {"_embedded": {"events": events}, "page": {"totalPages": pages}}
    ).encode(),
    st.lists(ticketmaster_events, max_size=6),
    json_values,
)

ICAL_INPUTS = st.one_of(feeds(ICS, ical_shuffled), ical_generated)
TICKETMASTER_INPUTS = st.one_of(feeds(TICKETMASTER, ticketmaster_swapped), ticketmaster_answers)
SCHEMAORG_INPUTS = st.one_of(feeds(HTML, schemaorg_swapped), json_ld_pages)


def ical(data: bytes) -> object:
    return parse_ical(data, WEEKEND, CHICAGO)


def schemaorg(data: bytes) -> object:
    return parse_schemaorg(data, WEEKEND, CHICAGO)


@FUZZ
@given(ICAL_INPUTS)
def test_parse_ical_raises_only_source_error(data: bytes) -> None:
    only_source_errors(ical, data)


@FUZZ
@given(TICKETMASTER_INPUTS)
def test_parse_ticketmaster_raises_only_source_error(data: bytes) -> None:
    only_source_errors(parse_ticketmaster, data)


@FUZZ
@given(SCHEMAORG_INPUTS)
def test_parse_schemaorg_raises_only_source_error(data: bytes) -> None:
    only_source_errors(schemaorg, data)


@pytest.mark.slow
@SLOW_FUZZ
@given(ICAL_INPUTS)
def test_parse_ical_raises_only_source_error_on_1000_more(data: bytes) -> None:
    only_source_errors(ical, data)


@pytest.mark.slow
@SLOW_FUZZ
@given(TICKETMASTER_INPUTS)
def test_parse_ticketmaster_raises_only_source_error_on_1000_more(data: bytes) -> None:
    only_source_errors(parse_ticketmaster, data)


@pytest.mark.slow
@SLOW_FUZZ
@given(SCHEMAORG_INPUTS)
def test_parse_schemaorg_raises_only_source_error_on_1000_more(data: bytes) -> None:
    only_source_errors(schemaorg, data)
