"""The evaluation's list metrics give the textbook values on small hand-made vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from evaluation import metrics

X = [1.0, 0.0]
Y = [0.0, 1.0]
DIAGONAL = [1.0, 1.0]
HALF = 1 - 1 / math.sqrt(2)


def test_cosine_distance_is_zero_for_parallel_rows_and_one_for_orthogonal_ones() -> None:
    distances = metrics.cosine_distances([X, [3.0, 0.0]], [X, Y])
    np.testing.assert_allclose(distances, [[0.0, 1.0], [0.0, 1.0]])


def test_cosine_distance_of_a_zero_row_is_one() -> None:
    np.testing.assert_allclose(metrics.cosine_distances([[0.0, 0.0]], [X]), [[1.0]])


def test_epd_averages_every_item_profile_distance() -> None:
    # Distances: X to (X, Y) = 0, 1; DIAGONAL to (X, Y) = HALF, HALF.
    assert metrics.epd([X, DIAGONAL], [X, Y]) == pytest.approx((0 + 1 + 2 * HALF) / 4)


def test_epd_is_nan_without_a_profile() -> None:
    assert math.isnan(metrics.epd([X], np.zeros((0, 2))))


def test_nearest_distance_takes_the_closest_profile_item_per_recommended_item() -> None:
    assert metrics.nearest_distance([X, DIAGONAL], [X, Y]) == pytest.approx((0 + HALF) / 2)


def test_ild_averages_the_distance_over_all_pairs() -> None:
    # Pairs: X-Y = 1, X-DIAGONAL = HALF, Y-DIAGONAL = HALF.
    assert metrics.ild([X, Y, DIAGONAL]) == pytest.approx((1 + 2 * HALF) / 3)


def test_ild_of_identical_items_is_zero_and_of_one_item_nan() -> None:
    assert metrics.ild([X, X]) == pytest.approx(0.0)
    assert math.isnan(metrics.ild([X]))


def test_recommendation_counts_add_up_over_lists() -> None:
    lists = [np.array([0, 2]), np.array([2, 3])]
    assert metrics.recommendation_counts(lists, 5).tolist() == [1, 0, 2, 1, 0]


def test_coverage_is_the_share_of_items_recommended_at_least_once() -> None:
    assert metrics.catalog_coverage([1, 0, 2, 1, 0]) == pytest.approx(3 / 5)


def test_entropy_of_a_uniform_spread_is_log2_of_the_items() -> None:
    assert metrics.entropy([2, 2, 2, 2, 0]) == pytest.approx(2.0)


def test_entropy_of_an_uneven_spread() -> None:
    # p = 1/2, 1/4, 1/4: 0.5·1 + 2·0.25·2 = 1.5 bits.
    assert metrics.entropy([2, 1, 1]) == pytest.approx(1.5)


def test_entropy_of_one_item_or_none_is_zero() -> None:
    assert metrics.entropy([0, 5, 0]) == 0.0
    assert metrics.entropy([0, 0]) == 0.0


def test_partner_fit_is_the_mean_and_the_worse_partners_mean() -> None:
    affinity = [[0.8, 0.0], [0.4, 0.6]]
    mean, worse = metrics.partner_fit(affinity)
    assert mean == pytest.approx(0.45)
    assert worse == pytest.approx(0.3)


def test_each_partner_must_reach_the_threshold_on_some_idea() -> None:
    assert metrics.every_partner_matched([[0.9, 0.0], [0.0, 0.3]], threshold=0.25)
    assert not metrics.every_partner_matched([[0.9, 0.2], [0.8, 0.1]], threshold=0.25)
    assert not metrics.every_partner_matched(np.zeros((0, 2)))
