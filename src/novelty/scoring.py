"""The scoring model: novelty against shared history, fit for both partners, and appeal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from .features import ItemSpace, cosine_to, hits
from .filters import placed_km
from .lookup import NAT, ItemColumns, RowLookup, remembered
from .models import Budget, Couple, Location, Outing


class Weights(BaseModel):
    """Every tunable number of the model, with the defaults `docs/scoring.md` explains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    novelty: float = Field(0.6, ge=0, le=1, description="Share of the core score set by novelty.")
    excitement: float = Field(0.15, ge=0, description="Weight of excitement (Aron et al. 2000).")
    interactive: float = Field(0.10, ge=0, description="Weight of doing it with each other.")
    budget: float = Field(0.05, ge=0, description="Weight of the soft preference for cheaper.")
    distance: float = Field(0.05, ge=0, description="Weight of the soft preference for nearer.")
    taste: float = Field(0.10, ge=0, description="Weight of likeness to outings rated highly.")
    timely: float = Field(
        0.25, ge=0, description="Weight of a dated event in the window: it may not come again."
    )
    half_life_days: float = Field(180, gt=0, description="Familiarity halves in this many days.")
    familiarity_scale: float = Field(1.0, gt=0, description="novelty = exp(-F / scale).")
    repeat_after_days: int = Field(90, ge=0, description="Done this recently = not suggested.")
    fit_floor: float = Field(0.05, gt=0, le=1, description="Floor in the partners' geometric mean.")
    diversity: float = Field(0.3, ge=0, le=1, description="MMR trade-off: 0 = pure relevance.")
    partner_coverage: float = Field(0.3, ge=0, description="xQuAD bonus for an uncovered partner.")
    top_m: int = Field(100, ge=1, description="Candidates kept for re-ranking.")
    exploration: float = Field(0.02, ge=0, description="Seeded jitter, only when a seed is given.")


#: Shares of the novelty mix: familiarity decay, per-partner newness, new category.
NOVELTY_MIX = (0.5, 0.3, 0.2)


@dataclass(frozen=True)
class History:
    """The couple's outings as vectors: what the familiarity and taste terms need."""

    familiarity: np.ndarray
    taste: np.ndarray
    done_ids: frozenset[str]
    done_titles: frozenset[str]
    categories: frozenset[str]
    recent_ids: frozenset[str]
    recent_titles: frozenset[str]
    #: Candidate rows the outings name by id: all of them, and those in the repeat period.
    done_rows: np.ndarray
    recent_rows: np.ndarray


def _outing_rows(outings: Sequence[Outing], lookup: RowLookup) -> np.ndarray:
    """Each outing's catalog row, -1 when it is known only by its words."""
    return lookup.rows_of_ids([o.activity_id or "" for o in outings])


def _free_rows(outings: Sequence[Outing], unknown: np.ndarray, space: ItemSpace) -> sp.csr_matrix:
    free = [outings[i] for i in unknown.tolist()]
    return space.transform_outings(
        [";".join((*o.tags, o.category or "")) for o in free],
        [f"{o.title or ''}. {o.notes}" for o in free],
    )


def outing_vectors(
    outings: Sequence[Outing], lookup: RowLookup, matrix: sp.csr_matrix, space: ItemSpace
) -> sp.csr_matrix:
    """Unit-weighted vectors of outings: the catalog row when known, else tags and title."""
    rows = _outing_rows(outings, lookup)
    known = rows >= 0
    unknown = np.flatnonzero(~known)
    stacked = sp.vstack([matrix[rows[known]], _free_rows(outings, unknown, space)], format="csr")
    back_in_order = np.argsort(np.concatenate([np.flatnonzero(known), unknown]))
    return space.unit_rows(sp.csr_matrix(stacked[back_in_order]))


def _weighted_sums(
    rows: np.ndarray,
    outings: Sequence[Outing],
    matrix: sp.csr_matrix,
    space: ItemSpace,
    coefficients: np.ndarray,
) -> np.ndarray:
    """Σ over outings of coefficient × unit vector (width × columns of `coefficients`),
    without building the unit vectors: unit = w ⊙ row / |w ⊙ row|."""
    known = rows >= 0
    total = np.zeros((coefficients.shape[1], space.width), dtype=np.float64)
    for part, which in (
        (matrix[rows[known]], known),
        (_free_rows(outings, np.flatnonzero(~known), space), ~known),
    ):
        if part.shape[0]:
            scaled = coefficients[which] / space.row_norms(part)[:, np.newaxis]
            # Each entry of a row, times that row's coefficient, added into its column.
            per_entry = np.repeat(scaled, np.diff(part.indptr), axis=0) * part.data[:, None]
            for k, column in enumerate(per_entry.T):
                total[k] += np.bincount(part.indices, column, minlength=space.width)
    weighted: np.ndarray = (total.T * space.column_weights_[:, np.newaxis]).astype(np.float32)
    return weighted


