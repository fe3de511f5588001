"""Stage 3, taste: the couple's outings as vectors of the item space (their history profile)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..config import Weights
from ..index.item_index import ItemIndex
from ..models import Outing

#: A rut is judged on this many latest outings, and needs at least `RUT_LEAST` of them.
RUT_OUTINGS = 10
RUT_LEAST = 3
#: A column held by at least this share of the outings goes into `Outings.block`.
COMMON_SHARE = 1 / 8


@dataclass(frozen=True)
class Outings:
    """Every distinct outing as a unit row of the item space, kept to find the outing
    nearest to an idea. Most of the work of that search is in a few columns nearly every
    outing holds (a word all their texts share): those are a dense block that one small
    matrix product covers; each idea entry in another column meets only the outings that
    hold that column."""

    #: How many outings.
    count: int
    #: The columns held by at least `COMMON_SHARE` of the outings, ascending.
    common: np.ndarray
    #: The outings' values in those columns: len(common) × count, float64.
    block: np.ndarray
    #: The outings' other entries, stored column by column (count × width).
    rest: sp.csc_matrix

    @classmethod
    def of(cls, units: sp.csr_matrix) -> Outings:
        """Split the outings' unit rows (one row each) into the block and the rest."""
        columns = sp.csc_matrix(units)
        count = units.shape[0]
        held = np.diff(columns.indptr)
        in_common = (held > 0) & (held >= count * COMMON_SHARE)
        of_entry = np.repeat(in_common, held)
        block = np.zeros((int(in_common.sum()), count))
        slot = np.repeat(np.cumsum(in_common) - 1, held)[of_entry]
        block[slot, columns.indices[of_entry]] = columns.data[of_entry]
        rest = sp.csc_matrix(
            (
                columns.data[~of_entry],
                columns.indices[~of_entry],
                np.concatenate([[0], np.cumsum(np.where(in_common, 0, held))]),
            ),
            shape=units.shape,
        )
        for shared in (block, rest.data, rest.indices, rest.indptr):
            shared.flags.writeable = False  # one History serves many calls
        return cls(count, np.flatnonzero(in_common), block, rest)

    def nearest(self, ideas: sp.csr_matrix) -> np.ndarray:
        """Per idea (a unit row), its largest cosine with an outing, and 0 when none is
        positive."""
        size, count, common, rest = ideas.shape[0], self.count, self.common, self.rest
        idea = np.repeat(np.arange(size), np.diff(ideas.indptr))
        # The common columns: the ideas' values there, times the block.
        slot = np.minimum(np.searchsorted(common, ideas.indices), max(common.size - 1, 0))
        hit = common[slot] == ideas.indices if common.size else np.zeros(idea.size, bool)
        weights = np.zeros((size, common.size))
        weights[idea[hit], slot[hit]] = ideas.data[hit]
        # The others: each entry meets the outings' entries of its column, and each
        # (idea, outing) pair's products are summed.
        first = rest.indptr[ideas.indices]
        meets = rest.indptr[ideas.indices + 1] - first
        at = np.repeat(first - np.cumsum(meets) + meets, meets) + np.arange(int(meets.sum()))
        pair = np.repeat(idea * count, meets) + rest.indices[at]
        dots = weights @ self.block
        dots += np.bincount(
            pair, np.repeat(ideas.data, meets) * rest.data[at], minlength=size * count
        ).reshape(size, count)
        nearest: np.ndarray = dots.max(axis=1, initial=0.0)
        return nearest


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
    #: Codes of `done_titles` and `recent_titles` in the catalog's table of titles.
    done_title_codes: np.ndarray
    recent_title_codes: np.ndarray
    #: Columns of the label block (tags and categories) the couple is in a rut with.
    rut: np.ndarray
    #: Every distinct outing (a catalog idea done again counts once), for "unlike anything
    #: you did".
    outings: Outings
    #: The sum of the outings' decay weights: taste is a mean by them, so no idea's taste
    #: cosine exceeds its familiarity divided by this.
    decay_total: float
    #: Activity ids of outings that the catalog does not have (typos, other catalogs).
    unknown_ids: frozenset[str] = frozenset()
    #: Whether every outing's category is known: only then can a reason say "never".
    categories_known: bool = True


def _free_rows(outings: Sequence[Outing], catalog: ItemIndex) -> sp.csr_matrix:
    """Item rows of outings known only by their words (tags, category, title, notes)."""
    return catalog.space.transform(
        [";".join((*o.tags, o.category or "")) for o in outings],
        [f"{o.title or ''}. {o.notes}" for o in outings],
    )


