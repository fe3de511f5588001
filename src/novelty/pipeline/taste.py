"""Stage 3, taste: the couple's outings as vectors of the item space (their history profile)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..config import Weights
from ..index.item_index import ItemIndex
from ..models import Outing

#: A rut is judged on this many latest outings, and needs at least `RUT_LEAST` of them.
RUT_OUTINGS = 10
RUT_LEAST = 3


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
    #: Catalog rows the outings name by id: all of them, and those in the repeat period.
    done_rows: np.ndarray
    recent_rows: np.ndarray
    #: Columns of the label block (tags and categories) the couple is in a rut with.
    rut: np.ndarray
    #: Every outing as a unit row of the item space (for "unlike anything you did").
    units: sp.csr_matrix
    #: Activity ids of outings that the catalog does not have (typos, other catalogs).
    unknown_ids: frozenset[str] = frozenset()
    #: Whether every outing's category is known: only then can a reason say "never".
    categories_known: bool = True


def _free_rows(outings: Sequence[Outing], unknown: np.ndarray, catalog: ItemIndex) -> sp.csr_matrix:
    """Item rows of outings known only by their words (tags, category, title, notes)."""
    free = [outings[i] for i in unknown.tolist()]
    return catalog.space.transform(
        [";".join((*o.tags, o.category or "")) for o in free],
        [f"{o.title or ''}. {o.notes}" for o in free],
    )


def outing_vectors(outings: Sequence[Outing], catalog: ItemIndex) -> sp.csr_matrix:
    """Unit-weighted vectors of outings: the catalog row when known, else tags and title."""
    rows = catalog.rows_of_ids([o.activity_id or "" for o in outings])
    known = rows >= 0
    unknown = np.flatnonzero(~known)
    stacked = sp.vstack(
        [catalog.matrix[rows[known]], _free_rows(outings, unknown, catalog)], format="csr"
    )
    back_in_order = np.argsort(np.concatenate([np.flatnonzero(known), unknown]))
    return catalog.space.unit_rows(sp.csr_matrix(stacked[back_in_order]))


def _weighted_sums(
    rows: np.ndarray, free: sp.csr_matrix, catalog: ItemIndex, coefficients: np.ndarray
) -> np.ndarray:
    """Σ over outings of coefficient × unit vector (width × columns of `coefficients`),
    without building the unit vectors: unit = w ⊙ row / |w ⊙ row|. `rows` are the
    outings' catalog rows (-1 for the others, whose item rows are `free`, in order)."""
    space = catalog.space
    known = rows >= 0
    total = np.zeros((coefficients.shape[1], space.width), dtype=np.float64)
    for part, which in ((catalog.matrix[rows[known]], known), (free, ~known)):
        if part.shape[0]:
            scaled = coefficients[which] / space.row_norms(part)[:, np.newaxis]
            # Each entry of a row, times that row's coefficient, added into its column.
            per_entry = np.repeat(scaled, np.diff(part.indptr), axis=0) * part.data[:, None]
            for k, column in enumerate(per_entry.T):
                total[k] += np.bincount(part.indices, column, minlength=space.width)
    weighted: np.ndarray = (total.T * space.column_weights[:, np.newaxis]).astype(np.float32)
    return weighted


def history_profiles(
    histories: Sequence[tuple[Sequence[Outing], dt.date]], catalog: ItemIndex, *, weights: Weights
) -> list[History]:
    """`history_profile` of each (outings, today) pair: the outings known only by their
    words, of every history at once, become item rows in one pass (the text transform
    costs mostly per call, and each row is transformed on its own: the same rows)."""
    rows = [catalog.rows_of_ids([o.activity_id or "" for o in outings]) for outings, _ in histories]
    free: list[Outing] = []
    for (outings, _), at in zip(histories, rows, strict=True):
        free.extend(outings[i] for i in np.flatnonzero(at < 0).tolist())
    matrix = _free_rows(free, np.arange(len(free)), catalog)
    profiles, start = [], 0
    for (outings, today), at in zip(histories, rows, strict=True):
        end = start + int((at < 0).sum())
        profiles.append(
            history_profile(outings, catalog, today=today, weights=weights, free=matrix[start:end])
        )
        start = end
    return profiles


