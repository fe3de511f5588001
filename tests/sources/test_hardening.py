"""Hostile feeds, files and servers: each ends as a SourceError or a problem, in time."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import novelty
from novelty.errors import SourceError
from novelty.sources import ICalSource, SchemaOrgSource, TicketmasterSource, collect_events
from novelty.sources.bounds import CutShortError
from novelty.sources.http import HttpClient
from novelty.sources.ical import MAX_RECURRENCE_STEPS, MAX_SERIES_OCCURRENCES, parse_ical
from novelty.sources.schemaorg import parse_schemaorg

from ..conftest import EXAMPLE_PROFILE, FRIDAY_EVENING, ROOT
from .examples import AUSTIN, CHICAGO, WEEKEND

KEY = "sekret-key-4711"


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def vevent(uid: str, start: str, *lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    head = f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:Event {uid}\r\nDTSTART:{start}\r\n"
    return f"{head}{body}END:VEVENT\r\n"


KITE = vevent("kite", "20261114T150000Z", "DTEND:20261114T170000Z")


def timed(seconds: float, parse: object) -> None:
    assert callable(parse)
    started = time.monotonic()
    parse()
    assert time.monotonic() - started < seconds


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0 never moves on"),
        ("FREQ=WEEKLY;INTERVAL=-3", "INTERVAL=-3 never moves on"),
    ],
)
def test_a_rule_that_never_moves_on_is_refused_at_once(rule: str, why: str) -> None:
    feed = calendar(vevent("r", "20261101T100000Z", f"RRULE:{rule}"), KITE)
    started = time.monotonic()
    with pytest.raises(CutShortError, match=why) as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert time.monotonic() - started < 1
    assert [e.title for e in cut.value.events] == ["Event kite"]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
        "FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=MINUTELY;BYMONTH=2;BYHOUR=1,2,3;BYWEEKNO=53",
        "FREQ=DAILY;BYMONTHDAY=13;BYDAY=FR;BYYEARDAY=1",
    ],
)
def test_a_rule_that_never_matches_is_refused_at_once(rule: str) -> None:
    feed = calendar(vevent("r", "20261101T100000Z", f"RRULE:{rule}"), KITE)
    started = time.monotonic()
    with pytest.raises(CutShortError, match="matches no day of the year") as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert [e.title for e in cut.value.events] == ["Event kite"]
    assert time.monotonic() - started < 1  # DAILY with COUNT alone took 7.6 s before


def secondly(series: int) -> bytes:
    """`series` series of a date a second, from five hours before the window ends."""
    return calendar(
        *(vevent(f"s{n}", "20261116T010000Z", "RRULE:FREQ=SECONDLY") for n in range(series))
    )


def test_secondly_series_are_capped_per_series_in_time() -> None:
    started = time.monotonic()
    with pytest.raises(CutShortError, match="repeats more than") as cut:
        parse_ical(secondly(10), WEEKEND, CHICAGO)
    assert time.monotonic() - started < 5  # 31 s before
    assert len(cut.value.events) == 10 * MAX_SERIES_OCCURRENCES


def test_two_series_of_one_uid_are_bounded_from_the_earliest_start() -> None:
    """Members sharing a UID are expanded together, from the earliest DTSTART of any: a
    rule that starts after the window walks from the other's 1591 start (found by the
    fuzz test: 5 seconds of walking before)."""
    feed = calendar(
        vevent("5", "26481226T195830Z", "RRULE:FREQ=HOURLY;INTERVAL=3;BYMINUTE=0,30;BYMONTHDAY=-1"),
        vevent("5", "15910717T025730Z", "RRULE:FREQ=MONTHLY;INTERVAL=3"),
        KITE,
    )
    started = time.monotonic()
    with pytest.raises(CutShortError, match=r"skipped: it would take too long to expand") as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert time.monotonic() - started < 1.0
    assert [e.title for e in cut.value.events] == ["Event kite"]


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=YEARLY;BYDAY=MO,TU;BYSECOND=0,1,2",  # every Monday and Tuesday
        "RRULE:FREQ=YEARLY;BYMONTHDAY=1,2,3,4,5;BYHOUR=1,2,3,4,5,6",  # in every month
        "RRULE:FREQ=YEARLY;BYWEEKNO=1,2,3,4,5,6,7,8;BYHOUR=1,2,3,4,5,6",  # every day of a week
    ],
)
def test_a_yearly_rule_is_counted_by_the_days_it_fans_out_to(rule: str) -> None:
    """A weekday without a position is every such day of the year, a day of the month is
    one in each month, and a week number without weekdays is its seven days: from 1636,
    the first rule (found by the fuzz test) took 5 seconds to walk before."""
    feed = calendar(vevent("0", "16360413T184311Z", rule), KITE)
    started = time.monotonic()
    with pytest.raises(CutShortError, match=r"skipped: it would take too long to expand") as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert time.monotonic() - started < 1.0
    assert [e.title for e in cut.value.events] == ["Event kite"]


def test_a_secondly_series_is_capped_in_memory() -> None:
    tracemalloc.start()  # slows the parse several times: one series is enough
    try:
        with pytest.raises(CutShortError):
            parse_ical(secondly(1), WEEKEND, CHICAGO)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20  # 10 such series took 861 MB before


def test_a_secondly_series_from_long_before_the_window_is_skipped_as_documented() -> None:
    # From 36 hours before the window's end: more dates to walk than MAX_RECURRENCE_STEPS.
    feed = calendar(vevent("s", "20261114T120000Z", "RRULE:FREQ=SECONDLY"), KITE)
    with pytest.raises(CutShortError, match=r"skipped: it would take too long to expand") as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert [e.title for e in cut.value.events] == ["Event kite"]
    bounds_table = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    [row] = [
        line for line in bounds_table.splitlines() if line.startswith("| Occurrences of one series")
    ]
    assert f"{MAX_RECURRENCE_STEPS:,}" in row
    assert "skipped" in row


def test_a_feed_of_60000_events_is_read_within_the_deadline() -> None:
    feed = calendar(
        *(
            vevent(str(n), f"20261114T1{n % 10}0000Z", f"DTEND:20261114T1{n % 10}3000Z")
            for n in range(60_000)
        )
    )
    started = time.monotonic()
    with pytest.raises(CutShortError, match="more than 5,000 events") as cut:
        parse_ical(feed, WEEKEND, CHICAGO)
    assert time.monotonic() - started < 10  # 46 s before
    assert len(cut.value.events) == 5_000


def test_a_series_that_starts_after_the_window_is_not_expanded() -> None:
    never = "RRULE:FREQ=MINUTELY;BYMONTH=2;BYHOUR=1;BYSETPOS=9"
    feed = calendar(vevent("later", "21030607T115903Z", never), KITE)
    started = time.monotonic()
    assert [e.title for e in parse_ical(feed, WEEKEND, CHICAGO)] == ["Event kite"]
    assert time.monotonic() - started < 1


def test_events_plainly_outside_the_window_are_passed_over_before_parsing() -> None:
    far = [vevent(str(n), "20250101T100000Z", "DTEND:20250101T110000Z") for n in range(20_000)]
    assert [e.title for e in parse_ical(calendar(*far, KITE), WEEKEND, CHICAGO)] == ["Event kite"]


@pytest.mark.parametrize(
    "page",
    [
        "<html><!--" + "<a " * 16000,
        "<html><!--" + "x" * 9_000_000,
        "<html>" + "<!" * 4_500_000,
        "<script " * 1_100_000,
    ],
    ids=["48kB-tags-in-comment", "9MB-unclosed-comment", "9MB-bangs", "9MB-open-scripts"],
)
def test_hostile_markup_is_scanned_in_well_under_a_second(page: str) -> None:
    started = time.monotonic()
    assert parse_schemaorg(page.encode(), WEEKEND, CHICAGO) == []
    assert time.monotonic() - started < 0.5


JAZZ = {"@type": "MusicEvent", "name": "Jazz", "startDate": "2026-11-14T20:00:00-06:00"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_pages_are_read_in_their_encoding(encoding: str) -> None:
    page = f'<script type="application/ld+json">{json.dumps(JAZZ)}</script>'
    assert [e.title for e in parse_schemaorg(page.encode(encoding), WEEKEND, CHICAGO)] == ["Jazz"]


def test_a_page_is_read_in_the_charset_its_server_declares(server: HTTPServer) -> None:
    page = f'<script type="application/ld+json">{json.dumps({**JAZZ, "name": "Café"})}</script>'
    server.expect_request("/page").respond_with_data(
        page.encode("utf-16-le"), content_type="text/html; charset=utf-16le"
    )
    events = SchemaOrgSource(server.url_for("/page")).fetch(WEEKEND, AUSTIN)
    assert [e.title for e in events] == ["Café"]


def test_commented_out_json_ld_is_not_read() -> None:
    page = f'<!-- <script type="application/ld+json">{json.dumps(JAZZ)}</script> -->'
    assert parse_schemaorg(page.encode(), WEEKEND, CHICAGO) == []


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "feed.ics"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo", "folder"])
@pytest.mark.parametrize("source", [ICalSource, SchemaOrgSource])
def test_only_regular_files_are_read(
    kind: str, source: type[ICalSource | SchemaOrgSource], fifo: Path
) -> None:
    path = {"fifo": str(fifo), "folder": str(fifo.parent)}.get(kind, kind)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"is (a device|a FIFO|a folder).*not a regular file"):
        source(path).fetch(WEEKEND, AUSTIN)
    assert time.monotonic() - started < 1


def test_a_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.ics"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(SourceError, match="over the limit of 1000 bytes"):
        HttpClient(max_bytes=1000).read(str(path))


@pytest.fixture
def drip_server(release: threading.Event) -> Iterator[str]:
    """A server that sends its headers, then one byte of its body every half second."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not release.is_set():
                try:
                    connection.sendall(b"B")
                except OSError:
                    return
                release.wait(0.5)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.ics"
    release.set()
    listener.close()


