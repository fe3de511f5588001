"""SchemaOrgSource and parse_schemaorg: schema.org Event JSON-LD in venue pages."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from novelty.errors import SourceError
from novelty.models import Activity, Location
from novelty.sources import SchemaOrgSource
from novelty.sources.schemaorg import parse_schemaorg

from .examples import AUSTIN, CHICAGO, FIXTURES, WEEKEND, at, fixture_bytes

PAGE = fixture_bytes("venue-calendar.html")


def events(page: bytes = PAGE) -> dict[str, Activity]:
    return {a.title: a for a in parse_schemaorg(page, WEEKEND, CHICAGO)}


def page_with(*objects: dict[str, object]) -> bytes:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects
    )
    return f"<html><head>{scripts}</head><body></body></html>".encode()


def test_events_are_found_in_graphs_single_objects_and_commented_blocks() -> None:
    assert set(events()) == {
        "Gary Clark Jr. homecoming show",
        "Sweeney Todd (Zach Theatre)",
        "Online trivia night for couples",
        "East Side taco crawl",
        "Día de los Muertos altars at Mexic-Arte",
    }


def test_a_place_with_geo_becomes_the_venue() -> None:
    show = events()["Gary Clark Jr. homecoming show"]

    assert show.location == Location(
        lat=30.2684,
        lon=-97.7363,
        name="Stubb's Waller Creek Amphitheater",
        address="801 Red River St, 78701",
        city="Austin",
    )


def test_a_place_without_geo_goes_into_the_description() -> None:
    play = events()["Sweeney Todd (Zach Theatre)"]

    assert play.location is None
    assert play.description == "Where: Zach Theatre, 202 S Lamar Blvd, Austin, TX 78704"


def test_times_with_an_offset_are_kept() -> None:
    show = events()["Gary Clark Jr. homecoming show"]

    assert (show.starts_at, show.ends_at) == (at(14, 20), at(14, 23))


def test_times_without_an_offset_are_read_in_the_couples_timezone() -> None:
    play = events()["Sweeney Todd (Zach Theatre)"]

    assert play.starts_at == at(14, 19, 30)


def test_an_iso_duration_sets_the_end() -> None:
    play = events()["Sweeney Todd (Zach Theatre)"]

    assert play.ends_at == at(14, 22, 15)
    assert play.duration_minutes == 165


def test_date_only_events_cover_whole_local_days() -> None:
    altars = events()["Día de los Muertos altars at Mexic-Arte"]

    assert altars.starts_at == at(1, 0)
    assert altars.ends_at == at(1, 0, month=12)


@pytest.mark.parametrize(
    ("title", "cost"),
    [
        ("Gary Clark Jr. homecoming show", (70.0, 70.0, "USD")),
        ("Sweeney Todd (Zach Theatre)", (50.0, 120.0, "USD")),
        ("Online trivia night for couples", (0.0, 0.0, "USD")),
        ("East Side taco crawl", (70.0, 100.0, "USD")),
    ],
)
def test_offers_become_the_cost_for_two(title: str, cost: tuple[float, float, str]) -> None:
    event = events()[title]

    assert (event.cost_min, event.cost_max, event.currency) == cost


@pytest.mark.parametrize(
    ("price", "currency", "cost_for_two"),
    [
        ("$35", None, 70.0),
        ("35.00", "USD", 70.0),
        ("Free", None, 0.0),
        ("1,234.50", "USD", 2469.0),
        ("12,50 €", None, 25.0),
        ("£8", None, 16.0),
        (18, "CAD", 36.0),
    ],
)
def test_prices_are_read_as_written_in_the_wild(
    price: object, currency: str | None, cost_for_two: float
) -> None:
    offer = {"@type": "Offer", "price": price} | ({"priceCurrency": currency} if currency else {})
    page = page_with(
        {"@type": "Event", "name": "Show", "startDate": "2026-11-14T20:00", "offers": offer}
    )

    assert events(page)["Show"].cost_min == cost_for_two


def test_a_price_in_an_unknown_currency_is_an_unknown_cost() -> None:
    page = page_with(
        {"@type": "Event", "name": "Show", "startDate": "2026-11-14T20:00", "offers": {"price": 12}}
    )

    assert events(page)["Show"].cost_min is None


def test_cancelled_events_are_left_out() -> None:
    assert "Songwriter round at the Cactus Cafe" not in events()


def test_online_events_are_marked_online() -> None:
    trivia = events()["Online trivia night for couples"]

    assert trivia.online is True
    assert trivia.location is None


def test_event_types_map_to_categories_and_tags() -> None:
    found = events()

    assert (
        found["Gary Clark Jr. homecoming show"].category,
        found["East Side taco crawl"].tags,
    ) == (
        "music-performance",
        ("restaurants",),
    )


def test_html_in_descriptions_becomes_plain_text() -> None:
    show = events()["Gary Clark Jr. homecoming show"]

    assert show.description == "A hometown night of blues & soul on the outdoor stage."


def test_events_outside_the_window_are_left_out() -> None:
    assert "New Year's Eve on Red River" not in events()


def test_relative_event_urls_are_resolved_against_the_page(server: HTTPServer) -> None:
    server.expect_request("/whats-on").respond_with_data(PAGE, content_type="text/html")

    found = SchemaOrgSource(server.url_for("/whats-on")).fetch(WEEKEND, AUSTIN)

    crawl = next(e for e in found if e.title == "East Side taco crawl")
    assert crawl.url == server.url_for("/events/taco-crawl")
    assert crawl.source == "schemaorg:127.0.0.1"


def test_a_saved_page_is_read_from_a_file() -> None:
    found = SchemaOrgSource(FIXTURES / "venue-calendar.html", name="red river").fetch(
        WEEKEND, AUSTIN
    )

    assert len(found) == 5
    assert {e.source for e in found} == {"red river"}


def test_the_same_event_linked_twice_on_a_page_is_kept_once() -> None:
    event: dict[str, object] = {
        "@type": "Event",
        "@id": "#e1",
        "name": "Show",
        "startDate": "2026-11-14T20:00",
    }

    assert len(parse_schemaorg(page_with(event, {"@graph": [event]}), WEEKEND, CHICAGO)) == 1


def test_a_page_without_json_ld_has_no_events() -> None:
    assert parse_schemaorg(b"<html><body><h1>Events</h1></body></html>", WEEKEND, CHICAGO) == []


def test_a_page_whose_json_ld_is_all_broken_raises() -> None:
    broken = b'<script type="application/ld+json">{"@type": "Event",</script>'

    with pytest.raises(SourceError, match="no readable JSON-LD"):
        parse_schemaorg(broken, WEEKEND, CHICAGO)
