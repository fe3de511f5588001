"""The adventure dial, ruts and bridges, on the bundled catalog."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import novelty
from novelty import ArgumentError, Recommender, Weights
from novelty.config import DEFAULT_ADVENTURE, adventure_level, at_adventure
from novelty.pipeline import diversify

from .conftest import FRIDAY_EVENING
from .pipeline.frames import make_query, scored

_RECOMMENDER = Recommender().prepare()
_INDEX = _RECOMMENDER.index_
_CATEGORIES = sorted(
    c for c, n in zip(*np.unique(_INDEX.cells["category"], return_counts=True), strict=True)
    if n >= 20
)  # fmt: skip
_LABELS = sorted(_INDEX.space.labels.columns_)


def _couple(maya: dict[str, float], jordan: dict[str, float], history=()) -> novelty.Couple:  # type: ignore[no-untyped-def]
    return novelty.Couple(
        partners=(
            novelty.Partner(name="Maya", interests=maya),
            novelty.Partner(name="Jordan", interests=jordan),
        ),
        history=tuple(history),
        home=novelty.Location(lat=30.27, lon=-97.74, timezone="America/Chicago"),
    )


def test_the_default_weights_are_the_default_dial() -> None:
    dial = at_adventure(Weights(), DEFAULT_ADVENTURE)
    for name, value in Weights().model_dump().items():
        expected = getattr(dial, name)
        assert value == pytest.approx(expected, rel=0.01) if value is not None else expected is None


def test_fields_set_by_hand_win_over_the_dial() -> None:
    assert at_adventure(Weights(novelty=0.5), 1.0).novelty == 0.5
    assert at_adventure(Weights(novelty=0.5), 1.0).fit_keep == pytest.approx(0.7)


@pytest.mark.parametrize("bad", [1.5, -0.1, "wild", "2", True, float("nan")])
def test_a_bad_dial_names_the_argument_and_the_value_given(bad: object) -> None:
    with pytest.raises(ArgumentError, match="adventure") as raised:
        adventure_level(bad)  # type: ignore[arg-type]
    assert str(raised.value).endswith(f"got {bad!r}")


def test_words_and_the_profile_set_the_dial() -> None:
    assert adventure_level("Bold") > adventure_level("balanced") > adventure_level("comfort")
    couple = _couple({"hiking": 1.0}, {"cooking": 1.0}).model_copy(update={"adventure": None})
    assert novelty.Couple.model_validate({**couple.model_dump(), "adventure": "bold"}).adventure
    with pytest.raises(ArgumentError, match="adventure"):
        _RECOMMENDER.recommend(couple, now=FRIDAY_EVENING, adventure=2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    category=st.sampled_from(_CATEGORIES),
    interests=st.lists(st.sampled_from(_LABELS), min_size=4, max_size=6, unique=True),
    pick=st.randoms(use_true_random=False),
)
def test_a_couple_in_a_rut_gets_one_idea_of_it(category: str, interests: list[str], pick) -> None:  # type: ignore[no-untyped-def]
    ids = sorted(_INDEX.ids[_INDEX.cells["category"] == category])
    chosen = pick.sample(ids, 10)
    history = [
        novelty.Outing(activity_id=i, date=FRIDAY_EVENING.date() - dt.timedelta(days=30 * n + 5))
        for n, i in enumerate(chosen)
    ]
    maya = dict.fromkeys([*interests[:2], category], 1.0)
    jordan = dict.fromkeys([*interests[2:], category], 1.0)
    recs = _RECOMMENDER.recommend(_couple(maya, jordan, history), now=FRIDAY_EVENING)
    assert sum(r.activity.category == category for r in recs) <= 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labels=st.lists(st.sampled_from(_LABELS), min_size=2, max_size=6, unique=True))
def test_partners_without_a_shared_interest_get_a_bridge_when_one_exists(
    labels: list[str],
) -> None:
    half = len(labels) // 2
    couple = _couple(dict.fromkeys(labels[:half], 1.0), dict.fromkeys(labels[half:], 1.0))
    recs = _RECOMMENDER.recommend(couple, now=FRIDAY_EVENING)
    # Whether any eligible idea touches both, by the stages themselves.
    q = make_query(couple, k=5)
    _, _, s, _ = scored(_INDEX, q, _RECOMMENDER.weights)
    exists = bool((s.affinity.min(axis=1) >= diversify.BRIDGE_AFFINITY).any())
    bridged = any(
        min(r.components["fit:Maya"], r.components["fit:Jordan"]) >= diversify.BRIDGE_AFFINITY
        for r in recs
    )
    if exists:
        assert bridged
    else:
        assert any(p.source == "bridge" for p in recs.problems)


def test_the_dial_moves_the_list_away_from_the_history() -> None:
    couple = novelty.load_profile("examples/couple.toml")
    now = dt.datetime(2026, 11, 27, 18, tzinfo=couple.timezone)
    calm = _RECOMMENDER.recommend(couple, now=now, adventure="comfort")
    bold = _RECOMMENDER.recommend(couple, now=now, adventure="bold")
    mean_fit = [np.mean([r.components["fit"] for r in recs]) for recs in (calm, bold)]
    assert mean_fit[0] > mean_fit[1]
    assert [r.activity.id for r in calm] != [r.activity.id for r in bold]