def _item_rows(rows: np.ndarray, free: sp.csr_matrix, catalog: ItemIndex) -> sp.csr_matrix:
    """Raw item rows of outings in their order: the catalog's row where `rows` has one,
    else the next row of `free` (the others' rows, in order)."""
    known = rows >= 0
    stacked = sp.vstack([catalog.matrix[rows[known]], free], format="csr")
    back_in_order = np.argsort(np.concatenate([np.flatnonzero(known), np.flatnonzero(~known)]))
    return sp.csr_matrix(stacked[back_in_order])


def outing_vectors(outings: Sequence[Outing], catalog: ItemIndex) -> sp.csr_matrix:
    """Unit-weighted vectors of outings: the catalog row when known, else tags and title."""
    rows = catalog.rows_of_ids([o.activity_id or "" for o in outings])
    free = _free_rows([outings[i] for i in np.flatnonzero(rows < 0).tolist()], catalog)
    return catalog.space.unit_rows(_item_rows(rows, free, catalog))


#: Cells of the (couple, column) sums made in one pass: couples are summed in blocks of
#: this many cells, so a chunk of couples over a wide item space stays within a few tens of MB.
_CELLS = 1 << 20


def history_profiles(
    histories: Sequence[tuple[Sequence[Outing], dt.date]], catalog: ItemIndex, *, weights: Weights
) -> list[History]:
    """The History of each (outings, today) pair, made for all of them at once: one lookup
    of their ids, one text transform of the outings known only by their words, one pass of
    sums per block of couples. Each couple's numbers do not depend on the others': a
    profile made alone is the same to the last bit."""
    outings = [o for past, _ in histories for o in past]
    ends = np.cumsum([len(past) for past, _ in histories], dtype=np.int64)
    starts = ends - np.array([len(past) for past, _ in histories], dtype=np.int64)
    owner = np.repeat(np.arange(len(histories)), ends - starts)
    rows = catalog.rows_of_ids([o.activity_id or "" for o in outings])
    # Each titled outing's title among the catalog's (casefolded, as its table holds them).
    titles = {i: o.title.casefold() for i, o in enumerate(outings) if o.title}
    title_codes = np.full(len(outings), -1, dtype=np.int64)
    title_codes[list(titles)] = catalog.values["title"].get_indexer(
        pd.Index(list(titles.values()), dtype=object)
    )
    free = _free_rows([outings[i] for i in np.flatnonzero(rows < 0).tolist()], catalog)
    items = _item_rows(rows, free, catalog)
    units = catalog.space.unit_rows(items)
    days = np.fromiter((o.date.toordinal() for o in outings), np.int64, len(outings))
    today = np.array([t.toordinal() for _, t in histories], dtype=np.int64)[owner]
    ages = np.maximum(today - days, 0).astype(np.float32)
    decay = 0.5 ** (ages / weights.half_life_days)
    ratings = np.array([o.rating if o.rating else 3 for o in outings], dtype=np.float32)
    totals = np.array([decay[s:e].sum() for s, e in zip(starts, ends, strict=True)])
    # A decay-weighted mean, so taste stays in [-1, 1] however long the history.
    signed = decay * (ratings - 3) / 2 / totals.astype(np.float32)[owner]
    familiarity, taste = _weighted_sums(
        items, owner, len(histories), rows >= 0, decay, signed, catalog
    )
    ruts = _ruts(units, owner, starts, ends, days, catalog, weights.rut_share)
    recent = ages <= weights.repeat_after_days
    # The nearest outing needs each outing once: a catalog idea done again is one unit row.
    distinct = rows < 0
    known = np.flatnonzero(~distinct)
    pairs = owner[known] * (len(catalog) + 1) + rows[known]
    distinct[known[np.unique(pairs, return_index=True)[1]]] = True
    once = units[distinct]
    last = np.cumsum(np.bincount(owner[distinct], minlength=len(histories)))
    first = np.concatenate([[0], last[:-1]])
    return [
        _profile(
            past,
            catalog,
            rows[s:e],
            title_codes[s:e],
            recent[s:e],
            familiarity[c],
            taste[c],
            ruts[c],
            Outings.of(once[first[c] : last[c]]),
            float(totals[c]),
        )
        for c, ((past, _), s, e) in enumerate(zip(histories, starts, ends, strict=True))
    ]


def history_profile(
    outings: Sequence[Outing], catalog: ItemIndex, *, today: dt.date, weights: Weights
) -> History:
    """Decay-weighted sums of outing vectors (familiarity) and of rating-signed ones (taste),
    and what the filters and the rut need: `history_profiles` of one couple."""
    return history_profiles([(outings, today)], catalog, weights=weights)[0]