def test_a_dripping_server_is_cut_at_the_total_deadline(drip_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"(no answer|not complete) within 1\.5 s"):
        HttpClient(timeout=1.5, retries=0).get(drip_server)
    assert 1.4 < time.monotonic() - started < 2.5


def test_an_out_of_range_date_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    far_end = vevent("far", "20261114T150000Z", "DTEND:25961114T190000Z")
    old = vevent("old", "15000101T100000Z", "DTEND:20261114T190000Z")
    path = tmp_path / "feed.ics"
    path.write_bytes(calendar(far_end, old, KITE))
    events, problems = collect_events([ICalSource(path)], WEEKEND, AUSTIN)
    assert [e.title for e in events] == ["Event kite"]
    [problem] = problems
    assert "2 event(s) dated outside 1677-09-23 to 2262-04-10 skipped" in problem.message


def hostile_sources(tmp_path: Path, fifo: Path, drip_server: str) -> list[object]:
    """One source per hostile case, each dated in the example couple's weekend."""

    def ics(name: str, *events: str) -> ICalSource:
        path = tmp_path / f"{name}.ics"
        path.write_bytes(calendar(*events))
        return ICalSource(path, name=name)

    def page(name: str, text: str) -> SchemaOrgSource:
        path = tmp_path / f"{name}.html"
        path.write_bytes(text.encode())
        return SchemaOrgSource(path, name=name)

    saturday = "20261128T200000Z"
    late = {"@type": "Event", "name": "Far", "startDate": "2026-11-28T20:00:00Z",
            "endDate": "2600-01-01T00:00:00Z"}  # fmt: skip
    return [
        ics("interval-0", vevent("i", saturday, "RRULE:FREQ=DAILY;INTERVAL=0")),
        ics("never", vevent("n", "20200101T100000Z", "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30")),
        ics("dtend-2596", vevent("d", saturday, "DTEND:25961114T190000Z")),
        ics("dtstart-1500", vevent("o", "15000101T100000Z", "DTEND:20261128T230000Z")),
        page("enddate-2600", f'<script type="application/ld+json">{json.dumps(late)}</script>'),
        page("48kB", "<html><!--" + "<a " * 16000),
        page("9MB", "<html><!--" + "x" * 9_000_000),
        ICalSource("/dev/zero", name="dev-zero"),
        ICalSource(fifo, name="fifo"),
        ICalSource(drip_server, name="drip", timeout=2, retries=0),
    ]


