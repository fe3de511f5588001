"""Stage 6, diversify: the best M, then MMR with a term for partners not served yet."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from novelty.pipeline import diversify
from novelty.pipeline.diversify import IdeaSimilarity, rerank, top_m


@given(st.lists(st.sampled_from([0.1, 0.5, 0.5, 0.9]), min_size=1, max_size=30), st.integers(1, 10))
def test_top_m_is_the_best_m_best_first_ties_by_position(scores: list[float], m: int) -> None:
    values = np.array(scores)
    picked = top_m(values, m).tolist()
    assert sorted(values[picked].tolist(), reverse=True) == sorted(scores, reverse=True)[:m]
    assert picked == sorted(picked, key=lambda i: (-scores[i], i))
    assert picked == top_m(values, m).tolist()


def test_without_diversity_the_list_is_by_relevance() -> None:
    relevance = np.array([0.2, 0.9, 0.5])
    affinity = np.zeros((3, 2), dtype=np.float32)
    similarity = np.eye(3, dtype=np.float32)
    picks = rerank(relevance, similarity, affinity, k=3, diversity=0, partner_coverage=0)
    assert picks.tolist() == [1, 2, 0]


def test_a_near_copy_of_the_first_pick_waits_its_turn() -> None:
    relevance = np.array([0.9, 0.88, 0.6])
    similarity = np.array([[1, 0.95, 0], [0.95, 1, 0], [0, 0, 1]], dtype=np.float32)
    affinity = np.zeros((3, 2), dtype=np.float32)
    picks = rerank(relevance, similarity, affinity, k=2, diversity=0.3, partner_coverage=0)
    assert picks.tolist() == [0, 2]


def test_a_partner_nobody_served_yet_gets_an_idea() -> None:
    relevance = np.array([0.9, 0.85, 0.7])
    affinity = np.array([[0.9, 0.0], [0.9, 0.0], [0.0, 0.9]], dtype=np.float32)
    similarity = np.zeros((3, 3), dtype=np.float32)
    picks = rerank(relevance, similarity, affinity, k=2, diversity=0, partner_coverage=0.5)
    assert picks.tolist() == [0, 2]


def test_ideas_of_one_category_setting_and_price_band_are_alike() -> None:
    units = sp.csr_matrix(np.eye(3, dtype=np.float32))
    similarity = IdeaSimilarity(
        units, np.array([1, 1, 2]), np.array([0, 0, 1]), np.array([20.0, 25.0, np.nan])
    )
    assert similarity[0][1] > similarity[0][2]
    np.testing.assert_allclose([similarity[i][i] for i in range(3)], 1.0)


@given(st.integers(1, 8), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_a_similarity_row_is_the_row_of_the_whole_product_to_the_last_bit(
    ideas: int, width: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    dense = (rng.random((ideas, width)) * (rng.random((ideas, width)) < 0.5)).astype(np.float32)
    units = sp.csr_matrix(dense)
    codes = rng.integers(0, 3, size=(2, ideas))
    cost = rng.choice([np.nan, 0.0, 20.0, 120.0], size=ideas)
    similarity = IdeaSimilarity(units, codes[0], codes[1], cost)
    band = np.digitize(np.nan_to_num(cost, nan=-1.0), [0.5, 30, 100, 250])
    whole = (
        0.6 * (units @ units.T).toarray().astype(np.float32)
        + 0.25 * np.equal.outer(codes[0], codes[0]).astype(np.float32)
        + 0.1 * np.equal.outer(codes[1], codes[1]).astype(np.float32)
        + 0.05 * np.equal.outer(band, band).astype(np.float32)
    )
    for i in range(ideas):
        np.testing.assert_array_equal(similarity[i], whole[i])


@given(
    st.integers(1, 40),
    st.integers(2, 3),
    st.integers(1, 10),
    st.floats(0.05, 0.9),
    st.integers(0, 2**32 - 1),
)
def test_the_fit_floor_skips_only_steps_where_it_rules_out_nothing(
    size: int, partners: int, k: int, floor: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    relevance = rng.random(size)
    similarity = rng.random((size, size)).astype(np.float32)
    affinity = (rng.random((size, partners)) * (rng.random((size, partners)) < 0.7)).astype(
        np.float32
    )

    def picks() -> list[int]:
        order = rerank(
            relevance, similarity, affinity, k=k, diversity=0.3, partner_coverage=0.3, floor=floor
        )
        return order.tolist()

    with pytest.MonkeyPatch.context() as patch:
        # A margin no bound reaches: the slack of every idea is worked out at every step.
        patch.setattr(diversify, "_SURE", np.inf)
        everywhere = picks()
    assert picks() == everywhere
