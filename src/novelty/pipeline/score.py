"""Stage 5, score: novelty against shared history, fit for both partners, and appeal,
combined into one score per eligible candidate (with exact pruning of the hopeless)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..config import Weights
from ..models import Budget, Couple
from .candidates import Candidates
from .query import Query
from .taste import History

#: Shares of the novelty mix: familiarity decay, per-partner newness, new category.
NOVELTY_MIX = (0.5, 0.3, 0.2)
#: The score's components, in the order of `Scored.components`: the combined score first.
COMPONENTS = (
    "score",
    "fit",
    "novelty",
    "newness",
    "category_new",
    "familiarity",
    "excitement",
    "interactive",
    "budget_fit",
    "distance_fit",
    "taste",
    "timely",
)


def _in_scope(position: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions among the scored rows of those of `rows` that are scored. `position`
    holds each candidate's position among the scored rows (-1 when left out), so sparse
    facts about rows land in place without a pass over every candidate."""
    at: np.ndarray = position[rows]
    return at[at >= 0]


def _hits(candidates: Candidates, labels: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows match which of `labels`, one entry per match: the row, the label's
    position in `labels`, and the strength (1 for a label, else the text cosine)."""
    rows, values, sizes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.float32)], []
    for label in labels:
        found = candidates.matches[label]
        rows.append(found.rows)
        values.append(found.values)
        sizes.append(found.rows.size)
    label_of = np.repeat(np.arange(len(labels)), sizes)
    return np.concatenate(rows), label_of, np.concatenate(values)


def partner_affinities(
    candidates: Candidates, couple: Couple, position: np.ndarray, size: int
) -> np.ndarray:
    """Scored rows × partners in [0, 1): noisy-OR of each partner's weighted interest
    matches (`position`: see `_in_scope`; `size` scored rows)."""
    out = np.empty((size, len(couple.partners)), dtype=np.float32, order="F")
    for column, partner in zip(out.T, couple.partners, strict=True):
        if not partner.interests:
            column[:] = 0.5
            continue
        labels = list(partner.interests)
        weights = np.array(list(partner.interests.values()), dtype=np.float32)
        strength = 0.85 * weights / weights.max()
        # Sparse: an interest an item does not match adds log(1 - 0) = 0 to its sum.
        rows, label_of, values = _hits(candidates, labels)
        # A label matches fully, so its term is one number per interest: a logarithm per
        # match is needed only for the partial matches of words.
        log_hit = np.log1p(-strength.astype(np.float64))[label_of]
        partial = np.flatnonzero(values < 1)
        if partial.size:
            terms = values[partial] * strength[label_of[partial]]
            log_hit[partial] = np.log1p(-terms.astype(np.float64))
        # Bin 0 gathers the matches of rows out of scope (position -1).
        sums = np.bincount(position[rows] + 1, log_hit, minlength=size + 1)
        column[:] = -np.expm1(sums[1:])
    return out


def couple_fit(
    affinity: np.ndarray, floor: float, gate: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Geometric mean of the partners' affinities (high only when nobody is left out), and
    that fit to the power `gate`: how far fit holds novelty back (below 1, a bolder dial
    lets far ideas rise)."""
    mean_log = np.log(affinity + floor).mean(axis=1)
    fit: np.ndarray = np.clip(np.exp(mean_log) - floor, 0.0, 1.0).astype(np.float32)
    if gate == 1:
        return fit, fit
    # Most rows fit not at all, and a power of 0 takes a slow path (about 17 ns against
    # 1.5): only the others are raised.
    gated = np.full(fit.shape, 0.0 if gate > 0 else 1.0, dtype=np.float32)
    some = np.flatnonzero(fit > 0)
    gated[some] = fit[some] ** np.float32(gate)
    return fit, gated


def partner_newness(
    candidates: Candidates, couple: Couple, history: History, rows: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """Scored rows × partners: 1 new to this partner, 0.5 they tried something like it,
    0 done it."""
    done_together = candidates.where(
        "title", history.done_titles, rows=rows, codes=history.done_title_codes
    )
    done_together[_in_scope(position, history.done_rows)] = True
    if candidates.events is not None:
        # Events the couple did, named by id (outings name catalog rows already).
        done = candidates.events.rows_with_ids(history.done_ids) + len(candidates.catalog)
        done_together[_in_scope(position, done)] = True
    out = np.ones((rows.size, len(couple.partners)), dtype=np.float32, order="F")
    for column, partner in zip(out.T, couple.partners, strict=True):
        # Only what is a label of the catalog: "tried" names kinds of things.
        labels = []
        for label in partner.tried:
            if candidates.matches[label].terms.label:
                labels.append(label)
        found, _, values = _hits(candidates, labels)
        column[_in_scope(position, found[values >= 1.0])] = 0.5
        column[done_together] = 0.0
        column[_in_scope(position, candidates.rows_with_ids(partner.tried))] = 0.0
    return out


def budget_fit(cheapest: np.ndarray, budget: Budget | None) -> np.ndarray:
    """1 when free, falling to 0.5 at the limit; 0.5 when the price is unknown (NaN)."""
    if budget is None:
        fit = np.ones(len(cheapest), dtype=np.float32)
    else:
        share = np.clip(cheapest / max(budget.per_outing, 1e-9), 0.0, 1.0).astype(np.float32)
        fit = 1.0 - 0.5 * share * share
    fit[np.isnan(cheapest)] = 0.5
    return fit


def distance_fit(
    candidates: Candidates, radius_km: float | None, position: np.ndarray, size: int
) -> np.ndarray:
    """1 for ideas without a place (done wherever you are) and online ones; decays with km."""
    half = (radius_km or 30.0) / 2
    # Entry 0 takes the places out of scope (position -1).
    fit = np.ones(size + 1, dtype=np.float32)
    fit[position[candidates.placed] + 1] = np.exp(-candidates.km / half)
    return fit[1:]


class Scored(NamedTuple):
    """The score and its components for the candidate rows at `rows` (the eligible ones),
    and each row's affinity and newness for every partner: all in the order of `rows`."""

    rows: np.ndarray
    #: Each component's values (float32), by name in the order of `COMPONENTS`: "score"
    #: first. Kept as they were worked out: the k picks are all that is read of most.
    components: dict[str, np.ndarray]
    affinity: np.ndarray
    newness: np.ndarray

    @property
    def score(self) -> np.ndarray:
        """The combined score of each row."""
        return self.components["score"]


def score(
    candidates: Candidates,
    query: Query,
    history: History,
    weights: Weights,
    rows: np.ndarray,
    *,
    best: int | None = None,
    margin: float = 0.0,
) -> Scored:
    """Components of the candidates at `rows` and the combined `score`, all in [0, 1] but
    `familiarity` (a decay-weighted sum of similarities, >= 0).

    Familiarity and taste cost a pass over the whole item matrix each. With `best`, they
    are worked out only for the rows whose score could still be among the `best` highest
    when any score may gain up to `margin` more (a seeded jitter): the other rows keep NaN
    for `familiarity`, `novelty` and `taste`, and the lowest score they could have.
    """
    couple = query.couple
    position = np.full(candidates.size, -1, dtype=np.int32)
    position[rows] = np.arange(rows.size, dtype=np.int32)
    newness_by_partner = partner_newness(candidates, couple, history, rows, position)
    newness = newness_by_partner.mean(axis=1)
    known = candidates.where("category", history.categories | query.tried, rows=rows)
    category_new = (~known).astype(np.float32)
    affinity = partner_affinities(candidates, couple, position, rows.size)
    fit, gate = couple_fit(affinity, weights.fit_floor, weights.fit_gate)
    excitement, interactive = candidates.at(rows, "excitement", "interactive")
    # Weight of each appeal term, in the order of the score's components.
    extras = {
        "excitement": weights.excitement,
        "interactive": weights.interactive,
        "budget_fit": weights.budget,
        "distance_fit": weights.distance,
        "taste": weights.taste,
        "timely": weights.timely,
    }
    # Timely: the dated events.
    timely = np.zeros(rows.size, dtype=np.float32)
    timely[_in_scope(position, candidates.dated)] = 1.0
    # The appeal terms, in that order; taste is filled in below.
    appeal = {
        "excitement": (excitement - 1) / 4,
        "interactive": interactive,
        "budget_fit": budget_fit(candidates.cost_min[rows], query.budget),
        "distance_fit": distance_fit(candidates, query.radius_km, position, rows.size),
        "taste": np.full(rows.size, 0.5, dtype=np.float32),
        "timely": timely,
    }
    if not history.familiarity.any():
        familiarity = np.zeros(rows.size, np.float32)
        novelty = np.ones(rows.size, np.float32)
        total = _total(weights, extras, gate, novelty, newness, category_new, appeal)
    else:
        # The lowest score each row can have (nothing new about it, disliked by taste)
        # and how much more novelty and taste could add.
        nothing = np.zeros(rows.size, np.float32)
        appeal["taste"] = nothing
        lowest = _total(weights, extras, gate, nothing, newness, category_new, appeal)
        need = np.arange(rows.size)
        if best is not None and rows.size > best:
            # Only rows whose score may reach the `best`-th highest lowest score: novelty
            # and taste can add to it, and the jitter. Taste is a mean over the outings by
            # their decay weights, so its cosine is at most familiarity / decay_total: an
            # idea cannot be both unfamiliar and much liked. What the two add is convex in
            # familiarity up to decay_total and falls after, so it is at most its value at
            # 0 (novelty 1, taste 1/2) or at decay_total (taste 1).
            share = np.float32(weights.novelty * NOVELTY_MIX[0])
            taste_weight = np.float32(extras["taste"])
            faded = np.float32(math.exp(-history.decay_total / weights.familiarity_scale))
            reach = np.maximum(gate * share + taste_weight / 2, gate * share * faded + taste_weight)
            spread = reach / np.float32(1.0 + sum(extras.values()))
            cut = np.partition(lowest, rows.size - best)[rows.size - best]
            need = np.flatnonzero(lowest + spread + np.float32(margin + _ROUNDING) >= cut)
        similar, liked = candidates.cosines(rows[need], history.familiarity, history.taste)
        familiarity = np.full(rows.size, np.nan, np.float32)
        novelty, taste = familiarity.copy(), familiarity.copy()
        familiarity[need] = np.maximum(similar, 0)
        novelty[need] = np.exp(-familiarity[need] / np.float32(weights.familiarity_scale))
        taste[need] = (np.clip(liked, -1.0, 1.0) + 1) / 2
        appeal["taste"] = taste
        total = lowest
        some = dict(appeal)
        for name, values in appeal.items():
            some[name] = values[need]
        total[need] = _total(
            weights, extras, gate[need], novelty[need], newness[need], category_new[need], some
        )
    # In the order of COMPONENTS (a test holds them to it), float32 each.
    components = {
        "score": total,
        "fit": fit,
        "novelty": novelty,
        "newness": newness,
        "category_new": category_new,
        "familiarity": familiarity,
        **appeal,
    }
    return Scored(rows, components, affinity, newness_by_partner)


def _total(
    weights: Weights,
    extras: dict[str, float],
    gate: np.ndarray,
    novelty: np.ndarray,
    newness: np.ndarray,
    category_new: np.ndarray,
    appeal: dict[str, np.ndarray],
) -> np.ndarray:
    """The score: novelty gated by fit (`gate` = fit ** fit_gate) plus the appeal terms
    weighted by `extras`, in [0, 1]."""
    a, b, c = NOVELTY_MIX
    novelty_mix = a * novelty + b * newness + c * category_new
    # Berlyne's inverted U: novelty pays only as far as both partners are drawn to the
    # idea, so "new and near what both love" beats "random and strange".
    total: np.ndarray = gate * (1.0 - weights.novelty + weights.novelty * novelty_mix)
    for name, weight in extras.items():
        total += np.float32(weight) * appeal[name]
    total /= np.float32(1.0 + sum(extras.values()))
    return total


#: Scores are float32; a row is kept when it misses the cut by less than this.
_ROUNDING = 1e-5