def history_profile(
    outings: Sequence[Outing],
    *,
    lookup: RowLookup,
    matrix: sp.csr_matrix,
    space: ItemSpace,
    today: dt.date,
    weights: Weights,
) -> History:
    """Decay-weighted sums of outing vectors (familiarity) and of rating-signed ones (taste)."""
    if not outings:
        empty: frozenset[str] = frozenset()
        zero = np.zeros(space.width, dtype=np.float32)
        none = np.zeros(0, dtype=np.int64)
        return History(zero, zero, empty, empty, empty, empty, empty, none, none)
    days = np.fromiter((o.date.toordinal() for o in outings), np.int64, len(outings))
    ages = np.maximum(today.toordinal() - days, 0).astype(np.float32)
    decay = 0.5 ** (ages / weights.half_life_days)
    ratings = np.array([o.rating if o.rating else 3 for o in outings], dtype=np.float32)
    # A decay-weighted mean, so taste stays in [-1, 1] however long the history.
    signed = decay * (ratings - 3) / 2 / decay.sum()
    rows = _outing_rows(outings, lookup)
    sums = _weighted_sums(rows, outings, matrix, space, np.column_stack([decay, signed]))
    familiarity, taste = sums[:, 0], sums[:, 1]
    recent = (ages <= weights.repeat_after_days).tolist()
    done_ids, done_titles, recent_ids, recent_titles = set(), set(), set(), set()
    categories = set(lookup.cells["category"][rows[rows >= 0]].tolist())
    for outing, is_recent in zip(outings, recent, strict=True):
        title = outing.title.casefold() if outing.title else None
        if outing.activity_id:
            done_ids.add(outing.activity_id)
            if is_recent:
                recent_ids.add(outing.activity_id)
        if title:
            done_titles.add(title)
            if is_recent:
                recent_titles.add(title)
        if outing.category:
            categories.add(outing.category)
    for shared in (familiarity, taste, rows):
        shared.flags.writeable = False  # one History serves many calls
    return History(
        familiarity=familiarity,
        taste=taste,
        done_ids=frozenset(done_ids),
        done_titles=frozenset(done_titles),
        categories=frozenset(categories),
        recent_ids=frozenset(recent_ids),
        recent_titles=frozenset(recent_titles),
        done_rows=rows[rows >= 0],
        recent_rows=rows[(rows >= 0) & np.array(recent, dtype=bool)],
    )


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


def partner_affinities(
    matrix: sp.csr_matrix | ItemColumns,
    space: ItemSpace,
    couple: Couple,
    scope: Scope | None = None,
) -> np.ndarray:
    """Items × partners in [0, 1): noisy-OR of each partner's weighted interest matches,
    for the rows in `scope` (default: every item).

    Fastest with the matrix's `ItemColumns` (`RowLookup.columns`).
    """
    matrix = ItemColumns.reading(matrix)
    if scope is None:
        scope = Scope.of(np.arange(len(matrix)), len(matrix))
    out = np.empty((len(scope), len(couple.partners)), dtype=np.float32, order="F")
    for column, partner in zip(out.T, couple.partners, strict=True):
        if not partner.interests:
            column[:] = 0.5
            continue
        labels = list(partner.interests)
        weights = np.array(list(partner.interests.values()), dtype=np.float32)
        strength = 0.85 * weights / weights.max()
        # Sparse: an interest an item does not match adds log(1 - 0) = 0 to its sum.
        hit = hits(matrix, space, labels)
        # A label matches fully, so its term is one number per interest: a logarithm per
        # match is needed only for the partial matches of words.
        log_hit = np.log1p(-strength.astype(np.float64))[hit.labels]
        partial = np.flatnonzero(hit.values < 1)
        if partial.size:
            terms = hit.values[partial] * strength[hit.labels[partial]]
            log_hit[partial] = np.log1p(-terms.astype(np.float64))
        # Bin 0 gathers the matches of rows out of scope (position -1).
        sums = np.bincount(scope.position[hit.rows] + 1, log_hit, minlength=len(scope) + 1)
        column[:] = -np.expm1(sums[1:])
    return out


def couple_fit(affinity: np.ndarray, floor: float) -> np.ndarray:
    """Geometric mean of the partners' affinities: high only when nobody is left out."""
    mean_log = np.log(affinity + floor).mean(axis=1)
    fit: np.ndarray = np.clip(np.exp(mean_log) - floor, 0.0, 1.0).astype(np.float32)
    return fit


