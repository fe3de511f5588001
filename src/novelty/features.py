"""Item and profile vectors: one sparse matrix over labels (tags, category) and text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .catalog import bundled_data

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

#: Weight of the label block (tags + category) against the text block in similarities.
LABEL_WEIGHT = 1.0
TEXT_WEIGHT = 0.5


@cache
def synonyms() -> dict[str, str]:
    """Common words and event categories -> catalog tags ("concert" -> "live-music")."""
    with bundled_data("synonyms.csv").open(encoding="utf-8") as handle:
        return {row["term"].strip(): row["tag"].strip() for row in csv.DictReader(handle)}


@lru_cache(maxsize=1 << 16)
def canonical(label: str) -> str:
    """A label in the catalog's vocabulary when a synonym is known, else unchanged.

    Cached: preparing a catalog asks this once per label of every item, from few labels.
    """
    key = "-".join(label.strip().lower().replace("_", " ").split())
    return synonyms().get(key, key)


def _split_labels(joined: str) -> list[str]:
    return [canonical(part) for part in joined.split(";") if part]


def label_strings(frame: pd.DataFrame) -> pd.Series:
    """Per row, its tags and category joined by ';' (the label vectoriser's input)."""
    return frame["tags"].fillna("").astype(str) + ";" + frame["category"].fillna("").astype(str)


def text_strings(frame: pd.DataFrame) -> pd.Series:
    """Per row, the words that describe it (title and description)."""
    return (
        frame["title"].fillna("").astype(str) + ". " + frame["description"].fillna("").astype(str)
    )


@dataclass
class ItemSpace:
    """The fitted vocabularies and column weights shared by items, outings and interests.

    Fitted once per Recommender on its catalog; events and free-text outings are transformed
    into the same space, so one matrix product scores everything.
    """

    labels_: CountVectorizer = field(init=False)
    text_: TfidfVectorizer = field(init=False)
    n_labels_: int = field(init=False)
    column_weights_: np.ndarray = field(init=False)

    def fit_transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Learn the label and word vocabularies from a candidates frame; its raw item matrix.

        One pass over the text: fitting and then transforming would tokenise it twice.
        """
        # Imported here: scikit-learn takes longer to import than the rest of novelty.
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        self.labels_ = CountVectorizer(
            tokenizer=_split_labels, token_pattern=None, lowercase=False, binary=True
        )
        # The synonyms' tags are in the vocabulary even when no item carries them yet.
        every = pd.concat([label_strings(frame), pd.Series(list(synonyms().values()))])
        labels = self.labels_.fit_transform(every)[: len(frame)]
        self.text_ = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, max_features=20_000, dtype=np.float32
        )
        text = self.text_.fit_transform(text_strings(frame))
        self.n_labels_ = len(self.labels_.vocabulary_)
        n_words = len(self.text_.vocabulary_)
        self.column_weights_ = np.concatenate(
            [np.full(self.n_labels_, LABEL_WEIGHT), np.full(n_words, TEXT_WEIGHT)]
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

    def transform_frame(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Raw item matrix of a candidates frame."""
        return self.transform(label_strings(frame), text_strings(frame))

    def label_column(self, label: str) -> int | None:
        """Column of a label (after synonyms), or None if no item carries it."""
        column = self.labels_.vocabulary_.get(canonical(label))
        return None if column is None else int(column)

    def queries(self, labels: Sequence[str]) -> sp.csc_matrix:
        """Columns matching interests or dislikes: each one's label, else its words' tf-idf."""
        columns = [self.label_column(label) for label in labels]
        worded = [i for i, column in enumerate(columns) if column is None]
        labelled = [i for i, column in enumerate(columns) if column is not None]
        rows = [np.array([columns[i] for i in labelled], dtype=np.int64)]
        cols = [np.array(labelled, dtype=np.int64)]
        values = [np.ones(len(labelled), dtype=np.float32)]
        if worded:
            words = self.text_.transform([labels[i].replace("-", " ") for i in worded]).tocoo()
            rows.append(words.col + self.n_labels_)
            cols.append(np.array(worded, dtype=np.int64)[words.row])
            values.append(words.data)
        entries = (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols)))
        return sp.csc_matrix(entries, shape=(self.width, len(labels)), dtype=np.float32)

    def query(self, label: str) -> np.ndarray:
        """Dense column vector matching one interest or dislike: its label, else its words."""
        vector: np.ndarray = self.queries([label]).toarray().ravel()
        return vector

    def row_norms(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Norms of the weighted rows, so that cosine = (M · (w ⊙ v)) / norm."""
        squared = matrix.multiply(matrix).dot(self.column_weights_**2)
        norms = np.sqrt(np.asarray(squared, dtype=np.float32).ravel())
        return np.where(norms > 0, norms, 1.0).astype(np.float32)

    def unit_rows(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """Weighted, L2-normalised rows (for item-item cosine similarity)."""
        weighted = matrix.multiply(self.column_weights_[np.newaxis, :]).tocsr()
        scale = sp.diags(1.0 / self.row_norms(matrix))
        return sp.csr_matrix(scale @ weighted, dtype=np.float32)


def _items(labels: sp.spmatrix, text: sp.spmatrix) -> sp.csr_matrix:
    """Label counts and tf-idf rows side by side, as the float32 item matrix."""
    matrix = sp.csr_matrix(sp.hstack([labels.astype(np.float32), text]), dtype=np.float32)
    # fit_transform leaves the words of a row in another order than transform; one order
    # keeps every sum over a row, so every score, the same to the last bit.
    matrix.sort_indices()
    return matrix


def cosine_to(
    matrix: sp.csr_matrix, norms: np.ndarray, space: ItemSpace, profile: np.ndarray
) -> np.ndarray:
    """Cosine of every item row with a profile vector already weighted and unit-normalised."""
    scores = matrix.dot(space.column_weights_ * profile)
    cosine: np.ndarray = np.asarray(scores, dtype=np.float32).ravel() / norms
    return cosine


def hits(
    matrix: sp.csr_matrix | sp.csc_matrix, space: ItemSpace, labels: Sequence[str]
) -> sp.csc_matrix:
    """Items × labels, sparse: 1 where an item carries the label, else the text cosine in [0, 1].

    With `matrix` in CSC form (`RowLookup.columns`) only the columns the labels touch are
    read, so the work follows the number of matches, not the number of items.
    """
    if not labels:
        return sp.csc_matrix((matrix.shape[0], 0), dtype=np.float32)
    queries = space.queries(labels)
    first = queries.indptr[:-1]
    # A query that is one column with weight 1 (a label) has that column as its product:
    # read them all at once. A general product, even over a few columns, allocates and
    # clears a buffer as long as the catalog.
    direct = np.diff(queries.indptr) == 1
    direct[direct] = queries.data[first[direct]] == 1.0
    parts = [matrix[:, queries.indices[first[direct]]]]
    for j in np.flatnonzero(~direct):
        span = slice(queries.indptr[j], queries.indptr[j + 1])
        weights = sp.csc_matrix(queries.data[span][:, np.newaxis])
        parts.append(matrix[:, queries.indices[span]] @ weights)
    order = np.argsort(np.concatenate([np.flatnonzero(direct), np.flatnonzero(~direct)]))
    product = sp.csc_matrix(sp.hstack(parts, format="csc")[:, order], dtype=np.float32)
    np.clip(product.data, 0.0, 1.0, out=product.data)
    return product


def matches(
    matrix: sp.csr_matrix | sp.csc_matrix, space: ItemSpace, labels: Sequence[str]
) -> np.ndarray:
    """`hits` as a dense items × labels array."""
    dense: np.ndarray = hits(matrix, space, labels).toarray()
    return dense
