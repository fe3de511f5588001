"""Typos in a profile become problems with a suggestion: history ids and interests."""

from __future__ import annotations

import pandas as pd
import pytest

import novelty
from novelty.typos import unknown_history_ids, unmatched_interests

HOME = {"lat": 30.27, "lon": -97.74, "timezone": "America/Chicago"}
IDS = pd.Index(["thai-cooking-class", "wild-cave-tour", "sunrise-hike"])
LABELS = {"hiking", "food-drink", "live-music", "board", "games"}


def couple(
    *, history: tuple[str, ...] = (), interests: dict[str, float] | None = None
) -> novelty.Couple:
    return novelty.Couple.model_validate(
        {
            "home": HOME,
            "partners": [{"name": "A", "interests": interests or {}}, {"name": "B"}],
            "history": [{"activity_id": i, "date": "2026-01-01"} for i in history],
        }
    )


def messages(problems: list[novelty.Problem]) -> list[str]:
    assert all(problem.source == "profile" for problem in problems)
    return [problem.message for problem in problems]


def test_an_unknown_history_id_gets_the_closest_catalog_id() -> None:
    found = unknown_history_ids(couple(history=("thai-cookng-class",)), IDS)
    assert messages(found) == [
        "history id 'thai-cookng-class' is not in the catalog; did you mean 'thai-cooking-class'?"
    ]


def test_an_unknown_history_id_with_nothing_close_gets_no_guess() -> None:
    found = unknown_history_ids(couple(history=("opera-night",)), set(IDS))
    assert messages(found) == ["history id 'opera-night' is not in the catalog"]


def test_known_ids_and_repeats_give_one_problem_each_at_most() -> None:
    history = ("sunrise-hike", "wild-cave-tuor", "wild-cave-tuor")
    assert len(unknown_history_ids(couple(history=history), IDS)) == 1


def test_an_interest_that_matches_no_label_gets_the_closest_label() -> None:
    found = unmatched_interests(couple(interests={"hikking": 1, "hiking": 2}), LABELS)
    assert messages(found) == [
        "interest 'hikking' matches no catalog label; did you mean 'hiking'?"
    ]


@pytest.mark.parametrize("interest", ["Live Music", "board games", "food-drink"])
def test_labels_and_phrases_of_known_words_match(interest: str) -> None:
    assert unmatched_interests(couple(interests={interest: 1}), LABELS) == []
