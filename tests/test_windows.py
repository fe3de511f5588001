"""`when` resolves to the documented window in the couple's timezone, DST included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from novelty import Window, WindowError
from novelty.windows import resolve_window

from .strategies import nows

TZ = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 11, 27, 20, 0, tzinfo=TZ)


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        (at(23, 9), at(27, 17), at(30)),  # Monday: the coming Friday evening to Sunday night
        (at(26, 23), at(27, 17), at(30)),  # Thursday night
        (at(27, 12), at(27, 17), at(30)),  # Friday before the evening
        (at(27, 20), at(27, 20), at(30)),  # Friday evening: from now
        (at(28, 10), at(28, 10), at(30)),  # Saturday: from now
        (at(29, 20), at(29, 20), at(30)),  # Sunday evening: what is left of Sunday
        (at(29, 22, 30), at(4, 17, month=12), at(7, month=12)),  # too late: next weekend
    ],
)
def test_this_weekend_on_each_day(now: dt.datetime, start: dt.datetime, end: dt.datetime) -> None:
    window = resolve_window("this weekend", now=now, tz=TZ)
    assert (window.start, window.end) == (start, end)


def test_next_weekend_is_a_week_after_this_one() -> None:
    window = resolve_window("next weekend", now=at(25, 9), tz=TZ)
    assert (window.start, window.end) == (at(4, 17, month=12), at(7, month=12))


def test_tonight_starts_at_five_or_now() -> None:
    assert resolve_window("tonight", now=at(25, 9), tz=TZ).start == at(25, 17)
    assert resolve_window("tonight", now=at(25, 19), tz=TZ).start == at(25, 19)
    assert resolve_window("tonight", now=at(25, 19), tz=TZ).end == at(26)


def test_tonight_with_no_evening_left_is_an_error() -> None:
    with pytest.raises(WindowError, match="tonight"):
        resolve_window("tonight", now=at(25, 23, 45), tz=TZ)


def test_tomorrow_is_the_whole_next_day() -> None:
    window = resolve_window("tomorrow", now=at(25, 9), tz=TZ)
    assert (window.start, window.end) == (at(26), at(27))


def test_this_week_runs_to_sunday_midnight() -> None:
    window = resolve_window("this week", now=at(25, 9), tz=TZ)
    assert (window.start, window.end) == (at(25, 9), at(30))


def test_a_date_is_that_whole_day() -> None:
    window = resolve_window(dt.date(2026, 12, 5), now=at(25, 9), tz=TZ)
    assert (window.start, window.end) == (at(5, month=12), at(6, month=12))
    assert resolve_window("2026-12-05", now=at(25, 9), tz=TZ) == window.model_copy(
        update={"label": "2026-12-05"}
    )


def test_a_weekday_name_is_the_next_such_day() -> None:
    window = resolve_window("saturday", now=at(25, 9), tz=TZ)
    assert window.start == at(28)


def test_a_pair_of_dates_covers_both_days() -> None:
    window = resolve_window((dt.date(2026, 12, 1), dt.date(2026, 12, 2)), now=at(25, 9), tz=TZ)
    assert (window.start, window.end) == (at(1, month=12), at(3, month=12))


def test_a_window_passes_through() -> None:
    window = Window(start=at(25, 9), end=at(25, 12))
    assert resolve_window(window, now=at(20), tz=TZ) is window


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_a_window_in_another_zone_is_the_same_instants_on_the_couples_clock(zone: str) -> None:
    other = ZoneInfo(zone)
    start, end = at(25, 18).astimezone(other), at(26).astimezone(other)
    for when in (Window(start=start, end=end), (start, end), (start.isoformat(), end.isoformat())):
        window = resolve_window(when, now=at(20), tz=TZ)
        assert (window.start, window.end) == (start, end)
        assert (window.start.tzinfo, window.end.tzinfo) == (TZ, TZ)
        assert window.start.hour == 18


def test_weekend_across_the_dst_change_keeps_local_midnight() -> None:
    # US DST ended on Sunday 1 November 2026.
    window = resolve_window("this weekend", now=at(28, 9, month=10), tz=TZ)
    assert window.end == at(2, month=11)
    assert window.end.utcoffset() == dt.timedelta(hours=-6)
    assert window.start.utcoffset() == dt.timedelta(hours=-5)


@pytest.mark.parametrize("bad", ["someday", "next month", "", "2026-13-01"])
def test_unknown_when_names_the_value_and_the_choices(bad: str) -> None:
    with pytest.raises(WindowError, match="this weekend"):
        resolve_window(bad, now=at(25, 9), tz=TZ)


def test_a_past_date_is_an_error() -> None:
    with pytest.raises(WindowError, match="already over"):
        resolve_window(dt.date(2026, 1, 1), now=at(25, 9), tz=TZ)


def test_naive_now_is_refused() -> None:
    with pytest.raises(WindowError, match="timezone-aware"):
        resolve_window("tonight", now=dt.datetime(2026, 1, 1), tz=TZ)


@given(now=nows(), when=st.sampled_from(["this weekend", "next weekend", "this week", "tomorrow"]))
def test_named_windows_are_ordered_and_not_in_the_past(now: dt.datetime, when: str) -> None:
    window = resolve_window(when, now=now, tz=TZ)
    assert now <= window.start < window.end
    assert window.end - window.start <= dt.timedelta(days=7, hours=1)


def test_a_range_of_dates_spans_from_the_first_day_to_the_end_of_the_last() -> None:
    window = resolve_window("2026-12-10..2026-12-13", now=NOW, tz=TZ)
    assert window.start == dt.datetime(2026, 12, 10, tzinfo=TZ)
    assert window.end == dt.datetime(2026, 12, 14, tzinfo=TZ)
    assert window.label == "2026-12-10..2026-12-13"


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(WindowError, match="ends on 2026-12-10 before it starts on 2026-12-13"):
        resolve_window("2026-12-13..2026-12-10", now=NOW, tz=TZ)


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01", "2026-12-10..9999-12-31"])
def test_dates_outside_the_representable_years_are_refused(when: str) -> None:
    with pytest.raises(WindowError, match="out of range; expected a time in the years 1900"):
        resolve_window(when, now=NOW, tz=TZ)


@pytest.mark.parametrize(
    "now", [dt.datetime(9999, 12, 31, 23, 59, tzinfo=TZ), dt.datetime(1, 1, 1, tzinfo=TZ)]
)
def test_a_clock_outside_the_representable_years_is_refused(now: dt.datetime) -> None:
    with pytest.raises(WindowError, match=r"now: .* is out of range"):
        resolve_window("this weekend", now=now, tz=TZ)


def test_an_unknown_text_lists_only_the_texts_accepted() -> None:
    with pytest.raises(WindowError) as caught:
        resolve_window("someday", now=NOW, tz=TZ)
    assert "YYYY-MM-DD..YYYY-MM-DD" in str(caught.value)
    assert "pair" not in str(caught.value)
    assert "Window" not in str(caught.value)
