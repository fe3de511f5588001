"""Label and word vocabularies, fitted and applied a whole column at a time.

scikit-learn's `CountVectorizer` and `TfidfVectorizer` tokenise each text and count each
token in a Python loop, which was most of the time it took to prepare a large catalog. Here
all texts are split as one string by C string methods, tokens are counted by
`pandas.factorize` and sparse matrices, and scikit-learn's `TfidfTransformer` weights the
counts. The results follow `TfidfVectorizer`'s rules: lowercase, tokens of two or more word
characters (`\\w\\w+`), English stop words dropped, the most frequent words kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfTransformer

#: Put between texts while they are split as one string. A text that holds it has it
#: replaced first, so the count of breaks always tells texts apart.
_BREAK = "\x00"
_WORD_CHARACTER = re.compile(r"\w")


@dataclass(frozen=True)
class _Pieces:
    """The pieces of many texts: codes into `distinct`, and the text each piece is from."""

    codes: np.ndarray
    distinct: np.ndarray
    texts: np.ndarray


def _pieces(
    texts: Sequence[str], delimiter: str | None, clean: Callable[[str], str] = str
) -> _Pieces:
    """Split every text on `delimiter` (None: runs of whitespace) in one pass over one
    string; `clean` rewrites that joined string first (it must keep `_BREAK`)."""
    if not texts:
        empty = np.zeros(0, dtype=np.intp)
        return _Pieces(empty, np.zeros(0, dtype=object), empty)
    glue = f"{delimiter or ' '}{_BREAK}{delimiter or ' '}"
    joined = glue.join(texts)
    if joined.count(_BREAK) != len(texts) - 1:
        joined = glue.join(text.replace(_BREAK, " ") for text in texts)
    codes, distinct = pd.factorize(np.array(clean(joined).split(delimiter), dtype=object))
    breaks = codes == (distinct.tolist().index(_BREAK) if len(texts) > 1 else -2)
    kept = ~breaks
    return _Pieces(codes[kept], np.asarray(distinct, dtype=object), np.cumsum(breaks)[kept])


def _only_words(joined: str) -> str:
    """Lowercase, every character that is not a word character made a space (but breaks)."""
    lowered = joined.lower()
    points = np.flatnonzero(np.bincount(np.frombuffer(lowered.encode("utf-32-le"), np.uint32)))
    others = {
        p: " " for p in points.tolist() if chr(p) != _BREAK and not _WORD_CHARACTER.match(chr(p))
    }
    return lowered.translate(others)


def _counts(pieces: _Pieces, column_of: np.ndarray, rows: int, width: int) -> sp.csr_matrix:
    """Rows × columns counts of the pieces whose column (by distinct piece) is >= 0."""
    columns = column_of[pieces.codes]
    known = columns >= 0
    per_row = np.bincount(pieces.texts[known], minlength=rows)
    indptr = np.concatenate([[0], np.cumsum(per_row)])
    data = np.ones(int(known.sum()), dtype=np.float32)
    counts = sp.csr_matrix((data, columns[known], indptr), shape=(rows, width))
    counts.sum_duplicates()
    return counts


@dataclass
class Labels:
    """Binary label columns (tags and category), labels mapped to the catalog's own by
    `canonical`; the vocabulary is sorted."""

    canonical: Callable[[str], str]
    columns_: dict[str, int] = field(init=False, default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns_)

    def fit_transform(self, strings: Sequence[str], extra: Sequence[str] = ()) -> sp.csr_matrix:
        """Learn the labels in `strings` (';'-separated) and the `extra` ones; the strings'
        rows."""
        pieces = _pieces(strings, ";")
        found = pieces.distinct[np.unique(pieces.codes)].tolist()
        every = {self.canonical(label) for label in [*found, *extra]} - {""}
        self.columns_ = {label: i for i, label in enumerate(sorted(every))}
        return self._rows(pieces, len(strings))

    def transform(self, strings: Sequence[str]) -> sp.csr_matrix:
        """One row per string: 1 in the column of each label it carries."""
        return self._rows(_pieces(strings, ";"), len(strings))

    def _rows(self, pieces: _Pieces, rows: int) -> sp.csr_matrix:
        column_of = np.array(
            [self.columns_.get(self.canonical(p), -1) for p in pieces.distinct.tolist()],
            dtype=np.intp,
        )
        counts = _counts(pieces, column_of, rows, len(self))
        counts.data[:] = 1.0
        return counts


@dataclass
class Words:
    """tf-idf word columns (sublinear tf, smoothed idf, rows of unit length), the
    `max_words` most frequent words, in alphabetical order."""

    max_words: int
    words_: pd.Index = field(init=False)
    #: None when the texts had no usable word (then every row is empty).
    weights_: TfidfTransformer | None = field(init=False, default=None)

    def __len__(self) -> int:
        return len(self.words_)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn the words of `texts` and their idf; the texts' rows."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

        pieces = _pieces(texts, None, _only_words)
        usable = np.array(
            [len(w) > 1 and w not in ENGLISH_STOP_WORDS for w in pieces.distinct.tolist()],
            dtype=bool,
        )
        frequency = np.bincount(pieces.codes, minlength=pieces.distinct.size)
        frequency[~usable] = 0
        # Most frequent first (ties in alphabetical order), then columns in alphabetical order.
        ranked = np.lexsort((pieces.distinct.astype(str), -frequency))[: self.max_words]
        kept = np.sort(pieces.distinct[ranked[frequency[ranked] > 0]].astype(str))
        self.words_ = pd.Index(kept, dtype=object)
        counts = self._counts(pieces, len(texts))
        if not len(self):
            return counts
        self.weights_ = TfidfTransformer(sublinear_tf=True)
        rows: sp.csr_matrix = self.weights_.fit_transform(counts)
        return rows

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Rows of new texts in the fitted columns; words not in the vocabulary are left out."""
        counts = self._counts(_pieces(texts, None, _only_words), len(texts))
        if self.weights_ is None or not texts:
            return counts
        rows: sp.csr_matrix = self.weights_.transform(counts)
        return rows

    def _counts(self, pieces: _Pieces, rows: int) -> sp.csr_matrix:
        column_of = np.asarray(self.words_.get_indexer(pd.Index(pieces.distinct)), dtype=np.intp)
        return _counts(pieces, column_of, rows, len(self))
