"""Models reject bad input with a message that names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

import novelty

HOME = {"lat": 30.27, "lon": -97.74, "timezone": "America/Chicago"}


def couple(**overrides: object) -> novelty.Couple:
    data: dict[str, object] = {
        "partners": [{"name": "A"}, {"name": "B"}],
        "home": HOME,
    }
    data.update(overrides)
    return novelty.Couple.model_validate(data)


def test_a_couple_needs_two_partners() -> None:
    with pytest.raises(ValidationError, match="partners"):
        couple(partners=[{"name": "A"}])


def test_a_couple_without_partners_is_refused() -> None:
    with pytest.raises(ValidationError, match="partners"):
        novelty.Couple.model_validate({"home": HOME})


def test_partner_names_must_differ() -> None:
    with pytest.raises(ValidationError, match="partner names must differ"):
        couple(partners=[{"name": "A"}, {"name": "A"}])


def test_more_than_two_partners_are_allowed() -> None:
    assert len(couple(partners=[{"name": "A"}, {"name": "B"}, {"name": "C"}]).partners) == 3


def test_negative_budget_is_refused() -> None:
    with pytest.raises(ValidationError, match="per_outing"):
        novelty.Budget(per_outing=-5)


def test_unknown_timezone_is_named() -> None:
    with pytest.raises(ValidationError, match="unknown timezone 'Mars/Olympus'"):
        novelty.Location(lat=0, lon=0, timezone="Mars/Olympus")


def test_home_needs_a_timezone() -> None:
    with pytest.raises(ValidationError, match="home needs a timezone"):
        couple(home={"lat": 1, "lon": 2})


def test_latitude_200_is_refused() -> None:
    with pytest.raises(ValidationError, match="lat"):
        novelty.Location(lat=200, lon=0)


def test_rating_7_is_refused() -> None:
    with pytest.raises(ValidationError, match="rating"):
        novelty.Outing(activity_id="x", date=dt.date(2026, 1, 1), rating=7)


def test_an_outing_needs_an_id_or_a_title() -> None:
    with pytest.raises(ValidationError, match="activity_id or a title"):
        novelty.Outing(date=dt.date(2026, 1, 1))


def test_interest_weights_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="expected a number > 0"):
        novelty.Partner(name="A", interests={"hiking": 0})


def test_labels_are_normalised() -> None:
    partner = novelty.Partner(name="A", interests={"Live Music": 1}, dislikes=["Board_Games"])
    assert partner.interests == {"live-music": 1}
    assert partner.dislikes == ("board-games",)


def test_activity_costs_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="below cost_min"):
        novelty.Activity(id="x", title="X", cost_min=20, cost_max=10)


def test_models_are_immutable() -> None:
    budget = novelty.Budget(per_outing=10)
    with pytest.raises(ValidationError):
        budget.per_outing = 20  # type: ignore[misc]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="budgett"):
        couple(budgett={"per_outing": 5})


def test_a_window_must_end_after_it_starts() -> None:
    start = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="not after its start"):
        novelty.Window(start=start, end=start)


@pytest.mark.parametrize("weight", [1000.5, 3.5e38, float("inf"), float("nan"), -1.0])
def test_interest_weights_are_finite_and_at_most_1000(weight: float) -> None:
    with pytest.raises(ValidationError, match=r"expected a number > 0 and <= 1000"):
        novelty.Partner(name="A", interests={"hiking": weight})


def test_a_list_of_interests_must_hold_text() -> None:
    with pytest.raises(ValidationError, match="a list of interests holds labels"):
        novelty.Partner(name="A", interests=[["hiking"]])


def test_a_folder_of_the_timezone_database_is_not_a_timezone() -> None:
    with pytest.raises(ValidationError, match="unknown timezone 'America'"):
        novelty.Location(lat=0, lon=0, timezone="America")


def test_a_budget_and_a_window_take_their_fields_by_position_as_the_contract_writes_them() -> None:
    assert novelty.Budget(60, "GBP") == novelty.Budget(per_outing=60, currency="GBP")
    assert novelty.Budget(60) == novelty.Budget(per_outing=60)
    start = dt.datetime(2026, 11, 28, 18, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=5)
    assert novelty.Window(start, end) == novelty.Window(start=start, end=end)
    with pytest.raises(novelty.ArgumentError, match="per_outing given both"):
        novelty.Budget(60, per_outing=70)
    with pytest.raises(ValidationError):
        novelty.Window(end, start)
