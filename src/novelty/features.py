"""Item and profile vectors: one sparse matrix over labels (tags, category) and text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from .catalog import bundled_data

#: Weight of the label block (tags + category) against the text block in similarities.
LABEL_WEIGHT = 1.0
TEXT_WEIGHT = 0.5


@cache
def synonyms() -> dict[str, str]:
    """Common words and event categories -> catalog tags ("concert" -> "live-music")."""
    with bundled_data("synonyms.csv").open(encoding="utf-8") as handle:
        return {row["term"].strip(): row["tag"].strip() for row in csv.DictReader(handle)}


def canonical(label: str) -> str:
    """A label in the catalog's vocabulary when a synonym is known, else unchanged."""
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

    def fit(self, frame: pd.DataFrame) -> ItemSpace:
        """Learn the label and word vocabularies from a candidates frame."""
        self.labels_ = CountVectorizer(
            tokenizer=_split_labels, token_pattern=None, lowercase=False, binary=True
        )
        self.labels_.fit(pd.concat([label_strings(frame), pd.Series(list(synonyms().values()))]))
        self.text_ = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, max_features=20_000, dtype=np.float32
        )
        self.text_.fit(text_strings(frame))
        self.n_labels_ = len(self.labels_.vocabulary_)
        n_words = len(self.text_.vocabulary_)
        self.column_weights_ = np.concatenate(
            [np.full(self.n_labels_, LABEL_WEIGHT), np.full(n_words, TEXT_WEIGHT)]
        ).astype(np.float32)
        return self

    @property
    def width(self) -> int:
        """Number of columns: labels then words."""
        return int(self.column_weights_.size)

    def transform(self, labels: Iterable[str], texts: Iterable[str]) -> sp.csr_matrix:
        """Raw item matrix: binary labels next to L2-normalised tf-idf text."""
        matrix = sp.hstack(
            [
                self.labels_.transform(list(labels)).astype(np.float32),
                self.text_.transform(list(texts)),
            ],
            format="csr",
        )
        return sp.csr_matrix(matrix, dtype=np.float32)

    def transform_frame(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Raw item matrix of a candidates frame."""
        return self.transform(label_strings(frame), text_strings(frame))

    def label_column(self, label: str) -> int | None:
        """Column of a label (after synonyms), or None if no item carries it."""
        column = self.labels_.vocabulary_.get(canonical(label))
        return None if column is None else int(column)

    def query(self, label: str) -> np.ndarray:
        """Dense column vector matching one interest or dislike: its label, else its words."""
        vector = np.zeros(self.width, dtype=np.float32)
        column = self.label_column(label)
        if column is not None:
            vector[column] = 1.0
            return vector
        text = self.text_.transform([label.replace("-", " ")]).toarray().ravel()
        vector[self.n_labels_ :] = text
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


def cosine_to(
    matrix: sp.csr_matrix, norms: np.ndarray, space: ItemSpace, profile: np.ndarray
) -> np.ndarray:
    """Cosine of every item row with a profile vector already weighted and unit-normalised."""
    scores = matrix.dot(space.column_weights_ * profile)
    cosine: np.ndarray = np.asarray(scores, dtype=np.float32).ravel() / norms
    return cosine


def matches(matrix: sp.csr_matrix, space: ItemSpace, labels: Sequence[str]) -> np.ndarray:
    """Items × labels: 1 where an item carries the label, else the text cosine in [0, 1]."""
    if not labels:
        return np.zeros((matrix.shape[0], 0), dtype=np.float32)
    queries = np.column_stack([space.query(label) for label in labels])
    product = matrix @ queries
    clipped: np.ndarray = np.clip(np.asarray(product, dtype=np.float32), 0.0, 1.0)
    return clipped
