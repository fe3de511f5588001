"""Hypothesis strategies for novelty's own data types: partners, couples, outings, clocks."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import novelty

TIMEZONES = ("America/Chicago", "Europe/Berlin", "Australia/Sydney", "Asia/Tokyo", "UTC")


@cache
def catalog_ids() -> tuple[str, ...]:
    return tuple(novelty.load_catalog()["id"])


@cache
def vocabulary() -> tuple[str, ...]:
    frame = novelty.load_catalog()
    tags = frame["tags"].str.split(";").explode()
    return tuple(sorted({*tags, *frame["category"]}))


def labels() -> st.SearchStrategy[str]:
    return st.sampled_from(vocabulary())


def partners(name: str) -> st.SearchStrategy[novelty.Partner]:
    return st.builds(
        novelty.Partner,
        name=st.just(name),
        interests=st.dictionaries(labels(), st.floats(0.2, 2.0), min_size=0, max_size=6),
        dislikes=st.lists(labels(), max_size=2).map(tuple),
        tried=st.lists(st.one_of(labels(), st.sampled_from(catalog_ids())), max_size=3).map(tuple),
    )


def outings(today: dt.date) -> st.SearchStrategy[novelty.Outing]:
    return st.builds(
        novelty.Outing,
        activity_id=st.sampled_from(catalog_ids()),
        date=st.integers(0, 800).map(lambda days: today - dt.timedelta(days=days)),
        rating=st.none() | st.integers(1, 5),
    )


@st.composite
def nows(draw: st.DrawFn, timezone: str = "America/Chicago") -> dt.datetime:
    """Any local moment in 2026-2027, as an aware datetime."""
    naive = draw(st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31)))
    return naive.replace(tzinfo=ZoneInfo(timezone))


@st.composite
def couples(draw: st.DrawFn, today: dt.date = dt.date(2026, 11, 27)) -> novelty.Couple:
    timezone = draw(st.sampled_from(TIMEZONES))
    return novelty.Couple(
        name="prop",
        partners=(draw(partners("A")), draw(partners("B"))),
        history=tuple(draw(st.lists(outings(today), max_size=25))),
        home=novelty.Location(
            lat=draw(st.floats(-60, 70)), lon=draw(st.floats(-179, 179)), timezone=timezone
        ),
        budget=draw(st.none() | st.builds(novelty.Budget, per_outing=st.floats(0, 400))),
    )
