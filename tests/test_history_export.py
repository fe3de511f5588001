"""Exported histories come back exactly: line breaks, separators and would-be spreadsheet
formulas in any text field, through CSV and JSON, with real SQLite files."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from novelty import HistoryStore, Outing
from novelty.history import export_outings, import_outings

from .test_history_corrections import TODAY, cli, store_with

COUPLE = "maya-and-jordan"
#: What a new user logged: a line break (LF and CRLF) and CSV's own separators in notes,
#: a Unicode line separator and a form feed, and a title a spreadsheet would run.
REVIEWED = (
    Outing(title="X", notes='line1\nline2, "quoted"\r\nline3', date=TODAY),
    Outing(title="T\u2028x", notes="a\x0cb", date=TODAY),
    Outing(title="=cmd|' /C calc'!A0", date=TODAY),
)


def test_the_cli_exports_and_imports_the_reviewed_outings_exactly(tmp_path: Path) -> None:
    HistoryStore(tmp_path / "a.db").add_many(REVIEWED, couple=COUPLE, today=TODAY)
    exported = tmp_path / "outings.csv"
    assert cli(tmp_path / "a.db", "history", "--export", str(exported))[0] == 0
    code, out, err = cli(tmp_path / "b.db", "history", "--import", str(exported))
    assert code == 0, err
    assert out.startswith("Imported 3 outing(s)")
    assert HistoryStore(tmp_path / "b.db").outings(couple=COUPLE) == REVIEWED
    with exported.open(encoding="utf-8", newline="") as file:
        titles = [row["title"] for row in csv.DictReader(file)]
    assert titles[2] == "'=cmd|' /C calc'!A0"  # text, not a formula, in a spreadsheet


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'=1+1", "''=1+1"),  # a quote of its own before a formula gets one more
        ("''-1", "'''-1"),
        ("'Twas", "'Twas"),  # a quote before anything else is left alone
        ("'", "'"),
        ("a=b", "a=b"),
    ],
)
def test_a_would_be_formula_gets_one_quote_that_import_removes(
    tmp_path: Path, title: str, cell: str
) -> None:
    store = store_with(tmp_path / "h.db", Outing(title=title, category=title, date=TODAY))
    export_outings(store.logged_outings(couple="us"), tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as file:
        (row,) = csv.DictReader(file)
    assert (row["title"], row["category"]) == (cell, cell.lower())
    assert import_outings(tmp_path / "out.csv") == list(store.outings(couple="us"))


#: Characters that are special to CSV, JSON, line splitting or spreadsheets, among any others.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\n\r\t\"',;[]=+-@\u2028\x0c"),
    max_size=12,
)
#: Starts a spreadsheet would run as a formula, guarded or not.
STARTS = st.sampled_from(("", "=", "+", "-", "@", "'", "'=", "''@"))


def texts() -> st.SearchStrategy[str]:
    return st.builds(str.__add__, STARTS, TEXT)


@st.composite
def any_outing(draw: st.DrawFn) -> Outing:
    fields = {
        "activity_id": draw(st.none() | texts()),
        "title": draw(st.none() | texts()),
        "category": draw(st.none() | texts()),
        "tags": draw(st.lists(texts(), max_size=3)),
        "date": draw(st.dates(dt.date(1900, 1, 1), TODAY)),
        "rating": draw(st.none() | st.integers(1, 5)),
        "cost": draw(st.none() | st.floats(0, 1e6)),
        "notes": draw(texts()),
    }
    try:
        outing = Outing.model_validate(fields)
        # In CSV an empty cell is a missing value (docs/history.md): an empty title is none.
        blank = {k: None for k in ("activity_id", "title", "category") if getattr(outing, k) == ""}
        return Outing.model_validate({**outing.model_dump(), **blank})
    except ValidationError:
        reject()


@settings(max_examples=40, deadline=None)
@given(st.lists(any_outing(), min_size=1, max_size=4))
def test_any_outings_come_back_exactly_through_csv_and_json(outings: list[Outing]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        source = HistoryStore(here / "source.db")
        source.add_many(outings, couple="us", again=True, today=TODAY)
        for name in ("out.csv", "out.json"):
            export_outings(source.logged_outings(couple="us"), here / name)
            fresh = HistoryStore(here / f"{name}.db")
            fresh.add_many(import_outings(here / name), couple="us", again=True, today=TODAY)
            assert fresh.outings(couple="us") == source.outings(couple="us"), name
