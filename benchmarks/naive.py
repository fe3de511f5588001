"""The naive reference: the same kind of score written as a row-wise `DataFrame.apply`.

Tag overlap with each partner's interests, a decayed familiarity sum over the history
(Jaccard of tag sets), a budget filter, then a sort: what a first version without a
matrix would do. It exists only to put novelty's speed in proportion.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

import novelty

HALF_LIFE_DAYS = 180.0


def _labels(tags: str, category: str) -> frozenset[str]:
    return frozenset([*tags.split(";"), category])


def recommend(
    frame: pd.DataFrame, couple: novelty.Couple, *, today: dt.date, k: int
) -> pd.DataFrame:
    """The `k` best affordable rows of a raw catalog frame, scored row by row."""
    by_id = frame.set_index("id")
    seen: list[tuple[frozenset[str], float]] = []
    for outing in couple.history:
        if outing.activity_id in by_id.index:
            row = by_id.loc[outing.activity_id]
            labels = _labels(str(row["tags"]), str(row["category"]))
        else:
            labels = frozenset([*outing.tags, outing.category or ""])
        decay = 0.5 ** (max((today - outing.date).days, 0) / HALF_LIFE_DAYS)
        seen.append((labels, decay))
    interests = [partner.interests for partner in couple.partners]

    def score(row: pd.Series) -> float:
        labels = _labels(str(row["tags"]), str(row["category"]))
        fit = min(sum(w for tag, w in liked.items() if tag in labels) for liked in interests)
        familiarity = sum(decay * len(labels & past) / len(labels | past) for past, decay in seen)
        return (0.1 + fit) * math.exp(-familiarity) + 0.05 * float(row["excitement"])

    limit = couple.budget.per_outing if couple.budget else math.inf
    affordable = frame[frame["cost_min"] <= limit]
    scores = affordable.apply(score, axis=1)
    return affordable.assign(score=scores).sort_values("score", ascending=False).head(k)
