"""The baselines: simple ways to pick k ideas from the same eligible set as the recommender."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from novelty import Couple, Recommender
from novelty.pipeline import candidates, query, score
from novelty.pipeline.diversify import top_m

Rows = NDArray[np.int64]
WHEN = "this weekend"
#: Interests do not depend on the clock: any fixed time serves to build a query.
_ANY_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


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
    index = recommender.index_
    space = index.space
    profile = np.zeros(space.width, dtype=np.float32)
    for partner in couple.partners:
        for label, weight in partner.interests.items():
            terms = space.terms(label)
            profile[terms.columns] += weight * terms.weights
    length = float(np.linalg.norm(space.column_weights * profile))
    if length > 0:
        profile /= length
    return space.cosine_to(index.matrix, index.norms, profile)


def catalog_affinities(recommender: Recommender, couple: Couple) -> NDArray[np.float64]:
    """Every catalog row × partner: how much the partner's interests draw them to it."""
    index = recommender.index_
    q = ask(couple, now=_ANY_TIME)
    rows = np.arange(len(index))
    c = candidates.of_catalog(index, q)
    return score.partner_affinities(c, couple, rows.astype(np.int32), rows.size).astype(np.float64)


def ask(couple: Couple, now: dt.datetime | None) -> query.Query:
    """The query `Recommender.recommend` makes for the evaluation's window."""
    return query.make_query(
        couple, when=WHEN, k=1, budget=None, near=None, radius_km=None, now=now,
        seed=None, strict=False, history=None,
    )  # fmt: skip
