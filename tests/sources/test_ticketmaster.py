"""TicketmasterSource and parse_ticketmaster against a local stand-in for the Discovery API."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from novelty.errors import SourceError
from novelty.models import Activity, Location
from novelty.sources import TicketmasterSource
from novelty.sources import ticketmaster as tm
from novelty.sources.ticketmaster import parse_ticketmaster

from .examples import AUSTIN, WEEKEND, at, fixture_bytes

KEY = "TEST-KEY-0123456789"
PAGES = [fixture_bytes(f"ticketmaster-page-{n}.json") for n in (0, 1)]


@pytest.fixture(autouse=True)
def no_page_pause(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the pauses between pages instead of sleeping them."""
    pauses: list[float] = []
    monkeypatch.setattr(tm, "sleep", pauses.append)
    return pauses


def source(server: HTTPServer, **options: object) -> TicketmasterSource:
    return TicketmasterSource(KEY, base_url=server.url_for("/discovery/v2"), **options)  # type: ignore[arg-type]


def events() -> dict[str, Activity]:
    return {a.title: a for page in PAGES for a in parse_ticketmaster(page).events}


def test_every_page_is_read_with_the_documented_query(server: HTTPServer) -> None:
    query = {
        "apikey": KEY,
        "latlong": "30.26720,-97.74310",
        "radius": "25",
        "unit": "km",
        "startDateTime": "2026-11-13T23:00:00Z",
        "endDateTime": "2026-11-16T06:00:00Z",
        "size": "3",
        "sort": "date,asc",
    }
    for number, page in enumerate(PAGES):
        server.expect_ordered_request(
            "/discovery/v2/events.json", query_string={**query, "page": str(number)}
        ).respond_with_data(page, content_type="application/json")

    found = source(server, size=3).fetch(WEEKEND, AUSTIN)

    server.check_assertions()
    assert [e.title for e in found] == [
        "Black Pumas",
        "Austin FC vs. Seattle Sounders FC",
        "Fortune Feimster: Live",
        "Texas Book Festival Author Talk",
    ]


def test_paging_stops_at_max_pages(server: HTTPServer) -> None:
    server.expect_request("/discovery/v2/events.json").respond_with_data(PAGES[0])

    source(server, size=3, max_pages=1).fetch(WEEKEND, AUSTIN)

    assert len(server.log) == 1


def test_paging_never_asks_past_the_1000th_item(server: HTTPServer) -> None:
    many = json.loads(PAGES[0])
    many["page"]["totalPages"] = 50
    server.expect_request("/discovery/v2/events.json").respond_with_json(many)

    source(server, size=200, max_pages=50).fetch(WEEKEND, AUSTIN)

    assert [r.args["page"] for r, _ in server.log] == ["0", "1", "2", "3", "4"]


def test_pages_are_spaced_to_stay_under_five_requests_a_second(
    server: HTTPServer, no_page_pause: list[float]
) -> None:
    for page in PAGES:
        server.expect_ordered_request("/discovery/v2/events.json").respond_with_data(page)

    source(server, size=3).fetch(WEEKEND, AUSTIN)

    assert no_page_pause == [tm.PAGE_INTERVAL]


def test_a_low_daily_quota_makes_the_pause_longer(
    server: HTTPServer, no_page_pause: list[float]
) -> None:
    server.expect_ordered_request("/discovery/v2/events.json").respond_with_data(
        PAGES[0], headers={"Rate-Limit-Available": "3"}
    )
    server.expect_ordered_request("/discovery/v2/events.json").respond_with_data(PAGES[1])

    source(server, size=3).fetch(WEEKEND, AUSTIN)

    assert no_page_pause == [tm.LOW_QUOTA_PAUSE]


def test_a_429_is_retried(server: HTTPServer) -> None:
    server.expect_ordered_request("/discovery/v2/events.json").respond_with_data(
        '{"fault": "rate limit"}', status=429, headers={"Retry-After": "0"}
    )
    server.expect_ordered_request("/discovery/v2/events.json").respond_with_data(PAGES[1])

    found = source(server, size=3, max_pages=1).fetch(WEEKEND, AUSTIN)

    assert "Fortune Feimster: Live" in {e.title for e in found}


