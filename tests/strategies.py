"""Hypothesis strategies for novelty's own data types: partners, couples, outings, clocks,
and the files people write for it (TOML profiles and catalog CSVs), hostile ones included."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import novelty
from novelty.catalog import CSV_COLUMNS

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


# --- TOML profiles -------------------------------------------------------------------------

#: Scalars of every TOML type, with the extremes that once broke validation.
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0.0, -1.0, 1e39, 3.5e38, 1e308, math.inf, -math.inf, math.nan, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
)


def _toml(value: Any) -> str:
    """A value as TOML text (inline tables for mappings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else {math.inf: "inf", -math.inf: "-inf"}.get(value, repr(value))
        )
    if isinstance(value, int | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()
            )
            + "}"
        )
    return json.dumps(value, ensure_ascii=False)


_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
).map(_toml)
#: Arrays or inline tables nested hundreds or thousands deep.
_DEEP = st.integers(1, 3000).flatmap(
    lambda depth: st.sampled_from(["[" * depth + "]" * depth, "{a = " * depth + "1" + "}" * depth])
)
_LABELS = st.sampled_from(
    ["hiking", "food-drink", "Live Music", "hikking", "", " ", "a;b", "x" * 90]
)
_PLAUSIBLE: dict[str, st.SearchStrategy[str]] = {
    "name": st.sampled_from(["Ada", "Bo", "", "us"]).map(json.dumps),
    "lat": st.floats(-100, 100).map(repr),
    "lon": st.floats(-200, 200).map(repr),
    "timezone": st.sampled_from(
        [
            "America/Chicago",
            "America",
            "Europe",
            "posix",
            "UTC",
            "../../etc/passwd",
            "",
            "Mars/Base",
            "Etc/GMT+5",
            "\u0000",
        ]
    ).map(json.dumps),
    "per_outing": st.sampled_from(["80", "-1", "1e39", "nan", "inf", "0"]),
    "currency": st.sampled_from(["USD", "usd", "EURO", ""]).map(json.dumps),
    "interests": st.one_of(
        st.dictionaries(
            _LABELS, st.sampled_from([1.0, 0.0, -2.0, 1e39, 3.5e38, math.nan, 1000.0]), max_size=4
        ),
        st.lists(_LABELS, max_size=4),
        st.sampled_from([[[[]]], [["hiking"]], [1, 2], [{"a": 1}]]),
    ).map(_toml),
    "dislikes": st.lists(_LABELS, max_size=3).map(_toml),
    "tried": st.lists(_LABELS, max_size=3).map(_toml),
    "activity_id": st.sampled_from(["thai-cooking-class", "thai-cookng-class", ""]).map(json.dumps),
    "date": st.sampled_from(
        ["2026-01-01", "9999-12-31", "0001-01-01", "2026-01-01T10:00:00", '"yesterday"']
    ),
    "rating": st.integers(-3, 9).map(str),
    "type": st.sampled_from(["ical", "schemaorg", "ticketmaster", "nope", ""]).map(json.dumps),
    "path": st.sampled_from(
        [
            "feed.ics",
            "~/feed.ics",
            "~no-such-user-zz/feed.ics",
            "/dev/null",
            "https://example.invalid/x.ics",
            "",
        ]
    ).map(json.dumps),
    "cache_dir": st.sampled_from(["~/cache", "cache", "~no-such-user-zz/c"]).map(json.dumps),
}
_SECTIONS: dict[str, tuple[str, ...]] = {
    "": ("name",),
    "[home]": ("lat", "lon", "timezone", "name", "city"),
    "[budget]": ("per_outing", "currency"),
    "[[partners]]": ("name", "interests", "dislikes", "tried"),
    "[[history]]": ("activity_id", "title", "date", "rating", "tags", "category", "cost"),
    "[[sources]]": ("type", "path", "location", "cache_dir", "url", "timeout"),
}
_VALID_PROFILE = """name = "us"
[home]
lat = 30.27
lon = -97.74
timezone = "America/Chicago"
[[partners]]
name = "Ada"
interests = { hiking = 2, "food-drink" = 1 }
[[partners]]
name = "Bo"
[[history]]
activity_id = "thai-cooking-class"
date = 2026-01-01
[[sources]]
type = "ical"
path = "feed.ics"
"""


