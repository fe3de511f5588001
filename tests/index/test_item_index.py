"""The ItemIndex: matches read by column equal what a column-major copy of the matrix says."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import novelty
from novelty.catalog import activity_columns, row_to_activity
from novelty.index.item_index import COLUMNS, SHORT, ItemIndex

from ..pipeline.frames import ROWS, small_frame, small_index


def _expected(matrix: sp.csr_matrix, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.minimum(np.asarray(matrix[:, columns] @ weights).ravel(), 1.0)


@pytest.mark.parametrize(
    "label", ["pottery", "live music", "sunset kayak", "stargazing", "no-such-word-here"]
)
def test_matches_read_by_column_equal_the_whole_matrix_product(
    recommender: novelty.Recommender, label: str
) -> None:
    index = recommender.index_
    found = index.matches(label)
    expected = _expected(index.matrix, found.terms.columns, found.terms.weights)
    np.testing.assert_array_equal(found.rows, np.flatnonzero(expected > 0))
    np.testing.assert_allclose(found.values, expected[found.rows], rtol=1e-6)


def test_every_label_column_is_read_as_in_a_column_major_copy(
    recommender: novelty.Recommender,
) -> None:
    index = recommender.index_
    whole = sp.csc_matrix(index.matrix)
    assert index.labels.shape[1] == index.space.n_labels
    for j in range(index.space.n_labels):
        span = slice(whole.indptr[j], whole.indptr[j + 1])
        np.testing.assert_array_equal(index.labels[:, j].indices, whole.indices[span])


def test_a_label_is_a_label_and_words_are_words(recommender: novelty.Recommender) -> None:
    space = recommender.index_.space
    assert space.terms("live-music").label
    assert space.terms("Live Music").label
    assert not space.terms("sunset kayak").label


def test_rows_with_ids_finds_few_and_many_ids(recommender: novelty.Recommender) -> None:
    index = recommender.index_
    ids = index.ids.tolist()
    assert index.rows_with_ids([ids[3], "nope", ids[0]]).tolist() == [3, 0]
    assert sorted(index.rows_with_ids(ids[:50]).tolist()) == list(range(50))


def test_the_index_is_immutable(recommender: novelty.Recommender) -> None:
    with pytest.raises(AttributeError):
        recommender.index_.ids = None  # type: ignore[misc]


#: Events as a source lists them: a catalog title in other case, a category and a currency
#: the catalog lacks (twice), no duration, a tag only synonyms know.
EVENTS = [
    dict(id="gig-1", title="JAZZ BAR", category="music", tags="live-music",
         cost_min=0, cost_max=0, time_of_day="evening", setting="indoor"),
    dict(id="gig-2", title="Harp recital", category="classical", tags="harp",
         cost_min=15, cost_max=15, time_of_day="evening", setting="indoor", currency="GBP",
         duration_minutes=None),
    dict(id="gig-3", title="Organ recital", category="classical", tags="organ;concert",
         cost_min=5, cost_max=5, time_of_day="evening", setting="either", currency="GBP"),
]  # fmt: skip


def _named(index: ItemIndex, column: str, like: ItemIndex | None = None) -> list[object]:
    """The value each row's code names (None for -1): `like`'s tables, then its own."""
    table = [*(like.values[column] if like is not None else []), *index.values[column]]
    return [table[code] if code >= 0 else None for code in index.codes[column].tolist()]


@pytest.mark.parametrize("given", ["frame", "activities"])
def test_a_block_coded_in_the_catalogs_tables_names_what_one_index_of_both_would(
    given: str,
) -> None:
    catalog, catalog_frame, events_frame = small_index(), small_frame(), small_frame(EVENTS)
    space = catalog.space
    columns: Any = events_frame
    if given == "activities":  # as the Recommender indexes a call's events
        cells = ItemIndex.build(events_frame, space, space.transform_frame(events_frame), None)
        columns = activity_columns([row_to_activity(cells.cells, i) for i in range(3)])
    block = ItemIndex.build(columns, space, space.transform_frame(columns), like=catalog)
    joined = pd.concat([catalog_frame, events_frame], ignore_index=True)
    both = ItemIndex.build(joined, space, space.transform_frame(joined), like=None)
    n = len(catalog_frame)
    for column in COLUMNS:
        assert _named(block, column, catalog) == _named(both, column)[n:], column
        # The block's own values are those the catalog lacks, in order of appearance.
        known = set(catalog.values[column])
        assert list(block.values[column]) == [v for v in both.values[column] if v not in known]
    # The same codes as the catalog's rows, casefolded titles; new values once each.
    assert block.codes["title"][0] == catalog.codes["title"][2]
    music = catalog.values["category"].get_loc("music")
    classical = len(catalog.values["category"])
    assert block.codes["category"].tolist() == [music, classical, classical]
    assert block.codes["duration_minutes"][1] == -1
    assert list(block.ids) == list(both.ids[n:])
    for name, values in block.numbers.items():
        np.testing.assert_array_equal(values, both.numbers[name][n:])
    np.testing.assert_array_equal(block.starts_ns, both.starts_ns[n:])
    np.testing.assert_array_equal(block.placed, both.placed[both.placed >= n] - n)
    np.testing.assert_array_equal(block.matrix.toarray(), both.matrix[n:].toarray())
    np.testing.assert_array_equal(block.norms, both.norms[n:])


def test_rows_with_ids_reads_a_short_block_through_and_finds_what_a_long_one_hashes() -> None:
    # Long enough that a few ids are looked up one by one and 40 (many) in one go.
    rows = [{**ROWS[i % len(ROWS)], "id": f"idea-{i}"} for i in range(4 * SHORT)]
    long, short = small_index(rows), small_index(rows[:64])
    for wanted in (["idea-3"], ["idea-3", "nope", "idea-70"], [f"idea-{2 * i}" for i in range(40)]):
        expected = sorted(int(i.split("-")[1]) for i in wanted if i != "nope")
        assert sorted(long.rows_with_ids(wanted).tolist()) == expected
        assert sorted(short.rows_with_ids(wanted).tolist()) == [r for r in expected if r < 64]
