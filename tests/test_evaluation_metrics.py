"""The evaluation's list metrics give the textbook values on small hand-made vectors, and the
simulator's routine parameter moves histories towards the couples' interests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from evaluation import baselines, metrics, simulator

from novelty import Recommender

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


def test_jaccard_distance_of_label_sets() -> None:
    # {a, b} vs {b, c}: one shared of three; {a} vs itself 0; two empty sets 1.
    distances = metrics.jaccard_distances([[1, 1, 0], [1, 0, 0]], [[0, 1, 1], [1, 0, 0]])
    np.testing.assert_allclose(distances, [[1 - 1 / 3, 1 - 1 / 2], [1.0, 0.0]])
    np.testing.assert_allclose(metrics.jaccard_distances([[0, 0]], [[0, 0]]), [[1.0]])


def test_epd_takes_another_distance() -> None:
    # {a} to ({a}, {a, b}) = 0, 1/2.
    assert metrics.epd([[1, 0]], [[1, 0], [1, 1]], metrics.jaccard_distances) == pytest.approx(0.25)


FONDNESS = np.array([0.0, 0.0, 0.0, 0.2, 0.6], dtype=np.float32)


def test_routine_is_the_share_of_chances_on_ideas_that_carry_an_interest() -> None:
    chances = simulator.outing_chances(FONDNESS, 0.9)
    assert chances.sum() == pytest.approx(1.0)
    assert chances[3:].sum() == pytest.approx(0.9)
    assert chances[4] == pytest.approx(3 * chances[3])  # in proportion to fondness inside
    np.testing.assert_allclose(chances[:3], 0.1 / 3)  # evenly outside
    assert simulator.outing_chances(FONDNESS, 1.0)[:3].sum() == 0.0


def test_legacy_routine_keeps_the_original_draw() -> None:
    legacy = (simulator.HISTORY_BASE + FONDNESS) / (simulator.HISTORY_BASE + FONDNESS).sum()
    np.testing.assert_array_equal(simulator.outing_chances(FONDNESS, None), legacy)
    with pytest.raises(ValueError, match="routine"):
        simulator.outing_chances(FONDNESS, 1.5)


def _catalog_outings(cases: list[simulator.Case]) -> list[str]:
    return [o.activity_id for c in cases for o in c.couple.history if o.activity_id]


def _all_but_the_ideas(case: simulator.Case) -> tuple[object, ...]:
    couple = case.couple
    return case.seed, case.now, couple.partners, couple.budget, [o.date for o in couple.history]


def _interest_share(recommender: Recommender, cases: list[simulator.Case]) -> float:
    carried = []
    for case in cases:
        affinity = baselines.catalog_affinities(recommender, case.couple)
        rows = recommender.ids_.get_indexer(_catalog_outings([case]))
        carried.extend((affinity[rows].max(axis=1) > 0).tolist())
    return float(np.mean(carried))


def test_more_routine_draws_more_outings_from_the_couples_interests(
    recommender: Recommender,
) -> None:
    low, high = (simulator.simulate(recommender, 40, seed=3, routine=r) for r in (0.3, 1.0))
    assert _interest_share(recommender, high) == 1.0
    assert 0.2 < _interest_share(recommender, low) < 0.45
    # Only which ideas were done changes: partners, dates, budgets and seeds stay.
    assert [_all_but_the_ideas(c) for c in low] == [_all_but_the_ideas(c) for c in high]


def test_routine_histories_are_the_same_under_a_seed(recommender: Recommender) -> None:
    first, again = (simulator.simulate(recommender, 12, seed=5, routine=0.9) for _ in range(2))
    assert [c.couple for c in first] == [c.couple for c in again]
    longer = simulator.simulate(recommender, 20, seed=5, routine=0.9)
    assert [c.couple for c in longer[:12]] == [c.couple for c in first]
