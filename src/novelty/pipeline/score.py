"""Stage 5, score: novelty against shared history, fit for both partners, and appeal,
combined into one score per eligible candidate (with exact pruning of the hopeless)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..config import Weights
from ..index.item_index import NAT
from ..models import Budget, Couple
from .candidates import Candidates
from .query import Query
from .taste import History

#: Shares of the novelty mix: familiarity decay, per-partner newness, new category.
NOVELTY_MIX = (0.5, 0.3, 0.2)


class Scope(NamedTuple):
    """The candidate rows being scored (ascending) and, per candidate, its position among
    them (-1 when left out), so that sparse facts about rows land in place without a pass
    over every candidate."""

    rows: np.ndarray
    position: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, size: int) -> Scope:
        position = np.full(size, -1, dtype=np.int32)
        position[rows] = np.arange(rows.size, dtype=np.int32)
        return cls(rows, position)

    def __len__(self) -> int:
        return int(self.rows.size)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Positions of those of `rows` that are in scope."""
        at: np.ndarray = self.position[rows]
        return at[at >= 0]


def _hits(candidates: Candidates, labels: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows match which of `labels`, one entry per match: the row, the label's
    position in `labels`, and the strength (1 for a label, else the text cosine)."""
    found = [candidates.matches[label] for label in labels]
    rows = np.concatenate([np.zeros(0, dtype=np.int64), *(f.rows for f in found)])
    values = np.concatenate([np.zeros(0, dtype=np.float32), *(f.values for f in found)])
    label_of = np.repeat(np.arange(len(labels)), [f.rows.size for f in found])
    return rows, label_of, values


def partner_affinities(candidates: Candidates, couple: Couple, scope: Scope) -> np.ndarray:
    """Scope × partners in [0, 1): noisy-OR of each partner's weighted interest matches."""
    out = np.empty((len(scope), len(couple.partners)), dtype=np.float32, order="F")
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
        sums = np.bincount(scope.position[rows] + 1, log_hit, minlength=len(scope) + 1)
        column[:] = -np.expm1(sums[1:])
    return out


def couple_fit(affinity: np.ndarray, floor: float) -> np.ndarray:
    """Geometric mean of the partners' affinities: high only when nobody is left out."""
    mean_log = np.log(affinity + floor).mean(axis=1)
    fit: np.ndarray = np.clip(np.exp(mean_log) - floor, 0.0, 1.0).astype(np.float32)
    return fit


def partner_newness(
    candidates: Candidates, couple: Couple, history: History, scope: Scope
) -> np.ndarray:
    """Scope × partners: 1 new to this partner, 0.5 they tried something like it, 0 done."""
    done_together = candidates.where("title", history.done_titles, rows=scope.rows)
    done_together[scope.take(history.done_rows)] = True
    done_together[scope.take(candidates.event_rows_with_ids(history.done_ids))] = True
    out = np.ones((len(scope), len(couple.partners)), dtype=np.float32, order="F")
    space = candidates.catalog.space
    for column, partner in zip(out.T, couple.partners, strict=True):
        labels = [t for t in partner.tried if space.label_column(t) is not None]
        rows, _, values = _hits(candidates, labels)
        column[scope.take(rows[values >= 1.0])] = 0.5
        column[done_together] = 0.0
        column[scope.take(candidates.rows_with_ids(partner.tried))] = 0.0
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


def distance_fit(candidates: Candidates, radius_km: float | None, scope: Scope) -> np.ndarray:
    """1 for ideas without a place (done wherever you are) and online ones; decays with km."""
    half = (radius_km or 30.0) / 2
    # Entry 0 takes the places out of scope (position -1).
    fit = np.ones(len(scope) + 1, dtype=np.float32)
    fit[scope.position[candidates.placed] + 1] = np.exp(-candidates.km / half)
    return fit[1:]


@dataclass(frozen=True)
class Scored:
    """The score and its components for the candidate rows at `rows` (the eligible ones),
    and each row's affinity and newness for every partner: all in the order of `rows`."""

    rows: np.ndarray
    #: Component names, in the order of `components`' rows; "score" first.
    names: tuple[str, ...]
    #: Components × rows, float32.
    components: np.ndarray
    affinity: np.ndarray
    newness: np.ndarray

    @property
    def score(self) -> np.ndarray:
        """The combined score of each row."""
        total: np.ndarray = self.components[0]
        return total


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
    scope = Scope.of(rows, len(candidates))
    newness_by_partner = partner_newness(candidates, couple, history, scope)
    newness = newness_by_partner.mean(axis=1)
    tried_categories = {t for p in couple.partners for t in p.tried}
    known = candidates.where("category", history.categories | tried_categories, rows=rows)
    category_new = (~known).astype(np.float32)
    affinity = partner_affinities(candidates, couple, scope)
    fit = couple_fit(affinity, weights.fit_floor)
    numbers = candidates.numbers
    parts = {
        "excitement": (numbers["excitement"][rows] - 1) / 4,
        "interactive": numbers["interactive"][rows],
        "budget_fit": budget_fit(numbers["cost_min"][rows], query.budget),
        "distance_fit": distance_fit(candidates, query.radius_km, scope),
        "timely": (candidates.starts_ns[rows] != NAT).astype(np.float32),
    }
    terms = _Terms(fit, newness, category_new, parts, weights)
    if not history.familiarity.any():
        familiarity = np.zeros(rows.size, np.float32)
        novelty = np.ones(rows.size, np.float32)
        taste = np.full(rows.size, 0.5, dtype=np.float32)
        total = terms.total(novelty, taste)
    else:
        # The lowest score each row can have (nothing new about it, disliked by taste)
        # and how much more novelty and taste could add.
        nothing = np.zeros(rows.size, np.float32)
        lowest = terms.total(nothing, nothing)
        need = _could_be_best(lowest, terms.spread(), best, margin)
        similar, liked = _cosines(candidates, rows[need], history.familiarity, history.taste)
        familiarity, novelty, taste = (np.full(rows.size, np.nan, np.float32) for _ in range(3))
        familiarity[need] = np.maximum(similar, 0)
        novelty[need] = np.exp(-familiarity[need] / np.float32(weights.familiarity_scale))
        taste[need] = (np.clip(liked, -1.0, 1.0) + 1) / 2
        total = lowest
        total[need] = terms.at(need).total(novelty[need], taste[need])
    columns = {
        "score": total,
        "fit": fit,
        "novelty": novelty,
        "newness": newness,
        "category_new": category_new,
        "familiarity": familiarity,
        **terms.appeal(taste),
    }
    block = np.empty((len(columns), rows.size), dtype=np.float32)
    for row, values in zip(block, columns.values(), strict=True):
        row[:] = values
    return Scored(rows, tuple(columns), block, affinity, newness_by_partner)


@dataclass(frozen=True)
class _Terms:
    """What a score is made of, but novelty and taste: `total(novelty, taste)` combines them.
    `parts` are the other appeal terms."""

    fit: np.ndarray
    newness: np.ndarray
    category_new: np.ndarray
    parts: dict[str, np.ndarray]
    weights: Weights

    def extras(self) -> dict[str, float]:
        """Weight of each appeal term."""
        w = self.weights
        return {
            "excitement": w.excitement,
            "interactive": w.interactive,
            "budget_fit": w.budget,
            "distance_fit": w.distance,
            "taste": w.taste,
            "timely": w.timely,
        }

    def appeal(self, taste: np.ndarray) -> dict[str, np.ndarray]:
        """Every appeal term, in the order of `extras`."""
        return {name: taste if name == "taste" else self.parts[name] for name in self.extras()}

    def total(self, novelty: np.ndarray, taste: np.ndarray) -> np.ndarray:
        w = self.weights
        a, b, c = NOVELTY_MIX
        novelty_mix = a * novelty + b * self.newness + c * self.category_new
        # Berlyne's inverted U: novelty pays only as far as both partners are drawn to the
        # idea, so "new and near what both love" beats "random and strange".
        total: np.ndarray = self.fit * (1.0 - w.novelty + w.novelty * novelty_mix)
        extras = self.extras()
        for name, values in self.appeal(taste).items():
            total += np.float32(extras[name]) * values
        total /= np.float32(1.0 + sum(extras.values()))
        return total

    def spread(self) -> np.ndarray:
        """How much novelty (0 to 1) and taste (0 to 1) can add to each row's score."""
        extras = self.extras()
        reach = self.fit * np.float32(self.weights.novelty * NOVELTY_MIX[0]) + np.float32(
            extras["taste"]
        )
        spread: np.ndarray = reach / np.float32(1.0 + sum(extras.values()))
        return spread

    def at(self, positions: np.ndarray) -> _Terms:
        """The terms of some rows only."""
        return _Terms(
            self.fit[positions],
            self.newness[positions],
            self.category_new[positions],
            {name: values[positions] for name, values in self.parts.items()},
            self.weights,
        )


#: Scores are float32; a row is kept when it misses the cut by less than this.
_ROUNDING = 1e-5
#: Above this share of the matrix's rows, one pass over all of it beats copying them out.
_WHOLE_PASS_SHARE = 0.25


def _could_be_best(
    lowest: np.ndarray, spread: np.ndarray, best: int | None, margin: float
) -> np.ndarray:
    """Positions whose score may reach the `best`-th highest lowest score."""
    if best is None or lowest.size <= best:
        return np.arange(lowest.size)
    cut = np.partition(lowest, lowest.size - best)[lowest.size - best]
    return np.flatnonzero(lowest + spread + np.float32(margin + _ROUNDING) >= cut)


def _cosines(
    candidates: Candidates, rows: np.ndarray, *profiles: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Cosine of the item rows at `rows` with each profile."""
    if rows.size > _WHOLE_PASS_SHARE * len(candidates):
        return tuple(candidates.cosines(p)[rows] for p in profiles)
    some = candidates.item_rows(rows)
    space = candidates.catalog.space
    return tuple(space.cosine_to(some, candidates.norms[rows], p) for p in profiles)
