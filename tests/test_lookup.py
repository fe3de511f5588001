"""Reading the item matrix by column gives what a column-major copy of it would."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import novelty
from novelty.features import hits
from novelty.lookup import ItemColumns


def test_every_column_reads_as_in_a_column_major_copy(recommender: novelty.Recommender) -> None:
    matrix = recommender.matrix_
    columns = recommender.lookup_.columns
    assert columns.labels.shape[1] == recommender.space_.n_labels_
    whole = sp.csc_matrix(matrix)
    for j in range(matrix.shape[1]):
        rows, values = columns.column(j)
        span = slice(whole.indptr[j], whole.indptr[j + 1])
        np.testing.assert_array_equal(rows, whole.indices[span])
        np.testing.assert_array_equal(values, whole.data[span])


def test_words_and_labels_match_the_same_items_either_way(
    recommender: novelty.Recommender,
) -> None:
    queries = ["pottery", "live music", "sunset kayak", "stargazing", "no-such-word-here"]
    fresh = ItemColumns.of(recommender.matrix_, recommender.space_.n_labels_)
    for source in (fresh, recommender.matrix_):
        found = hits(source, recommender.space_, queries)
        expected = hits(sp.csr_matrix(recommender.matrix_), recommender.space_, queries)
        for got, want in zip(found, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    assert hits(fresh, recommender.space_, ["sunset kayak"]).rows.size > 0
