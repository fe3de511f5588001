"""Stage 6, diversify: the top M by score, re-ranked so the k ideas differ and each partner
finds one to love."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..config import Weights
from .candidates import Candidates
from .score import Scored


def top_m(scores: np.ndarray, m: int) -> np.ndarray:
    """Positions of the best `m` scores, best first (argpartition, then a small sort)."""
    candidates = np.arange(scores.size)
    if scores.size > m:
        candidates = np.argpartition(-scores, m - 1)[:m]
    # A stable sort on (-score, position) makes ties deterministic.
    order = np.lexsort((candidates, -scores[candidates]))
    ranked: np.ndarray = candidates[order]
    return ranked


def idea_similarity(
    unit_rows: sp.csr_matrix, category: np.ndarray, setting: np.ndarray, cost: np.ndarray
) -> np.ndarray:
    """M × M similarity: content cosine plus same category, setting and price band.

    `category` and `setting` may be any comparable codes; `cost` is the cheapest price
    (NaN when unknown).
    """
    cosine = (unit_rows @ unit_rows.T).toarray().astype(np.float32)
    band = np.digitize(np.nan_to_num(cost, nan=-1.0), [0.5, 30, 100, 250])
    # Each pair's sameness of category, setting and price band, as 0 or 1.
    similarity: np.ndarray = (
        0.6 * cosine
        + 0.25 * np.equal.outer(category, category).astype(np.float32)
        + 0.1 * np.equal.outer(setting, setting).astype(np.float32)
        + 0.05 * np.equal.outer(band, band).astype(np.float32)
    )
    return similarity


def rerank(
    relevance: np.ndarray,
    similarity: np.ndarray,
    affinity: np.ndarray,
    *,
    k: int,
    diversity: float,
    partner_coverage: float,
) -> np.ndarray:
    """Greedy MMR (Carbonell & Goldstein 1998) with an xQuAD term (Santos et al. 2010).

    Each step picks argmax of (1 - diversity)·rel - diversity·max sim to the chosen ideas
    + coverage · mean over partners of aff_p(i) · Π_chosen (1 - aff_p(j)): an idea that
    serves a partner nobody has served yet is worth more. Returns positions into `relevance`.
    """
    size = relevance.size
    k = min(k, size)
    chosen: list[int] = []
    max_sim = np.zeros(size, dtype=np.float32)
    uncovered = np.ones(affinity.shape[1], dtype=np.float32)
    available = np.ones(size, dtype=bool)
    for _ in range(k):
        coverage = (affinity * uncovered[np.newaxis, :]).mean(axis=1)
        value = (1 - diversity) * relevance - diversity * max_sim + partner_coverage * coverage
        value = np.where(available, value, -np.inf)
        pick = int(np.argmax(value))
        chosen.append(pick)
        available[pick] = False
        max_sim = np.maximum(max_sim, similarity[pick])
        uncovered *= 1.0 - affinity[pick]
    return np.asarray(chosen, dtype=np.int64)


def diversify(
    candidates: Candidates, scored: Scored, weights: Weights, *, k: int, seed: int | None
) -> np.ndarray:
    """Positions into `scored.rows` of the k ideas, best first. With a seed, scores get a
    small seeded jitter first, so one couple can ask for another list."""
    relevance = scored.score.astype(np.float64)
    if seed is not None and weights.exploration > 0:
        relevance = relevance + weights.exploration * np.random.default_rng(seed).random(
            relevance.size
        )
    best = top_m(relevance, max(weights.top_m, k))
    shortlist = scored.rows[best]
    similarity = idea_similarity(
        candidates.catalog.space.unit_rows(candidates.item_rows(shortlist)),
        candidates.codes["category"][shortlist],
        candidates.codes["setting"][shortlist],
        candidates.numbers["cost_min"][shortlist],
    )
    chosen = rerank(
        relevance[best],
        similarity,
        scored.affinity[best],
        k=k,
        diversity=weights.diversity,
        partner_coverage=weights.partner_coverage,
    )
    picks: np.ndarray = best[chosen]
    return picks
