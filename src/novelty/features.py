"""Item and profile vectors: one sparse matrix over labels (tags, category) and text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .catalog import bundled_data
from .labels import normalise_label
from .lookup import ItemColumns, remembered
from .vocabulary import Labels, Words

#: Weight of the label block (tags + category) against the text block in similarities.
LABEL_WEIGHT = 1.0
TEXT_WEIGHT = 0.5
#: Most frequent words kept as columns.
MAX_WORDS = 20_000
#: Entries a fitted ItemSpace remembers (query terms, free-text outings) before it forgets.
_MEMORY = 4096


@cache
def synonyms() -> dict[str, str]:
    """Common words and event categories -> catalog tags ("concert" -> "live-music")."""
    with bundled_data("synonyms.csv").open(encoding="utf-8") as handle:
        return {row["term"].strip(): row["tag"].strip() for row in csv.DictReader(handle)}


@lru_cache(maxsize=1 << 16)
def canonical(label: str) -> str:
    """A label in the catalog's vocabulary when a synonym is known, else unchanged.

    Cached: the same few labels come back in every catalog, event and profile.
    """
    key = normalise_label(label)
    return synonyms().get(key, key)


def _texts(frame: pd.DataFrame, column: str) -> list[str]:
    return frame[column].fillna("").astype(str).tolist()


def label_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Per row, its tags (';'-separated) and its category: the labels it carries."""
    return _texts(frame, "tags"), _texts(frame, "category")