def _value_for(key: str) -> st.SearchStrategy[str]:
    """Mostly a value of the kind the key expects; sometimes anything, or nested deep."""
    plausible = _PLAUSIBLE.get(key, _VALUES)
    return st.integers(0, 9).flatmap(
        lambda roll: st.one_of(_VALUES, _DEEP) if roll == 0 else plausible
    )


@st.composite
def _entry(draw: st.DrawFn, keys: tuple[str, ...]) -> str:
    key = draw(st.sampled_from(keys) | st.text("abcdefgh_", min_size=1, max_size=6))
    return f"{json.dumps(key)} = {draw(_value_for(key))}"


@st.composite
def toml_profiles(draw: st.DrawFn) -> str:
    """Profile text: the valid example with a few lines changed, added or dropped, or
    sections of entries put together at random (valid TOML most of the time)."""
    if draw(st.booleans()):
        lines = _VALID_PROFILE.splitlines()
        for _ in range(draw(st.integers(1, 3))):
            index = draw(st.integers(0, len(lines) - 1))
            section = next(
                (line for line in reversed(lines[: index + 1]) if line.startswith("[")), ""
            )
            key, equals, _ = lines[index].partition(" = ")
            change = draw(st.sampled_from(["value", "value", "value", "insert", "drop"]))
            if change == "value" and equals:
                lines[index] = f"{key} = {draw(_value_for(key))}"
            elif change == "drop":
                del lines[index]
            else:
                lines.insert(index, draw(_entry(_SECTIONS.get(section, _SECTIONS[""]))))
            if not lines:
                lines = [""]
        return "\n".join(lines) + "\n"
    parts = [draw(_entry(_SECTIONS[""])) for _ in range(draw(st.integers(0, 2)))]
    for section in draw(st.lists(st.sampled_from(list(_SECTIONS)[1:]), max_size=6)):
        parts.append(section)
        parts += [draw(_entry(_SECTIONS[section])) for _ in range(draw(st.integers(0, 4)))]
    return "\n".join(parts) + "\n"


# --- catalog CSVs --------------------------------------------------------------------------

_CELLS: dict[str, st.SearchStrategy[str]] = {
    "id": st.sampled_from(["a-walk", "b-walk", "A Walk", "", "a--b", "x" * 100]),
    "title": st.sampled_from(["A walk", "", " "]),
    "category": st.sampled_from(["outdoors", "Food & Drink", "", "x" * 90, ";"]),
    "tags": st.sampled_from(["nature;hiking", "", ";;", "a;" + "y" * 90, "Live Music"]),
    "cost_min": st.sampled_from(["0", "5", "-1", "1e400", "nan", "", "abc", "3.5"]),
    "cost_max": st.sampled_from(["0", "10", "1e308", "inf", "", "2"]),
    "currency": st.sampled_from(["USD", "usd", "EURO", "", "€€€"]),
    "duration_minutes": st.sampled_from(["60", "1.5", "0.4", "90.7", "0", "-5", "", "1e9", "x"]),
    "excitement": st.sampled_from(["1", "5", "0", "9", "3.0", "2.5", "", "nan"]),
    "seasons": st.sampled_from(["", "summer;winter", "fall", "monsoon", ";"]),
}


@st.composite
def catalog_csvs(draw: st.DrawFn) -> str:
    """Catalog CSV text: headers with columns missing, repeated, blank or unknown; rows of
    plausible and junk cells, of the right length or not."""
    header = list(draw(st.permutations(CSV_COLUMNS)))[: draw(st.integers(4, len(CSV_COLUMNS)))]
    header += draw(st.lists(st.sampled_from([*CSV_COLUMNS, "", " ", "extra", "id"]), max_size=2))
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.permutations(header))
    junk = st.text(max_size=12)
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [
            draw(_CELLS.get(name.strip(), junk) | junk)
            if draw(st.integers(0, 7)) == 0
            else draw(_CELLS.get(name.strip(), st.sampled_from(["", "x", "true", "any"])))
            for name in header
        ]
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))]
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    text = out.getvalue()
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.text(max_size=40))
    return text
