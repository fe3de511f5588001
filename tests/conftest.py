"""Shared fixtures: a fixed clock, the example couple and one prepared Recommender."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import novelty

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROFILE = ROOT / "examples" / "couple.toml"
CHICAGO = ZoneInfo("America/Chicago")
#: A Friday evening in Austin: "this weekend" is Fri 27 Nov 20:00 .. Mon 30 Nov 00:00.
FRIDAY_EVENING = dt.datetime(2026, 11, 27, 20, 0, tzinfo=CHICAGO)


@pytest.fixture(scope="session", autouse=True)
def _catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The prepared-catalog cache in a temporary folder (CLI subprocesses inherit it):
    tests never read or write the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOVELTY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def recommender() -> novelty.Recommender:
    return novelty.Recommender().prepare()


@pytest.fixture(scope="session")
def couple() -> novelty.Couple:
    return novelty.load_profile(EXAMPLE_PROFILE)


@pytest.fixture
def now() -> dt.datetime:
    return FRIDAY_EVENING
