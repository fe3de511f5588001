"""Which candidate rows carry given ids, titles, labels or words, without a pass over rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Columns a RowLookup encodes. Titles are matched casefolded, as outings' titles are.
COLUMNS = ("title", "category", "time_of_day", "currency", "duration_minutes")


@dataclass(frozen=True)
class RowLookup:
    """Indexes of a candidates frame and its item matrix, built once per frame.

    Finding the rows with one of a few ids then costs a hash probe per id, and the rows with
    one of a few values of a column a gather of small integer codes, instead of hashing every
    row's string on every call; the rows that carry a few labels or words are read from
    those columns of `columns` alone. On a large catalog those passes over strings took
    longer than all the scoring maths together.
    """

    ids: pd.Index
    codes: dict[str, np.ndarray]
    values: dict[str, pd.Index]
    columns: sp.csc_matrix

    @classmethod
    def of(cls, frame: pd.DataFrame, matrix: sp.csr_matrix) -> RowLookup:
        """Index the ids and `COLUMNS` of a candidates frame, and its item matrix by column."""
        codes: dict[str, np.ndarray] = {}
        values: dict[str, pd.Index] = {}
        for column in COLUMNS:
            series = frame[column].str.casefold() if column == "title" else frame[column]
            codes[column], uniques = pd.factorize(series)
            values[column] = pd.Index(uniques)
        return cls(pd.Index(frame["id"]), codes, values, sp.csc_matrix(matrix))

    def __len__(self) -> int:
        return len(self.ids)

    def rows_with_ids(self, ids: Iterable[str]) -> np.ndarray:
        """Positions of the rows whose id is one of `ids`."""
        rows = self.ids.get_indexer_for(pd.Index(list(ids)))
        found: np.ndarray = rows[rows >= 0]
        return found

    def where(self, column: str, values: Iterable[str]) -> np.ndarray:
        """Mask of the rows whose `column` is one of `values` (titles given casefolded)."""
        known = self.values[column].get_indexer(pd.Index(list(values)))
        # One more entry than there are values: code -1 (a missing value) reads it, False.
        table = np.zeros(len(self.values[column]) + 1, dtype=bool)
        table[known[known >= 0]] = True
        mask: np.ndarray = table[self.codes[column]]
        return mask
