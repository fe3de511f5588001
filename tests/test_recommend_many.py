"""recommend_many(): per couple exactly recommend()'s list, as one table, in flat memory."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import pytest

import novelty
from novelty import batch
from tests.varied import varied_couples


@pytest.fixture(scope="module")
def couples(recommender: novelty.Recommender) -> list[novelty.Couple]:
    return varied_couples(recommender)


def assert_rows_are_the_lists(
    table: pd.DataFrame,
    recommender: novelty.Recommender,
    couples: list[novelty.Couple],
    now: dt.datetime,
) -> None:
    """Each couple's rows hold recommend()'s ideas: ids, order, scores, components, texts."""
    by_couple = dict(list(table.groupby("couple", sort=False)))
    for couple in couples:
        recs = recommender.recommend(couple, now=now, k=5, seed=7)
        rows = by_couple[couple.name]
        assert rows["id"].tolist() == [r.activity.id for r in recs], couple.name
        assert rows["rank"].tolist() == [r.rank for r in recs]
        assert rows["score"].astype(float).tolist() == [r.score for r in recs]
        assert rows["novelty"].astype(float).tolist() == [r.components["novelty"] for r in recs]
        first = couple.partners[0].name
        assert rows["fit_partner_1"].astype(float).tolist() == [
            r.components[f"fit:{first}"] for r in recs
        ]
        assert rows["reasons"].tolist() == [" ".join(r.reasons) for r in recs]
        assert rows["starts_at"].tolist() == [pd.Timestamp(r.starts_at) for r in recs]


def test_each_couple_gets_exactly_its_recommend_list(
    recommender: novelty.Recommender, couples: list[novelty.Couple], now: dt.datetime
) -> None:
    assert len(couples) >= 300
    table = recommender.recommend_many(couples, now=now, k=5, seed=7, chunk_size=64)
    assert table["error"].isna().all()
    assert table["couple"].nunique() == len(couples)
    assert_rows_are_the_lists(table, recommender, couples, now)


def test_the_table_has_the_published_columns(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    table = recommender.recommend_many([couple], now=now, k=3)
    assert table.columns.tolist() == batch.columns()
    assert table.dtypes.equals(batch.empty().dtypes)
    assert len(table) == 3


def test_couples_come_as_models_dicts_or_json(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    given = [couple, couple.model_dump(mode="json"), couple.model_dump_json()]
    table = recommender.recommend_many(given, now=now, k=2)
    ids = table["id"].tolist()
    assert len(ids) == 6
    assert ids[0:2] == ids[2:4] == ids[4:6]


def test_couples_are_named_by_their_name_else_by_position(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    unnamed = couple.model_dump(mode="json", exclude={"name"})
    named = couple.model_copy(update={"name": "from json"}).model_dump_json()
    given = [couple, unnamed, json.dumps(unnamed), named]
    table = recommender.recommend_many(given, now=now, k=1)
    assert table["couple"].tolist() == [couple.name, "#1", "#2", "from json"]


def test_a_bad_couple_becomes_an_error_row_and_the_batch_goes_on(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    three_partners = couple.model_copy(
        update={"name": "three", "partners": (*couple.partners, couple.partners[0])}
    )
    given = [couple, "{not json", {"name": "x", "partners": []}, three_partners, couple]
    table = recommender.recommend_many(given, now=now, k=2)
    errors = table[table["error"].notna()]
    assert errors["couple"].tolist() == ["#1", "x", "three"]
    assert errors["rank"].isna().all()
    assert errors["id"].isna().all()
    assert "Invalid JSON" in errors["error"].iat[0]
    assert "partners" in errors["error"].iat[1]
    assert "pass partners=3" in errors["error"].iat[2]
    assert (table["rank"].notna()).sum() == 4


def test_more_partner_columns_on_request(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    three = couple.model_copy(update={"partners": (*couple.partners, couple.partners[0])})
    table = recommender.recommend_many([three, couple], now=now, k=1, partners=3)
    assert table["fit_partner_3"].notna().tolist() == [True, False]
    assert table["error"].isna().all()


def test_couples_are_read_a_chunk_at_a_time(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    read = []

    def stream() -> Iterator[novelty.Couple]:
        for i in range(10):
            read.append(i)
            yield couple

    chunks = recommender.recommend_chunks(stream(), now=now, k=1, chunk_size=4)
    first = next(chunks)
    assert len(first) == 4
    assert len(read) == 4
    assert [len(c) for c in chunks] == [4, 2]


def test_no_couples_give_an_empty_table_with_the_columns(
    recommender: novelty.Recommender, now: dt.datetime
) -> None:
    table = recommender.recommend_many([], now=now)
    assert table.empty
    assert table.columns.tolist() == batch.columns()


def test_the_module_function_uses_the_bundled_catalog(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    table = novelty.recommend_many([couple], now=now, k=2, seed=1)
    assert table["id"].tolist() == [
        r.activity.id for r in novelty.recommend(couple, now=now, k=2, seed=1)
    ]


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_a_bad_chunk_size_is_refused(
    recommender: novelty.Recommender, couple: novelty.Couple, bad: object
) -> None:
    with pytest.raises(novelty.ArgumentError, match="chunk_size"):
        recommender.recommend_many([couple], chunk_size=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"k": 0}, "k"),
        ({"seed": -1}, "seed"),
        ({"when": "nope"}, "when"),
        ({"adventure": "wild"}, "adventure"),
        ({"budget": -5}, "budget"),
    ],
)
def test_an_option_no_couple_could_use_is_refused_before_any_couple_is_read(
    recommender: novelty.Recommender,
    couple: novelty.Couple,
    now: dt.datetime,
    options: dict[str, object],
    named: str,
) -> None:
    read = []

    def stream() -> Iterator[novelty.Couple]:
        read.append(couple)
        yield couple

    with pytest.raises(novelty.NoveltyError, match=f"^{named}"):
        recommender.recommend_many(stream(), now=now, **options)  # type: ignore[arg-type]
    assert not read


def test_a_day_over_for_some_couples_only_is_their_error_row(
    recommender: novelty.Recommender, couple: novelty.Couple
) -> None:
    # 02:00 UTC on the 28th: the 27th is over in London but not yet in Chicago.
    now = dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC)
    london = couple.model_copy(
        update={
            "name": "london",
            "home": couple.home.model_copy(update={"timezone": "Europe/London"}),
        }
    )
    table = recommender.recommend_many([couple, london], now=now, when="2026-11-27", k=1)
    assert table.groupby("couple")["error"].first().notna().to_dict() == {
        couple.name: False,
        "london": True,
    }
