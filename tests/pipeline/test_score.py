"""Stage 5, score: history lowers novelty, recency more so, ranges hold, pruning is exact."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import novelty
from novelty.pipeline.score import COMPONENTS, couple_fit

from ..strategies import catalog_ids, couples
from .frames import make_couple, make_query, scored, small_index

NOW = dt.datetime(2026, 11, 27, 18, tzinfo=dt.UTC)
TODAY = NOW.date()
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def components(
    recommender: novelty.Recommender,
    couple: novelty.Couple,
    outings: tuple[novelty.Outing, ...],
    **options: object,
) -> pd.DataFrame:
    """Every catalog row's components (all rows scored, none filtered out)."""
    q = make_query(couple.model_copy(update={"history": outings}), now=NOW)
    index = recommender.index_
    _, _, s, _ = scored(index, q, recommender.weights, rows=np.arange(len(index)), **options)
    return pd.DataFrame(s.components)


def row(recommender: novelty.Recommender, activity_id: str) -> int:
    return int(recommender.ids_.get_loc(activity_id))


@PROPERTY
@given(couple=couples(), extra=st.sampled_from(catalog_ids()), days_ago=st.integers(0, 700))
def test_an_added_outing_never_raises_that_activitys_novelty(
    recommender: novelty.Recommender, couple: novelty.Couple, extra: str, days_ago: int
) -> None:
    outing = novelty.Outing(activity_id=extra, date=TODAY - dt.timedelta(days=days_ago))
    before = components(recommender, couple, couple.history)
    after = components(recommender, couple, (*couple.history, outing))
    i = row(recommender, extra)
    assert after["novelty"].iat[i] <= before["novelty"].iat[i] + 1e-6
    assert after["newness"].iat[i] <= before["newness"].iat[i]
    assert (after["novelty"].to_numpy() <= before["novelty"].to_numpy() + 1e-6).all()


@PROPERTY
@given(couple=couples(), extra=st.sampled_from(catalog_ids()), recent=st.integers(0, 60))
def test_a_recent_outing_lowers_novelty_more_than_an_old_one(
    recommender: novelty.Recommender, couple: novelty.Couple, extra: str, recent: int
) -> None:
    def novelty_after(days: int) -> float:
        outing = novelty.Outing(activity_id=extra, date=TODAY - dt.timedelta(days=days))
        frame = components(recommender, couple, (*couple.history, outing))
        return float(frame["novelty"].iat[row(recommender, extra)])

    assert novelty_after(recent) < novelty_after(recent + 365)


@PROPERTY
@given(couple=couples())
def test_scores_are_finite_and_in_range(
    recommender: novelty.Recommender, couple: novelty.Couple
) -> None:
    frame = components(recommender, couple, couple.history)
    values = frame.drop(columns="familiarity").to_numpy()
    assert np.isfinite(frame.to_numpy()).all()
    assert ((values >= 0) & (values <= 1 + 1e-6)).all()
    assert (frame["familiarity"] >= 0).all()


def test_novelty_recovers_as_an_outing_ages(recommender: novelty.Recommender) -> None:
    couple = novelty.Couple(
        partners=(novelty.Partner(name="A"), novelty.Partner(name="B")),
        home=novelty.Location(lat=0, lon=0, timezone="UTC"),
    )
    half_life = novelty.Weights().half_life_days
    by_age = [
        components(
            recommender,
            couple,
            (novelty.Outing(activity_id="escape-room-for-two", date=TODAY - dt.timedelta(days=d)),),
        )["novelty"].iat[row(recommender, "escape-room-for-two")]
        for d in (0, half_life, 4 * half_life)
    ]
    assert by_age[0] < by_age[1] < by_age[2] < 1.0


def test_couple_fit_leaves_nobody_out() -> None:
    balanced, _ = couple_fit(np.array([[0.6, 0.6]]), 0.05)
    lopsided, _ = couple_fit(np.array([[1.0, 0.0]]), 0.05)
    assert balanced[0] > 0.5 > lopsided[0]


@PROPERTY
@given(
    couple=couples(),
    best=st.integers(1, 120),
    margin=st.sampled_from([0.0, 0.02, 0.2]),
    seed=st.integers(0, 2**16),
)
def test_scoring_only_what_could_be_best_keeps_the_best_exact(
    recommender: novelty.Recommender, couple: novelty.Couple, best: int, margin: float, seed: int
) -> None:
    """Familiarity and taste are skipped for rows that cannot make the cut; whatever
    jitter up to `margin` is added, the best rows and their numbers are those of a full
    scoring."""
    full = components(recommender, couple, couple.history)
    some = components(recommender, couple, couple.history, best=best, margin=margin)
    jitter = margin * np.random.default_rng(seed).random(len(full))
    top = np.argsort(-(full["score"].to_numpy(np.float64) + jitter), kind="stable")[:best]
    kept = np.argsort(-(some["score"].to_numpy(np.float64) + jitter), kind="stable")[:best]
    assert set(top) == set(kept)
    pd.testing.assert_frame_equal(full.iloc[top], some.iloc[top])
    assert (some["score"].to_numpy() <= full["score"].to_numpy() + 1e-6).all()
    skipped = some["taste"].isna().to_numpy()
    assert not skipped[top].any()


@PROPERTY
@given(couple=couples())
def test_no_idea_is_liked_by_taste_more_than_its_familiarity_allows(
    recommender: novelty.Recommender, couple: novelty.Couple
) -> None:
    """What lets the score skip rows: taste is a decay-weighted mean over the outings, so
    an idea's taste cosine is at most its familiarity over the sum of the decay weights."""
    q = make_query(couple, now=NOW)
    index = recommender.index_
    c, _, _, past = scored(index, q, recommender.weights, rows=np.arange(len(index)))
    if not couple.history:
        assert past.decay_total == 0
        return
    familiar, liked = c.cosines(None, past.familiarity, past.taste)
    familiar = np.maximum(familiar, 0)
    # Equal in exact arithmetic when every outing is loved: float32 rounding is allowed.
    assert (np.abs(liked) <= familiar / past.decay_total * (1 + 1e-5) + 1e-6).all()


def test_the_couples_favourite_beats_what_only_one_partner_likes() -> None:
    index = small_index()
    q = make_query(make_couple())
    _, _, s, _ = scored(index, q)
    by_id = dict(zip(index.ids[s.rows], s.score.tolist(), strict=True))
    assert by_id["jazz-bar"] > by_id["pottery-night"]
    assert by_id["jazz-bar"] > by_id["sunrise-hike"]


def test_components_line_up_with_the_scored_rows() -> None:
    index = small_index()
    _, _, s, _ = scored(index, make_query(make_couple()))
    assert {v.shape for v in s.components.values()} == {(s.rows.size,)}
    assert {v.dtype for v in s.components.values()} == {np.dtype(np.float32)}
    assert tuple(s.components) == COMPONENTS
    assert s.affinity.shape == s.newness.shape == (s.rows.size, 2)


@given(
    st.lists(st.lists(st.sampled_from([0.0, 0.0, 1e-6, 0.3, 0.999]), min_size=2, max_size=2)),
    st.sampled_from([0.0, 0.2, 0.52, 1.0]),
)
def test_the_fit_gate_is_fit_to_the_power_of_the_dial(
    affinity: list[list[float]], exponent: float
) -> None:
    fit, gate = couple_fit(np.array(affinity, dtype=np.float32).reshape(-1, 2), 0.05, exponent)
    np.testing.assert_array_equal(gate, fit ** np.float32(exponent))
