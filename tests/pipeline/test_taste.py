"""Stage 3, taste: outings as vectors of the item space."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import novelty
from novelty.pipeline import taste
from novelty.pipeline.taste import Outings, history_profile, history_profiles, outing_vectors

from .frames import days_ago, make_couple, make_query, small_index


def test_no_outings_is_an_empty_profile() -> None:
    index = small_index()
    q = make_query(make_couple())
    past = history_profile((), index, today=q.today, weights=novelty.Weights())
    assert not past.familiarity.any()
    assert past.done_ids == frozenset()


def test_a_catalog_outing_and_a_free_text_one_point_where_their_labels_are() -> None:
    index = small_index()
    q = make_query(make_couple())
    outings = (
        novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 3)),
        novelty.Outing(title="Open mic", tags=("live-music",), date=days_ago(q, 200)),
    )
    vectors = outing_vectors(outings, index).toarray()
    music = index.space.label_column("live-music")
    assert music is not None
    assert (vectors[:, music] > 0).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_recent_outings_weigh_more_and_only_those_in_the_repeat_period_are_recent() -> None:
    index = small_index()
    q = make_query(make_couple())
    past = history_profile(
        (
            novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 3), rating=5),
            novelty.Outing(activity_id="board-games", date=days_ago(q, 400), rating=1),
        ),
        index,
        today=q.today,
        weights=novelty.Weights(),
    )
    music, games = (index.space.label_column(t) for t in ("live-music", "board-games"))
    assert past.familiarity[music] > past.familiarity[games] > 0
    assert past.taste[music] > 0 > past.taste[games]
    assert past.recent_ids == frozenset({"jazz-bar"})
    assert past.done_rows.tolist() == [2, 4]


def test_an_idea_done_again_is_one_outing_to_be_unlike() -> None:
    index = small_index()
    q = make_query(make_couple())
    outings = (
        *(novelty.Outing(activity_id="jazz-bar", date=days_ago(q, d)) for d in (3, 40, 90)),
        novelty.Outing(activity_id="board-games", date=days_ago(q, 5)),
        *(
            novelty.Outing(title="Open mic", tags=("live-music",), date=days_ago(q, d))
            for d in (7, 8)
        ),
    )
    past = history_profile(outings, index, today=q.today, weights=novelty.Weights())
    # jazz-bar once, board-games once, and each free-text outing (known only by words).
    assert past.outings.count == 4
    assert past.outings.rest.shape == (4, index.space.width)
    assert past.done_rows.tolist().count(2) == 3


def test_profiles_made_together_equal_each_made_alone() -> None:
    index = small_index()
    q = make_query(make_couple())
    free = novelty.Outing(title="Open mic night", tags=("live-music",), date=days_ago(q, 20))
    histories = [
        ((novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 3), rating=5), free), q.today),
        ((), q.today),
        (
            (
                novelty.Outing(title="Clay workshop", tags=("pottery",), date=days_ago(q, 9)),
                novelty.Outing(activity_id="ski-day", date=days_ago(q, 90), rating=2),
                free,
            ),
            days_ago(q, -30),
        ),
        (
            tuple(novelty.Outing(activity_id="jazz-bar", date=days_ago(q, d)) for d in range(4)),
            q.today,
        ),
        ((), q.today),
    ]
    weights = novelty.Weights(rut_share=0.5)
    together = history_profiles(histories, index, weights=weights)
    assert together[3].rut.size
    assert not together[0].rut.size
    for (outings, today), made in zip(histories, together, strict=True):
        alone = history_profile(outings, index, today=today, weights=weights)
        assert made.familiarity.tobytes() == alone.familiarity.tobytes()
        assert made.taste.tobytes() == alone.taste.tobytes()
        assert made.recent_ids == alone.recent_ids
        assert made.done_rows.tolist() == alone.done_rows.tolist()
        assert made.done_title_codes.tolist() == alone.done_title_codes.tolist()
        assert made.recent_title_codes.tolist() == alone.recent_title_codes.tolist()
        assert made.rut.tolist() == alone.rut.tolist()
        assert made.outings.common.tolist() == alone.outings.common.tolist()
        assert made.outings.block.tobytes() == alone.outings.block.tobytes()
        assert (made.outings.rest != alone.outings.rest).nnz == 0
        assert made.outings.rest.shape == alone.outings.rest.shape
        assert (made.categories, made.categories_known) == (
            alone.categories,
            alone.categories_known,
        )


def test_a_rut_is_what_most_of_the_latest_ten_outings_carry() -> None:
    index = small_index()
    q = make_query(make_couple())
    games = novelty.Outing(activity_id="board-games", date=days_ago(q, 30))
    music = novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 2))
    weights = novelty.Weights(rut_share=0.5)
    # Ten games nights long ago, then six jazz nights: the latest ten are 6 jazz, 4 games.
    past = history_profile((games,) * 10 + (music,) * 6, index, today=q.today, weights=weights)
    columns = {index.space.label_column(label) for label in ("live-music", "drinks", "music")}
    assert set(past.rut.tolist()) == columns
    # Of one date, the later logged is the later outing: the last ten are all games nights.
    same_day = history_profile(
        (music,) * 6 + (games.model_copy(update={"date": music.date}),) * 10,
        index,
        today=q.today,
        weights=weights,
    )
    assert index.space.label_column("board-games") in same_day.rut.tolist()
    assert not columns & set(same_day.rut.tolist())
    # Fewer than three outings, or no rut share: no rut.
    assert not history_profile((music,) * 2, index, today=q.today, weights=weights).rut.size
    none = novelty.Weights(rut_share=None)
    assert not history_profile((music,) * 6, index, today=q.today, weights=none).rut.size


@given(
    st.integers(0, 6),
    st.integers(0, 40),
    st.integers(1, 12),
    st.sampled_from([1 / 8, 0.5, 2.0]),
    st.integers(0, 2**32 - 1),
)
def test_the_nearest_outing_is_the_largest_cosine_with_any_outing(
    ideas: int, outings: int, width: int, share: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)

    def unit_rows(count: int) -> sp.csr_matrix:
        dense = rng.random((count, width)) * (rng.random((count, width)) < 0.4)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        return sp.csr_matrix((dense / np.where(norms > 0, norms, 1)).astype(np.float32))

    a, b = unit_rows(ideas), unit_rows(outings)
    expected = (a @ b.T).toarray().max(axis=1, initial=0.0)
    with pytest.MonkeyPatch.context() as patch:
        # Share 2 puts every column in the rest, 1/8 most of them in the block.
        patch.setattr(taste, "COMMON_SHARE", share)
        found = Outings.of(b)
    assert found.count == outings
    assert found.block.shape == (found.common.size, outings)
    assert found.rest.nnz + np.count_nonzero(found.block) == b.nnz
    np.testing.assert_allclose(found.nearest(a), expected, atol=1e-6)
