"""The parts of the context on their own: the `when` grammar, the climate estimate, the
country of a timezone, exchange rates and the catalog's context columns."""

from __future__ import annotations

import datetime as dt
import warnings

import astral.moon
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import novelty
from novelty.catalog import check_catalog
from novelty.context.calendar import allowed_days, parse_when, season_event
from novelty.context.country import country_of_timezone
from novelty.context.money import Rates, budget_per_currency
from novelty.context.weather import NEEDS, climate, needs_bits

YEAR_2027 = np.arange(np.datetime64("2027-01-01"), np.datetime64("2028-01-01"))


def days_of(rule: str, *, southern: bool = False) -> list[str]:
    allowed = allowed_days(parse_when(rule), YEAR_2027, southern=southern)
    return [str(day) for day in YEAR_2027[allowed]]


def test_holidays_come_from_the_calendar_of_the_country_the_rule_names() -> None:
    # 2027 facts: Holi 22 March, Thanksgiving 25 November, Lunar New Year 6 February.
    assert days_of("holiday IN holi") == ["2027-03-22"]
    assert days_of("holiday US thanksgiving -1..+1") == ["2027-11-24", "2027-11-25", "2027-11-26"]
    assert "2027-02-06" in days_of("holiday CN chinese new year")


def test_a_holiday_its_calendar_does_not_know_that_year_has_no_day_and_no_warning() -> None:
    year_2100 = np.arange(np.datetime64("2100-01-01"), np.datetime64("2101-01-01"))
    with warnings.catch_warnings(record=True) as shown:
        allowed = allowed_days(parse_when("holiday IN holi"), year_2100, southern=False)
    assert not allowed.any()
    assert not [w for w in shown if "available only" in str(w.message)]


def test_fixed_days_ranges_weekdays_and_nth_weekdays() -> None:
    assert days_of("12-31") == ["2027-12-31"]
    assert days_of("12-30..01-02") == ["2027-01-01", "2027-01-02", "2027-12-30", "2027-12-31"]
    assert days_of("first friday")[:3] == ["2027-01-01", "2027-02-05", "2027-03-05"]
    assert days_of("last sunday")[:2] == ["2027-01-31", "2027-02-28"]
    assert len(days_of("friday")) == 53


def test_the_summer_solstice_is_in_june_north_and_december_south() -> None:
    assert season_event("summer solstice", 2027, southern=False) == dt.date(2027, 6, 21)
    assert season_event("summer solstice", 2027, southern=True) == dt.date(2027, 12, 22)
    assert days_of("summer solstice")[0] == "2027-06-18"
    assert days_of("summer solstice", southern=True)[-1] == "2027-12-25"


@settings(max_examples=100, deadline=None)
@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
def test_full_moon_days_agree_with_astral(day: dt.date) -> None:
    full = allowed_days(
        parse_when("full moon"), np.array([day], dtype="datetime64[D]"), southern=False
    )
    if full[0]:
        assert 11.5 <= astral.moon.phase(day) <= 17.5


def test_a_sky_term_sets_the_time_but_binds_no_date() -> None:
    rule = parse_when("full moon; dark")
    assert rule.sky == "dark"
    assert rule.moons == ("full moon",)
    assert not parse_when("sunset").dated


@pytest.mark.parametrize(
    "text", ["13-01", "fifth friday", "holiday USA thanksgiving", "sunrise; sunset", "at noon"]
)
def test_a_term_outside_the_grammar_is_named(text: str) -> None:
    with pytest.raises(ValueError, match="when"):
        parse_when(text)


def test_the_climate_allows_snow_only_in_winter_far_from_the_equator() -> None:
    seasons = np.array([1, 2, 4, 8])  # spring, summer, autumn, winter
    minneapolis, austin, sydney = (
        climate(seasons, 44.98),
        climate(seasons, 30.27),
        climate(seasons, -33.9),
    )
    assert [bool(b & NEEDS["snow"]) for b in minneapolis] == [False, False, False, True]
    assert not (austin & NEEDS["snow"]).any()
    assert not (sydney & NEEDS["snow"]).any()
    assert [bool(b & NEEDS["mild"]) for b in minneapolis] == [True, True, True, False]
    # Dry, clear, calm and rain cannot be known offline: never ruled out by the climate.
    assert (minneapolis & NEEDS["dry"]).all()


def test_an_unknown_weather_need_is_named() -> None:
    assert needs_bits("dry;warm") == NEEDS["dry"] | NEEDS["warm"]
    with pytest.raises(ValueError, match="sunny"):
        needs_bits("sunny")


@pytest.mark.parametrize(
    ("zone", "country"),
    [("Europe/London", "GB"), ("America/Chicago", "US"), ("Australia/Sydney", "AU"),
     ("Asia/Kolkata", "IN"), ("UTC", None), ("US/Central", None)],
)  # fmt: skip
def test_the_country_of_a_timezone_comes_from_zone_tab(zone: str, country: str | None) -> None:
    assert country_of_timezone(zone) == country


def test_a_couple_gets_its_country_from_home_unless_it_says_one() -> None:
    partners = [{"name": "A"}, {"name": "B"}]
    home = {"lat": 51.5, "lon": -0.1, "timezone": "Europe/London"}
    assert novelty.Couple.model_validate({"partners": partners, "home": home}).country == "GB"
    said = {"partners": partners, "home": home, "country": "IE"}
    assert novelty.Couple.model_validate(said).country == "IE"


def test_the_budget_is_converted_into_each_catalog_currency_once() -> None:
    rates = Rates({"EUR": 1.0, "USD": 1.25, "GBP": 0.8}, dt.date(2026, 10, 30))
    budget = novelty.Budget(per_outing=80, currency="GBP")
    table = budget_per_currency(budget, ["USD", "GBP", "XYZ"], rates)
    assert table[:2].tolist() == [125.0, 80.0]
    assert np.isnan(table[2:]).all()


def test_own_rates_override_the_ecbs_and_are_said_to_be_yours() -> None:
    rates = Rates.load({"USD": 2.0})
    assert rates.rate("EUR", "USD") == 2.0
    assert rates.stated("USD", "GBP") == "your rate"
    assert rates.stated("EUR", "GBP").startswith("ECB rate of")


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [("when", "someday", "a rule of docs/when-where.md"), ("countries", "USA", "ISO 3166"),
     ("weather", "sunny", "needs separated by"), ("demand", "extreme", "none / light")],
)  # fmt: skip
def test_a_bad_context_cell_is_reported_by_line_and_column(
    column: str, value: str, expected: str
) -> None:
    row = {"id": "an-idea", "title": "An idea", "category": "games", "tags": "fun",
           "cost_min": "0", "cost_max": "0", column: value}  # fmt: skip
    text = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    (problem,) = check_catalog(text, "mine.csv").problems
    assert problem.startswith(f"mine.csv, line 2, column '{column}': expected ")
    assert expected in problem
