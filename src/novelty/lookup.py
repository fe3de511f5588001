"""Which candidate rows carry given ids, titles, labels or words, without a pass over rows."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Columns a RowLookup encodes. Titles are matched casefolded, as outings' titles are.
COLUMNS = ("title", "category", "setting", "time_of_day", "currency", "duration_minutes")

#: "No time" in int64 nanosecond columns, as pandas stores NaT: the smallest int64.
NAT = np.iinfo(np.int64).min

#: Numeric columns a RowLookup keeps as numpy arrays, and their dtypes.
NUMBERS: dict[str, type[np.generic]] = {
    "cost_min": np.float64,
    "lat": np.float64,
    "lon": np.float64,
    "season_mask": np.int64,
    "excitement": np.float32,
    "interactive": np.float32,
    "online": np.bool_,
}


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def remembered(memory: dict[K, V], key: K, make: Callable[[], V], size: int) -> V:
    """`memory[key]`, made on first use; the memory is emptied when it holds `size` entries.

    A key is hashed once when found: some keys (a history's outings) cost a hash per item.
    """
    try:
        return memory[key]
    except KeyError:
        if len(memory) >= size:
            memory.clear()
        value = memory[key] = make()
        return value


#: Up to this many values are looked up one by one (see `positions`).
_FEW = 32
#: Columns with up to this many distinct values are looked up in a dict.
_FEW_DISTINCT = 4096
#: Longer lists of values whose rows a RowLookup remembers.
_MEMORY = 64


def positions(index: pd.Index, values: list[Any]) -> np.ndarray:
    """Where `values` are in `index` (every position of each, when it repeats), those
    that are there.

    A few values are looked up one at a time: `get_indexer` costs about 0.2 ms however
    short the list, and a call asks for a few dislikes, tried ideas or currencies.
    """
    if len(values) > _FEW or not index.is_unique:
        found: np.ndarray = index.get_indexer_for(pd.Index(values, dtype=object))
        return found[found >= 0]
    at = []
    for value in values:
        try:
            at.append(index.get_loc(value))
        except KeyError:
            continue
    return np.array(at, dtype=np.intp)


def _cells(column: pd.Series) -> Any:
    """A column's values without a copy: numpy for most, pandas' array for aware times."""
    return column.array if isinstance(column.dtype, pd.DatetimeTZDtype) else column.to_numpy()


@dataclass(frozen=True)
class ItemColumns:
    """The item matrix read by column, to find the items that carry a label or a word.

    Label columns are kept column-major (a small block: items carry a few labels each), so
    their rows are at hand. A word column is read from the row-major matrix on first ask,
    one pass over its entries, and remembered: a column-major copy of the whole matrix
    would double its memory for the few words that interests or dislikes name.
    """

    labels: sp.csc_matrix
    rows: sp.csr_matrix
    words: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def of(cls, matrix: sp.csr_matrix, labels: int) -> ItemColumns:
        """Columns of `matrix`, whose first `labels` columns are labels."""
        block = matrix if labels >= matrix.shape[1] else matrix[:, :labels]
        return cls(sp.csc_matrix(block), matrix)

    @classmethod
    def reading(cls, matrix: sp.csr_matrix | ItemColumns) -> ItemColumns:
        """`matrix` itself if it is ItemColumns, else all its columns column-major."""
        return matrix if isinstance(matrix, ItemColumns) else cls.of(matrix, matrix.shape[1])

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows with an entry in column `j`, ascending, and those entries."""
        if j < self.labels.shape[1]:
            span = slice(self.labels.indptr[j], self.labels.indptr[j + 1])
            return self.labels.indices[span], self.labels.data[span]
        return remembered(self.words, j, lambda: self._word(j), _MEMORY)

    def _word(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        at = np.flatnonzero(self.rows.indices == j)
        return np.searchsorted(self.rows.indptr, at, side="right") - 1, self.rows.data[at]


@dataclass(frozen=True)
class RowLookup:
    """Indexes and numpy columns of a candidates frame and its item matrix, built once.

    Finding the rows with one of a few ids then costs a hash probe per id, and the rows with
    one of a few values of a column a gather of small integer codes, instead of hashing every
    row's string on every call; the rows that carry a few labels or words are read from
    those columns of `columns` alone; numeric columns are read without pandas. On a large
    catalog those passes over strings took longer than all the scoring maths together.
    What calls ask again (a couple's history, this weekend's window) is remembered in
    `memory`, keyed by what was asked, so it can never change an answer.
    """

    ids: pd.Index
    codes: dict[str, np.ndarray]
    values: dict[str, pd.Index]
    numbers: dict[str, np.ndarray]
    #: Start of each dated event as int64 nanoseconds since the epoch (UTC), else NAT.
    starts_ns: np.ndarray
    #: Rows with a place (both coordinates) that are not online.
    placed: np.ndarray
    #: Rows of dated events.
    events: np.ndarray
    #: Per code in `codes["schedule"]`: its time of day and duration codes, its seasons.
    schedules: dict[str, np.ndarray]
    columns: ItemColumns
    #: Every column of the frame as an array to read single rows from (views, not copies).
    cells: dict[str, Any]
    #: Km of the `placed` rows from the last few places asked about (a couple's home
    #: comes back on every call).
    km_from: dict[tuple[float, float], np.ndarray] = field(default_factory=dict)
    #: What was worked out from these rows and is remembered, one memory per purpose
    #: (`memory_for`): e.g. the rows of a history's ids (a couple's history comes back on
    #: every call), or the filters' start of each schedule in a window.
    memory: dict[str, dict[Hashable, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, frame: pd.DataFrame, matrix: sp.csr_matrix, labels: int) -> RowLookup:
        """Index the ids and `COLUMNS` of a candidates frame, and its item matrix (whose
        first `labels` columns are labels) by column."""
        codes: dict[str, np.ndarray] = {}
        values: dict[str, pd.Index] = {}
        for column in COLUMNS:
            series = frame[column].str.casefold() if column == "title" else frame[column]
            codes[column], uniques = pd.factorize(series)
            values[column] = pd.Index(uniques)
        numbers = {name: frame[name].to_numpy(dtype=kind) for name, kind in NUMBERS.items()}
        # Ideas share few (time of day, seasons, duration) schedules: the filters place
        # each schedule once per call, and every row reads its own from a table.
        durations = len(values["duration_minutes"]) + 1
        schedule = (
            codes["time_of_day"].astype(np.int64) * 16 + numbers["season_mask"]
        ) * durations + codes["duration_minutes"]
        codes["schedule"], _ = pd.factorize(schedule)
        first = np.unique(codes["schedule"], return_index=True)[1]
        schedules = {
            "time_of_day": codes["time_of_day"][first],
            "season_mask": numbers["season_mask"][first],
            "duration_minutes": codes["duration_minutes"][first],
        }
        # Small codes: gathering with them reads less memory on every call.
        codes = {name: code.astype(np.int32) for name, code in codes.items()}
        starts = frame["starts_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        lat, lon, online = numbers["lat"], numbers["lon"], numbers["online"]
        placed = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon) & ~online)
        return cls(
            pd.Index(frame["id"]),
            codes,
            values,
            numbers,
            starts,
            placed,
            np.flatnonzero(starts != NAT),
            schedules,
            ItemColumns.of(matrix, labels),
            {str(name): _cells(frame[name]) for name in frame.columns},
        )

    def __len__(self) -> int:
        return len(self.ids)

    def memory_for(self, purpose: str) -> dict[Hashable, Any]:
        """The memory of one purpose, for `remembered`."""
        return self.memory.setdefault(purpose, {})

    def rows_with_ids(self, ids: Iterable[str]) -> np.ndarray:
        """Positions of the rows whose id is one of `ids`."""
        return self._positions("id", self.ids, list(ids))

    def rows_of_ids(self, ids: Sequence[str]) -> np.ndarray:
        """Per id in `ids`, the position of its row, or -1."""
        key = tuple(ids)
        return remembered(
            self.memory_for("rows of ids"),
            key,
            lambda: np.asarray(self.ids.get_indexer(pd.Index(key, dtype=object))),
            _MEMORY,
        )

    def _codes(self, column: str, values: list[Any]) -> np.ndarray:
        """The codes of those `values` that `column` holds. A column of few distinct values
        (a category, a currency) answers from a dict, made on first use."""
        index = self.values[column]
        if len(index) > _FEW_DISTINCT:
            return self._positions(column, index, values)
        codes = remembered(
            self.memory_for("codes"),
            column,
            lambda: {value: code for code, value in enumerate(index.tolist())},
            len(COLUMNS),
        )
        return np.array([codes[v] for v in values if v in codes], dtype=np.intp)

    def _positions(self, column: str, index: pd.Index, values: list[Any]) -> np.ndarray:
        if len(values) <= _FEW:
            return positions(index, values)
        return remembered(
            self.memory_for(f"rows by {column}"),
            frozenset(values),
            lambda: positions(index, values),
            _MEMORY,
        )

    def records(self, rows: np.ndarray) -> list[dict[str, Any]]:
        """The given rows as dicts: far cheaper than `iloc` and `to_dict` on a frame of
        mixed types, which cost a pass over every column for each row."""
        # Lists: reading a list item is far cheaper than indexing a pandas array.
        taken = {name: values[rows].tolist() for name, values in self.cells.items()}
        return [{name: values[i] for name, values in taken.items()} for i in range(len(rows))]

    def where(
        self, column: str, values: Iterable[str], *, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Mask of the rows (all, or those at `rows`) whose `column` is one of `values`
        (titles given casefolded)."""
        found = self._codes(column, list(values))
        if not found.size:
            return np.zeros(len(self) if rows is None else rows.size, dtype=bool)
        # One more entry than there are values: code -1 (a missing value) reads it, False.
        table = np.zeros(len(self.values[column]) + 1, dtype=bool)
        table[found] = True
        codes = self.codes[column]
        mask: np.ndarray = table[codes if rows is None else codes[rows]]
        return mask
