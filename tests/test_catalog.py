"""The bundled catalog is rich and valid; a bad catalog file is reported by line and column."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

import novelty
from novelty import CatalogError
from novelty.catalog import (
    CSV_COLUMNS,
    as_candidates,
    check_catalog,
    parse_catalog,
)
from novelty.files import bundled_data
from novelty.index.space import synonyms
from novelty.labels import display_label


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return novelty.load_catalog()


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(bundled_data("activities.csv"), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def vocabulary() -> set[str]:
    with bundled_data("tags.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["description"].strip() for row in rows), "every tag has a description"
    return {row["tag"] for row in rows}


def test_the_catalog_has_at_least_400_activities(catalog: pd.DataFrame) -> None:
    assert len(catalog) >= 400


def test_the_file_has_exactly_the_schema_columns(raw: pd.DataFrame) -> None:
    assert tuple(raw.columns) == CSV_COLUMNS


def test_ids_and_titles_are_unique(raw: pd.DataFrame) -> None:
    assert raw["id"].is_unique
    assert raw["title"].str.casefold().is_unique


def test_every_tag_is_in_the_vocabulary(catalog: pd.DataFrame, vocabulary: set[str]) -> None:
    used = set(catalog["tags"].str.split(";").explode())
    assert used <= vocabulary, used - vocabulary


def test_every_synonym_points_into_the_vocabulary(vocabulary: set[str]) -> None:
    assert set(synonyms().values()) <= vocabulary


def test_at_least_15_categories_with_10_each(catalog: pd.DataFrame) -> None:
    counts = catalog["category"].value_counts()
    assert len(counts) >= 15
    assert counts.min() >= 10


def test_costs_are_ordered_and_in_dollars(catalog: pd.DataFrame) -> None:
    assert (catalog["cost_min"] <= catalog["cost_max"]).all()
    assert (catalog["currency"] == "USD").all()


def test_prompts_are_open_questions_and_never_repeat(raw: pd.DataFrame) -> None:
    assert raw["prompt"].str.endswith("?").all()
    assert raw["prompt"].is_unique
    closed = raw["prompt"].str.match(r"^(Do|Did|Is|Are|Was|Were|Would|Could|Can|Have|Has)\b")
    assert not closed.any(), raw.loc[closed, "prompt"].tolist()


def test_no_two_descriptions_are_near_identical(raw: pd.DataFrame) -> None:
    vectors = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(raw["description"])
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, 0)
    assert similarity.max() < 0.6


def test_description_openings_are_varied(raw: pd.DataFrame) -> None:
    openings = raw["description"].str.split().str[:3].str.join(" ")
    assert openings.nunique() >= 0.95 * len(raw)
    assert openings.value_counts().max() <= 5


def test_the_spread_serves_every_budget_and_season(catalog: pd.DataFrame) -> None:
    assert (catalog["cost_max"] == 0).mean() >= 0.20
    assert (catalog["cost_max"] < 30).mean() >= 0.30
    assert (catalog["cost_min"] >= 150).any()
    seasons = set(catalog["seasons"].str.split(";").explode())
    assert {"spring", "summer", "autumn", "winter"} <= seasons
    assert set(catalog["setting"]) == {"indoor", "outdoor", "either"}
    assert set(catalog["energy"]) == {"low", "medium", "high"}
    assert ((catalog["category"] == "at-home") & (catalog["cost_max"] == 0)).sum() >= 5


def test_the_seed_advice_is_in_the_catalog(raw: pd.DataFrame) -> None:
    text = (raw["title"] + " " + raw["description"]).str.lower()
    for needle in ("questions", "listening", "neither", "class"):
        assert text.str.contains(needle).any(), needle


# The context columns after `prompt` are optional: these rows leave them out.
HEADER = ",".join(CSV_COLUMNS[: CSV_COLUMNS.index("prompt") + 1])
GOOD = "a-walk,A walk,Stroll.,outdoors,nature,0,0,USD,60,outdoor,low,2,true,,any,false,,What now?"


def test_a_good_row_parses() -> None:
    frame = parse_catalog(f"{HEADER}\n{GOOD}\n", "mine.csv")
    assert frame.loc[0, "id"] == "a-walk"


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [
        (("60,outdoor", "sixty,outdoor"), "duration_minutes", "a number >= 0"),
        ((",low,", ",extreme,"), "energy", "low / medium / high"),
        ((",2,true", ",9,true"), "excitement", "a whole number 1-5"),
        (("a-walk", "A Walk!"), "id", "a kebab-case id"),
        (("0,0,USD", "5,1,USD"), "cost_max", "a value >= cost_min"),
        ((",true,,any", ",maybe,,any"), "interactive", "true or false"),
        ((",true,,any", ",true,monsoon,any"), "seasons", "spring;summer;autumn;winter"),
    ],
)
def test_a_bad_value_is_reported_by_file_line_and_column(
    change: tuple[str, str], column: str, expected: str
) -> None:
    bad = GOOD.replace(*change, 1)
    text = f"{HEADER}\n{GOOD.replace('a-walk', 'first')}\n{bad}\n"
    with pytest.raises(
        CatalogError, match=rf"mine\.csv, line 3, column '{column}': expected {expected}"
    ):
        parse_catalog(text, "mine.csv")


def test_a_short_row_is_reported_by_line() -> None:
    with pytest.raises(CatalogError, match=r"line 2: expected 18 fields, got 3"):
        parse_catalog(f"{HEADER}\na,b,c\n", "mine.csv")


def test_a_duplicate_id_is_reported() -> None:
    with pytest.raises(CatalogError, match=r"line 3, column 'id'"):
        parse_catalog(f"{HEADER}\n{GOOD}\n{GOOD}\n", "mine.csv")


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(CatalogError, match=r"line 1: missing column\(s\) tags"):
        parse_catalog("id,title,category,cost_min,cost_max\n", "mine.csv")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such catalog file"):
        novelty.load_catalog(tmp_path / "none.csv")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_junk_text_raises_only_catalog_errors(junk: str) -> None:
    try:
        parse_catalog(f"{HEADER}\n{junk}", "junk.csv")
    except CatalogError as exc:
        message = str(exc)
    else:
        return
    assert message.startswith("junk.csv")


def test_no_synonym_rewrites_a_catalog_category(catalog: pd.DataFrame) -> None:
    assert not set(synonyms()) & set(catalog["category"])


def test_an_app_frame_keeps_its_numbers_and_is_checked_by_row(catalog: pd.DataFrame) -> None:
    frame = catalog[list(CSV_COLUMNS)].head(3).copy()
    frame["duration_minutes"] = [90.0, np.nan, 30.0]
    frame["excitement"] = [1, 5, 3]
    parsed = as_candidates(frame)
    assert parsed["duration_minutes"].isna().tolist() == [False, True, False]
    assert parsed["excitement"].tolist() == [1, 5, 3]
    frame.loc[2, "cost_min"] = -4.0
    with pytest.raises(CatalogError, match=r"catalog frame, row 2, column 'cost_min'"):
        as_candidates(frame)
    frame.loc[2, "cost_min"] = np.nan
    with pytest.raises(CatalogError, match=r"row 2, column 'cost_min': expected a number >= 0"):
        as_candidates(frame)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            HEADER.replace("description", "title"),
            r"line 1: column\(s\) title appear more than once",
        ),
        (HEADER.replace("description", ""), r"line 1: column 3 has no name"),
        (HEADER.replace("description", " "), r"line 1: column 3 has no name"),
    ],
)
def test_a_repeated_or_blank_header_column_is_named(header: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(f"{header}\n{GOOD}\n", "mine.csv")


@pytest.mark.parametrize("minutes", ["1.5", "0.4", "90.7", "0", "20161"])
def test_a_duration_that_is_not_whole_minutes_is_reported_by_line(minutes: str) -> None:
    text = f"{HEADER}\n{GOOD.replace(',60,', f',{minutes},')}\n"
    with pytest.raises(
        CatalogError, match=r"line 2, column 'duration_minutes': expected whole minutes"
    ):
        parse_catalog(text, "mine.csv")


def test_every_problem_of_a_six_mistake_file_is_listed_in_one_check() -> None:
    rows = [
        GOOD,
        GOOD.replace("a-walk", "Bad Id"),
        GOOD.replace("a-walk,A walk", "no-title,"),
        GOOD.replace("a-walk", "costly").replace("0,0,USD", "5,1,USD"),
        GOOD.replace("a-walk", "half").replace(",60,", ",1.5,"),
        GOOD.replace("a-walk", "wild").replace(",2,true", ",9,true"),
        "short,row",
    ]
    checked = check_catalog(HEADER + "\n" + "\n".join(rows) + "\n", "six.csv")
    assert checked.frame is None
    assert checked.total == 6
    assert [problem.split(":")[0] for problem in checked.problems] == [
        "six.csv, line 3, column 'id'",
        "six.csv, line 4, column 'title'",
        "six.csv, line 5, column 'cost_max'",
        "six.csv, line 6, column 'duration_minutes'",
        "six.csv, line 7, column 'excitement'",
        "six.csv, line 8",
    ]


def test_the_first_problem_is_raised_with_how_many_more_there_are() -> None:
    bad = GOOD.replace(",low,", ",extreme,")
    text = f"{HEADER}\n{bad}\n{bad.replace('a-walk', 'b-walk')}\n"
    with pytest.raises(CatalogError, match=r"line 2, column 'energy'.* \(and 1 more problem\)$"):
        parse_catalog(text, "mine.csv")


def test_the_problem_list_stops_at_the_limit_but_counts_them_all() -> None:
    rows = [GOOD.replace("a-walk", f"walk-{n}").replace(",low,", ",extreme,") for n in range(9)]
    checked = check_catalog(HEADER + "\n" + "\n".join(rows), "mine.csv", limit=4)
    assert len(checked.problems) == 4
    assert checked.total == 9
    assert checked.problems[0].startswith("mine.csv, line 2,")


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_catalog_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "catalog.csv"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(CatalogError, match="not a regular file; expected a catalog file"):
        novelty.load_catalog(path)


def test_every_tag_and_category_has_a_display_name(catalog: pd.DataFrame) -> None:
    with bundled_data("tags.csv").open(encoding="utf-8") as handle:
        shown = {row["tag"]: row["display"] for row in csv.DictReader(handle)}
    used = set(catalog["tags"].str.split(";").explode()) | set(catalog["category"])
    assert used <= {tag for tag, name in shown.items() if name.strip()}


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("food-drink", "food and drink"),
        ("at-home", "at home"),
        ("creative", "creative things"),
        ("made-up-label", "made up label"),
    ],
)
def test_labels_read_as_people_say_them(label: str, shown: str) -> None:
    assert display_label(label) == shown


def test_load_catalog_validates_a_frame_as_it_validates_a_file() -> None:
    rows = novelty.load_catalog().head(5)
    assert novelty.load_catalog(rows)["id"].tolist() == rows["id"].tolist()
    with pytest.raises(CatalogError, match="excitement"):
        novelty.load_catalog(rows.assign(excitement=9))
    with pytest.raises(novelty.ArgumentError, match=r"^catalog: expected"):
        novelty.load_catalog(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "named"), [({"catalog": 5}, "catalog"), ({"weights": "bold"}, "weights")]
)
def test_a_recommender_of_the_wrong_parts_is_an_argument_error(
    options: dict[str, object], named: str
) -> None:
    with pytest.raises(novelty.ArgumentError, match=f"^{named}: expected"):
        novelty.Recommender(**options)  # type: ignore[arg-type]
