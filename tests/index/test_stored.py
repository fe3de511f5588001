"""The prepared-catalog cache: what it loads equals what preparing builds, and a damaged,
stale or unwritable cache never stops a start."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import novelty
from novelty.catalog import load_catalog, read_catalog_file
from novelty.index import stored
from novelty.index.item_index import ItemIndex
from novelty.pipeline.explain import general_starters

from ..conftest import EXAMPLE_PROFILE, FRIDAY_EVENING, ROOT


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(stored.CACHE_DIR_VARIABLE, str(folder))
    return folder


def _build() -> stored.PreparedCatalog:
    return stored.index_catalog(load_catalog(), general_starters())


def _unused() -> stored.PreparedCatalog:
    raise AssertionError("the cache file should have been read")


def _assert_same(ours: Any, theirs: Any, where: str) -> None:
    assert type(ours) is type(theirs), where
    if isinstance(ours, dict):
        assert list(ours) == list(theirs), where
        for name in ours:
            _assert_same(ours[name], theirs[name], f"{where}.{name}")
    elif isinstance(ours, pd.Index):
        assert ours.dtype == theirs.dtype, where
        assert ours.equals(theirs), where
    elif isinstance(ours, np.ndarray | pd.arrays.DatetimeArray):
        assert ours.dtype == theirs.dtype, where
        # Object columns hold NaN: equal when both are missing.
        assert pd.Series(ours).equals(pd.Series(theirs)), where
    elif sp.issparse(ours):
        assert ours.shape == theirs.shape, where
        for part in ("data", "indices", "indptr"):
            _assert_same(getattr(ours, part), getattr(theirs, part), f"{where}.{part}")
    else:
        assert ours == theirs, where


def test_a_loaded_catalog_equals_the_built_one_field_by_field(cache: Path) -> None:
    text = read_catalog_file()
    built = stored.load_or_build(text, _build)
    assert len(list(cache.glob("catalog-*.npz"))) == 1
    loaded = stored.load_or_build(text, _unused)
    for field in dataclasses.fields(ItemIndex):
        if field.name != "space":
            name = field.name
            _assert_same(getattr(loaded.index, name), getattr(built.index, name), name)
    space, expected = loaded.index.space, built.index.space
    assert space.labels.columns_ == expected.labels.columns_
    assert space.canonical("Concert") == expected.canonical("Concert") == "live-music"
    assert space.words.columns_ == expected.words.columns_
    _assert_same(space.words.idf_, expected.words.idf_, "idf")
    _assert_same(space.column_weights, expected.column_weights, "column_weights")
    assert loaded.category_of_tag == built.category_of_tag
    assert loaded.starters == built.starters
    # Rows of one currency, category, ... share one string, built or loaded.
    for index in (built.index, loaded.index):
        for column in ("currency", "category", "setting", "demand"):
            assert len({id(cell) for cell in index.cells[column]}) == len(index.values[column])


def _ideas(recommender: novelty.Recommender, couple: novelty.Couple) -> list[Any]:
    found = []
    for when in ("this weekend", "next weekend", "this week"):
        for seed in (None, 3):
            ideas = recommender.recommend(couple, when=when, k=7, now=FRIDAY_EVENING, seed=seed)
            found.append([(i.activity.id, i.score, i.components, i.reasons) for i in ideas])
    return found


def test_same_recommendations_with_and_without_the_cache(
    cache: Path, couple: novelty.Couple
) -> None:
    path = ROOT / "data" / "activities.csv"
    cold = _ideas(novelty.Recommender(path), couple)
    assert len(list(cache.glob("catalog-*.npz"))) == 1
    warm = _ideas(novelty.Recommender(path), couple)
    bundled = _ideas(novelty.Recommender(), couple)
    frame = _ideas(novelty.Recommender(load_catalog()), couple)
    assert cold == warm == bundled == frame


def test_a_frame_is_not_cached(cache: Path) -> None:
    novelty.Recommender(load_catalog()).prepare()
    assert not cache.exists()


def test_the_key_follows_the_catalog_content() -> None:
    text = read_catalog_file()
    assert stored.cache_key(text) == stored.cache_key(text)
    assert stored.cache_key(text) != stored.cache_key(text.replace("Pottery", "Potter", 1))


def _npz(about: bytes) -> bytes:
    out = BytesIO()
    np.savez(out, about=np.frombuffer(about, dtype=np.uint8))
    return out.getvalue()


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "empty", "another key", "parts missing", "not json", "a folder"],
)
def test_a_damaged_or_stale_cache_file_is_rebuilt(
    cache: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="novelty")
    text = read_catalog_file()
    stored.load_or_build(text, _build)
    (file,) = cache.glob("catalog-*.npz")
    whole = file.read_bytes()
    key = stored.cache_key(text)
    damaged = {
        "truncated": whole[: len(whole) // 2],
        "garbage": bytes(range(256)) * 40,
        "empty": b"",
        "another key": _npz(json.dumps({"key": "0" * 64}).encode()),
        "parts missing": _npz(json.dumps({"key": key, "labels": []}).encode()),
        "not json": _npz(b"{not json"),
    }
    if damage == "a folder":
        file.unlink()
        file.mkdir()
    else:
        file.write_bytes(damaged[damage])
    built: list[stored.PreparedCatalog] = []

    def build() -> stored.PreparedCatalog:
        built.append(_build())
        return built[-1]

    found = stored.load_or_build(text, build)
    assert found is built[0]
    if damage != "a folder":  # a folder cannot be replaced by a file; the start goes on
        assert stored.load_or_build(text, _unused).index.ids.equals(found.index.ids)
    assert caplog.records


def test_an_unwritable_cache_folder_only_costs_the_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(stored.CACHE_DIR_VARIABLE, str(blocker / "cache"))
    text = read_catalog_file()
    first = stored.load_or_build(text, _build)
    again = stored.load_or_build(text, _build)
    assert first is not again
    assert first.index.ids.equals(again.index.ids)


def test_without_the_variable_the_user_cache_folder_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(stored.CACHE_DIR_VARIABLE)
    assert stored.cache_dir().name == "novelty"


def test_a_catalog_file_with_a_bad_row_still_raises(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(read_catalog_file().replace("id,", "name,", 1), encoding="utf-8")
    with pytest.raises(novelty.CatalogError, match=r"bad\.csv"):
        novelty.Recommender(path).prepare()
    assert not cache.exists()


def test_the_cli_imports_no_scikit_learn_cold_or_warm(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "novelty.cli",
        "ideas",
        "--profile",
        str(EXAMPLE_PROFILE),
        "--now",
        "2026-11-27T18:00",
    ]
    env = {"NOVELTY_CACHE_DIR": str(tmp_path / "cache"), "PATH": "", "HOME": str(tmp_path)}
    for start in ("cold", "warm"):
        run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
        assert run.returncode == 0, run.stderr[-2000:]
        imported = [line.split("|")[-1].strip() for line in run.stderr.splitlines()]
        assert "novelty.index.stored" in imported, start
        assert not [name for name in imported if name.split(".")[0] == "sklearn"], start
        assert "icalendar" not in imported, start
    assert len(list((tmp_path / "cache").glob("catalog-*.npz"))) == 1
