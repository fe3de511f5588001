"""Typos in a profile become problems with a suggestion: history ids and interests."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import novelty
from novelty.labels import display_label
from novelty.typos import unknown_history_ids, unmatched_interests

from .conftest import EXAMPLE_PROFILE, FRIDAY_EVENING

IDS = pd.Index(["thai-cooking-class", "wild-cave-tour", "sunrise-hike"])
LABELS = {"hiking", "food-drink", "live-music", "board", "games"}


def messages(problems: list[novelty.Problem]) -> list[str]:
    assert all(problem.source == "profile" for problem in problems)
    return [problem.message for problem in problems]


def test_an_unknown_history_id_gets_the_closest_catalog_id() -> None:
    found = unknown_history_ids(["thai-cookng-class"], IDS)
    assert messages(found) == [
        "history id 'thai-cookng-class' is not in the catalog; did you mean 'thai-cooking-class'?"
    ]


def test_an_unknown_history_id_with_nothing_close_gets_no_guess() -> None:
    found = unknown_history_ids(["opera-night"], set(IDS))
    assert messages(found) == ["history id 'opera-night' is not in the catalog"]


def test_an_interest_that_matches_no_label_gets_the_closest_label() -> None:
    found = unmatched_interests(["hikking", "hikking"], LABELS)
    assert messages(found) == [
        "interest 'hikking' matches no catalog label; did you mean 'hiking'?"
    ]


def _example(**changes: object) -> novelty.Couple:
    couple = novelty.load_profile(EXAMPLE_PROFILE)
    return couple.model_copy(update=changes)


def test_recommend_lists_a_mistyped_history_id_and_interest_with_a_guess() -> None:
    couple = _example()
    maya, jordan = couple.partners
    typo = maya.model_copy(update={"interests": {**maya.interests, "hikking": 1.0}})
    outing = novelty.Outing(activity_id="thai-cookng-class", date="2026-10-01")
    wrong = couple.model_copy(
        update={"partners": (typo, jordan), "history": (*couple.history, outing)}
    )
    recs = novelty.Recommender().recommend(wrong, now=FRIDAY_EVENING)
    said = [p.message for p in recs.problems if p.source == "profile"]
    assert "history id 'thai-cookng-class' is not in the catalog; did you mean " in said[0]
    assert said[1] == "interest 'hikking' matches no catalog label; did you mean 'hiking'?"
    with pytest.raises(novelty.ProfileError, match="thai-cookng-class"):
        novelty.Recommender().recommend(wrong, now=FRIDAY_EVENING, strict=True)


@pytest.mark.parametrize("interest", ["Live Music", "board games", "food-drink"])
def test_labels_and_phrases_of_known_words_are_not_typos(interest: str) -> None:
    couple = _example()
    maya, jordan = couple.partners
    liking = maya.model_copy(update={"interests": {interest: 1.0}})
    recs = novelty.Recommender().recommend(
        couple.model_copy(update={"partners": (liking, jordan)}), now=FRIDAY_EVENING
    )
    assert not [p for p in recs.problems if p.source == "profile"]


def test_a_reason_never_says_never_when_an_outings_category_is_unknown() -> None:
    couple = _example()
    vague = novelty.Outing(title="Something we did", date="2026-10-01")
    recs = novelty.Recommender().recommend(
        couple.model_copy(update={"history": (*couple.history, vague)}), now=FRIDAY_EVENING, k=8
    )
    assert not [r for idea in recs for r in idea.reasons if "done anything in" in r]
    recs = novelty.Recommender().recommend(couple, now=FRIDAY_EVENING, k=8)
    assert [r for idea in recs for r in idea.reasons if "done anything in" in r]


def test_reasons_name_categories_in_words() -> None:
    recs = novelty.recommend(_example(), now=FRIDAY_EVENING, k=10)
    named = 0
    for idea in recs:
        for reason in idea.reasons:
            if "anything in " in reason:
                named += 1
                assert f"anything in {display_label(idea.activity.category)}" in reason
    assert named


def test_an_empty_catalog_gives_no_ideas_and_suggests_no_interest_as_itself(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    empty = novelty.Recommender(novelty.load_catalog().head(0))
    recs = empty.recommend(couple, now=now)
    assert len(recs) == 0
    messages = [p.message for p in recs.problems]
    assert any("matches no catalog label" in m for m in messages)
    assert not any(
        m.endswith(f"did you mean {i!r}?") for m in messages for i in ("hiking", "live-music")
    )
