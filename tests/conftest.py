"""Shared fixtures (a fixed clock, the example couple, one prepared Recommender), the gate
of slow tests (`@pytest.mark.slow` runs only with `-m slow` or NOVELTY_SLOW=1), and which
examples Hypothesis tries."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

import novelty

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROFILE = ROOT / "examples" / "couple.toml"
CHICAGO = ZoneInfo("America/Chicago")
#: A Friday evening in Austin: "this weekend" is Fri 27 Nov 20:00 .. Mon 30 Nov 00:00.
FRIDAY_EVENING = dt.datetime(2026, 11, 27, 20, 0, tzinfo=CHICAGO)

# The default run (`make test`, CI) tries the same examples every time, so its result
# does not depend on the run; NOVELTY_SLOW=1 explores new ones (and runs the slow tests).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("NOVELTY_SLOW") == "1" else "repeatable")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip slow tests unless asked for: `-m slow` (a marker expression naming them) or
    NOVELTY_SLOW=1; the default run stays quick."""
    if os.environ.get("NOVELTY_SLOW") == "1" or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or NOVELTY_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
