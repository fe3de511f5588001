"""Stage 2, candidates: the prepared catalog and this call's events as one index space.

Events are a second block after the catalog's rows, indexed on their own in the catalog's
space and code tables: a new set of events costs work on the events, not a copy of the
catalog. Only the arrays stages read over every row are joined per call; every other
column is read from each block at the rows a stage asks for (`Candidates.at`), and the
matrices, the code columns `where` reads and the matches no event shares stay in their
blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..geo import haversine_km
from ..index.item_index import SHORT, ItemIndex, Matches
from ..models import Location
from .query import Query

#: Up to this many values are looked up one by one in `where`.
_FEW = 32
#: Above this share of the rows, `cosines` makes one pass over the whole item matrices
#: instead of copying the rows out.
_WHOLE_PASS_SHARE = 0.25


class Candidates(NamedTuple):
    """Every candidate row: the catalog's, then the events' (`catalog` and `events`
    blocks); the columns below line up with those rows."""

    catalog: ItemIndex
    events: ItemIndex | None
    #: Number of rows: the catalog's and the events'.
    size: int
    #: The columns the stages read over every row, joined: each row's schedule code (0 for
    #: events: they keep their own start), currency code and cheapest price. Every other
    #: column is read at the rows wanted, from each block (`at`).
    schedule: np.ndarray
    currency: np.ndarray
    cost_min: np.ndarray
    #: Rows with a place that are not online, and their km from where the couple is.
    placed: np.ndarray
    km: np.ndarray
    #: Rows of dated events, and their ends (NAT when an event gave none).
    dated: np.ndarray
    dated_ends: np.ndarray
    #: Per interest, dislike and tried label of the query, the rows it matches.
    matches: Mapping[str, Matches]

    def _blocks(self) -> list[tuple[ItemIndex, int]]:
        """Each block and the row its rows start at."""
        blocks = [(self.catalog, 0)]
        if self.events is not None:
            blocks.append((self.events, len(self.catalog)))
        return blocks

    def rows_with_ids(self, ids: Iterable[str]) -> np.ndarray:
        """Rows whose id is one of `ids`."""
        wanted = list(ids)
        if self.events is None:
            return self.catalog.rows_with_ids(wanted)
        return np.concatenate(
            [block.rows_with_ids(wanted) + start for block, start in self._blocks()]
        ).astype(np.intp)

    def at(self, rows: np.ndarray | None, *names: str) -> list[np.ndarray]:
        """The columns `names` at `rows` (all when None), in the order of `rows`: code and
        number columns by name, and "starts_ns". Event rows are read from their block, so
        only what a call reads is copied. (Events' "schedule" codes are their own:
        `schedule` holds the codes every row is read by.)"""
        found = []
        n, ours = self.catalog.ids.size, None
        for name in names:
            columns = []
            for block in (self.catalog, self.events):
                if block is not None:
                    columns.append(
                        block.starts_ns
                        if name == "starts_ns"
                        else block.codes[name]
                        if name in block.codes
                        else block.numbers[name]
                    )
            if len(columns) == 1:
                found.append(columns[0] if rows is None else columns[0][rows])
            elif rows is None:
                found.append(np.concatenate(columns))
            else:
                # Event rows read the catalog's last value at first, then their own: they
                # are few.
                ours = np.flatnonzero(rows >= n) if ours is None else ours
                column = columns[0].take(rows, mode="clip")
                column[ours] = columns[1][rows[ours] - n]
                found.append(column)
        return found

    def where(
        self,
        column: str,
        values: Iterable[Any],
        rows: np.ndarray | None = None,
        *,
        codes: np.ndarray | None = None,
    ) -> np.ndarray:
        """Mask of the rows (all, or those at `rows`) whose `column` is one of `values`
        (titles given casefolded). `codes` are the values' codes in the catalog's table
        when the caller keeps them (a History keeps its titles'): only events' values are
        looked up then."""
        wanted = list(values)
        # Values only events have take the codes after the catalog's.
        tables = [self.catalog.values[column]]
        if self.events is not None:
            tables.append(self.events.values[column])
        hits: list[int] = []
        parts = [np.zeros(0, dtype=np.int64)]
        size = 0
        for known in tables:
            if codes is not None and not size:
                parts.append(codes.astype(np.int64))
            elif len(known) <= max(4 * len(wanted), SHORT):
                # A short table (the events' values, a column of a few values): each of
                # its values is looked for among the wanted ones.
                among = set(wanted)
                for position, value in enumerate(known.tolist()):
                    if value in among:
                        hits.append(position + size)
            elif len(wanted) > _FEW:
                # Many values (a long history's titles): one vectorised lookup.
                at = known.get_indexer(pd.Index(wanted, dtype=object))
                parts.append(at[at >= 0].astype(np.int64) + size)
            else:
                # A few lookups in the table's own hash map (its values are unique, so a
                # hit is one position): building an Index to match against costs more.
                for value in wanted:
                    try:
                        hits.append(int(known.get_loc(value)) + size)  # type: ignore[arg-type]
                    except KeyError:
                        continue
            size += len(known)
        found = np.concatenate([*parts, np.array(hits, dtype=np.int64)])
        if not found.size:
            return np.zeros(self.size if rows is None else rows.size, dtype=bool)
        # One more entry than there are values: code -1 (a missing value) reads it, False.
        table = np.zeros(size + 1, dtype=bool)
        table[found] = True
        if rows is None and self.events is not None:
            # Every row: each block's codes read into its own part, without joining them.
            mask = np.empty(self.size, dtype=bool)
            n = self.catalog.ids.size
            table.take(self.catalog.codes[column].astype(np.intp), out=mask[:n])
            table.take(self.events.codes[column], out=mask[n:])
            return mask
        (read,) = self.at(rows, column)
        # Codes are int32 to keep the index small; numpy gathers through a narrower index
        # on a slow path (about 3x on a million rows), so they are widened first.
        mask = table[read.astype(np.intp)]
        return mask

    def item_rows(self, rows: np.ndarray) -> sp.csr_matrix:
        """The item matrix's rows at `rows`, in that order."""
        n = self.catalog.matrix.shape[0]
        if self.events is None or not (rows >= n).any():
            return sp.csr_matrix(self.catalog.matrix[rows])
        ours = rows >= n
        # Rows in any order (a shortlist, the picks): each row's entries are copied from its
        # block straight to its place, without scipy's costs per selection.
        lengths = np.empty(rows.size, dtype=np.int64)
        sources = (
            (self.catalog.matrix, rows[~ours], ~ours),
            (self.events.matrix, rows[ours] - n, ours),
        )
        for matrix, at, mask in sources:
            lengths[mask] = matrix.indptr[at + 1] - matrix.indptr[at]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        data = np.empty(indptr[-1], dtype=self.catalog.matrix.dtype)
        indices = np.empty(indptr[-1], dtype=self.catalog.matrix.indices.dtype)
        for matrix, at, mask in sources:
            size, into = lengths[mask], indptr[:-1][mask]
            # Each entry's place within its row, then in the block and in the result.
            entry = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
            taken = np.repeat(matrix.indptr[at], size) + entry
            placed = np.repeat(into, size) + entry
            data[placed], indices[placed] = matrix.data[taken], matrix.indices[taken]
        return sp.csr_matrix(
            (data, indices, indptr), shape=(rows.size, self.catalog.matrix.shape[1])
        )

    def cosines(self, rows: np.ndarray | None, *profiles: np.ndarray) -> list[np.ndarray]:
        """Cosine of the rows at `rows` (all when None) with each weighted, unit-normalised
        profile vector. A few rows are copied out of the matrices first; for many, one pass
        over each whole matrix costs less."""
        found = []
        space, catalog, events = self.catalog.space, self.catalog, self.events
        if rows is None or rows.size > _WHOLE_PASS_SHARE * self.size:
            for profile in profiles:
                cosines = space.cosine_to(catalog.matrix, catalog.norms, profile)
                if events is not None:
                    cosines = np.concatenate(
                        [cosines, space.cosine_to(events.matrix, events.norms, profile)]
                    )
                found.append(cosines if rows is None else cosines[rows])
            return found
        if events is None:
            some, norms = self.item_rows(rows), catalog.norms[rows]
            for profile in profiles:
                found.append(space.cosine_to(some, norms, profile))
            return found
        # The catalog's rows are copied out; the events' block is small: it is read whole.
        ours = rows >= catalog.ids.size
        mine = rows[~ours]
        some, norms = catalog.matrix[mine], catalog.norms[mine]
        for profile in profiles:
            cosines = np.empty(rows.size, dtype=np.float32)
            cosines[~ours] = space.cosine_to(some, norms, profile)
            theirs = space.cosine_to(events.matrix, events.norms, profile)
            cosines[ours] = theirs[rows[ours] - catalog.ids.size]
            found.append(cosines)
        return found

    def records(self, rows: np.ndarray) -> list[dict[str, Any]]:
        """The given rows as dicts of their columns, in order."""
        found: dict[int, dict[str, Any]] = {}
        for block, start in self._blocks():
            mine = rows[(rows >= start) & (rows < start + len(block))]
            found.update(zip(mine.tolist(), block.records(mine - start), strict=True))
        return [found[row] for row in rows.tolist()]


def km_from(catalog: ItemIndex, near: Location) -> np.ndarray:
    """Km of the catalog's placed rows from `near`."""
    placed = catalog.placed
    return haversine_km(catalog.numbers["lat"][placed], catalog.numbers["lon"][placed], near)


def of_catalog(catalog: ItemIndex, query: Query) -> Candidates:
    """The catalog alone as the candidates of `query`, nothing remembered (for tools
    that run the stages themselves; the Recommender remembers matches and km)."""
    matches = {label: catalog.matches(label) for label in query.labels}
    return gather(catalog, None, matches, km_from(catalog, query.near), query.near)


def gather(
    catalog: ItemIndex,
    events: ItemIndex | None,
    matches: Mapping[str, Matches],
    km: np.ndarray,
    near: Location,
) -> Candidates:
    """The candidates of one call: `matches` and `km` (from `near`) are the catalog's."""
    if events is None:
        return Candidates(
            catalog=catalog,
            events=None,
            size=catalog.ids.size,
            schedule=catalog.codes["schedule"],
            currency=catalog.codes["currency"],
            cost_min=catalog.numbers["cost_min"],
            placed=catalog.placed,
            km=km,
            dated=catalog.dated,
            dated_ends=catalog.dated_ends,
            matches=matches,
        )
    n = catalog.ids.size
    placed = events.placed
    lat, lon = events.numbers["lat"][placed], events.numbers["lon"][placed]
    return Candidates(
        catalog=catalog,
        events=events,
        size=n + len(events),
        # Events are judged by their own start: no row reads their schedule's slot.
        schedule=np.concatenate([catalog.codes["schedule"], np.zeros(len(events), np.int32)]),
        currency=np.concatenate([catalog.codes["currency"], events.codes["currency"]]),
        cost_min=np.concatenate([catalog.numbers["cost_min"], events.numbers["cost_min"]]),
        placed=np.concatenate([catalog.placed, placed + n]),
        km=np.concatenate([km, haversine_km(lat, lon, near)]),
        dated=np.concatenate([catalog.dated, events.dated + n]),
        dated_ends=np.concatenate([catalog.dated_ends, events.dated_ends]),
        matches={
            label: _joined(found, events.matching(found.terms), n)
            for label, found in matches.items()
        },
    )


def _joined(catalog: Matches, events: Matches, n: int) -> Matches:
    if not events.rows.size:
        return catalog  # most labels match none of a few events: nothing to copy
    return Matches(
        catalog.terms,
        np.concatenate([catalog.rows, events.rows + n]),
        np.concatenate([catalog.values, events.values]),
    )
