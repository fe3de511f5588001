"""Label and word vocabularies, fitted and applied a whole column at a time.

All texts are split as one string by C string methods, tokens are counted by
`pandas.factorize` and sparse matrices, and the counts are weighted by numpy. The results
are scikit-learn's `TfidfVectorizer`'s to the last bit (the tests compare them), without
importing scikit-learn, which took longer than the rest of a cold start: lowercase, tokens
of two or more word characters (`\\w\\w+`), English stop words dropped (the list in
data/stop_words.txt), the most frequent words kept, sublinear tf, smoothed idf, rows of unit
length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..files import bundled_data

#: Put between texts while they are split as one string. A text that holds it has it
#: replaced first, so the count of breaks always tells texts apart.
_BREAK = "\x00"
_WORD_CHARACTER = re.compile(r"\w")
#: Characters encoded at a time when looking for the distinct ones (4 bytes each).
_SLICE = 1 << 22
#: Texts split at a time: their pieces are Python strings, about 50 bytes each.
_TEXTS_AT_ONCE = 5_000


@dataclass(frozen=True)
class _Pieces:
    """The pieces of some texts: codes into `distinct`, and the text each piece is from."""

    codes: np.ndarray
    distinct: list[str]
    texts: np.ndarray


def _split(texts: Sequence[str], delimiter: str | None, clean: Callable[[str], str]) -> _Pieces:
    """Split every text on `delimiter` (None: runs of whitespace) in one pass over one
    string; `clean` rewrites that joined string first (it must keep `_BREAK`)."""
    glue = f"{delimiter or ' '}{_BREAK}{delimiter or ' '}"
    joined = glue.join(texts)
    if joined.count(_BREAK) != len(texts) - 1:
        joined = glue.join(text.replace(_BREAK, " ") for text in texts)
    codes, found = pd.factorize(np.array(clean(joined).split(delimiter), dtype=object))
    distinct = found.tolist()
    at = distinct.index(_BREAK) if len(texts) > 1 else -1
    if at >= 0:
        distinct[at] = ""  # no piece is a break: nothing reads it
    breaks = codes == at
    kept = ~breaks
    return _Pieces(codes[kept], distinct, np.cumsum(breaks)[kept])


def _counts(
    columns: Sequence[Sequence[str]],
    delimiter: str | None,
    column_of: Callable[[list[str]], np.ndarray],
    clean: Callable[[str], str] = str,
) -> sp.csr_matrix:
    """Rows × columns counts of the pieces of each row's texts (one per column, as if
    joined by the delimiter), `_TEXTS_AT_ONCE` rows at a time; `column_of` gives each
    distinct piece of a slice its column, -1 to leave it out. The width is one more than
    the highest column met."""
    rows = len(columns[0])
    # Per slice, the column of each piece and how many pieces each row has: the counts
    # (all ones until duplicates are summed) are made once, for all rows.
    found: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
    per_row: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for start in range(0, rows, _TEXTS_AT_ONCE):
        texts = [column[start : start + _TEXTS_AT_ONCE] for column in columns]
        joined = (
            texts[0]
            if len(texts) == 1
            else [(delimiter or " ").join(t) for t in zip(*texts, strict=True)]
        )
        pieces = _split(joined, delimiter, clean)
        column = column_of(pieces.distinct).astype(np.int32)[pieces.codes]
        known = column >= 0
        found.append(column[known])
        per_row.append(np.bincount(pieces.texts[known], minlength=len(joined)))
    indices = np.concatenate(found)
    found.clear()  # before the counts are made: on a large catalog each copy is many MB
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(per_row))])
    width = int(indices.max(initial=-1)) + 1
    data = np.ones(indices.size, dtype=np.float32)
    counts = sp.csr_matrix((data, indices, indptr), shape=(rows, width))
    counts.sum_duplicates()
    return counts


def _moved(counts: sp.csr_matrix, column_of: np.ndarray, width: int) -> sp.csr_matrix:
    """`counts` with column j moved to `column_of[j]` (-1: dropped); columns moved onto the
    same one add up. Done in place: on a large catalog `counts` is hundreds of MB."""
    column = column_of.astype(np.int32)[counts.indices]
    dropped = column < 0
    counts.data[dropped] = 0
    column[dropped] = 0
    moved = sp.csr_matrix(
        (counts.data, column, counts.indptr), shape=(counts.shape[0], width), copy=False
    )
    moved.eliminate_zeros()
    moved.sum_duplicates()
    return moved


#: Entries summed at a time: bincount widens indices and weights to 8 bytes each.
_ENTRIES_AT_ONCE = 1 << 20
#: Rows normalised at a time (see `_tfidf`).
_ROWS_AT_ONCE = 1 << 16


def _column_sums(counts: sp.csr_matrix, width: int) -> np.ndarray:
    """Each column's total, a slice of the entries at a time to bound the memory used."""
    sums = np.zeros(width, dtype=np.float64)
    for start in range(0, counts.nnz, _ENTRIES_AT_ONCE):
        part = slice(start, start + _ENTRIES_AT_ONCE)
        sums += np.bincount(counts.indices[part], counts.data[part], minlength=width)
    return sums


