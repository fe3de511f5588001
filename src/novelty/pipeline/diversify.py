"""Stage 6, diversify: the top M by score, re-ranked so the k ideas differ and each partner
finds one to love."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..config import Weights
from .candidates import Candidates
from .score import Scored
from .taste import History

#: An idea "touches" a partner whose affinity reaches this: with interest weights of 0.5 to
#: 1.5, one matching interest tag or category scores at least 0.28 (docs/scoring.md).
BRIDGE_AFFINITY = 0.25


def top_m(scores: np.ndarray, m: int) -> np.ndarray:
    """Positions of the best `m` scores, best first (argpartition, then a small sort)."""
    candidates = np.arange(scores.size)
    if scores.size > m:
        candidates = np.argpartition(-scores, m - 1)[:m]
    # A stable sort on (-score, position) makes ties deterministic.
    order = np.lexsort((candidates, -scores[candidates]))
    ranked: np.ndarray = candidates[order]
    return ranked


class IdeaSimilarity:
    """Similarity of M ideas to each other: content cosine plus same category, setting and
    price band. A row is worked out when read (`similarity[i]`): MMR reads only the rows of
    its k picks, not all M.

    `units` are the ideas' unit rows; `category` and `setting` may be any comparable codes;
    `cost` is the cheapest price (NaN when unknown).
    """

    def __init__(
        self, units: sp.csr_matrix, category: np.ndarray, setting: np.ndarray, cost: np.ndarray
    ) -> None:
        self.units = units
        self.band = np.digitize(np.nan_to_num(cost, nan=-1.0), [0.5, 30, 100, 250])
        self.category = category
        self.setting = setting

    def __getitem__(self, idea: int) -> np.ndarray:
        units = self.units
        lo, hi = units.indptr[idea], units.indptr[idea + 1]
        row = np.zeros(units.shape[1], dtype=units.dtype)
        row[units.indices[lo:hi]] = units.data[lo:hi]
        # Each idea's products summed in float32 in the order of its columns, as the whole
        # product sums them: the same numbers to the last bit (zeros add nothing).
        cosine = units @ row
        similarity: np.ndarray = (
            0.6 * cosine
            + 0.25 * (self.category == self.category[idea]).astype(np.float32)
            + 0.1 * (self.setting == self.setting[idea]).astype(np.float32)
            + 0.05 * (self.band == self.band[idea]).astype(np.float32)
        )
        return similarity


#: Float32 rounding margin of the floor's lower bound in `rerank`.
_SURE = 1e-5


def rerank(
    relevance: np.ndarray,
    similarity: np.ndarray | IdeaSimilarity,
    affinity: np.ndarray,
    *,
    k: int,
    diversity: float,
    partner_coverage: float,
    floor: float = 0.0,
    ruts: np.ndarray | None = None,
    unlike: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy MMR (Carbonell & Goldstein 1998) with an xQuAD term (Santos et al. 2010).

    Each step picks argmax of (1 - diversity)·rel - diversity·max sim to the chosen ideas
    + coverage · mean over partners of aff_p(i) · Π_chosen (1 - aff_p(j)): an idea that
    serves a partner nobody has served yet is worth more. Returns positions into `relevance`.
    Only the rows of `similarity` (M × M) of the picks are read.

    Two limits narrow each step: every partner's mean affinity over the list must still be
    able to reach `floor` (counting each partner's best ideas for the slots left, so the
    bound is optimistic and the last picks fall back to the most fit when it fails), and
    of the ideas carrying a rut label (`ruts`: ideas × rut labels, true where carried) the
    list takes one per label while other ideas remain. `unlike` adds to each idea's value
    (its distance to the nearest outing, times the weight of being unlike them).
    """
    size = relevance.size
    k = min(k, size)
    chosen: list[int] = []
    max_sim = np.zeros(size, dtype=np.float32)
    uncovered = np.ones(affinity.shape[1], dtype=np.float32)
    available = np.ones(size, dtype=bool)
    got = np.zeros(affinity.shape[1], dtype=np.float64)
    free = np.ones(size, dtype=bool)
    if unlike is not None:
        relevance = relevance + unlike
    kept, partners, needed = (1 - diversity) * relevance, np.intp(affinity.shape[1]), k * floor
    for step in range(k):
        # The mean over partners, divided as np.mean divides (its wrapper costs more here).
        coverage = np.add.reduce(affinity * uncovered, axis=1)
        np.true_divide(coverage, partners, out=coverage, casting="unsafe")
        value = kept - diversity * max_sim + partner_coverage * coverage
        open_ = available & free
        if not open_.any():
            open_ = available.copy()
        if floor > 0:
            # Best each partner could add with the slots left after this one, this idea aside.
            left = k - step - 1
            best = -np.sort(-np.where(available[:, np.newaxis], affinity, 0.0), axis=0)
            head = best[:left].sum(axis=0)
            # An idea adds its own affinity or takes the place of one of the best, so what
            # is got and the best could add bounds every idea's slack from below: when that
            # reaches the floor for every partner, no idea is ruled out.
            if (got + head).min() - needed < _SURE:
                after = best[left] if left < size else np.zeros_like(got)
                inside = affinity >= best[left - 1] if left else np.zeros(affinity.shape, bool)
                slack = (got + affinity + np.where(inside, head - affinity + after, head)).min(
                    axis=1
                ) - needed
                if (open_ & (slack >= 0)).any():
                    open_ &= slack >= 0
                else:
                    value = slack
        pick = int(np.argmax(np.where(open_, value, -np.inf)))
        chosen.append(pick)
        available[pick] = False
        max_sim = np.maximum(max_sim, similarity[pick])
        uncovered *= 1.0 - affinity[pick]
        got += affinity[pick]
        if ruts is not None and ruts.shape[1]:
            free &= ~ruts[:, ruts[pick]].any(axis=1)
    return np.asarray(chosen, dtype=np.int64)