def test_recommend_returns_with_every_hostile_source_listed_and_no_thread_left(
    tmp_path: Path, fifo: Path, drip_server: str
) -> None:
    sources = hostile_sources(tmp_path, fifo, drip_server)
    couple = novelty.load_profile(EXAMPLE_PROFILE)
    started = time.monotonic()
    recs = novelty.Recommender(source_deadline=5).recommend(
        couple,
        sources=sources,
        now=FRIDAY_EVENING,  # type: ignore[arg-type]
    )
    assert time.monotonic() - started < 8
    assert len(recs) > 0
    listed = {p.source for p in recs.problems}
    assert listed >= {"interval-0", "dtend-2596", "dtstart-1500", "enddate-2600"}
    assert listed >= {"dev-zero", "fifo", "drip"}
    time.sleep(0.5)
    working = [t.name for t in threading.enumerate() if t.name.startswith("novelty-source-")]
    assert working == []


def test_a_source_past_the_deadline_stops_working(tmp_path: Path) -> None:
    feed = tmp_path / "big.ics"
    feed.write_bytes(
        calendar(
            *(vevent(str(n), "20261114T150000Z", "DTEND:20261114T170000Z") for n in range(5000))
        )
    )
    _, problems = collect_events([ICalSource(feed, name="big")], WEEKEND, AUSTIN, deadline=0.2)
    # Either the collector gives up first, or the parser notices the deadline first and
    # stops with what it has: both are the deadline, said once.
    assert [p.message for p in problems] in (
        ["no answer within 0.2 s; cut off"],
        ["stopped at the deadline while reading the feed's events"],
    )
    time.sleep(0.5)
    assert not [t for t in threading.enumerate() if t.name == "novelty-source-big"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chain(error: BaseException | None) -> Iterator[BaseException]:
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def test_the_api_key_appears_in_no_log_error_or_cache(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unreachable = TicketmasterSource(
        KEY, base_url=f"http://127.0.0.1:{closed_port()}/discovery/v2", retries=2
    )
    unreachable.http.backoff_factor = 0.01
    with pytest.raises(SourceError) as failed:
        unreachable.fetch(WEEKEND, AUSTIN)
    server.expect_request("/discovery/v2/events.json").respond_with_json(
        {"_embedded": {"events": []}, "page": {"totalPages": 1}}
    )
    cache = tmp_path / "cache"
    reachable = TicketmasterSource(
        KEY, base_url=server.url_for("/discovery/v2"), cache_ttl=60, cache_dir=cache
    )
    assert reachable.fetch(WEEKEND, AUSTIN) == []
    _, problems = collect_events([unreachable], WEEKEND, AUSTIN)

    assert "Retrying" in caplog.text
    assert re.search(r"GET /\.\.\./events\.json \(#[0-9a-f]{6}\)\?apikey=\*\*\*&", caplog.text)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert all(KEY not in message for message in ours)  # werkzeug is the test server
    assert all(KEY not in f"{e} {e!r} {e.args}" for e in chain(failed.value))
    assert problems
    assert all(KEY not in p.message for p in problems)
    assert all(KEY.encode() not in p.read_bytes() for p in cache.rglob("*") if p.is_file())


def test_the_cli_never_prints_the_api_key(tmp_path: Path) -> None:
    profile = tmp_path / "couple.toml"
    profile.write_text(
        EXAMPLE_PROFILE.read_text()
        + f'\n[[sources]]\ntype = "ticketmaster"\nbase_url = "http://127.0.0.1:{closed_port()}"\n'
    )
    env = {**os.environ, "TICKETMASTER_API_KEY": KEY, "PYTHONWARNINGS": "always"}
    done = subprocess.run(
        [sys.executable, "-m", "novelty.cli", "ideas", "--profile", str(profile),
         "--db", str(tmp_path / "h.db"), "--now", FRIDAY_EVENING.isoformat()],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ticketmaster" in done.stdout + done.stderr  # the problem is shown
    assert KEY not in done.stdout + done.stderr


#: A private calendar's address as Google makes it: the secret is a part of its path.
PRIVATE = "/calendar/ical/me%40x.com/private-abcdef0123456789SECRET/basic.ics"
PRIVATE_PARTS = ("abcdef0123456789SECRET", "me%40x.com", "me@x.com", "/calendar/ical")


def test_a_private_calendars_path_appears_in_no_problem_log_or_cache(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gone, broken = PRIVATE, PRIVATE.replace("SECRET", "OTHER")
    fine = PRIVATE.replace("private-", "private-2")
    server.expect_request(gone.replace("%40", "@")).respond_with_data("gone", status=404)
    server.expect_request(broken.replace("%40", "@")).respond_with_data("oops", status=500)
    server.expect_request(fine.replace("%40", "@")).respond_with_data(calendar(KITE))
    cache = tmp_path / "cache"
    sources = [
        ICalSource(
            f"http://127.0.0.1:{server.port}{path}", retries=0, cache_ttl=60, cache_dir=cache
        )
        for path in (gone, broken, fine)
    ]

    events, problems = collect_events(sources, WEEKEND, AUSTIN)
    with pytest.raises(SourceError) as strict:
        collect_events(sources[:2], WEEKEND, AUSTIN, strict=True)

    assert [e.title for e in events] == ["Event kite"]
    named = [
        re.fullmatch(r"127\.0\.0\.1/\.\.\./basic\.ics \(#([0-9a-f]{6})\): HTTP (\d+).*", p.message)
        for p in problems
    ]
    assert all(named), problems
    assert [m[2] for m in named if m] == ["404", "500"]
    assert len({m[1] for m in named if m}) == 2  # two feeds of one host, told apart
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("GET /.../basic.ics (#" in message for message in ours)
    stored = [p.read_bytes() for p in cache.rglob("*") if p.is_file()]
    assert len(stored) == 1  # the feed that answered
    for part in PRIVATE_PARTS:
        assert all(part not in p.message for p in problems)
        assert all(part not in f"{e} {e!r} {e.args}" for e in chain(strict.value))
        assert all(part not in message for message in ours)  # werkzeug is the test server
        assert all(part.encode() not in data for data in stored)


def test_the_cli_never_prints_a_private_calendars_path(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(PRIVATE.replace("%40", "@")).respond_with_data("gone", status=404)
    profile = tmp_path / "couple.toml"
    profile.write_text(
        EXAMPLE_PROFILE.read_text()
        + f'\n[[sources]]\ntype = "ical"\nlocation = "http://127.0.0.1:{server.port}{PRIVATE}"\n'
        + "retries = 0\n"
    )
    shown = ""
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "novelty.cli", "ideas", "--profile", str(profile),
             "--db", str(tmp_path / "h.db"), "--now", FRIDAY_EVENING.isoformat(), *extra],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        shown += done.stdout + done.stderr
    assert shown.count("127.0.0.1/.../basic.ics (#") == 2  # the note, and the JSON problem
    assert all(part not in shown for part in PRIVATE_PARTS)


def test_dates_at_the_edges_of_the_window_still_pass(tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(calendar(KITE))
    events, problems = collect_events([ICalSource(path)], WEEKEND, AUSTIN)
    assert (len(events), problems) == (1, [])
    assert events[0].starts_at == dt.datetime(2026, 11, 14, 15, tzinfo=dt.UTC)
