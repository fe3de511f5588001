"""Stage 2, candidates: events are a second block after the catalog, in one index space."""

from __future__ import annotations

import numpy as np
import pytest

import novelty
from novelty.index.item_index import ItemIndex
from novelty.pipeline import candidates
from novelty.pipeline.taste import history_profile

from .frames import ROWS, days_ago, gather, make_couple, make_query, small_frame, small_index

EVENTS = [
    dict(id="gig-1", title="Jazz bar", category="music", tags="live-music",
         cost_min=0, cost_max=0, time_of_day="evening", setting="indoor"),
    dict(id="gig-2", title="Harp recital", category="classical", tags="harp",
         cost_min=15, cost_max=15, time_of_day="evening", setting="indoor", currency="GBP"),
]  # fmt: skip


def _with_events() -> tuple[ItemIndex, ItemIndex]:
    catalog = small_index()
    frame = small_frame(EVENTS)
    events = ItemIndex.build(
        frame, catalog.space, catalog.space.transform_frame(frame), like=catalog
    )
    return catalog, events


def test_without_events_the_catalog_is_the_candidates_without_a_copy() -> None:
    catalog = small_index()
    c = gather(catalog, make_query(make_couple()))
    assert c.size == len(ROWS)
    assert c.cost_min is catalog.numbers["cost_min"]
    assert c.at(None, "excitement")[0] is catalog.numbers["excitement"]


def test_event_rows_come_after_the_catalogs_rows() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    assert c.size == len(ROWS) + len(EVENTS)
    np.testing.assert_array_equal(c.rows_with_ids(["gig-2", "jazz-bar"]), [2, len(ROWS) + 1])
    assert [r["id"] for r in c.records(np.array([len(ROWS), 0]))] == ["gig-1", "pottery-night"]


def test_codes_of_both_blocks_compare_and_new_values_get_new_codes() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    music = c.where("category", ["music"])
    assert music.tolist() == [False, False, True, False, False, False, True, False]
    assert c.where("currency", ["GBP"]).tolist() == [False] * len(ROWS) + [False, True]
    assert c.where("title", ["jazz bar"]).sum() == 2


def test_matches_and_item_rows_span_both_blocks() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    # "classical" is a synonym of live music: both events match.
    assert c.matches["live-music"].rows.tolist() == [2, len(ROWS), len(ROWS) + 1]
    rows = np.array([len(ROWS), 2])
    np.testing.assert_array_equal(
        c.item_rows(rows).toarray(),
        np.vstack([events.matrix[[0]].toarray(), catalog.matrix[[2]].toarray()]),
    )
    profile = np.ones(catalog.space.width, dtype=np.float32)
    (cosines,) = c.cosines(None, profile)
    assert cosines.shape == (len(ROWS) + len(EVENTS),)


def test_item_rows_in_any_order_are_the_blocks_rows_in_that_order() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    whole = np.vstack([catalog.matrix.toarray(), events.matrix.toarray()])
    n = len(ROWS)
    for rows in ([0, 2, n, n + 1], [n + 1, 3, n, 0], [n], [1, 4], [n, n + 1], [5, 0, 5, n]):
        at = np.array(rows)
        np.testing.assert_array_equal(c.item_rows(at).toarray(), whole[at])


def test_where_at_some_rows_is_where_over_all_rows_read_at_them() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    n = len(ROWS)
    for column, values in [
        ("title", ["jazz bar", "harp recital", "ski day"]),
        ("category", ["classical", "outdoors"]),
        ("currency", [f"C{i}" for i in range(40)] + ["GBP", "EUR"]),  # many values
    ]:
        everywhere = c.where(column, values)
        for rows in ([n + 1, 0, 3, n], [n, n + 1], [2, 1]):
            at = np.array(rows)
            np.testing.assert_array_equal(c.where(column, values, rows=at), everywhere[at])


def test_a_label_no_event_matches_keeps_the_catalogs_rows() -> None:
    catalog, events = _with_events()
    q = make_query(make_couple())
    c = gather(catalog, q, events)
    assert c.matches["board-games"].rows.tolist() == catalog.matches("board-games").rows.tolist()
    assert c.rows_with_ids(["board-games", "gig-1"]).tolist() == [4, len(ROWS)]


def test_a_historys_title_codes_find_the_rows_its_titles_find() -> None:
    catalog, events = _with_events()
    q = make_query(make_couple())
    outings = [
        novelty.Outing(title=title, date=days_ago(q, days))
        for title, days in (("JAZZ BAR", 3), ("Harp recital", 4), ("Not a title", 5))
    ]
    past = history_profile(outings, catalog, today=q.today, weights=novelty.Weights())
    assert past.done_title_codes.size == 1  # the catalog has only the jazz bar
    for c in (gather(catalog, q), gather(catalog, q, events)):
        for rows in (None, np.array([2, c.size - 1, 0])):
            np.testing.assert_array_equal(
                c.where("title", past.done_titles, rows, codes=past.done_title_codes),
                c.where("title", past.done_titles, rows),
            )
        # The event named "Harp recital" is found by its title, though not in the catalog.
        assert c.where("title", past.done_titles, codes=past.done_title_codes).sum() == (
            1 if c.events is None else 3
        )


def test_columns_at_rows_are_the_blocks_columns_joined_and_read_at_them() -> None:
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    n = len(ROWS)
    names = ("category", "duration_minutes", "excitement", "cost_min", "starts_ns")
    joined = c.at(None, *names)
    for name, column in zip(names, joined, strict=True):
        (mine, theirs) = (
            block.starts_ns if name == "starts_ns"
            else block.codes[name] if name in block.codes
            else block.numbers[name]
            for block in (catalog, events)
        )  # fmt: skip
        np.testing.assert_array_equal(column, np.concatenate([mine, theirs]))
        for rows in ([n + 1, 0, 3, n], [n, n + 1], [2, 1], []):
            at = np.array(rows, dtype=np.intp)
            (read,) = c.at(at, name)
            np.testing.assert_array_equal(read, column[at])
            assert read.dtype == column.dtype


@pytest.mark.parametrize("whole_pass", [True, False])
def test_cosines_at_rows_are_the_cosines_of_all_rows_read_at_them(
    whole_pass: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways: a pass over each whole matrix, and the rows copied out first.
    monkeypatch.setattr(candidates, "_WHOLE_PASS_SHARE", 0.0 if whole_pass else 1.0)
    catalog, events = _with_events()
    c = gather(catalog, make_query(make_couple()), events)
    rng = np.random.default_rng(3)
    profiles = [rng.random(catalog.space.width).astype(np.float32) for _ in range(2)]
    everywhere = c.cosines(None, *profiles)
    n = len(ROWS)
    for rows in ([n + 1, 0, 3, n], [2, 1], [n]):
        at = np.array(rows)
        for some, every in zip(c.cosines(at, *profiles), everywhere, strict=True):
            np.testing.assert_array_equal(some, every[at])
