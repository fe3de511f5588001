"""Stage 5, schedule: when the picks are suggested to start."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import novelty
from novelty.catalog import activity_columns
from novelty.index.item_index import NAT, ItemIndex
from novelty.pipeline import schedule

from .frames import ROWS, gather, make_couple, make_query, small_index


@pytest.mark.parametrize("minutes", [100, 120])
def test_the_next_idea_starts_after_an_event_for_as_long_as_the_event_lasts(
    minutes: int,
) -> None:
    # The catalog's rows all last 120 minutes: 100 is a length only the event has. The
    # event starts at the first afternoon opening of a board game cafe, which has room after.
    catalog = small_index()
    q = make_query(make_couple())
    found = schedule.openings(catalog, q, None)
    games = [row["id"] for row in ROWS].index("board-games")
    options = found.starts[catalog.codes["schedule"][games]]
    first = int(options[options != NAT].min())
    start = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=first // 1000)
    gig = novelty.Activity(
        id="gig", title="Gig", category="music", tags=("live-music",), cost_min=0,
        cost_max=0, duration_minutes=minutes, starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
    )  # fmt: skip
    columns = activity_columns([gig])
    space = catalog.space
    events = ItemIndex.build(columns, space, space.transform_frame(columns), like=catalog)
    c = gather(catalog, q, events)
    # The event first (it keeps its own start), then the idea that could start with it.
    placed = schedule.suggest(found, c, np.array([len(ROWS), games]), q.window.start)
    own, after = placed.starts(dt.UTC)
    assert own == start
    # On the quarter hour after the event ends.
    assert after == start + dt.timedelta(minutes=-(-minutes // 15) * 15)
