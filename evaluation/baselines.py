"""The baselines: simple ways to pick k ideas from the same eligible set as the recommender."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from novelty import Couple, Recommender
from novelty.diversify import top_m
from novelty.features import cosine_to

Rows = NDArray[np.int64]


def random_ideas(eligible: NDArray[np.bool_], k: int, rng: np.random.Generator) -> Rows:
    """Any k eligible ideas, uniformly (a date-idea jar)."""
    candidates = np.flatnonzero(eligible)
    picked: Rows = rng.choice(candidates, size=min(k, candidates.size), replace=False)
    return picked


def ranked_ideas(eligible: NDArray[np.bool_], scores: NDArray[np.floating], k: int) -> Rows:
    """The k eligible ideas with the highest scores, ties broken by catalog order."""
    candidates = np.flatnonzero(eligible)
    best: Rows = candidates[top_m(np.asarray(scores, dtype=np.float64)[candidates], k)]
    return best


def popularity(recommender: Recommender, couples: Sequence[Couple]) -> NDArray[np.float64]:
    """Per catalog row, how often it appears in all the couples' histories."""
    ids = [o.activity_id for c in couples for o in c.history if o.activity_id]
    rows = recommender.ids_.get_indexer(pd.Index(ids))
    counts = np.bincount(rows[rows >= 0], minlength=len(recommender.ids_))
    return counts.astype(np.float64)


def interest_similarity(recommender: Recommender, couple: Couple) -> NDArray[np.float32]:
    """Cosine of every catalog row with the weighted union of both partners' interests.

    A label both partners hold counts with the sum of their weights. Pure content-based
    relevance: no history, no novelty, no diversity.
    """
    space = recommender.space_
    profile = np.zeros(space.width, dtype=np.float32)
    for partner in couple.partners:
        for label, weight in partner.interests.items():
            profile += weight * space.query(label)
    length = float(np.linalg.norm(space.column_weights_ * profile))
    if length > 0:
        profile /= length
    return cosine_to(recommender.matrix_, recommender.norms_, space, profile)
