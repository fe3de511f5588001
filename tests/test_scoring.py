"""The scoring model's promises: history lowers novelty, recency more so, ranges hold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import novelty
from novelty.scoring import Weights, couple_fit, history_profile, score

from .strategies import catalog_ids, couples

TODAY = dt.date(2026, 11, 27)
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def components(
    recommender: novelty.Recommender, couple: novelty.Couple, outings: tuple[novelty.Outing, ...]
) -> pd.DataFrame:
    r = recommender
    past = history_profile(
        outings, lookup=r.lookup_, matrix=r.matrix_, space=r.space_, today=TODAY,
        weights=r.weights,
    )  # fmt: skip
    frame, _, _ = score(
        lookup=r.lookup_, matrix=r.matrix_, norms=r.norms_, space=r.space_,
        couple=couple, history=past, budget=couple.budget, near=couple.home, radius_km=None,
        weights=r.weights,
    )  # fmt: skip
    return frame


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
    half_life = Weights().half_life_days
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
    balanced = couple_fit(np.array([[0.6, 0.6]]), 0.05)
    lopsided = couple_fit(np.array([[1.0, 0.0]]), 0.05)
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
    r = recommender
    past = history_profile(
        couple.history, lookup=r.lookup_, matrix=r.matrix_, space=r.space_, today=TODAY,
        weights=r.weights,
    )  # fmt: skip
    common = dict(
        lookup=r.lookup_, matrix=r.matrix_, norms=r.norms_, space=r.space_, couple=couple,
        history=past, budget=couple.budget, near=couple.home, radius_km=None, weights=r.weights,
    )  # fmt: skip
    full, _, _ = score(**common)  # type: ignore[arg-type]
    some, _, _ = score(**common, best=best, margin=margin)  # type: ignore[arg-type]
    jitter = margin * np.random.default_rng(seed).random(len(full))
    top = np.argsort(-(full["score"].to_numpy(np.float64) + jitter), kind="stable")[:best]
    kept = np.argsort(-(some["score"].to_numpy(np.float64) + jitter), kind="stable")[:best]
    assert set(top) == set(kept)
    pd.testing.assert_frame_equal(full.iloc[top], some.iloc[top])
    assert (some["score"].to_numpy() <= full["score"].to_numpy() + 1e-6).all()
    skipped = some["taste"].isna().to_numpy()
    assert not skipped[top].any()
