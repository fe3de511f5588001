"""The ItemIndex: matches read by column equal what a column-major copy of the matrix says."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import novelty


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
