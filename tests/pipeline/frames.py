"""Small hand-made catalogs and the stages run on them, for tests of one stage at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

import novelty
from novelty.catalog import as_candidates
from novelty.index.item_index import ItemIndex
from novelty.index.space import ItemSpace
from novelty.pipeline import candidates, filters, query, schedule, score, taste

from ..conftest import FRIDAY_EVENING

#: One row per kind of thing the filters and the score tell apart.
ROWS: list[dict[str, Any]] = [
    dict(id="pottery-night", title="Pottery night", category="creative", tags="pottery;hands-on",
         cost_min=40, cost_max=60, time_of_day="evening", setting="indoor"),
    dict(id="sunrise-hike", title="Sunrise hike", category="outdoors", tags="hiking;nature",
         cost_min=0, cost_max=0, time_of_day="morning", setting="outdoor"),
    dict(id="jazz-bar", title="Jazz bar", category="music", tags="live-music;drinks",
         cost_min=30, cost_max=50, time_of_day="evening", setting="indoor"),
    dict(id="ski-day", title="Ski day", category="outdoors", tags="skiing;snow",
         cost_min=200, cost_max=300, time_of_day="morning", setting="outdoor", seasons="winter"),
    dict(id="board-games", title="Board game cafe", category="games", tags="board-games",
         cost_min=10, cost_max=20, time_of_day="afternoon", setting="indoor"),
    dict(id="euro-tasting", title="Wine tasting", category="food-drink", tags="wine;tasting",
         cost_min=30, cost_max=40, currency="EUR", time_of_day="evening", setting="indoor"),
]  # fmt: skip

DEFAULTS: dict[str, Any] = dict(
    description="", currency="USD", duration_minutes=120, energy="medium", excitement=3,
    interactive="true", seasons="", needs_booking="false", accessibility="", prompt="",
)  # fmt: skip


def small_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The hand-made catalog as a checked candidates frame."""
    return as_candidates(pd.DataFrame([{**DEFAULTS, **row} for row in rows or ROWS]))


def small_index(rows: list[dict[str, Any]] | None = None) -> ItemIndex:
    frame = small_frame(rows)
    space, matrix = ItemSpace.fit(frame)
    return ItemIndex.build(frame, space, matrix, like=None)


def make_couple(**changes: Any) -> novelty.Couple:
    """Two partners in Austin who like music and games, budget $100."""
    base = novelty.Couple(
        partners=(
            novelty.Partner(name="Ana", interests={"live-music": 1.0, "pottery": 0.5}),
            novelty.Partner(name="Ben", interests={"board-games": 1.0, "live-music": 0.4}),
        ),
        home=novelty.Location(lat=30.27, lon=-97.74, timezone="America/Chicago"),
        budget=novelty.Budget(per_outing=100, currency="USD"),
    )
    return base.model_copy(update=changes)


def make_query(couple: novelty.Couple, **options: Any) -> query.Query:
    arguments: dict[str, Any] = dict(
        when="this weekend", k=3, budget=None, near=None, radius_km=None,
        now=FRIDAY_EVENING, seed=None, strict=False, history=None,
    )  # fmt: skip
    return query.make_query(couple, **{**arguments, **options})


def gather(
    index: ItemIndex, q: query.Query, events: ItemIndex | None = None
) -> candidates.Candidates:
    matches = {label: index.matches(label) for label in q.labels}
    return candidates.gather(index, events, matches, candidates.km_from(index, q.near), q.near)


def scored(
    index: ItemIndex, q: query.Query, weights: novelty.Weights | None = None, **options: Any
) -> tuple[candidates.Candidates, filters.Allowed, score.Scored, taste.History]:
    """Every stage up to the score, on every allowed row."""
    w = weights or novelty.Weights()
    c = candidates.of_catalog(index, q)
    past = taste.history_profile(q.outings, index, today=q.today, weights=w)
    slots = schedule.openings(index, q, None)
    allowed = filters.allowed(c, q, slots, filters.excluded(c, q, past), filters.fits_the_day(c, q))
    rows = options.pop("rows", np.flatnonzero(allowed.mask))
    return c, allowed, score.score(c, q, past, w, rows, **options), past


def days_ago(q: query.Query, days: int) -> dt.date:
    return q.today - dt.timedelta(days=days)
