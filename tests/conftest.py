"""Shared fixtures: a fixed clock, the example couple and one prepared Recommender."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import novelty

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROFILE = ROOT / "examples" / "couple.toml"
CHICAGO = ZoneInfo("America/Chicago")
#: A Friday evening in Austin: "this weekend" is Fri 27 Nov 20:00 .. Mon 30 Nov 00:00.
FRIDAY_EVENING = dt.datetime(2026, 11, 27, 20, 0, tzinfo=CHICAGO)


@pytest.fixture(scope="session")
def recommender() -> novelty.Recommender:
    return novelty.Recommender().prepare()


@pytest.fixture(scope="session")
def couple() -> novelty.Couple:
    return novelty.load_profile(EXAMPLE_PROFILE)


@pytest.fixture
def now() -> dt.datetime:
    return FRIDAY_EVENING
