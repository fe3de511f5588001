"""The immutable ItemIndex: a prepared block of candidates as numpy columns and one matrix."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..context.calendar import Rule, parse_when
from ..context.weather import needs_bits
from .space import ItemSpace, Terms

#: Columns an ItemIndex encodes as small integer codes. Titles are casefolded, as outings'.
COLUMNS = (
    "title", "category", "setting", "time_of_day", "currency", "duration_minutes", "energy",
    "demand", "when", "weather", "countries",
)  # fmt: skip

#: "No time" in int64 nanosecond columns, as pandas stores NaT: the smallest int64.
NAT = np.iinfo(np.int64).min

#: Numeric columns kept as numpy arrays, and their dtypes.
NUMBERS: dict[str, type[np.generic]] = {
    "cost_min": np.float64,
    "lat": np.float64,
    "lon": np.float64,
    "season_mask": np.int64,
    "excitement": np.float32,
    "interactive": np.float32,
    "online": np.bool_,
    "needs_booking": np.bool_,
    "same_day_booking": np.bool_,
    "step_free": np.bool_,
}

#: Up to this many values are looked up one by one (see `rows_with_ids`).
_FEW = 32
#: A table of up to this many values, or of up to 4 times as many as are looked for, is
#: read through instead (see `rows_with_ids`): a call's events have no hash tables yet,
#: and making one costs more than a pass over a few values.
SHORT = 128
#: A block's new values of a column when its `like` index has them all (one shared,
#: immutable empty Index: most columns of a call's events have nothing new).
_NOTHING_NEW = pd.Index([], dtype=object)


@dataclass(frozen=True)
class Matches:
    """The rows that match one interest, dislike or tried label, ascending, and how
    strongly (1 for a label, else the cosine of its words), with the label's `terms`."""

    terms: Terms
    rows: np.ndarray
    values: np.ndarray


def context_of(values: Mapping[str, pd.Index]) -> dict[str, Any]:
    """The parsed `when` rule of each distinct `when` value and the needs of each distinct
    `weather` value: parsed once per index, evaluated per call per distinct value."""
    return {
        "rules": tuple(parse_when(str(rule)) for rule in values["when"]),
        "needs": np.array([needs_bits(str(n)) for n in values["weather"]], dtype=np.int64),
    }


#: Coded columns whose cells are the coded values themselves (titles are casefolded).
_SHARED = tuple(c for c in COLUMNS if c not in ("title", "duration_minutes"))


def shared_text(distinct: pd.Index, code: np.ndarray, own: Callable[[], Any]) -> np.ndarray:
    """A coded text column's cells read from its distinct values, so rows share one string
    object each (a million rows of "USD" would otherwise be a million strings). `own`
    gives the column's own cells, read only when some row has no code (a missing value)."""
    shared: np.ndarray = np.asarray(distinct, dtype=object)[np.maximum(code, 0)]
    missing = code < 0
    if missing.any():
        shared[missing] = np.asarray(own(), dtype=object)[missing]
    return shared


def shared_cells(
    cells: dict[str, Any], codes: dict[str, np.ndarray], values: dict[str, pd.Index]
) -> dict[str, Any]:
    """A catalog's cells with its coded text columns shared (see `shared_text`)."""
    return {
        name: shared_text(values[name], codes[name], partial(itemgetter(name), cells))
        if name in _SHARED and _is_text(own)
        else own
        for name, own in cells.items()
    }


def _is_text(column: Any) -> bool:
    return bool(pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column))


def _coded_in(known: pd.Index, column: Any, *, casefold: bool) -> tuple[np.ndarray, pd.Index]:
    """Codes of a block's cells in the code table `known` (a value it lacks gets a code
    past it, in order of first appearance, as `pd.factorize` numbers them) and the values
    it lacks; a missing cell (None, NaN) gets -1. Titles are casefolded first.

    One hash probe per distinct value: a block of events has a few dozen rows, and a
    factorize and a match through pandas cost far more per column than the probes.
    """
    code_of: dict[Any, int] = {}
    new: list[Any] = []
    codes = np.empty(len(column), dtype=np.int64)
    for row, cell in enumerate(column.tolist()):
        if casefold and isinstance(cell, str):
            cell = cell.casefold()
        code = code_of.get(cell)
        if code is None:
            if pd.isna(cell):
                code = -1
            elif cell in known:
                code = int(known.get_loc(cell))  # type: ignore[arg-type]
            else:
                code = len(known) + len(new)
                new.append(cell)
            code_of[cell] = code
        codes[row] = code
    return codes, pd.Index(new, dtype=object) if new else _NOTHING_NEW