def text_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Per row, the words that describe it: its title and description."""
    return _texts(frame, "title"), _texts(frame, "description")


@dataclass
class ItemSpace:
    """The fitted vocabularies and column weights shared by items, outings and interests.

    Fitted once per Recommender on its catalog; events and free-text outings are transformed
    into the same space, so one matrix product scores everything.
    """

    labels_: Labels = field(init=False)
    text_: Words = field(init=False)
    n_labels_: int = field(init=False)
    column_weights_: np.ndarray = field(init=False)
    terms_: dict[str, tuple[np.ndarray, np.ndarray]] = field(init=False, default_factory=dict)
    outings_: dict[tuple[tuple[str, ...], tuple[str, ...]], sp.csr_matrix] = field(
        init=False, default_factory=dict
    )

    def fit_transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Learn the label and word vocabularies from a candidates frame; its raw item matrix.

        One pass over the text: fitting and then transforming would tokenise it twice.
        """
        self.labels_ = Labels(canonical)
        # The synonyms' tags are in the vocabulary even when no item carries them yet.
        labels = self.labels_.fit_transform(*label_columns(frame), extra=list(synonyms().values()))
        self.text_ = Words(MAX_WORDS)
        text = self.text_.fit_transform(*text_columns(frame))
        self.n_labels_ = len(self.labels_)
        self.column_weights_ = np.concatenate(
            [np.full(self.n_labels_, LABEL_WEIGHT), np.full(len(self.text_), TEXT_WEIGHT)]
        ).astype(np.float32)
        return _items(labels, text)

    @property
    def width(self) -> int:
        """Number of columns: labels then words."""
        return int(self.column_weights_.size)

    def transform(self, labels: Iterable[str], texts: Iterable[str]) -> sp.csr_matrix:
        """Raw item matrix: binary labels next to L2-normalised tf-idf text."""
        labels, texts = list(labels), list(texts)
        if not labels:
            return sp.csr_matrix((0, self.width), dtype=np.float32)
        return _items(self.labels_.transform(labels), self.text_.transform(texts))

    def transform_outings(self, labels: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        """`transform` for outings known only by words, remembered: a couple's history comes
        back on every call, and scikit-learn's transform costs milliseconds however short."""
        key = (tuple(labels), tuple(texts))
        return remembered(self.outings_, key, lambda: self.transform(labels, texts), _MEMORY)

    def transform_frame(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Raw item matrix of a candidates frame."""
        return _items(
            self.labels_.transform(*label_columns(frame)),
            self.text_.transform(*text_columns(frame)),
        )

    def label_column(self, label: str) -> int | None:
        """Column of a label (after synonyms), or None if no item carries it."""
        column = self.labels_.columns_.get(canonical(label))
        return None if column is None else int(column)

    def query_terms(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """Columns and weights matching an interest or dislike: its label, else its words'
        tf-idf. Remembered per label, as the same couple's labels come back on every call."""
        return remembered(self.terms_, label, lambda: self._terms(label), _MEMORY)

    def _terms(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        column = self.label_column(label)
        if column is not None:
            return np.array([column], dtype=np.int64), np.ones(1, dtype=np.float32)
        words = self.text_.transform([label.replace("-", " ")])
        return (
            np.asarray(words.indices, dtype=np.int64) + self.n_labels_,
            np.asarray(words.data, dtype=np.float32),
        )

    def query(self, label: str) -> np.ndarray:
        """Dense column vector matching one interest or dislike: its label, else its words."""
        vector = np.zeros(self.width, dtype=np.float32)
        columns, weights = self.query_terms(label)
        vector[columns] = weights
        return vector

    def _weighted(self, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The weighted entries of `matrix` and each row's squared weighted norm."""
        data = self.column_weights_[matrix.indices]
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


def cosine_to(
    matrix: sp.csr_matrix, norms: np.ndarray, space: ItemSpace, profile: np.ndarray
) -> np.ndarray:
    """Cosine of every item row with a profile vector already weighted and unit-normalised."""
    scores = matrix @ (space.column_weights_ * profile)
    cosine: np.ndarray = np.asarray(scores, dtype=np.float32) / norms
    return cosine


class Hits(NamedTuple):
    """Which items match which labels, one entry per match: the item's row, the label's
    position in the query, and the strength (1 for a label, else the text cosine)."""

    rows: np.ndarray
    labels: np.ndarray
    values: np.ndarray


def hits(matrix: sp.csr_matrix | ItemColumns, space: ItemSpace, labels: Sequence[str]) -> Hits:
    """The items each label matches, with strengths in [0, 1]; non-matches are left out.

    Given `ItemColumns` (`RowLookup.columns`), only the entries of the columns the labels
    touch are read, so the work follows the number of matches, not of items.
    """
    columns = ItemColumns.reading(matrix)
    rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    values: list[np.ndarray] = [np.zeros(0, dtype=np.float32)]
    for label in labels:
        terms, weights = space.query_terms(label)
        entries = [columns.column(c) for c in terms.tolist()]
        found: np.ndarray
        value: np.ndarray
        if not entries:  # words no item uses
            found, value = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        elif len(entries) == 1 and weights[0] == 1.0:  # a label: entries are 1
            found, value = entries[0]
        elif len(entries) == 1:
            found, value = entries[0][0], entries[0][1] * weights[0]
        else:
            # A word query: sum each item's weighted entries over the query's columns.
            found, where = np.unique(np.concatenate([at for at, _ in entries]), return_inverse=True)
            weighted = np.concatenate(
                [data * w for (_, data), w in zip(entries, weights, strict=True)]
            )
            value = np.bincount(where, weights=weighted, minlength=found.size)
        rows.append(found)
        values.append(np.minimum(value, 1.0, dtype=np.float32))
    label_of = np.repeat(np.arange(len(labels)), [r.size for r in rows[1:]])
    return Hits(np.concatenate(rows), label_of, np.concatenate(values))


def matches(matrix: sp.csr_matrix, space: ItemSpace, labels: Sequence[str]) -> np.ndarray:
    """Items × labels, dense: how strongly each of a few items matches each label."""
    dense = matrix.toarray()
    out = np.zeros((matrix.shape[0], len(labels)), dtype=np.float32)
    for j, label in enumerate(labels):
        terms, weights = space.query_terms(label)
        out[:, j] = np.clip(dense[:, terms] @ weights, 0.0, 1.0)
    return out
