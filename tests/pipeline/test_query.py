"""Stage 1, query: what recommend() accepts, and errors that name the argument."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import novelty
from novelty.pipeline.query import make_query as query_of

from .frames import make_couple, make_query


def test_a_couple_may_be_a_dict_or_json_text() -> None:
    couple = make_couple()
    as_dict = couple.model_dump(mode="json")
    assert make_query(as_dict).couple == couple
    assert make_query(json.dumps(as_dict)).couple == couple


def test_near_may_be_a_pair_of_coordinates_or_a_dict() -> None:
    assert make_query(make_couple(), near=(51.5, -0.12)).near == novelty.Location(
        lat=51.5, lon=-0.12
    )
    assert make_query(make_couple(), near={"lat": 1, "lon": 2}).near.lon == 2


def test_history_may_be_a_list_of_outings_or_their_dicts() -> None:
    outing = novelty.Outing(activity_id="jazz-bar", date="2026-11-01")
    q = make_query(make_couple(), history=[outing, {"title": "Picnic", "date": "2026-10-01"}])
    assert q.outings[0] == outing
    assert q.outings[1].title == "Picnic"


def test_a_history_given_as_a_list_by_model_copy_is_a_tuple_in_the_query() -> None:
    outing = novelty.Outing(activity_id="jazz-bar", date="2026-11-01")
    couple = make_couple().model_copy(update={"history": [outing]})
    assert make_query(couple).outings == (outing,)


def test_an_outing_in_the_profile_and_the_history_counts_once() -> None:
    outing = novelty.Outing(activity_id="jazz-bar", date="2026-11-01")
    assert make_query(make_couple(history=(outing,)), history=[outing]).outings == (outing,)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"k": 0}, "k:"),
        ({"k": "3"}, "k:"),
        ({"k": True}, "k:"),
        ({"radius_km": -1}, "radius_km:"),
        ({"seed": 1.5}, "seed:"),
        ({"seed": -1}, "seed:"),
        ({"strict": "yes"}, "strict:"),
        ({"max_minutes": 0}, "max_minutes:"),
        ({"near": "Austin"}, "near:"),
        ({"near": {"lat": 200, "lon": 0}}, "near: lat"),
        ({"history": "jazz-bar"}, "history:"),
        ({"history": [{"date": "2026-01-01"}]}, "history[0]:"),
    ],
)
def test_a_bad_argument_is_a_novelty_error_naming_it(
    options: dict[str, object], named: str
) -> None:
    with pytest.raises(novelty.ArgumentError, match=named.replace("[", r"\[")):
        make_query(make_couple(), **options)


@pytest.mark.parametrize("couple", [{"partners": []}, "{not json", 42, None])
def test_a_bad_couple_is_a_novelty_error_naming_it(couple: object) -> None:
    with pytest.raises(novelty.ArgumentError, match=r"^couple"):
        make_query(couple)  # type: ignore[arg-type]


def test_labels_dislikes_and_tried_are_gathered_once() -> None:
    couple = make_couple(
        partners=(
            novelty.Partner(name="Ana", interests={"jazz": 1}, dislikes=("golf",), tried=("jazz",)),
            novelty.Partner(name="Ben", interests={"jazz": 1}, dislikes=("golf", "opera")),
        )
    )
    q = make_query(couple)
    assert q.labels == ("jazz", "golf", "opera")
    assert q.dislikes == ("golf", "opera")
    assert q.tried == frozenset({"jazz"})


def test_the_window_is_resolved_in_the_couples_zone() -> None:
    # `now` given in UTC (noon in Chicago): the window is the couple's evening.
    q = query_of(
        make_couple(), when="tonight", k=1, budget=None, near=None, radius_km=None,
        now=dt.datetime(2026, 11, 27, 18, tzinfo=dt.UTC), seed=None, strict=False,
        history=None,
    )  # fmt: skip
    assert q.window.start.utcoffset() == q.window.end.utcoffset() or q.window.label == "tonight"
    assert str(q.window.start.tzinfo) == "America/Chicago"


def test_whole_numbers_of_numpy_count_as_whole_numbers() -> None:
    q = make_query(make_couple(), k=np.int64(3), seed=np.uint32(7), max_minutes=np.int16(90))
    assert (q.k, q.seed, q.max_minutes) == (3, 7, 90)
    assert type(q.k) is int
