"""The column-at-a-time vocabularies equal scikit-learn's vectorisers to the last bit,
whatever the text."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from benchmarks import synthetic
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

from novelty.catalog import load_catalog
from novelty.index import vocabulary
from novelty.index.space import canonicaliser, synonyms
from novelty.index.vocabulary import Labels, Words

canonical = canonicaliser(synonyms())

#: Words, stop words, digits, one-letter words, punctuation, accents, the break character.
_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["jazz", "the", "Jazz", "a", "x1", "café", "über", "42", "don't"]),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
        st.sampled_from([" ", ". ", "\n", "\x00", "—", "_", ";"]),
    ),
    max_size=12,
).map("".join)


def _sklearn_tfidf(texts: list[str]) -> tuple[list[str], sp.csr_matrix] | None:
    """`TfidfVectorizer(stop_words="english", sublinear_tf=True)` in float32, with each
    row's columns in order before weighting, as ours are (a row's length is a sum, and
    the order of its terms can move the last bit)."""
    counter = CountVectorizer(stop_words="english", dtype=np.float32)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # scikit-learn refuses a corpus without one usable word
        return None
    counts.sort_indices()
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    return sorted(counter.vocabulary_), sp.csr_matrix(matrix)


def _assert_identical(ours: sp.csr_matrix, theirs: sp.csr_matrix) -> None:
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_array_equal(ours.data, theirs.data)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=8))
def test_words_match_tfidf_vectorizer(texts: list[str]) -> None:
    ours = Words(max_words=10_000)
    rows = ours.fit_transform(texts)
    expected = _sklearn_tfidf(texts)
    if expected is None:
        assert len(ours) == 0
        assert rows.shape == (len(texts), 0)
        return
    vocabulary, matrix = expected
    assert list(ours.columns_) == vocabulary
    _assert_identical(rows, matrix)
    # A text transformed alone lands on the same row as in the whole corpus.
    alone = sp.vstack([ours.transform([text]) for text in texts], format="csr")
    _assert_identical(alone, rows)


@pytest.mark.parametrize("catalog", ["bundled", "synthetic 10k"])
def test_catalog_word_columns_equal_scikit_learn_to_the_last_bit(catalog: str) -> None:
    frame = load_catalog() if catalog == "bundled" else synthetic.catalog(10_000)
    titles, descriptions = frame["title"].tolist(), frame["description"].tolist()
    texts = [
        f"{title} {description}" for title, description in zip(titles, descriptions, strict=True)
    ]
    counter = CountVectorizer(stop_words="english", dtype=np.float32)
    counts = counter.fit_transform(texts)
    counts.sort_indices()
    weights = TfidfTransformer(sublinear_tf=True).fit(counts)
    ours = Words(max_words=20_000)
    rows = ours.fit_transform(titles, descriptions)
    assert list(ours.columns_) == sorted(counter.vocabulary_)
    np.testing.assert_array_equal(ours.idf_, weights.idf_)
    _assert_identical(rows, sp.csr_matrix(weights.transform(counts)))
    # New texts (a slice of the catalog's, as events would come) are weighted the same way.
    few = counter.transform(texts[:300])
    few.sort_indices()
    _assert_identical(
        ours.transform(titles[:300], descriptions[:300]), sp.csr_matrix(weights.transform(few))
    )


def test_stop_words_are_scikit_learns() -> None:
    assert vocabulary._stop_words() == ENGLISH_STOP_WORDS


def test_words_keep_the_most_frequent() -> None:
    texts = ["kayak kayak kayak pottery pottery tango", "kayak pottery salsa"]
    words = Words(max_words=2)
    rows = words.fit_transform(texts)
    assert list(words.columns_) == ["kayak", "pottery"]
    assert rows.shape == (2, 2)
    assert np.allclose(sp.linalg.norm(rows, axis=1), 1.0)


def test_words_unknown_and_empty_texts() -> None:
    words = Words(max_words=100)
    words.fit_transform(["salsa night", "kayak trip"])
    assert words.transform([]).shape == (0, 4)
    assert words.transform(["", "nothing known here"]).nnz == 0


#: Label lists; the break character is left out: inside a label it is read as a space.
_LABELS = st.lists(_TEXT.map(lambda text: text.replace("\x00", "")), max_size=4).map(";".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LABELS, min_size=1, max_size=8))
def test_labels_match_count_vectorizer(strings: list[str]) -> None:
    def split(joined: str) -> list[str]:
        return [label for part in joined.split(";") if part and (label := canonical(part))]

    vectoriser = CountVectorizer(tokenizer=split, token_pattern=None, lowercase=False, binary=True)
    ours = Labels(canonical)
    rows = ours.fit_transform(strings, extra=["live-music"])
    expected = vectoriser.fit_transform([*strings, "live-music"])[: len(strings)]
    assert sorted(ours.columns_, key=ours.columns_.__getitem__) == sorted(vectoriser.vocabulary_)
    assert (rows != expected).nnz == 0
    assert (ours.transform(strings) != rows).nnz == 0


def test_labels_use_synonyms() -> None:
    labels = Labels(canonical)
    labels.fit_transform(["live-music;outdoors"])
    row = labels.transform(["Concert"])
    assert row.nnz == 1
    assert row.indices[0] == labels.columns_["live-music"]


@pytest.mark.parametrize("texts", [["a\x00b c\x00d"], ["x", "\x00\x00", "yz"]])
def test_break_character_inside_a_text(texts: list[str]) -> None:
    expected = _sklearn_tfidf(texts)
    rows = Words(max_words=100).fit_transform(texts)
    assert rows.shape[0] == len(texts)
    if expected is not None:
        _assert_identical(rows, expected[1])


def test_texts_split_a_slice_at_a_time_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Salsa night {i}, kayak trip; pottery at Café {i % 3}!" for i in range(10)]
    texts += ["", "the and of", "Tango—tango tango"]
    labels = [f"live-music;{'outdoors' if i % 2 else 'Concert'};tag-{i % 4}" for i in range(13)]
    whole_words, whole_labels = Words(max_words=8), Labels(canonical)
    expected = (whole_words.fit_transform(texts), whole_labels.fit_transform(labels))
    monkeypatch.setattr(vocabulary, "_TEXTS_AT_ONCE", 3)
    words, tags = Words(max_words=8), Labels(canonical)
    assert (words.fit_transform(texts) != expected[0]).nnz == 0
    assert (tags.fit_transform(labels) != expected[1]).nnz == 0
    assert list(words.columns_) == list(whole_words.columns_)
    assert tags.columns_ == whole_labels.columns_
    assert (words.transform(texts) != expected[0]).nnz == 0
    assert (tags.transform(labels) != expected[1]).nnz == 0


def test_columns_count_as_one_text_per_row() -> None:
    titles, descriptions = ["Salsa night", "Kayak trip", "Salsa"], ["Dance salsa.", "", "Night"]
    joined = [f"{t}. {d}" for t, d in zip(titles, descriptions, strict=True)]
    apart, together = Words(max_words=10), Words(max_words=10)
    assert (apart.fit_transform(titles, descriptions) != together.fit_transform(joined)).nnz == 0
    assert (apart.transform(titles, descriptions) != together.transform(joined)).nnz == 0
    tags, category = ["live-music;outdoors", "", "dance"], ["music", "outdoors", "dance"]
    split, whole = Labels(canonical), Labels(canonical)
    rows = split.fit_transform(tags, category)
    assert (
        rows != whole.fit_transform([f"{t};{c}" for t, c in zip(tags, category, strict=True)])
    ).nnz == 0