def diversify(
    candidates: Candidates,
    scored: Scored,
    weights: Weights,
    *,
    k: int,
    seed: int | None,
    history: History | None = None,
) -> np.ndarray:
    """Positions into `scored.rows` of the k ideas, best first. With a seed, scores get a
    small seeded jitter first, so one couple can ask for another list.

    The list keeps `weights.fit_keep` of the worse partner's fit of the k most fit ideas,
    takes one idea per rut label of the `history` (see `taste.rut_labels`), prefers ideas
    unlike any outing by `weights.unlike`, and holds a bridge (an idea touching every
    partner) whenever one is eligible.
    """
    relevance = scored.score.astype(np.float64)
    if seed is not None and weights.exploration > 0:
        relevance = relevance + weights.exploration * np.random.default_rng(seed).random(
            relevance.size
        )
    best = top_m(relevance, max(weights.top_m, k))
    shortlist = scored.rows[best]
    items = candidates.item_rows(shortlist)
    fit = scored.components["fit"]
    most_fit = np.argpartition(-fit, k - 1)[:k] if fit.size > k else np.arange(fit.size)
    reachable = float(scored.affinity[most_fit].mean(axis=0).min()) if fit.size else 0.0
    ruts = None if history is None else history.rut
    carries = None if ruts is None or not ruts.size else items[:, ruts].toarray() > 0
    units = candidates.catalog.space.unit_rows(items)
    unlike = None
    if history is not None and history.outings.count and weights.unlike > 0:
        nearest = history.outings.nearest(units)
        unlike = weights.unlike * (1.0 - np.clip(nearest, 0.0, 1.0))
    category, setting = candidates.at(shortlist, "category", "setting")
    similarity = IdeaSimilarity(units, category, setting, candidates.cost_min[shortlist])
    chosen = rerank(
        relevance[best],
        similarity,
        scored.affinity[best],
        k=k,
        diversity=weights.diversity,
        partner_coverage=weights.partner_coverage,
        floor=weights.fit_keep * reachable,
        ruts=carries,
        unlike=unlike,
    )
    picks: np.ndarray = best[chosen]
    bridges = np.ones(scored.affinity.shape[0], dtype=bool)
    for partner in scored.affinity.T:
        bridges &= partner >= BRIDGE_AFFINITY
    if picks.size > 1 and bridges.any() and not bridges[picks].any():
        # The best bridge takes the last place, unless it repeats a rut the others have.
        order = np.flatnonzero(bridges)
        order = order[np.argsort(-relevance[order], kind="stable")]
        if carries is not None and ruts is not None:
            kept = carries[chosen[:-1]].any(axis=0)
            clash = candidates.item_rows(scored.rows[order])[:, ruts[kept]].getnnz(axis=1) > 0
            order = np.concatenate([order[~clash], order[clash]])
        picks[-1] = order[0]
    return picks