def _cells(column: Any) -> Any:
    """A column's values without a copy: numpy for most, pandas' array for aware times."""
    if not isinstance(column, pd.Series):
        return column
    return column.array if isinstance(column.dtype, pd.DatetimeTZDtype) else column.to_numpy()


@dataclass(frozen=True)
class ItemIndex:
    """A candidates frame made ready once: ids, small integer codes of the columns the
    filters compare, numeric columns, the item matrix (row-major) with its row norms, its
    label block column-major, and every column to read single rows from.

    Finding the rows with one of a few ids then costs a hash probe per id, and the rows
    with one of a few values of a column a gather of small codes, instead of hashing
    every row's string on every call. Immutable: many threads read one index.
    """

    space: ItemSpace
    ids: pd.Index
    codes: dict[str, np.ndarray]
    values: dict[str, pd.Index]
    numbers: dict[str, np.ndarray]
    #: Start of each dated event as int64 nanoseconds since the epoch (UTC), else NAT.
    starts_ns: np.ndarray
    #: Per code of `codes["schedule"]`: its time of day, seasons, duration, `when` rule,
    #: weather needs and setting codes.
    schedules: dict[str, np.ndarray]
    #: Per value of `values["when"]`, its parsed rule (parsed once, here).
    rules: tuple[Rule, ...]
    #: Per value of `values["weather"]`, its needs as bits (`context.weather.NEEDS`).
    needs: np.ndarray
    #: Rows with a place (both coordinates) that are not online.
    placed: np.ndarray
    #: Rows of dated events.
    dated: np.ndarray
    #: End of each dated event, in the order of `dated` (int64 ns, NAT when it gave none):
    #: an event already on when a window opens (a festival, an exhibition) is in it.
    dated_ends: np.ndarray
    matrix: sp.csr_matrix
    norms: np.ndarray
    #: The label block column-major: items carry a few labels each, so it is small.
    labels: sp.csc_matrix
    cells: dict[str, Any]

    @classmethod
    def build(
        cls,
        frame: pd.DataFrame | Mapping[str, Any],
        space: ItemSpace,
        matrix: sp.csr_matrix,
        like: ItemIndex | None,
    ) -> ItemIndex:
        """Index a candidates frame (or its columns as arrays) and its item matrix.

        With `like`, codes are given in `like`'s code tables, so codes of both compare: a
        value `like` lacks gets a code past them, and `values` holds only those values
        (`like`'s tables stay the one copy of the rest, with their hash tables built)."""
        # Norms first, then the label block: their temporary copies are large at scale and
        # should not be alive at once.
        norms = space.row_norms(matrix)
        block = matrix if space.n_labels >= matrix.shape[1] else matrix[:, : space.n_labels]
        labels = sp.csc_matrix(block)
        del block
        codes: dict[str, np.ndarray] = {}
        values: dict[str, pd.Index] = {}
        for column in COLUMNS:
            if like is not None:
                codes[column], values[column] = _coded_in(
                    like.values[column], frame[column], casefold=column == "title"
                )
                continue
            series = pd.Series(frame[column], copy=False)
            if column == "title":
                series = series.str.casefold()
            code, uniques = pd.factorize(series)
            codes[column], values[column] = code, pd.Index(uniques)
        numbers = {name: np.asarray(frame[name], dtype=kind) for name, kind in NUMBERS.items()}
        # Ideas share few (time of day, seasons, duration, rule, weather, setting)
        # schedules: the schedule stage places each once per call, and every row reads
        # its own from a table.
        keyed = ("time_of_day", "duration_minutes", "when", "weather", "setting")
        schedule = numbers["season_mask"].astype(np.int64)
        for name in keyed:
            schedule = schedule * (len(values[name]) + 1) + codes[name] + 1
        codes["schedule"], _ = pd.factorize(schedule)
        first = np.unique(codes["schedule"], return_index=True)[1]
        schedules = {name: codes[name][first] for name in keyed}
        schedules["season_mask"] = numbers["season_mask"][first]
        # Small codes: gathering with them reads less memory on every call.
        codes = {name: code.astype(np.int32) for name, code in codes.items()}
        starts = frame["starts_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        dated = np.flatnonzero(starts != NAT)
        ends = frame["ends_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)[dated]
        lat, lon, online = numbers["lat"], numbers["lon"], numbers["online"]
        # A catalog's coded text columns are read from their distinct values (never made
        # as a million strings first); an event block's `values` hold only its new values,
        # and its few rows share nothing.
        cells = {
            str(name): shared_text(
                values[str(name)], codes[str(name)], partial(_cells, frame[str(name)])
            )
            if like is None and name in _SHARED and _is_text(frame[str(name)])
            else _cells(frame[str(name)])
            for name in frame
        }
        return cls(
            space=space,
            ids=pd.Index(frame["id"], dtype=object),
            codes=codes,
            values=values,
            numbers=numbers,
            starts_ns=starts,
            schedules=schedules,
            **context_of(values),
            placed=np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon) & ~online),
            dated=dated,
            dated_ends=ends,
            matrix=matrix,
            norms=norms,
            labels=labels,
            cells=cells,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def rows_with_ids(self, ids: Iterable[str]) -> np.ndarray:
        """Positions of the rows whose id is one of `ids`.

        A few ids are looked up one at a time: `get_indexer` costs about 0.2 ms however
        short the list, and a call asks for a few dislikes or tried ideas. A short block (a
        call's events, see `SHORT`) is read through instead, each of its ids looked up
        among the wanted ones.
        """
        wanted = list(ids)
        if len(self.ids) <= max(4 * len(wanted), SHORT):
            among = set(wanted)
            read = []
            for row, value in enumerate(self.ids.tolist()):
                if value in among:
                    read.append(row)
            return np.array(read, dtype=np.intp)
        if len(wanted) > _FEW or not self.ids.is_unique:
            found: np.ndarray = self.ids.get_indexer_for(pd.Index(wanted, dtype=object))
            return found[found >= 0]
        at = []
        for value in wanted:
            try:
                at.append(self.ids.get_loc(value))
            except KeyError:
                continue
        return np.array(at, dtype=np.intp)

    def rows_of_ids(self, ids: Sequence[str]) -> np.ndarray:
        """Per id in `ids`, the position of its row, or -1."""
        return np.asarray(self.ids.get_indexer(pd.Index(list(ids), dtype=object)))

    def matches(self, label: str) -> Matches:
        """The rows that carry `label` or its words.

        A label's rows are read from the column-major label block; a word column from the
        row-major matrix in one pass over its entries (a column-major copy of the whole
        matrix would double its memory)."""
        return self.matching(self.space.terms(label))

    def matching(self, terms: Terms) -> Matches:
        """The rows that carry some of `terms` (see `matches`)."""
        entries = [self._column(c) for c in terms.columns.tolist()]
        found: np.ndarray
        value: np.ndarray
        if not entries:  # words no item uses
            found, value = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        elif terms.label:  # a label: entries are 1
            found, value = entries[0]
        elif len(entries) == 1:
            found, value = entries[0][0], entries[0][1] * terms.weights[0]
        else:
            # A word query: sum each item's weighted entries over the query's columns.
            found, where = np.unique(np.concatenate([at for at, _ in entries]), return_inverse=True)
            weighted = np.concatenate(
                [data * w for (_, data), w in zip(entries, terms.weights, strict=True)]
            )
            value = np.bincount(where, weights=weighted, minlength=found.size)
        return Matches(terms, found, np.minimum(value, 1.0, dtype=np.float32))

    def _column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows with an entry in column `j`, ascending, and those entries."""
        if j < self.labels.shape[1]:
            span = slice(self.labels.indptr[j], self.labels.indptr[j + 1])
            return self.labels.indices[span], self.labels.data[span]
        at = np.flatnonzero(self.matrix.indices == j)
        return np.searchsorted(self.matrix.indptr, at, side="right") - 1, self.matrix.data[at]

    def records(self, rows: np.ndarray) -> list[dict[str, Any]]:
        """The given rows as dicts: far cheaper than `iloc` and `to_dict` on a frame of
        mixed types, which cost a pass over every column for each row."""
        # Lists: reading a list item is far cheaper than indexing a pandas array.
        taken = {name: values[rows].tolist() for name, values in self.cells.items()}
        return [{name: values[i] for name, values in taken.items()} for i in range(len(rows))]

    def category_of_tags(self) -> dict[str, str]:
        """Each label column's most common category among the rows that carry it (ties:
        the first category alphabetically), to place events' own categories."""
        categories = self.values["category"].to_numpy(dtype=object)
        order = np.argsort(categories)
        # Category codes in alphabetical order, so the first of equal counts wins.
        rank = np.empty(order.size + 1, dtype=np.int32)
        rank[order] = np.arange(order.size, dtype=np.int32)
        rank[-1] = order.size  # code -1: no category, never counted
        of_entry = rank[self.codes["category"]][self.labels.indices]
        names = sorted(self.space.labels.columns_, key=self.space.labels.columns_.__getitem__)
        indptr, found = self.labels.indptr, {}
        for j, name in enumerate(names):
            counts = np.bincount(of_entry[indptr[j] : indptr[j + 1]], minlength=order.size + 1)
            best = int(counts[:-1].argmax()) if order.size else 0
            if counts[best] > 0:
                found[name] = str(categories[order[best]])
        return found
