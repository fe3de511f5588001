"""The public API is exactly what DESIGN.md promises: these names, each importable."""

from __future__ import annotations

import novelty

EXPORTED = [
    "Activity",
    "ArgumentError",
    "Budget",
    "BudgetError",
    "CatalogError",
    "Couple",
    "Day",
    "FreeTime",
    "HistoryError",
    "HistoryStore",
    "Location",
    "NoveltyError",
    "Outing",
    "Partner",
    "Problem",
    "ProfileError",
    "Recommendation",
    "Recommendations",
    "Recommender",
    "SourceError",
    "SourceSpec",
    "Weights",
    "Window",
    "WindowError",
    "__version__",
    "load_catalog",
    "load_profile",
    "recommend",
    "recommend_many",
]


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(novelty.__all__) == sorted(EXPORTED)


def test_every_public_name_can_be_imported() -> None:
    for name in novelty.__all__:
        assert getattr(novelty, name) is not None


def test_every_error_is_a_novelty_error() -> None:
    errors = [getattr(novelty, n) for n in novelty.__all__ if n.endswith("Error")]
    assert all(issubclass(e, novelty.NoveltyError) for e in errors)