def test_an_event_maps_start_venue_price_for_two_and_classification() -> None:
    pumas = events()["Black Pumas"]

    assert pumas.starts_at == at(14, 20)
    assert pumas.location == Location(
        lat=30.2813,
        lon=-97.7321,
        name="Moody Center",
        address="2001 Robert Dedman Dr, 78701",
        city="Austin",
    )
    assert (pumas.cost_min, pumas.cost_max, pumas.currency) == (91.0, 258.0, "USD")
    assert pumas.category == "music-performance"
    assert pumas.tags == ("live-music", "r-b", "soul")
    assert (pumas.excitement, pumas.interactive) == (4, False)
    assert pumas.url == "https://www.ticketmaster.com/event/vvG1zZ9KbMpQsA"
    assert pumas.description == "Doors at 7pm. All ages."


@pytest.mark.parametrize(
    ("title", "category", "tags"),
    [
        ("Austin FC vs. Seattle Sounders FC", "sport", ("competition", "soccer", "mls")),
        ("Fortune Feimster: Live", "music-performance", ("theatre", "comedy", "stand-up")),
        ("Texas Book Festival Author Talk", "culture", ()),
    ],
)
def test_segments_map_to_categories_and_genres_to_tags(
    title: str, category: str, tags: tuple[str, ...]
) -> None:
    event = events()[title]

    assert (event.category, event.tags) == (category, tags)


def test_an_event_whose_date_is_to_be_decided_is_skipped() -> None:
    assert "Hamilton" not in events()


def test_a_time_to_be_announced_means_19_local_and_says_so() -> None:
    match = events()["Austin FC vs. Seattle Sounders FC"]

    assert match.starts_at == at(15, 19)
    assert "time to be announced" in match.description.lower()


def test_missing_price_ranges_mean_an_unknown_cost() -> None:
    match = events()["Austin FC vs. Seattle Sounders FC"]

    assert (match.cost_min, match.cost_max) == (None, None)


def test_local_date_and_time_are_read_in_the_events_timezone() -> None:
    talk = events()["Texas Book Festival Author Talk"]

    assert talk.starts_at == at(15, 14)


def test_a_venue_without_coordinates_goes_into_the_description() -> None:
    talk = events()["Texas Book Festival Author Talk"]

    assert talk.location is None
    assert talk.description == "Where: Texas State Capitol, 1100 Congress Ave, 78701, Austin"


def test_cancelled_events_are_left_out() -> None:
    assert "Gone Gone Beyond" not in events()


def test_the_page_count_is_read() -> None:
    assert parse_ticketmaster(PAGES[0]).total_pages == 2


def test_an_answer_without_events_has_none() -> None:
    empty = b'{"page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}}'

    assert parse_ticketmaster(empty) == tm.Page(events=[], total_pages=0)


@pytest.mark.parametrize("payload", [b"<html>Gateway Timeout</html>", b"[1, 2]", b""])
def test_an_answer_that_is_not_a_search_result_raises(payload: bytes) -> None:
    with pytest.raises(SourceError, match="answer is not"):
        parse_ticketmaster(payload)


def test_the_api_key_is_taken_from_the_environment(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TICKETMASTER_API_KEY", "FROM-ENV-KEY")
    server.expect_request("/discovery/v2/events.json").respond_with_data(PAGES[1])

    TicketmasterSource(base_url=server.url_for("/discovery/v2"), max_pages=1).fetch(WEEKEND, AUSTIN)

    assert server.log[0][0].args["apikey"] == "FROM-ENV-KEY"


def test_a_missing_api_key_says_which_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TICKETMASTER_API_KEY", raising=False)

    with pytest.raises(SourceError, match="set the TICKETMASTER_API_KEY environment variable"):
        TicketmasterSource()


def test_a_rejected_api_key_never_appears_in_the_error(server: HTTPServer) -> None:
    server.expect_request("/discovery/v2/events.json").respond_with_json(
        {"fault": {"faultstring": "Invalid ApiKey"}}, status=401
    )

    with pytest.raises(SourceError, match="HTTP 401") as caught:
        source(server).fetch(WEEKEND, AUSTIN)
    assert KEY not in str(caught.value)
    assert KEY not in repr(source(server))


def test_searching_needs_the_couples_location(server: HTTPServer) -> None:
    with pytest.raises(SourceError, match="location"):
        source(server).fetch(WEEKEND, None)


@pytest.mark.parametrize(
    ("option", "value"),
    [("size", 0), ("size", 201), ("max_pages", 0), ("radius_km", -5), ("base_url", "ftp://x")],
)
def test_bad_options_are_named(option: str, value: object) -> None:
    with pytest.raises(SourceError, match=option):
        TicketmasterSource(KEY, **{option: value})  # type: ignore[arg-type]
