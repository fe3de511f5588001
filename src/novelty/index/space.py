"""The item space: label and word vocabularies and column weights shared by every vector."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..files import bundled_data
from ..labels import normalise_label
from .vocabulary import Labels, Words

#: Weight of the label block (tags + category) against the text block in similarities.
LABEL_WEIGHT = 1.0
TEXT_WEIGHT = 0.5
#: Most frequent words kept as columns.
MAX_WORDS = 20_000


def synonyms() -> dict[str, str]:
    """Common words and event categories -> catalog tags ("concert" -> "live-music")."""
    with bundled_data("synonyms.csv").open(encoding="utf-8") as handle:
        return {row["term"].strip(): row["tag"].strip() for row in csv.DictReader(handle)}


def canonicaliser(synonyms: Mapping[str, str]) -> Callable[[str], str]:
    """The function that puts a label in the catalog's vocabulary: normalised, then its
    synonym's tag when it has one ("Concert" -> "live-music"). A partial, not a closure: a
    prepared Recommender holding it can be pickled (a process pool, a Spark broadcast)."""
    return partial(_canonical, synonyms)


def _canonical(synonyms: Mapping[str, str], label: str) -> str:
    key = normalise_label(label)
    return synonyms.get(key, key)


def _texts(frame: pd.DataFrame | Mapping[str, Any], column: str) -> list[str]:
    values = frame[column]
    if isinstance(values, pd.Series):
        return values.fillna("").astype(str).tolist()
    # A few events' columns: a Series would cost more than the loop.
    return ["" if value is None else str(value) for value in values]


@dataclass(frozen=True)
class Terms:
    """What one interest, dislike or tried label means in the item space: its columns and
    their weights (one label column weighted 1, else the tf-idf of its words)."""

    columns: np.ndarray
    weights: np.ndarray
    #: Whether it is a label of the catalog (else words).
    label: bool


@dataclass(frozen=True)
class ItemSpace:
    """The fitted vocabularies and column weights: items, events, free-text outings and
    interests are all vectors of this one space, so one matrix product scores everything."""

    labels: Labels
    words: Words
    column_weights: np.ndarray

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> tuple[ItemSpace, sp.csr_matrix]:
        """The space learnt from a candidates frame, and the frame's raw item matrix.

        One pass over the text: fitting and then transforming would tokenise it twice.
        """
        known = synonyms()
        labels = Labels(canonicaliser(known))
        # The synonyms' tags are in the vocabulary even when no item carries them yet.
        label_block = labels.fit_transform(
            _texts(frame, "tags"), _texts(frame, "category"), extra=list(known.values())
        )
        words = Words(MAX_WORDS)
        word_block = words.fit_transform(_texts(frame, "title"), _texts(frame, "description"))
        weights = np.concatenate(
            [np.full(len(labels), LABEL_WEIGHT), np.full(len(words), TEXT_WEIGHT)]
        ).astype(np.float32)
        return cls(labels, words, weights), _items(label_block, word_block)

    @property
    def n_labels(self) -> int:
        """Number of label columns; the word columns come after them."""
        return len(self.labels)

    @property
    def width(self) -> int:
        """Number of columns: labels then words."""
        return int(self.column_weights.size)

    def canonical(self, label: str) -> str:
        """A label in the catalog's vocabulary when a synonym is known, else normalised."""
        return self.labels.canonical(label)

    def transform(self, labels: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        """Raw item matrix of rows given by their labels (';'-separated) and words."""
        if not labels:
            return sp.csr_matrix((0, self.width), dtype=np.float32)
        return _items(self.labels.transform(list(labels)), self.words.transform(list(texts)))

    def transform_frame(self, frame: pd.DataFrame | Mapping[str, Any]) -> sp.csr_matrix:
        """Raw item matrix of a candidates frame (or its columns as arrays)."""
        return _items(
            self.labels.transform(_texts(frame, "tags"), _texts(frame, "category")),
            self.words.transform(_texts(frame, "title"), _texts(frame, "description")),
        )

    def label_column(self, label: str) -> int | None:
        """Column of a label (after synonyms), or None if no item carries it."""
        column = self.labels.columns_.get(self.canonical(label))
        return None if column is None else int(column)

    def terms(self, label: str) -> Terms:
        """Columns and weights matching an interest or dislike: its label, else its words."""
        column = self.label_column(label)
        if column is not None:
            return Terms(np.array([column], dtype=np.int64), np.ones(1, dtype=np.float32), True)
        words = self.words.transform([label.replace("-", " ")])
        return Terms(
            np.asarray(words.indices, dtype=np.int64) + self.n_labels,
            np.asarray(words.data, dtype=np.float32),
            False,
        )

    def _weighted(self, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The weighted entries of `matrix` and each row's squared weighted norm."""
        data = self.column_weights[matrix.indices]
        data *= matrix.data
        # Summed row by row, from where each row that has entries starts: no array with a
        # row number per entry (on a large catalog, hundreds of MB).
        squared = np.zeros(matrix.shape[0], dtype=np.float64)
        filled = np.flatnonzero(np.diff(matrix.indptr))
        if filled.size:
            squared[filled] = np.add.reduceat(data * data, matrix.indptr[filled], dtype=np.float64)
        return data, squared

    def row_norms(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Norms of the weighted rows, so that cosine = (M · (w ⊙ v)) / norm."""
        norms = np.sqrt(self._weighted(matrix)[1]).astype(np.float32)
        return np.where(norms > 0, norms, 1.0).astype(np.float32)

    def unit_rows(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """Weighted, L2-normalised rows (for item-item cosine similarity)."""
        data, squared = self._weighted(matrix)
        norms = np.sqrt(squared)
        norms[norms == 0] = 1.0
        lengths = np.repeat(norms, np.diff(matrix.indptr))
        return sp.csr_matrix(
            ((data / lengths).astype(np.float32), matrix.indices.copy(), matrix.indptr.copy()),
            shape=matrix.shape,
        )

    def cosine_to(
        self, matrix: sp.csr_matrix, norms: np.ndarray, profile: np.ndarray
    ) -> np.ndarray:
        """Cosine of item rows with a profile vector already weighted and unit-normalised."""
        scores = matrix @ (self.column_weights * profile)
        cosine: np.ndarray = np.asarray(scores, dtype=np.float32) / norms
        return cosine


def _items(labels: sp.csr_matrix, text: sp.csr_matrix) -> sp.csr_matrix:
    """Label counts and tf-idf rows side by side, as the float32 item matrix.

    Added as two matrices of the full width, the label block padded on the right and the
    word block moved right: scipy adds row by row, where `hstack` would go through a
    coordinate copy of every entry.
    """
    rows, width = labels.shape[0], labels.shape[1] + text.shape[1]
    left = sp.csr_matrix((labels.data, labels.indices, labels.indptr), shape=(rows, width))
    right = sp.csr_matrix(
        (text.data, text.indices + np.int32(labels.shape[1]), text.indptr), shape=(rows, width)
    )
    matrix: sp.csr_matrix = (left + right).astype(np.float32, copy=False)
    # Columns in order within every row: one order keeps every sum over a row, so every
    # score, the same to the last bit.
    matrix.sort_indices()
    return matrix