def _weighted_sums(
    items: sp.csr_matrix,
    owner: np.ndarray,
    couples: int,
    known: np.ndarray,
    decay: np.ndarray,
    signed: np.ndarray,
    catalog: ItemIndex,
) -> tuple[np.ndarray, np.ndarray]:
    """Per couple, Σ over its outings of decay × unit vector and of signed × unit vector
    (couples × width each), without building the unit vectors: unit = w ⊙ row / |w ⊙ row|.
    `owner` is each outing's couple (of `couples`); `known` says which outings are catalog
    rows: their entries are summed before the others', as they always were."""
    space = catalog.space
    width = space.width
    counts = np.diff(items.indptr)
    scaled = np.column_stack([decay, signed]) / space.row_norms(items)[:, np.newaxis]
    # Each entry of a row, times that row's coefficients; its cell: couple, then column.
    per_entry = np.repeat(scaled, counts, axis=0) * items.data[:, None]
    owner_of_entry = np.repeat(owner, counts)
    first_known = np.repeat(known, counts)
    sums = np.zeros((2, couples, width), dtype=np.float32)
    block = max(1, _CELLS // max(width, 1))
    for low in range(0, couples, block):
        high = min(low + block, couples)
        # Outings come couple by couple, so a block's entries are one span.
        span = slice(*np.searchsorted(owner_of_entry, [low, high]).tolist())
        total = np.zeros((2, (high - low) * width), dtype=np.float64)
        for part in (first_known[span], ~first_known[span]):
            cells = (owner_of_entry[span][part] - low) * width + items.indices[span][part]
            for k in range(2):
                total[k] += np.bincount(cells, per_entry[span][part, k], minlength=total.shape[1])
        sums[:, low:high] = (total.reshape(2, high - low, width) * space.column_weights).astype(
            np.float32
        )
    return sums[0], sums[1]


def _ruts(
    units: sp.csr_matrix,
    owner: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    days: np.ndarray,
    catalog: ItemIndex,
    share: float | None,
) -> list[np.ndarray]:
    """Per couple, the label-block columns (tags and categories) carried by at least
    `share` of its latest `RUT_OUTINGS` outings, and by `RUT_LEAST` of them at least:
    what the couple keeps doing. None: no rut."""
    none = np.zeros(0, dtype=np.int64)
    if share is None:
        return [none] * len(starts)
    latest = np.zeros(owner.size, dtype=bool)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        # The latest by date; of one date, the later logged (a stable sort).
        latest[s + np.argsort(days[s:e], kind="stable")[-RUT_OUTINGS:]] = True
    n_labels = catalog.space.n_labels
    counts = np.diff(units.indptr)
    carried = np.repeat(latest, counts) & (units.indices < n_labels) & (units.data > 0)
    cells = np.repeat(owner, counts)[carried] * n_labels + units.indices[carried]
    per_label = np.bincount(cells, minlength=len(starts) * n_labels).reshape(-1, n_labels)
    found = []
    for c, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        last = min(e - s, RUT_OUTINGS)
        if last < RUT_LEAST:
            found.append(none)
            continue
        shares = per_label[c] / last
        found.append(np.flatnonzero((shares >= share) & (shares * last >= RUT_LEAST)))
    return found


def _profile(
    outings: Sequence[Outing],
    catalog: ItemIndex,
    rows: np.ndarray,
    title_codes: np.ndarray,
    recent: np.ndarray,
    familiarity: np.ndarray,
    taste: np.ndarray,
    rut: np.ndarray,
    distinct: Outings,
    decay_total: float,
) -> History:
    """One couple's History from its part of the sums (see `history_profiles`)."""
    done_ids, done_titles, recent_ids, recent_titles = set(), set(), set(), set()
    categories = set(catalog.cells["category"][rows[rows >= 0]].tolist())
    unknown_ids: set[str] = set()
    categories_known = True
    for outing, is_recent, row in zip(outings, recent.tolist(), rows.tolist(), strict=True):
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
    done_title_codes = np.unique(title_codes[title_codes >= 0])
    recent_title_codes = np.unique(title_codes[(title_codes >= 0) & recent])
    for shared in (familiarity, taste, rows, rut, done_title_codes, recent_title_codes):
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
        recent_rows=rows[(rows >= 0) & recent],
        done_title_codes=done_title_codes,
        recent_title_codes=recent_title_codes,
        rut=rut,
        outings=distinct,
        decay_total=decay_total,
        unknown_ids=frozenset(unknown_ids),
        categories_known=categories_known,
    )