def excluded(lookup: RowLookup, space: ItemSpace, couple: Couple, history: History) -> np.ndarray:
    """Disliked by either partner (label, word or id) or done within the repeat period."""
    dislikes = sorted({d for p in couple.partners for d in p.dislikes})
    out = np.zeros(len(lookup), dtype=bool)
    if dislikes:
        disliked = hits(lookup.columns, space, dislikes)
        out[disliked.rows[disliked.values > 0]] = True
        out[lookup.rows_with_ids(dislikes)] = True
    out[history.recent_rows] = True
    out |= lookup.where("title", history.recent_titles)
    return out


def partner_newness(
    lookup: RowLookup, space: ItemSpace, couple: Couple, history: History, scope: Scope
) -> np.ndarray:
    """Scope × partners: 1 new to this partner, 0.5 they tried something like it, 0 done."""
    done_together = lookup.where("title", history.done_titles, rows=scope.rows)
    done_together[scope.take(history.done_rows)] = True
    out = np.ones((len(scope), len(couple.partners)), dtype=np.float32, order="F")
    for column, partner in zip(out.T, couple.partners, strict=True):
        labels = [t for t in partner.tried if space.label_column(t) is not None]
        carried = hits(lookup.columns, space, labels)
        column[scope.take(carried.rows[carried.values >= 1.0])] = 0.5
        column[done_together] = 0.0
        column[scope.take(lookup.rows_with_ids(partner.tried))] = 0.0
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
    lookup: RowLookup, near: Location, radius_km: float | None, scope: Scope
) -> np.ndarray:
    """1 for ideas without a place (done wherever you are) and online ones; decays with km."""
    placed, km = placed_km(lookup, near)
    half = (radius_km or 30.0) / 2
    decay = remembered(
        lookup.memory_for("distance fit"), (near.lat, near.lon, half), lambda: np.exp(-km / half), 8
    )
    # Entry 0 takes the places out of scope (position -1).
    fit = np.ones(len(scope) + 1, dtype=np.float32)
    fit[scope.position[placed] + 1] = decay
    return fit[1:]


def score(
    *,
    lookup: RowLookup,
    matrix: sp.csr_matrix,
    norms: np.ndarray,
    space: ItemSpace,
    couple: Couple,
    history: History,
    budget: Budget | None,
    near: Location,
    radius_km: float | None,
    weights: Weights,
    rows: np.ndarray | None = None,
    best: int | None = None,
    margin: float = 0.0,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Components of the candidates at `rows` (default: all, in order) and the combined
    `score`, all in [0, 1] but `familiarity` (a decay-weighted sum of similarities, >= 0).

    Returns the components frame, the rows × partners affinities and newness, each in the
    order of `rows`. Scoring only the eligible rows skips work on what cannot be shown.

    Familiarity and taste cost a pass over the whole item matrix each. With `best`, they
    are worked out only for the rows whose score could still be among the `best` highest
    when any score may gain up to `margin` more (a seeded jitter): the other rows keep NaN
    for `familiarity`, `novelty` and `taste`, and the lowest score they could have.
    """
    rows = np.arange(len(lookup)) if rows is None else rows
    scope = Scope.of(rows, len(lookup))
    newness_by_partner = partner_newness(lookup, space, couple, history, scope)
    newness = newness_by_partner.mean(axis=1)
    tried_categories = {t for p in couple.partners for t in p.tried}
    known = lookup.where("category", history.categories | tried_categories, rows=rows)
    category_new = (~known).astype(np.float32)
    affinity = partner_affinities(lookup.columns, space, couple, scope)
    fit = couple_fit(affinity, weights.fit_floor)
    parts = {
        "excitement": (lookup.numbers["excitement"][rows] - 1) / 4,
        "interactive": lookup.numbers["interactive"][rows],
        "budget_fit": budget_fit(lookup.numbers["cost_min"][rows], budget),
        "distance_fit": distance_fit(lookup, near, radius_km, scope),
        "timely": (lookup.starts_ns[rows] != NAT).astype(np.float32),
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
        similar, liked = _cosines(
            matrix, norms, space, rows[need], history.familiarity, history.taste
        )
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
    # One float32 block filled in place: a frame built from separate arrays copies them all.
    block = np.empty((len(columns), rows.size), dtype=np.float32)
    for row, values in zip(block, columns.values(), strict=True):
        row[:] = values
    components = pd.DataFrame(block.T, columns=list(columns), copy=False)
    return components, affinity, newness_by_partner


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
    matrix: sp.csr_matrix,
    norms: np.ndarray,
    space: ItemSpace,
    rows: np.ndarray,
    *profiles: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Cosine of the item rows at `rows` with each profile."""
    if rows.size > _WHOLE_PASS_SHARE * matrix.shape[0]:
        return tuple(cosine_to(matrix, norms, space, p)[rows] for p in profiles)
    some = sp.csr_matrix(matrix[rows])
    return tuple(cosine_to(some, norms[rows], space, p) for p in profiles)
