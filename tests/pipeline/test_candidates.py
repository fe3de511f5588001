"""Stage 2, candidates: events are a second block after the catalog, in one index space."""

from __future__ import annotations

import numpy as np

from novelty.index.item_index import ItemIndex

from .frames import ROWS, gather, make_couple, make_query, small_frame, small_index

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
    assert c.numbers is catalog.numbers


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
    assert c.cosines(profile).shape == (len(ROWS) + len(EVENTS),)
