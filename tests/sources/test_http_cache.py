"""The on-disk cache of HTTP answers: hits within the TTL, misses after it, no secrets on disk."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import novelty
from novelty.errors import SourceError
from novelty.models import SourceSpec, Window
from novelty.sources import ICalSource, SchemaOrgSource, TicketmasterSource, build_source
from novelty.sources import ticketmaster as tm
from novelty.sources.cache import (
    KEPT_HEADERS,
    SUBFOLDER,
    ResponseCache,
    default_cache_dir,
    request_key,
)
from novelty.sources.http import HttpClient

from .examples import AUSTIN, WEEKEND, at, fixture_bytes

TTL = 3600.0
FEED = fixture_bytes("austin.ics")
SECRETS = ("SECRET-QUERY-123", "SECRET-PATH-456", "SECRET-HEADER-789", "SECRET-COOKIE-000")
EXAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "examples" / "couple.toml"


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def client(folder: Path, clock: Clock, **options: int) -> HttpClient:
    """A client that keeps answers for TTL seconds in `folder`, on the test's clock."""
    return HttpClient(cache=ResponseCache(TTL, folder, clock=clock), **options)


def twice(http: HttpClient, url: str) -> list[bytes]:
    """The bodies of two GETs of `url` in a row."""
    return [http.get(url).content for _ in range(2)]


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_repeated_request_within_the_ttl_is_answered_from_disk(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/feed.ics").respond_with_data(FEED, content_type="text/calendar")
    http = client(folder, clock)

    first = http.get(server.url_for("/feed.ics"))
    clock.now += TTL - 1
    again = http.get(server.url_for("/feed.ics"))

    assert len(server.log) == 1
    assert again.content == first.content == FEED
    assert again.headers["content-type"] == "text/calendar"


@pytest.mark.parametrize(
    "shift",
    [
        pytest.param(TTL, id="older-than-the-ttl"),
        pytest.param(-60, id="from-the-future"),  # the system clock was set back
    ],
)
def test_an_entry_that_is_not_fresh_is_fetched_again_and_replaced(
    server: HTTPServer, folder: Path, clock: Clock, shift: float
) -> None:
    server.expect_request("/feed.ics").respond_with_data(FEED)
    http = client(folder, clock)

    http.get(server.url_for("/feed.ics"))
    clock.now += shift

    assert twice(http, server.url_for("/feed.ics")) == [FEED, FEED]
    assert len(server.log) == 2


def test_other_query_parameters_are_other_entries(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/events.json").respond_with_data("{}")
    http = client(folder, clock)

    for page in ("0", "1", "0", "1"):
        http.get(server.url_for("/events.json"), params={"page": page})

    assert len(server.log) == 2
    assert len(files(folder)) == 2


@pytest.mark.parametrize(
    ("answer", "options", "error"),
    [
        *(({"status": status}, {}, f"HTTP {status}") for status in (404, 429, 500, 503)),
        ({"response_data": b"x" * 5000}, {"max_bytes": 1000}, "over the limit of 1000 bytes"),
    ],
)
def test_a_failed_answer_is_not_cached(
    server: HTTPServer,
    folder: Path,
    clock: Clock,
    answer: dict[str, Any],
    options: dict[str, int],
    error: str,
) -> None:
    server.expect_oneshot_request("/feed.ics").respond_with_data(**answer)
    server.expect_request("/feed.ics").respond_with_data("fine")
    http = client(folder, clock, retries=0, **options)

    with pytest.raises(SourceError, match=error):
        http.get(server.url_for("/feed.ics"))
    assert files(folder) == []
    assert twice(http, server.url_for("/feed.ics")) == [b"fine", b"fine"]
    assert len(server.log) == 2


def test_a_successful_answer_that_is_not_2xx_is_returned_but_not_cached(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/choices").respond_with_data("pick one", status=300)
    http = client(folder, clock)

    assert http.get(server.url_for("/choices")).content == b"pick one"
    http.get(server.url_for("/choices"))

    assert len(server.log) == 2
    assert files(folder) == []


def test_a_stored_answer_over_this_clients_size_cap_is_not_served(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 5000)
    client(folder, clock).get(server.url_for("/big"))

    with pytest.raises(SourceError, match="over the limit of 1000 bytes"):
        client(folder, clock, max_bytes=1000).get(server.url_for("/big"))
    assert len(server.log) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda entry: b"\x00\xff garbage", id="garbage"),
        pytest.param(lambda entry: entry[:-10], id="cut-short"),
        pytest.param(lambda entry: b"", id="empty"),
        pytest.param(lambda entry: b'["not", "an", "entry"]\n' + FEED, id="wrong-shape"),
        pytest.param(lambda entry: entry.replace(b'"format": 1', b'"format": 99'), id="format"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_replaced(
    server: HTTPServer, folder: Path, clock: Clock, damage: Callable[[bytes], bytes]
) -> None:
    server.expect_request("/feed.ics").respond_with_data(FEED)
    http = client(folder, clock)
    http.get(server.url_for("/feed.ics"))
    [entry] = files(folder)
    entry.write_bytes(damage(entry.read_bytes()))

    assert twice(http, server.url_for("/feed.ics")) == [FEED, FEED]
    assert len(server.log) == 2


def test_no_secret_reaches_a_file_name_or_file_of_the_cache(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    query, path, header, cookie = SECRETS
    server.expect_request(f"/calendar/private-{path}/basic.ics").respond_with_data(
        FEED,
        content_type="text/calendar",
        headers={"Set-Cookie": f"session={cookie}", "Rate-Limit-Available": "4999"},
    )
    url = server.url_for(f"/calendar/private-{path}/basic.ics")
    http = client(folder, clock)

    http.get(url, params={"apikey": query}, headers={"Authorization": f"Bearer {header}"})
    answer = http.get(url, params={"apikey": query}, headers={"Authorization": f"Bearer {header}"})

    assert len(server.log) == 1
    assert query not in answer.url
    [entry] = files(folder)
    on_disk = entry.read_bytes().replace(FEED, b"")
    for secret in SECRETS:
        assert secret not in str(entry.relative_to(folder))
        assert secret.encode() not in on_disk


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_entries_and_the_folder_made_for_them_are_private(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/feed.ics").respond_with_data(FEED)

    client(folder, clock).get(server.url_for("/feed.ics"))

    [entry] = files(folder)
    assert entry.stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0


def test_an_entry_is_named_by_the_sha256_of_the_request(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/events.json").respond_with_data("{}")

    client(folder, clock).get(server.url_for("/events.json"), params={"apikey": SECRETS[0]})

    expected = request_key(server.url_for("/events.json") + f"?apikey={SECRETS[0]}")
    assert [p.name for p in files(folder)] == [expected]
    assert len(expected) == 64


def test_the_cache_keeps_only_the_headers_about_the_body(
    server: HTTPServer, folder: Path, clock: Clock
) -> None:
    server.expect_request("/events.json").respond_with_data(
        "{}", content_type="application/json", headers={"Rate-Limit-Available": "12"}
    )
    http = client(folder, clock)

    http.get(server.url_for("/events.json"))
    again = http.get(server.url_for("/events.json"))

    assert again.headers["Content-Type"] == "application/json"
    assert "Rate-Limit-Available" not in again.headers
    assert set(again.headers) <= set(KEPT_HEADERS)


def test_a_failed_write_leaves_no_file_and_the_answer_is_still_returned(
    server: HTTPServer, folder: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: object) -> None:
        raise OSError("disk full")

    server.expect_request("/feed.ics").respond_with_data(FEED)
    monkeypatch.setattr(os, "replace", crash)

    assert client(folder, clock).get(server.url_for("/feed.ics")).content == FEED
    assert files(folder) == []


def test_a_cache_folder_that_cannot_be_made_caches_nothing_and_fails_nothing(
    server: HTTPServer, tmp_path: Path, clock: Clock
) -> None:
    server.expect_request("/feed.ics").respond_with_data(FEED)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    http = client(blocker / "cache", clock)

    assert twice(http, server.url_for("/feed.ics")) == [FEED, FEED]
    assert len(server.log) == 2


def test_readers_never_see_half_an_entry_while_writers_race(folder: Path, clock: Clock) -> None:
    bodies = [bytes([n]) * 200_000 for n in range(4)]
    cache = ResponseCache(TTL, folder, clock=clock)
    cache.put("race", bodies[0], {})
    seen: list[bytes | None] = []

    def write(body: bytes) -> None:
        for _ in range(20):
            cache.put("race", body, {})

    writers = [threading.Thread(target=write, args=(body,)) for body in bodies]
    for thread in writers:
        thread.start()
    while True:
        entry = cache.get("race")
        seen.append(entry.content if entry else None)
        if not any(thread.is_alive() for thread in writers):
            break
    for thread in writers:
        thread.join()

    assert all(body in bodies for body in seen)
    assert [p.name for p in files(folder)] == ["race"]


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@settings(max_examples=200, deadline=None)
@given(
    content=st.binary(max_size=2000),
    content_type=st.sampled_from(["text/calendar", "application/json; charset=utf-8"]),
    stored_at=st.floats(0, 4e9),
    age=st.floats(-1e6, 2 * TTL),
)
def test_an_entry_reads_back_unchanged_exactly_while_it_is_younger_than_the_ttl(
    shared_folder: Path, content: bytes, content_type: str, stored_at: float, age: float
) -> None:
    clock = Clock()
    cache = ResponseCache(TTL, shared_folder, clock=clock)
    clock.now = stored_at
    cache.put("entry", content, {"Content-Type": content_type, "Set-Cookie": "a=b"})
    clock.now = stored_at + age

    entry = cache.get("entry")

    if 0 <= clock.now - stored_at < TTL:
        assert entry is not None
        assert entry.content == content
        assert dict(entry.headers) == {"Content-Type": content_type}
    else:
        assert entry is None


def test_without_cache_ttl_a_source_fetches_every_time_and_writes_nothing(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    server.expect_request("/feed.ics").respond_with_data(FEED)
    source = ICalSource(server.url_for("/feed.ics"))

    source.fetch(WEEKEND, AUSTIN)
    source.fetch(WEEKEND, AUSTIN)

    assert source.http.cache is None
    assert len(server.log) == 2
    assert files(tmp_path) == []


@pytest.mark.parametrize(
    ("kind", "path", "body"),
    [
        (ICalSource, "/austin.ics", FEED),
        (SchemaOrgSource, "/whats-on", fixture_bytes("venue-calendar.html")),
    ],
)
def test_a_source_with_cache_ttl_reads_its_feed_once_within_the_ttl(
    server: HTTPServer, folder: Path, kind: type[ICalSource], path: str, body: bytes
) -> None:
    server.expect_request(path).respond_with_data(body)
    source = kind(server.url_for(path), cache_ttl=TTL, cache_dir=folder)

    first = source.fetch(WEEKEND, AUSTIN)
    again = source.fetch(WEEKEND, AUSTIN)

    assert len(server.log) == 1
    assert again == first
    assert first


def ticketmaster_pages(request: Request) -> Response:
    """The fixture page that the request asks for, whatever else it asks."""
    page = fixture_bytes(f"ticketmaster-page-{request.args['page']}.json")
    return Response(page, content_type="application/json")


def ticketmaster(server: HTTPServer, folder: Path) -> TicketmasterSource:
    """A Ticketmaster source on the local server, two events a page, caching in `folder`."""
    server.expect_request("/discovery/v2/events.json").respond_with_handler(ticketmaster_pages)
    base = server.url_for("/discovery/v2")
    return TicketmasterSource("KEY", base_url=base, size=2, cache_ttl=TTL, cache_dir=folder)


def test_ticketmaster_searches_within_one_hour_are_answered_from_the_cache(
    server: HTTPServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tm, "sleep", lambda _: None)
    source = ticketmaster(server, folder)

    first = source.fetch(Window(start=at(13, 17, 10), end=WEEKEND.end), AUSTIN)
    again = source.fetch(Window(start=at(13, 17, 40), end=WEEKEND.end), AUSTIN)

    assert len(server.log) == 2  # one request for each of the two pages
    assert again == first
    assert len(first) == 4


def test_ticketmaster_pages_read_from_the_cache_are_not_spaced_out(
    server: HTTPServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(tm, "sleep", pauses.append)
    source = ticketmaster(server, folder)

    source.fetch(WEEKEND, AUSTIN)
    assert pauses == [tm.PAGE_INTERVAL]  # between the two pages asked of the server
    source.fetch(WEEKEND, AUSTIN)
    assert pauses == [tm.PAGE_INTERVAL]  # both pages from disk: no pause
    assert len(server.log) == 2


def test_ticketmaster_asks_for_whole_hours_and_drops_what_the_wider_search_adds(
    server: HTTPServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tm, "sleep", lambda _: None)
    window = Window(start=at(14, 20, 30), end=at(15, 23, 40))

    found = ticketmaster(server, folder).fetch(window, AUSTIN)

    asked = server.log[0][0].args
    assert (asked["startDateTime"], asked["endDateTime"]) == (
        "2026-11-15T02:00:00Z",
        "2026-11-16T06:00:00Z",
    )
    assert sorted(a.title for a in found) == [
        "Austin FC vs. Seattle Sounders FC",
        "Texas Book Festival Author Talk",
    ]


def test_a_profile_can_turn_the_cache_on(tmp_path: Path) -> None:
    profile = tmp_path / "couple.toml"
    profile.write_text(
        EXAMPLE_PROFILE.read_text()
        + '\n[[sources]]\ntype = "ical"\nlocation = "https://cal.example/feed.ics"\n'
        + f"cache_ttl = 3600\ncache_dir = '{tmp_path / 'cache'}'\n"
    )

    source = build_source(novelty.load_profile(profile).sources[-1])

    assert isinstance(source, ICalSource)
    assert source.http.cache is not None
    assert (source.http.cache.ttl, source.http.cache.folder) == (3600, tmp_path / "cache")


def test_cache_dir_expands_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    source = ICalSource("https://cal.example/feed.ics", cache_ttl=60, cache_dir="~/feeds")

    assert source.http.cache is not None
    assert source.http.cache.folder == tmp_path / "feeds"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"cache_ttl": 0}, "cache_ttl"),
        ({"cache_ttl": -60}, "cache_ttl"),
        ({"cache_ttl": "1h"}, "cache_ttl"),
        ({"cache_ttl": True}, "cache_ttl"),
        ({"cache_ttl": float("inf")}, "cache_ttl"),
        ({"cache_ttl": 60, "cache_dir": 5}, "cache_dir"),
        ({"cache_ttl": 60, "cache_dir": " "}, "cache_dir"),
        ({"cache_dir": "/tmp/novelty"}, "cache_dir"),
    ],
)
def test_bad_cache_options_are_named(options: dict[str, object], named: str) -> None:
    spec = SourceSpec(type="ical", options={"location": "https://cal.example/f.ics", **options})

    with pytest.raises(SourceError, match=f"source 'ical': option '{named}'"):
        build_source(spec)


def test_the_default_folder_follows_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert default_cache_dir() == tmp_path / "novelty" / "http"


@pytest.mark.parametrize(
    ("platform", "xdg", "expected"),
    [
        ("linux", None, ".cache/novelty/http"),
        ("linux", "relative/ignored", ".cache/novelty/http"),
        ("darwin", None, "Library/Caches/novelty/http"),
        ("win32", None, "AppData/Local/novelty/http"),
    ],
)
def test_the_default_folder_is_the_platforms_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, xdg: str | None, expected: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)

    assert default_cache_dir() == tmp_path / expected


def test_expired_entries_and_abandoned_temporary_files_are_deleted_and_nothing_else(
    folder: Path, clock: Clock
) -> None:
    cache = ResponseCache(TTL, folder, clock=clock)
    cache.put("a" * 64, b"old", {})
    entries = folder / SUBFOLDER
    clock.now += TTL + 1
    abandoned, recent = entries / "tmpab_12.tmp", entries / "tmpcd_34.tmp"
    abandoned.write_bytes(b"half")
    recent.write_bytes(b"half")
    os.utime(abandoned, (clock.now - 2 * 3600, clock.now - 2 * 3600))
    os.utime(recent, (clock.now - 60, clock.now - 60))  # a writer at work

    cache.put("b" * 64, b"new", {})

    assert sorted(p.name for p in entries.iterdir()) == sorted(["b" * 64, recent.name])
    assert cache.get("b" * 64) == (b"new", {})


def test_pruning_a_shared_folder_leaves_other_programs_files_alone(
    folder: Path, clock: Clock
) -> None:
    folder.mkdir()
    old = clock.now - 10 * 3600
    foreign = [folder / "tmpk3j_x9q.tmp", folder / ("c" * 64), folder / "notes.txt"]
    for path in foreign:  # named like mkstemp's files and like cache entries, and long expired
        path.write_text("someone else's file")
        os.utime(path, (old, old))
    cache = ResponseCache(TTL, folder, clock=clock)
    cache.put("a" * 64, b"old", {})
    clock.now += 2 * TTL + 3600

    cache.put("b" * 64, b"prunes", {})

    assert all(path.read_text() == "someone else's file" for path in foreign)
    assert not (folder / SUBFOLDER / ("a" * 64)).exists()


def test_a_cache_prunes_at_most_once_per_ttl(folder: Path, clock: Clock) -> None:
    cache = ResponseCache(TTL, folder, clock=clock)
    start = clock.now
    cache.put("0" * 64, b"first", {})  # the first write prunes (nothing to do)
    clock.now = start + 10
    cache.put("a" * 64, b"expires at start + TTL + 10", {})
    clock.now = start + TTL + 1
    cache.put("b" * 64, b"prunes again; 'a' is still fresh", {})
    clock.now = start + TTL + 20  # 'a' has expired, but the last pruning is too recent
    cache.put("c" * 64, b"third", {})
    assert (folder / SUBFOLDER / ("a" * 64)).exists()
    clock.now = start + 2 * TTL + 2
    cache.put("d" * 64, b"fourth", {})
    assert not (folder / SUBFOLDER / ("a" * 64)).exists()
    assert (folder / SUBFOLDER / ("d" * 64)).exists()