class _Seen:
    """Columns for pieces in the order they are first met, slice after slice."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}

    def __call__(self, distinct: list[str]) -> np.ndarray:
        columns = self.columns
        return np.array([columns.setdefault(p, len(columns)) for p in distinct], dtype=np.intp)


def _characters(text: str) -> set[str]:
    """The distinct characters of a long text, read in slices to bound the memory used."""
    seen: set[int] = set()
    for start in range(0, len(text), _SLICE):
        points = np.frombuffer(text[start : start + _SLICE].encode("utf-32-le"), np.uint32)
        seen.update(np.flatnonzero(np.bincount(points)).tolist())
    return {chr(point) for point in seen}


def _only_words(joined: str) -> str:
    """Lowercase, every character that is not a word character made a space (but breaks)."""
    lowered = joined.lower()
    others = {
        ord(c): " " for c in _characters(lowered) if c != _BREAK and not _WORD_CHARACTER.match(c)
    }
    return lowered.translate(others)


@dataclass
class Labels:
    """Binary label columns (tags and category), labels mapped to the catalog's own by
    `canonical`; the vocabulary is sorted."""

    canonical: Callable[[str], str]
    columns_: dict[str, int] = field(init=False, default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns_)

    def fit_transform(self, *columns: Sequence[str], extra: Sequence[str] = ()) -> sp.csr_matrix:
        """Learn the labels of the rows (';'-separated, in one or more columns) and the
        `extra` ones; the rows."""
        seen = _Seen()
        counts = _counts(columns, ";", seen)
        every = {self.canonical(label) for label in [*seen.columns, *extra]} - {""}
        self.columns_ = {label: i for i, label in enumerate(sorted(every))}
        return _binary(_moved(counts, self._column_of(list(seen.columns)), len(self)))

    def transform(self, *columns: Sequence[str]) -> sp.csr_matrix:
        """One row per row of `columns`: 1 in the column of each label it carries."""
        counts = _counts(columns, ";", self._column_of)
        counts.resize((len(columns[0]), len(self)))
        return _binary(counts)

    def _column_of(self, pieces: list[str]) -> np.ndarray:
        columns, canonical = self.columns_, self.canonical
        return np.array([columns.get(canonical(p), -1) for p in pieces], dtype=np.intp)


def _binary(counts: sp.csr_matrix) -> sp.csr_matrix:
    counts.data[:] = 1.0
    return counts


@dataclass
class Words:
    """tf-idf word columns (sublinear tf, smoothed idf, rows of unit length), the
    `max_words` most frequent words, in alphabetical order."""

    max_words: int
    #: Each word's column, in alphabetical order.
    columns_: dict[str, int] = field(init=False, default_factory=dict)
    #: Each column's idf (float32); empty when the texts had no usable word.
    idf_: np.ndarray = field(init=False, default_factory=lambda: np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.columns_)

    def fit_transform(self, *columns: Sequence[str]) -> sp.csr_matrix:
        """Learn the words of the rows' texts (one or more columns, e.g. titles and
        descriptions) and their idf; the rows."""
        stop_words = _stop_words()
        seen = _Seen()
        counts = _counts(columns, None, seen, _only_words)
        met = np.array(list(seen.columns), dtype=object)
        frequency = _column_sums(counts, met.size)
        usable = np.array([len(w) > 1 and w not in stop_words for w in met.tolist()], dtype=bool)
        frequency[~usable] = 0
        # Most frequent first (ties in alphabetical order), then columns in alphabetical order.
        ranked = np.lexsort((met.astype(str), -frequency))[: self.max_words]
        ranked = ranked[frequency[ranked] > 0]
        kept = ranked[np.argsort(met[ranked].astype(str))]
        self.columns_ = {word: i for i, word in enumerate(met[kept].tolist())}
        column_of = np.full(met.size, -1, dtype=np.intp)
        column_of[kept] = np.arange(kept.size)
        counts = _moved(counts, column_of, len(self))
        if not len(self):
            return counts
        self.idf_ = _idf(counts)
        return _tfidf(counts, self.idf_)

    def transform(self, *columns: Sequence[str]) -> sp.csr_matrix:
        """Rows of new texts in the fitted columns; words not in the vocabulary are left out."""
        counts = _counts(columns, None, self._column_of, _only_words)
        counts.resize((len(columns[0]), len(self)))
        if not len(self) or not counts.shape[0]:
            return counts
        return _tfidf(counts, self.idf_)

    def _column_of(self, pieces: list[str]) -> np.ndarray:
        columns = self.columns_
        return np.array([columns.get(p, -1) for p in pieces], dtype=np.intp)


def _stop_words() -> frozenset[str]:
    """The English stop words shipped in data/stop_words.txt."""
    lines = bundled_data("stop_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf of each column, ln((1 + n) / (1 + df)) + 1, as if one more text held
    every word. Worked out in float32, in scikit-learn's order of operations: one rounding
    more or less would move scores."""
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    df += 1.0
    idf = np.full_like(df, counts.shape[0] + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """`counts` (float32) weighted in place: sublinear tf (1 + ln tf) times idf, each row
    then divided by its length.

    A row's squared length is summed entry after entry in float64 from float32 squares,
    as scikit-learn's normaliser does; numpy's reductions add in another order (pairwise),
    which can round differently. So the sums go one position at a time across all rows,
    longest rows first: at position p the rows still going are a prefix.
    """
    data = counts.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[counts.indices]
    squares = data * data
    lengths = np.diff(counts.indptr)
    order = np.argsort(-lengths, kind="stable")
    longest_first = lengths[order]
    starts = counts.indptr[:-1][order]
    going = np.searchsorted(-longest_first, -np.arange(longest_first[:1].sum()), side="left")
    sums = np.zeros(order.size, dtype=np.float64)
    for position, rows in enumerate(going.tolist()):
        sums[:rows] += squares[starts[:rows] + position]
    norms = np.ones(order.size, dtype=np.float64)
    norms[order] = np.sqrt(sums)
    norms[norms == 0] = 1.0  # rows of zeros stay as they are
    # Divided in float64 and rounded once, a block of rows at a time: the float64 copies
    # of a large catalog's entries would be hundreds of MB.
    indptr = counts.indptr
    for first in range(0, order.size, _ROWS_AT_ONCE):
        last = min(first + _ROWS_AT_ONCE, order.size)
        part = slice(indptr[first], indptr[last])
        data[part] = data[part] / np.repeat(norms[first:last], lengths[first:last])
    counts.data = data
    return counts
