"""Generated profiles and catalogs raise only library errors, and each is read in under 5 s."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

import novelty
from novelty.catalog import check_catalog

from .strategies import catalog_csvs, toml_profiles

#: Most time one generated file may take to be read and validated.
TIME_BOUND = 5.0
#: Examples per parser in the default run, and under the slow marker.
DEFAULT_EXAMPLES, SLOW_EXAMPLES = 200, 1000


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def only_library_errors(read: Callable[[], object]) -> None:
    """`read()` may succeed or raise a NoveltyError (or a ValidationError), nothing else,
    within the time bound."""
    started = time.perf_counter()
    with contextlib.suppress(novelty.NoveltyError, ValidationError):
        read()
    assert time.perf_counter() - started < TIME_BOUND


def read_profile(folder: Path, text: str) -> None:
    path = folder / "profile.toml"
    path.write_text(text, encoding="utf-8")
    only_library_errors(lambda: novelty.load_profile(path))


def read_catalog(folder: Path, text: str) -> None:
    path = folder / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    only_library_errors(lambda: novelty.load_catalog(path))
    # The validator lists problems instead of raising: it must never raise either.
    checked = check_catalog(text, "catalog.csv")
    assert (checked.frame is None) == bool(checked.problems)


def settings_for(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@settings_for(DEFAULT_EXAMPLES)
@given(text=toml_profiles())
def test_generated_profiles_raise_only_profile_errors(folder: Path, text: str) -> None:
    read_profile(folder, text)


@settings_for(DEFAULT_EXAMPLES)
@given(text=catalog_csvs())
def test_generated_catalogs_raise_only_catalog_errors(folder: Path, text: str) -> None:
    read_catalog(folder, text)


@pytest.mark.slow
@settings_for(SLOW_EXAMPLES)
@given(text=toml_profiles())
def test_a_thousand_generated_profiles_raise_only_profile_errors(folder: Path, text: str) -> None:
    read_profile(folder, text)


@pytest.mark.slow
@settings_for(SLOW_EXAMPLES)
@given(text=catalog_csvs())
def test_a_thousand_generated_catalogs_raise_only_catalog_errors(folder: Path, text: str) -> None:
    read_catalog(folder, text)