def history_profile(
    outings: Sequence[Outing],
    catalog: ItemIndex,
    *,
    today: dt.date,
    weights: Weights,
    free: sp.csr_matrix | None = None,
) -> History:
    """Decay-weighted sums of outing vectors (familiarity) and of rating-signed ones (taste).
    `free` are the item rows of the outings not in the catalog, when already made."""
    if not outings:
        empty: frozenset[str] = frozenset()
        zero = np.zeros(catalog.space.width, dtype=np.float32)
        none = np.zeros(0, dtype=np.int64)
        nothing = sp.csr_matrix((0, catalog.space.width), dtype=np.float32)
        return History(zero, zero, empty, empty, empty, empty, empty, none, none, none, nothing)
    days = np.fromiter((o.date.toordinal() for o in outings), np.int64, len(outings))
    ages = np.maximum(today.toordinal() - days, 0).astype(np.float32)
    decay = 0.5 ** (ages / weights.half_life_days)
    ratings = np.array([o.rating if o.rating else 3 for o in outings], dtype=np.float32)
    # A decay-weighted mean, so taste stays in [-1, 1] however long the history.
    signed = decay * (ratings - 3) / 2 / decay.sum()
    rows = catalog.rows_of_ids([o.activity_id or "" for o in outings])
    if free is None:
        free = _free_rows(outings, np.flatnonzero(rows < 0), catalog)
    sums = _weighted_sums(rows, free, catalog, np.column_stack([decay, signed]))
    familiarity, taste = sums[:, 0], sums[:, 1]
    recent = (ages <= weights.repeat_after_days).tolist()
    done_ids, done_titles, recent_ids, recent_titles = set(), set(), set(), set()
    categories = set(catalog.cells["category"][rows[rows >= 0]].tolist())
    unknown_ids: set[str] = set()
    categories_known = True
    for outing, is_recent, row in zip(outings, recent, rows.tolist(), strict=True):
        if row < 0 and outing.activity_id:
            unknown_ids.add(outing.activity_id)
        if row < 0 and not outing.category:
            categories_known = False
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
    rut = rut_labels(outings, catalog, weights.rut_share)
    for shared in (familiarity, taste, rows, rut):
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
        rut=rut,
        units=outing_vectors(outings, catalog),
        unknown_ids=frozenset(unknown_ids),
        categories_known=categories_known,
    )


def label_shares(outings: Sequence[Outing], catalog: ItemIndex) -> np.ndarray:
    """Per column of the label block: the share of `outings` carrying that tag or category."""
    if not outings:
        return np.zeros(catalog.space.n_labels, dtype=np.float64)
    labels = outing_vectors(outings, catalog)[:, : catalog.space.n_labels]
    carried = np.bincount(labels.indices[labels.data > 0], minlength=catalog.space.n_labels)
    shares: np.ndarray = carried / len(outings)
    return shares


def latest(outings: Sequence[Outing], count: int) -> list[Outing]:
    """The `count` latest outings, latest last (a stable sort keeps ties in logged order)."""
    return sorted(outings, key=lambda o: o.date)[-count:]


def rut_labels(outings: Sequence[Outing], catalog: ItemIndex, share: float | None) -> np.ndarray:
    """Label-block columns carried by at least `share` of the latest `RUT_OUTINGS` outings
    (and by `RUT_LEAST` of them at least): what the couple keeps doing. None: no rut."""
    last = latest(outings, RUT_OUTINGS)
    if share is None or len(last) < RUT_LEAST:
        return np.zeros(0, dtype=np.int64)
    shares = label_shares(last, catalog)
    found: np.ndarray = np.flatnonzero((shares >= share) & (shares * len(last) >= RUT_LEAST))
    return found
