"""novelty.dask.recommend_many: the same table as recommend_many, on Dask schedulers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import novelty

dask = pytest.importorskip("dask")
db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from novelty import batch  # noqa: E402  (after the skips: needs the extra)
from novelty import dask as novelty_dask  # noqa: E402
from tests.varied import varied_couples  # noqa: E402


@pytest.fixture(scope="module")
def couples(recommender: novelty.Recommender) -> list[novelty.Couple | str]:
    # A bad line too, and an unnamed couple: named by its position in the whole bag.
    made: list[novelty.Couple | str] = list(varied_couples(recommender))
    unnamed = made[0].model_dump_json(exclude={"name"})
    return [*made, "{broken", unnamed]


@pytest.fixture(scope="module")
def expected(recommender: novelty.Recommender, couples: list[novelty.Couple | str]) -> pd.DataFrame:
    from tests.conftest import FRIDAY_EVENING

    return recommender.recommend_many(couples, now=FRIDAY_EVENING, k=5, seed=7)


def _frame(
    recommender: novelty.Recommender, couples: list[novelty.Couple | str], now: dt.datetime
) -> object:
    bag = db.from_sequence(couples, npartitions=5)
    return novelty_dask.recommend_many(bag, recommender=recommender, now=now, k=5, seed=7)


def test_the_meta_is_the_table_schema(
    recommender: novelty.Recommender, couples: list[novelty.Couple | str], now: dt.datetime
) -> None:
    frame = _frame(recommender, couples, now)
    assert frame._meta.dtypes.equals(batch.empty().dtypes)  # type: ignore[attr-defined]


def test_the_synchronous_scheduler_gives_the_in_process_table(
    recommender: novelty.Recommender,
    couples: list[novelty.Couple | str],
    expected: pd.DataFrame,
    now: dt.datetime,
) -> None:
    frame = _frame(recommender, couples, now)
    with dask.config.set(scheduler="synchronous"):
        got = frame.compute()  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    assert got["couple"].iat[-1] == f"#{len(couples) - 1}"


def test_two_process_workers_give_the_in_process_table(
    recommender: novelty.Recommender,
    couples: list[novelty.Couple | str],
    expected: pd.DataFrame,
    now: dt.datetime,
) -> None:
    frame = _frame(recommender, couples, now)
    with (
        distributed.LocalCluster(
            processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = client.compute(frame).result()  # type: ignore[attr-defined]
        ran = client.run(lambda: 1)
    assert len(ran) == 2
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_the_call_keywords_reach_every_partition(
    recommender: novelty.Recommender, couples: list[novelty.Couple | str], now: dt.datetime
) -> None:
    day = {"adventure": "bold", "energy": "low", "setting": "indoor", "max_minutes": 150}
    bag = db.from_sequence(couples, npartitions=3)
    frame = novelty_dask.recommend_many(bag, recommender=recommender, now=now, k=5, **day)
    with dask.config.set(scheduler="synchronous"):
        got = frame.compute()  # type: ignore[attr-defined]
    expected = recommender.recommend_many(couples, now=now, k=5, **day)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    assert not expected.equals(recommender.recommend_many(couples, now=now, k=5))


def test_an_option_no_couple_could_use_is_refused_before_the_graph_is_built(
    recommender: novelty.Recommender, couples: list[novelty.Couple | str], now: dt.datetime
) -> None:
    bag = db.from_sequence(couples, npartitions=3)
    with pytest.raises(novelty.ArgumentError, match=r"^k: "):
        novelty_dask.recommend_many(bag, recommender=recommender, now=now, k=0)
