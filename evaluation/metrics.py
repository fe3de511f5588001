"""Metrics of recommendation lists: EPD novelty, ILD, coverage, entropy and partner fit.

Formulas from Vargas & Castells (RecSys 2011) and Castells, Hurley & Vargas (2022, ch. 16),
as summarised in REFERENCES.md; distances are cosine distances 1 − a·b/(|a||b|), except the
label-set EPD, which uses the Jaccard distance 1 − a·b/(|a|²+|b|²−a·b).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

#: A partner is matched by an idea whose affinity reaches this. With interest weights in
#: 0.5–1.5 the weakest single interest match scores 0.85 · 0.5 / 1.5 ≈ 0.28 in
#: `novelty.scoring.partner_affinities`, and an idea carrying none of the partner's labels
#: scores 0, so 0.25 means exactly "carries one of their interest tags or categories".
MATCH_THRESHOLD = 0.25


def _unit(rows: ArrayLike) -> Floats:
    """Rows scaled to length 1; an all-zero row stays zero (distance 1 to everything)."""
    matrix = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    scaled: Floats = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return scaled


def cosine_distances(a: ArrayLike, b: ArrayLike) -> Floats:
    """All pairwise cosine distances between the rows of `a` and the rows of `b`."""
    distances: Floats = 1.0 - _unit(a) @ _unit(b).T
    return distances


def jaccard_distances(a: ArrayLike, b: ArrayLike) -> Floats:
    """All pairwise Jaccard distances 1 − a·b/(|a|²+|b|²−a·b); on 0/1 rows (label sets) this
    is 1 − |A∩B|/|A∪B|. Two all-zero rows are at distance 1, as for the cosine."""
    left = np.atleast_2d(np.asarray(a, dtype=np.float64))
    right = np.atleast_2d(np.asarray(b, dtype=np.float64))
    dot = left @ right.T
    union = (left * left).sum(axis=1)[:, np.newaxis] + (right * right).sum(axis=1) - dot
    shared: Floats = np.divide(dot, union, out=np.zeros_like(dot), where=union > 0)
    return 1.0 - shared


def epd(
    recommended: ArrayLike,
    profile: ArrayLike,
    distance: Callable[[ArrayLike, ArrayLike], Floats] = cosine_distances,
) -> float:
    """Expected profile distance: mean over recommended items of their mean distance to the
    profile items (no rank discount, every item relevant). NaN when either side is empty."""
    left, right = np.asarray(recommended), np.asarray(profile)
    if left.size == 0 or right.size == 0:
        return float("nan")
    return float(distance(left, right).mean())


def nearest_distance(recommended: ArrayLike, profile: ArrayLike) -> float:
    """Mean over recommended items of the distance to the closest profile item: EPD with min
    in place of mean, so one near-identical outing is enough to make an idea familiar."""
    left, right = np.asarray(recommended), np.asarray(profile)
    if left.size == 0 or right.size == 0:
        return float("nan")
    return float(cosine_distances(left, right).min(axis=1).mean())


def ild(recommended: ArrayLike) -> float:
    """Intra-list diversity: 2/(n(n−1)) · Σ_{k<l} d(i_k, i_l). NaN for fewer than two items."""
    rows = np.asarray(recommended)
    n = rows.shape[0] if rows.ndim == 2 else 0
    if n < 2:
        return float("nan")
    upper = np.triu_indices(n, k=1)
    return float(cosine_distances(rows, rows)[upper].mean())


def recommendation_counts(lists: list[NDArray[np.int64]], catalog_size: int) -> NDArray[np.int64]:
    """How often each catalog item (by row) appears over all lists."""
    if not lists:
        return np.zeros(catalog_size, dtype=np.int64)
    counts: NDArray[np.int64] = np.bincount(np.concatenate(lists), minlength=catalog_size)
    return counts


def catalog_coverage(counts: ArrayLike) -> float:
    """Share of the catalog recommended at least once: distinct recommended / catalog size."""
    values = np.asarray(counts)
    return float((values > 0).mean()) if values.size else float("nan")


def entropy(counts: ArrayLike) -> float:
    """Distributional coverage −Σ p(i) log2 p(i), p(i) = share of recommendations that are i."""
    values = np.asarray(counts, dtype=np.float64)
    values = values[values > 0]
    if values.size == 0:
        return 0.0
    p = values / values.sum()
    return float(-(p * np.log2(p)).sum())


def partner_fit(affinity: ArrayLike) -> tuple[float, float]:
    """(mean affinity over items and partners, the worse partner's mean over the list).

    `affinity` is items × partners. Fit is judged per list: a partner served by two of five
    ideas is not let down by the three meant for the other one.
    """
    values = np.asarray(affinity, dtype=np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    per_partner = values.mean(axis=0)
    return float(per_partner.mean()), float(per_partner.min())


def every_partner_matched(affinity: ArrayLike, threshold: float = MATCH_THRESHOLD) -> bool:
    """True when each partner has at least one idea with affinity >= `threshold`."""
    values = np.asarray(affinity, dtype=np.float64)
    return bool(values.size and (values >= threshold).any(axis=0).all())
