"""Stage 4, filters: what may never be shown, judged on a hand-made catalog."""

from __future__ import annotations

import datetime as dt

import numpy as np

import novelty
from novelty.index.item_index import ItemIndex
from novelty.pipeline import filters

from .frames import (
    ROWS,
    days_ago,
    gather,
    make_couple,
    make_query,
    scored,
    small_frame,
    small_index,
)

IDS = [row["id"] for row in ROWS]


def _allowed(q: novelty.Couple | None = None, **options: object) -> set[str]:
    index = small_index()
    query = make_query(q or make_couple(), **options)
    _, allowed, _, _ = scored(index, query)
    return {IDS[i] for i, ok in enumerate(allowed.mask.tolist()) if ok}


def test_over_budget_ideas_are_left_out_and_other_currencies_converted() -> None:
    assert _allowed() == {
        "pottery-night",
        "sunrise-hike",
        "jazz-bar",
        "board-games",
        "euro-tasting",
    }


def test_a_currency_without_a_rate_is_left_out() -> None:
    assert _allowed(budget=novelty.Budget(per_outing=50, currency="XYZ")) == set()


def test_in_one_currency_a_price_at_the_budget_is_in_and_a_cent_over_it_out() -> None:
    prices = {"pottery-night": 100.0, "jazz-bar": 100.01, "board-games": 99.0}
    rows = [
        dict(row, cost_min=prices[row["id"]], cost_max=150) for row in ROWS if row["id"] in prices
    ]
    _, allowed, _, _ = scored(small_index(rows), make_query(make_couple()))
    kept = {rows[i]["id"] for i, ok in enumerate(allowed.mask.tolist()) if ok}
    assert kept == {"pottery-night", "board-games"}
    assert allowed.other_currency == 0


def test_out_of_season_ideas_are_left_out_and_in_season_ones_kept() -> None:
    winter = dt.datetime(2027, 1, 15, 8, tzinfo=make_couple().timezone)
    rich = novelty.Budget(per_outing=500, currency="USD")
    assert "ski-day" not in _allowed(budget=rich)
    assert "ski-day" in _allowed(budget=rich, now=winter)


def test_a_disliked_label_or_id_is_never_allowed() -> None:
    couple = make_couple(
        partners=(
            novelty.Partner(name="Ana", dislikes=("hiking",)),
            novelty.Partner(name="Ben", dislikes=("jazz-bar",)),
        )
    )
    assert _allowed(couple) == {"pottery-night", "board-games", "euro-tasting"}


def test_what_was_done_recently_is_left_out_and_older_outings_are_not() -> None:
    q = make_query(make_couple())
    recent = novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 10))
    old = novelty.Outing(title="Board game cafe", date=days_ago(q, 400))
    assert _allowed(make_couple(history=(recent, old))) == {
        "pottery-night",
        "sunrise-hike",
        "board-games",
        "euro-tasting",
    }


def test_ideas_that_cannot_end_inside_the_window_are_left_out() -> None:
    tz = make_couple().timezone
    hour = (dt.datetime(2026, 11, 28, 18, tzinfo=tz), dt.datetime(2026, 11, 28, 19, tzinfo=tz))
    assert _allowed(when=hour) == set()


def test_each_start_is_inside_the_window_at_its_time_of_day() -> None:
    index = small_index()
    q = make_query(make_couple())
    c, allowed, s, _ = scored(index, q)
    for row, start in zip(
        s.rows.tolist(), allowed.starts(c, s.rows, q.couple.timezone), strict=True
    ):
        assert q.window.start <= start < q.window.end
        part = ROWS[row]["time_of_day"]
        assert {"morning": 9, "afternoon": 13, "evening": 18}[part] <= start.hour


def test_events_are_judged_by_their_own_minutes_and_countries() -> None:
    # Every catalog row lasts 120 minutes and is for anywhere: the events' minutes and
    # countries are values only the events have.
    catalog = small_index()
    gigs = [(55, ""), (100, ""), (70, "US;CA"), (70, "FR")]
    frame = small_frame(
        [
            dict(id=f"gig-{i}", title=f"Gig {i}", category="music", tags="live-music",
                 cost_min=0, cost_max=0, time_of_day="evening", setting="indoor",
                 duration_minutes=minutes, countries=countries)
            for i, (minutes, countries) in enumerate(gigs)
        ]
    )  # fmt: skip
    space = catalog.space
    events = ItemIndex.build(frame, space, space.transform_frame(frame), like=catalog)
    q = make_query(make_couple(), max_minutes=90)
    assert q.couple.country == "US"
    c = gather(catalog, q, events)
    fits = filters.fits_the_day(c, q, np.arange(len(ROWS), c.size))
    assert fits.tolist() == [True, False, True, False]
